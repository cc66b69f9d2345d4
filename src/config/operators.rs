//! The `operators` part of the configuration: who may start sessions on
//! which instances, when, through which session documents (seed 003).
//! Doc comments become the JSON Schema's descriptions.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::patterns::*;

/// Operator access: one customer-managed policy per profile in every member
/// account, optionally an IAM Identity Center permission set per profile.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Operators {
    /// Policy names are `<prefix>-<profile name>`, the same in every member
    /// account.
    #[serde(default = "default_policy_prefix")]
    #[schemars(pattern(POLICY_NAME_PREFIX))]
    pub policy_name_prefix: String,
    /// The IAM Identity Center instance, for profiles with a `permission_set`.
    #[serde(default)]
    pub identity_center: Option<IdentityCenter>,
    /// Access profiles, each a policy in every member account.
    #[serde(default)]
    pub profiles: Vec<OperatorProfile>,
    /// Systems Manager just-in-time node access, organization-wide: the
    /// deny-access policy (see docs/jit.md).
    #[serde(default)]
    pub jit: Option<JitOrganization>,
}

impl Default for Operators {
    fn default() -> Self {
        Operators {
            policy_name_prefix: default_policy_prefix(),
            identity_center: None,
            profiles: Vec::new(),
            jit: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityCenter {
    /// The IAM Identity Center instance (`aws sso-admin list-instances`).
    #[schemars(pattern(SSO_INSTANCE_ARN))]
    pub instance_arn: String,
    /// Region where Identity Center is enabled: the permission-set stack is
    /// deployed there, in the management account. Default: the StackSet
    /// administration region.
    #[serde(default)]
    #[schemars(pattern(REGION))]
    pub region: Option<String>,
}

/// One access profile.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OperatorProfile {
    /// Lowercase letters, digits and single hyphens, at most 32 characters;
    /// unique. Names the policy (`<policy_name_prefix>-<name>`) and, by
    /// default, the permission set.
    #[schemars(pattern(PROFILE_NAME), length(min = 1, max = 32))]
    pub name: String,
    /// The instances this profile reaches, by tag key → values (at least
    /// one key): an instance is reached when every key listed is on it with
    /// one of its values (`ssm:resourceTag/<key>`, `StringLike`: `*` and `?`
    /// are wildcards).
    #[schemars(extend("propertyNames" = {"pattern": TAG_KEY}, "minProperties" = 1))]
    pub instance_tags: BTreeMap<String, TagValues>,
    /// Sessions start and resume only inside this window
    /// (`aws:CurrentTime`). Not set: always.
    #[serde(default)]
    pub window: Option<Window>,
    /// RDP through Fleet Manager (GUI Connect) to the same instances; the
    /// connections are recorded when `rdp_recording` is on.
    #[serde(default)]
    pub rdp: bool,
    /// Session documents allowed besides the logged shell document
    /// `SSM-SessionManagerRunShell` (always allowed). Every other document
    /// (port forwarding, SSH, interactive commands) bypasses the session
    /// logging preferences: none of them is logged, and `render` warns about
    /// each one. AWS's session documents: `AWS-StartPortForwardingSession`,
    /// `AWS-StartPortForwardingSessionToRemoteHost`, `AWS-StartSSHSession`,
    /// `AWS-StartInteractiveCommand`, `AWS-StartNonInteractiveCommand`,
    /// `AWS-PasswordReset`; or your own.
    #[serde(default)]
    #[schemars(inner(pattern(SSM_DOCUMENT_NAME)))]
    pub documents: Vec<String>,
    /// The read-only permissions the Session Manager (and, with `rdp`, Fleet
    /// Manager) consoles need to list instances and sessions.
    #[serde(default = "yes")]
    pub console: bool,
    /// An IAM Identity Center permission set referencing the policy, in the
    /// management account (needs `operators.identity_center`).
    #[serde(default)]
    pub permission_set: Option<PermissionSetConfig>,
    /// Networks the profile's sessions may start from: CIDR ranges
    /// (`203.0.113.0/24`, `10.0.0.0/8`) and/or VPC endpoint ids
    /// (`vpce-0123456789abcdef0`). Ranges are compared with `aws:SourceIp`
    /// (calls to public endpoints) and `aws:VpcSourceIp` (calls through a
    /// VPC endpoint), endpoint ids with `aws:SourceVpce` (docs/jit.md).
    /// Empty: from anywhere.
    #[serde(default)]
    pub source_networks: Vec<String>,
    /// `standing`: the IAM policy lets the operator start sessions at any
    /// time. `jit`: Systems Manager just-in-time node access, where the
    /// operator requests access and the approval policies sessionlog
    /// generates decide (`jit` must be set). `both`: the two side by side
    /// (AWS: a caller with `ssm:StartSession` keeps using Session Manager).
    #[serde(default)]
    pub access: Access,
    /// How just-in-time requests of this profile are approved.
    #[serde(default)]
    pub jit: Option<JitProfile>,
}

/// How a profile's operators reach the instances.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    #[default]
    Standing,
    Jit,
    Both,
}

impl Access {
    pub fn standing(self) -> bool {
        matches!(self, Access::Standing | Access::Both)
    }
    pub fn jit(self) -> bool {
        matches!(self, Access::Jit | Access::Both)
    }
}

/// Just-in-time node access of one profile.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JitProfile {
    /// `auto`: requests of the groups' members to the profile's instances
    /// are approved at once (one hour, AWS's fixed duration), through the
    /// one auto-approval policy of each account and region. `manual`:
    /// approvers decide.
    #[serde(default)]
    pub approval: Approval,
    /// Identity Store group ids whose members are auto-approved (`auto`).
    #[serde(default)]
    #[schemars(inner(pattern(IDENTITY_STORE_ID)))]
    pub groups: Vec<String>,
    /// `manual`: approver levels, each a list of 1-5 Identity Store user or
    /// group ids; every level must approve, in order (at most 5 levels).
    #[serde(default)]
    #[schemars(inner(inner(pattern(IDENTITY_STORE_ID))))]
    pub approvers: Vec<Vec<String>>,
    /// `manual`: hours an approved request lasts (1-336).
    #[serde(default = "default_access_hours")]
    #[schemars(range(min = 1, max = 336))]
    pub access_hours: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Approval {
    #[default]
    Auto,
    Manual,
}

/// Organization-wide just-in-time settings.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JitOrganization {
    /// The organization's one deny-access policy: requests matching a rule
    /// are never auto-approved (they still may be approved by hand). In the
    /// management account.
    #[serde(default)]
    pub deny_access: Vec<DenyRule>,
    /// Region of the deny-access policy's stack in the management account
    /// (where just-in-time node access was set up). Default: the StackSet
    /// administration region.
    #[serde(default)]
    #[schemars(pattern(REGION))]
    pub region: Option<String>,
}

/// One rule of the deny-access policy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DenyRule {
    /// Instances with these tags (every key, one of its values; `*` is a
    /// wildcard).
    #[schemars(extend("propertyNames" = {"pattern": TAG_KEY}, "minProperties" = 1))]
    pub instance_tags: BTreeMap<String, TagValues>,
    /// Only for members of these Identity Store groups. Empty: for everyone.
    #[serde(default)]
    #[schemars(inner(pattern(IDENTITY_STORE_ID)))]
    pub groups: Vec<String>,
}

/// Tag values, one of which the instance's tag must have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct TagValues(
    #[schemars(length(min = 1), inner(pattern(TAG_VALUE), length(max = 256)))] pub Vec<String>,
);

/// A time window in UTC, ISO 8601 (`2026-03-01T08:00:00Z`). Either end may
/// be left open.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// Sessions may start after this instant.
    #[serde(default)]
    #[schemars(pattern(UTC_TIME))]
    pub start: Option<String>,
    /// Sessions may start before this instant.
    #[serde(default)]
    #[schemars(pattern(UTC_TIME))]
    pub end: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionSetConfig {
    /// Permission set name. Default: the profile name.
    #[serde(default)]
    #[schemars(pattern(PERMISSION_SET_NAME))]
    pub name: Option<String>,
    /// Hours a console or CLI session of the permission set lasts (1–12).
    #[serde(default = "default_session_hours")]
    #[schemars(range(min = 1, max = 12))]
    pub session_hours: u32,
}

fn yes() -> bool {
    true
}
fn default_policy_prefix() -> String {
    "sessionlog-operator".into()
}
fn default_session_hours() -> u32 {
    1
}
fn default_access_hours() -> u32 {
    1
}

/// The logged shell: the Session Manager preferences document.
pub const SESSION_DOCUMENT: &str = "SSM-SessionManagerRunShell";

impl Operators {
    /// `<policy_name_prefix>-<profile>`: the operator policy, the same name
    /// in every member account.
    pub fn policy_name(&self, p: &OperatorProfile) -> String {
        format!("{}-{}", self.policy_name_prefix, p.name)
    }

    /// Profiles reached through just-in-time node access.
    pub fn jit_profiles(&self) -> impl Iterator<Item = (&OperatorProfile, &JitProfile)> {
        self.profiles
            .iter()
            .filter(|p| p.access.jit())
            .filter_map(|p| p.jit.as_ref().map(|j| (p, j)))
    }

    /// Whether any permission set is asked for (the Identity Center stack).
    pub fn has_permission_sets(&self) -> bool {
        self.identity_center.is_some() && self.profiles.iter().any(|p| p.permission_set.is_some())
    }
}

impl OperatorProfile {
    /// `WebOperators` for `web-operators`: the profile's part of template
    /// resource ids.
    pub fn resource_id(&self) -> String {
        self.name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                let mut cs = w.chars();
                cs.next().map(|f| f.to_ascii_uppercase().to_string() + cs.as_str()).unwrap_or_default()
            })
            .collect()
    }
}

/// Tags IAM Identity Center can carry: letters, digits and `_+=,.@-` in
/// keys and non-empty values. CloudFormation passes stack tags on to the
/// permission sets, so the Identity Center stack gets only these.
pub fn identity_center_tag_fits(key: &str, value: &str) -> bool {
    let fits = |s: &str| !s.is_empty() && s.chars().all(|ch| ch.is_alphanumeric() || "_+=,.@-".contains(ch));
    fits(key) && fits(value)
}

/// Session documents AWS provides, and whether the logging preferences of
/// `SSM-SessionManagerRunShell` apply to sessions started with them.
pub const AWS_SESSION_DOCUMENTS: &[(&str, Logging)] = &[
    (
        "AWS-StartPortForwardingSession",
        Logging::Unlogged("port forwarding: the traffic is not logged"),
    ),
    (
        "AWS-StartPortForwardingSessionToRemoteHost",
        Logging::Unlogged("port forwarding to another host: the traffic is not logged"),
    ),
    (
        "AWS-StartSSHSession",
        Logging::Unlogged(
            "SSH through Session Manager: SSH encrypts the session, nothing is logged",
        ),
    ),
    (
        "AWS-StartInteractiveCommand",
        Logging::Unlogged(
            "an interactive command: the session preferences (and their logging) do not apply",
        ),
    ),
    (
        "AWS-StartNonInteractiveCommand",
        Logging::Unlogged(
            "a non-interactive command: the session preferences (and their logging) do not apply",
        ),
    ),
    (
        "AWS-PasswordReset",
        Logging::Unlogged(
            "a password reset session: the session preferences (and their logging) do not apply",
        ),
    ),
];

/// Whether a session document's sessions are logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logging {
    /// The logged shell: `SSM-SessionManagerRunShell`'s preferences apply.
    Logged,
    /// Bypasses the logging preferences, and why.
    Unlogged(&'static str),
}

/// What is known about a session document name.
pub fn document_logging(name: &str) -> Option<Logging> {
    if name == SESSION_DOCUMENT {
        return Some(Logging::Logged);
    }
    AWS_SESSION_DOCUMENTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, l)| *l)
}

/// Names only AWS can give a document.
pub fn is_aws_reserved(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("aws") || lower.starts_with("amazon")
}
