//! `sessionlog validate`: checks CloudFormation templates for structure,
//! properties against the vendored provider schemas, region availability,
//! the Session preferences document, and the security invariants the
//! product promises. Pure: text in, [`Report`] out; never panics on input.
//!
//! ```no_run
//! use sessionlog::validate::{validate_sources, Options, Source, report};
//! let sources = [Source::new("templates/log-archive.yaml", std::fs::read_to_string("t.yaml").unwrap())];
//! let result = validate_sources(&sources, &Options { regions: vec!["eu-west-1".into()] });
//! report::write(&result, report::Format::Human, &mut std::io::stdout()).unwrap();
//! assert!(!result.has_errors());
//! ```

mod checks;
pub mod command;
pub mod finding;
pub mod report;
pub mod rules;
pub mod schema;
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

use crate::syntax::tree::{Pos, Ptr};
use crate::syntax::{parse_template, IssueKind};
use checks::Context;
use finding::Sink;
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

    /// Reads a template file; the path as given becomes the name.
    pub fn from_path(path: &Path) -> std::io::Result<Self> {
        Ok(Source {
            name: path.display().to_string(),
            text: std::fs::read_to_string(path)?,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Regions the templates are deployed to (for availability checks).
    /// Empty: availability is not checked.
    pub regions: Vec<String>,
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
                };
                sink.emit(rule, issue.pos, &Ptr::root(), issue.message.clone());
            }
            match &parsed.root {
                None => sink.emit(
                    &rules::PARSE,
                    Pos::new(1, 1),
                    &Ptr::root(),
                    "the template is empty",
                ),
                Some(root) => {
                    let map = SourceMap::new(&source.text);
                    let ctx = Context {
                        template: Template::new(root),
                        source: &map,
                        size: source.text.len(),
                        regions: &options.regions,
                    };
                    checks::run_all(&ctx, &mut sink);
                }
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
    }
}
