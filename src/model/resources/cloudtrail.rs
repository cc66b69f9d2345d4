use serde::Serialize;

use super::Tag;
use crate::model::intrinsic::Expr;
use crate::model::template::ResourceProperties;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Trail {
    pub trail_name: String,
    pub s3_bucket_name: Expr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_key_prefix: Option<String>,
    pub is_logging: bool,
    pub is_multi_region_trail: bool,
    pub is_organization_trail: bool,
    pub enable_log_file_validation: bool,
    pub include_global_service_events: bool,
    #[serde(rename = "KMSKeyId")]
    pub kms_key_id: Expr,
    pub event_selectors: Vec<EventSelector>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceProperties for Trail {
    const TYPE: &'static str = "AWS::CloudTrail::Trail";
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventSelector {
    /// `All`, `ReadOnly` or `WriteOnly`.
    pub read_write_type: &'static str,
    pub include_management_events: bool,
}
