//! `sessionlog export cfct`: the configuration as a Customizations for
//! Control Tower package (`manifest.yaml` and the templates it names).

use std::io::Write;
use std::path::PathBuf;

use crate::exit;
use crate::export::cfct::{self, ExportError, Options, DEFAULT_SSM_PREFIX};
use crate::render::Format;

use super::ConfigArg;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub target: Target,
}

#[derive(Debug, clap::Subcommand)]
pub enum Target {
    /// Write a Customizations for Control Tower package: manifest.yaml
    /// (version 2021-03-15) and templates/sessionlog/.
    Cfct(CfctArgs),
}

#[derive(Debug, clap::Args)]
pub struct CfctArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Directory that receives manifest.yaml and templates/sessionlog/ (the
    /// root of a CfCT configuration package).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Template format.
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    pub format: Format,
    /// Name of a configured OU as CfCT resolves it: its name, or the path of
    /// names below the root for a nested OU (`Workloads:Prod`). Required for
    /// every `ou-…` of targets.organizational_units; may be repeated for one
    /// id to add child OUs. The root (`r-…`) is CfCT's `Root`.
    #[arg(long, value_name = "OU_ID=NAME", value_parser = parse_ou_name)]
    pub ou_name: Vec<(String, String)>,
    /// Target these member accounts instead of the OUs (repeatable) — the
    /// way to honour targets.exclude_accounts, which CfCT cannot express.
    #[arg(long, value_name = "ACCOUNT")]
    pub target_account: Vec<String>,
    /// Control Tower home region (the manifest's `region`). Default:
    /// stack_set.admin_region, else log_archive.region.
    #[arg(long, value_name = "REGION")]
    pub home_region: Option<String>,
    /// Prefix of the SSM parameters that carry the key ids from the
    /// log-archive resource to the others.
    #[arg(long, value_name = "PATH", default_value = DEFAULT_SSM_PREFIX)]
    pub ssm_prefix: String,
    /// Write nothing; exit 3 with a unified diff when the package on disk
    /// differs from what would be exported.
    #[arg(long)]
    pub check: bool,
}

fn parse_ou_name(s: &str) -> Result<(String, String), String> {
    let (id, name) = s
        .split_once('=')
        .ok_or("expected OU_ID=NAME, like ou-ab12-cd34ef56=Workloads")?;
    let id_ok = id.strip_prefix("ou-").is_some_and(|rest| {
        let mut parts = rest.split('-');
        let (a, b) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        parts.next().is_none()
            && (4..=32).contains(&a.len())
            && (8..=32).contains(&b.len())
            && rest
                .bytes()
                .all(|c| c == b'-' || c.is_ascii_digit() || c.is_ascii_lowercase())
    });
    if !id_ok {
        return Err(format!(
            "`{id}` is not an organizational unit id like ou-ab12-cd34ef56"
        ));
    }
    if name.split(':').any(|seg| seg.trim().is_empty()) {
        return Err(format!(
            "`{name}` is not an OU name or a Parent:Child path of names"
        ));
    }
    if name == "Root" || name.starts_with("Root:") {
        return Err(
            "nested OU paths start below the root: `Parent:Child`, not `Root:Parent:Child`".into(),
        );
    }
    Ok((id.to_string(), name.to_string()))
}

pub fn execute(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match &args.target {
        Target::Cfct(a) => execute_cfct(a, out, err),
    }
}

fn execute_cfct(args: &CfctArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let (source, bundle) = match super::compile::load(&args.config, err) {
        Ok(b) => b,
        Err(code) => return code,
    };
    if let Err(code) = super::compile::require_valid(&bundle, args.format, err) {
        return code;
    }
    let options = Options {
        home_region: args.home_region.clone(),
        ou_names: args.ou_name.clone(),
        target_accounts: args.target_account.clone(),
        ssm_prefix: args.ssm_prefix.clone(),
        format: args.format,
    };
    let (export, files) = match cfct::package(&bundle, &options, &source.name) {
        Ok(p) => p,
        Err(errors) => {
            report(&errors, err);
            return exit::INVALID_INPUT;
        }
    };

    if args.check {
        return super::output::check(&files, &args.out_dir, &source.name, &EXPORTED, out, err);
    }
    match super::output::write(&files, &args.out_dir, out, err) {
        Ok(changed) => {
            let _ = writeln!(
                out,
                "exported {} as a CfCT package ({} resources, {} files, {changed} changed) into {}",
                source.name,
                export.manifest.resources.len(),
                files.files.len(),
                args.out_dir.display()
            );
            if !export.flows.is_empty() {
                let _ = writeln!(
                    out,
                    "values passed between resources (export_outputs → alfred_ssm):"
                );
                for f in &export.flows {
                    let _ = writeln!(out, "  {f}");
                }
            }
            let _ = writeln!(out, "not expressed in the manifest (also in its header):");
            for n in &export.not_expressed {
                let _ = writeln!(out, "  - {n}");
            }
            exit::OK
        }
        Err(code) => code,
    }
}

const EXPORTED: super::output::Produced = super::output::Produced {
    what: "exported",
    produces: "exports",
    help: "run `sessionlog export cfct` with the same options and commit the result",
};

fn report(errors: &[ExportError], err: &mut dyn Write) {
    for e in errors {
        let _ = writeln!(err, "error: {e}\n   = help: {}", e.help());
    }
    let _ = writeln!(err, "error: nothing was written");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ou_name_arguments() {
        assert_eq!(
            parse_ou_name("ou-ab12-cd34ef56=Workloads:Prod").unwrap(),
            ("ou-ab12-cd34ef56".to_string(), "Workloads:Prod".to_string())
        );
        for bad in [
            "ou-ab12-cd34ef56",
            "r-ab12=Root",
            "ou-ab12=Workloads",
            "ou-AB12-cd34ef56=W",
            "ou-ab12-cd34ef56=",
            "ou-ab12-cd34ef56=A::B",
            "ou-ab12-cd34ef56=Root:A",
            "ou-ab12-cd34ef56=:A",
        ] {
            assert!(parse_ou_name(bad).is_err(), "{bad}");
        }
    }
}
