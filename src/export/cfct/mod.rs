//! Customizations for Control Tower (CfCT): a configuration package —
//! `manifest.yaml` (version 2021-03-15) and the templates it names — that
//! drops into a CfCT repository (or its S3 zip) as is.

pub mod build;
pub mod manifest;

use std::path::PathBuf;

use crate::bundle::Bundle;
use crate::render::{self, FileSet};
use crate::stacks;

pub use build::{Export, Flow, Options, DEFAULT_SSM_PREFIX};

/// The manifest's file name; CfCT reads it from the package root.
pub const MANIFEST: &str = "manifest.yaml";

/// Where the templates go: a directory of their own under CfCT's
/// `templates/`, so they never overwrite the organization's other templates
/// and an export only ever removes its own files.
pub const TEMPLATES_DIR: &str = "templates/sessionlog";

/// What the configuration and the options cannot give CfCT. Every variant
/// says what is allowed in `help`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("organizational unit `{ou}` has no name: CfCT targets OUs by name, not by id")]
    MissingOuName { ou: String },
    #[error("--ou-name names `{ou}`, which is not one of targets.organizational_units")]
    UnknownOu { ou: String, configured: Vec<String> },
    #[error("targets.exclude_accounts ({}) cannot be expressed: CfCT has no account exclusions", accounts.join(", "))]
    ExclusionsNeedAccounts { accounts: Vec<String> },
    #[error("--ou-name and --target-account cannot be combined")]
    OusAndAccounts,
    #[error("--target-account `{account}` is not a 12-digit account id")]
    BadAccount { account: String },
    #[error("--target-account `{account}` is excluded by targets.exclude_accounts")]
    ExcludedAccount { account: String },
    #[error("--target-account `{account}` is the management account, which member StackSets never target")]
    ManagementAccount { account: String },
    #[error("--target-account `{account}` is given twice")]
    DuplicateAccount { account: String },
    #[error("--home-region `{region}` is not a known AWS region")]
    UnknownRegion { region: String },
    #[error("--ssm-prefix `{prefix}` is not an SSM parameter path")]
    BadSsmPrefix { prefix: String },
    #[error("StackSet name `{name}` is longer than 128 characters")]
    NameTooLong { name: String },
    #[error("cannot be expressed in a CfCT manifest: {what}")]
    Unexpressible { what: String },
}

impl ExportError {
    pub fn help(&self) -> String {
        match self {
            ExportError::MissingOuName { ou } => format!(
                "add --ou-name {ou}=<OU name>, or --ou-name {ou}=<Parent>:<Child> for a nested OU (the full path below the root)"
            ),
            ExportError::UnknownOu { configured, .. } => format!("configured OUs: {}", configured.join(", ")),
            ExportError::ExclusionsNeedAccounts { .. } => "list the member accounts to target with --target-account \
                 ACCOUNT (repeatable) instead of the OUs, or remove the exclusions"
                .into(),
            ExportError::OusAndAccounts => "with --target-account, member StackSets target exactly those accounts".into(),
            ExportError::BadAccount { .. } => "an account id like 123456789012".into(),
            ExportError::ExcludedAccount { .. } | ExportError::ManagementAccount { .. } | ExportError::DuplicateAccount { .. } => {
                "remove it from the --target-account list".into()
            }
            ExportError::UnknownRegion { .. } => "the Control Tower home region, like us-east-1".into(),
            ExportError::BadSsmPrefix { .. } => "`/` and segments of letters, digits and `_.-`, like /sessionlog; not under /aws or /ssm".into(),
            ExportError::NameTooLong { .. } => {
                "CfCT prefixes `CustomControlTower-`: shorten log_archive.stack_name or stack_set.name_prefix".into()
            }
            ExportError::Unexpressible { .. } => "deploy this configuration with `sessionlog deploy` instead".into(),
        }
    }
}

/// The package's files, relative to its root.
pub fn files(export: &Export, source_name: &str, format: render::Format) -> FileSet {
    let mut set = FileSet::default();
    set.files.insert(
        PathBuf::from(MANIFEST),
        export.manifest.to_yaml(&header(export, source_name)),
    );
    for (path, t) in &export.templates {
        set.files.insert(
            PathBuf::from(path),
            render::template_text(&t.template, format),
        );
    }
    // Templates an earlier export may have written that this one does not.
    let stems = [
        stacks::LOG_ARCHIVE,
        stacks::LOG_ARCHIVE_REPLICA,
        stacks::MEMBER_IAM,
        stacks::MEMBER_REGIONAL,
        stacks::MEMBER_REGIONAL_NO_RDP,
    ];
    for stem in stems {
        for ext in ["yaml", "json"] {
            let p = PathBuf::from(format!("{TEMPLATES_DIR}/{stem}.{ext}"));
            if !set.files.contains_key(&p) {
                set.obsolete.push(p);
            }
        }
    }
    set
}

/// Build the package of a bundle: the export and its files.
pub fn package<'a>(
    bundle: &'a Bundle,
    options: &Options,
    source_name: &str,
) -> Result<(Export<'a>, FileSet), Vec<ExportError>> {
    let export = build::build(bundle, options)?;
    let files = files(&export, source_name, options.format);
    Ok((export, files))
}

fn header(export: &Export, source_name: &str) -> Vec<String> {
    let mut lines = vec![
        format!(
            "Customizations for Control Tower manifest generated by sessionlog from {source_name}."
        ),
        "Do not edit: change the configuration and run `sessionlog export cfct` again.".to_string(),
        String::new(),
        "CfCT deploys the stack_set resources one after another in this order; the".to_string(),
        "log-archive resource must come first: later resources read its outputs.".to_string(),
    ];
    for f in &export.flows {
        let mut first = true;
        for chunk in wrap(&f.to_string(), 74) {
            lines.push(format!("{} {chunk}", if first { "  -" } else { "   " }));
            first = false;
        }
    }
    lines.push(String::new());
    lines.push("Not expressed in this manifest:".to_string());
    for n in &export.not_expressed {
        let mut first = true;
        for chunk in wrap(n, 76) {
            lines.push(format!("{} {chunk}", if first { "-" } else { " " }));
            first = false;
        }
    }
    lines
}

/// Split text at spaces into lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("  ", 5), Vec::<String>::new());
    }
}
