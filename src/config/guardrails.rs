//! The `guardrails` part of the configuration: what keeps logging on once it
//! is deployed (issue 8, seed 004). Every guardrail is off unless asked for,
//! so adding sessionlog to an organization changes nothing it did not ask
//! for; the starter file turns them all on.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::patterns::*;

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Guardrails {
    /// Region of the management-account guardrails stack: the organization
    /// trail's home region, and where the Config guard of a trail runs (its
    /// runbook must call the trail's home region). Default: the region of
    /// `cloudtrail.trail` when that is the ARN of an existing trail, else the
    /// log-archive home region.
    #[serde(default)]
    #[schemars(pattern(REGION))]
    pub region: Option<String>,
    /// The CloudTrail trail that records who started each session.
    #[serde(default)]
    pub cloudtrail: CloudTrail,
    /// Seed 004: the AWS Config rule `sessionlog-cloudtrail-enabled`
    /// (managed rule `CLOUD_TRAIL_ENABLED`) whose automatic remediation (at
    /// most 5 attempts within 60 seconds) runs an Automation runbook that
    /// turns the trail back on with the required settings. Needs a trail
    /// (`cloudtrail.mode` not `off`); AWS Config must be recording where it runs.
    #[serde(default)]
    pub config_guard: bool,
    /// EventBridge rules in every member account and region that re-apply
    /// the managed Session preferences (and RDP recording preferences) through
    /// the upsert function when anyone edits or deletes them. Needs
    /// `session_manager.document: upsert`.
    #[serde(default)]
    pub preferences_watch: bool,
    /// Service control policies, attached to the target OUs, that deny
    /// member principals every action that turns session logging off and
    /// every way to an instance that leaves no transcript or recording.
    #[serde(default)]
    pub scp: Scp,
    /// The log-archive account's own guard: a service control policy attached
    /// to that account alone, and an alarm on the archive keys and bucket.
    #[serde(default)]
    pub log_archive: LogArchiveGuard,
}

impl Guardrails {
    /// The management-account stack's region: `region`, else an existing
    /// trail's home region, else the log archive's home region.
    pub fn region(&self, home: &str) -> String {
        self.region
            .clone()
            .or_else(|| {
                (self.cloudtrail.mode == TrailMode::Existing)
                    .then(|| self.cloudtrail.arn_parts().map(|(r, _)| r.to_string()))
                    .flatten()
            })
            .unwrap_or_else(|| home.to_string())
    }

    /// True when a management-account stack is needed.
    pub fn any_in_management_account(&self) -> bool {
        self.cloudtrail.mode == TrailMode::Organization
            || self.scp.enabled
            || self.log_archive.scp
            || (self.config_guard && self.cloudtrail.guard_owner() == Some(TrailOwner::Management))
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TrailMode {
    /// No trail is managed or guarded by sessionlog.
    #[default]
    Off,
    /// sessionlog creates an organization trail in the management account,
    /// delivering to the log-archive bucket with the archive key.
    Organization,
    /// A trail that already exists, named by `trail`; `owner` says where.
    Existing,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TrailOwner {
    /// An organization trail in the management account.
    #[default]
    Management,
    /// A trail of this name in every member account (per-account trails):
    /// the Config guard is deployed to each of them by a StackSet.
    Members,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloudTrail {
    /// `organization`: sessionlog creates the trail; `existing`: a trail you
    /// already have; `off`.
    #[serde(default)]
    pub mode: TrailMode,
    /// The trail's name (`organization`: the trail sessionlog creates;
    /// `existing`: its name, or its ARN for a trail in the management account).
    #[serde(default = "default_trail")]
    #[schemars(pattern(TRAIL_NAME_OR_ARN))]
    pub trail: String,
    /// S3 prefix of the trail's log files. `organization`: log files go to
    /// `<bucket>/<key_prefix>/AWSLogs/…` (default `cloudtrail`; must not
    /// overlap `log_archive.bucket.key_prefix`). `existing`: the prefix the
    /// guard restores (none when absent).
    #[serde(default)]
    #[schemars(pattern(KEY_PREFIX), length(max = 200))]
    pub key_prefix: Option<String>,
    /// `existing` only: where the trail lives. Default: `management`.
    #[serde(default)]
    pub owner: Option<TrailOwner>,
    /// `existing` with `config_guard`: the bucket the trail delivers to (the
    /// guard restores it).
    #[serde(default)]
    #[schemars(pattern(BUCKET_NAME), length(min = 3, max = 63))]
    pub bucket: Option<String>,
    /// `existing` with `config_guard`: the ARN of the KMS key (of the trail's
    /// region) the trail encrypts with (the guard restores it).
    #[serde(default)]
    #[schemars(pattern(KMS_KEY_ARN))]
    pub kms_key_arn: Option<String>,
}

impl Default for CloudTrail {
    fn default() -> Self {
        CloudTrail {
            mode: TrailMode::Off,
            trail: default_trail(),
            key_prefix: None,
            owner: None,
            bucket: None,
            kms_key_arn: None,
        }
    }
}

impl CloudTrail {
    /// The trail's name (the last part of an ARN).
    pub fn name(&self) -> &str {
        self.trail.rsplit('/').next().unwrap_or(&self.trail)
    }

    /// `(region, account)` when `trail` is an ARN.
    pub fn arn_parts(&self) -> Option<(&str, &str)> {
        let rest = self.trail.strip_prefix("arn:")?;
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        match parts[..] {
            [_, "cloudtrail", region, account, _] => Some((region, account)),
            _ => None,
        }
    }

    /// Where the trail the Config guard restores lives, when there is one.
    pub fn guard_owner(&self) -> Option<TrailOwner> {
        match self.mode {
            TrailMode::Off => None,
            TrailMode::Organization => Some(TrailOwner::Management),
            TrailMode::Existing => Some(self.owner.unwrap_or_default()),
        }
    }

    /// The S3 key prefix of an organization trail sessionlog creates.
    pub fn organization_prefix(&self) -> &str {
        self.key_prefix.as_deref().unwrap_or(DEFAULT_TRAIL_PREFIX)
    }
}

/// Default S3 key prefix of the organization trail.
pub const DEFAULT_TRAIL_PREFIX: &str = "cloudtrail";

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scp {
    /// Create the service control policy and attach it to
    /// `targets.organizational_units`.
    #[serde(default)]
    pub enabled: bool,
    /// Roles the SCP does not apply to, by name or path pattern (`*` and `?`
    /// allowed), like `BreakGlassAdmin` or `emergency/*`: matched as
    /// `arn:<partition>:iam::*:role/<pattern>`. The StackSet execution role
    /// and sessionlog's own roles are always exempt.
    /// The same SCP denies everyone else creating a role of these names,
    /// changing their trust or permissions, passing or assuming them: a
    /// break-glass role is created by a StackSet (or before the SCP is
    /// attached) and assumed from the management account or through IAM
    /// Identity Center.
    #[serde(default)]
    #[schemars(inner(pattern(ROLE_PATTERN)))]
    pub break_glass_roles: Vec<String>,
    /// Remote-access paths the organization allows without a transcript or
    /// recording. Default: none; each one allowed is a warning.
    #[serde(default)]
    pub unlogged_access: UnloggedAccess,
}

/// Ways to an interactive shell or desktop that Session Manager's logging
/// does not record. Everything here is denied by the remote-access SCP unless
/// allowed; see docs/threat-model.md for the whole table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnloggedAccess {
    /// Session documents other than `SSM-SessionManagerRunShell` that may be
    /// used (`AWS-StartSSHSession`, `AWS-StartPortForwardingSession`,
    /// `AWS-StartPortForwardingSessionToRemoteHost`,
    /// `AWS-StartInteractiveCommand`, your own…): none of them is logged. An
    /// operator profile's `documents` must be listed here when the SCP is on.
    #[serde(default)]
    #[schemars(inner(pattern(SSM_DOCUMENT_NAME)))]
    pub session_documents: Vec<String>,
    /// EC2 Instance Connect: `SendSSHPublicKey` and the Instance Connect
    /// Endpoint's `OpenTunnel` (SSH/RDP straight to the instance).
    #[serde(default)]
    pub instance_connect: bool,
    /// The EC2 serial console (`SendSerialConsoleSSHPublicKey`).
    #[serde(default)]
    pub serial_console: bool,
    /// ECS Exec (`ecs:ExecuteCommand`) into containers, logged only by the
    /// cluster's own `executeCommandConfiguration`.
    #[serde(default)]
    pub ecs_exec: bool,
    /// Fleet Manager Remote Desktop where it is not recorded: every region
    /// when `rdp_recording` is off, else the regions AWS offers no recording in.
    #[serde(default)]
    pub unrecorded_rdp: bool,
    /// Sessions in regions outside `regions`, where sessionlog deploys no
    /// preferences (so nothing is logged).
    #[serde(default)]
    pub other_regions: bool,
}

impl UnloggedAccess {
    /// `(key, what)` of every path allowed, for warnings.
    pub fn allowed(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .session_documents
            .iter()
            .enumerate()
            .map(|(i, d)| (format!("session_documents/{i}"), format!("sessions through `{d}`")))
            .collect();
        for (on, key, what) in [
            (self.instance_connect, "instance_connect", "EC2 Instance Connect (SSH or RDP straight to instances)"),
            (self.serial_console, "serial_console", "the EC2 serial console"),
            (self.ecs_exec, "ecs_exec", "ECS Exec into containers"),
            (self.unrecorded_rdp, "unrecorded_rdp", "Fleet Manager Remote Desktop without a recording"),
            (self.other_regions, "other_regions", "sessions in regions outside `regions`"),
        ] {
            if on {
                out.push((key.to_string(), what.to_string()));
            }
        }
        out
    }
}

/// The log-archive account's guard.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogArchiveGuard {
    /// A service control policy attached to the log-archive account: nobody
    /// there but `log_archive.access_role` (the role `deploy` assumes from the
    /// management account) and `break_glass_roles` may schedule the deletion
    /// of the archive keys, disable them or change their policy, change the
    /// bucket's policy, versioning, Object Lock, lifecycle or encryption,
    /// delete object versions or bypass governance retention, or change the
    /// log copy's destinations and streams.
    #[serde(default)]
    pub scp: bool,
    /// Roles of the log-archive account the SCP exempts (and protects), by
    /// name or path pattern.
    #[serde(default)]
    #[schemars(inner(pattern(ROLE_PATTERN)))]
    pub break_glass_roles: Vec<String>,
    /// An EventBridge rule in every log-archive region that publishes to an
    /// SNS topic when anyone schedules a key's deletion, disables a key or
    /// changes its policy, or changes the bucket's policy, versioning,
    /// lifecycle or Object Lock.
    #[serde(default)]
    pub alarm: bool,
    /// Email addresses subscribed to the alarm topic (each must confirm).
    #[serde(default)]
    #[schemars(inner(pattern(EMAIL)))]
    pub alarm_emails: Vec<String>,
}

fn default_trail() -> String {
    "sessionlog-organization".into()
}
