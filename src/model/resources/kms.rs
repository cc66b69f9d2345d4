use serde::Serialize;

use super::Tag;
use crate::model::iam::PolicyDocument;
use crate::model::intrinsic::Expr;
use crate::model::template::ResourceProperties;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Key {
    pub description: String,
    pub enable_key_rotation: bool,
    pub multi_region: bool,
    pub key_policy: PolicyDocument,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceProperties for Key {
    const TYPE: &'static str = "AWS::KMS::Key";
}

/// A replica of a multi-region primary key: same key id, another region.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicaKey {
    pub description: String,
    pub primary_key_arn: Expr,
    pub key_policy: PolicyDocument,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceProperties for ReplicaKey {
    const TYPE: &'static str = "AWS::KMS::ReplicaKey";
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Alias {
    pub alias_name: String,
    pub target_key_id: Expr,
}

impl ResourceProperties for Alias {
    const TYPE: &'static str = "AWS::KMS::Alias";
}
