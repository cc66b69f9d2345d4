//! Amazon Athena: the workgroup the archive is queried in.

use serde::Serialize;

use super::Tag;
use crate::model::intrinsic::Expr;
use crate::model::template::ResourceProperties;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WorkGroup {
    pub name: String,
    pub description: String,
    /// `ENABLED`.
    pub state: &'static str,
    /// `false`: deleting the workgroup fails while it holds saved queries
    /// instead of deleting them with it.
    pub recursive_delete_option: bool,
    pub work_group_configuration: WorkGroupConfiguration,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceProperties for WorkGroup {
    const TYPE: &'static str = "AWS::Athena::WorkGroup";
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WorkGroupConfiguration {
    /// Clients cannot send results elsewhere or unencrypted.
    pub enforce_work_group_configuration: bool,
    pub publish_cloud_watch_metrics_enabled: bool,
    pub result_configuration: ResultConfiguration,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResultConfiguration {
    /// `s3://bucket/prefix/`.
    pub output_location: String,
    pub encryption_configuration: EncryptionConfiguration,
    /// Athena refuses to write results into a bucket of another account.
    pub expected_bucket_owner: Expr,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptionConfiguration {
    /// `SSE_KMS`.
    pub encryption_option: &'static str,
    pub kms_key: Expr,
}
