//! `sessionlog validate [FILE…]`: schema- and security-check templates.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::aws::lambda::Date;
use crate::render::Format as TemplateFormat;
use crate::validate::{self, command, report, SecurityScope};

use super::{compile, ConfigArg};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Template files (YAML with short or long-form intrinsics, or JSON).
    /// None: validate what the configuration renders, in memory.
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArg,
    /// Regions the FILEs are deployed to, for region availability and the
    /// deployment-context rules (SL6xx). Default: with a configuration
    /// file, a FILE named like one of its templates is checked for that
    /// template's regions; rendered templates always use their own.
    #[arg(long, num_args = 1.., value_name = "REGION")]
    pub regions: Vec<String>,
    /// Report format: human, json or sarif (SARIF 2.1.0).
    #[arg(long, default_value = "human", value_parser = parse_format)]
    pub format: report::Format,
    /// Where the security invariants (SL501-SL512) are errors: auto (on
    /// sessionlog's templates and resources tagged sessionlog:component;
    /// warnings elsewhere), everywhere, or off (not reported elsewhere).
    #[arg(long, default_value = "auto", value_name = "SCOPE", value_parser = parse_scope)]
    pub security: SecurityScope,
    /// Evaluate date-dependent rules (deprecated Lambda runtimes) as of
    /// this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
}

fn parse_format(s: &str) -> Result<report::Format, String> {
    s.parse()
}

fn parse_scope(s: &str) -> Result<SecurityScope, String> {
    s.parse()
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("`{s}` is not a date (YYYY-MM-DD)"))
}

pub fn execute(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let options = |regions: Vec<String>, rendered: bool| validate::Options {
        regions,
        rendered,
        security: args.security,
        as_of: args.as_of,
    };
    if args.files.is_empty() {
        let (_, bundle) = match compile::load(&args.config, err) {
            Ok(b) => b,
            Err(code) => return code,
        };
        let mut result = validate::Report::default();
        for t in bundle.templates() {
            let source = compile::rendered_source(t, TemplateFormat::Yaml);
            result.merge(validate::validate_source(&source, &options(t.regions.clone(), true)));
        }
        return command::finish(&result, args.format, out, err);
    }
    if !args.regions.is_empty() || !has_config_file(&args.config) {
        let options = options(args.regions.clone(), false);
        return command::execute(&args.files, &options, args.format, out, err);
    }
    // Files named like a template of the configuration (`member-regional.yaml`)
    // are checked for that template's regions; other files without regions.
    let (_, bundle) = match compile::load(&args.config, err) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let regions_for = |path: &Path| {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let regions = bundle
            .templates()
            .into_iter()
            .find(|t| t.file_stem == stem)
            .map(|t| t.regions.clone())
            .unwrap_or_default();
        options(regions, false)
    };
    command::execute_each(&args.files, &regions_for, args.format, out, err)
}

/// A configuration file of the user's (not the embedded example) is there.
fn has_config_file(arg: &ConfigArg) -> bool {
    arg.config.is_some() || std::path::Path::new(crate::config::load::DEFAULT_FILE).exists()
}
