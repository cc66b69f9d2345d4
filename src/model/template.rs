//! The template and the generic resource envelope.

use indexmap::IndexMap;
use serde::{Serialize, Serializer};

use super::intrinsic::Expr;

/// A resource type's properties know their CloudFormation type name.
pub trait ResourceProperties: Serialize {
    const TYPE: &'static str;
}

/// What CloudFormation does with a resource's physical data when the resource
/// is deleted or replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DeletionPolicy {
    Delete,
    Retain,
    RetainExceptOnCreate,
    Snapshot,
}

/// The generic resource envelope: every resource gets the same attributes.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resource<P> {
    #[serde(rename = "Type")]
    pub type_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_policy: Option<DeletionPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_replace_policy: Option<DeletionPolicy>,
    /// Resource metadata (cfn-lint's per-resource configuration).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
    pub properties: P,
}

impl<P: ResourceProperties> Resource<P> {
    pub fn new(properties: P) -> Self {
        Resource {
            type_name: P::TYPE.to_string(),
            condition: None,
            depends_on: Vec::new(),
            deletion_policy: None,
            update_replace_policy: None,
            metadata: None,
            properties,
        }
    }

    /// Tell cfn-lint to skip `rule` on this resource, and why (the reason
    /// stays in the template for readers).
    pub fn lint_exception(mut self, rule: &str, reason: &str) -> Self {
        self.metadata = Some(serde_json::json!({
            "cfn-lint": {"config": {"ignore_checks": [rule]}},
            "sessionlog": {"lint-exception": reason},
        }));
        self
    }

    /// Keep the physical resource (and its data) on stack deletion and on
    /// replacement. Used for every bucket, key and log group.
    pub fn retained(mut self) -> Self {
        self.deletion_policy = Some(DeletionPolicy::Retain);
        self.update_replace_policy = Some(DeletionPolicy::Retain);
        self
    }

    pub fn depends_on(mut self, logical_id: impl Into<String>) -> Self {
        self.depends_on.push(logical_id.into());
        self
    }
}

/// A custom resource: its type name is chosen by the template author.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomResource<P> {
    #[serde(rename = "Type")]
    pub type_name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    pub properties: P,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ParameterType {
    String,
    Number,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    #[serde(rename = "Type")]
    pub param_type: ParameterType,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_pattern: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub description: String,
    pub value: Expr,
}

/// A complete template. Sections keep insertion order, so output is
/// deterministic and reads top-down.
#[derive(Debug, Clone, Serialize)]
pub struct Template {
    #[serde(rename = "AWSTemplateFormatVersion")]
    pub format_version: &'static str,
    #[serde(rename = "Description")]
    pub description: String,
    #[serde(rename = "Parameters", skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, Parameter>,
    #[serde(rename = "Conditions", skip_serializing_if = "IndexMap::is_empty")]
    pub conditions: IndexMap<String, serde_json::Value>,
    #[serde(rename = "Resources", serialize_with = "serialize_resources")]
    pub resources: IndexMap<String, serde_json::Value>,
    #[serde(rename = "Outputs", skip_serializing_if = "IndexMap::is_empty")]
    pub outputs: IndexMap<String, Output>,
}

fn serialize_resources<S: Serializer>(
    r: &IndexMap<String, serde_json::Value>,
    s: S,
) -> Result<S::Ok, S::Error> {
    r.serialize(s)
}

impl Template {
    pub fn new(description: impl Into<String>) -> Self {
        Template {
            format_version: "2010-09-09",
            description: description.into(),
            parameters: IndexMap::new(),
            conditions: IndexMap::new(),
            resources: IndexMap::new(),
            outputs: IndexMap::new(),
        }
    }

    /// Add a typed resource. Resources are stored as JSON values so one map
    /// can hold every type; the typed structs are the only way in.
    pub fn add<P: ResourceProperties>(&mut self, logical_id: &str, resource: Resource<P>) {
        self.insert(logical_id, serde_json::to_value(resource));
    }

    pub fn add_custom<P: Serialize>(&mut self, logical_id: &str, resource: CustomResource<P>) {
        self.insert(logical_id, serde_json::to_value(resource));
    }

    fn insert(&mut self, logical_id: &str, value: serde_json::Result<serde_json::Value>) {
        let value = value.expect("model types always serialize");
        let previous = self.resources.insert(logical_id.to_string(), value);
        assert!(previous.is_none(), "duplicate logical id {logical_id}");
    }

    pub fn parameter(&mut self, name: &str, parameter: Parameter) {
        self.parameters.insert(name.to_string(), parameter);
    }

    pub fn output(&mut self, name: &str, description: &str, value: Expr) {
        self.outputs.insert(
            name.to_string(),
            Output { description: description.to_string(), value },
        );
    }

    /// The resource types used, in first-use order.
    pub fn resource_types(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in self.resources.values() {
            if let Some(t) = r.get("Type").and_then(|t| t.as_str()) {
                if !out.iter().any(|o| o == t) {
                    out.push(t.to_string());
                }
            }
        }
        out
    }

    /// The long-form JSON value of the whole template.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("model types always serialize")
    }
}
