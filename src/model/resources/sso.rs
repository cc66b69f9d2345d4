use serde::Serialize;

use super::Tag;
use crate::model::intrinsic::Expr;
use crate::model::template::ResourceProperties;

/// An IAM Identity Center permission set.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PermissionSet {
    pub instance_arn: Expr,
    pub name: String,
    pub description: String,
    /// ISO 8601 duration, `PT1H` to `PT12H`.
    pub session_duration: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub customer_managed_policy_references: Vec<CustomerManagedPolicyReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceProperties for PermissionSet {
    const TYPE: &'static str = "AWS::SSO::PermissionSet";
}

/// A customer-managed policy, by name, that must exist in every account the
/// permission set is assigned to.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomerManagedPolicyReference {
    pub name: String,
    pub path: String,
}
