//! Typed properties, one file per AWS service. Optional properties are
//! `Option<T>` and skipped when absent.

pub mod athena;
pub mod firehose;
pub mod cloudtrail;
pub mod config;
pub mod events;
pub mod glue;
pub mod iam;
pub mod kms;
pub mod lambda;
pub mod logs;
pub mod organizations;
pub mod s3;
pub mod ssm;
pub mod ssm_gui_connect;
pub mod sns;
pub mod sso;

use serde::Serialize;

use super::intrinsic::Expr;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: Expr,
}

impl Tag {
    pub fn new(key: &str, value: impl Into<Expr>) -> Self {
        Tag { key: key.to_string(), value: value.into() }
    }
}
