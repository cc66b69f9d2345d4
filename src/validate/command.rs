//! `sessionlog validate FILE…` as a function: reads the files, validates,
//! writes the report, returns the exit code. The CLI only parses arguments
//! and calls this (or [`execute_sources`] for rendered templates).
//!
//! Every file that can be read is validated and reported, even when others
//! cannot be read; those are reported too (SL100, "cannot read the file").
//!
//! Exit codes: [`exit::OK`] when nothing is an error; [`exit::FINDINGS`]
//! when a template has an error; [`exit::INVALID_INPUT`] when a file could
//! not be read or is not YAML/JSON at all (whatever else was found);
//! [`exit::RUNTIME`] when the report cannot be written.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::report::{self, Format};
use super::{rules, validate_source, validate_sources, Options, Report, Source};
use crate::exit;

/// Validates template files, each with `options`.
pub fn execute(
    files: &[PathBuf],
    options: &Options,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    execute_each(files, &|_| options.clone(), format, out, err)
}

/// Validates template files, each with the options `options_for` gives it
/// (e.g. the regions of the configured template it is named like).
pub fn execute_each(
    files: &[PathBuf],
    options_for: &dyn Fn(&Path) -> Options,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let mut result = Report::default();
    let mut regions_seen: Vec<Vec<String>> = Vec::new();
    for path in files {
        let options = options_for(path);
        if !regions_seen.contains(&options.regions) {
            result.merge(validate_sources(&[], &options));
            regions_seen.push(options.regions.clone());
        }
        match Source::from_path(path) {
            Ok(source) => result.merge(validate_source(&source, &options)),
            Err(e) => result.merge(Report::unreadable(&path.display().to_string(), &e)),
        }
    }
    finish(&result, format, out, err)
}

/// Validates in-memory sources (e.g. what `render` produced).
pub fn execute_sources(
    sources: &[Source],
    options: &Options,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    finish(&validate_sources(sources, options), format, out, err)
}

/// Writes the report; the exit code for it.
pub fn finish(result: &Report, format: Format, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if let Err(e) = report::write(result, format, out) {
        let _ = writeln!(err, "error: cannot write the report\n\nCaused by:\n    {e}");
        return exit::RUNTIME;
    }
    exit_code(result)
}

/// The exit code of a report (see the module documentation).
pub fn exit_code(result: &Report) -> i32 {
    if !result.unreadable.is_empty() || result.findings.iter().any(|f| f.rule == &rules::PARSE) {
        exit::INVALID_INPUT
    } else if result.has_errors() {
        exit::FINDINGS
    } else {
        exit::OK
    }
}
