//! Which resource types exist in which region (cfn-lint's provider tables,
//! vendored with the registry schemas).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::registry::AVAILABILITY;

#[derive(Debug, Deserialize)]
pub struct Availability {
    pub source: String,
    pub regions: Vec<String>,
    unavailable_sets: Vec<Vec<String>>,
    types: HashMap<String, usize>,
}

impl Availability {
    pub fn knows_region(&self, region: &str) -> bool {
        self.regions.iter().any(|r| r == region)
    }

    /// True when CloudFormation has this type in at least one region.
    pub fn knows_type(&self, type_name: &str) -> bool {
        self.types.contains_key(type_name)
    }

    /// Known type names starting with `prefix`.
    pub fn types_with_prefix(&self, prefix: &str) -> Vec<&str> {
        self.types
            .keys()
            .map(String::as_str)
            .filter(|t| t.starts_with(prefix))
            .collect()
    }

    /// The regions among `regions` where `type_name` cannot be created.
    /// Unknown types and unknown regions are not reported here.
    pub fn unavailable_in<'r>(&self, type_name: &str, regions: &'r [String]) -> Vec<&'r str> {
        let Some(set) = self
            .types
            .get(type_name)
            .and_then(|i| self.unavailable_sets.get(*i))
        else {
            return Vec::new();
        };
        regions
            .iter()
            .filter(|r| set.contains(r))
            .map(String::as_str)
            .collect()
    }
}

pub fn availability() -> &'static Availability {
    static CELL: OnceLock<Availability> = OnceLock::new();
    CELL.get_or_init(|| {
        serde_json::from_str(AVAILABILITY).expect("vendored availability.json is valid")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gui_connect_is_missing_in_twenty_regions() {
        let a = availability();
        let all: Vec<String> = a.regions.clone();
        assert_eq!(
            a.unavailable_in("AWS::SSMGuiConnect::Preferences", &all)
                .iter()
                .filter(|r| !r.contains("iso") && !r.contains("gov") && !r.starts_with("eusc"))
                .count(),
            20
        );
        assert!(a
            .unavailable_in("AWS::S3::Bucket", &["eu-south-1".to_string()])
            .is_empty());
        assert!(a.knows_type("AWS::S3::Bucket") && !a.knows_type("AWS::S3::Buckets"));
        assert!(a.knows_region("ap-east-2"));
    }
}
