//! `stacksets/`: the inputs of CreateStackSet and CreateStackInstances, as
//! the AWS CLI's `--cli-input-json` reads them.

use serde_json::{json, Map, Value};

use crate::bundle::{Amount, StackSetSpec};

pub fn parameters(spec: &StackSetSpec) -> Value {
    Value::Array(
        spec.parameters
            .iter()
            .map(|p| json!({"ParameterKey": p.key(), "ParameterValue": p.placeholder()}))
            .collect(),
    )
}

pub fn create_stack_set(spec: &StackSetSpec, template_body: &str) -> Value {
    json!({
        "StackSetName": spec.name,
        "Description": spec.description,
        "TemplateBody": template_body,
        "Parameters": parameters(spec),
        "Capabilities": spec.capabilities,
        "Tags": spec.tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect::<Vec<_>>(),
        "PermissionModel": "SERVICE_MANAGED",
        "AutoDeployment": {
            "Enabled": spec.auto_deployment.enabled,
            "RetainStacksOnAccountRemoval": spec.auto_deployment.retain_stacks_on_account_removal,
        },
        "CallAs": spec.call_as.as_str(),
        "ManagedExecution": {"Active": true},
    })
}

pub fn create_stack_instances(spec: &StackSetSpec) -> Value {
    let mut targets = Map::new();
    targets.insert("OrganizationalUnitIds".into(), json!(spec.targets.organizational_units));
    if !spec.targets.exclude_accounts.is_empty() {
        targets.insert("Accounts".into(), json!(spec.targets.exclude_accounts));
        targets.insert("AccountFilterType".into(), json!("DIFFERENCE"));
    }
    json!({
        "StackSetName": spec.name,
        "DeploymentTargets": targets,
        "Regions": spec.regions,
        "OperationPreferences": operation_preferences(spec),
        "CallAs": spec.call_as.as_str(),
    })
}

pub fn operation_preferences(spec: &StackSetSpec) -> Value {
    let o = &spec.operation_preferences;
    let mut m = Map::new();
    m.insert("RegionConcurrencyType".into(), json!(o.region_concurrency));
    match o.max_concurrent {
        Amount::Count(n) => m.insert("MaxConcurrentCount".into(), json!(n)),
        Amount::Percentage(p) => m.insert("MaxConcurrentPercentage".into(), json!(p)),
    };
    match o.failure_tolerance {
        Amount::Count(n) => m.insert("FailureToleranceCount".into(), json!(n)),
        Amount::Percentage(p) => m.insert("FailureTolerancePercentage".into(), json!(p)),
    };
    m.insert("ConcurrencyMode".into(), json!(o.concurrency_mode));
    Value::Object(m)
}
