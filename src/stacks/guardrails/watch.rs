//! The preferences watch: EventBridge rules in every member account and
//! region that send edits of `SSM-SessionManagerRunShell` (and of the RDP
//! recording preferences, where the region has them) to the upsert function,
//! which puts the managed preferences back. CloudFormation drift detection
//! cannot see the document (a custom resource manages it); this can.
//!
//! The function compares what is there with what is managed and restores it,
//! whoever changed it (its own role included: a change made by invoking it
//! is undone too). Its own restore writes the managed content, so the event
//! that restore causes finds nothing to change: no loop. The managed content
//! reaches it in its environment (`stacks::functions`), never in the event.

use serde_json::{json, Value};

use crate::config::model::Config;
use crate::model::iam::{PolicyDocument, Statement};
use crate::model::resources::events::{RetryPolicy, Rule, Target};
use crate::model::resources::iam::InlinePolicy;
use crate::model::resources::lambda::Permission;
use crate::model::{Expr, Resource, Template};

use super::super::names::{KeyRole, Names, SESSION_DOCUMENT};
use super::super::tags::resource_tags;
use super::WATCH_COMPONENT;

pub const RULE: &str = "PreferencesWatchRule";
pub const RULE_PERMISSION: &str = "PreferencesWatchPermission";
pub const RDP_RULE: &str = "RdpPreferencesWatchRule";
pub const RDP_RULE_PERMISSION: &str = "RdpPreferencesWatchPermission";
/// Environment variables of the function (the others: `stacks::functions`).
pub use super::super::functions::{ENV_CONTENT, ENV_LIMIT};
pub const ENV_RDP: &str = "MANAGED_RDP_PREFERENCES";

pub fn enabled(c: &Config) -> bool {
    c.guardrails.preferences_watch
}

fn rdp_preferences_sub(c: &Config) -> String {
    let names = Names::new(c);
    json!({
        "KMSKeyArn": names.key_arn_sub(KeyRole::Archive, "${AWS::Region}"),
        "RecordingDestinations": {"S3Buckets": [{"BucketName": names.bucket(), "BucketOwner": c.log_archive.account}]},
    })
    .to_string()
}

/// The watch's part of the upsert function's environment: with RDP
/// recording, the managed recording preferences.
pub fn rdp_variable(c: &Config, rdp: bool) -> Option<(&'static str, Expr)> {
    if !enabled(c) || !rdp {
        return None;
    }
    let text = rdp_preferences_sub(c);
    Some((ENV_RDP, if text.contains("${") { Expr::sub(text) } else { Expr::lit(text) }))
}

/// What the function needs on top of the upsert: with RDP recording, read
/// and restore the recording preferences.
pub fn policy(c: &Config, rdp: bool) -> Option<InlinePolicy> {
    if !enabled(c) || !rdp {
        return None;
    }
    let names = Names::new(c);
    // Reading the document (ssm:GetDocument) is part of the upsert's own policy.
    let mut statements = Vec::new();
    if rdp {
        statements.push(
            Statement::allow("RestoreRdpRecordingPreferences")
                .actions(&[
                    "ssm-guiconnect:GetConnectionRecordingPreferences",
                    "ssm-guiconnect:UpdateConnectionRecordingPreferences",
                ])
                .resource(Expr::lit("*")),
        );
        // Configuring recording creates a grant on the recording key.
        statements.push(
            Statement::allow("GrantOnRecordingKey")
                .actions(&["kms:CreateGrant", "kms:DescribeKey"])
                .resource(Expr::sub(
                    names.key_arn_sub(KeyRole::Archive, "${AWS::Region}"),
                )),
        );
    }
    Some(InlinePolicy {
        policy_name: "preferences-watch".into(),
        policy_document: PolicyDocument::new(statements),
    })
}

fn rule(c: &Config, description: &str, pattern: Value, function: &str) -> Rule {
    Rule {
        description: description.into(),
        event_pattern: pattern,
        state: "ENABLED",
        targets: vec![Target {
            id: "upsert-function".into(),
            arn: Expr::get_att(function, "Arn"),
            retry_policy: RetryPolicy {
                maximum_event_age_in_seconds: 3600,
                maximum_retry_attempts: 20,
            },
        }],
        tags: resource_tags(c, WATCH_COMPONENT),
    }
}

fn permission(rule: &str, function: &str) -> Permission {
    Permission {
        action: "lambda:InvokeFunction",
        function_name: Expr::get_att(function, "Arn"),
        principal: "events.amazonaws.com",
        source_arn: Expr::get_att(rule, "Arn"),
        source_account: Some(Expr::sub("${AWS::AccountId}")),
    }
}

/// The rules and the invoke permissions, targeting the upsert function
/// `function` (a logical id of the same template).
pub fn add(t: &mut Template, c: &Config, rdp: bool, function: &str) {
    if !enabled(c) {
        return;
    }
    let pattern = json!({
        "source": ["aws.ssm"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": ["ssm.amazonaws.com"],
            "eventName": ["UpdateDocument", "UpdateDocumentDefaultVersion", "DeleteDocument"],
            "requestParameters": {"name": [SESSION_DOCUMENT]},
        },
    });
    t.add(
        RULE,
        Resource::new(rule(c, "sessionlog: re-apply the managed Session Manager preferences when SSM-SessionManagerRunShell is edited or deleted", pattern, function)),
    );
    t.add(RULE_PERMISSION, Resource::new(permission(RULE, function)));
    if rdp {
        let pattern = json!({
            "source": ["aws.ssm-guiconnect"],
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {
                "eventSource": ["ssm-guiconnect.amazonaws.com"],
                "eventName": ["UpdateConnectionRecordingPreferences", "DeleteConnectionRecordingPreferences"],
            },
        });
        t.add(
            RDP_RULE,
            Resource::new(rule(c, "sessionlog: re-apply the managed RDP connection recording preferences when they are changed or deleted", pattern, function)),
        );
        t.add(
            RDP_RULE_PERMISSION,
            Resource::new(permission(RDP_RULE, function)),
        );
    }
}
