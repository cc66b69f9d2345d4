//! The seed 004 guard: an AWS Config `cloudtrail-enabled` rule whose
//! automatic remediation runs an Automation runbook that puts the trail back
//! to the required settings (all regions, log file validation, global
//! service events, SSE-KMS, its bucket and prefix) and starts logging, as a
//! least-privilege role. Deployed where the trail lives, in its home region.

use indexmap::IndexMap;
use serde_json::{json, Value};

use crate::config::model::{Config, TrailMode, TrailOwner};
use crate::model::iam::{PolicyDocument, Principal, Statement};
use crate::model::resources::config::{
    ConfigRule, RemediationConfiguration, RuleSource, StaticParameter,
};
use crate::model::resources::iam::{InlinePolicy, Role};
use crate::model::resources::ssm::Document;
use crate::model::{Expr, Resource, Template};

use super::super::names::Names;
use super::super::tags::resource_tags;
use super::{short_hash, trail, GuardNames, CONFIG_RULE, ROLE_PATH, RUNBOOK_PREFIX};

pub const ROLE: &str = "CloudTrailGuardRole";
pub const RUNBOOK: &str = "CloudTrailGuardRunbook";
pub const RULE: &str = "CloudTrailEnabledRule";
pub const REMEDIATION: &str = "CloudTrailRemediation";
/// Bounds of the automatic remediation: attempts within `RETRY_SECONDS`.
pub const MAX_ATTEMPTS: u32 = 5;
pub const RETRY_SECONDS: u32 = 60;

/// What the guard restores.
pub struct Target {
    pub trail_name: String,
    pub bucket: String,
    pub key_prefix: Option<String>,
    /// The trail's KMS key (a `!Sub` text or a literal ARN).
    pub kms_key: Expr,
    pub organization_trail: bool,
    /// Reset the event selectors to all management events. Only for the trail
    /// sessionlog creates: an existing trail's data-event selectors are its
    /// owner's, and PutEventSelectors would replace them.
    pub event_selectors: bool,
    /// The trail delivers to a bucket with an S3 Bucket Key (the log
    /// archive's): AWS's "Configure AWS KMS key policies for CloudTrail" —
    /// "If you are using an existing S3 bucket with an S3 Bucket Key,
    /// kms:Decrypt permissions are required to create or update a trail with
    /// SSE-KMS encryption enabled". The runbook's UpdateTrail is such an
    /// update, so its role may decrypt with the trail's key (the key policy
    /// allows the organization's principals; the role reads no object).
    pub bucket_key_decrypt: bool,
}

impl Target {
    pub fn of(c: &Config) -> Option<Target> {
        let ct = &c.guardrails.cloudtrail;
        let g = GuardNames::new(c);
        match ct.mode {
            TrailMode::Off => None,
            TrailMode::Organization => Some(Target {
                trail_name: g.trail_name().to_string(),
                bucket: Names::new(c).bucket(),
                key_prefix: Some(ct.organization_prefix().to_string()),
                kms_key: Expr::sub(trail::archive_key_arn_sub(c)),
                organization_trail: true,
                event_selectors: true,
                bucket_key_decrypt: true,
            }),
            TrailMode::Existing => Some(Target {
                trail_name: g.trail_name().to_string(),
                bucket: ct.bucket.clone().unwrap_or_default(),
                key_prefix: ct.key_prefix.clone(),
                kms_key: Expr::lit(ct.kms_key_arn.clone().unwrap_or_default()),
                organization_trail: ct.guard_owner() == Some(TrailOwner::Management),
                event_selectors: false,
                // The bucket is the user's: whether it has a Bucket Key is theirs to say.
                bucket_key_decrypt: false,
            }),
        }
    }
}

/// The runbook (Automation, schemaVersion 0.3): `aws:executeAwsApi` steps.
pub fn runbook_content(target: &Target) -> Value {
    let mut parameters = serde_json::Map::new();
    let mut param = |name: &str, description: &str| {
        parameters.insert(
            name.into(),
            json!({"type": "String", "description": description}),
        );
    };
    param("AutomationAssumeRole", "Role the runbook acts as");
    param("TrailName", "The trail to turn back on");
    param("S3BucketName", "The bucket the trail delivers to");
    param(
        "KmsKeyId",
        "The KMS key ARN the trail encrypts log files with",
    );
    if target.key_prefix.is_some() {
        param("S3KeyPrefix", "The key prefix of the trail's log files");
    }
    let mut update = json!({
        "Service": "cloudtrail",
        "Api": "UpdateTrail",
        "Name": "{{ TrailName }}",
        "S3BucketName": "{{ S3BucketName }}",
        "KmsKeyId": "{{ KmsKeyId }}",
        "IsMultiRegionTrail": true,
        "IncludeGlobalServiceEvents": true,
        "EnableLogFileValidation": true,
        "IsOrganizationTrail": target.organization_trail,
    });
    if target.key_prefix.is_some() {
        update["S3KeyPrefix"] = json!("{{ S3KeyPrefix }}");
    }
    let mut steps = vec![json!({
        "name": "RestoreTrailSettings",
        "action": "aws:executeAwsApi",
        "onFailure": "Abort",
        "inputs": update,
    })];
    if target.event_selectors {
        steps.push(json!({
            "name": "RecordAllManagementEvents",
            "action": "aws:executeAwsApi",
            "onFailure": "Abort",
            "inputs": {
                "Service": "cloudtrail",
                "Api": "PutEventSelectors",
                "TrailName": "{{ TrailName }}",
                "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true}],
            },
        }));
    }
    steps.push(json!({
        "name": "StartLogging",
        "action": "aws:executeAwsApi",
        "onFailure": "Abort",
        "isEnd": true,
        "inputs": {"Service": "cloudtrail", "Api": "StartLogging", "Name": "{{ TrailName }}"},
    }));
    json!({
        "schemaVersion": "0.3",
        "description": "sessionlog (seed 004): puts the trail back to the required settings (all regions, log file validation, global service events, SSE-KMS, its bucket and prefix) and starts logging. Run by the AWS Config rule sessionlog-cloudtrail-enabled.",
        "assumeRole": "{{ AutomationAssumeRole }}",
        "parameters": Value::Object(parameters),
        "mainSteps": steps,
    })
}

/// The runbook's name: it changes with its content, so an update replaces
/// the document (a fixed name could only add versions that are not the
/// default, and the remediation runs the default).
pub fn runbook_name(content: &Value) -> String {
    format!(
        "{RUNBOOK_PREFIX}CloudTrailGuard-{}",
        short_hash(&content.to_string())
    )
}

/// Add the guard to a template deployed in the trail's home region.
pub fn add(t: &mut Template, c: &Config, target: &Target) {
    let trail_arn = Expr::sub(format!(
        "arn:${{AWS::Partition}}:cloudtrail:${{AWS::Region}}:${{AWS::AccountId}}:trail/{}",
        target.trail_name
    ));
    let mut cloudtrail_actions = vec!["cloudtrail:UpdateTrail", "cloudtrail:StartLogging"];
    if target.event_selectors {
        cloudtrail_actions.push("cloudtrail:PutEventSelectors");
    }
    let mut statements = vec![Statement::allow("RestoreTheTrail")
        .actions(&cloudtrail_actions)
        .resource(trail_arn)];
    if target.bucket_key_decrypt {
        statements.push(
            Statement::allow("DecryptWithTheTrailKey")
                .actions(&["kms:Decrypt"])
                .resource(target.kms_key.clone()),
        );
    }
    if target.organization_trail {
        // CloudTrail checks the organization on an organization trail's update.
        statements.push(
            Statement::allow("ReadTheOrganization")
                .actions(&[
                    "organizations:DescribeOrganization",
                    "organizations:ListAWSServiceAccessForOrganization",
                ])
                .resource(Expr::lit("*")),
        );
    }
    t.add(
        ROLE,
        Resource::new(Role {
            description: "Lets the sessionlog CloudTrail guard runbook turn the trail back on".into(),
            path: Some(ROLE_PATH.into()),
            assume_role_policy_document: PolicyDocument::new(vec![Statement::allow("AutomationAssumes")
                .principal(Principal::Service(vec![Expr::lit("ssm.amazonaws.com")]))
                .actions(&["sts:AssumeRole"])
                .condition("StringEquals", "aws:SourceAccount", Expr::sub("${AWS::AccountId}"))
                .condition(
                    "ArnLike",
                    "aws:SourceArn",
                    Expr::sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:automation-execution/*"),
                )]),
            managed_policy_arns: Vec::new(),
            policies: vec![InlinePolicy {
                policy_name: "restore-cloudtrail".into(),
                policy_document: PolicyDocument::new(statements),
            }],
            tags: resource_tags(c, "cloudtrail-guard"),
        }),
    );
    let content = runbook_content(target);
    t.add(
        RUNBOOK,
        Resource::new(Document {
            name: runbook_name(&content),
            document_type: "Automation",
            document_format: "JSON",
            update_method: "Replace",
            content,
            tags: resource_tags(c, "cloudtrail-guard"),
        }),
    );
    let mut inputs = IndexMap::new();
    inputs.insert("s3BucketName".to_string(), Expr::lit(&target.bucket));
    t.add(
        RULE,
        Resource::new(ConfigRule {
            config_rule_name: CONFIG_RULE.into(),
            description: "sessionlog (seed 004): a CloudTrail trail delivering to the log archive is logging; automatic remediation turns it back on".into(),
            source: RuleSource { owner: "AWS", source_identifier: "CLOUD_TRAIL_ENABLED" },
            input_parameters: inputs,
            maximum_execution_frequency: "One_Hour",
        }),
    );
    let mut parameters = IndexMap::new();
    parameters.insert(
        "AutomationAssumeRole".to_string(),
        StaticParameter::one(Expr::get_att(ROLE, "Arn")),
    );
    parameters.insert(
        "TrailName".to_string(),
        StaticParameter::one(Expr::lit(&target.trail_name)),
    );
    parameters.insert(
        "S3BucketName".to_string(),
        StaticParameter::one(Expr::lit(&target.bucket)),
    );
    parameters.insert(
        "KmsKeyId".to_string(),
        StaticParameter::one(target.kms_key.clone()),
    );
    if let Some(prefix) = &target.key_prefix {
        parameters.insert(
            "S3KeyPrefix".to_string(),
            StaticParameter::one(Expr::lit(prefix)),
        );
    }
    t.add(
        REMEDIATION,
        Resource::new(RemediationConfiguration {
            config_rule_name: Expr::reference(RULE),
            target_type: "SSM_DOCUMENT",
            target_id: Expr::reference(RUNBOOK),
            automatic: true,
            maximum_automatic_attempts: MAX_ATTEMPTS,
            retry_attempt_seconds: RETRY_SECONDS,
            parameters,
        }),
    );
}
