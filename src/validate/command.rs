//! `sessionlog validate FILE…` as a function: reads the files, validates,
//! writes the report, returns the exit code. The CLI only parses arguments
//! and calls this (or [`super::validate_sources`] for rendered templates).

use std::io::Write;
use std::path::PathBuf;

use super::report::{self, Format};
use super::{rules, validate_sources, Options, Source};
use crate::exit;

/// Validates template files. Exit codes: [`exit::OK`] when no error was
/// found, [`exit::FINDINGS`] when one was, [`exit::INVALID_INPUT`] when a
/// file cannot be read or is not YAML/JSON at all (its position is still
/// reported), [`exit::RUNTIME`] when the report cannot be written.
pub fn execute(
    files: &[PathBuf],
    options: &Options,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let mut sources = Vec::with_capacity(files.len());
    for path in files {
        match Source::from_path(path) {
            Ok(source) => sources.push(source),
            Err(e) => {
                let _ = writeln!(
                    err,
                    "error: cannot read {}\n\nCaused by:\n    {e}",
                    path.display()
                );
                return exit::INVALID_INPUT;
            }
        }
    }
    execute_sources(&sources, options, format, out, err)
}

/// Validates in-memory sources (e.g. what `render` produced).
pub fn execute_sources(
    sources: &[Source],
    options: &Options,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let result = validate_sources(sources, options);
    if let Err(e) = report::write(&result, format, out) {
        let _ = writeln!(err, "error: cannot write the report\n\nCaused by:\n    {e}");
        return exit::RUNTIME;
    }
    if result.findings.iter().any(|f| f.rule == &rules::PARSE) {
        exit::INVALID_INPUT
    } else if result.has_errors() {
        exit::FINDINGS
    } else {
        exit::OK
    }
}
