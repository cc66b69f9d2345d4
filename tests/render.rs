//! `render`, `init`, `schema`: snapshots of the example, determinism, the
//! YAML/JSON semantic round trip, `--check`.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn render_to(dir: &Path, config: Option<&Path>, extra: &[&str]) -> Output {
    let out = dir.to_str().unwrap();
    let mut args = vec!["render", "--out-dir", out];
    let cfg;
    if let Some(c) = config {
        cfg = c.to_str().unwrap().to_string();
        args.extend(["--config", &cfg]);
    }
    args.extend_from_slice(extra);
    sessionlog(&args)
}

fn write_config(dir: &Path, text: &str) -> std::path::PathBuf {
    let p = dir.join("sessionlog.yaml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn example_renders_to_the_committed_files() {
    let tmp = tempfile::tempdir().unwrap();
    let r = render_to(tmp.path(), None, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rendered = snapshot_dir(tmp.path());
    assert_eq!(rendered.len(), 15);
    for (rel, (bytes, _)) in &rendered {
        let name = rel.display().to_string().replace('/', "__");
        insta::assert_snapshot!(name, String::from_utf8(bytes.clone()).unwrap());
        let committed = std::fs::read(repo_root().join(rel)).unwrap_or_default();
        assert!(committed == *bytes, "{} differs from the committed copy: run `make templates`", rel.display());
    }
}

#[test]
fn rendering_is_byte_for_byte_deterministic() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert_eq!(render_to(a.path(), None, &[]).code, 0);
    assert_eq!(render_to(b.path(), None, &[]).code, 0);
    let strip = |m: std::collections::BTreeMap<_, (Vec<u8>, _)>| m.into_iter().map(|(k, v)| (k, v.0)).collect::<Vec<_>>();
    assert_eq!(strip(snapshot_dir(a.path())), strip(snapshot_dir(b.path())));
}

#[test]
fn key_order_and_tag_order_in_the_config_do_not_change_the_output() {
    let cfg_dir = tempfile::tempdir().unwrap();
    // Same content, tags and top-level sections in another order.
    let mut text = edited(&[("tags:\n  project: session-logging\n", "")]);
    text = format!("tags:\n  zeta: last\n  project: session-logging\n{text}");
    let reordered = write_config(cfg_dir.path(), &text);
    let plain_dir = tempfile::tempdir().unwrap();
    let plain = write_config(
        plain_dir.path(),
        &edited(&[("tags:\n  project: session-logging\n", "tags:\n  project: session-logging\n  zeta: last\n")]),
    );
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert_eq!(render_to(a.path(), Some(&reordered), &[]).code, 0);
    assert_eq!(render_to(b.path(), Some(&plain), &[]).code, 0);
    let strip = |m: std::collections::BTreeMap<_, (Vec<u8>, _)>| m.into_iter().map(|(k, v)| (k, v.0)).collect::<Vec<_>>();
    assert_eq!(strip(snapshot_dir(a.path())), strip(snapshot_dir(b.path())));
}

/// Short-form YAML read back into long form equals the JSON rendering.
fn long_form(v: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(&n).unwrap(),
        Y::String(s) => Value::String(s),
        Y::Sequence(s) => Value::Array(s.into_iter().map(long_form).collect()),
        Y::Mapping(m) => Value::Object(
            m.into_iter().map(|(k, v)| (k.as_str().expect("string keys").to_string(), long_form(v))).collect(),
        ),
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let name = tag.trim_start_matches('!');
            let arg = long_form(t.value);
            match name {
                "Ref" => serde_json::json!({ "Ref": arg }),
                "Condition" => serde_json::json!({ "Condition": arg }),
                "GetAtt" => {
                    let s = arg.as_str().expect("GetAtt A.B").to_string();
                    let (a, b) = s.split_once('.').unwrap();
                    serde_json::json!({ "Fn::GetAtt": [a, b] })
                }
                other => serde_json::json!({ format!("Fn::{other}"): arg }),
            }
        }
    }
}

#[test]
fn yaml_and_json_renderings_mean_the_same() {
    let (y, j) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert_eq!(render_to(y.path(), None, &[]).code, 0);
    assert_eq!(render_to(j.path(), None, &["--format", "json"]).code, 0);
    let mut compared = 0;
    for entry in std::fs::read_dir(y.path().join("templates")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let yaml: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let json_path = j.path().join("templates").join(p.file_stem().unwrap()).with_extension("json");
        let json: Value = serde_json::from_str(&std::fs::read_to_string(json_path).unwrap()).unwrap();
        assert_eq!(long_form(yaml), json, "{}", p.display());
        compared += 1;
    }
    assert_eq!(compared, 8);
    // Strings a YAML 1.1 reader would take for dates or numbers stay strings.
    let text = std::fs::read_to_string(y.path().join("templates/log-archive.yaml")).unwrap();
    assert!(text.starts_with("AWSTemplateFormatVersion: '2010-09-09'\n"));
    assert!(text.contains("aws:PrincipalAccount: '222222222222'"));
}

#[test]
fn check_reports_drift_with_a_diff_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(render_to(tmp.path(), None, &[]).code, 0);
    let clean = render_to(tmp.path(), None, &["--check"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);

    let file = tmp.path().join("templates/member-iam.yaml");
    let original = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, original.replace("logs:PutLogEvents", "logs:PutLogEvent")).unwrap();
    std::fs::remove_file(tmp.path().join("stacksets/member-iam.stack-instances.json")).unwrap();
    let before = snapshot_dir(tmp.path());
    let drift = render_to(tmp.path(), None, &["--check"]);
    assert_eq!(drift.code, 3);
    assert!(drift.stdout.contains("--- a/templates/member-iam.yaml"), "{}", drift.stdout);
    assert!(drift.stdout.lines().any(|l| l.starts_with('-') && l.ends_with("- logs:PutLogEvent")), "{}", drift.stdout);
    assert!(drift.stdout.lines().any(|l| l.starts_with('+') && l.ends_with("- logs:PutLogEvents")), "{}", drift.stdout);
    assert!(drift.stdout.contains("+++ b/stacksets/member-iam.stack-instances.json"), "{}", drift.stdout);
    assert!(drift.stderr.contains("2 file(s) differ"), "{}", drift.stderr);
    assert_eq!(before, snapshot_dir(tmp.path()), "--check must not write");
}

#[test]
fn render_removes_files_the_configuration_no_longer_produces() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(render_to(tmp.path(), None, &[]).code, 0);
    assert!(tmp.path().join("templates/member-regional-no-rdp.yaml").exists());
    let cfg = write_config(tmp.path(), &edited(&[("regions: [us-east-1, eu-west-1, eu-south-1]", "regions: [us-east-1, eu-west-1]")]));
    let check = render_to(tmp.path(), Some(&cfg), &["--check"]);
    assert_eq!(check.code, 3);
    assert!(check.stdout.contains("a/templates/member-regional-no-rdp.yaml"), "{}", check.stdout);
    let r = render_to(tmp.path(), Some(&cfg), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("removed obsolete"), "{}", r.stdout);
    assert!(!tmp.path().join("templates/member-regional-no-rdp.yaml").exists());
    assert!(!tmp.path().join("stacksets/member-regional-no-rdp.stack-set.json").exists());
    assert_eq!(render_to(tmp.path(), Some(&cfg), &["--check"]).code, 0);
}

#[test]
fn second_render_touches_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(render_to(tmp.path(), None, &[]).code, 0);
    let before = snapshot_dir(tmp.path());
    let r = render_to(tmp.path(), None, &[]);
    assert!(r.stdout.contains("0 changed"), "{}", r.stdout);
    assert_eq!(before, snapshot_dir(tmp.path()));
}

#[test]
fn init_writes_a_starter_that_renders_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("sessionlog.yaml");
    let p = path.to_str().unwrap();
    let first = sessionlog(&["init", "--output", p]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# yaml-language-server: $schema=sessionlog.schema.json\n"));
    let schema = std::fs::read_to_string(tmp.path().join("sessionlog.schema.json")).unwrap();
    assert_eq!(schema, sessionlog::config::schema::schema_text());
    std::fs::write(&path, "# mine\n").unwrap();
    let second = sessionlog(&["init", "--output", p]);
    assert_eq!(second.code, 2);
    assert!(second.stderr.contains("already exists"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");
}

#[test]
fn schema_command_prints_the_committed_schema_which_accepts_the_example() {
    let r = sessionlog(&["schema"]);
    assert_eq!(r.code, 0);
    let committed = std::fs::read_to_string(repo_root().join("schemas/sessionlog.schema.json")).unwrap();
    assert_eq!(r.stdout, committed, "run `make templates` to refresh schemas/sessionlog.schema.json");
    let schema: Value = serde_json::from_str(&r.stdout).unwrap();
    let example: Value = serde_yaml::from_str(example()).unwrap();
    assert!(jsonschema::validator_for(&schema).unwrap().is_valid(&example));
}

#[test]
fn member_templates_follow_the_facts_that_bite() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(render_to(tmp.path(), None, &["--format", "json"]).code, 0);
    let read = |f: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(tmp.path().join(f)).unwrap()).unwrap() };
    let regional = read("templates/member-regional.json");
    let iam = read("templates/member-iam.json");
    let no_rdp = read("templates/member-regional-no-rdp.json");
    // IAM only in the single-region StackSet (fact 10).
    for t in [&regional, &no_rdp] {
        for (_, r) in t["Resources"].as_object().unwrap() {
            assert_ne!(r["Type"], "AWS::IAM::ManagedPolicy");
        }
    }
    let iam_set = read("stacksets/member-iam.stack-instances.json");
    assert_eq!(iam_set["Regions"], serde_json::json!(["us-east-1"]));
    // RDP recording only where the type exists (fact 2).
    assert!(no_rdp["Resources"].as_object().unwrap().values().all(|r| r["Type"] != "AWS::SSMGuiConnect::Preferences"));
    assert_eq!(read("stacksets/member-regional-no-rdp.stack-instances.json")["Regions"], serde_json::json!(["eu-south-1"]));
    // Region-local key ARNs (fact 3) with the partition (fact 9).
    let rdp = &regional["Resources"]["RdpRecordingPreferences"]["Properties"]["ConnectionRecordingPreferences"]["KMSKeyArn"];
    assert_eq!(rdp["Fn::Sub"], "arn:${AWS::Partition}:kms:${AWS::Region}:222222222222:key/${ArchiveKeyId}");
    // The log group name in the policy is the group created (fact 7).
    let group = regional["Resources"]["SessionLogs"]["Properties"]["LogGroupName"].as_str().unwrap().to_string();
    let policy = serde_json::to_string(&iam["Resources"]["SessionLoggingPolicy"]).unwrap();
    assert!(policy.contains(&format!("log-group:{group}:*")));
    assert!(policy.contains("logs:DescribeLogGroups") && policy.contains("s3:GetEncryptionConfiguration"));
    // Booleans stay booleans in the document (fact 6) even through the custom resource.
    let content = regional["Resources"]["SessionPreferences"]["Properties"]["Content"]["Fn::Sub"].as_str().unwrap();
    assert!(content.contains(r#""s3EncryptionEnabled":true"#) && content.contains(r#""idleSessionTimeout":"20""#));
    // Data resources are retained.
    let archive = read("templates/log-archive.json");
    for id in ["ArchiveKey", "LogBucket"] {
        assert_eq!(archive["Resources"][id]["DeletionPolicy"], "Retain");
        assert_eq!(archive["Resources"][id]["UpdateReplacePolicy"], "Retain");
    }
    assert_eq!(regional["Resources"]["SessionLogs"]["DeletionPolicy"], "Retain");
    // The member log group is created or adopted (fact 11), by a function
    // that may create, encrypt, tag and set the retention of that group only.
    assert_eq!(regional["Resources"]["SessionLogs"]["Type"], "Custom::SessionLogGroup");
    let role = serde_json::to_string(&regional["Resources"]["SessionLogGroupFunctionRole"]["Properties"]["Policies"]).unwrap();
    assert!(role.contains(&format!("log-group:{group}\"")) && role.contains("logs:AssociateKmsKey") && !role.contains("logs:DeleteLogGroup"), "{role}");
    let key = &regional["Resources"]["SessionLogs"]["Properties"]["KmsKeyId"]["Fn::Sub"];
    assert_eq!(key, "arn:${AWS::Partition}:kms:${AWS::Region}:222222222222:key/${ArchiveKeyId}");
}

#[test]
fn templates_with_errors_are_refused_before_anything_is_written() {
    let config = sessionlog::config::load(&sessionlog::config::Source::example()).unwrap();
    let mut bundle = sessionlog::stacks::build(&config);
    let mut err = Vec::new();
    assert!(sessionlog::cli::compile::require_valid(&bundle, sessionlog::render::Format::Yaml, &mut err).is_ok());
    // A bucket that would be deleted with its stack: the validator must stop it.
    let bucket = bundle.archive_stacks[0].template.template.resources.get_mut("LogBucket").unwrap();
    bucket.as_object_mut().unwrap().remove("DeletionPolicy");
    let refused = sessionlog::cli::compile::require_valid(&bundle, sessionlog::render::Format::Yaml, &mut err);
    assert_eq!(refused, Err(3));
    let text = String::from_utf8(err).unwrap();
    assert!(text.contains("templates/log-archive.yaml") && text.contains("nothing was written"), "{text}");
}

#[test]
fn unencrypted_sessions_leave_kms_key_id_empty_and_drop_unused_key_parameters() {
    let text = edited(&[
        ("encrypt_sessions: true", "encrypt_sessions: false"),
        ("cloudwatch:\n    enabled: true", "cloudwatch:\n    enabled: false"),
        ("rdp_recording:\n  enabled: true", "rdp_recording:\n  enabled: false"),
        ("log_copy:\n  enabled: true", "log_copy:\n  enabled: false"),
    ]);
    let config = sessionlog::config::load(&sessionlog::config::Source { name: "t".into(), text }).unwrap();
    let bundle = sessionlog::stacks::build(&config);
    let regional = bundle.stack_sets.iter().find(|s| s.template.file_stem == "member-regional").unwrap();
    assert!(regional.template.template.parameters.is_empty());
    assert!(regional.parameters.is_empty());
    let body = sessionlog::render::template_text(&regional.template.template, sessionlog::render::Format::Json);
    assert!(body.contains(r#"\"kmsKeyId\":\"\""#), "{body}");
}
