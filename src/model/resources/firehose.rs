//! Amazon Data Firehose: a Direct PUT stream into S3, with the processors and
//! dynamic partitioning that CloudWatch Logs subscriptions need.

use serde::Serialize;

use super::Tag;
use crate::model::intrinsic::Expr;
use crate::model::template::ResourceProperties;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeliveryStream {
    pub delivery_stream_name: String,
    /// `DirectPut`: CloudWatch Logs puts the records.
    pub delivery_stream_type: &'static str,
    /// Encryption of the data Firehose holds while it buffers and retries.
    pub delivery_stream_encryption_configuration_input: StreamEncryption,
    #[serde(rename = "ExtendedS3DestinationConfiguration")]
    pub extended_s3_destination_configuration: ExtendedS3Destination,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceProperties for DeliveryStream {
    const TYPE: &'static str = "AWS::KinesisFirehose::DeliveryStream";
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamEncryption {
    /// `AWS_OWNED_CMK` or `CUSTOMER_MANAGED_CMK`.
    pub key_type: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExtendedS3Destination {
    #[serde(rename = "BucketARN")]
    pub bucket_arn: Expr,
    #[serde(rename = "RoleARN")]
    pub role_arn: Expr,
    #[serde(rename = "Prefix")]
    pub prefix: Expr,
    #[serde(rename = "ErrorOutputPrefix")]
    pub error_output_prefix: Expr,
    #[serde(rename = "BufferingHints")]
    pub buffering_hints: BufferingHints,
    /// `UNCOMPRESSED`, `GZIP`, …
    #[serde(rename = "CompressionFormat")]
    pub compression_format: &'static str,
    #[serde(rename = "DynamicPartitioningConfiguration")]
    pub dynamic_partitioning_configuration: DynamicPartitioning,
    #[serde(rename = "ProcessingConfiguration")]
    pub processing_configuration: ProcessingConfiguration,
    #[serde(rename = "CloudWatchLoggingOptions")]
    pub cloud_watch_logging_options: CloudWatchLoggingOptions,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BufferingHints {
    #[serde(rename = "SizeInMBs")]
    pub size_in_mbs: u32,
    pub interval_in_seconds: u32,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DynamicPartitioning {
    pub enabled: bool,
    pub retry_options: RetryOptions,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetryOptions {
    pub duration_in_seconds: u32,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessingConfiguration {
    pub enabled: bool,
    pub processors: Vec<Processor>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Processor {
    #[serde(rename = "Type")]
    pub processor_type: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<ProcessorParameter>,
}

impl Processor {
    pub fn new(processor_type: &'static str, parameters: &[(&'static str, &str)]) -> Self {
        Processor {
            processor_type,
            parameters: parameters
                .iter()
                .map(|(name, value)| ProcessorParameter {
                    parameter_name: name,
                    parameter_value: value.to_string(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessorParameter {
    pub parameter_name: &'static str,
    pub parameter_value: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CloudWatchLoggingOptions {
    pub enabled: bool,
    pub log_group_name: Expr,
    pub log_stream_name: Expr,
}
