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
const OPERATORS: &str = "operators:\n  policy_name_prefix: sessionlog-operator\n  identity_center:                  # for permission sets; omit without IAM Identity Center\n    instance_arn: arn:aws:sso:::instance/ssoins-1234567890abcdef\n    # region: us-east-1             # where Identity Center is enabled; default: the StackSet admin region\n  profiles:\n    - name: web-operators\n      instance_tags:                # every key must match one of its values (* and ? are wildcards)\n        Team: [web]\n        Environment: [staging, production]\n      # window: {start: 2026-03-01T08:00:00Z, end: 2026-03-01T18:00:00Z}   # UTC\n      rdp: false                    # RDP through Fleet Manager (recorded with rdp_recording)\n      documents: []                 # besides SSM-SessionManagerRunShell; others are NOT logged\n      console: true                 # Session Manager console read permissions\n      permission_set:               # needs identity_center\n        session_hours: 4\n\n";
const PROMPT: &str = "    prompt_tag: Hostname            # the prompt shows this instance tag, read via IMDSv2\n                                    # (needs instance metadata tags on; else the instance id)\n";
const PROFILES: &str = "  profiles:\n    - name: web-operators\n";
const SEVERAL_PROFILES: &str = r#"  profiles:
    - name: web-operators
      instance_tags: {Team: [web], Environment: ["prod-*", staging]}
      window: {start: 2026-03-01T08:00:00Z, end: 2026-03-31T18:00:00Z}
      documents: [AWS-StartPortForwardingSession, AWS-StartSSHSession, AWS-StartInteractiveCommand]
      permission_set: {name: WebOperators, session_hours: 8}
    - name: windows-admins
      instance_tags: {OS: [windows]}
      rdp: true
      console: false
      permission_set: {}
    - name: night-shift
      instance_tags: {"aws:autoscaling:groupName": ["batch-*"]}
      window: {end: 2027-01-01T00:00:00Z}
      documents: [CustomShell]
    - name: unused-old
"#;
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
                ("preferences_watch: true ", "preferences_watch: false "),
            ]),
        ),
        (
            "CloudWatch off, RDP off, two regions",
            edited(&[
                (REGIONS, "regions: [us-east-1, eu-west-1]"),
                ("cloudwatch:\n    enabled: true", "cloudwatch:\n    enabled: false"),
                ("rdp_recording:\n  enabled: true", "rdp_recording:\n  enabled: false"),
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
            ]),
        ),
        (
            "zero operator profiles, no Identity Center, no prompt tag",
            edited(&[(OPERATORS, ""), (PROMPT, "")]),
        ),
        (
            "several operator profiles (RDP, windows, unlogged and custom documents, permission sets in another region), split keys",
            edited(&[
                ("keys: single", "keys: split"),
                ("    # region: us-east-1             # where", "    region: eu-west-1             # where"),
                (PROFILES, SEVERAL_PROFILES),
            ]),
        ),
        (
            "operator with RDP while recording is off and sessions are not encrypted; one region without RDP",
            edited(&[
                (REGIONS, "regions: [ap-northeast-3]"),
                ("rdp_recording:\n  enabled: true", "rdp_recording:\n  enabled: false"),
                ("encrypt_sessions: true", "encrypt_sessions: false"),
                ("      rdp: false ", "      rdp: true "),
            ]),
        ),
        (
            "RDP only: CloudWatch and S3 off",
            edited(&[
                ("cloudwatch:\n    enabled: true", "cloudwatch:\n    enabled: false"),
                ("s3:\n    enabled: true", "s3:\n    enabled: false"),
                ("document: upsert", "document: create"),
                ("preferences_watch: true ", "preferences_watch: false "),
            ]),
        ),
    ]
}

#[test]
fn every_generated_template_is_clean_under_cfn_lint() {
    let lint = cfn_lint();
    let mut failures = Vec::new();
    let mut linted = 0;
    for (name, text) in matrix() {
        let config = load(&Source { name: name.into(), text }).unwrap_or_else(|e| panic!("{name}: {e}"));
        let bundle = sessionlog::stacks::build(&config);
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
    assert!(linted >= 25, "linted {linted} templates");
    assert!(failures.is_empty(), "cfn-lint findings:\n{}", failures.join("\n"));
}
