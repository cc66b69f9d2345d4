//! The table of configuration errors: each bad input is reported with its key
//! path and line, exits 2, and leaves every existing output file as it was.

mod common;

use common::*;

struct Case {
    name: &'static str,
    /// `(from, to)` edits of the example configuration.
    edits: &'static [(&'static str, &'static str)],
    /// The key path the message must name.
    key: &'static str,
    /// Another fragment the message must contain (what is allowed, a hint).
    says: &'static str,
}

const REGIONS: &str = "regions: [us-east-1, eu-west-1, eu-south-1]";
const NAME: &str = "# name: sessionlog-222222222222-us-east-1   # default: sessionlog-<account>-<region>";
const LOCK: &str = "    # object_lock:                  # write-once-read-many; only for a new bucket\n    #   mode: GOVERNANCE            # GOVERNANCE | COMPLIANCE\n    #   days: 365";

const CASES: &[Case] = &[
    Case { name: "organization id format", edits: &[("id: o-a1b2c3d4e5", "id: org-123")], key: "organization.id", says: "o-a1b2c3d4e5" },
    Case { name: "management account too short", edits: &[("management_account: \"111111111111\"", "management_account: \"11111\"")], key: "organization.management_account", says: "12-digit" },
    Case { name: "account id unquoted", edits: &[("account: \"222222222222\"", "account: 222222222222")], key: "log_archive.account", says: "quotes" },
    Case { name: "home region format", edits: &[("region: us-east-1 ", "region: useast1 ")], key: "log_archive.region", says: "region name" },
    Case { name: "unknown region", edits: &[(REGIONS, "regions: [us-east-1, eu-west-9, eu-south-1]")], key: "regions[1]", says: "did you mean `eu-west-" },
    Case { name: "duplicate region", edits: &[(REGIONS, "regions: [us-east-1, eu-west-1, us-east-1]")], key: "regions[2]", says: "listed twice" },
    Case { name: "no region", edits: &[(REGIONS, "regions: []")], key: "regions", says: "at least 1" },
    Case { name: "region in another partition", edits: &[(REGIONS, "regions: [us-east-1, cn-north-1]")], key: "regions[1]", says: "partition" },
    Case { name: "OU id format", edits: &[("organizational_units: [ou-ab12-cd34ef56]", "organizational_units: [ou-bad]")], key: "targets.organizational_units[0]", says: "organizational unit" },
    Case { name: "excluded account format", edits: &[("exclude_accounts: []", "exclude_accounts: [\"12\"]")], key: "targets.exclude_accounts[0]", says: "12-digit" },
    Case { name: "management account excluded", edits: &[("exclude_accounts: []", "exclude_accounts: [\"111111111111\"]")], key: "targets.exclude_accounts[0]", says: "never" },
    Case { name: "bucket name with capitals", edits: &[(NAME, "name: My_Bucket")], key: "log_archive.bucket.name", says: "lowercase" },
    Case { name: "bucket name with two dots", edits: &[(NAME, "name: my..bucket")], key: "log_archive.bucket.name", says: "adjacent dots" },
    Case { name: "bucket name too long", edits: &[(NAME, "name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")], key: "log_archive.bucket.name", says: "3-63" },
    Case { name: "key layout", edits: &[("keys: single", "keys: double")], key: "log_archive.keys", says: "\"split\"" },
    Case { name: "alias prefix", edits: &[("key_alias_prefix: alias/sessionlog", "key_alias_prefix: sessionlog")], key: "log_archive.key_alias_prefix", says: "alias/" },
    Case { name: "idle timeout zero", edits: &[("idle_session_timeout: 20 ", "idle_session_timeout: 0 ")], key: "session_manager.idle_session_timeout", says: "1 to 60" },
    Case { name: "max duration over a day", edits: &[("max_session_duration: 60 ", "max_session_duration: 1441 ")], key: "session_manager.max_session_duration", says: "1 to 1440" },
    Case { name: "idle longer than max", edits: &[("idle_session_timeout: 20 ", "idle_session_timeout: 50 "), ("max_session_duration: 60 ", "max_session_duration: 30 ")], key: "session_manager.idle_session_timeout", says: "must not exceed" },
    Case { name: "retention not a CloudWatch value", edits: &[("retention_days: 365", "retention_days: 366")], key: "session_manager.cloudwatch.retention_days", says: "3653" },
    Case { name: "retention as text", edits: &[("retention_days: 365", "retention_days: a year")], key: "session_manager.cloudwatch.retention_days", says: "expected a whole number" },
    Case { name: "reserved log group prefix", edits: &[("log_group_name: /sessionlog/session-manager", "log_group_name: /aws/ssm/sessions")], key: "session_manager.cloudwatch.log_group_name", says: "reserved" },
    Case { name: "misspelled top-level key", edits: &[("regions: [", "regoins: [")], key: "regoins", says: "did you mean `regions`" },
    Case { name: "misspelled nested key", edits: &[("streaming: true", "streamming: true")], key: "session_manager.cloudwatch.streamming", says: "did you mean `streaming`" },
    Case { name: "run-as without a user", edits: &[("run_as:\n    enabled: false", "run_as:\n    enabled: true")], key: "session_manager.run_as", says: "default_user" },
    Case { name: "boolean as text", edits: &[("run_as:\n    enabled: false", "run_as:\n    enabled: \"no\"")], key: "session_manager.run_as.enabled", says: "true or false" },
    Case { name: "document mode", edits: &[("document: upsert ", "document: replace ")], key: "session_manager.document", says: "\"upsert\"" },
    Case { name: "object lock mode", edits: &[(LOCK, "    object_lock:\n      mode: FOREVER\n      days: 365")], key: "log_archive.bucket.object_lock.mode", says: "GOVERNANCE" },
    Case { name: "object lock longer than expiry", edits: &[(LOCK, "    object_lock:\n      mode: COMPLIANCE\n      days: 3000")], key: "log_archive.bucket.lifecycle.expire_after_days", says: "Object Lock" },
    Case { name: "transition too early", edits: &[("transition_to: GLACIER_IR ", "transition_to: STANDARD_IA "), ("transition_after_days: 90", "transition_after_days: 10")], key: "log_archive.bucket.lifecycle.transition_after_days", says: "at least 30 days" },
    Case { name: "expiry before transition", edits: &[("expire_after_days: 2557", "expire_after_days: 60")], key: "log_archive.bucket.lifecycle.expire_after_days", says: "greater than transition_after_days" },
    Case { name: "RDP required in a region without it", edits: &[("unsupported_regions: skip", "unsupported_regions: error")], key: "regions[2]", says: "not available in `eu-south-1`" },
    Case { name: "IAM region outside the member regions", edits: &[("attach_to_default_host_management_role: false", "attach_to_default_host_management_role: false\n  region: ap-south-1")], key: "instance_policy.region", says: "not one of `regions`" },
    Case { name: "role name", edits: &[("attach_to_roles: []", "attach_to_roles: [\"my role\"]")], key: "instance_policy.attach_to_roles[0]", says: "IAM role name" },
    Case { name: "call-as", edits: &[("call_as: SELF ", "call_as: ROOT ")], key: "stack_set.call_as", says: "\"DELEGATED_ADMIN\"" },
    Case { name: "percentage over 100", edits: &[("max_concurrent: {percentage: 25}", "max_concurrent: {percentage: 250}")], key: "stack_set.operation_preferences.max_concurrent.percentage", says: "0 to 100" },
    Case { name: "amount with an unknown form", edits: &[("failure_tolerance: {count: 0}", "failure_tolerance: {ratio: 1}")], key: "stack_set.operation_preferences.failure_tolerance", says: "`{count: …}`" },
    Case { name: "strict tolerance with more concurrency", edits: &[("max_concurrent: {percentage: 25}", "max_concurrent: {count: 5}"), ("concurrency_mode: SOFT_FAILURE_TOLERANCE", "concurrency_mode: STRICT_FAILURE_TOLERANCE")], key: "stack_set.operation_preferences.max_concurrent", says: "failure_tolerance + 1" },
    Case { name: "reserved tag key", edits: &[("project: session-logging", "aws:project: session-logging")], key: "tags.aws:project", says: "reserved" },
    Case { name: "shell profile as a list", edits: &[("linux: \"\"", "linux: [a, b]")], key: "session_manager.shell_profile.linux", says: "a string" },
    Case { name: "Config guard without a trail", edits: &[("mode: organization ", "mode: off ")], key: "guardrails.config_guard", says: "no trail to guard" },
    Case { name: "trail mode", edits: &[("mode: organization ", "mode: organisation ")], key: "guardrails.cloudtrail.mode", says: "\"organization\"" },
    Case { name: "trail name", edits: &[("trail: sessionlog-organization ", "trail: -bad-trail ")], key: "guardrails.cloudtrail.trail", says: "trail name" },
    Case { name: "owner of a trail sessionlog creates", edits: &[("# owner: management ", "owner: management ")], key: "guardrails.cloudtrail.owner", says: "only to an existing trail" },
    Case { name: "trail prefix inside the accounts' prefix", edits: &[("key_prefix: cloudtrail ", "key_prefix: accounts/trail ")], key: "guardrails.cloudtrail.key_prefix", says: "overlaps" },
    Case { name: "existing trail guarded without its bucket", edits: &[("mode: organization ", "mode: existing ")], key: "guardrails.cloudtrail", says: "needs `bucket`" },
    Case { name: "existing trail of another account", edits: &[("mode: organization ", "mode: existing "), ("trail: sessionlog-organization ", "trail: arn:aws:cloudtrail:us-east-1:999999999999:trail/org "), ("# bucket: my-trail-bucket ", "bucket: my-trail-bucket "), ("# kms_key_arn: arn:aws:kms:us-east-1:111111111111:key/mrk-...", "kms_key_arn: arn:aws:kms:us-east-1:111111111111:key/mrk-1")], key: "guardrails.cloudtrail.trail", says: "not the management account" },
    Case { name: "guard where Config remediation is missing", edits: &[("# region: us-east-1 ", "region: eu-south-1 ")], key: "guardrails.config_guard", says: "not available in `eu-south-1`" },
    Case { name: "watch without the upsert function", edits: &[("document: upsert ", "document: create ")], key: "guardrails.preferences_watch", says: "upsert" },
    Case { name: "break-glass pattern exempting everyone", edits: &[("break_glass_roles: [] ", "break_glass_roles: [\"*\"] ")], key: "guardrails.scp.break_glass_roles[0]", says: "every role" },
    Case { name: "break-glass pattern with a leading slash", edits: &[("break_glass_roles: [] ", "break_glass_roles: [/admin] ")], key: "guardrails.scp.break_glass_roles[0]", says: "no leading `/`" },
    Case { name: "SCP over the size limit", edits: &[("break_glass_roles: [] ", "break_glass_roles: [EmergencyAccessRoleForIncidentResponseTeamMemberNumber00, EmergencyAccessRoleForIncidentResponseTeamMemberNumber01, EmergencyAccessRoleForIncidentResponseTeamMemberNumber02, EmergencyAccessRoleForIncidentResponseTeamMemberNumber03, EmergencyAccessRoleForIncidentResponseTeamMemberNumber04, EmergencyAccessRoleForIncidentResponseTeamMemberNumber05, EmergencyAccessRoleForIncidentResponseTeamMemberNumber06, EmergencyAccessRoleForIncidentResponseTeamMemberNumber07, EmergencyAccessRoleForIncidentResponseTeamMemberNumber08, EmergencyAccessRoleForIncidentResponseTeamMemberNumber09, EmergencyAccessRoleForIncidentResponseTeamMemberNumber10, EmergencyAccessRoleForIncidentResponseTeamMemberNumber11, EmergencyAccessRoleForIncidentResponseTeamMemberNumber12, EmergencyAccessRoleForIncidentResponseTeamMemberNumber13, EmergencyAccessRoleForIncidentResponseTeamMemberNumber14, EmergencyAccessRoleForIncidentResponseTeamMemberNumber15, EmergencyAccessRoleForIncidentResponseTeamMemberNumber16, EmergencyAccessRoleForIncidentResponseTeamMemberNumber17, EmergencyAccessRoleForIncidentResponseTeamMemberNumber18, EmergencyAccessRoleForIncidentResponseTeamMemberNumber19] ")], key: "guardrails.scp", says: "AWS Organizations allows 5120" },
    Case { name: "YAML syntax", edits: &[(REGIONS, "regions: [us-east-1, eu-west-1")], key: "(top level)", says: "YAML syntax error" },
];

fn line_of(text: &str, stderr: &str, file: &str) -> Option<usize> {
    let marker = format!("{file}:");
    let at = stderr.find(&marker)? + marker.len();
    let line: String = stderr[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
    let n = line.parse().ok()?;
    (n >= 1 && n <= text.lines().count() + 1).then_some(n)
}

#[test]
fn every_bad_input_is_named_located_and_writes_nothing() {
    assert!(CASES.len() >= 25);
    let mut failures = Vec::new();
    for case in CASES {
        let dir = tempfile::tempdir().unwrap();
        // Existing output from a valid configuration.
        let ok = sessionlog(&["render", "--out-dir", dir.path().to_str().unwrap()]);
        assert_eq!(ok.code, 0, "{}", ok.stderr);
        let before = snapshot_dir(dir.path());

        let text = edited(case.edits);
        let cfg = dir.path().join("sessionlog.yaml");
        std::fs::write(&cfg, &text).unwrap();
        let before_with_cfg = {
            let mut b = before.clone();
            b.extend(snapshot_dir(dir.path()).into_iter().filter(|(p, _)| p.ends_with("sessionlog.yaml")));
            b
        };
        let r = sessionlog(&["render", "--config", cfg.to_str().unwrap(), "--out-dir", dir.path().to_str().unwrap()]);
        let file = cfg.display().to_string();
        let problems = [
            (r.code != 2).then(|| format!("exit {} instead of 2", r.code)),
            (!r.stderr.contains(&format!("error: {}:", case.key)) && !r.stderr.contains(&format!("error: {} ", case.key)))
                .then(|| format!("no `error: {}:`", case.key)),
            (!r.stderr.contains(case.says)).then(|| format!("does not say {:?}", case.says)),
            line_of(&text, &r.stderr, &file).is_none().then(|| "no file:line".to_string()),
            (snapshot_dir(dir.path()) != before_with_cfg).then(|| "files changed".to_string()),
        ];
        let problems: Vec<String> = problems.into_iter().flatten().collect();
        if !problems.is_empty() {
            failures.push(format!("{}: {}\n{}", case.name, problems.join("; "), r.stderr));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}

#[test]
fn the_line_reported_is_the_offending_line() {
    let text = edited(&[("retention_days: 365", "retention_days: 366")]);
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    std::fs::write(&cfg, &text).unwrap();
    let r = sessionlog(&["render", "--check", "--config", cfg.to_str().unwrap(), "--out-dir", dir.path().to_str().unwrap()]);
    let line = line_of(&text, &r.stderr, &cfg.display().to_string()).unwrap();
    assert!(text.lines().nth(line - 1).unwrap().contains("retention_days: 366"), "{}", r.stderr);
    assert!(r.stderr.contains("^"), "a caret under the value: {}", r.stderr);
}

#[test]
fn all_problems_are_reported_at_once() {
    let text = edited(&[("retention_days: 365", "retention_days: 366"), ("keys: single", "keys: double"), ("streaming: true", "streamming: true")]);
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    std::fs::write(&cfg, &text).unwrap();
    let r = sessionlog(&["render", "--config", cfg.to_str().unwrap(), "--out-dir", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("(3 problems)"), "{}", r.stderr);
    assert!(std::fs::read_dir(dir.path()).unwrap().count() == 1, "nothing but the config");
}

#[test]
fn missing_and_empty_configurations() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.yaml");
    let r = sessionlog(&["render", "--config", missing.to_str().unwrap(), "--out-dir", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not found") && r.stderr.contains("sessionlog init"), "{}", r.stderr);
    let empty = dir.path().join("empty.yaml");
    std::fs::write(&empty, "# nothing\n").unwrap();
    let r = sessionlog(&["render", "--config", empty.to_str().unwrap(), "--out-dir", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("empty"), "{}", r.stderr);
}
