//! What gets deployed: the options shared by the commands and a
//! [`Rollout`], a [`Bundle`] with its templates rendered to text.

use std::time::Duration;

use crate::bundle::{AutoDeployment, Bundle, CallAs, DeploymentTargets, OperationPreferences, ParameterValue, Requirement};

use super::OutputFormat;

/// Options shared by `plan`, `deploy`, `status` and `destroy`.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Do not ask for confirmation.
    pub yes: bool,
    /// Allow changes that replace or delete a bucket, key or log group.
    pub allow_replacement: bool,
    pub output: OutputFormat,
    /// Attempts per API call (the SDK's standard retry: backoff with jitter).
    pub max_attempts: u32,
    pub retry_initial_backoff: Duration,
    pub poll_interval: Duration,
    /// Longest wait for one stack or StackSet operation.
    pub timeout: Duration,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            profile: None,
            region: None,
            endpoint_url: None,
            yes: false,
            allow_replacement: false,
            output: OutputFormat::Human,
            max_attempts: 8,
            retry_initial_backoff: Duration::from_millis(500),
            poll_interval: Duration::from_secs(5),
            timeout: Duration::from_secs(3 * 3600),
        }
    }
}

/// A plain stack with its template text.
#[derive(Debug, Clone)]
pub struct PlainStack {
    pub stack_name: String,
    pub account: String,
    pub region: String,
    pub body: String,
    pub parameters: Vec<ParameterValue>,
    pub capabilities: Vec<String>,
    pub tags: Vec<(String, String)>,
}

/// A StackSet with its template text.
#[derive(Debug, Clone)]
pub struct SetDef {
    pub name: String,
    pub description: String,
    pub body: String,
    pub parameters: Vec<ParameterValue>,
    pub capabilities: Vec<String>,
    pub auto_deployment: AutoDeployment,
    pub call_as: CallAs,
    pub targets: DeploymentTargets,
    pub regions: Vec<String>,
    pub operation_preferences: OperationPreferences,
    pub tags: Vec<(String, String)>,
    /// StackSets (by name) whose operations must end first.
    pub depends_on: Vec<String>,
}

/// What gets deployed: a [`Bundle`] with its templates rendered to text.
#[derive(Debug, Clone)]
pub struct Rollout {
    pub archive_account: String,
    pub archive_access_role: String,
    pub management_account: String,
    pub stack_set_region: String,
    pub archive_stacks: Vec<PlainStack>,
    pub stack_sets: Vec<SetDef>,
    /// Plain stacks in the management account, after the StackSets.
    pub management_stacks: Vec<PlainStack>,
    /// Checked by `plan` and `deploy` (see [`super::requirements`]).
    pub requirements: Vec<Requirement>,
}

impl Rollout {
    pub fn from_bundle(b: &Bundle) -> Rollout {
        let text = |t: &crate::bundle::TemplateFile| crate::render::template_text(&t.template, crate::render::Format::Yaml);
        let plain = |s: &crate::bundle::StackSpec| PlainStack {
            stack_name: s.stack_name.clone(),
            account: s.account.clone(),
            region: s.region.clone(),
            body: text(&s.template),
            parameters: s.parameters.clone(),
            capabilities: s.capabilities.clone(),
            tags: s.tags.clone(),
        };
        Rollout {
            archive_account: b.archive_account.clone(),
            archive_access_role: b.archive_access_role.clone(),
            management_account: b.management_account.clone(),
            stack_set_region: b.stack_set_region.clone(),
            archive_stacks: b.archive_stacks.iter().map(plain).collect(),
            stack_sets: b
                .stack_sets
                .iter()
                .map(|s| SetDef {
                    name: s.name.clone(),
                    description: s.description.clone(),
                    body: text(&s.template),
                    parameters: s.parameters.clone(),
                    capabilities: s.capabilities.clone(),
                    auto_deployment: s.auto_deployment.clone(),
                    call_as: s.call_as,
                    targets: s.targets.clone(),
                    regions: s.regions.clone(),
                    operation_preferences: s.operation_preferences.clone(),
                    tags: s.tags.clone(),
                    depends_on: s.depends_on.clone(),
                })
                .collect(),
            management_stacks: b.management_stacks.iter().map(plain).collect(),
            requirements: b.requirements.clone(),
        }
    }
}
