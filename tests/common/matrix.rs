//! The matrix of configurations every generated template is checked on:
//! cfn-lint (`tests/cfn_lint.rs`) and the access proof (`tests/access.rs`)
//! use the same list, so a configuration added for one is checked by both.

use super::{edited, example};

pub const REGIONS: &str = "regions: [us-east-1, eu-west-1, eu-south-1]";
pub const LOCK: &str = "    # object_lock:                  # write-once-read-many; only for a new bucket\n    #   mode: GOVERNANCE            # GOVERNANCE | COMPLIANCE\n    #   days: 365";
pub const LIFECYCLE: &str = "    lifecycle:\n      transition_to: GLACIER_IR     # STANDARD_IA | ONEZONE_IA | INTELLIGENT_TIERING | GLACIER_IR | GLACIER | DEEP_ARCHIVE\n      transition_after_days: 90\n      expire_after_days: 2557       # seven years\n      noncurrent_expire_after_days: 2557  # at least expire_after_days: an overwritten log's original is kept as long\n";

pub fn matrix() -> Vec<(&'static str, String)> {
    vec![
        (
            "example: one key, three regions (one without RDP), all on, upsert",
            example().to_string(),
        ),
        (
            "split keys, one region, Object Lock governance, plain document",
            edited(&[
                ("keys: single", "keys: split"),
                (REGIONS, "regions: [us-east-1]"),
                (
                    LOCK,
                    "    object_lock:\n      mode: GOVERNANCE\n      days: 365",
                ),
                ("document: upsert", "document: create"),
            ]),
        ),
        (
            "CloudWatch off, RDP off, two regions",
            edited(&[
                (REGIONS, "regions: [us-east-1, eu-west-1]"),
                (
                    "cloudwatch:\n    enabled: true",
                    "cloudwatch:\n    enabled: false",
                ),
                (
                    "rdp_recording:\n  enabled: true",
                    "rdp_recording:\n  enabled: false",
                ),
            ]),
        ),
        (
            "S3 off, Object Lock compliance, no lifecycle, split keys",
            edited(&[
                ("s3:\n    enabled: true", "s3:\n    enabled: false"),
                (
                    LOCK,
                    "    object_lock:\n      mode: COMPLIANCE\n      days: 30",
                ),
                (LIFECYCLE, ""),
                ("keys: single", "keys: split"),
            ]),
        ),
        (
            "home region outside member regions, run-as, roles + DHMC, exclusions, delegated admin",
            edited(&[
                (
                    REGIONS,
                    "regions: [eu-west-1, ap-southeast-3, ap-northeast-1]",
                ),
                (
                    "run_as:\n    enabled: false\n    # default_user: ssm-user",
                    "run_as:\n    enabled: true\n    default_user: ssm-user",
                ),
                ("attach_to_roles: []", "attach_to_roles: [EC2SessionRole]"),
                (
                    "attach_to_default_host_management_role: false",
                    "attach_to_default_host_management_role: true",
                ),
                (
                    "exclude_accounts: []",
                    "exclude_accounts: [\"333333333333\"]",
                ),
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
                (
                    "cloudwatch:\n    enabled: true",
                    "cloudwatch:\n    enabled: false",
                ),
                ("encrypt_sessions: true", "encrypt_sessions: false"),
                (
                    "rdp_recording:\n  enabled: true",
                    "rdp_recording:\n  enabled: false",
                ),
            ]),
        ),
        (
            "split keys, three regions (one without RDP), all on",
            edited(&[("keys: single", "keys: split")]),
        ),
        (
            "GovCloud partition (aws-us-gov): split keys, two regions, plain document",
            edited(&[
                ("region: us-east-1 ", "region: us-gov-west-1 "),
                (REGIONS, "regions: [us-gov-west-1, us-gov-east-1]"),
                ("keys: single", "keys: split"),
                ("document: upsert", "document: create"),
            ]),
        ),
        (
            "RDP only: CloudWatch and S3 off",
            edited(&[
                (
                    "cloudwatch:\n    enabled: true",
                    "cloudwatch:\n    enabled: false",
                ),
                ("s3:\n    enabled: true", "s3:\n    enabled: false"),
                ("document: upsert", "document: create"),
            ]),
        ),
        (
            "RDP only, sessions not encrypted: no instance policy at all",
            edited(&[
                (
                    "cloudwatch:\n    enabled: true",
                    "cloudwatch:\n    enabled: false",
                ),
                ("s3:\n    enabled: true", "s3:\n    enabled: false"),
                ("encrypt_sessions: true", "encrypt_sessions: false"),
            ]),
        ),
    ]
}
