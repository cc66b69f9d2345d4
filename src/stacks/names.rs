//! Every name shared between the log-archive and member templates, derived in
//! one place so the two halves always agree (a log group name in a policy
//! that differs from the group created silently breaks logging).

use crate::config::model::{Config, KeyLayout};
use crate::config::operators::OperatorProfile;

/// The fixed name of the Session Manager preferences document.
pub const SESSION_DOCUMENT: &str = "SSM-SessionManagerRunShell";
/// The role Default Host Management Configuration gives instances.
pub const DHMC_ROLE: &str = "AWSSystemsManagerDefaultEC2InstanceManagementRole";
/// Tag that the just-in-time node access managed policy conditions on.
pub const JIT_TAG: &str = "SystemsManagerJustInTimeNodeAccessManaged";
/// Service principal of RDP connection recording.
pub const GUI_CONNECT_PRINCIPAL: &str = "ssm-guiconnect.amazonaws.com";

/// Template parameter carrying the archive key's id (`mrk-…`).
pub const ARCHIVE_KEY_ID: &str = "ArchiveKeyId";
/// Template parameter carrying the session key's id (split keys only).
pub const SESSION_KEY_ID: &str = "SessionKeyId";
/// Multi-region key ids: CloudFormation can only learn them after creation.
pub const KEY_ID_PATTERN: &str = "^mrk-[0-9a-f]{32}$";

/// Which key does what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRole {
    /// Encrypts the bucket (and RDP recordings); always present.
    Archive,
    /// Encrypts session streams and log groups (split keys only).
    Session,
}

impl KeyRole {
    pub fn logical_id(self) -> &'static str {
        match self {
            KeyRole::Archive => "ArchiveKey",
            KeyRole::Session => "SessionKey",
        }
    }
    pub fn parameter(self) -> &'static str {
        match self {
            KeyRole::Archive => ARCHIVE_KEY_ID,
            KeyRole::Session => SESSION_KEY_ID,
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            KeyRole::Archive => "archive",
            KeyRole::Session => "session",
        }
    }
}

pub struct Names<'a> {
    c: &'a Config,
}

impl<'a> Names<'a> {
    pub fn new(c: &'a Config) -> Self {
        Names { c }
    }

    pub fn bucket(&self) -> String {
        self.c.log_archive.bucket.name.clone().unwrap_or_else(|| {
            format!("sessionlog-{}-{}", self.c.log_archive.account, self.c.log_archive.region)
        })
    }

    /// The keys of this configuration, archive first.
    pub fn keys(&self) -> Vec<KeyRole> {
        match self.c.log_archive.keys {
            KeyLayout::Single => vec![KeyRole::Archive],
            KeyLayout::Split => vec![KeyRole::Archive, KeyRole::Session],
        }
    }

    /// The key that encrypts session streams and log groups.
    pub fn session_key(&self) -> KeyRole {
        match self.c.log_archive.keys {
            KeyLayout::Single => KeyRole::Archive,
            KeyLayout::Split => KeyRole::Session,
        }
    }

    pub fn alias(&self, key: KeyRole) -> String {
        format!("{}/{}", self.c.log_archive.key_alias_prefix, key.word())
    }

    pub fn log_group(&self) -> &str {
        &self.c.session_manager.cloudwatch.log_group_name
    }

    /// `accounts` — the prefix every account's objects live under.
    pub fn bucket_prefix(&self) -> &str {
        &self.c.log_archive.bucket.key_prefix
    }

    /// The session-log key prefix of one account and region, as a `!Sub` text.
    pub fn session_key_prefix_sub(&self) -> String {
        format!(
            "{}/${{AWS::AccountId}}/${{AWS::Region}}/{}",
            self.bucket_prefix(),
            self.c.session_manager.s3.key_prefix
        )
    }

    pub fn archive_stack(&self) -> String {
        self.c.log_archive.stack_name.clone()
    }

    pub fn replica_stack(&self) -> String {
        format!("{}-replica", self.c.log_archive.stack_name)
    }

    pub fn stack_set(&self, suffix: &str) -> String {
        format!("{}-{suffix}", self.c.stack_set.name_prefix)
    }

    /// Regions that get replica keys: every member region but the home one.
    pub fn replica_regions(&self) -> Vec<String> {
        self.c.regions.iter().filter(|r| **r != self.c.log_archive.region).cloned().collect()
    }

    /// Region of the single-region IAM StackSet.
    pub fn iam_region(&self) -> String {
        self.c.instance_policy.region.clone().unwrap_or_else(|| {
            if self.c.regions.contains(&self.c.log_archive.region) {
                self.c.log_archive.region.clone()
            } else {
                self.c.regions[0].clone()
            }
        })
    }

    pub fn admin_region(&self) -> String {
        self.c.stack_set.admin_region.clone().unwrap_or_else(|| self.c.log_archive.region.clone())
    }

    /// `<operators.policy_name_prefix>-<profile>`: the operator policy,
    /// the same name in every member account.
    pub fn operator_policy(&self, p: &OperatorProfile) -> String {
        format!("{}-{}", self.c.operators.policy_name_prefix, p.name)
    }

    /// `OperatorPolicyWebOperators` for `web-operators`.
    pub fn operator_policy_logical_id(&self, p: &OperatorProfile) -> String {
        format!("OperatorPolicy{}", camel(&p.name))
    }

    /// The permission set of a profile: its own name, or the profile's.
    pub fn permission_set(&self, p: &OperatorProfile) -> Option<String> {
        p.permission_set.as_ref().map(|ps| ps.name.clone().unwrap_or_else(|| p.name.clone()))
    }

    /// `PermissionSetWebOperators` for `web-operators`.
    pub fn permission_set_logical_id(&self, p: &OperatorProfile) -> String {
        format!("PermissionSet{}", camel(&p.name))
    }

    /// The management-account stack holding the permission sets.
    pub fn identity_center_stack(&self) -> String {
        format!("{}-identity-center", self.c.stack_set.name_prefix)
    }

    /// Where Identity Center is enabled: the permission-set stack's region.
    pub fn identity_center_region(&self) -> String {
        self.c
            .operators
            .identity_center
            .as_ref()
            .and_then(|ic| ic.region.clone())
            .unwrap_or_else(|| self.admin_region())
    }

    /// `arn:${AWS::Partition}:kms:<region>:<archive account>:key/${<KeyId>}`
    /// — one key id everywhere, thanks to multi-region keys.
    pub fn key_arn_sub(&self, key: KeyRole, region: &str) -> String {
        format!(
            "arn:${{AWS::Partition}}:kms:{region}:{}:key/${{{}}}",
            self.c.log_archive.account,
            key.parameter()
        )
    }
}

/// `web-operators` → `WebOperators`.
fn camel(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map(|f| f.to_ascii_uppercase().to_string() + cs.as_str()).unwrap_or_default()
        })
        .collect()
}
