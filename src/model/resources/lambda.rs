use serde::Serialize;

use super::Tag;
use crate::model::intrinsic::Expr;
use crate::model::template::ResourceProperties;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Function {
    pub description: String,
    pub runtime: &'static str,
    pub handler: &'static str,
    pub role: Expr,
    pub timeout: u32,
    pub code: Code,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceProperties for Function {
    const TYPE: &'static str = "AWS::Lambda::Function";
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Code {
    /// Inline source (at most 4096 characters).
    pub zip_file: String,
}
