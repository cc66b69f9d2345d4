use indexmap::IndexMap;
use serde::Serialize;

use crate::model::intrinsic::Expr;
use crate::model::template::ResourceProperties;

/// An AWS Config rule. (CloudFormation gives Config rules no `Tags`.)
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfigRule {
    pub config_rule_name: String,
    pub description: String,
    pub source: RuleSource,
    /// Parameters of a managed rule, as a JSON object of strings.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub input_parameters: IndexMap<String, Expr>,
    /// `One_Hour`, `Three_Hours`, `Six_Hours`, `Twelve_Hours` or `TwentyFour_Hours`.
    pub maximum_execution_frequency: &'static str,
}

impl ResourceProperties for ConfigRule {
    const TYPE: &'static str = "AWS::Config::ConfigRule";
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuleSource {
    /// `AWS` for a managed rule.
    pub owner: &'static str,
    pub source_identifier: &'static str,
}

/// The automatic remediation of a Config rule by an SSM Automation document.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemediationConfiguration {
    pub config_rule_name: Expr,
    /// `SSM_DOCUMENT`.
    pub target_type: &'static str,
    pub target_id: Expr,
    pub automatic: bool,
    pub maximum_automatic_attempts: u32,
    pub retry_attempt_seconds: u32,
    /// Runbook parameter name → its static values.
    pub parameters: IndexMap<String, StaticParameter>,
}

impl ResourceProperties for RemediationConfiguration {
    const TYPE: &'static str = "AWS::Config::RemediationConfiguration";
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StaticParameter {
    pub static_value: StaticValues,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StaticValues {
    pub values: Vec<Expr>,
}

impl StaticParameter {
    pub fn one(value: Expr) -> Self {
        StaticParameter {
            static_value: StaticValues {
                values: vec![value],
            },
        }
    }
}
