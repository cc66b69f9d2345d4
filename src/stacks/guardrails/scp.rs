//! The service control policy: member principals may not turn session
//! logging off or weaken it. Everything is named by ARN pattern, so an
//! unrelated document, log group or trail is unaffected; the StackSet
//! execution role, sessionlog's own roles (path `/sessionlog/`) and the
//! configured break-glass roles are exempt. It must fit Organizations'
//! limit of 5,120 characters, counted on the minified JSON.

use serde_json::Value;

use crate::aws::regions;
use crate::config::model::{Config, TrailMode};
use crate::model::iam::{PolicyDocument, Statement};
use crate::model::resources::organizations::Policy;
use crate::model::{Expr, Resource, Template};

use super::super::names::{Names, SESSION_DOCUMENT};
use super::super::tags::resource_tags;
use super::{GuardNames, ROLE_PATH, RUNBOOK_PREFIX, STACKSET_EXECUTION_ROLE, WATCH_COMPONENT};

pub const POLICY: &str = "SessionLoggingProtection";
/// Organizations' size limit of a service control policy, in characters.
pub const MAX_SIZE: usize = 5120;

fn arn(rest: &str) -> Expr {
    Expr::sub(format!("arn:${{AWS::Partition}}:{rest}"))
}

/// Principals the SCP does not apply to.
pub fn exempt_principals(c: &Config) -> Vec<Expr> {
    let mut out = vec![
        arn(&format!("iam::*:role/{STACKSET_EXECUTION_ROLE}")),
        arn(&format!("iam::*:role{ROLE_PATH}*")),
    ];
    out.extend(
        c.guardrails
            .scp
            .break_glass_roles
            .iter()
            .map(|r| arn(&format!("iam::*:role/{r}"))),
    );
    out
}

/// Every statement denies unless the caller is exempt (and, with excluded
/// accounts, unless the caller is in one of them: they get no sessionlog
/// resources, so nothing there is sessionlog's to protect).
fn deny(c: &Config, sid: &str) -> Statement {
    let mut s =
        Statement::deny(sid).condition_any("ArnNotLike", "aws:PrincipalArn", exempt_principals(c));
    let excluded = &c.targets.exclude_accounts;
    if !excluded.is_empty() {
        s = s.condition_any(
            "StringNotEquals",
            "aws:PrincipalAccount",
            excluded.iter().map(Expr::lit).collect(),
        );
    }
    s
}

pub fn document(c: &Config) -> PolicyDocument {
    let names = Names::new(c);
    let g = GuardNames::new(c);
    let policy = &c.instance_policy.name;
    // One statement for everything named by ARN: an action only ever
    // matches the resources of its own service and type.
    let mut actions: Vec<&str> = vec!["ssm:DeleteDocument", "ssm:UpdateDocument*"];
    let mut resources = vec![arn(&format!("ssm:*:*:document/{SESSION_DOCUMENT}"))];
    if c.session_manager.cloudwatch.enabled {
        actions.extend([
            "logs:DeleteLogGroup",
            "logs:DeleteLogStream",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:AssociateKmsKey",
            "logs:DisassociateKmsKey",
            "logs:PutSubscriptionFilter",
            "logs:DeleteSubscriptionFilter",
        ]);
        let group = names.log_group();
        resources.push(arn(&format!("logs:*:*:log-group:{group}")));
        resources.push(arn(&format!("logs:*:*:log-group:{group}:*")));
    }
    // The instance policy's content and versions, and sessionlog's roles.
    actions.extend([
        "iam:Attach*",
        "iam:Create*",
        "iam:Delete*",
        "iam:Detach*",
        "iam:PassRole",
        "iam:Put*",
        "iam:Set*",
        "iam:Tag*",
        "iam:Untag*",
        "iam:Update*",
    ]);
    resources.push(arn(&format!("iam::*:policy/{policy}")));
    resources.push(arn(&format!("iam::*:role{ROLE_PATH}*")));
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
    if c.guardrails.preferences_watch {
        // The watch's function and rules have generated names: protected by
        // their tag (which the same statement keeps anyone from changing).
        statements.push(
            deny(c, "ProtectPreferencesWatch")
                .actions(&[
                    "events:DeleteRule",
                    "events:DisableRule",
                    "events:PutRule",
                    "events:PutTargets",
                    "events:RemoveTargets",
                    "events:TagResource",
                    "events:UntagResource",
                    "lambda:Delete*",
                    "lambda:Put*",
                    "lambda:RemovePermission",
                    "lambda:TagResource",
                    "lambda:UntagResource",
                    "lambda:Update*",
                ])
                .resource(Expr::lit("*"))
                .condition(
                    "StringEquals",
                    "aws:ResourceTag/sessionlog:component",
                    Expr::lit(WATCH_COMPONENT),
                ),
        );
    }
    PolicyDocument::new(statements)
}

/// The policy as Organizations stores it: `${AWS::Partition}` resolved for
/// the stack's partition, minified.
pub fn resolved_text(c: &Config) -> String {
    let partition = regions::partition(&GuardNames::new(c).region());
    fn walk(v: &Value, partition: &str) -> Value {
        match v {
            Value::Object(m) if m.len() == 1 && m.contains_key("Fn::Sub") => Value::String(
                m["Fn::Sub"]
                    .as_str()
                    .unwrap_or_default()
                    .replace("${AWS::Partition}", partition),
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
    let value = serde_json::to_value(document(c)).expect("policy serializes");
    serde_json::to_string(&walk(&value, partition)).expect("policy serializes")
}

/// The policy's size as Organizations counts it.
pub fn size(c: &Config) -> usize {
    resolved_text(c).chars().count()
}

pub fn add(t: &mut Template, c: &Config) {
    t.add(
        POLICY,
        Resource::new(Policy {
            name: format!("{}-session-logging-protection", c.stack_set.name_prefix),
            description: "sessionlog: member principals may not turn Session Manager and RDP session logging off".into(),
            policy_type: "SERVICE_CONTROL_POLICY",
            content: document(c),
            target_ids: c.targets.organizational_units.clone(),
            tags: resource_tags(c, "scp"),
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_fits_and_resolves_the_partition() {
        let c = crate::config::load(&crate::config::Source::example()).unwrap();
        let text = resolved_text(&c);
        assert!(!text.contains("${"), "{text}");
        assert!(
            text.contains("arn:aws:ssm:*:*:document/SSM-SessionManagerRunShell"),
            "{text}"
        );
        assert!(size(&c) <= MAX_SIZE, "{} characters", size(&c));
    }
}
