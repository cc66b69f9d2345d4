//! The service control policies (issue 17: tamper resistance against the
//! people sessionlog exists to stop). Three policies, each within
//! Organizations' limit of 5,120 characters (counted on the minified JSON),
//! two of the five a target may have:
//!
//! - **Session logging protection** (the target OUs): member principals may
//!   not turn session logging off or weaken it — the preferences document,
//!   the log group, the trail, the instance policy, RDP recording, sessionlog's
//!   functions, rules and stacks. It exempts only roles it also protects:
//!   the `stacksets-exec-*` roles service-managed StackSets act through, the
//!   roles sessionlog creates (path `/sessionlog/`) and the configured
//!   break-glass roles. Nobody else may create a role of those names, change
//!   its trust or permissions, pass it to a service, or assume it.
//! - **Remote-access logging** (the target OUs): no way to an instance that
//!   leaves no transcript or recording — session documents other than the
//!   logged one, port forwarding except Fleet Manager's recorded RDP, sessions
//!   in regions without sessionlog's preferences, RDP where it is not
//!   recorded, EC2 Instance Connect, the serial console, ECS Exec — unless the
//!   configuration allows the path (`guardrails.scp.unlogged_access`). It
//!   exempts nobody, so there is nothing to take over.
//! - **Log-archive protection** (the log-archive account alone, with
//!   `guardrails.log_archive.scp`): nobody there but the role `deploy`
//!   assumes from the management account and the log archive's break-glass
//!   roles may delete or disable the archive keys, change their policy, or
//!   weaken the bucket (policy, versioning, Object Lock, lifecycle,
//!   encryption, deleting versions, bypassing governance retention) or the
//!   log copy's destinations and streams.
//!
//! The protection policies also keep their accounts in the organization
//! (leaving it would leave the policies behind).

use serde_json::Value;

use crate::aws::regions;
use crate::config::model::{Config, TrailMode};
use crate::model::iam::{PolicyDocument, Statement};
use crate::model::resources::organizations::Policy;
use crate::model::{Expr, Resource, Template};

use super::super::names::{Names, SESSION_DOCUMENT};
use super::super::operators::{GUI_CONNECT_SERVICE, RDP_DOCUMENT};
use super::super::tags::{resource_tags, COMPONENT_TAG};
use super::{GuardNames, ROLE_PATH, RUNBOOK_PREFIX};

/// Logical id of the session logging protection policy.
pub const POLICY: &str = "SessionLoggingProtection";
/// Logical id of the remote-access logging policy.
pub const REMOTE_ACCESS_POLICY: &str = "RemoteAccessLogging";
/// Logical id of the log archive's policy.
pub const LOG_ARCHIVE_POLICY: &str = "LogArchiveProtection";
/// Organizations' size limit of a service control policy, in characters.
pub const MAX_SIZE: usize = 5120;
/// The roles service-managed StackSets act through in member accounts
/// (created by the `AWSServiceRoleForCloudFormationStackSetsOrgMember`
/// service-linked role, assumed by the management account's StackSets
/// service-linked role).
pub const STACKSETS_EXEC_ROLE_PATTERN: &str = "stacksets-exec-*";

/// What each statement's name says it protects, for the proofs.
pub const LEAVE_ORGANIZATION: &str = "StayInOrganization";

fn arn(rest: &str) -> Expr {
    Expr::sub(format!("arn:${{AWS::Partition}}:{rest}"))
}

/// One of the policies: where it goes and what it says.
pub struct Scp {
    pub logical_id: &'static str,
    pub name: String,
    pub description: &'static str,
    pub targets: Vec<String>,
    pub document: PolicyDocument,
}

/// The policies the configuration asks for.
pub fn policies(c: &Config) -> Vec<Scp> {
    let mut out = Vec::new();
    let prefix = &c.stack_set.name_prefix;
    if c.guardrails.scp.enabled {
        out.push(Scp {
            logical_id: POLICY,
            name: format!("{prefix}-session-logging-protection"),
            description: "sessionlog: member principals may not turn Session Manager and RDP session logging off",
            targets: c.targets.organizational_units.clone(),
            document: document(c),
        });
        out.push(Scp {
            logical_id: REMOTE_ACCESS_POLICY,
            name: format!("{prefix}-remote-access-logging"),
            description: "sessionlog: no way to an instance that leaves no transcript or recording",
            targets: c.targets.organizational_units.clone(),
            document: remote_access_document(c),
        });
    }
    if c.guardrails.log_archive.scp {
        out.push(Scp {
            logical_id: LOG_ARCHIVE_POLICY,
            name: format!("{prefix}-log-archive-protection"),
            description: "sessionlog: nobody in the log-archive account may destroy or weaken the archive",
            targets: vec![c.log_archive.account.clone()],
            document: log_archive_document(c),
        });
    }
    out
}

/// Principals the session logging protection does not apply to: each is a
/// role the same policy protects.
pub fn exempt_principals(c: &Config) -> Vec<Expr> {
    let mut out = vec![
        arn(&format!("iam::*:role/{STACKSETS_EXEC_ROLE_PATTERN}")),
        arn(&format!("iam::*:role{ROLE_PATH}*")),
    ];
    out.extend(break_glass(&c.guardrails.scp.break_glass_roles, "*"));
    out
}

fn break_glass<'a>(roles: &'a [String], account: &'a str) -> impl Iterator<Item = Expr> + 'a {
    roles.iter().map(move |r| arn(&format!("iam::{account}:role/{r}")))
}

/// Excluded accounts get no sessionlog resources: nothing there is
/// sessionlog's to protect or to log.
fn unless_excluded(c: &Config, s: Statement) -> Statement {
    let excluded = &c.targets.exclude_accounts;
    if excluded.is_empty() {
        return s;
    }
    s.condition_any(
        "StringNotEquals",
        "aws:PrincipalAccount",
        excluded.iter().map(Expr::lit).collect(),
    )
}

/// A deny that applies unless the caller is exempt (or in an excluded account).
fn deny(c: &Config, sid: &str) -> Statement {
    unless_excluded(
        c,
        Statement::deny(sid).condition_any("ArnNotLike", "aws:PrincipalArn", exempt_principals(c)),
    )
}

/// Changing a role's trust or permissions, passing it to a service, or
/// assuming it (`iam:Create*` also covers creating a role of that name).
const ROLE_ACTIONS: [&str; 11] = [
    "iam:Attach*",
    "iam:Create*",
    "iam:Delete*",
    "iam:Detach*",
    "iam:PassRole",
    "iam:Put*",
    "iam:Tag*",
    "iam:Untag*",
    "iam:Update*",
    "sts:AssumeRole",
    "sts:SetSourceIdentity",
];

/// The session logging protection.
pub fn document(c: &Config) -> PolicyDocument {
    let names = Names::new(c);
    let g = GuardNames::new(c);
    let policy = &c.instance_policy.name;
    let prefix = &c.stack_set.name_prefix;
    // One statement for everything named by ARN: an action only ever
    // matches the resources of its own service and type.
    let mut actions: Vec<&str> = vec![
        "ssm:CreateDocument",
        "ssm:DeleteDocument",
        "ssm:UpdateDocument*",
    ];
    let mut resources = vec![arn(&format!("ssm:*:*:document/{SESSION_DOCUMENT}"))];
    if c.session_manager.cloudwatch.enabled {
        actions.extend([
            "logs:AssociateKmsKey",
            "logs:CreateLogGroup",
            "logs:DeleteDataProtectionPolicy",
            "logs:DeleteLogGroup",
            "logs:DeleteLogStream",
            "logs:DeleteRetentionPolicy",
            "logs:DeleteSubscriptionFilter",
            "logs:DisassociateKmsKey",
            "logs:PutDataProtectionPolicy",
            "logs:PutRetentionPolicy",
            "logs:PutSubscriptionFilter",
            "logs:PutTransformer",
        ]);
        let group = names.log_group();
        resources.push(arn(&format!("logs:*:*:log-group:{group}")));
        resources.push(arn(&format!("logs:*:*:log-group:{group}:*")));
    }
    // The instance policy's content and versions; sessionlog's roles, the
    // StackSets' execution roles and the break-glass roles: nobody else may
    // create, re-trust, change, pass or assume them.
    actions.extend(ROLE_ACTIONS);
    actions.push("iam:SetDefaultPolicyVersion");
    resources.push(arn(&format!("iam::*:policy/{policy}")));
    resources.push(arn(&format!("iam::*:role{ROLE_PATH}*")));
    resources.push(arn(&format!("iam::*:role/{STACKSETS_EXEC_ROLE_PATTERN}")));
    resources.extend(break_glass(&c.guardrails.scp.break_glass_roles, "*"));
    // sessionlog's functions and rules (watch, upsert, log group) and the
    // StackSets' stacks in each account: CloudFormation names them all
    // `StackSet-<StackSet name>-…`. Invoking a function, changing its code,
    // configuration, concurrency or permissions, the rules' targets, or the
    // stacks (which would run the functions with the caller's template).
    actions.extend([
        "lambda:Add*",
        "lambda:Create*",
        "lambda:Delete*",
        "lambda:Invoke*",
        "lambda:Publish*",
        "lambda:Put*",
        "lambda:Remove*",
        "lambda:Tag*",
        "lambda:Untag*",
        "lambda:Update*",
        "events:DeleteRule",
        "events:DisableRule",
        "events:PutRule",
        "events:PutTargets",
        "events:RemoveTargets",
        "events:TagResource",
        "events:UntagResource",
        "cloudformation:CancelUpdateStack",
        "cloudformation:ContinueUpdateRollback",
        "cloudformation:CreateChangeSet",
        "cloudformation:CreateStack",
        "cloudformation:DeleteStack",
        "cloudformation:ExecuteChangeSet",
        "cloudformation:RollbackStack",
        "cloudformation:SetStackPolicy",
        "cloudformation:SignalResource",
        "cloudformation:UpdateStack",
        "cloudformation:UpdateTerminationProtection",
    ]);
    resources.push(arn(&format!("lambda:*:*:function:StackSet-{prefix}-*")));
    resources.push(arn(&format!("events:*:*:rule/StackSet-{prefix}-*")));
    resources.push(arn(&format!("cloudformation:*:*:stack/StackSet-{prefix}-*")));
    if c.guardrails.cloudtrail.mode != TrailMode::Off {
        actions.extend([
            "cloudtrail:DeleteTrail",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:StopLogging",
            "cloudtrail:UpdateTrail",
        ]);
        resources.push(arn(&format!("cloudtrail:*:*:trail/{}", g.trail_name())));
    }
    if g.guard_in_members() {
        resources.push(arn(&format!("ssm:*:*:document/{RUNBOOK_PREFIX}*")));
    }
    let mut statements = vec![deny(c, "ProtectSessionLogging")
        .actions(&actions)
        .resources(resources)];
    if c.rdp_recording.enabled {
        statements.push(
            deny(c, "ProtectRdpRecording")
                .actions(&[
                    "ssm-guiconnect:DeleteConnectionRecordingPreferences",
                    "ssm-guiconnect:UpdateConnectionRecordingPreferences",
                ])
                .resource(Expr::lit("*")),
        );
    }
    if c.session_manager.cloudwatch.enabled {
        // Account-level policies (data protection, transformers, subscription
        // filters) apply to every log group, the session log group included:
        // a data protection policy masks what a transcript says, a
        // transformer rewrites it before it is stored.
        statements.push(
            deny(c, "NoAccountWideLogPolicies")
                .actions(&["logs:PutAccountPolicy"])
                .resource(Expr::lit("*")),
        );
    }
    let ip = &c.instance_policy;
    if !ip.attach_to_roles.is_empty() || ip.attach_to_default_host_management_role {
        statements.push(
            deny(c, "KeepInstancePolicyAttached")
                .actions(&["iam:DetachRolePolicy"])
                .resource(Expr::lit("*"))
                .condition(
                    "ArnLike",
                    "iam:PolicyARN",
                    arn(&format!("iam::*:policy/{policy}")),
                ),
        );
    }
    statements.push(
        deny(c, LEAVE_ORGANIZATION)
            .actions(&["organizations:LeaveOrganization"])
            .resource(Expr::lit("*")),
    );
    PolicyDocument::new(statements)
}

/// The remote-access logging policy: it exempts nobody.
pub fn remote_access_document(c: &Config) -> PolicyDocument {
    let open = &c.guardrails.scp.unlogged_access;
    let deny = |sid: &str| unless_excluded(c, Statement::deny(sid));
    let mut statements = Vec::new();
    // Sessions only through the logged document: any other document (AWS's
    // SSH, port forwarding, interactive commands, or one of the account's
    // own) is denied unless allowed. The targets (instances, managed nodes,
    // ECS tasks) are not documents; a session without a document uses the
    // logged one.
    let mut not_resources = vec![
        arn("ec2:*:*:instance/*"),
        arn("ssm:*:*:managed-instance/*"),
        arn("ecs:*:*:task/*"),
        arn(&format!("ssm:*:*:document/{SESSION_DOCUMENT}")),
        // Governed by the Fleet Manager statement below. AWS's documents are
        // named with the account `*` (their ARNs have none; nobody else may
        // create a document named `AWS-…`).
        arn(&format!("ssm:*:*:document/{RDP_DOCUMENT}")),
    ];
    for d in &open.session_documents {
        if d == RDP_DOCUMENT {
            continue;
        }
        not_resources.push(arn(&format!("ssm:*:*:document/{d}")));
    }
    statements.push(
        deny("OnlyLoggedSessionDocuments")
            .actions(&["ssm:StartSession"])
            .not_resources(not_resources),
    );
    // Port forwarding only as Fleet Manager's Remote Desktop, which GUI
    // Connect starts (and records); forwarding 3389 from the CLI is RDP
    // without a recording.
    if !open.session_documents.iter().any(|d| d == RDP_DOCUMENT) {
        statements.push(
            deny("PortForwardingOnlyThroughFleetManager")
                .actions(&["ssm:StartSession"])
                .resource(arn(&format!("ssm:*:*:document/{RDP_DOCUMENT}")))
                .condition(
                    "StringNotEqualsIfExists",
                    "aws:CalledViaFirst",
                    Expr::lit(GUI_CONNECT_SERVICE),
                ),
        );
    }
    // Sessions only where sessionlog deployed the preferences.
    if !open.other_regions {
        statements.push(
            deny("SessionsOnlyWhereLogged")
                .actions(&["ssm:StartSession", "ssm:ResumeSession"])
                .resource(Expr::lit("*"))
                .condition_any(
                    "StringNotEquals",
                    "aws:RequestedRegion",
                    c.regions.iter().map(Expr::lit).collect(),
                ),
        );
    }
    // Remote Desktop only where it is recorded.
    if !open.unrecorded_rdp {
        let recorded = Names::new(c).rdp_regions();
        let s = deny("RemoteDesktopOnlyWhereRecorded")
            .actions(&["ssm-guiconnect:StartConnection"])
            .resource(Expr::lit("*"));
        statements.push(if recorded.is_empty() {
            s
        } else {
            s.condition_any(
                "StringNotEquals",
                "aws:RequestedRegion",
                recorded.iter().map(Expr::lit).collect(),
            )
        });
    }
    let mut around: Vec<&str> = Vec::new();
    if !open.instance_connect {
        around.extend([
            "ec2-instance-connect:OpenTunnel",
            "ec2-instance-connect:SendSSHPublicKey",
        ]);
    }
    if !open.serial_console {
        around.push("ec2-instance-connect:SendSerialConsoleSSHPublicKey");
    }
    if !open.ecs_exec {
        around.push("ecs:ExecuteCommand");
    }
    if !around.is_empty() {
        statements.push(
            deny("NoShellAroundSessionManager")
                .actions(&around)
                .resource(Expr::lit("*")),
        );
    }
    PolicyDocument::new(statements)
}

/// Principals of the log-archive account the log-archive protection does
/// not apply to: the role `deploy` assumes there from the management
/// account, and the configured break-glass roles.
pub fn log_archive_exempt(c: &Config) -> Vec<Expr> {
    let account = &c.log_archive.account;
    let mut out = vec![arn(&format!(
        "iam::{account}:role/{}",
        c.log_archive.access_role
    ))];
    out.extend(break_glass(
        &c.guardrails.log_archive.break_glass_roles,
        account,
    ));
    out
}

/// The log-archive protection.
pub fn log_archive_document(c: &Config) -> PolicyDocument {
    let names = Names::new(c);
    let account = &c.log_archive.account;
    let bucket = names.bucket();
    let deny = |sid: &str| {
        Statement::deny(sid).condition_any("ArnNotLike", "aws:PrincipalArn", log_archive_exempt(c))
    };
    let mut statements = vec![
        // The archive and session keys, in every region, by their tag
        // (which the same statement keeps anyone from changing).
        deny("ProtectArchiveKeys")
            .actions(&[
                "kms:CreateAlias",
                "kms:DeleteAlias",
                "kms:DisableKey",
                "kms:DisableKeyRotation",
                "kms:PutKeyPolicy",
                "kms:ReplicateKey",
                "kms:ScheduleKeyDeletion",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:UpdateAlias",
                "kms:UpdatePrimaryRegion",
            ])
            .resource(Expr::lit("*"))
            .condition(
                "StringLike",
                &format!("aws:ResourceTag/{COMPONENT_TAG}"),
                Expr::lit("*-key"),
            ),
    ];
    let mut actions: Vec<&str> = vec![
        "s3:BypassGovernanceRetention",
        "s3:DeleteBucket",
        "s3:DeleteBucketPolicy",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:PutBucketAcl",
        "s3:PutBucketObjectLockConfiguration",
        "s3:PutBucketOwnershipControls",
        "s3:PutBucketPolicy",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketVersioning",
        "s3:PutEncryptionConfiguration",
        "s3:PutLifecycleConfiguration",
        "s3:PutObjectLegalHold",
        "s3:PutObjectRetention",
        "s3:PutReplicationConfiguration",
    ];
    let mut resources = vec![
        arn(&format!("s3:::{bucket}")),
        arn(&format!("s3:::{bucket}/*")),
    ];
    // The roles the policy exempts: nobody else may create, re-trust,
    // change, pass or assume them.
    actions.extend(ROLE_ACTIONS);
    resources.extend(log_archive_exempt(c));
    if c.log_copy.enabled {
        let name = names.log_copy_name();
        actions.extend([
            "firehose:DeleteDeliveryStream",
            "firehose:StopDeliveryStreamEncryption",
            "firehose:UpdateDestination",
            "logs:DeleteDestination",
            "logs:PutDestination",
            "logs:PutDestinationPolicy",
        ]);
        resources.push(arn(&format!("firehose:*:{account}:deliverystream/{name}")));
        resources.push(arn(&format!("logs:*:{account}:destination:{name}")));
        resources.push(arn(&format!(
            "iam::{account}:role{}*",
            names.log_copy_firehose_role_path()
        )));
    }
    statements.push(deny("ProtectArchive").actions(&actions).resources(resources));
    statements.push(
        deny(LEAVE_ORGANIZATION)
            .actions(&["organizations:LeaveOrganization"])
            .resource(Expr::lit("*")),
    );
    PolicyDocument::new(statements)
}

/// A policy as Organizations stores it: `${AWS::Partition}` resolved for
/// the stack's partition, `${!…}` policy variables unescaped, minified.
pub fn resolved_text_of(c: &Config, doc: &PolicyDocument) -> String {
    let partition = regions::partition(&GuardNames::new(c).region());
    fn walk(v: &Value, partition: &str) -> Value {
        match v {
            Value::Object(m) if m.len() == 1 && m.contains_key("Fn::Sub") => Value::String(
                m["Fn::Sub"]
                    .as_str()
                    .unwrap_or_default()
                    .replace("${AWS::Partition}", partition)
                    .replace("${!", "${"),
            ),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), walk(v, partition)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|v| walk(v, partition)).collect()),
            other => other.clone(),
        }
    }
    let value = serde_json::to_value(doc).expect("policy serializes");
    serde_json::to_string(&walk(&value, partition)).expect("policy serializes")
}

/// The session logging protection as Organizations stores it.
pub fn resolved_text(c: &Config) -> String {
    resolved_text_of(c, &document(c))
}

/// The size of the session logging protection as Organizations counts it.
pub fn size(c: &Config) -> usize {
    resolved_text(c).chars().count()
}

/// `(logical id, size)` of every policy.
pub fn sizes(c: &Config) -> Vec<(&'static str, usize)> {
    policies(c)
        .iter()
        .map(|p| (p.logical_id, resolved_text_of(c, &p.document).chars().count()))
        .collect()
}

pub fn add(t: &mut Template, c: &Config) {
    for p in policies(c) {
        let component = match p.logical_id {
            LOG_ARCHIVE_POLICY => "log-archive-scp",
            _ => "scp",
        };
        t.add(
            p.logical_id,
            Resource::new(Policy {
                name: p.name,
                description: p.description.into(),
                policy_type: "SERVICE_CONTROL_POLICY",
                content: p.document,
                target_ids: p.targets,
                tags: resource_tags(c, component),
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_fits_and_resolves_the_partition() {
        let c = crate::config::load(&crate::config::Source::example()).unwrap();
        let text = resolved_text(&c);
        assert!(!text.contains("${AWS::"), "{text}");
        assert!(
            text.contains("arn:aws:ssm:*:*:document/SSM-SessionManagerRunShell"),
            "{text}"
        );
        for (id, size) in sizes(&c) {
            assert!(size <= MAX_SIZE, "{id}: {size} characters");
        }
    }
}
