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
