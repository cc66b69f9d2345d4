use serde::Serialize;

use super::Tag;
use crate::model::iam::PolicyDocument;
use crate::model::intrinsic::Expr;
use crate::model::template::ResourceProperties;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicy {
    pub managed_policy_name: String,
    pub description: String,
    pub policy_document: PolicyDocument,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

impl ResourceProperties for ManagedPolicy {
    const TYPE: &'static str = "AWS::IAM::ManagedPolicy";
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    pub description: String,
    /// IAM path (`/sessionlog/`): lets a service control policy exempt
    /// sessionlog's own roles by ARN, and other policies name the roles they
    /// cover. `None`: `/`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub assume_role_policy_document: PolicyDocument,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub managed_policy_arns: Vec<Expr>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<InlinePolicy>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceProperties for Role {
    const TYPE: &'static str = "AWS::IAM::Role";
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    pub policy_name: String,
    pub policy_document: PolicyDocument,
}

/// A role with a name of the configuration's (`AWS::IAM::Role` with
/// `RoleName`): for people who assume it by name.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NamedRole {
    pub role_name: String,
    pub description: String,
    pub assume_role_policy_document: PolicyDocument,
    /// Seconds a session lasts (3600-43200).
    pub max_session_duration: u32,
    pub policies: Vec<InlinePolicy>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceProperties for NamedRole {
    const TYPE: &'static str = "AWS::IAM::Role";
}
