use serde::Serialize;

use super::Tag;
use crate::model::template::ResourceProperties;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Document {
    pub name: String,
    pub document_type: &'static str,
    pub document_format: &'static str,
    pub update_method: &'static str,
    /// The document body as a JSON value (may hold intrinsics in long form).
    pub content: serde_json::Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceProperties for Document {
    const TYPE: &'static str = "AWS::SSM::Document";
}
