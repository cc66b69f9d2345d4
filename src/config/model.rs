//! The configuration file's types. Doc comments become the JSON Schema's
//! descriptions; `schemars` attributes carry each value's allowed range, so
//! the committed schema and the checks the tool runs are one thing.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::patterns::*;

pub use super::athena::{Athena, AuditorRole};
pub use super::guardrails::{CloudTrail, Guardrails, Scp, TrailMode, TrailOwner};

/// A sessionlog configuration: one AWS Organization's centralized Session
/// Manager and RDP recording logging.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "sessionlog configuration")]
pub struct Config {
    /// The AWS Organization.
    pub organization: Organization,
    /// The central log-archive account: bucket and keys.
    pub log_archive: LogArchive,
    /// Member regions: where member accounts log sessions (known AWS
    /// regions, all of one partition). Each region other than the home
    /// region gets a replica of every key used there (session encryption,
    /// log groups, RDP recording).
    #[schemars(length(min = 1), inner(pattern(REGION)))]
    pub regions: Vec<String>,
    /// Which member accounts receive the StackSet instances.
    pub targets: Targets,
    /// Session Manager preferences written to every member account and region.
    #[serde(default)]
    pub session_manager: SessionManager,
    /// RDP connection recording (Fleet Manager GUI connect).
    #[serde(default)]
    pub rdp_recording: RdpRecording,
    /// The tamper-proof copy (seed 002).
    #[serde(default)]
    pub log_copy: LogCopy,
    /// The IAM managed policy for the instances' role.
    #[serde(default)]
    pub instance_policy: InstancePolicy,
    /// How the member StackSets are created and rolled out.
    #[serde(default)]
    pub stack_set: StackSet,
    /// What keeps logging on: a CloudTrail trail and its AWS Config guard,
    /// the preferences watch, and a service control policy. All off by default.
    #[serde(default)]
    pub guardrails: Guardrails,
    /// Tags added to every taggable resource and to the stacks. Keys may
    /// not start with `aws:` (reserved by AWS).
    #[serde(default)]
    #[schemars(extend("propertyNames" = {"pattern": TAG_KEY}))]
    pub tags: BTreeMap<String, String>,
    /// Who may start sessions on which instances, when, and how.
    #[serde(default)]
    pub operators: super::operators::Operators,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// Organization id, `o-` followed by 10 to 32 lowercase letters or digits.
    #[schemars(pattern(ORG_ID))]
    pub id: String,
    /// The management account id (12 digits, quoted). StackSets are created
    /// here (or by a delegated administrator) and never deploy to it.
    #[schemars(pattern(ACCOUNT_ID))]
    pub management_account: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogArchive {
    /// The log-archive account id (12 digits, quoted); not the management
    /// account.
    #[schemars(pattern(ACCOUNT_ID))]
    pub account: String,
    /// Home region: the bucket and the multi-region primary keys live here.
    #[schemars(pattern(REGION))]
    pub region: String,
    /// One key for everything, or split keys (seed 001's Key 1/Key 2).
    #[serde(default)]
    pub keys: KeyLayout,
    /// Alias prefix of the keys: aliases `<prefix>/archive` and
    /// `<prefix>/session` in every region.
    #[serde(default = "default_alias_prefix")]
    #[schemars(pattern(ALIAS_PREFIX))]
    pub key_alias_prefix: String,
    /// The bucket.
    #[serde(default)]
    pub bucket: BucketConfig,
    /// Name of the log-archive stack; the replica stacks (in the other
    /// member regions) are `<name>-replica`.
    #[serde(default = "default_archive_stack_name")]
    #[schemars(pattern(STACK_NAME))]
    pub stack_name: String,
    /// Role `deploy` assumes in the log-archive account.
    #[serde(default = "default_access_role")]
    #[schemars(pattern(ROLE_NAME))]
    pub access_role: String,
    /// Amazon Athena over the archive: Glue tables, a workgroup, an auditor role.
    #[serde(default)]
    pub athena: Athena,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum KeyLayout {
    /// One key for the bucket, RDP recordings, session streams and log groups.
    #[default]
    Single,
    /// Key 1 (`archive`) for the bucket and RDP recordings; Key 2
    /// (`session`) for session streams and log groups, created only when
    /// sessions are encrypted or CloudWatch logging is on.
    Split,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketConfig {
    /// Bucket name. Default: `sessionlog-<log-archive account>-<home region>`.
    /// S3's naming rules, and no dots (virtual-hosted TLS access to dotted
    /// names fails), no reserved prefixes (`xn--`, `sthree-`,
    /// `amzn-s3-demo-`) or suffixes (`-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`).
    #[serde(default)]
    #[schemars(pattern(BUCKET_NAME), length(min = 3, max = 63))]
    pub name: Option<String>,
    /// Key prefix under which every account writes; each account may write
    /// only below `<prefix>/<account id>/`.
    #[serde(default = "default_key_prefix")]
    #[schemars(pattern(KEY_PREFIX))]
    pub key_prefix: String,
    /// S3 Object Lock (write-once-read-many): every new object version is
    /// kept for `days` whatever anyone asks. On by default, in `GOVERNANCE`
    /// mode for 365 days; `{mode: "OFF"}` turns it off. Once on for a bucket,
    /// S3 never turns it off again (nor versioning).
    #[serde(default)]
    pub object_lock: ObjectLock,
    /// Lifecycle of log objects. Not set: objects are kept until someone in
    /// the log-archive account deletes them.
    #[serde(default)]
    pub lifecycle: Option<Lifecycle>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectLock {
    /// `GOVERNANCE`: only a principal allowed `s3:BypassGovernanceRetention`
    /// may delete a version early — with `guardrails.log_archive.scp`, only
    /// the log archive's exempt roles. `COMPLIANCE`: nobody can, not even the
    /// account's root user, until the retention ends. `OFF`: no Object Lock.
    #[serde(default)]
    pub mode: ObjectLockMode,
    /// Default retention of every new object version, in days.
    #[serde(default = "default_lock_days")]
    #[schemars(range(min = 1, max = 36500))]
    pub days: u32,
}

impl Default for ObjectLock {
    fn default() -> Self {
        ObjectLock { mode: ObjectLockMode::default(), days: default_lock_days() }
    }
}

fn default_lock_days() -> u32 {
    365
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum ObjectLockMode {
    #[default]
    Governance,
    Compliance,
    Off,
}

impl ObjectLockMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectLockMode::Governance => "GOVERNANCE",
            ObjectLockMode::Compliance => "COMPLIANCE",
            ObjectLockMode::Off => "OFF",
        }
    }
}

impl BucketConfig {
    /// The Object Lock to apply, `None` when it is off.
    pub fn object_lock(&self) -> Option<&ObjectLock> {
        (self.object_lock.mode != ObjectLockMode::Off).then_some(&self.object_lock)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// Storage class objects move to.
    #[serde(default)]
    pub transition_to: Option<StorageClass>,
    /// Days after creation before the transition.
    #[serde(default)]
    #[schemars(range(min = 0, max = 36500))]
    pub transition_after_days: Option<u32>,
    /// Days after creation before current versions expire. Must exceed the
    /// Object Lock retention and the transition day.
    #[serde(default)]
    #[schemars(range(min = 1, max = 36500))]
    pub expire_after_days: Option<u32>,
    /// Days a noncurrent (overwritten) version is kept. At least
    /// `expire_after_days`, and unset when current versions never expire: an
    /// instance may overwrite its own logs, and the original must outlive it.
    /// Unset: noncurrent versions are kept until the log-archive account deletes them.
    #[serde(default)]
    #[schemars(range(min = 1, max = 36500))]
    pub noncurrent_expire_after_days: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StorageClass {
    StandardIa,
    OnezoneIa,
    IntelligentTiering,
    GlacierIr,
    Glacier,
    DeepArchive,
}

impl StorageClass {
    /// The value CloudFormation's `StorageClass` takes.
    pub fn cfn_name(self) -> &'static str {
        match self {
            StorageClass::StandardIa => "STANDARD_IA",
            StorageClass::OnezoneIa => "ONEZONE_IA",
            StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
            StorageClass::GlacierIr => "GLACIER_IR",
            StorageClass::Glacier => "GLACIER",
            StorageClass::DeepArchive => "DEEP_ARCHIVE",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Organizational unit ids (`ou-…`) or the root (`r-…`).
    #[schemars(length(min = 1), inner(pattern(OU_OR_ROOT)))]
    pub organizational_units: Vec<String>,
    /// Accounts in those OUs that get no stack instances.
    #[serde(default)]
    #[schemars(inner(pattern(ACCOUNT_ID)))]
    pub exclude_accounts: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionManager {
    /// Minutes of inactivity before a session ends (1–60). Written into the
    /// preferences document as a string, as the console expects.
    #[serde(default = "default_idle")]
    #[schemars(range(min = 1, max = 60))]
    pub idle_session_timeout: u32,
    /// Longest a session may last, in minutes (1–1440).
    #[serde(default = "default_max_duration")]
    #[schemars(range(min = 1, max = 1440))]
    pub max_session_duration: u32,
    /// Run Linux sessions as a given OS user instead of `ssm-user`.
    #[serde(default)]
    pub run_as: RunAs,
    /// Commands run at the start of every session.
    #[serde(default)]
    pub shell_profile: ShellProfile,
    /// Encrypt session data between client and node with the session key
    /// (`kmsKeyId`). Users who start sessions then need
    /// `kms:GenerateDataKey` on that key in their own IAM policies.
    #[serde(default = "yes")]
    pub encrypt_sessions: bool,
    /// How the `SSM-SessionManagerRunShell` preferences document is managed.
    #[serde(default)]
    pub document: DocumentMode,
    /// Session logs to CloudWatch Logs, in each member account and region.
    #[serde(default)]
    pub cloudwatch: CloudWatch,
    /// Session logs to the central bucket.
    #[serde(default)]
    pub s3: S3Logging,
}

impl Default for SessionManager {
    fn default() -> Self {
        SessionManager {
            idle_session_timeout: default_idle(),
            max_session_duration: default_max_duration(),
            run_as: RunAs::default(),
            shell_profile: ShellProfile::default(),
            encrypt_sessions: true,
            document: DocumentMode::default(),
            cloudwatch: CloudWatch::default(),
            s3: S3Logging::default(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunAs {
    /// Run Linux sessions as another OS user than `ssm-user` (the
    /// document's `runAsEnabled`).
    #[serde(default)]
    pub enabled: bool,
    /// The OS user sessions run as when enabled.
    #[serde(default)]
    #[schemars(pattern(OS_USER))]
    pub default_user: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShellProfile {
    /// Commands run at the start of every Linux session (empty: none).
    #[serde(default)]
    #[schemars(length(max = 4096))]
    pub linux: String,
    /// Commands run at the start of every Windows session (empty: none).
    #[serde(default)]
    #[schemars(length(max = 4096))]
    pub windows: String,
    /// Show this instance tag (seed 003: `Hostname`) in the Linux prompt,
    /// read through IMDSv2 instance-metadata tags; the instance id when the
    /// instance does not serve its tags in metadata. What the instance needs:
    /// docs/operators.md#operator-access.
    #[serde(default)]
    #[schemars(pattern(IMDS_TAG_KEY))]
    pub prompt_tag: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DocumentMode {
    /// A custom resource creates the document or, when it already exists
    /// (as it does once anyone opened the console's preferences), updates it
    /// and makes the new version the default. On delete it restores the
    /// default preferences instead of deleting the document.
    #[default]
    Upsert,
    /// A plain `AWS::SSM::Document`: fails with `DocumentAlreadyExists` in
    /// accounts and regions where the document exists.
    Create,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloudWatch {
    /// Send session logs to a CloudWatch Logs log group (encrypted with the
    /// session key).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Log group name, the same in every member account and region.
    #[serde(default = "default_log_group")]
    #[schemars(pattern(LOG_GROUP_NAME), length(min = 1, max = 512))]
    pub log_group_name: String,
    /// Days CloudWatch Logs keeps events (one of CloudWatch's allowed values).
    #[serde(default = "default_retention")]
    #[schemars(extend("enum" = RETENTION_DAYS))]
    pub retention_days: u32,
    /// Stream session data as it happens (otherwise uploaded at session end).
    #[serde(default = "yes")]
    pub streaming: bool,
}

impl Default for CloudWatch {
    fn default() -> Self {
        CloudWatch {
            enabled: true,
            log_group_name: default_log_group(),
            retention_days: default_retention(),
            streaming: true,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3Logging {
    /// Upload session logs to the central bucket.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Sub-prefix for session logs: objects go to
    /// `<bucket.key_prefix>/<account>/<region>/<this>/`.
    #[serde(default = "default_session_prefix")]
    #[schemars(pattern(KEY_SEGMENT))]
    pub key_prefix: String,
}

impl Default for S3Logging {
    fn default() -> Self {
        S3Logging { enabled: true, key_prefix: default_session_prefix() }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RdpRecording {
    /// Record RDP connections into the bucket, encrypted with the archive
    /// key of the node's region.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// In regions without `AWS::SSMGuiConnect::Preferences`: `skip` deploys
    /// them through a separate StackSet without RDP recording; `error` makes
    /// such a region a configuration error.
    #[serde(default)]
    pub unsupported_regions: UnsupportedRegions,
}

impl Default for RdpRecording {
    fn default() -> Self {
        RdpRecording { enabled: true, unsupported_regions: UnsupportedRegions::default() }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UnsupportedRegions {
    #[default]
    Skip,
    Error,
}

/// Session logs copied from the member accounts' CloudWatch Logs into the
/// central bucket (seed 002): a subscription filter on every member log group
/// sends to a CloudWatch Logs destination of the log-archive account in the
/// same region, whose Amazon Data Firehose stream writes to the bucket. The
/// instances can overwrite what they upload to S3 themselves; they cannot
/// touch this copy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogCopy {
    /// The copy through CloudWatch Logs destinations and Firehose. Off by
    /// default: Firehose is billed per GB (docs/log-copy.md#what-the-copy-costs).
    /// Needs `session_manager.cloudwatch`.
    #[serde(default)]
    pub enabled: bool,
    /// Sub-prefix of the copy: objects go to
    /// `<bucket.key_prefix>/<account>/<region>/<this>/<yyyy>/<MM>/<dd>/`; records Firehose
    /// cannot deliver go to `<bucket.key_prefix>/<log-archive account>/<region>/<this>-errors/`.
    /// Must differ from `session_manager.s3.key_prefix` (where the instances
    /// write).
    #[serde(default = "default_copy_prefix")]
    #[schemars(pattern(KEY_SEGMENT))]
    pub key_prefix: String,
    /// Name of the CloudWatch Logs destination, the Firehose stream and the
    /// subscription filters, the same in every region; the Firehose roles
    /// live under the IAM path `/<name>/firehose/`.
    #[serde(default = "default_copy_name")]
    #[schemars(pattern(FIREHOSE_NAME))]
    pub name: String,
    /// CloudWatch Logs filter pattern of the subscription; empty copies every event.
    #[serde(default)]
    #[schemars(length(max = 1024))]
    pub filter_pattern: String,
    /// Firehose buffer size in MiB before an object is written (64-128:
    /// Firehose needs at least 64 with dynamic partitioning).
    #[serde(default = "default_buffer_size")]
    #[schemars(range(min = 64, max = 128))]
    pub buffer_size_mb: u32,
    /// Seconds Firehose buffers before writing an object (60-900). Longer:
    /// fewer, larger objects (cheaper); shorter: fresher copies.
    #[serde(default = "default_buffer_interval")]
    #[schemars(range(min = 60, max = 900))]
    pub buffer_interval_seconds: u32,
    /// Days the log-archive account keeps Firehose's delivery-error log
    /// (one of CloudWatch's values).
    #[serde(default = "default_error_log_retention")]
    #[schemars(extend("enum" = RETENTION_DAYS))]
    pub error_log_retention_days: u32,
    /// In regions without `AWS::Logs::Destination`,
    /// `AWS::Logs::SubscriptionFilter` or `AWS::KinesisFirehose::DeliveryStream`:
    /// `skip` deploys them without the copy (their own StackSet and replica
    /// template); `error` makes such a region a configuration error.
    /// (cfn-lint 1.51's data has all three in every region.)
    #[serde(default)]
    pub unsupported_regions: UnsupportedRegions,
}

impl Default for LogCopy {
    fn default() -> Self {
        LogCopy {
            enabled: false,
            key_prefix: default_copy_prefix(),
            name: default_copy_name(),
            filter_pattern: String::new(),
            buffer_size_mb: default_buffer_size(),
            buffer_interval_seconds: default_buffer_interval(),
            error_log_retention_days: default_error_log_retention(),
            unsupported_regions: UnsupportedRegions::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstancePolicy {
    /// Managed policy name (created once per account).
    #[serde(default = "default_policy_name")]
    #[schemars(pattern(POLICY_NAME))]
    pub name: String,
    /// Role names the policy is attached to. Each must exist in every target
    /// account, or its stack instance fails.
    #[serde(default)]
    #[schemars(inner(pattern(ROLE_NAME)))]
    pub attach_to_roles: Vec<String>,
    /// Also attach to the Default Host Management Configuration role,
    /// `AWSSystemsManagerDefaultEC2InstanceManagementRole`.
    #[serde(default)]
    pub attach_to_default_host_management_role: bool,
    /// Region of the single-region StackSet that holds the account's IAM
    /// resources (IAM is global); one of `regions`. Default: the log-archive
    /// home region if it is a member region, else the first of `regions`.
    #[serde(default)]
    #[schemars(pattern(REGION))]
    pub region: Option<String>,
}

impl Default for InstancePolicy {
    fn default() -> Self {
        InstancePolicy {
            name: default_policy_name(),
            attach_to_roles: Vec::new(),
            attach_to_default_host_management_role: false,
            region: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StackSet {
    /// Prefix of the StackSet names: `<prefix>-member-iam`,
    /// `<prefix>-member-regional`, `<prefix>-member-regional-no-rdp` (and
    /// `-member-regional-no-copy`, `-member-regional-no-rdp-no-copy` where
    /// the log copy's types are missing).
    #[serde(default = "default_stack_set_prefix")]
    #[schemars(pattern(STACK_SET_PREFIX))]
    pub name_prefix: String,
    /// `SELF` from the management account, `DELEGATED_ADMIN` from a
    /// registered delegated administrator.
    #[serde(default)]
    pub call_as: CallAsConfig,
    /// Region where the StackSets are administered. Default: log-archive home region.
    #[serde(default)]
    #[schemars(pattern(REGION))]
    pub admin_region: Option<String>,
    /// Automatic deployment to accounts that join or leave the target OUs.
    #[serde(default)]
    pub auto_deployment: AutoDeploymentConfig,
    /// How a StackSet operation rolls out across regions and accounts.
    #[serde(default)]
    pub operation_preferences: OperationPreferencesConfig,
}

impl Default for StackSet {
    fn default() -> Self {
        StackSet {
            name_prefix: default_stack_set_prefix(),
            call_as: CallAsConfig::default(),
            admin_region: None,
            auto_deployment: AutoDeploymentConfig::default(),
            operation_preferences: OperationPreferencesConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CallAsConfig {
    #[default]
    #[serde(rename = "SELF")]
    SelfAccount,
    DelegatedAdmin,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoDeploymentConfig {
    /// Deploy to accounts that join the target OUs later.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Keep an account's stacks when it leaves the OUs. Default false; the
    /// log groups are retained either way.
    #[serde(default)]
    pub retain_stacks_on_account_removal: bool,
}

impl Default for AutoDeploymentConfig {
    fn default() -> Self {
        AutoDeploymentConfig { enabled: true, retain_stacks_on_account_removal: false }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationPreferencesConfig {
    /// Deploy to the regions one after another or all at once.
    #[serde(default)]
    pub region_concurrency: RegionConcurrency,
    /// Accounts deployed at once per region: `{count: N}` or `{percentage: P}`.
    #[serde(default = "default_max_concurrent")]
    pub max_concurrent: AmountConfig,
    /// Failed accounts tolerated per region before the operation stops.
    #[serde(default = "default_failure_tolerance")]
    pub failure_tolerance: AmountConfig,
    /// How concurrency behaves as failures approach the tolerance.
    #[serde(default)]
    pub concurrency_mode: ConcurrencyMode,
}

impl Default for OperationPreferencesConfig {
    fn default() -> Self {
        OperationPreferencesConfig {
            region_concurrency: RegionConcurrency::default(),
            max_concurrent: default_max_concurrent(),
            failure_tolerance: default_failure_tolerance(),
            concurrency_mode: ConcurrencyMode::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RegionConcurrency {
    Sequential,
    #[default]
    Parallel,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConcurrencyMode {
    /// Lowers concurrency as failures approach the tolerance.
    StrictFailureTolerance,
    /// Keeps the requested concurrency up to the failure tolerance.
    #[default]
    SoftFailureTolerance,
}

// A count or a percentage (the property says of what).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum AmountConfig {
    Count(#[schemars(range(min = 0, max = 10000))] u32),
    Percentage(#[schemars(range(min = 0, max = 100))] u32),
}

fn yes() -> bool {
    true
}
fn default_alias_prefix() -> String {
    "alias/sessionlog".into()
}
fn default_archive_stack_name() -> String {
    "sessionlog-log-archive".into()
}
fn default_access_role() -> String {
    "OrganizationAccountAccessRole".into()
}
fn default_key_prefix() -> String {
    "accounts".into()
}
fn default_session_prefix() -> String {
    "session-manager".into()
}
fn default_idle() -> u32 {
    20
}
fn default_max_duration() -> u32 {
    60
}
fn default_log_group() -> String {
    "/sessionlog/session-manager".into()
}
fn default_retention() -> u32 {
    365
}
fn default_copy_prefix() -> String {
    "cloudwatch".into()
}
fn default_copy_name() -> String {
    "sessionlog-session-logs".into()
}
fn default_buffer_size() -> u32 {
    64
}
fn default_buffer_interval() -> u32 {
    300
}
fn default_error_log_retention() -> u32 {
    90
}
fn default_policy_name() -> String {
    "sessionlog-session-logging".into()
}
fn default_stack_set_prefix() -> String {
    "sessionlog".into()
}
/// Every account of a Region at once: measured on the StackSets simulator
/// (docs/scale.md), 25% takes four rounds of stack instances where 100%
/// takes one; with SOFT_FAILURE_TOLERANCE a failure does not slow the rest.
fn default_max_concurrent() -> AmountConfig {
    AmountConfig::Percentage(100)
}
fn default_failure_tolerance() -> AmountConfig {
    AmountConfig::Count(0)
}
