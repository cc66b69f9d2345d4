//! The guardrails end to end against moto's server (issue 8): `plan` says
//! whether AWS Config records where the guard runs; `deploy` creates the
//! management-account stack after the StackSets — the organization trail
//! (logging, multi-region, to the log archive), the Config rule, the runbook
//! and its role, the SCP attached to the target OU — and redeploys as a
//! no-op; `destroy` detaches and deletes the SCP, removes the guard and
//! keeps the trail logging. What moto cannot show (the remediation
//! configuration, EventBridge delivery of CloudTrail events, SCP
//! enforcement) is proven at the narrowest seam: see tests/deploy/MOTO_NOTES.md.

#[path = "deploy/support.rs"]
mod support;

use serde_json::Value;
use support::*;

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

/// The example, pointed at the moto organization, without the operators'
/// Identity Center stack (a separate seam) and with the preferences watch
/// off (moto cannot run the upsert function: no Lambda without docker).
fn config(org: &Org) -> String {
    let mut text = example_config(org, &REGIONS, 365);
    for (from, to) in [
        ("  identity_center:                  # for permission sets; omit without IAM Identity Center\n    instance_arn: arn:aws:sso:::instance/ssoins-1234567890abcdef\n", ""),
        ("      permission_set:               # needs identity_center\n        session_hours: 4\n", ""),
    ] {
        assert!(text.contains(from), "example changed: {from}");
        text = text.replacen(from, to, 1);
    }
    text
}

fn bundle(org: &Org) -> sessionlog::bundle::Bundle {
    let c = sessionlog::config::load(&sessionlog::config::Source {
        name: "guardrails.yaml".into(),
        text: config(org),
    })
    .unwrap_or_else(|e| panic!("{e}"));
    sessionlog::stacks::build(&c)
}

fn cli(moto: &Server, args: &[&str]) -> Value {
    aws_cli(&moto.url(), args, &[])
}

fn scps(moto: &Server, org: &Org) -> Vec<String> {
    cli(
        moto,
        &[
            "organizations",
            "list-policies-for-target",
            "--target-id",
            &org.workloads,
            "--filter",
            "SERVICE_CONTROL_POLICY",
        ],
    )["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Name"].as_str().unwrap().to_string())
        .collect()
}

/// Whether moto's organization trail is logging.
fn trail_logging(moto: &Server) -> bool {
    cli(moto, &["cloudtrail", "get-trail-status", "--name", "sessionlog-organization"])["IsLogging"] == true
}

fn notes(run: &Run) -> Vec<String> {
    run.events
        .iter()
        .filter(|e| e["event"] == "note")
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guardrails_deploy_after_the_stacksets_redeploy_as_a_no_op_and_destroy_keeps_the_trail() {
    let moto = moto();
    let org = org(&moto.url(), 1);
    let o = opts(&moto.url());
    let b = bundle(&org);
    let stack = b
        .management_stacks
        .iter()
        .find(|s| s.template.file_stem == "management-guardrails")
        .expect("guardrails stack");
    assert_eq!(stack.account, org.management);

    // plan: no configuration recorder yet.
    let mut buf = Vec::new();
    let code = sessionlog::deploy::plan(&b, &o, &mut buf).await.unwrap();
    let p = parse(code, buf);
    assert_eq!(p.code, 0, "{}", p.text);
    let n = notes(&p);
    assert!(
        n.iter().any(
            |t| t.starts_with("warning: AWS Config has no configuration recorder in")
                && t.contains("start-configuration-recorder")
        ),
        "{n:?}"
    );
    assert!(
        p.changes()
            .iter()
            .any(|l| l == "+ AWS::Organizations::Policy SessionLoggingProtection"),
        "{:?}",
        p.changes()
    );
    assert_eq!(p.writes(), 0, "plan writes nothing lasting: {}", p.text);

    // Config recording on: plan says so.
    cli(
        &moto,
        &[
            "configservice",
            "put-configuration-recorder",
            "--configuration-recorder",
            "name=default,roleARN=arn:aws:iam::123456789012:role/config",
        ],
    );
    cli(
        &moto,
        &["s3api", "create-bucket", "--bucket", "config-delivery"],
    );
    cli(
        &moto,
        &[
            "configservice",
            "put-delivery-channel",
            "--delivery-channel",
            "name=default,s3BucketName=config-delivery",
        ],
    );
    cli(
        &moto,
        &[
            "configservice",
            "start-configuration-recorder",
            "--configuration-recorder-name",
            "default",
        ],
    );

    let mut buf = Vec::new();
    let code = sessionlog::deploy::deploy(&b, &o, &mut buf)
        .await
        .unwrap_or_else(|e| panic!("{e:#}\n{}", String::from_utf8_lossy(&buf)));
    let d = parse(code, buf);
    assert_eq!(d.code, 0, "{}", d.text);
    assert!(
        notes(&d)
            .iter()
            .any(|t| t.starts_with("AWS Config is recording in")),
        "{:?}",
        notes(&d)
    );
    // Order: the management stack after every StackSet.
    let steps: Vec<String> = d
        .events
        .iter()
        .filter(|e| e["event"] == "stack" || e["event"] == "operation")
        .map(|e| e.to_string())
        .collect();
    let last_set = steps
        .iter()
        .rposition(|s| s.contains("\"operation\""))
        .unwrap();
    let guard = steps
        .iter()
        .position(|s| s.contains("sessionlog-guardrails"))
        .expect("guardrails stack deployed");
    assert!(guard > last_set, "{steps:#?}");

    // The trail: logging, multi-region, organization, to the archive bucket under its prefix, with the archive key.
    let trails = cli(&moto, &["cloudtrail", "describe-trails"]);
    let trail = &trails["trailList"][0];
    assert_eq!(trail["Name"], "sessionlog-organization");
    assert_eq!(trail["IsMultiRegionTrail"], true);
    assert_eq!(trail["IsOrganizationTrail"], true);
    assert_eq!(trail["LogFileValidationEnabled"], true);
    assert_eq!(
        trail["S3BucketName"],
        format!("sessionlog-{}-us-east-1", org.archive)
    );
    assert_eq!(trail["S3KeyPrefix"], "cloudtrail");
    assert!(
        trail["KmsKeyId"]
            .as_str()
            .unwrap()
            .contains(&format!(":{}:key/", org.archive)),
        "{trail}"
    );
    assert!(trail_logging(&moto), "the organization trail is logging");
    // The guard.
    let rules = cli(
        &moto,
        &[
            "configservice",
            "describe-config-rules",
            "--config-rule-names",
            "sessionlog-cloudtrail-enabled",
        ],
    );
    assert_eq!(
        rules["ConfigRules"][0]["Source"]["SourceIdentifier"],
        "CLOUD_TRAIL_ENABLED"
    );
    let docs = cli(
        &moto,
        &[
            "ssm",
            "list-documents",
            "--filters",
            "Key=DocumentType,Values=Automation",
            "Key=Owner,Values=Self",
        ],
    );
    assert!(
        docs["DocumentIdentifiers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["Name"]
                .as_str()
                .unwrap()
                .starts_with("sessionlog-CloudTrailGuard-")),
        "{docs}"
    );
    let roles = cli(
        &moto,
        &["iam", "list-roles", "--path-prefix", "/sessionlog/"],
    );
    assert_eq!(roles["Roles"].as_array().unwrap().len(), 1, "{roles}");
    // The SCP, attached to the target OU next to FullAWSAccess.
    assert!(
        ["sessionlog-session-logging-protection", "sessionlog-remote-access-logging"]
            .iter()
            .all(|n| scps(&moto, &org).contains(&n.to_string())),
        "{:?}",
        scps(&moto, &org)
    );

    // A second deploy changes nothing.
    let mut buf = Vec::new();
    let code = sessionlog::deploy::deploy(&b, &o, &mut buf).await.unwrap();
    let again = parse(code, buf);
    assert_eq!(again.code, 0, "{}", again.text);
    assert_eq!(again.writes(), 0, "{}", again.text);
    // status lists the stack.
    let mut buf = Vec::new();
    let code = sessionlog::deploy::status(&b, &o, &mut buf).await.unwrap();
    let s = parse(code, buf);
    assert!(
        s.summary()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.to_string().contains("sessionlog-guardrails")),
        "{}",
        s.text
    );

    // destroy: the SCP is detached and deleted, the guard removed, the trail keeps logging.
    let mut buf = Vec::new();
    let code = sessionlog::deploy::destroy(&b, &o, &mut buf).await.unwrap();
    let gone = parse(code, buf);
    assert_eq!(gone.code, 0, "{}", gone.text);
    assert_eq!(scps(&moto, &org), vec!["FullAWSAccess".to_string()]);
    let rules = cli(&moto, &["configservice", "describe-config-rules"]);
    assert!(
        rules["ConfigRules"].as_array().unwrap().is_empty(),
        "{rules}"
    );
    assert!(trail_logging(&moto), "destroy stops nothing that holds logs");

    // Deploy again: the retained trail is adopted (resource import), not
    // created again ("trail already exists"): planned, imported, the same
    // trail, still logging.
    let arn_before = cli(&moto, &["cloudtrail", "describe-trails"])["trailList"][0]["TrailARN"].clone();
    let mut buf = Vec::new();
    let code = sessionlog::deploy::plan(&b, &o, &mut buf).await.unwrap();
    let p = parse(code, buf);
    assert_eq!(p.code, 0, "{}", p.text);
    assert!(
        p.events.iter().any(|e| e["event"] == "adopt"
            && e["stack"] == "sessionlog-guardrails"
            && e["resource_type"] == "AWS::CloudTrail::Trail"
            && e["physical_id"] == "sessionlog-organization"),
        "{}",
        p.text
    );
    let mut buf = Vec::new();
    let code = sessionlog::deploy::deploy(&b, &o, &mut buf)
        .await
        .unwrap_or_else(|e| panic!("{e:#}\n{}", String::from_utf8_lossy(&buf)));
    let again = parse(code, buf);
    assert_eq!(again.code, 0, "{}", again.text);
    assert!(
        again.events.iter().any(|e| e["event"] == "stack"
            && e["stack"] == "sessionlog-guardrails"
            && e["status"] == "IMPORT_COMPLETE"),
        "{}",
        again.text
    );
    let trails = cli(&moto, &["cloudtrail", "describe-trails"]);
    assert_eq!(trails["trailList"].as_array().unwrap().len(), 1, "{trails}");
    assert_eq!(trails["trailList"][0]["TrailARN"], arn_before);
    // FullAWSAccess and sessionlog's two SCPs of the OU.
    let back = scps(&moto, &org);
    assert_eq!(back.len(), 3, "the SCPs are back: {back:?}");
}

/// Per-account trails guarded in every member account (`owner: members`):
/// `plan` reads each target account's AWS Config recorder through
/// `log_archive.access_role` and names the accounts where the guard would
/// evaluate nothing, with what to do; it changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_reads_aws_config_recording_in_every_member_account_for_per_account_trails() {
    let moto = moto();
    let org = org(&moto.url(), 3);
    let o = opts(&moto.url());
    let text = config(&org);
    let start = text.find("guardrails:\n").expect("example has guardrails");
    let end = start + text[start..].find("\ntags:").expect("tags after guardrails");
    let guardrails = format!(
        "guardrails:\n  cloudtrail:\n    mode: existing\n    trail: account-trail\n    owner: members\n    bucket: my-trail-bucket\n    kms_key_arn: arn:aws:kms:us-east-1:{}:key/mrk-0123456789abcdef0123456789abcdef\n  config_guard: true\n",
        org.archive
    );
    let text = format!("{}{}{}", &text[..start], guardrails, &text[end..]);
    let c = sessionlog::config::load(&sessionlog::config::Source { name: "members.yaml".into(), text })
        .unwrap_or_else(|e| panic!("{e}"));
    let b = sessionlog::stacks::build(&c);
    let targets: Vec<&String> = org.members.iter().filter(|m| **m != org.excluded).collect();
    assert!(targets.len() >= 2, "{:?}", org.members);

    // One member account records; one has a stopped recorder; the rest none.
    let recorder = |account: &str, start: bool| {
        let env_owned = assumed_env(&moto.url(), account);
        let env: Vec<(&str, &str)> = env_owned.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        aws_cli(&moto.url(), &["configservice", "put-configuration-recorder", "--configuration-recorder", &format!("name=default,roleARN=arn:aws:iam::{account}:role/config")], &env);
        if start {
            aws_cli(&moto.url(), &["s3api", "create-bucket", "--bucket", &format!("config-{account}")], &env);
            aws_cli(&moto.url(), &["configservice", "put-delivery-channel", "--delivery-channel", &format!("name=default,s3BucketName=config-{account}")], &env);
            aws_cli(&moto.url(), &["configservice", "start-configuration-recorder", "--configuration-recorder-name", "default"], &env);
        }
    };
    recorder(targets[0], true);
    recorder(targets[1], false);

    let mut buf = Vec::new();
    let code = sessionlog::deploy::plan(&b, &o, &mut buf).await.unwrap();
    let p = parse(code, buf);
    assert_eq!(p.code, 0, "{}", p.text);
    assert_eq!(p.writes(), 0, "{}", p.text);
    let n = notes(&p);
    let summary = format!("AWS Config is recording in us-east-1 of 1 of the {} accounts of sessionlog-member-guard", targets.len());
    assert!(n.contains(&summary), "{summary}\n{n:#?}");
    let stopped = n.iter().find(|t| t.contains("recorder is stopped")).unwrap_or_else(|| panic!("{n:#?}"));
    assert!(stopped.contains(targets[1].as_str()) && !stopped.contains(targets[0].as_str()), "{stopped}");
    let none = n.iter().find(|t| t.contains("no configuration recorder")).unwrap_or_else(|| panic!("{n:#?}"));
    for t in &targets[2..] {
        assert!(none.contains(t.as_str()), "{t}: {none}");
    }
    assert!(!none.contains(targets[0].as_str()) && !none.contains(targets[1].as_str()), "{none}");
    assert!(none.contains("start-configuration-recorder"), "{none}");
}
