//! The CloudFormation resource provider schemas (the registry), vendored
//! from a pinned cfn-lint by `scripts/vendor-cfn-schemas.py`, embedded in the
//! binary and parsed once per type, on first use.

mod vendored;

use std::sync::OnceLock;

use serde_json::Value as Json;

pub use vendored::SOURCE_VERSION;
pub(crate) use vendored::{AVAILABILITY, LAMBDA_RUNTIMES};

/// One resource type's provider schema.
#[derive(Debug)]
pub struct ResourceSchema {
    pub type_name: &'static str,
    pub json: Json,
    /// Attributes `Fn::GetAtt` may name, as cfn-lint computes them (the
    /// vendored `getAtts`): read-only properties, every property of the
    /// types whose properties CloudFormation returns, and a few patterns
    /// (`Outputs\..*` of a nested stack).
    pub attributes: Vec<String>,
    /// Properties that are output only (`readOnlyProperties`, with `.`):
    /// setting one is an error.
    pub read_only: Vec<String>,
}

fn names(json: &Json, key: &str, prefix: &str) -> Vec<String> {
    json.get(key)
        .and_then(Json::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Json::as_str)
                .filter_map(|p| p.strip_prefix(prefix))
                .map(|p| p.replace('/', "."))
                .collect()
        })
        .unwrap_or_default()
}

impl ResourceSchema {
    fn parse(type_name: &'static str, text: &str) -> Self {
        let json: Json = serde_json::from_str(text).unwrap_or(Json::Null);
        ResourceSchema {
            type_name,
            attributes: names(&json, "getAtts", ""),
            read_only: names(&json, "readOnlyProperties", "/properties/"),
            json,
        }
    }

    /// `Fn::GetAtt` may name `name` (an exact attribute, or one matching a
    /// pattern such as `Outputs\..*`).
    pub fn has_attribute(&self, name: &str) -> bool {
        self.attributes.iter().any(|a| {
            a == name
                || (a.contains(['\\', '*', '(', '['])
                    && regex::Regex::new(&format!("^(?:{a})$")).is_ok_and(|re| re.is_match(name)))
        })
    }

    /// `name` is a read-only property (returned, never set).
    pub fn is_read_only(&self, name: &str) -> bool {
        self.read_only.iter().any(|a| a == name)
    }

    /// The attributes to list in a message (patterns shown as written).
    pub fn attribute_names(&self) -> Vec<&str> {
        self.attributes.iter().map(String::as_str).collect()
    }

    /// Top-level properties whose values name the resource physically: the
    /// writable properties of the primary identifier (`BucketName`,
    /// `TopicName`…). Empty when the identifier is generated.
    pub fn physical_name_properties(&self) -> Vec<&str> {
        let identifier: Vec<&str> = self
            .json
            .get("primaryIdentifier")
            .and_then(Json::as_array)
            .map(|l| l.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let writable: Option<Vec<&str>> = identifier
            .iter()
            .map(|p| {
                let name = p.strip_prefix("/properties/")?;
                (!name.contains('/') && !self.is_read_only(name)).then_some(name)
            })
            .collect();
        writable.unwrap_or_default()
    }
}

/// True for custom resources: `Custom::*` and `AWS::CloudFormation::CustomResource`.
pub fn is_custom(type_name: &str) -> bool {
    type_name.starts_with("Custom::") || type_name == "AWS::CloudFormation::CustomResource"
}

/// The schema checking resources of `type_name`; custom resources share
/// `AWS::CloudFormation::CustomResource`'s.
pub fn schema_for(type_name: &str) -> Option<&'static ResourceSchema> {
    static CACHE: OnceLock<Vec<OnceLock<ResourceSchema>>> = OnceLock::new();
    let lookup = if is_custom(type_name) {
        "AWS::CloudFormation::CustomResource"
    } else {
        type_name
    };
    let index = vendored::SCHEMAS
        .binary_search_by(|(t, _)| t.cmp(&lookup))
        .ok()?;
    let cache = CACHE.get_or_init(|| vendored::SCHEMAS.iter().map(|_| OnceLock::new()).collect());
    let (name, text) = vendored::SCHEMAS[index];
    Some(cache[index].get_or_init(|| ResourceSchema::parse(name, text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendored_schema_parses_and_is_sorted() {
        let names: Vec<_> = vendored::SCHEMAS.iter().map(|(n, _)| *n).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        for (name, _) in vendored::SCHEMAS {
            let schema = schema_for(name).unwrap();
            assert_eq!(schema.json["typeName"], *name);
            assert!(
                schema.json.get("properties").map_or(true, Json::is_object),
                "{name}"
            );
        }
    }

    #[test]
    fn attributes_are_what_cfn_lint_knows() {
        let key = schema_for("AWS::KMS::Key").unwrap();
        assert!(key.has_attribute("Arn") && key.has_attribute("KeyId"));
        assert!(!key.has_attribute("Name"));
        assert!(key.is_read_only("Arn") && !key.is_read_only("KeyPolicy"));
        // Properties CloudFormation also returns (cfn-lint's list).
        assert!(schema_for("AWS::SQS::Queue")
            .unwrap()
            .has_attribute("QueueName"));
        assert!(schema_for("AWS::SNS::Topic")
            .unwrap()
            .has_attribute("TopicName"));
        assert!(!schema_for("AWS::SQS::Queue")
            .unwrap()
            .is_read_only("QueueName"));
        let stack = schema_for("AWS::CloudFormation::Stack").unwrap();
        assert!(stack.has_attribute("Outputs.BucketName") && !stack.has_attribute("Arn"));
        assert_eq!(
            schema_for("AWS::S3::Bucket")
                .unwrap()
                .physical_name_properties(),
            ["BucketName"]
        );
        assert!(schema_for("AWS::SQS::Queue")
            .unwrap()
            .physical_name_properties()
            .is_empty());
        assert_eq!(
            schema_for("Custom::Anything").unwrap().type_name,
            "AWS::CloudFormation::CustomResource"
        );
        assert!(schema_for("AWS::Nope::Nope").is_none());
    }
}
