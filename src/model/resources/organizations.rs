use serde::Serialize;

use super::Tag;
use crate::model::iam::PolicyDocument;
use crate::model::template::ResourceProperties;

/// An AWS Organizations policy (here: a service control policy), created in
/// the management account and attached to roots, OUs or accounts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Policy {
    pub name: String,
    pub description: String,
    /// `SERVICE_CONTROL_POLICY`.
    #[serde(rename = "Type")]
    pub policy_type: &'static str,
    pub content: PolicyDocument,
    pub target_ids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceProperties for Policy {
    const TYPE: &'static str = "AWS::Organizations::Policy";
}
