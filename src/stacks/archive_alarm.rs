//! The log archive's alarm (`guardrails.log_archive.alarm`): in every
//! log-archive stack (the home region and each replica region), an
//! EventBridge rule that publishes to an SNS topic of the same region when
//! anyone in the log-archive account schedules the deletion of a KMS key,
//! disables one, turns its rotation off or changes its policy; in the home
//! region also when anyone changes the bucket's policy, versioning,
//! lifecycle, Object Lock or encryption, or deletes it. The events are the
//! CloudTrail management events AWS delivers to the default event bus of the
//! region where the call was made, refused calls included (an attempt the
//! log-archive SCP denies still raises the alarm).
//!
//! The topic is not encrypted: EventBridge cannot publish to a topic
//! encrypted with the AWS managed SNS key, and a notification carries only
//! the event (who, which key or bucket, which call), never log content.

use serde_json::json;

use crate::config::model::Config;
use crate::model::iam::{PolicyDocument, Principal, Statement};
use crate::model::resources::events::{RetryPolicy, Rule, Target};
use crate::model::resources::sns::{Subscription, Topic, TopicPolicy};
use crate::model::{Expr, Resource, Template};

use super::names::Names;
use super::tags::resource_tags;

pub const TOPIC: &str = "ArchiveAlarmTopic";
pub const TOPIC_POLICY: &str = "ArchiveAlarmTopicPolicy";
pub const KEY_RULE: &str = "ArchiveKeyAlarmRule";
pub const BUCKET_RULE: &str = "ArchiveBucketAlarmRule";

/// KMS calls that make the archive unreadable or weaker.
pub const KEY_EVENTS: [&str; 6] = [
    "DisableKey",
    "DisableKeyRotation",
    "PutKeyPolicy",
    "ScheduleKeyDeletion",
    "UpdatePrimaryRegion",
    "DeleteAlias",
];
/// S3 calls (as CloudTrail names them) that weaken the bucket.
pub const BUCKET_EVENTS: [&str; 8] = [
    "DeleteBucket",
    "DeleteBucketEncryption",
    "DeleteBucketPolicy",
    "PutBucketEncryption",
    "PutBucketLifecycle",
    "PutBucketObjectLockConfiguration",
    "PutBucketPolicy",
    "PutBucketVersioning",
];

pub fn enabled(c: &Config) -> bool {
    c.guardrails.log_archive.alarm
}

/// Adds the topic and rules to a log-archive stack; `home` adds the bucket's rule.
pub fn add(t: &mut Template, c: &Config, home: bool) {
    if !enabled(c) {
        return;
    }
    let prefix = &c.stack_set.name_prefix;
    t.add(
        TOPIC,
        Resource::new(Topic {
            topic_name: format!("{prefix}-log-archive-alarm"),
            display_name: "sessionlog log archive alarm".into(),
            subscription: c
                .guardrails
                .log_archive
                .alarm_emails
                .iter()
                .map(|e| Subscription { endpoint: e.clone(), protocol: "email" })
                .collect(),
            tags: resource_tags(c, "log-archive-alarm"),
        }),
    );
    let mut rules = vec![KEY_RULE];
    if home {
        rules.push(BUCKET_RULE);
    }
    t.add(
        TOPIC_POLICY,
        Resource::new(TopicPolicy {
            policy_document: PolicyDocument::new(vec![Statement::allow("EventBridgePublishesAlarms")
                .principal(Principal::Service(vec![Expr::lit("events.amazonaws.com")]))
                .actions(&["sns:Publish"])
                .resource(Expr::reference(TOPIC))
                .condition_any(
                    "ArnEquals",
                    "aws:SourceArn",
                    rules.iter().map(|r| Expr::get_att(*r, "Arn")).collect(),
                )]),
            topics: vec![Expr::reference(TOPIC)],
        }),
    );
    let target = || {
        vec![Target {
            id: "alarm".into(),
            arn: Expr::reference(TOPIC),
            retry_policy: RetryPolicy { maximum_event_age_in_seconds: 86400, maximum_retry_attempts: 185 },
        }]
    };
    t.add(
        KEY_RULE,
        Resource::new(Rule {
            description: "sessionlog: a KMS key of the log archive is being deleted, disabled or changed".into(),
            event_pattern: json!({
                "source": ["aws.kms"],
                "detail-type": ["AWS API Call via CloudTrail"],
                "detail": {"eventSource": ["kms.amazonaws.com"], "eventName": KEY_EVENTS},
            }),
            state: "ENABLED",
            targets: target(),
            tags: Vec::new(),
        }),
    );
    if home {
        t.add(
            BUCKET_RULE,
            Resource::new(Rule {
                description: "sessionlog: the log bucket's policy, versioning, lifecycle, Object Lock or encryption is being changed".into(),
                event_pattern: json!({
                    "source": ["aws.s3"],
                    "detail-type": ["AWS API Call via CloudTrail"],
                    "detail": {
                        "eventSource": ["s3.amazonaws.com"],
                        "eventName": BUCKET_EVENTS,
                        "requestParameters": {"bucketName": [Names::new(c).bucket()]},
                    },
                }),
                state: "ENABLED",
                targets: target(),
                tags: Vec::new(),
            }),
        );
    }
    t.output(
        "ArchiveAlarmTopicArn",
        "SNS topic of the log archive's alarm in this region",
        Expr::reference(TOPIC),
    );
}
