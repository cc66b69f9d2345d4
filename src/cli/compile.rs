//! Shared by every command that starts from the configuration: read it,
//! build the bundle, and validate every template for the regions it is
//! deployed to — what is written or deployed has passed.

use std::io::Write;

use crate::bundle::{Bundle, TemplateFile};
use crate::config::{self, Source};
use crate::exit;
use crate::render::{self, Format};
use crate::validate::{self, report};

use super::ConfigArg;

/// The configuration's source and bundle, or the exit code after the
/// problems were printed.
pub fn load(arg: &ConfigArg, err: &mut dyn Write) -> Result<(Source, Bundle), i32> {
    let source = Source::locate(arg.config.as_deref()).map_err(|e| {
        let _ = write!(err, "{e}");
        e.exit_code()
    })?;
    let config = config::load(&source).map_err(|e| {
        let _ = write!(err, "{e}");
        e.exit_code()
    })?;
    // What only the generated policies can tell, reported as configuration
    // errors (key path, line, exit 2, nothing written).
    let mut too_big = crate::stacks::operators::size_problems(&config);
    too_big.extend(crate::stacks::guardrails::size_problems(&config));
    if !too_big.is_empty() {
        let e = config::load::invalid(&source, too_big);
        let _ = write!(err, "{e}");
        return Err(e.exit_code());
    }
    for w in config::load::warnings(&source, &config) {
        let rendered = config::diagnostic::Rendered { diagnostic: &w, file: &source.name, text: &source.text };
        let _ = write!(err, "{}", config::diagnostic::RenderedWarning(rendered));
    }
    Ok((source, crate::stacks::build(&config)))
}

/// A rendered template as the validator's source, named like its file.
pub fn rendered_source(t: &TemplateFile, format: Format) -> validate::Source {
    validate::Source::new(format!("templates/{}.{}", t.file_stem, format.extension()), render::template_text(&t.template, format))
}

/// Validate every template of the bundle in memory (each against its own
/// regions; sessionlog's own templates, so the security invariants are
/// errors). The report of all templates, merged.
pub fn validate_bundle(bundle: &Bundle, format: Format) -> validate::Report {
    let mut merged = validate::Report::default();
    for t in bundle.templates() {
        let options = validate::Options { regions: t.regions.clone(), rendered: true, ..Default::default() };
        merged.merge(validate::validate_source(&rendered_source(t, format), &options));
    }
    merged
}

/// Refuse a bundle whose templates have errors: print them, return exit 3.
pub fn require_valid(bundle: &Bundle, format: Format, err: &mut dyn Write) -> Result<(), i32> {
    let report = validate_bundle(bundle, format);
    if report.has_errors() {
        let _ = report::write(&report, report::Format::Human, err);
        let _ = writeln!(err, "error: the rendered templates have errors; nothing was written or deployed");
        return Err(exit::FINDINGS);
    }
    Ok(())
}
