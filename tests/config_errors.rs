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
const LOCK: &str = "    object_lock:                    # write-once-read-many: on by default\n      mode: GOVERNANCE              # GOVERNANCE (only exempt log-archive roles may bypass) | COMPLIANCE (nobody, not even root) | OFF\n      days: 365";
const WINDOW: &str = "# window: {start: 2026-03-01T08:00:00Z, end: 2026-03-01T18:00:00Z}   # UTC";
const DOCUMENTS: &str = "documents: []                 # besides";
const ON_CALL_NETWORKS: &str = "        - 198.51.100.0/24\n";
const ON_CALL_GROUPS: &str = "groups: [34688438-1061-702c-a03d-1fa788dccfd1]";
const ON_CALL_AUTO: &str = "approval: auto              # auto | manual";
const IDENTITY_CENTER: &str = "  identity_center:                  # for permission sets; omit without IAM Identity Center\n    instance_arn: arn:aws:sso:::instance/ssoins-1234567890abcdef\n";

const CASES: &[Case] = &[
    Case { name: "source network not a CIDR", edits: &[(ON_CALL_NETWORKS, "        - 198.51.100.300/24\n")], key: "operators.profiles[1].source_networks[0]", says: "not an IPv4 or IPv6 address" },
    Case { name: "source network with host bits", edits: &[(ON_CALL_NETWORKS, "        - 198.51.100.7/24\n")], key: "operators.profiles[1].source_networks[0]", says: "198.51.100.0/24" },
    Case { name: "source network without prefix", edits: &[(ON_CALL_NETWORKS, "        - 198.51.100.7\n")], key: "operators.profiles[1].source_networks[0]", says: "/32" },
    Case { name: "VPC endpoint id malformed", edits: &[("        - vpce-0123456789abcdef0\n", "        - vpce-XYZ\n")], key: "operators.profiles[1].source_networks[1]", says: "hex" },
    Case { name: "Identity Store group id of the wrong form", edits: &[(ON_CALL_GROUPS, "groups: [OnCallGroup]")], key: "operators.profiles[1].jit.groups[0]", says: "Identity Store group" },
    Case { name: "manual profile without approvers", edits: &[(ON_CALL_AUTO, "approval: manual            # auto | manual")], key: "operators.profiles[1].jit", says: "no approvers" },
    Case { name: "auto profile without groups", edits: &[(ON_CALL_GROUPS, "groups: []")], key: "operators.profiles[1].jit.groups", says: "names no group" },
    Case { name: "jit access without jit settings", edits: &[("      jit:\n        approval: auto              # auto | manual (manual: approvers, levels; see docs/jit.md)\n        groups: [34688438-1061-702c-a03d-1fa788dccfd1]   # Identity Store group ids\n", "")], key: "operators.profiles[1].access", says: "without `jit` settings" },
    Case { name: "jit settings on a standing profile", edits: &[("access: jit ", "access: standing ")], key: "operators.profiles[1].jit", says: "access: standing" },
    Case { name: "access mode misspelled", edits: &[("access: jit ", "access: jitt ")], key: "operators.profiles[1].access", says: "\"jit\"" },
    Case { name: "question-mark wildcard in a just-in-time profile", edits: &[("        Environment: [production]\n      access: jit", "        Environment: [\"prod?\"]\n      access: jit")], key: "operators.profiles[1].instance_tags.Environment[0]", says: "Cedar" },
    Case { name: "overlapping manual profiles", edits: &[(ON_CALL_AUTO, "approval: manual            # auto | manual"), (ON_CALL_GROUPS, "approvers: [[34688438-1061-702c-a03d-1fa788dccfd1]]"), ("        - vpce-0123456789abcdef0\n", "        - vpce-0123456789abcdef0\n    - name: second\n      instance_tags: {Environment: [production]}\n      access: jit\n      jit: {approval: manual, approvers: [[34688438-1061-702c-a03d-1fa788dccfd2]]}\n")], key: "operators.profiles[2].jit", says: "can match the same instance" },
    Case { name: "too many approvers in a level", edits: &[(ON_CALL_AUTO, "approval: manual            # auto | manual"), (ON_CALL_GROUPS, "approvers: [[34688438-1061-702c-a03d-1fa788dcc001, 34688438-1061-702c-a03d-1fa788dcc002, 34688438-1061-702c-a03d-1fa788dcc003, 34688438-1061-702c-a03d-1fa788dcc004, 34688438-1061-702c-a03d-1fa788dcc005, 34688438-1061-702c-a03d-1fa788dcc006]]")], key: "operators.profiles[1].jit.approvers[0]", says: "1 to 5" },
    Case { name: "deny-access rule with a bad group id", edits: &[("      - instance_tags: {DataClassification: [restricted]}\n", "      - instance_tags: {DataClassification: [restricted]}\n        groups: [interns]\n")], key: "operators.jit.deny_access[0].groups[0]", says: "Identity Store group" },
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
    Case { name: "noncurrent versions kept shorter than current ones", edits: &[("noncurrent_expire_after_days: 2557", "noncurrent_expire_after_days: 90")], key: "log_archive.bucket.lifecycle.noncurrent_expire_after_days", says: "at least expire_after_days (2557)" },
    Case { name: "noncurrent versions expire, current ones never", edits: &[("      expire_after_days: 2557       # seven years\n", "")], key: "log_archive.bucket.lifecycle.noncurrent_expire_after_days", says: "current objects never expire" },
    Case { name: "expiry before transition", edits: &[("expire_after_days: 2557", "expire_after_days: 60")], key: "log_archive.bucket.lifecycle.expire_after_days", says: "greater than transition_after_days" },
    Case { name: "RDP required in a region without it", edits: &[("unsupported_regions: skip", "unsupported_regions: error")], key: "regions[2]", says: "not available in `eu-south-1`" },
    Case { name: "IAM region outside the member regions", edits: &[("attach_to_default_host_management_role: false", "attach_to_default_host_management_role: false\n  region: ap-south-1")], key: "instance_policy.region", says: "not one of `regions`" },
    Case { name: "role name", edits: &[("attach_to_roles: []", "attach_to_roles: [\"my role\"]")], key: "instance_policy.attach_to_roles[0]", says: "IAM role name" },
    Case { name: "call-as", edits: &[("call_as: SELF ", "call_as: ROOT ")], key: "stack_set.call_as", says: "\"DELEGATED_ADMIN\"" },
    Case { name: "percentage over 100", edits: &[("max_concurrent: {percentage: 100}", "max_concurrent: {percentage: 250}")], key: "stack_set.operation_preferences.max_concurrent.percentage", says: "0 to 100" },
    Case { name: "amount with an unknown form", edits: &[("failure_tolerance: {count: 0}", "failure_tolerance: {ratio: 1}")], key: "stack_set.operation_preferences.failure_tolerance", says: "`{count: …}`" },
    Case { name: "strict tolerance with more concurrency", edits: &[("max_concurrent: {percentage: 100}", "max_concurrent: {count: 5}"), ("concurrency_mode: SOFT_FAILURE_TOLERANCE", "concurrency_mode: STRICT_FAILURE_TOLERANCE")], key: "stack_set.operation_preferences.max_concurrent", says: "failure_tolerance + 1" },
    Case { name: "reserved tag key", edits: &[("project: session-logging", "aws:project: session-logging")], key: "tags.aws:project", says: "reserved" },
    Case { name: "shell profile as a list", edits: &[("linux: \"\"", "linux: [a, b]")], key: "session_manager.shell_profile.linux", says: "a string" },
    Case { name: "Config guard without a trail", edits: &[("mode: organization ", "mode: off ")], key: "guardrails.config_guard", says: "no trail to guard" },
    Case { name: "trail mode", edits: &[("mode: organization ", "mode: organisation ")], key: "guardrails.cloudtrail.mode", says: "\"organization\"" },
    Case { name: "trail name", edits: &[("trail: sessionlog-organization ", "trail: -bad-trail ")], key: "guardrails.cloudtrail.trail", says: "trail name" },
    Case { name: "owner of a trail sessionlog creates", edits: &[("# owner: management ", "owner: management ")], key: "guardrails.cloudtrail.owner", says: "only to an existing trail" },
    Case { name: "trail prefix inside the accounts' prefix", edits: &[("key_prefix: cloudtrail ", "key_prefix: accounts/trail ")], key: "guardrails.cloudtrail.key_prefix", says: "overlaps" },
    Case { name: "existing trail guarded without its bucket", edits: &[("mode: organization ", "mode: existing ")], key: "guardrails.cloudtrail", says: "needs `bucket`" },
    Case { name: "existing trail of another account", edits: &[("mode: organization ", "mode: existing "), ("trail: sessionlog-organization ", "trail: arn:aws:cloudtrail:us-east-1:999999999999:trail/org "), ("# bucket: my-trail-bucket ", "bucket: my-trail-bucket "), ("# kms_key_arn: arn:aws:kms:us-east-1:111111111111:key/mrk-...", "kms_key_arn: arn:aws:kms:us-east-1:111111111111:key/mrk-1")], key: "guardrails.cloudtrail.trail", says: "not the management account" },
    Case { name: "guard where Config remediation is missing", edits: &[("# region: us-east-1               # management-account", "region: eu-south-1               # management-account")], key: "guardrails.config_guard", says: "not available in `eu-south-1`" },
    Case { name: "watch without the upsert function", edits: &[("document: upsert ", "document: create ")], key: "guardrails.preferences_watch", says: "upsert" },
    Case { name: "break-glass pattern exempting everyone", edits: &[("break_glass_roles: [] ", "break_glass_roles: [\"*\"] ")], key: "guardrails.scp.break_glass_roles[0]", says: "every role" },
    Case { name: "break-glass pattern with a leading slash", edits: &[("break_glass_roles: [] ", "break_glass_roles: [/admin] ")], key: "guardrails.scp.break_glass_roles[0]", says: "no leading `/`" },
    Case { name: "SCP over the size limit", edits: &[("break_glass_roles: [] ", "break_glass_roles: [EmergencyAccessRoleForIncidentResponseTeamMemberNumber00, EmergencyAccessRoleForIncidentResponseTeamMemberNumber01, EmergencyAccessRoleForIncidentResponseTeamMemberNumber02, EmergencyAccessRoleForIncidentResponseTeamMemberNumber03, EmergencyAccessRoleForIncidentResponseTeamMemberNumber04, EmergencyAccessRoleForIncidentResponseTeamMemberNumber05, EmergencyAccessRoleForIncidentResponseTeamMemberNumber06, EmergencyAccessRoleForIncidentResponseTeamMemberNumber07, EmergencyAccessRoleForIncidentResponseTeamMemberNumber08, EmergencyAccessRoleForIncidentResponseTeamMemberNumber09, EmergencyAccessRoleForIncidentResponseTeamMemberNumber10, EmergencyAccessRoleForIncidentResponseTeamMemberNumber11, EmergencyAccessRoleForIncidentResponseTeamMemberNumber12, EmergencyAccessRoleForIncidentResponseTeamMemberNumber13, EmergencyAccessRoleForIncidentResponseTeamMemberNumber14, EmergencyAccessRoleForIncidentResponseTeamMemberNumber15, EmergencyAccessRoleForIncidentResponseTeamMemberNumber16, EmergencyAccessRoleForIncidentResponseTeamMemberNumber17, EmergencyAccessRoleForIncidentResponseTeamMemberNumber18, EmergencyAccessRoleForIncidentResponseTeamMemberNumber19] ")], key: "guardrails.scp", says: "AWS Organizations allows 5120" },
    Case { name: "operator document the remote-access SCP denies", edits: &[("documents: []                 # besides", "documents: [AWS-StartSSHSession] # besides")], key: "operators.profiles[0].documents[0]", says: "remote-access SCP denies" },
    Case { name: "the logged document listed as unlogged", edits: &[("      session_documents: []", "      session_documents: [SSM-SessionManagerRunShell]")], key: "guardrails.scp.unlogged_access.session_documents[0]", says: "always allowed" },
    Case { name: "unlogged document listed twice", edits: &[("      session_documents: []", "      session_documents: [AWS-StartSSHSession, AWS-StartSSHSession]")], key: "guardrails.scp.unlogged_access.session_documents[1]", says: "twice" },
    Case { name: "break-glass role naming sessionlog's own roles", edits: &[("break_glass_roles: [] ", "break_glass_roles: [sessionlog/admin] ")], key: "guardrails.scp.break_glass_roles[0]", says: "exempt already" },
    Case { name: "log-archive break-glass roles without its SCP", edits: &[("    scp: true                       # only log_archive", "    scp: false                      # only log_archive"), ("    break_glass_roles: []\n    alarm:", "    break_glass_roles: [ArchiveBreakGlass]\n    alarm:")], key: "guardrails.log_archive.break_glass_roles", says: "exempt nothing" },
    Case { name: "alarm email that is not an address", edits: &[("alarm_emails: []", "alarm_emails: [security-team]")], key: "guardrails.log_archive.alarm_emails[0]", says: "email address" },
    Case { name: "alarm emails without the alarm", edits: &[("    alarm: true ", "    alarm: false "), ("alarm_emails: []", "alarm_emails: [security@example.com]")], key: "guardrails.log_archive.alarm_emails", says: "receive nothing" },
    Case { name: "object lock mode unknown", edits: &[("      mode: GOVERNANCE              # GOVERNANCE (only", "      mode: WORM                    # GOVERNANCE (only")], key: "log_archive.bucket.object_lock.mode", says: "OFF" },
    Case { name: "instance tag key with a bad character", edits: &[("Team: [web]", "\"Te$m\": [web]")], key: "operators.profiles[0].instance_tags.Te$m", says: "tag key" },
    Case { name: "instance tag key with a wildcard", edits: &[("Team: [web]", "\"Team*\": [web]")], key: "operators.profiles[0].instance_tags.Team*", says: "tag key" },
    Case { name: "instance tag value with a bad character", edits: &[("Team: [web]", "Team: [\"web;prod\"]")], key: "operators.profiles[0].instance_tags.Team[0]", says: "tag value" },
    Case { name: "instance tag without values", edits: &[("Team: [web]", "Team: []")], key: "operators.profiles[0].instance_tags.Team", says: "at least 1" },
    Case { name: "instance tag value listed twice", edits: &[("Team: [web]", "Team: [web, web]")], key: "operators.profiles[0].instance_tags.Team[1]", says: "listed twice" },
    Case { name: "profile without instance tags", edits: &[("      instance_tags:                # every key must match one of its values (* and ? are wildcards)\n        Team: [web]\n        Environment: [staging, production]\n", "      instance_tags: {}\n")], key: "operators.profiles[0].instance_tags", says: "at least 1 key" },
    Case { name: "window time not ISO 8601 UTC", edits: &[(WINDOW, "window: {start: \"2026-03-01 08:00\"}")], key: "operators.profiles[0].window.start", says: "ISO 8601 UTC" },
    Case { name: "window time that does not exist", edits: &[(WINDOW, "window: {start: 2026-02-30T08:00:00Z}")], key: "operators.profiles[0].window.start", says: "28 days" },
    Case { name: "window hour 24", edits: &[(WINDOW, "window: {end: 2026-03-01T24:00:00Z}")], key: "operators.profiles[0].window.end", says: "hours run 00-23" },
    Case { name: "inverted window", edits: &[(WINDOW, "window: {start: 2026-03-01T18:00:00Z, end: 2026-03-01T08:00:00Z}")], key: "operators.profiles[0].window.end", says: "before or when it starts" },
    Case { name: "empty window", edits: &[(WINDOW, "window: {}")], key: "operators.profiles[0].window", says: "neither `start` nor `end`" },
    Case { name: "misspelled AWS session document", edits: &[(DOCUMENTS, "documents: [AWS-StartSSHSesion] # besides")], key: "operators.profiles[0].documents[0]", says: "did you mean `AWS-StartSSHSession`" },
    Case { name: "command document is no session document", edits: &[(DOCUMENTS, "documents: [AWS-RunShellScript] # besides")], key: "operators.profiles[0].documents[0]", says: "not an AWS session document" },
    Case { name: "wildcard session document", edits: &[(DOCUMENTS, "documents: [\"AWS-Start*\"] # besides")], key: "operators.profiles[0].documents[0]", says: "no wildcards" },
    Case { name: "logged shell document listed", edits: &[(DOCUMENTS, "documents: [SSM-SessionManagerRunShell] # besides")], key: "operators.profiles[0].documents[0]", says: "always allowed" },
    Case { name: "session document listed twice", edits: &[(DOCUMENTS, "documents: [AWS-StartSSHSession, AWS-StartSSHSession] # besides")], key: "operators.profiles[0].documents[1]", says: "listed twice" },
    Case { name: "profile name with capitals", edits: &[("- name: web-operators", "- name: Web-Operators")], key: "operators.profiles[0].name", says: "lowercase" },
    Case { name: "duplicate profile names", edits: &[("      permission_set:               # needs identity_center\n        session_hours: 4\n", "      permission_set:               # needs identity_center\n        session_hours: 4\n    - name: web-operators\n      instance_tags: {Team: [db]}\n")], key: "operators.profiles[1].name", says: "listed twice" },
    Case { name: "profile names giving one resource id", edits: &[("      permission_set:               # needs identity_center\n        session_hours: 4\n", "      permission_set:               # needs identity_center\n        session_hours: 4\n    - name: web-1\n      instance_tags: {Team: [db]}\n    - name: web1\n      instance_tags: {Team: [db]}\n")], key: "operators.profiles[2].name", says: "same template resource id" },
    Case { name: "operator policy named like the instance policy", edits: &[("name: sessionlog-session-logging", "name: sessionlog-operator-web-operators")], key: "operators.profiles[0].name", says: "instance policy" },
    Case { name: "permission set without Identity Center", edits: &[(IDENTITY_CENTER, "")], key: "operators.profiles[0].permission_set", says: "identity_center.instance_arn" },
    Case { name: "Identity Center instance ARN", edits: &[("instance_arn: arn:aws:sso:::instance/ssoins-1234567890abcdef", "instance_arn: arn:aws:sso:::instance/bad")], key: "operators.identity_center.instance_arn", says: "Identity Center instance ARN" },
    Case { name: "Identity Center in another partition", edits: &[("instance_arn: arn:aws:sso:::instance/ssoins-1234567890abcdef", "instance_arn: arn:aws-cn:sso:::instance/ssoins-1234567890abcdef")], key: "operators.identity_center.instance_arn", says: "partition" },
    Case { name: "Identity Center region unknown", edits: &[("# region: us-east-1             # where", "region: us-east-9             # where")], key: "operators.identity_center.region", says: "unknown region" },
    Case { name: "permission set session too long", edits: &[("session_hours: 4", "session_hours: 13")], key: "operators.profiles[0].permission_set.session_hours", says: "1 to 12" },
    Case { name: "prompt tag with a slash", edits: &[("prompt_tag: Hostname", "prompt_tag: Host/name")], key: "session_manager.shell_profile.prompt_tag", says: "instance metadata" },
    Case { name: "prompt tag metadata cannot serve", edits: &[("prompt_tag: Hostname", "prompt_tag: _index")], key: "session_manager.shell_profile.prompt_tag", says: "cannot be read from instance metadata" },
    Case { name: "log copy without CloudWatch", edits: &[("cloudwatch:\n    enabled: true", "cloudwatch:\n    enabled: false")], key: "log_copy.enabled", says: "session_manager.cloudwatch is off" },
    Case { name: "log copy under the instances' prefix", edits: &[("key_prefix: cloudwatch ", "key_prefix: session-manager ")], key: "log_copy.key_prefix", says: "the instances" },
    Case { name: "bucket prefix with a `..` segment", edits: &[("key_prefix: accounts ", "key_prefix: logs/../accounts ")], key: "log_archive.bucket.key_prefix", says: "`..`" },
    Case { name: "bucket prefix with an empty segment", edits: &[("key_prefix: accounts ", "key_prefix: logs//accounts ")], key: "log_archive.bucket.key_prefix", says: "no empty segment" },
    Case { name: "bucket prefix with a trailing slash", edits: &[("key_prefix: accounts ", "key_prefix: accounts/ ")], key: "log_archive.bucket.key_prefix", says: "no empty segment" },
    Case { name: "session prefix `..`", edits: &[("key_prefix: session-manager ", "key_prefix: \"..\" ")], key: "session_manager.s3.key_prefix", says: "`..`" },
    Case { name: "session prefix empty", edits: &[("key_prefix: session-manager ", "key_prefix: \"\" ")], key: "session_manager.s3.key_prefix", says: "not empty" },
    Case { name: "log copy prefix `..`", edits: &[("key_prefix: cloudwatch ", "key_prefix: \"..\" ")], key: "log_copy.key_prefix", says: "`..`" },
    Case { name: "log copy prefix with a slash", edits: &[("key_prefix: cloudwatch ", "key_prefix: cloud/watch ")], key: "log_copy.key_prefix", says: "no `/`" },
    Case { name: "trail prefix with a `..` segment", edits: &[("key_prefix: cloudtrail ", "key_prefix: cloudtrail/.. ")], key: "guardrails.cloudtrail.key_prefix", says: "`..`" },
    Case { name: "trail prefix with an empty segment", edits: &[("key_prefix: cloudtrail ", "key_prefix: /cloudtrail ")], key: "guardrails.cloudtrail.key_prefix", says: "no empty segment" },
    Case { name: "log copy buffer below Firehose's minimum", edits: &[("buffer_size_mb: 64 ", "buffer_size_mb: 5 ")], key: "log_copy.buffer_size_mb", says: "64 to 128" },
    Case { name: "log copy buffer interval zero", edits: &[("buffer_interval_seconds: 300", "buffer_interval_seconds: 0")], key: "log_copy.buffer_interval_seconds", says: "60 to 900" },
    Case { name: "log copy name with a space", edits: &[("name: sessionlog-session-logs ", "name: session logs ")], key: "log_copy.name", says: "Firehose stream name" },
    Case { name: "log copy error-log retention", edits: &[("error_log_retention_days: 90", "error_log_retention_days: 100")], key: "log_copy.error_log_retention_days", says: "3653" },
    Case { name: "Athena database name with capitals", edits: &[("database: sessionlog ", "database: Session-Log ")], key: "log_archive.athena.database", says: "Glue database name" },
    Case { name: "Athena workgroup name with a space", edits: &[("workgroup: sessionlog ", "workgroup: session log ")], key: "log_archive.athena.workgroup", says: "Athena workgroup name" },
    Case { name: "Athena results among the accounts' logs", edits: &[("results_prefix: athena-results", "results_prefix: accounts")], key: "log_archive.athena.results_prefix", says: "log_archive.bucket.key_prefix" },
    Case { name: "Athena results among the trail's logs", edits: &[("results_prefix: athena-results", "results_prefix: cloudtrail")], key: "log_archive.athena.results_prefix", says: "guardrails.cloudtrail.key_prefix" },
    Case { name: "Athena start not a day of the calendar", edits: &[("start: 2026-01-01 ", "start: 2026-02-30 ")], key: "log_archive.athena.start", says: "not a day of the calendar" },
    Case { name: "Athena start in another format", edits: &[("start: 2026-01-01 ", "start: 01/01/2026 ")], key: "log_archive.athena.start", says: "like `2026-01-01`" },
    Case { name: "Athena account listed twice", edits: &[("accounts: []  ", "accounts: [\"444455556666\", \"444455556666\"]  ")], key: "log_archive.athena.accounts[1]", says: "listed twice" },
    Case { name: "Athena account format", edits: &[("accounts: []  ", "accounts: [\"4444\"]  ")], key: "log_archive.athena.accounts[0]", says: "12-digit" },
    Case { name: "Athena auditor trusted principal format", edits: &[("trusted_principals: [] ", "trusted_principals: [somebody] ")], key: "log_archive.athena.auditor_role.trusted_principals[0]", says: "role or user ARN" },
    Case { name: "Athena auditor role name", edits: &[("name: sessionlog-auditor ", "name: sessionlog auditor ")], key: "log_archive.athena.auditor_role.name", says: "IAM role name" },
    Case { name: "Athena with nothing to query", edits: &[("mode: organization ", "mode: \"off\" "), ("config_guard: true ", "config_guard: false "), ("s3:\n    enabled: true", "s3:\n    enabled: false"), ("cloudwatch:\n    enabled: true", "cloudwatch:\n    enabled: false"), ("log_copy:\n  enabled: true", "log_copy:\n  enabled: false")], key: "log_archive.athena.enabled", says: "nothing in the archive to query" },
    Case { name: "YAML syntax", edits: &[(REGIONS, "regions: [us-east-1, eu-west-1")], key: "(top level)", says: "YAML syntax error" },
    Case { name: "log archive is the management account", edits: &[("account: \"222222222222\"", "account: \"111111111111\"")], key: "log_archive.account", says: "management account" },
    Case { name: "key written twice", edits: &[("keys: single ", "keys: single\n  keys: split ")], key: "log_archive.keys", says: "written twice in this mapping: lines 16 and 17" },
    Case { name: "top-level section written twice", edits: &[("tags:\n  project: session-logging", "tags:\n  project: session-logging\ntags: {}")], key: "tags", says: "written twice" },
    Case { name: "YAML tag", edits: &[("region: us-east-1 ", "region: !Ref us-east-1 ")], key: "log_archive.region", says: "unknown tag `!Ref`" },
    Case { name: "pre-processor YAML tag", edits: &[("region: us-east-1 ", "region: !Rain::Constant us-east-1 ")], key: "log_archive.region", says: "unknown tag `!Rain::Constant`" },
    Case { name: "merge key of a scalar", edits: &[("  operation_preferences:\n", "  operation_preferences:\n    <<: 5\n")], key: "(top level)", says: "merge key" },
    Case { name: "YAML alias bomb", edits: &[("tags:\n  project: session-logging", ALIAS_BOMB)], key: "(top level)", says: "alias bomb" },
];

/// A few hundred bytes that expand to 10⁹ values if aliases are expanded
/// without a limit.
const ALIAS_BOMB: &str = "bomb:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n  h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n  i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]";

fn line_of(text: &str, stderr: &str, file: &str) -> Option<usize> {
    let marker = format!("{file}:");
    let at = stderr.find(&marker)? + marker.len();
    let line: String = stderr[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
    let n = line.parse().ok()?;
    (n >= 1 && n <= text.lines().count() + 1).then_some(n)
}

/// Configuration files whose bytes are not text: `(name, bytes, key, says)`.
/// The example with one byte that is not UTF-8 put on line 16.
fn byte_cases() -> Vec<(&'static str, Vec<u8>, &'static str, String)> {
    let example = edited(&[]);
    let at = example.find("keys: single").unwrap() + "keys: ".len();
    let latin1 = [&example.as_bytes()[..at], b"sin\xE9le", &example.as_bytes()[at + "single".len()..]].concat();
    let utf16 = example.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>();
    let utf16 = [&[0xFF, 0xFE][..], &utf16].concat();
    vec![
        ("Latin-1 byte in a value", latin1, "(top level)", format!("byte 0xE9 at byte offset {}", at + 3)),
        ("UTF-16 file", utf16, "(top level)", "byte 0xFF at byte offset 0".to_string()),
    ]
}

#[test]
fn every_bad_input_is_named_located_and_writes_nothing() {
    assert!(CASES.len() >= 25);
    let mut cases: Vec<(&str, Vec<u8>, &str, String)> =
        CASES.iter().map(|c| (c.name, edited(c.edits).into_bytes(), c.key, c.says.to_string())).collect();
    cases.extend(byte_cases());
    let failures: Vec<String> = cases.iter().filter_map(|(name, bytes, key, says)| failure(name, bytes, key, says)).collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// What is wrong with how one bad configuration is reported, if anything.
fn failure(name: &str, bytes: &[u8], key: &str, says: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    // Existing output from a valid configuration.
    let ok = sessionlog(&["render", "--out-dir", dir.path().to_str().unwrap()]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let before = snapshot_dir(dir.path());

    let cfg = dir.path().join("sessionlog.yaml");
    std::fs::write(&cfg, bytes).unwrap();
    let before_with_cfg = {
        let mut b = before.clone();
        b.extend(snapshot_dir(dir.path()).into_iter().filter(|(p, _)| p.ends_with("sessionlog.yaml")));
        b
    };
    let r = sessionlog(&["render", "--config", cfg.to_str().unwrap(), "--out-dir", dir.path().to_str().unwrap()]);
    let file = cfg.display().to_string();
    let text = String::from_utf8_lossy(bytes);
    let problems = [
        (r.code != 2).then(|| format!("exit {} instead of 2", r.code)),
        (!r.stderr.contains(&format!("error: {key}:")) && !r.stderr.contains(&format!("error: {key} "))).then(|| format!("no `error: {key}:`")),
        (!r.stderr.contains(says)).then(|| format!("does not say {says:?}")),
        line_of(&text, &r.stderr, &file).is_none().then(|| "no file:line".to_string()),
        (snapshot_dir(dir.path()) != before_with_cfg).then(|| "files changed".to_string()),
    ];
    let problems: Vec<String> = problems.into_iter().flatten().collect();
    (!problems.is_empty()).then(|| format!("{name}: {}\n{}", problems.join("; "), r.stderr))
}

#[test]
fn a_byte_that_is_not_utf8_is_located_on_its_line() {
    let (_, bytes, _, _) = byte_cases().swap_remove(0);
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    std::fs::write(&cfg, &bytes).unwrap();
    let r = sessionlog(&["render", "--check", "--config", cfg.to_str().unwrap(), "--out-dir", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("{}:16:12", cfg.display())), "line 16, column 12 (after `  keys: sin`): {}", r.stderr);
    assert!(r.stderr.contains("16 |   keys: sin\u{FFFD}le"), "the line shown with the bad byte replaced: {}", r.stderr);
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
fn yaml_merge_keys_are_read_and_written_keys_win() {
    use sessionlog::config::model::AmountConfig;
    use sessionlog::config::{load, Source};
    let text = edited(&[
        ("    max_concurrent: {percentage: 100}\n    failure_tolerance: {count: 0}\n", "    failure_tolerance: &tolerance {count: 1}\n    max_concurrent: {<<: *tolerance}\n"),
        ("  auto_deployment:\n    enabled: true\n    retain_stacks_on_account_removal: false\n", "  auto_deployment:\n    <<: [{enabled: false, retain_stacks_on_account_removal: true}, {enabled: true}]\n    enabled: true\n"),
    ]);
    let config = load(&Source { name: "merge.yaml".into(), text }).unwrap_or_else(|e| panic!("{e}"));
    let o = &config.stack_set.operation_preferences;
    assert_eq!((o.max_concurrent, o.failure_tolerance), (AmountConfig::Count(1), AmountConfig::Count(1)));
    // The key written in the mapping wins over the merged ones; the first merged mapping over later ones.
    assert!(config.stack_set.auto_deployment.enabled);
    assert!(config.stack_set.auto_deployment.retain_stacks_on_account_removal);
}

#[test]
fn a_duplicate_key_names_both_lines() {
    let text = edited(&[("keys: single ", "keys: single\n  keys: split ")]);
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    std::fs::write(&cfg, &text).unwrap();
    let r = sessionlog(&["render", "--config", cfg.to_str().unwrap(), "--out-dir", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("error: log_archive.keys: `keys` is written twice in this mapping: lines 16 and 17"), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("{}:17:3", cfg.display())), "{}", r.stderr);
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

#[test]
fn an_operator_policy_over_iams_size_limit_is_a_configuration_error() {
    let values: Vec<String> = (0..800).map(|i| format!("web-{i:04}")).collect();
    let text = edited(&[("Team: [web]", &format!("Team: [{}]", values.join(", ")))]);
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    std::fs::write(&cfg, &text).unwrap();
    let r = sessionlog(&["render", "--config", cfg.to_str().unwrap(), "--out-dir", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("error: operators.profiles[0]: the policy of profile `web-operators` would be about"), "{}", r.stderr);
    assert!(r.stderr.contains("IAM allows 6144"), "{}", r.stderr);
    // 300 values fit.
    let text = edited(&[("Team: [web]", &format!("Team: [{}]", values[..300].join(", ")))]);
    std::fs::write(&cfg, &text).unwrap();
    let r = sessionlog(&["render", "--config", cfg.to_str().unwrap(), "--out-dir", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// Valid, but said out loud: every unlogged session document a profile opts
/// into, every unlogged path the remote-access SCP allows, RDP without
/// recording, tags Identity Center cannot carry. Rendering
/// goes on (exit 0) and the warnings point at the lines.
#[test]
fn unlogged_documents_and_unrecorded_rdp_are_warned_about_where_they_are_allowed() {
    let text = edited(&[
        ("documents: []                 # besides", "documents: [AWS-StartSSHSession, TeamShell] # besides"),
        ("      rdp: false ", "      rdp: true "),
        ("rdp_recording:\n  enabled: true", "rdp_recording:\n  enabled: false"),
        ("project: session-logging", "project: session-logging\n  cost center: \"42\""),
        ("      session_documents: []", "      session_documents: [AWS-StartSSHSession, TeamShell]"),
        ("instance_connect: false", "instance_connect: true"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    std::fs::write(&cfg, &text).unwrap();
    let r = sessionlog(&["render", "--config", cfg.to_str().unwrap(), "--out-dir", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = cfg.display().to_string();
    let line = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    for (key, says, at) in [
        ("operators.profiles[0].documents[0]", "`AWS-StartSSHSession`, whose sessions are not logged (SSH", line("documents: [AWS-StartSSHSession")),
        ("operators.profiles[0].documents[1]", "`TeamShell`, a document of your own", line("documents: [AWS-StartSSHSession")),
        ("operators.profiles[0].rdp", "RDP connections are not recorded", line("rdp: true")),
        ("tags.cost center", "not put on the Identity Center stack", line("cost center")),
        ("guardrails.scp.unlogged_access.session_documents[0]", "allows sessions through `AWS-StartSSHSession`", line("session_documents: [AWS-StartSSHSession")),
        ("guardrails.scp.unlogged_access.instance_connect", "EC2 Instance Connect", line("instance_connect: true")),
    ] {
        let warning = format!("warning: {key}: ");
        let at_line = format!("{file}:{at}:");
        let found = r.stderr.split("warning: ").any(|w| format!("warning: {w}").starts_with(&warning) && w.contains(says) && w.contains(&at_line));
        assert!(found, "no `{warning}…{says}` at {at_line}:\n{}", r.stderr);
    }
    assert!(dir.path().join("templates/member-iam.yaml").exists());
    // The example itself has nothing to warn about.
    let clean = sessionlog(&["render", "--out-dir", dir.path().to_str().unwrap()]);
    assert!(!clean.stderr.contains("warning:"), "{}", clean.stderr);
}
