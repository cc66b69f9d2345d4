//! The guardrail configuration matrix shared by the guardrail tests: each
//! guardrail on and off, both trail modes.
#![allow(dead_code)]

use super::common::*;

pub use super::common::matrix::GUARDRAILS;

/// The example with its `guardrails` section replaced.
pub fn with_guardrails(section: &str, more: &[(&str, &str)]) -> String {
    let mut edits = vec![(GUARDRAILS, section)];
    edits.extend_from_slice(more);
    edited(&edits)
}

pub fn matrix() -> Vec<(&'static str, String)> {
    vec![
        ("example: organization trail, guard, watch, SCP", example().to_string()),
        ("every guardrail off", with_guardrails("", &[])),
        (
            "existing organization trail by ARN in another region, guard, SCP with break-glass roles, no watch, split keys",
            with_guardrails(
                "guardrails:\n  cloudtrail:\n    mode: existing\n    trail: arn:aws:cloudtrail:eu-west-1:111111111111:trail/org-trail\n    owner: management\n    bucket: my-trail-bucket\n    key_prefix: org\n    kms_key_arn: arn:aws:kms:eu-west-1:333333333333:key/mrk-0123456789abcdef0123456789abcdef\n  config_guard: true\n  scp:\n    enabled: true\n    break_glass_roles: [BreakGlassAdmin, emergency/*]\n",
                &[("keys: single", "keys: split")],
            ),
        ),
        (
            "per-account trails guarded in every member account, watch with RDP, SCP with excluded accounts",
            with_guardrails(
                "guardrails:\n  region: eu-west-1\n  cloudtrail:\n    mode: existing\n    trail: account-trail\n    owner: members\n    bucket: my-trail-bucket\n    kms_key_arn: arn:aws:kms:eu-west-1:333333333333:key/mrk-0123456789abcdef0123456789abcdef\n  config_guard: true\n  preferences_watch: true\n  scp:\n    enabled: true\n",
                &[("exclude_accounts: []", "exclude_accounts: [\"444444444444\"]")],
            ),
        ),
        (
            "organization trail without guard or SCP, watch, CloudWatch off, one region",
            with_guardrails(
                "guardrails:\n  cloudtrail:\n    mode: organization\n  preferences_watch: true\n",
                &[("cloudwatch:\n    enabled: true", "cloudwatch:\n    enabled: false"), ("log_copy:\n  enabled: true", "log_copy:\n  enabled: false"), ("regions: [us-east-1, eu-west-1, eu-south-1]", "regions: [us-east-1]")],
            ),
        ),
        (
            "no trail, SCP alone with RDP off and the instance policy attached, watch without RDP",
            with_guardrails(
                "guardrails:\n  preferences_watch: true\n  scp:\n    enabled: true\n    break_glass_roles: [OrganizationAdmin]\n",
                &[
                    ("rdp_recording:\n  enabled: true", "rdp_recording:\n  enabled: false"),
                    ("attach_to_roles: []", "attach_to_roles: [EC2SessionRole]"),
                ],
            ),
        ),
    ]
}
