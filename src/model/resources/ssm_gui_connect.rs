use serde::Serialize;

use crate::model::intrinsic::Expr;
use crate::model::template::ResourceProperties;

/// RDP connection recording preferences (Fleet Manager GUI connect).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Preferences {
    pub connection_recording_preferences: ConnectionRecordingPreferences,
}

impl ResourceProperties for Preferences {
    const TYPE: &'static str = "AWS::SSMGuiConnect::Preferences";
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionRecordingPreferences {
    #[serde(rename = "KMSKeyArn")]
    pub kms_key_arn: Expr,
    pub recording_destinations: RecordingDestinations,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecordingDestinations {
    #[serde(rename = "S3Buckets")]
    pub s3_buckets: Vec<S3Bucket>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct S3Bucket {
    pub bucket_name: Expr,
    pub bucket_owner: Expr,
}
