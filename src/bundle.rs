//! The compiled output of one configuration: every template and every
//! StackSet, typed. `render` turns it into files; `validate` checks its
//! templates; `deploy` rolls it out. Nothing here knows about Session Manager.

use crate::model::Template;

/// Where a template is deployed and how.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// Plain stacks in the log-archive account, in deployment order:
    /// the home-region stack first, then one replica stack per other region.
    pub archive_stacks: Vec<StackSpec>,
    /// Service-managed StackSets for the member accounts, in deployment order.
    pub stack_sets: Vec<StackSetSpec>,
    /// Plain stacks in the management account, deployed with the caller's
    /// own credentials after the StackSets (they may reference what the
    /// StackSets create in the member accounts), removed before them.
    pub management_stacks: Vec<StackSpec>,
    /// What must hold outside sessionlog for the stacks to work; `plan` and
    /// `deploy` check what they can and say what to do.
    pub requirements: Vec<Requirement>,
    /// The log-archive account and the role assumed in it to deploy.
    pub archive_account: String,
    pub archive_access_role: String,
    /// Every region any template of this bundle is deployed to.
    pub regions: Vec<String>,
    /// The organization's management account (where StackSets live).
    pub management_account: String,
    /// Region of the StackSet administrator (where the StackSets are created).
    pub stack_set_region: String,
}

/// Something a stack depends on that sessionlog does not deploy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// AWS Config must be recording in `region` of `account` (`None`: of
    /// every member account): a Config rule evaluates nothing otherwise.
    ConfigRecording { account: Option<String>, region: String, stack: String },
}

/// A template file of the bundle (`templates/<file_stem>.yaml`).
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// File name without extension, e.g. `log-archive`.
    pub file_stem: String,
    pub template: Template,
    /// Regions this template is deployed to (for region-aware checks).
    pub regions: Vec<String>,
}

/// A plain CloudFormation stack deployed in one account and region.
#[derive(Debug, Clone)]
pub struct StackSpec {
    pub stack_name: String,
    pub account: String,
    pub region: String,
    pub template: TemplateFile,
    pub parameters: Vec<ParameterValue>,
    pub capabilities: Vec<String>,
    pub tags: Vec<(String, String)>,
}

/// A parameter value: known when rendering, or read from another stack's
/// outputs once that stack exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParameterValue {
    Literal { key: String, value: String },
    /// The output `output_key` of stack `stack_name` in `region` of the log-archive account.
    StackOutput { key: String, stack_name: String, region: String, output_key: String },
}

impl ParameterValue {
    pub fn key(&self) -> &str {
        match self {
            ParameterValue::Literal { key, .. } | ParameterValue::StackOutput { key, .. } => key,
        }
    }
    /// The text written into files for a value known only after deployment.
    pub fn placeholder(&self) -> String {
        match self {
            ParameterValue::Literal { value, .. } => value.clone(),
            ParameterValue::StackOutput { stack_name, output_key, .. } => {
                format!("{{{{output:{stack_name}:{output_key}}}}}")
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallAs {
    SelfAccount,
    DelegatedAdmin,
}

impl CallAs {
    pub fn as_str(self) -> &'static str {
        match self {
            CallAs::SelfAccount => "SELF",
            CallAs::DelegatedAdmin => "DELEGATED_ADMIN",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoDeployment {
    pub enabled: bool,
    pub retain_stacks_on_account_removal: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Amount {
    Count(u32),
    Percentage(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationPreferences {
    /// `SEQUENTIAL` or `PARALLEL`.
    pub region_concurrency: String,
    pub max_concurrent: Amount,
    pub failure_tolerance: Amount,
    /// `STRICT_FAILURE_TOLERANCE` or `SOFT_FAILURE_TOLERANCE`.
    pub concurrency_mode: String,
}

/// Which accounts get stack instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentTargets {
    pub organizational_units: Vec<String>,
    /// Accounts excluded from the OUs (AccountFilterType DIFFERENCE).
    pub exclude_accounts: Vec<String>,
}

/// A service-managed StackSet and its stack instances.
#[derive(Debug, Clone)]
pub struct StackSetSpec {
    pub name: String,
    pub description: String,
    pub template: TemplateFile,
    pub parameters: Vec<ParameterValue>,
    pub capabilities: Vec<String>,
    pub auto_deployment: AutoDeployment,
    pub call_as: CallAs,
    pub targets: DeploymentTargets,
    pub regions: Vec<String>,
    pub operation_preferences: OperationPreferences,
    pub tags: Vec<(String, String)>,
    /// Names of the StackSets whose instances must exist first in every
    /// account (deploy orders them; `AutoDeployment.DependsOn` orders the
    /// auto-deployment of accounts that join later).
    pub depends_on: Vec<String>,
}

impl Bundle {
    /// Every template of the bundle, each once, in deployment order.
    pub fn templates(&self) -> Vec<&TemplateFile> {
        let mut out: Vec<&TemplateFile> = Vec::new();
        let all = self
            .archive_stacks
            .iter()
            .map(|s| &s.template)
            .chain(self.stack_sets.iter().map(|s| &s.template))
            .chain(self.management_stacks.iter().map(|s| &s.template));
        for t in all {
            if !out.iter().any(|o| o.file_stem == t.file_stem) {
                out.push(t);
            }
        }
        out
    }
}
