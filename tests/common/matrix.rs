//! The matrix of configurations every generated template is checked on:
//! cfn-lint (`tests/cfn_lint.rs`) and the access proof (`tests/access.rs`)
//! use the same list, so a configuration added for one is checked by both.

use sessionlog::stacks::support::RegionSupport;

use super::{edited, example};

pub const REGIONS: &str = "regions: [us-east-1, eu-west-1, eu-south-1]";
pub const LOCK: &str = "    object_lock:                    # write-once-read-many: on by default\n      mode: GOVERNANCE              # GOVERNANCE (only exempt log-archive roles may bypass) | COMPLIANCE (nobody, not even root) | OFF\n      days: 365";
pub const COPY_ON: &str = "log_copy:\n  enabled: true";
pub const COPY_OFF: &str = "log_copy:\n  enabled: false";
pub const ATHENA_ON: &str = "    enabled: true                   # Glue tables";
pub const ATHENA_OFF: &str = "    enabled: false                  # Glue tables";
/// Athena with enumerated accounts and auditors of an account outside the organization.
pub const ATHENA_ACCOUNTS: &str = "    accounts: []                    # member accounts to enumerate; empty: each query names its accounts";
pub const ATHENA_TRUSTED: &str = "      trusted_principals: []        # account ids or role ARNs that may assume it; empty: the access_role above";
pub const LIFECYCLE: &str = "    lifecycle:\n      transition_to: GLACIER_IR     # STANDARD_IA | ONEZONE_IA | INTELLIGENT_TIERING | GLACIER_IR | GLACIER | DEEP_ARCHIVE\n      transition_after_days: 90\n      expire_after_days: 2557       # seven years\n      noncurrent_expire_after_days: 2557  # at least expire_after_days: an overwritten log's original is kept as long\n";

/// The example's guardrails section (organization trail, guard, watch, SCP).
pub const GUARDRAILS: &str = "guardrails:\n  # region: us-east-1               # management-account stack, organization trail home region; default: log_archive.region\n  cloudtrail:\n    mode: organization              # organization (sessionlog creates it) | existing | off\n    trail: sessionlog-organization  # existing: the trail's name, or its ARN\n    key_prefix: cloudtrail          # log files under <bucket>/cloudtrail/AWSLogs/\n    # owner: management             # existing only: management (organization trail) | members (one per account)\n    # bucket: my-trail-bucket       # existing only: restored by the Config guard\n    # kms_key_arn: arn:aws:kms:us-east-1:111111111111:key/mrk-...   # existing only\n  config_guard: true                # seed 004: Config rule cloudtrail-enabled + automatic remediation\n  preferences_watch: true           # re-apply the preferences when someone edits or deletes them\n  scp:\n    enabled: true                   # member principals may not turn session logging off or go around it\n    break_glass_roles: []           # exempt (and protected) role names or patterns, like BreakGlassAdmin or emergency/*\n    unlogged_access:                # ways to an instance without a transcript or recording; each allowed is a warning\n      session_documents: []         # e.g. AWS-StartSSHSession, AWS-StartPortForwardingSession (none is logged)\n      instance_connect: false       # EC2 Instance Connect (SSH/RDP straight to instances)\n      serial_console: false         # the EC2 serial console\n      ecs_exec: false               # ECS Exec into containers\n      unrecorded_rdp: false         # Fleet Manager Remote Desktop where it is not recorded\n      other_regions: false          # sessions in regions outside `regions` (no preferences there)\n  log_archive:                      # the log-archive account's own guard\n    scp: true                       # only log_archive.access_role and these roles may weaken the archive\n    break_glass_roles: []\n    alarm: true                     # SNS alarm on key deletion/disabling and bucket policy/versioning/lifecycle changes\n    alarm_emails: []                # each address must confirm its subscription\n\n";

/// The example's operators section, its prompt tag, and more profiles.
pub const OPERATORS: &str = concat!("operators:\n  policy_name_prefix: sessionlog-operator\n  identity_center:                  # for permission sets; omit without IAM Identity Center\n    instance_arn: arn:aws:sso:::instance/ssoins-1234567890abcdef\n    # region: us-east-1             # where Identity Center is enabled; default: the StackSet admin region\n  profiles:\n    - name: web-operators\n      instance_tags:                # every key must match one of its values (* and ? are wildcards)\n        Team: [web]\n        Environment: [staging, production]\n      # window: {start: 2026-03-01T08:00:00Z, end: 2026-03-01T18:00:00Z}   # UTC\n      rdp: false                    # RDP through Fleet Manager (recorded with rdp_recording)\n      documents: []                 # besides SSM-SessionManagerRunShell; others are NOT logged\n      console: true                 # Session Manager console read permissions\n      permission_set:               # needs identity_center\n        session_hours: 4\n", "    - name: on-call\n      instance_tags:\n        Team: [web]\n        Environment: [production]\n      access: jit                   # standing | jit | both: just-in-time node access (docs/jit.md)\n      jit:\n        approval: auto              # auto | manual (manual: approvers, levels; see docs/jit.md)\n        groups: [34688438-1061-702c-a03d-1fa788dccfd1]   # Identity Store group ids\n      source_networks:              # where sessions may start from: CIDR ranges, VPC endpoint ids\n        - 198.51.100.0/24\n        - vpce-0123456789abcdef0\n  jit:                              # organization-wide; omit without just-in-time node access\n    deny_access:                    # never auto-approved (management account, one per organization)\n      - instance_tags: {DataClassification: [restricted]}\n\n");
/// The example's just-in-time profile and deny-access policy.
pub const JIT: &str = "    - name: on-call\n      instance_tags:\n        Team: [web]\n        Environment: [production]\n      access: jit                   # standing | jit | both: just-in-time node access (docs/jit.md)\n      jit:\n        approval: auto              # auto | manual (manual: approvers, levels; see docs/jit.md)\n        groups: [34688438-1061-702c-a03d-1fa788dccfd1]   # Identity Store group ids\n      source_networks:              # where sessions may start from: CIDR ranges, VPC endpoint ids\n        - 198.51.100.0/24\n        - vpce-0123456789abcdef0\n  jit:                              # organization-wide; omit without just-in-time node access\n    deny_access:                    # never auto-approved (management account, one per organization)\n      - instance_tags: {DataClassification: [restricted]}\n";
pub const PROMPT: &str = "    prompt_tag: Hostname            # the prompt shows this instance tag, read via IMDSv2\n                                    # (needs instance metadata tags on; else the instance id)\n";
pub const PROFILES: &str = "  profiles:\n    - name: web-operators\n";
pub const SEVERAL_PROFILES: &str = r#"  profiles:
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

pub fn matrix() -> Vec<(&'static str, String)> {
    vec![
        (
            "example: one key, three regions (one without RDP), all on, upsert",
            example().to_string(),
        ),
        (
            "split keys, one region, Object Lock off, plain document",
            edited(&[
                ("keys: single", "keys: split"),
                (REGIONS, "regions: [us-east-1]"),
                (LOCK, "    object_lock:\n      mode: \"OFF\""),
                ("document: upsert", "document: create"),
                ("preferences_watch: true ", "preferences_watch: false "),
            ]),
        ),
        (
            "CloudWatch off, RDP off, two regions, Athena off",
            edited(&[
                (REGIONS, "regions: [us-east-1, eu-west-1]"),
                (ATHENA_ON, ATHENA_OFF),
                (
                    "cloudwatch:\n    enabled: true",
                    "cloudwatch:\n    enabled: false",
                ),
                (COPY_ON, COPY_OFF),
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
                (COPY_ON, COPY_OFF),
                ("encrypt_sessions: true", "encrypt_sessions: false"),
                (
                    "rdp_recording:\n  enabled: true",
                    "rdp_recording:\n  enabled: false",
                ),
            ]),
        ),
        (
            "split keys, three regions (one without RDP), all on, Athena accounts enumerated, auditors of an account outside the organization",
            edited(&[
                ("keys: single", "keys: split"),
                (ATHENA_ACCOUNTS, "    accounts: [\"444455556666\", \"777788889999\"]"),
                (ATHENA_TRUSTED, "      trusted_principals: [\"999900001111\", \"arn:aws:iam::999900001111:role/Auditors\"]"),
            ]),
        ),
        (
            "GovCloud partition (aws-us-gov): split keys, two regions, plain document",
            edited(&[
                ("region: us-east-1 ", "region: us-gov-west-1 "),
                (REGIONS, "regions: [us-gov-west-1, us-gov-east-1]"),
                ("keys: single", "keys: split"),
                ("document: upsert", "document: create"),
                ("preferences_watch: true ", "preferences_watch: false "),
                ("instance_arn: arn:aws:sso:::", "instance_arn: arn:aws-us-gov:sso:::"),
                // No AWS::Config::RemediationConfiguration in GovCloud (the vendored region data).
                ("config_guard: true ", "config_guard: false "),
            ]),
        ),
        (
            "RDP only: CloudWatch and S3 off",
            edited(&[
                (
                    "cloudwatch:\n    enabled: true",
                    "cloudwatch:\n    enabled: false",
                ),
                (COPY_ON, COPY_OFF),
                ("s3:\n    enabled: true", "s3:\n    enabled: false"),
                ("document: upsert", "document: create"),
                ("preferences_watch: true ", "preferences_watch: false "),
            ]),
        ),
        (
            "RDP only, sessions not encrypted: no instance policy at all",
            edited(&[
                (
                    "cloudwatch:\n    enabled: true",
                    "cloudwatch:\n    enabled: false",
                ),
                (COPY_ON, COPY_OFF),
                ("s3:\n    enabled: true", "s3:\n    enabled: false"),
                ("encrypt_sessions: true", "encrypt_sessions: false"),
            ]),
        ),
        (
            "Athena over the trail and the copy only: S3 off, RDP off, split keys (the archive key not the organization's)",
            edited(&[
                ("keys: single", "keys: split"),
                ("s3:\n    enabled: true", "s3:\n    enabled: false"),
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
                (
                    "      session_documents: []",
                    "      session_documents: [AWS-StartPortForwardingSession, AWS-StartSSHSession, AWS-StartInteractiveCommand, CustomShell]",
                ),
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
            "per-account trails guarded in every member account (member-guard StackSet in eu-west-1), no SCP, watch",
            edited(&[(
                GUARDRAILS,
                "guardrails:\n  region: eu-west-1\n  cloudtrail:\n    mode: existing\n    trail: account-trail\n    owner: members\n    bucket: my-trail-bucket\n    kms_key_arn: arn:aws:kms:eu-west-1:333333333333:key/mrk-0123456789abcdef0123456789abcdef\n  config_guard: true\n  preferences_watch: true\n  scp:\n    enabled: false\n",
            )]),
        ),
        (
            "existing organization trail by ARN in another region, guarded in the management account, SCP with break-glass roles, no watch, split keys",
            edited(&[
                (
                    GUARDRAILS,
                    "guardrails:\n  cloudtrail:\n    mode: existing\n    trail: arn:aws:cloudtrail:eu-west-1:111111111111:trail/org-trail\n    owner: management\n    bucket: my-trail-bucket\n    key_prefix: org\n    kms_key_arn: arn:aws:kms:eu-west-1:333333333333:key/mrk-0123456789abcdef0123456789abcdef\n  config_guard: true\n  scp:\n    enabled: true\n    break_glass_roles: [BreakGlassAdmin, emergency/*]\n",
                ),
                ("keys: single", "keys: split"),
            ]),
        ),
    ]
}

/// Just-in-time node access (issue 20) off and with everything it takes,
/// for cfn-lint (the example has it on). Apart from `matrix()`: the access
/// proof's table counts configurations, and these change none of the
/// policies it decides (the operator policies are tests/access_operators.rs's).
pub fn jit_matrix() -> Vec<(&'static str, String)> {
    vec![
        (
            "just-in-time node access off: standing profiles only, no deny-access policy, no management-jit stack",
            edited(&[(JIT, "")]),
        ),
        (
            "just-in-time node access: three auto profiles merged, a manual one, access both, deny rules with groups, private range behind a named endpoint, deny-access stack in eu-west-1",
            edited(&[(
                JIT,
                r#"    - name: db-admins
      instance_tags: {Role: [database], Environment: ["prod-*", staging]}
      access: jit
      jit: {approval: auto, groups: [11111111-aaaa-bbbb-cccc-000000000001, a1b2c3d4e5-11111111-aaaa-bbbb-cccc-000000000002]}
      source_networks: [10.0.0.0/8, vpce-0123456789abcdef0, 2001:db8::/32]
    - name: batch
      instance_tags: {Role: [batch]}
      access: both
      rdp: true
      jit: {approval: auto, groups: [11111111-aaaa-bbbb-cccc-000000000003]}
      source_networks: [203.0.113.0/24]
    - name: break-glass
      instance_tags: {Tier: [core]}
      access: jit
      jit: {approval: manual, approvers: [[11111111-aaaa-bbbb-cccc-000000000009], [11111111-aaaa-bbbb-cccc-00000000000a, 11111111-aaaa-bbbb-cccc-00000000000b]], access_hours: 8}
  jit:
    region: eu-west-1
    deny_access:
      - instance_tags: {DataClassification: [restricted]}
      - instance_tags: {Environment: ["prod-*"]}
        groups: [11111111-aaaa-bbbb-cccc-000000000002]
"#,
            )]),
        ),
    ]
}

/// The log copy (issue 9): on and off, one and several regions, and regions
/// without one of its types. The vendored data has the three types in every
/// region, so those regions are pretended (`RegionSupport`), which puts the
/// `-no-copy` templates through cfn-lint for real regions. (The example and
/// most configurations above have the copy on.)
pub fn log_copy_matrix() -> Vec<(&'static str, String, RegionSupport)> {
    let vendored = RegionSupport::vendored();
    vec![
        (
            "log copy off, one region",
            edited(&[(COPY_ON, COPY_OFF), (REGIONS, "regions: [us-east-1]")]),
            vendored,
        ),
        (
            "log copy on, one region, split keys, other buffering and a filter pattern",
            edited(&[
                (REGIONS, "regions: [us-east-1]"),
                ("keys: single", "keys: split"),
                ("buffer_size_mb: 64", "buffer_size_mb: 128"),
                ("buffer_interval_seconds: 300", "buffer_interval_seconds: 900"),
                ("filter_pattern: \"\"", "filter_pattern: \"?ERROR ?WARN\""),
            ]),
            vendored,
        ),
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
