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

impl ResourceProperties for SessionLogGroup {
    const TYPE: &'static str = "Custom::SessionLogGroup";
}

/// Resource types that are a CloudWatch Logs log group: the validator checks
/// both alike (schema, retention, `Retain`).
pub const LOG_GROUP_TYPES: [&str; 2] = [LogGroup::TYPE, SessionLogGroup::TYPE];
