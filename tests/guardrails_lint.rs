//! cfn-lint (`-c I`, zero findings) and `sessionlog validate` on every
//! template of a matrix of guardrail configurations: each guardrail on and
//! off, both trail modes (organization trail created, existing trail in the
//! management account or in every member account).

mod common;
#[path = "guardrails/matrix.rs"]
mod matrix;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use common::*;
use matrix::*;
use sessionlog::config::{load, Source};
use sessionlog::render::{template_text, Format};
use sessionlog::stacks::guardrails::{management, MANAGEMENT_GUARDRAILS};

fn cfn_lint() -> PathBuf {
    [
        std::env::var("SESSIONLOG_CFN_LINT").ok().map(PathBuf::from),
        Some(repo_root().join(".venv/bin/cfn-lint")),
    ]
    .into_iter()
    .flatten()
    .find(|c| c.exists())
    .expect("cfn-lint not found: run `make setup` (installs the pinned cfn-lint into .venv)")
}

#[test]
fn every_guardrail_template_is_clean_under_cfn_lint_and_validate() {
    let lint = cfn_lint();
    let mut failures = Vec::new();
    let mut linted = 0;
    let mut management_templates = 0;
    for (name, text) in matrix() {
        let config = load(&Source {
            name: name.into(),
            text,
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let bundle = sessionlog::stacks::build(&config);
        // The management-account guardrails stack is part of the bundle.
        if bundle
            .management_stacks
            .iter()
            .any(|s| s.template.file_stem == MANAGEMENT_GUARDRAILS)
        {
            management_templates += 1;
        }
        assert_eq!(
            management::template(&config).is_some(),
            config.guardrails.any_in_management_account()
        );
        let files: Vec<(String, sessionlog::model::Template, Vec<String>)> = bundle
            .templates()
            .into_iter()
            .map(|t| (t.file_stem.clone(), t.template.clone(), t.regions.clone()))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let mut groups: BTreeMap<Vec<String>, Vec<PathBuf>> = BTreeMap::new();
        for (stem, template, regions) in &files {
            let text = template_text(template, Format::Yaml);
            let source =
                sessionlog::validate::Source::new(format!("templates/{stem}.yaml"), text.clone());
            let report = sessionlog::validate::validate_source(
                &source,
                &sessionlog::validate::Options {
                    regions: regions.clone(),
                    ..Default::default()
                },
            );
            if report.has_errors() {
                let mut out = Vec::new();
                sessionlog::validate::report::write(
                    &report,
                    sessionlog::validate::report::Format::Human,
                    &mut out,
                )
                .unwrap();
                failures.push(format!(
                    "{name}: sessionlog validate {stem}:\n{}",
                    String::from_utf8_lossy(&out)
                ));
            }
            let path = dir.path().join(format!("{stem}.yaml"));
            std::fs::write(&path, text).unwrap();
            groups.entry(regions.clone()).or_default().push(path);
        }
        for (regions, paths) in groups {
            let out = Command::new(&lint)
                .args(["-c", "I", "--format", "parseable", "--regions"])
                .args(&regions)
                .arg("--")
                .args(&paths)
                .output()
                .expect("cfn-lint runs");
            linted += paths.len();
            let findings = String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr);
            if !out.status.success() || !findings.trim().is_empty() {
                failures.push(format!("{name} (regions {regions:?}):\n{findings}"));
            }
        }
    }
    assert_eq!(
        management_templates, 5,
        "configurations with management-account guardrails"
    );
    assert!(linted >= 25, "linted {linted} templates");
    assert!(failures.is_empty(), "findings:\n{}", failures.join("\n"));
}
