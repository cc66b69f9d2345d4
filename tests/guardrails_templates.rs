//! The guardrails' templates (issue 8): what each configuration produces and
//! where. cfn-lint and validate run on them in tests/guardrails_lint.rs.

mod common;

#[path = "guardrails/matrix.rs"]
mod lint;

use common::*;
use serde_json::Value;
use sessionlog::config::{load, Source};
use sessionlog::stacks::guardrails::{guard, management, member_guard, GuardNames, MEMBER_GUARD};

fn config(text: String) -> sessionlog::config::Config {
    load(&Source {
        name: "test".into(),
        text,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn resources(t: &sessionlog::model::Template, type_name: &str) -> Vec<Value> {
    t.to_value()["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == type_name)
        .cloned()
        .collect()
}

fn sids(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(s)) = m.get("Sid") {
                    out.push(s.clone());
                }
                m.values().for_each(|v| walk(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}

#[test]
fn the_example_builds_an_organization_trail_its_guard_and_the_scp_in_the_management_account() {
    let c = config(example().to_string());
    let t = management::template(&c).expect("management-account guardrails");
    let trail = &resources(&t, "AWS::CloudTrail::Trail")[0];
    let p = &trail["Properties"];
    for key in [
        "IsOrganizationTrail",
        "IsMultiRegionTrail",
        "EnableLogFileValidation",
        "IncludeGlobalServiceEvents",
        "IsLogging",
    ] {
        assert_eq!(p[key], true, "{key}");
    }
    assert_eq!(p["S3BucketName"], "sessionlog-222222222222-us-east-1");
    assert_eq!(p["S3KeyPrefix"], "cloudtrail");
    assert_eq!(p["EventSelectors"][0]["IncludeManagementEvents"], true);
    assert_eq!(p["EventSelectors"][0]["ReadWriteType"], "All");
    assert_eq!(
        trail["DeletionPolicy"], "Retain",
        "destroy never stops the audit trail"
    );
    assert_eq!(
        resources(&t, "AWS::Config::ConfigRule")[0]["Properties"]["Source"]["SourceIdentifier"],
        "CLOUD_TRAIL_ENABLED"
    );
    let remediation = &resources(&t, "AWS::Config::RemediationConfiguration")[0]["Properties"];
    assert_eq!(remediation["Automatic"], true);
    assert!(remediation["MaximumAutomaticAttempts"].as_u64().unwrap() <= 25);
    let runbook = &resources(&t, "AWS::SSM::Document")[0]["Properties"];
    assert_eq!(runbook["DocumentType"], "Automation");
    assert_eq!(runbook["Content"]["schemaVersion"], "0.3");
    let scp = &resources(&t, "AWS::Organizations::Policy")[0]["Properties"];
    assert_eq!(scp["Type"], "SERVICE_CONTROL_POLICY");
    assert_eq!(scp["TargetIds"], serde_json::json!(["ou-ab12-cd34ef56"]));
    // The trail's key id is a parameter read from the log-archive stack.
    assert!(t.parameters.contains_key("ArchiveKeyId"));
    // Nothing for member accounts' own trails.
    assert!(member_guard::template(&c).is_none());
    assert!(sessionlog::stacks::build(&c)
        .stack_sets
        .iter()
        .all(|s| !s.name.ends_with(MEMBER_GUARD)));
    // The log archive lets this trail (and only it) write under its prefix.
    let bundle = sessionlog::stacks::build(&c);
    let archive = bundle.archive_stacks[0].template.template.to_value();
    let s = sids(&archive);
    for sid in [
        "CloudTrailAclCheck",
        "CloudTrailWritesOrganizationTrail",
        "CloudTrailEncryptsOrganizationTrail",
        "CloudTrailDescribesKey",
    ] {
        assert!(s.contains(&sid.to_string()), "{sid} missing from {s:?}");
    }
    // The bucket's denies are still there.
    assert!(
        s.contains(&"DenyInsecureTransport".to_string())
            && s.contains(&"DenyDeletesOutsideLogArchiveAccount".to_string())
    );
}

#[test]
fn with_every_guardrail_off_nothing_is_added() {
    let c = config(lint::with_guardrails("", &[]));
    assert!(management::template(&c).is_none());
    let bundle = sessionlog::stacks::build(&c);
    let text = bundle
        .templates()
        .iter()
        .map(|t| t.template.to_value().to_string())
        .collect::<String>();
    for absent in [
        "cloudtrail.amazonaws.com",
        "AWS::Events::Rule",
        // The watch's part of the upsert function (its managed content is
        // there in every configuration: docs/functions.md).
        "\"MANAGED_RDP_PREFERENCES\":",
        "preferences-watch",
        "AWS::Config::",
    ] {
        assert!(
            !text.contains(absent),
            "{absent} appears with every guardrail off"
        );
    }
}

#[test]
fn per_account_trails_get_their_guard_through_a_single_region_stack_set() {
    let c = config(
        lint::matrix()
            .into_iter()
            .find(|(n, _)| n.starts_with("per-account"))
            .unwrap()
            .1,
    );
    let bundle = sessionlog::stacks::build(&c);
    let set = bundle
        .stack_sets
        .iter()
        .find(|s| s.name.ends_with(MEMBER_GUARD))
        .expect("member guard StackSet");
    assert_eq!(set.regions, vec!["eu-west-1".to_string()]);
    let t = &set.template.template;
    let runbook = &resources(t, "AWS::SSM::Document")[0]["Properties"]["Content"];
    let update = &runbook["mainSteps"][0]["inputs"];
    assert_eq!(update["IsOrganizationTrail"], false);
    // An existing trail's own event selectors are left alone.
    assert!(runbook["mainSteps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["inputs"]["Api"] != "PutEventSelectors"));
    let management = management::template(&c).expect("the SCP");
    assert!(resources(&management, "AWS::Config::ConfigRule").is_empty());
    assert!(resources(&management, "AWS::CloudTrail::Trail").is_empty());
}

#[test]
fn the_runbook_is_renamed_when_its_content_changes() {
    let c = config(example().to_string());
    let a = guard::Target::of(&c).unwrap();
    let mut b = guard::Target::of(&c).unwrap();
    b.event_selectors = false;
    assert_ne!(
        guard::runbook_name(&guard::runbook_content(&a)),
        guard::runbook_name(&guard::runbook_content(&b))
    );
    assert_eq!(
        guard::runbook_name(&guard::runbook_content(&a)),
        guard::runbook_name(&guard::runbook_content(&a))
    );
    assert!(guard::runbook_name(&guard::runbook_content(&a)).starts_with("sessionlog-"));
}

#[test]
fn the_watch_is_in_every_member_regional_template_and_rdp_only_where_recording_exists() {
    let c = config(example().to_string());
    let bundle = sessionlog::stacks::build(&c);
    for set in bundle
        .stack_sets
        .iter()
        .filter(|s| s.name.contains("member-regional"))
    {
        let t = &set.template.template;
        let rules = resources(t, "AWS::Events::Rule");
        let with_rdp = !set.name.ends_with("no-rdp");
        assert_eq!(rules.len(), if with_rdp { 2 } else { 1 }, "{}", set.name);
        let pattern = &rules[0]["Properties"]["EventPattern"];
        assert_eq!(
            pattern["detail"]["requestParameters"]["name"][0],
            "SSM-SessionManagerRunShell"
        );
        let permissions = resources(t, "AWS::Lambda::Permission");
        assert_eq!(permissions.len(), rules.len());
        for p in permissions {
            assert_eq!(p["Properties"]["Principal"], "events.amazonaws.com");
            assert!(
                p["Properties"]["SourceArn"]["Fn::GetAtt"][1] == "Arn",
                "scoped by the rule's ARN"
            );
        }
    }
    assert_eq!(GuardNames::new(&c).region(), "us-east-1");
}
