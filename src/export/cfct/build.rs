//! Bundle → CfCT manifest. The log-archive stacks become StackSet resources
//! that target the log-archive account; the member StackSets become
//! StackSet resources that target OUs (by name, as CfCT resolves them) or
//! listed accounts. Values known only after the log-archive stack exists
//! (the multi-region key ids) flow the CfCT way: `export_outputs` on the
//! resource that creates them, `$[alfred_ssm_…]` in the resources after it.

use std::collections::BTreeSet;

use crate::aws::regions;
use crate::bundle::{Amount, Bundle, ParameterValue, TemplateFile};
use crate::render::Format;

use super::manifest::{
    output_ref, ssm_ref, DeployMethod, DeploymentTargets, ExportOutput, Manifest, Parameter,
    Resource, MAX_STACK_SET_NAME, STACK_SET_PREFIX, VERSION,
};
use super::{ExportError, TEMPLATES_DIR};

/// CfCT's name for the organization root in `organizational_units`.
pub const ROOT: &str = "Root";

/// Choices the configuration cannot make for CfCT.
#[derive(Debug, Clone)]
pub struct Options {
    /// Control Tower home region (manifest `region`). Default: the
    /// configuration's StackSet administration region.
    pub home_region: Option<String>,
    /// OU id → OU name or `Parent:Child` path; an id may be given several
    /// times (an OU and its child OUs).
    pub ou_names: Vec<(String, String)>,
    /// Target these accounts instead of the configured OUs.
    pub target_accounts: Vec<String>,
    /// Prefix of the SSM parameters that carry outputs between resources.
    pub ssm_prefix: String,
    pub format: Format,
}

pub const DEFAULT_SSM_PREFIX: &str = "/sessionlog";

impl Default for Options {
    fn default() -> Self {
        Options {
            home_region: None,
            ou_names: Vec::new(),
            target_accounts: Vec::new(),
            ssm_prefix: DEFAULT_SSM_PREFIX.into(),
            format: Format::Yaml,
        }
    }
}

/// The manifest, the templates it names, and what CfCT cannot express.
#[derive(Debug, Clone)]
pub struct Export<'a> {
    pub manifest: Manifest,
    /// `(resource_file, template)` for every file the manifest names, once.
    pub templates: Vec<(String, &'a TemplateFile)>,
    /// Settings of the configuration the manifest cannot carry, in words.
    pub not_expressed: Vec<String>,
    /// How values flow between resources.
    pub flows: Vec<Flow>,
}

/// One value passed from a resource's output to later resources' parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub ssm_name: String,
    /// `output <OutputKey> of <resource>`.
    pub output: String,
    /// `<ParameterKey> of <resource>`, in manifest order.
    pub readers: Vec<String>,
}

impl std::fmt::Display for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} → SSM {} → {}",
            self.output,
            self.ssm_name,
            self.readers.join(", ")
        )
    }
}

pub fn build<'a>(bundle: &'a Bundle, options: &Options) -> Result<Export<'a>, Vec<ExportError>> {
    let mut errors = check_options(bundle, options);
    let home_region = options
        .home_region
        .clone()
        .unwrap_or_else(|| bundle.stack_set_region.clone());
    let ext = options.format.extension();
    let file_of = |t: &TemplateFile| format!("{TEMPLATES_DIR}/{}.{ext}", t.file_stem);

    let mut resources: Vec<Resource> = Vec::new();
    // Which resource deploys stack `name` (for outputs read by later resources).
    let mut deployed_by: Vec<(String, usize)> = Vec::new();

    // Log-archive stacks: one resource per stack name; its stacks' regions in order.
    for stack in &bundle.archive_stacks {
        let parameters = parameters(&stack.parameters, &options.ssm_prefix, &mut errors);
        if let Some((_, i)) = deployed_by.iter().find(|(n, _)| *n == stack.stack_name) {
            let r = &mut resources[*i];
            if r.parameters != parameters || r.resource_file != file_of(&stack.template) {
                errors.push(ExportError::Unexpressible {
                    what: format!(
                        "stack `{}` with different templates or parameters per region",
                        stack.stack_name
                    ),
                });
            }
            r.regions.push(stack.region.clone());
            continue;
        }
        deployed_by.push((stack.stack_name.clone(), resources.len()));
        resources.push(Resource {
            name: stack.stack_name.clone(),
            description: format!(
                "sessionlog: {} (log-archive account {})",
                first_sentence(&stack.template.template.description),
                stack.account
            ),
            resource_file: file_of(&stack.template),
            deploy_method: DeployMethod::StackSet,
            deployment_targets: DeploymentTargets {
                accounts: vec![stack.account.clone()],
                organizational_units: vec![],
            },
            parameters,
            export_outputs: Vec::new(),
            regions: vec![stack.region.clone()],
        });
    }

    for spec in &bundle.stack_sets {
        let targets = if options.target_accounts.is_empty() {
            DeploymentTargets {
                accounts: vec![],
                organizational_units: ou_targets(&spec.targets.organizational_units, options),
            }
        } else {
            DeploymentTargets {
                accounts: options.target_accounts.clone(),
                organizational_units: vec![],
            }
        };
        resources.push(Resource {
            name: spec.name.clone(),
            description: spec.description.clone(),
            resource_file: file_of(&spec.template),
            deploy_method: DeployMethod::StackSet,
            deployment_targets: targets,
            parameters: parameters(&spec.parameters, &options.ssm_prefix, &mut errors),
            export_outputs: Vec::new(),
            regions: spec.regions.clone(),
        });
    }

    // Outputs read by later resources: exported by the resource that creates them.
    let mut flows: Vec<Flow> = Vec::new();
    let readers: Vec<(String, &ParameterValue)> = bundle
        .archive_stacks
        .iter()
        .flat_map(|s| s.parameters.iter().map(move |p| (s.stack_name.clone(), p)))
        .chain(
            bundle
                .stack_sets
                .iter()
                .flat_map(|s| s.parameters.iter().map(move |p| (s.name.clone(), p))),
        )
        .collect();
    for (reader, p) in readers {
        let ParameterValue::StackOutput {
            key,
            stack_name,
            region,
            output_key,
        } = p
        else {
            continue;
        };
        let Some(&(_, i)) = deployed_by.iter().find(|(n, _)| n == stack_name) else {
            errors.push(ExportError::Unexpressible {
                what: format!("parameter {key} reads stack `{stack_name}`, which is not deployed"),
            });
            continue;
        };
        let producer = &mut resources[i];
        // CfCT exports the outputs of the first account and first region.
        if producer.regions.first() != Some(region) {
            errors.push(ExportError::Unexpressible {
                what: format!("output {output_key} of `{stack_name}` in {region}: CfCT exports outputs of a resource's first region only"),
            });
            continue;
        }
        let name = ssm_name(&options.ssm_prefix, stack_name, output_key);
        if !producer.export_outputs.iter().any(|e| e.name == name) {
            producer.export_outputs.push(ExportOutput {
                name: name.clone(),
                value: output_ref(output_key),
            });
        }
        match flows.iter_mut().find(|f| f.ssm_name == name) {
            Some(f) => {
                let r = format!("{key} of {reader}");
                if !f.readers.contains(&r) {
                    f.readers.push(r);
                }
            }
            None => flows.push(Flow {
                ssm_name: name,
                output: format!("output {output_key} of {stack_name}"),
                readers: vec![format!("{key} of {reader}")],
            }),
        }
    }

    for r in &resources {
        let full = format!("{STACK_SET_PREFIX}{}", r.name);
        if full.len() > MAX_STACK_SET_NAME {
            errors.push(ExportError::NameTooLong { name: full });
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }

    let mut templates: Vec<(String, &TemplateFile)> = Vec::new();
    for t in bundle.templates() {
        templates.push((file_of(t), t));
    }
    Ok(Export {
        manifest: Manifest {
            region: home_region,
            version: VERSION,
            resources,
        },
        templates,
        not_expressed: not_expressed(bundle, options),
        flows,
    })
}

/// `<prefix>/<stack name>/<OutputKey>`.
pub fn ssm_name(prefix: &str, stack_name: &str, output_key: &str) -> String {
    format!("{prefix}/{stack_name}/{output_key}")
}

fn parameters(
    values: &[ParameterValue],
    ssm_prefix: &str,
    errors: &mut Vec<ExportError>,
) -> Vec<Parameter> {
    values
        .iter()
        .map(|p| {
            let value = match p {
                ParameterValue::Literal { key, value } => {
                    // CfCT splits a value at commas into a list.
                    if value.contains(',') {
                        errors.push(ExportError::Unexpressible {
                            what: format!("parameter {key}: CfCT splits values at commas, `{value}` would become a list"),
                        });
                    }
                    value.clone()
                }
                ParameterValue::StackOutput { stack_name, output_key, .. } => {
                    ssm_ref(&ssm_name(ssm_prefix, stack_name, output_key))
                }
            };
            Parameter { parameter_key: p.key().to_string(), parameter_value: value }
        })
        .collect()
}

/// OU ids → the names CfCT resolves; the root is CfCT's `Root`.
fn ou_targets(ous: &[String], options: &Options) -> Vec<String> {
    let mut out = Vec::new();
    for ou in ous {
        if ou.starts_with("r-") {
            out.push(ROOT.to_string());
        }
        for (id, name) in &options.ou_names {
            if id == ou && !out.contains(name) {
                out.push(name.clone());
            }
        }
    }
    out
}

fn check_options(bundle: &Bundle, options: &Options) -> Vec<ExportError> {
    let mut errors = Vec::new();
    let configured: BTreeSet<&String> = bundle
        .stack_sets
        .iter()
        .flat_map(|s| s.targets.organizational_units.iter())
        .collect();
    let excluded: BTreeSet<&String> = bundle
        .stack_sets
        .iter()
        .flat_map(|s| s.targets.exclude_accounts.iter())
        .collect();

    if let Some(r) = &options.home_region {
        if !regions::is_known(r) {
            errors.push(ExportError::UnknownRegion { region: r.clone() });
        }
    }
    if !valid_ssm_prefix(&options.ssm_prefix) {
        errors.push(ExportError::BadSsmPrefix {
            prefix: options.ssm_prefix.clone(),
        });
    }
    for (id, _) in &options.ou_names {
        if !configured.contains(id) {
            errors.push(ExportError::UnknownOu {
                ou: id.clone(),
                configured: configured.iter().map(|s| s.to_string()).collect(),
            });
        }
    }
    if options.target_accounts.is_empty() {
        for ou in &configured {
            if !ou.starts_with("r-") && !options.ou_names.iter().any(|(id, _)| id == *ou) {
                errors.push(ExportError::MissingOuName { ou: ou.to_string() });
            }
        }
        if !excluded.is_empty() {
            errors.push(ExportError::ExclusionsNeedAccounts {
                accounts: excluded.iter().map(|s| s.to_string()).collect(),
            });
        }
    } else {
        if !options.ou_names.is_empty() {
            errors.push(ExportError::OusAndAccounts);
        }
        let mut seen = BTreeSet::new();
        for a in &options.target_accounts {
            if !(a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())) {
                errors.push(ExportError::BadAccount { account: a.clone() });
            } else if excluded.contains(a) {
                errors.push(ExportError::ExcludedAccount { account: a.clone() });
            } else if *a == bundle.management_account {
                errors.push(ExportError::ManagementAccount { account: a.clone() });
            } else if !seen.insert(a) {
                errors.push(ExportError::DuplicateAccount { account: a.clone() });
            }
        }
    }
    errors
}

/// SSM parameter names: `/`-separated segments of letters, digits and
/// `_.-`; names under `/aws` and `/ssm` are reserved.
fn valid_ssm_prefix(prefix: &str) -> bool {
    let Some(rest) = prefix.strip_prefix('/') else {
        return false;
    };
    let lower = rest.to_ascii_lowercase();
    let reserved = ["aws", "ssm"]
        .iter()
        .any(|r| lower == *r || lower.starts_with(&format!("{r}/")));
    !rest.is_empty()
        && !reserved
        && rest.split('/').all(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
        })
        && prefix.len() <= 900
}

fn first_sentence(description: &str) -> String {
    let head = description.split(". ").next().unwrap_or(description);
    head.trim_start_matches("sessionlog ")
        .trim_end_matches('.')
        .to_string()
}

fn amount(a: &Amount) -> String {
    match a {
        Amount::Count(n) => format!("{n} accounts"),
        Amount::Percentage(p) => format!("{p}%"),
    }
}

/// Settings of the bundle a CfCT manifest cannot carry.
fn not_expressed(bundle: &Bundle, options: &Options) -> Vec<String> {
    let mut notes = Vec::new();
    let Some(spec) = bundle.stack_sets.first() else {
        return notes;
    };
    notes.push(format!(
        "StackSets are self-managed (`{STACK_SET_PREFIX}<name>`), administered by CfCT in the management account: \
         stack_set.call_as ({}), stack_set.admin_region ({}) and log_archive.access_role ({}) do not apply.",
        spec.call_as.as_str(),
        bundle.stack_set_region,
        bundle.archive_access_role
    ));
    let o = &spec.operation_preferences;
    notes.push(format!(
        "Operation preferences are CfCT's own, set on its installation stack (RegionConcurrencyType, \
         MaxConcurrentPercentage, FailureTolerancePercentage); the configuration asks for region concurrency {}, \
         max concurrent {}, failure tolerance {}, {}.",
        o.region_concurrency,
        amount(&o.max_concurrent),
        amount(&o.failure_tolerance),
        o.concurrency_mode
    ));
    notes.push(
        "Auto-deployment is CfCT's: accounts that join get instances when CfCT's pipeline runs (Control Tower \
         lifecycle events start it); an account or region that leaves the targets loses its stack instances \
         (stack_set.auto_deployment does not apply; buckets, keys and log groups are kept by DeletionPolicy Retain)."
            .to_string(),
    );
    notes.push(
        "Stack tags (sessionlog:managed and `tags`) are not part of a CfCT manifest; the resources in the \
         templates keep their tags."
            .to_string(),
    );
    for m in &bundle.management_stacks {
        let (what, after) = management_stack_role(&m.template.file_stem);
        notes.push(format!(
            "The management-account stack {} ({}, region {}: {what}) is not in the manifest: deploy it with the \
             management account's credentials {after} (`sessionlog render` writes it; templates/README.md has the \
             command).",
            m.stack_name, m.template.file_stem, m.region
        ));
    }
    if options.target_accounts.is_empty() {
        let named: Vec<&String> = options.ou_names.iter().map(|(_, n)| n).collect();
        if !named.is_empty() {
            notes.push(format!(
                "CfCT deploys to the accounts directly in each named OU ({}), not in their child OUs (a \
                 service-managed StackSet covers those too): add --ou-name <id>=<Parent>:<Child> for each child OU \
                 whose accounts need logging.",
                named.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
    } else {
        notes.push(format!(
            "Member StackSets target the {} accounts given with --target-account instead of OUs (CfCT has no \
             account exclusions): accounts added to the OUs later are not covered until listed.",
            options.target_accounts.len()
        ));
    }
    notes
}

/// What a management-account stack holds, and when it can be deployed.
fn management_stack_role(file_stem: &str) -> (&'static str, &'static str) {
    match file_stem {
        crate::stacks::IDENTITY_CENTER => (
            "the operators' IAM Identity Center permission sets",
            "once CfCT's StackSets created the operator policies it references",
        ),
        crate::stacks::guardrails::MANAGEMENT_GUARDRAILS => (
            "the guardrails: organization trail, CloudTrail guard, service control policy",
            "once CfCT deployed the log-archive stacks (the trail writes to their bucket with their key; its \
             ArchiveKeyId parameter is the log-archive stack's output) and the member StackSets (what the SCP \
             protects)",
        ),
        crate::stacks::jit::MANAGEMENT_JIT => (
            "the organization's just-in-time node access deny-access policy",
            "in the account and region where just-in-time node access was set up (docs/jit.md)",
        ),
        _ => ("", "after the StackSets"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssm_prefixes() {
        for ok in ["/sessionlog", "/org/log-archive", "/a.b_c-d/e"] {
            assert!(valid_ssm_prefix(ok), "{ok}");
        }
        for bad in [
            "",
            "/",
            "sessionlog",
            "/sessionlog/",
            "/a//b",
            "/aws/x",
            "/ssm",
            "/SSM/x",
            "/a b",
            "/a$b",
        ] {
            assert!(!valid_ssm_prefix(bad), "{bad}");
        }
    }

    #[test]
    fn first_sentences() {
        assert_eq!(
            first_sentence("sessionlog log archive: bucket and keys. Generated by sessionlog."),
            "log archive: bucket and keys"
        );
    }
}

