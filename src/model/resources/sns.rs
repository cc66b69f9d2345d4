use serde::Serialize;

use super::Tag;
use crate::model::iam::PolicyDocument;
use crate::model::intrinsic::Expr;
use crate::model::template::ResourceProperties;

/// An SNS topic, with its subscriptions inline.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Topic {
    pub topic_name: String,
    pub display_name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subscription: Vec<Subscription>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceProperties for Topic {
    const TYPE: &'static str = "AWS::SNS::Topic";
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subscription {
    pub endpoint: String,
    /// `email`, …
    pub protocol: &'static str,
}

/// The topic's resource policy.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TopicPolicy {
    pub policy_document: PolicyDocument,
    pub topics: Vec<Expr>,
}

impl ResourceProperties for TopicPolicy {
    const TYPE: &'static str = "AWS::SNS::TopicPolicy";
}
