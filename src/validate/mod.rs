//! `sessionlog validate`: checks CloudFormation templates for structure,
//! properties against the vendored provider schemas, region availability,
//! the Session preferences document, and the security invariants the
//! product promises. Pure: text in, [`Report`] out; never panics on input.
//!
//! ```no_run
//! use sessionlog::validate::{validate_sources, Options, Source, report};
//! let sources = [Source::new("templates/log-archive.yaml", std::fs::read_to_string("t.yaml").unwrap())];
//! let options = Options { regions: vec!["eu-west-1".into()], ..Default::default() };
//! let result = validate_sources(&sources, &options);
//! report::write(&result, report::Format::Human, &mut std::io::stdout()).unwrap();
//! assert!(!result.has_errors());
//! ```

mod checks;
pub mod command;
pub mod explain;
pub mod finding;
mod foreach;
pub mod report;
pub mod rules;
pub mod schema;
pub mod scope;
mod source_map;
mod sub;
mod template;

use std::path::Path;

/// The position-keeping reader the validator parses with (a neutral module
/// shared with `config`), under the names the validator has always used.
pub use crate::syntax as parse;
pub use crate::syntax::tree;

pub use finding::{Finding, Location, NotChecked, Report, Severity, SourceText};
pub use report::Format;
pub use rules::Rule;

use crate::aws::lambda::Date;
use crate::syntax::tree::{Node, Pos, Ptr};
use crate::syntax::{parse_template, IssueKind};
use checks::Context;
use finding::Sink;
pub use scope::SecurityScope;
use source_map::SourceMap;
use template::Template;

/// A template to validate: a display name (a path, or `templates/x.yaml`
/// for in-memory rendered text) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub name: String,
    pub text: String,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    /// Reads a template file; the path as given becomes the name. A file
    /// larger than [`crate::syntax::MAX_INPUT_BYTES`] is not read.
    pub fn from_path(path: &Path) -> std::io::Result<Self> {
        use std::io::Read;
        let limit = crate::syntax::MAX_INPUT_BYTES;
        let mut bytes = Vec::new();
        std::fs::File::open(path)?
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)?;
        if bytes.len() > limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("larger than {limit} bytes (CloudFormation accepts templates up to 1 MB)"),
            ));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))?;
        Ok(Source {
            name: path.display().to_string(),
            text,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Regions the templates are deployed to (for availability checks and
    /// the deployment-context rules). Empty: not checked.
    pub regions: Vec<String>,
    /// The templates are sessionlog's own, rendered in memory by `render`
    /// or `deploy`: the security invariants are errors everywhere.
    pub rendered: bool,
    /// Where the security invariants are errors (see [`scope`]).
    pub security: SecurityScope,
    /// The date the date-dependent rules (deprecated Lambda runtimes) are
    /// evaluated on; `None`: today.
    pub as_of: Option<Date>,
}

/// Validates every source; findings are ordered by file, line, column.
pub fn validate_sources(sources: &[Source], options: &Options) -> Report {
    let mut report = Report::default();
    let mut sink = Sink::new("(options)");
    checks::regions_unknown(&options.regions, &mut sink);
    report.findings.extend(sink.findings);
    for source in sources {
        report.merge(validate_source(source, options));
    }
    report
}

/// Validates one source.
pub fn validate_source(source: &Source, options: &Options) -> Report {
    let mut sink = Sink::new(&source.name);
    match parse_template(&source.text) {
        Err(e) => sink.emit(&rules::PARSE, e.pos, &Ptr::root(), e.message),
        Ok(parsed) => {
            for issue in &parsed.issues {
                let rule = match issue.kind {
                    IssueKind::DuplicateKey => &rules::DUPLICATE_KEY,
                    IssueKind::UnknownTag => &rules::UNKNOWN_TAG,
                    IssueKind::PreprocessorTag => &rules::PREPROCESSOR_TAG,
                };
                let pointer = Ptr::from_pointer(&issue.pointer);
                sink.emit(rule, issue.pos, &pointer, issue.message.clone());
            }
            match &parsed.root {
                None => sink.emit(
                    &rules::SECTION,
                    Pos::new(1, 1),
                    &Ptr::root(),
                    "the template is empty: it needs at least a Resources section",
                ),
                Some(root) if root.as_map().is_none() => sink.emit(
                    &rules::PARSE,
                    root.pos,
                    &Ptr::root(),
                    format!(
                        "a template is a mapping of sections (Resources, …), found {}",
                        root.kind()
                    ),
                ),
                Some(root) => check_template(source, root, options, &mut sink),
            }
        }
    }
    let mut findings = sink.findings;
    findings.sort_by(|a, b| {
        (a.location.line, a.location.column, a.rule.id).cmp(&(
            b.location.line,
            b.location.column,
            b.rule.id,
        ))
    });
    findings.dedup();
    Report {
        sources: vec![SourceText {
            name: source.name.clone(),
            text: source.text.clone(),
        }],
        findings,
        not_checked: sink.not_checked,
        unreadable: Vec::new(),
    }
}

/// Runs every check on a parsed template (its `Fn::ForEach` loops
/// expanded), then scopes the security findings.
fn check_template(source: &Source, root: &Node, options: &Options, sink: &mut Sink) {
    let expansion = foreach::expand(root);
    let (root, skipped) = match &expansion {
        Some(e) => (&e.root, e.skipped.as_slice()),
        None => (root, &[][..]),
    };
    let mut template = Template::new(root);
    template.partial = !skipped.is_empty();
    let map = SourceMap::new(&source.text);
    let ctx = Context {
        template,
        source: &map,
        size: source.text.len(),
        regions: &options.regions,
        as_of: options.as_of.unwrap_or_else(Date::today),
        skipped_loops: skipped,
    };
    checks::run_all(&ctx, sink);
    let owned = options.rendered || scope::is_generated(&ctx.template);
    let findings = std::mem::take(&mut sink.findings);
    sink.findings = scope::apply(findings, &ctx.template, owned, options.security);
}
