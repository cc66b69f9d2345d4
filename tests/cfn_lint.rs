//! cfn-lint — the independent check — on every template of a matrix of
//! configurations, each template linted for the regions it is deployed to,
//! informational findings included: zero findings allowed.
//!
//! Needs the pinned cfn-lint that `make setup` installs into .venv (or one
//! named by SESSIONLOG_CFN_LINT).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use common::matrix::{jit_matrix, log_copy_matrix, matrix};
use common::*;
use sessionlog::config::{load, Source};
use sessionlog::stacks::support::RegionSupport;

fn cfn_lint() -> PathBuf {
    let candidates = [
        std::env::var("SESSIONLOG_CFN_LINT").ok().map(PathBuf::from),
        Some(repo_root().join(".venv/bin/cfn-lint")),
    ];
    for c in candidates.into_iter().flatten() {
        if c.exists() {
            return c;
        }
    }
    panic!("cfn-lint not found: run `make setup` (installs the pinned cfn-lint into .venv)");
}

#[test]
fn every_generated_template_is_clean_under_cfn_lint() {
    let lint = cfn_lint();
    let mut failures = Vec::new();
    let mut linted = 0;
    let all = matrix()
        .into_iter()
        .chain(jit_matrix())
        .map(|(name, text)| (name, text, RegionSupport::vendored()))
        .chain(log_copy_matrix());
    for (name, text, support) in all {
        let config = load(&Source { name: name.into(), text }).unwrap_or_else(|e| panic!("{name}: {e}"));
        let bundle = sessionlog::stacks::build_for(&config, &support);
        let dir = tempfile::tempdir().unwrap();
        // Group templates by their region set: one cfn-lint run per group.
        let mut groups: BTreeMap<Vec<String>, Vec<PathBuf>> = BTreeMap::new();
        for t in bundle.templates() {
            let path = dir.path().join(format!("{}.yaml", t.file_stem));
            std::fs::write(&path, sessionlog::render::template_text(&t.template, sessionlog::render::Format::Yaml)).unwrap();
            groups.entry(t.regions.clone()).or_default().push(path);
        }
        for (regions, files) in groups {
            let out = Command::new(&lint)
                .args(["-c", "I", "--format", "parseable", "--regions"])
                .args(&regions)
                .arg("--")
                .args(&files)
                .output()
                .expect("cfn-lint runs");
            linted += files.len();
            let findings = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
            if !out.status.success() || !findings.trim().is_empty() {
                failures.push(format!("{name} (regions {regions:?}):\n{findings}"));
            }
        }
    }
    println!("cfn-lint -c I: {linted} templates linted, {} with findings", failures.len());
    assert!(linted >= 40, "linted {linted} templates");
    assert!(failures.is_empty(), "cfn-lint findings:\n{}", failures.join("\n"));
}
