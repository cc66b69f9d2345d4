use serde::Serialize;

use super::Tag;
use crate::model::intrinsic::Expr;
use crate::model::template::ResourceProperties;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LogGroup {
    pub log_group_name: Expr,
    pub kms_key_id: Expr,
    pub retention_in_days: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceProperties for LogGroup {
    const TYPE: &'static str = "AWS::Logs::LogGroup";
}

/// A log group for a service's own operational logs: the name is left to
/// CloudFormation (a retained group never blocks a re-created stack) and the
/// service-owned encryption of CloudWatch Logs applies.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceLogGroup {
    pub retention_in_days: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// sessionlog's create-or-adopt log group: a custom resource whose function
/// creates the group, or adopts the one a deleted stack left behind (a
/// retained log group makes `AWS::Logs::LogGroup` fail with "already
/// exists"), and never deletes it. Same properties as `AWS::Logs::LogGroup`,
/// plus the function's `ServiceToken`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SessionLogGroup {
    pub service_token: Expr,
    pub log_group_name: Expr,
    pub kms_key_id: Expr,
    pub retention_in_days: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceProperties for ServiceLogGroup {
    const TYPE: &'static str = "AWS::Logs::LogGroup";
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LogStream {
    pub log_group_name: Expr,
    pub log_stream_name: String,
}

impl ResourceProperties for LogStream {
    const TYPE: &'static str = "AWS::Logs::LogStream";
}

/// A cross-account target of subscription filters: CloudWatch Logs assumes
/// `role_arn` to put the records into `target_arn`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Destination {
    pub destination_name: String,
    /// The access policy, as JSON text (the type takes a string).
    pub destination_policy: Expr,
    pub role_arn: Expr,
    pub target_arn: Expr,
}

impl ResourceProperties for Destination {
    const TYPE: &'static str = "AWS::Logs::Destination";
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubscriptionFilter {
    pub filter_name: String,
    pub log_group_name: Expr,
    /// Empty: every event.
    pub filter_pattern: String,
    pub destination_arn: Expr,
}

impl ResourceProperties for SubscriptionFilter {
    const TYPE: &'static str = "AWS::Logs::SubscriptionFilter";
}
impl ResourceProperties for SessionLogGroup {
    const TYPE: &'static str = "Custom::SessionLogGroup";
}

/// Resource types that are a CloudWatch Logs log group: the validator checks
/// both alike (schema, retention, `Retain`).
pub const LOG_GROUP_TYPES: [&str; 2] = [LogGroup::TYPE, SessionLogGroup::TYPE];
