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

const REGIONS: &str = "regions: [us-east-1, eu-west-1, eu-south-1]";
const LOCK: &str = "    # object_lock:                  # write-once-read-many; only for a new bucket\n    #   mode: GOVERNANCE            # GOVERNANCE | COMPLIANCE\n    #   days: 365";
const COPY_ON: &str = "log_copy:\n  enabled: true";
const COPY_OFF: &str = "log_copy:\n  enabled: false";
const LIFECYCLE: &str = "    lifecycle:\n      transition_to: GLACIER_IR     # STANDARD_IA | ONEZONE_IA | INTELLIGENT_TIERING | GLACIER_IR | GLACIER | DEEP_ARCHIVE\n      transition_after_days: 90\n      expire_after_days: 2557       # seven years\n      noncurrent_expire_after_days: 90\n";

fn matrix() -> Vec<(&'static str, String)> {
    vec![
        ("example: one key, three regions (one without RDP), all on, upsert", example().to_string()),
        (
            "split keys, one region, Object Lock governance, plain document",
            edited(&[
                ("keys: single", "keys: split"),
                (REGIONS, "regions: [us-east-1]"),
                (LOCK, "    object_lock:\n      mode: GOVERNANCE\n      days: 365"),
                ("document: upsert", "document: create"),
            ]),
        ),
        (
            "CloudWatch off, RDP off, two regions",
            edited(&[
                (REGIONS, "regions: [us-east-1, eu-west-1]"),
                ("cloudwatch:\n    enabled: true", "cloudwatch:\n    enabled: false"),
                ("rdp_recording:\n  enabled: true", "rdp_recording:\n  enabled: false"),
                (COPY_ON, COPY_OFF),
            ]),
        ),
        (
            "S3 off, Object Lock compliance, no lifecycle, split keys",
            edited(&[
                ("s3:\n    enabled: true", "s3:\n    enabled: false"),
                (LOCK, "    object_lock:\n      mode: COMPLIANCE\n      days: 30"),
                (LIFECYCLE, ""),
                ("keys: single", "keys: split"),
            ]),
        ),
        (
            "home region outside member regions, run-as, roles + DHMC, exclusions, delegated admin",
            edited(&[
                (REGIONS, "regions: [eu-west-1, ap-southeast-3, ap-northeast-1]"),
                ("run_as:\n    enabled: false\n    # default_user: ssm-user", "run_as:\n    enabled: true\n    default_user: ssm-user"),
                ("attach_to_roles: []", "attach_to_roles: [EC2SessionRole]"),
                ("attach_to_default_host_management_role: false", "attach_to_default_host_management_role: true"),
                ("exclude_accounts: []", "exclude_accounts: [\"333333333333\"]"),
                ("call_as: SELF", "call_as: DELEGATED_ADMIN"),
            ]),
        ),
        (
            "only a region without RDP, S3 off, CloudWatch on without streaming",
            edited(&[
                (REGIONS, "regions: [ap-northeast-3]"),
                ("s3:\n    enabled: true", "s3:\n    enabled: false"),
                ("streaming: true", "streaming: false"),
            ]),
        ),
        (
            "split keys, CloudWatch off, sessions not encrypted, RDP off",
            edited(&[
                ("keys: single", "keys: split"),
                ("cloudwatch:\n    enabled: true", "cloudwatch:\n    enabled: false"),
                ("encrypt_sessions: true", "encrypt_sessions: false"),
                ("rdp_recording:\n  enabled: true", "rdp_recording:\n  enabled: false"),
                (COPY_ON, COPY_OFF),
            ]),
        ),
        (
            "RDP only: CloudWatch and S3 off",
            edited(&[
                ("cloudwatch:\n    enabled: true", "cloudwatch:\n    enabled: false"),
                ("s3:\n    enabled: true", "s3:\n    enabled: false"),
                ("document: upsert", "document: create"),
                (COPY_ON, COPY_OFF),
            ]),
        ),
    ]
}

/// The log copy (issue 9): on and off, one and several regions, and regions
/// without one of its types. The vendored data has the three types in every
/// region, so those regions are pretended (`RegionSupport`), which puts the
/// `-no-copy` templates through cfn-lint for real regions.
fn log_copy_matrix() -> Vec<(&'static str, String, RegionSupport)> {
    let vendored = RegionSupport::vendored();
    vec![
        ("log copy off, one region", edited(&[(COPY_ON, COPY_OFF), (REGIONS, "regions: [us-east-1]")]), vendored),
        ("log copy on, one region, split keys, other buffering", edited(&[(REGIONS, "regions: [us-east-1]"), ("keys: single", "keys: split"), ("buffer_size_mb: 64", "buffer_size_mb: 128"), ("buffer_interval_seconds: 300", "buffer_interval_seconds: 900"), ("filter_pattern: \"\"", "filter_pattern: \"?ERROR ?WARN\"")]), vendored),
        (
            "log copy on, eu-west-1 pretended without Firehose: replica and member templates without the copy",
            example().to_string(),
            RegionSupport { log_copy: |r| r != "eu-west-1", ..vendored },
        ),
        (
            "log copy on, the home region and a region without RDP pretended without the copy's types",
            example().to_string(),
            RegionSupport { log_copy: |r| r != "us-east-1" && r != "eu-south-1", ..vendored },
        ),
    ]
}

#[test]
fn every_generated_template_is_clean_under_cfn_lint() {
    let lint = cfn_lint();
    let mut failures = Vec::new();
    let mut linted = 0;
    let all = matrix().into_iter().map(|(name, text)| (name, text, RegionSupport::vendored())).chain(log_copy_matrix());
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
