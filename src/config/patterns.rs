//! Value formats of the configuration, each with the words used to explain it.

pub const ORG_ID: &str = r"^o-[a-z0-9]{10,32}$";
pub const ACCOUNT_ID: &str = r"^[0-9]{12}$";
pub const REGION: &str = r"^[a-z]{2}(-gov|-iso[a-z]?|sc)?-[a-z]+-[0-9]$";
pub const OU_OR_ROOT: &str = r"^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$";
pub const BUCKET_NAME: &str = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$";
/// Segments of safe characters joined by single `/`; a segment of dots only
/// (`.`, `..`) is a relative path step in tools that copy the objects out.
pub const KEY_PREFIX: &str = r"^[a-zA-Z0-9!_.*'()-]*[a-zA-Z0-9!_*'()-][a-zA-Z0-9!_.*'()-]*(/[a-zA-Z0-9!_.*'()-]*[a-zA-Z0-9!_*'()-][a-zA-Z0-9!_.*'()-]*)*$";
pub const KEY_SEGMENT: &str = r"^[a-zA-Z0-9!_.*'()-]*[a-zA-Z0-9!_*'()-][a-zA-Z0-9!_.*'()-]*$";
pub const ALIAS_PREFIX: &str = r"^alias/[a-zA-Z0-9/_-]+[a-zA-Z0-9_-]$";
pub const STACK_NAME: &str = r"^[a-zA-Z][-a-zA-Z0-9]{0,119}$";
pub const STACK_SET_PREFIX: &str = r"^[a-zA-Z][-a-zA-Z0-9]{0,80}$";
pub const ROLE_NAME: &str = r"^[\w+=,.@-]{1,64}$";
pub const POLICY_NAME: &str = r"^[\w+=,.@-]{1,128}$";
pub const LOG_GROUP_NAME: &str = r"^[.\-_/#A-Za-z0-9]+$";
pub const OS_USER: &str = r"^[a-z_][a-z0-9_-]{0,31}$";
/// A Firehose stream name (also the destination's and the filters' name).
pub const FIREHOSE_NAME: &str = r"^[a-zA-Z0-9._-]{1,64}$";
pub const TAG_KEY: &str = r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$";
pub const TAG_VALUE: &str = r"^[\p{L}\p{Z}\p{N}_.:/=+\-@*?]*$";
pub const PROFILE_NAME: &str = r"^[a-z0-9]+(-[a-z0-9]+)*$";
pub const POLICY_NAME_PREFIX: &str = r"^[\w+=,.@-]{1,95}$";
pub const SSM_DOCUMENT_NAME: &str = r"^[a-zA-Z0-9_.-]{3,128}$";
pub const UTC_TIME: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$";
pub const SSO_INSTANCE_ARN: &str = r"^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$";
pub const PERMISSION_SET_NAME: &str = r"^[\w+=,.@-]{1,32}$";
pub const IMDS_TAG_KEY: &str = r"^[A-Za-z0-9+=.,_:@-]{1,128}$";
pub const TRAIL_NAME_OR_ARN: &str = r"^(arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:[0-9]{12}:trail/)?[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$";
pub const KMS_KEY_ARN: &str = r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]{1,64}$";
pub const EMAIL: &str = r"^[^@\s]+@[^@\s]+\.[^@\s]+$";
pub const ROLE_PATTERN: &str = r"^[\w+=,.@*?-]+(/[\w+=,.@*?-]+)*$";
/// An Identity Store user or group id (the `GroupId` pattern of
/// `AWS::IdentityStore::Group`).
pub const IDENTITY_STORE_ID: &str =
    r"^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$";

/// A Glue database name Athena can query without quoting: lowercase
/// letters, digits and underscores.
pub const GLUE_NAME: &str = r"^[a-z][a-z0-9_]{0,254}$";
/// An Athena workgroup name.
pub const WORKGROUP_NAME: &str = r"^[a-zA-Z0-9._-]{1,128}$";
/// A day, `YYYY-MM-DD`.
pub const DAY: &str = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
/// Who may assume the auditor role: an account id or an IAM role or user ARN.
pub const AUDITOR_PRINCIPAL: &str = r"^([0-9]{12}|arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[\w+=,.@/-]+)$";

/// CloudWatch Logs' allowed retention values, in days.
pub const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// What a value matching `pattern` looks like, in words, for error messages.
pub fn describe(pattern: &str) -> Option<&'static str> {
    Some(match pattern {
        ORG_ID => "an organization id: `o-` then 10 to 32 lowercase letters or digits, like `o-a1b2c3d4e5`",
        ACCOUNT_ID => "a 12-digit AWS account id in quotes, like \"123456789012\"",
        REGION => "an AWS region name, like `us-east-1`",
        OU_OR_ROOT => "an organizational unit id like `ou-ab12-cd34ef56` or a root id like `r-ab12`",
        BUCKET_NAME => "an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit",
        KEY_PREFIX => "an S3 key prefix of safe characters, segments separated by single `/`: no empty segment (`//`, a leading or trailing `/`) and no segment of dots only (`.`, `..`)",
        KEY_SEGMENT => "one S3 key segment of safe characters: no `/`, not empty and not dots only (`.`, `..`)",
        ALIAS_PREFIX => "a KMS alias prefix starting with `alias/`, like `alias/sessionlog`",
        STACK_NAME => "a stack name: a letter, then letters, digits and hyphens (at most 120)",
        STACK_SET_PREFIX => "a letter, then letters, digits and hyphens",
        ROLE_NAME => "an IAM role name: 1-64 of letters, digits and `+=,.@_-`",
        POLICY_NAME => "an IAM policy name: 1-128 of letters, digits and `+=,.@_-`",
        LOG_GROUP_NAME => "a log group name of letters, digits and `._-/#`",
        OS_USER => "a Linux user name (lowercase, at most 32 characters)",
        FIREHOSE_NAME => "1-64 letters, digits and `._-` (a Firehose stream name)",
        TAG_KEY => "a tag key of 1-128 letters, digits, spaces and `_.:/=+-@`",
        TAG_VALUE => "a tag value of letters, digits, spaces and `_.:/=+-@`; `*` and `?` are wildcards",
        PROFILE_NAME => "a profile name: lowercase letters and digits, words joined by single hyphens, like `web-operators`",
        POLICY_NAME_PREFIX => "an IAM policy name prefix: 1-95 of letters, digits and `+=,.@_-`",
        SSM_DOCUMENT_NAME => "an SSM document name: 3-128 letters, digits and `_.-`, no wildcards (a wildcard would allow unlogged documents too)",
        UTC_TIME => "an ISO 8601 UTC time, like `2026-03-01T08:00:00Z`",
        SSO_INSTANCE_ARN => "an IAM Identity Center instance ARN, like `arn:aws:sso:::instance/ssoins-1234567890abcdef`",
        PERMISSION_SET_NAME => "a permission set name: 1-32 of letters, digits and `+=,.@_-`",
        IMDS_TAG_KEY => "a tag key instance metadata can serve: letters, digits and `+-=.,_:@` (no spaces or `/`)",
        TRAIL_NAME_OR_ARN => "a trail name (3-128 letters, digits, `._-`, starting and ending with a letter or digit) or a trail ARN",
        KMS_KEY_ARN => "a KMS key ARN, like `arn:aws:kms:us-east-1:123456789012:key/mrk-…`",
        EMAIL => "an email address, like `security@example.com`",
        ROLE_PATTERN => "an IAM role name or path (`admin/BreakGlass`), `*` and `?` allowed, no leading `/`",
        IDENTITY_STORE_ID => "an Identity Store group or user id, like `34688438-1061-702c-a03d-1fa788dccfd1` (`aws identitystore list-groups`)",
        GLUE_NAME => "a Glue database name: a lowercase letter, then lowercase letters, digits and `_` (at most 255)",
        WORKGROUP_NAME => "an Athena workgroup name: 1-128 letters, digits and `._-`",
        DAY => "a day, like `2026-01-01`",
        AUDITOR_PRINCIPAL => "a 12-digit account id in quotes, or an IAM role or user ARN like `arn:aws:iam::123456789012:role/Auditor`",
        _ => return None,
    })
}
