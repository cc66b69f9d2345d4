//! `sessionlog validate [FILE…]`: schema- and security-check templates.

use std::io::Write;
use std::path::PathBuf;

use crate::exit;
use crate::render::Format as TemplateFormat;
use crate::validate::{self, command, report};

use super::{compile, ConfigArg};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Template files (YAML with short or long-form intrinsics, or JSON).
    /// None: validate what the configuration renders, in memory.
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArg,
    /// Regions the FILEs are deployed to, for region-availability checks.
    /// Default: with a configuration file, a FILE named like one of its
    /// templates is checked for that template's regions; rendered templates
    /// always use their own.
    #[arg(long, num_args = 1.., value_name = "REGION")]
    pub regions: Vec<String>,
    /// Report format: human, json or sarif (SARIF 2.1.0).
    #[arg(long, default_value = "human", value_parser = parse_format)]
    pub format: report::Format,
}

fn parse_format(s: &str) -> Result<report::Format, String> {
    s.parse()
}

pub fn execute(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if !args.files.is_empty() {
        if !args.regions.is_empty() || !has_config_file(&args.config) {
            let options = validate::Options { regions: args.regions.clone() };
            return command::execute(&args.files, &options, args.format, out, err);
        }
        return validate_files_for_their_regions(args, out, err);
    }
    let (_, bundle) = match compile::load(&args.config, err) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let result = compile::validate_bundle(&bundle, TemplateFormat::Yaml);
    if let Err(e) = report::write(&result, args.format, out) {
        let _ = writeln!(err, "error: cannot write the report\nCaused by:\n    {e}");
        return exit::RUNTIME;
    }
    if result.has_errors() {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

/// A configuration file of the user's (not the embedded example) is there.
fn has_config_file(arg: &ConfigArg) -> bool {
    arg.config.is_some() || std::path::Path::new(crate::config::load::DEFAULT_FILE).exists()
}

/// Files named like a template of the configuration (`member-regional.yaml`)
/// are checked for that template's regions; other files without regions.
fn validate_files_for_their_regions(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let (_, bundle) = match compile::load(&args.config, err) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let mut merged = validate::Report::default();
    for path in &args.files {
        let source = match validate::Source::from_path(path) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(err, "error: cannot read {}\n\nCaused by:\n    {e}", path.display());
                return exit::INVALID_INPUT;
            }
        };
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let regions = bundle
            .templates()
            .into_iter()
            .find(|t| t.file_stem == stem)
            .map(|t| t.regions.clone())
            .unwrap_or_default();
        merged.merge(validate::validate_source(&source, &validate::Options { regions }));
    }
    if let Err(e) = report::write(&merged, args.format, out) {
        let _ = writeln!(err, "error: cannot write the report\nCaused by:\n    {e}");
        return exit::RUNTIME;
    }
    if merged.has_errors() {
        exit::FINDINGS
    } else {
        exit::OK
    }
}
