//! What the scanners teams gate merges with (checkov, cfn-nag) must not
//! fail on, and why: for each rule that does not apply to a generated
//! resource, the scanner's own suppression metadata with the reason
//! (`Metadata.checkov.skip`, `Metadata.cfn_nag.rules_to_suppress`), put on
//! the resource when the templates are built, so a user's CI is green
//! without hand-kept ignores.
//!
//! Each suppression names the resource type and a condition on the
//! resource as generated: it applies only while the resource really lacks
//! what the rule asks for for the reason given (a key policy whose `*`
//! principals are all conditioned on the organization, a function that is
//! not in a VPC, …). Everything else checkov reports is fixed in the stacks
//! instead; docs/scanners.md lists both.

use serde_json::{json, Map, Value};

use crate::model::template::Template;

/// One rule that does not apply, for the resources it is about.
pub struct Suppression {
    pub resource_type: &'static str,
    /// Holds when the resource, as generated, is what `reason` describes.
    pub applies: fn(&Value) -> bool,
    pub checkov: Option<&'static str>,
    pub cfn_nag: Option<&'static str>,
    pub reason: &'static str,
}

pub const SUPPRESSIONS: &[Suppression] = &[
    Suppression {
        resource_type: "AWS::KMS::Key",
        applies: star_principals_are_conditioned,
        checkov: Some("CKV_AWS_33"),
        cfn_nag: Some("F76"),
        reason: "Every statement with the principal \"*\" is limited by a condition to the organization's principals or services (aws:PrincipalOrgID, aws:SourceOrgID) or to named roles of the log-archive account (aws:PrincipalArn), and where it can to one service (kms:ViaService): the member accounts are not known when the key is created, so the organization is the boundary. The scanner does not read conditions.",
    },
    Suppression {
        resource_type: "AWS::S3::Bucket",
        applies: bucket_without_access_logging,
        checkov: Some("CKV_AWS_18"),
        cfn_nag: Some("W35"),
        reason: "The log archive bucket itself: server access logs would need a second bucket, itself unlogged. Object writes come only from the organization's Session Manager and Firehose under the bucket policy; to record object-level reads, enable S3 server access logging or CloudTrail data events for this bucket in your own stack.",
    },
    Suppression {
        resource_type: "AWS::Logs::LogGroup",
        applies: firehose_error_log_group,
        checkov: Some("CKV_AWS_158"),
        cfn_nag: Some("W84"),
        reason: "Firehose's delivery error messages for the log copy (error codes and messages, no session content: records that fail go to the -errors/ prefix of the bucket, encrypted with the archive key). CloudWatch Logs encrypts every log group at rest; the archive key's policy lets CloudWatch Logs use it only for the session log group.",
    },
    Suppression {
        resource_type: "AWS::Lambda::Function",
        applies: function_outside_a_vpc,
        checkov: Some("CKV_AWS_117"),
        cfn_nag: Some("W89"),
        reason: "The function calls only AWS APIs (SSM, CloudWatch Logs) and is deployed by a StackSet into every member account, which has no VPC sessionlog could know of; in a VPC it would need a NAT gateway or interface endpoints in every account and region.",
    },
    Suppression {
        resource_type: "AWS::Lambda::Function",
        applies: function_without_reserved_concurrency,
        checkov: Some("CKV_AWS_115"),
        cfn_nag: Some("W92"),
        reason: "Lambda lets a function reserve concurrency only up to the account's unreserved concurrency minus 100, and new accounts get a reduced concurrency quota: reserving any in a StackSet deployed to every member account would fail in such accounts. The function runs on stack operations and on changes to the Session Manager preferences, a few invocations at a time.",
    },
    Suppression {
        resource_type: "AWS::Lambda::Function",
        applies: function_without_dead_letter_queue,
        checkov: Some("CKV_AWS_116"),
        cfn_nag: None,
        reason: "CloudFormation waits for the function's own response (it reports every failure to the stack), and the EventBridge rules of the preferences watch retry delivery for an hour; each run restores the whole state, so the next event or `sessionlog deploy` repeats what a lost one would have done. A queue in every member account and region would have nobody to read it.",
    },
    Suppression {
        resource_type: "AWS::Lambda::Function",
        applies: function_with_plain_environment,
        checkov: Some("CKV_AWS_173"),
        cfn_nag: None,
        reason: "The variables hold no secret: the managed Session Manager preferences document (also readable with ssm:GetDocument) and a role name. Lambda encrypts them at rest with an AWS managed key; a customer managed key would have to be in every member account.",
    },
    Suppression {
        resource_type: "AWS::SNS::Topic",
        applies: topic_without_kms,
        checkov: Some("CKV_AWS_26"),
        cfn_nag: Some("W47"),
        reason: "The log archive's alarm topic: EventBridge publishes to it, and EventBridge cannot publish to a topic encrypted with the AWS managed SNS key; a notification carries only the event (who called which KMS or S3 action on which key or bucket), never log content.",
    },
];

/// Adds the suppression metadata of every rule that does not apply to
/// each resource of `template`.
pub fn annotate(template: &mut Template) {
    for resource in template.resources.values_mut() {
        let Some(type_name) = resource.get("Type").and_then(Value::as_str) else { continue };
        let matching: Vec<&Suppression> =
            SUPPRESSIONS.iter().filter(|s| s.resource_type == type_name && (s.applies)(resource)).collect();
        if matching.is_empty() {
            continue;
        }
        let checkov: Vec<Value> = matching.iter().filter_map(|s| Some(json!({"id": s.checkov?, "comment": s.reason}))).collect();
        let cfn_nag: Vec<Value> = matching.iter().filter_map(|s| Some(json!({"id": s.cfn_nag?, "reason": s.reason}))).collect();
        let Some(object) = resource.as_object_mut() else { continue };
        let metadata = object.entry("Metadata").or_insert_with(|| Value::Object(Map::new()));
        if let Some(metadata) = metadata.as_object_mut() {
            if !checkov.is_empty() {
                metadata.insert("checkov".into(), json!({ "skip": checkov }));
            }
            if !cfn_nag.is_empty() {
                metadata.insert("cfn_nag".into(), json!({ "rules_to_suppress": cfn_nag }));
            }
        }
    }
}

fn properties(resource: &Value) -> &Value {
    resource.get("Properties").unwrap_or(&Value::Null)
}

/// Condition keys that bound a `*` principal to the organization or to
/// named principals.
const BOUNDARY_KEYS: &[&str] = &["\"aws:PrincipalOrgID\"", "\"aws:SourceOrgID\"", "\"aws:PrincipalArn\""];

/// The key policy has `*` principals, each statement of them conditioned on
/// the organization or on named principals.
fn star_principals_are_conditioned(resource: &Value) -> bool {
    let statements = properties(resource).pointer("/KeyPolicy/Statement").and_then(Value::as_array);
    let star: Vec<&Value> = statements
        .into_iter()
        .flatten()
        .filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
        .filter(|s| {
            let principal = s.get("Principal");
            principal.and_then(Value::as_str) == Some("*") || principal.and_then(|p| p.get("AWS")).and_then(Value::as_str) == Some("*")
        })
        .collect();
    !star.is_empty()
        && star.iter().all(|s| {
            let condition = s.get("Condition").map(Value::to_string).unwrap_or_default();
            BOUNDARY_KEYS.iter().any(|k| condition.contains(k))
        })
}

fn bucket_without_access_logging(resource: &Value) -> bool {
    properties(resource).get("LoggingConfiguration").is_none()
}

/// The log copy's error log group (tagged so), without a KMS key.
fn firehose_error_log_group(resource: &Value) -> bool {
    let p = properties(resource);
    let tagged = p.get("Tags").and_then(Value::as_array).into_iter().flatten().any(|t| {
        t.get("Key").and_then(Value::as_str) == Some(crate::stacks::tags::COMPONENT_TAG) && t.get("Value").and_then(Value::as_str) == Some("log-copy")
    });
    tagged && p.get("KmsKeyId").is_none()
}

fn topic_without_kms(resource: &Value) -> bool {
    properties(resource).get("KmsMasterKeyId").is_none()
}

fn function_outside_a_vpc(resource: &Value) -> bool {
    properties(resource).get("VpcConfig").is_none()
}

fn function_without_reserved_concurrency(resource: &Value) -> bool {
    properties(resource).get("ReservedConcurrentExecutions").is_none()
}

fn function_without_dead_letter_queue(resource: &Value) -> bool {
    properties(resource).get("DeadLetterConfig").is_none()
}

fn function_with_plain_environment(resource: &Value) -> bool {
    let p = properties(resource);
    p.get("Environment").is_some() && p.get("KmsKeyArn").is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_with_an_unconditioned_star_principal_is_not_excused() {
        let key = |condition: Value| json!({"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": condition},
        ]}}});
        assert!(star_principals_are_conditioned(&key(json!({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}))));
        assert!(!star_principals_are_conditioned(&key(json!({"Bool": {"aws:SecureTransport": "true"}}))));
        assert!(!star_principals_are_conditioned(&key(Value::Null)));
    }

    #[test]
    fn only_what_is_missing_is_suppressed() {
        let mut template = Template::new("t");
        template.resources.insert("F".into(), json!({"Type": "AWS::Lambda::Function", "Properties": {"ReservedConcurrentExecutions": 2, "Environment": {"Variables": {"A": "b"}}}}));
        template.resources.insert("Q".into(), json!({"Type": "AWS::SQS::Queue", "Properties": {}}));
        annotate(&mut template);
        let skipped: Vec<&str> = template.resources["F"].pointer("/Metadata/checkov/skip").and_then(Value::as_array).unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(skipped, ["CKV_AWS_117", "CKV_AWS_116", "CKV_AWS_173"]);
        let nag: Vec<&str> = template.resources["F"].pointer("/Metadata/cfn_nag/rules_to_suppress").and_then(Value::as_array).unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(nag, ["W89"]);
        assert!(template.resources["Q"].get("Metadata").is_none());
    }
}
