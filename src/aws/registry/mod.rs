//! The CloudFormation resource provider schemas (the registry), vendored
//! from a pinned cfn-lint by `scripts/vendor-cfn-schemas.py`, embedded in the
//! binary and parsed once per type, on first use.

mod vendored;

use std::sync::OnceLock;

use serde_json::Value as Json;

pub(crate) use vendored::AVAILABILITY;
pub use vendored::SOURCE_VERSION;

/// One resource type's provider schema.
#[derive(Debug)]
pub struct ResourceSchema {
    pub type_name: &'static str,
    pub json: Json,
    /// Attributes `Fn::GetAtt` may name (`readOnlyProperties`, with `.`).
    pub attributes: Vec<String>,
}

impl ResourceSchema {
    fn parse(type_name: &'static str, text: &str) -> Self {
        let json: Json = serde_json::from_str(text).unwrap_or(Json::Null);
        let attributes = json
            .get("readOnlyProperties")
            .and_then(Json::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(Json::as_str)
                    .filter_map(|p| p.strip_prefix("/properties/"))
                    .map(|p| p.replace('/', "."))
                    .collect()
            })
            .unwrap_or_default();
        ResourceSchema {
            type_name,
            json,
            attributes,
        }
    }

    pub fn has_attribute(&self, name: &str) -> bool {
        self.attributes.iter().any(|a| a == name)
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
            assert!(schema.json["properties"].is_object(), "{name}");
        }
    }

    #[test]
    fn attributes_come_from_read_only_properties() {
        let key = schema_for("AWS::KMS::Key").unwrap();
        assert!(key.has_attribute("Arn") && key.has_attribute("KeyId"));
        assert!(!key.has_attribute("Name"));
        assert_eq!(
            schema_for("Custom::Anything").unwrap().type_name,
            "AWS::CloudFormation::CustomResource"
        );
        assert!(schema_for("AWS::Nope::Nope").is_none());
    }
}
