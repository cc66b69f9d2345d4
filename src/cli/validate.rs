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
    /// Regions the FILEs are deployed to, for region-availability checks
    /// (rendered templates use their own regions).
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
        let options = validate::Options { regions: args.regions.clone() };
        return command::execute(&args.files, &options, args.format, out, err);
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
