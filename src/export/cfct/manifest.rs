//! The Customizations for Control Tower (CfCT) manifest, version 2021-03-15,
//! as typed values. Field names and shapes follow CfCT's own schema
//! (`source/src/cfct/validation/manifest-v2.schema.yaml`, vendored under
//! `tests/cfct/` where the test suite checks every exported manifest with it).

use serde::Serialize;

/// The only manifest version this exporter writes (CfCT's "v2" schema).
pub const VERSION: &str = "2021-03-15";

/// CfCT names the StackSet of a resource `CustomControlTower-<name>`.
pub const STACK_SET_PREFIX: &str = "CustomControlTower-";

/// Longest StackSet name CloudFormation accepts.
pub const MAX_STACK_SET_NAME: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manifest {
    /// The Control Tower home region: where CfCT runs, keeps its SSM
    /// parameters and administers its StackSets.
    pub region: String,
    /// Written unquoted, so YAML readers (and CfCT's schema, `type: date`)
    /// see a date.
    pub version: &'static str,
    pub resources: Vec<Resource>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resource {
    pub name: String,
    pub description: String,
    /// Path relative to the manifest.
    pub resource_file: String,
    pub deploy_method: DeployMethod,
    pub deployment_targets: DeploymentTargets,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub export_outputs: Vec<ExportOutput>,
    pub regions: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployMethod {
    StackSet,
}

/// Accounts (ids) and organizational units (names or `Parent:Child` paths,
/// `Root` for the organization root) — CfCT resolves names, not ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeploymentTargets {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub organizational_units: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameter {
    pub parameter_key: String,
    pub parameter_value: String,
}

/// An output of the resource's first stack instance, stored by CfCT as an
/// SSM parameter of the management account in the home region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportOutput {
    /// SSM parameter name.
    pub name: String,
    /// `$[output_<OutputKey>]`.
    pub value: String,
}

/// `$[output_<OutputKey>]`: the value of a stack output, in `export_outputs`.
pub fn output_ref(output_key: &str) -> String {
    format!("$[output_{output_key}]")
}

/// `$[alfred_ssm_<name>]`: the value of an SSM parameter, in `parameters`.
pub fn ssm_ref(parameter_name: &str) -> String {
    format!("$[alfred_ssm_{parameter_name}]")
}

impl Manifest {
    /// The manifest as YAML: `header` lines as comments, then the document.
    pub fn to_yaml(&self, header: &[String]) -> String {
        let mut text = String::new();
        for line in header {
            if line.is_empty() {
                text.push_str("#\n");
            } else {
                text.push_str("# ");
                text.push_str(line);
                text.push('\n');
            }
        }
        text.push_str("---\n");
        text.push_str(&serde_yaml::to_string(self).expect("the manifest serializes"));
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            region: "us-east-1".into(),
            version: VERSION,
            resources: vec![Resource {
                name: "a".into(),
                description: "d".into(),
                resource_file: "templates/a.yaml".into(),
                deploy_method: DeployMethod::StackSet,
                deployment_targets: DeploymentTargets {
                    accounts: vec!["012345678901".into()],
                    organizational_units: vec![],
                },
                parameters: vec![Parameter {
                    parameter_key: "K".into(),
                    parameter_value: ssm_ref("/p/K"),
                }],
                export_outputs: vec![ExportOutput {
                    name: "/p/O".into(),
                    value: output_ref("O"),
                }],
                regions: vec!["us-east-1".into()],
            }],
        }
    }

    #[test]
    fn version_is_a_date_and_account_ids_stay_strings() {
        let text = manifest().to_yaml(&["generated".into(), String::new()]);
        assert!(text.starts_with("# generated\n#\n---\n"), "{text}");
        assert!(text.contains("\nversion: 2021-03-15\n"), "{text}");
        assert!(text.contains("- '012345678901'"), "{text}");
        assert!(text.contains("deploy_method: stack_set"), "{text}");
        assert!(
            !text.contains("organizational_units"),
            "empty lists are left out: {text}"
        );
        let back: serde_json::Value = serde_yaml::from_str(&text).unwrap();
        let r = &back["resources"][0];
        assert_eq!(r["parameters"][0]["parameter_value"], "$[alfred_ssm_/p/K]");
        assert_eq!(r["export_outputs"][0]["value"], "$[output_O]");
        assert_eq!(r["deployment_targets"]["accounts"][0], "012345678901");
    }
}
