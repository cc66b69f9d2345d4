//! Stage 2: stack builders. Read a validated configuration and produce the
//! typed model: every template, where it goes, and in which order.

pub mod archive;
pub mod archive_alarm;
pub mod athena;
pub mod identity_center;
pub mod jit;
pub mod guardrails;
pub mod key_policy;
pub mod log_copy;
pub mod member_iam;
pub mod functions;
pub mod member_regional;
pub mod names;
pub mod operators;
pub mod prompt;
pub mod replica;
pub mod scanners;
pub mod session_document;
pub mod support;
pub mod tags;

use crate::bundle::*;
use crate::config::model::{AmountConfig, CallAsConfig, Config};
use crate::model::Template;

use names::{KeyRole, Names};
use support::RegionSupport;

pub const LOG_ARCHIVE: &str = "log-archive";
pub const LOG_ARCHIVE_REPLICA: &str = "log-archive-replica";
pub const MEMBER_IAM: &str = "member-iam";
pub const MEMBER_REGIONAL: &str = "member-regional";
pub const MEMBER_REGIONAL_NO_RDP: &str = "member-regional-no-rdp";
pub const IDENTITY_CENTER: &str = "identity-center";
pub const MEMBER_REGIONAL_NO_COPY: &str = "member-regional-no-copy";
pub const MEMBER_REGIONAL_NO_RDP_NO_COPY: &str = "member-regional-no-rdp-no-copy";
pub const LOG_ARCHIVE_REPLICA_NO_COPY: &str = "log-archive-replica-no-copy";

const CAPABILITIES: [&str; 1] = ["CAPABILITY_NAMED_IAM"];

fn file(stem: &str, mut template: Template, regions: Vec<String>) -> TemplateFile {
    scanners::annotate(&mut template);
    TemplateFile { file_stem: stem.into(), template, regions }
}

/// Everything one configuration compiles to.
pub fn build(c: &Config) -> Bundle {
    build_for(c, &RegionSupport::vendored())
}

/// `build`, with the region support given (tests pretend a region lacks a type).
pub fn build_for(c: &Config, support: &RegionSupport) -> Bundle {
    let names = Names::new(c);
    let tags = tags::stack_tags(c);
    let home = c.log_archive.region.clone();

    let mut home_template = archive::template(c);
    if c.regions.contains(&home) && support.copies(c, &home) {
        log_copy::add_archive(&mut home_template, c);
    }
    archive_alarm::add(&mut home_template, c, true);
    let mut archive_stacks = vec![StackSpec {
        stack_name: names.archive_stack(),
        account: c.log_archive.account.clone(),
        region: home.clone(),
        capabilities: iam_capabilities(&home_template),
        template: file(LOG_ARCHIVE, home_template, vec![home.clone()]),
        parameters: Vec::new(),
        tags: tags.clone(),
    }];
    // Replica regions with the log copy share one template, those without
    // it (where its types do not exist) another.
    let replica_regions = names.replica_regions();
    let (copying, not_copying): (Vec<String>, Vec<String>) =
        replica_regions.iter().cloned().partition(|r| !log_copy::enabled(c) || support.copies(c, r));
    for (stem, regions, copy) in [(LOG_ARCHIVE_REPLICA, copying, log_copy::enabled(c)), (LOG_ARCHIVE_REPLICA_NO_COPY, not_copying, false)] {
        if regions.is_empty() {
            continue;
        }
        let mut template = replica::template(c);
        if copy {
            log_copy::add_archive(&mut template, c);
        }
        archive_alarm::add(&mut template, c, false);
        let capabilities = iam_capabilities(&template);
        let replica = file(stem, template, regions.clone());
        for region in &regions {
            archive_stacks.push(StackSpec {
                stack_name: names.replica_stack(),
                account: c.log_archive.account.clone(),
                region: region.clone(),
                template: replica.clone(),
                parameters: key_parameters(c),
                capabilities: capabilities.clone(),
                tags: tags.clone(),
            });
        }
    }
    // Replica stacks in configuration order, whichever template they use.
    archive_stacks[1..].sort_by_key(|s| replica_regions.iter().position(|r| *r == s.region));

    let mut stack_sets = Vec::new();
    if member_iam::needed(c) {
        stack_sets.push(stack_set(
            c,
            MEMBER_IAM,
            "IAM policy for the instances' role, once per member account",
            member_iam::template(c),
            vec![names.iam_region()],
        ));
    }
    for v in support::member_variants(c, support) {
        let mut template = member_regional::template(c, v.rdp);
        if v.copy {
            log_copy::add_subscription(&mut template, c);
        }
        stack_sets.push(stack_set(c, v.stem, v.what, template, v.regions));
    }

    // The regional StackSets' Session Manager preferences make every session
    // write to the bucket and log groups with the keys: the instances' policy
    // (member-iam) must exist first in each account.
    if member_iam::needed(c) {
        let iam = names.stack_set(MEMBER_IAM);
        for s in stack_sets.iter_mut().filter(|s| s.name != iam) {
            s.depends_on.push(iam.clone());
        }
    }

    if let Some(guard) = guardrails::member_guard::template(c) {
        stack_sets.push(stack_set(c, guardrails::MEMBER_GUARD, "AWS Config guard of the member accounts' own trails", guard, vec![guardrails::GuardNames::new(c).region()]));
    }

    let management_stacks = management_stacks(c);
    let mut all_regions: Vec<String> = vec![home];
    for r in c.regions.iter().chain(management_stacks.iter().map(|s| &s.region)) {
        if !all_regions.contains(r) {
            all_regions.push(r.clone());
        }
    }
    Bundle {
        archive_stacks,
        stack_sets,
        management_stacks,
        requirements: guardrails::requirements(c),
        archive_account: c.log_archive.account.clone(),
        archive_access_role: c.log_archive.access_role.clone(),
        regions: all_regions,
        management_account: c.organization.management_account.clone(),
        stack_set_region: names.admin_region(),
    }
}

/// Stacks in the management account: the operators' permission sets and the
/// guardrails (organization trail, its Config guard, the SCP).
fn management_stacks(c: &Config) -> Vec<StackSpec> {
    let names = Names::new(c);
    let mut out = Vec::new();
    if let Some(template) = identity_center::template(c) {
        let region = names.identity_center_region();
        out.push(StackSpec {
            stack_name: names.identity_center_stack(),
            account: c.organization.management_account.clone(),
            region: region.clone(),
            template: file(IDENTITY_CENTER, template, vec![region]),
            parameters: Vec::new(),
            capabilities: Vec::new(),
            tags: identity_center::tags(c),
        });
    }
    if let Some(template) = jit::management_template(c) {
        let region = jit::deny_region(c);
        out.push(StackSpec {
            stack_name: jit::deny_stack_name(c),
            account: c.organization.management_account.clone(),
            region: region.clone(),
            template: file(jit::MANAGEMENT_JIT, template, vec![region]),
            parameters: Vec::new(),
            capabilities: Vec::new(),
            tags: tags::stack_tags(c),
        });
    }
    if let Some(template) = guardrails::management::template(c) {
        let g = guardrails::GuardNames::new(c);
        let parameters = key_parameters(c).into_iter().filter(|p| template.parameters.contains_key(p.key())).collect();
        out.push(StackSpec {
            stack_name: g.management_stack(),
            account: c.organization.management_account.clone(),
            region: g.region(),
            template: file(guardrails::MANAGEMENT_GUARDRAILS, template, vec![g.region()]),
            parameters,
            capabilities: CAPABILITIES.iter().map(|c| c.to_string()).collect(),
            tags: tags::stack_tags(c),
        });
    }
    out
}

/// Plain stacks that create IAM roles need CAPABILITY_IAM, and
/// CAPABILITY_NAMED_IAM as well when one has a name of its own (the Athena
/// auditor role).
fn iam_capabilities(t: &Template) -> Vec<String> {
    if !t.resource_types().iter().any(|t| t.starts_with("AWS::IAM::")) {
        return Vec::new();
    }
    let named = t.resources.values().any(|r| r["Type"] == "AWS::IAM::Role" && r["Properties"]["RoleName"].is_string());
    let mut out = vec!["CAPABILITY_IAM".to_string()];
    if named {
        out.push("CAPABILITY_NAMED_IAM".to_string());
    }
    out
}

/// Key ids, known only once the home-region stack exists.
fn key_parameters(c: &Config) -> Vec<ParameterValue> {
    let names = Names::new(c);
    names
        .keys()
        .into_iter()
        .map(|k: KeyRole| ParameterValue::StackOutput {
            key: k.parameter().into(),
            stack_name: names.archive_stack(),
            region: c.log_archive.region.clone(),
            output_key: format!("{}Id", k.logical_id()),
        })
        .collect()
}

fn amount(a: AmountConfig) -> Amount {
    match a {
        AmountConfig::Count(n) => Amount::Count(n),
        AmountConfig::Percentage(p) => Amount::Percentage(p),
    }
}

fn stack_set(c: &Config, stem: &str, what: &str, template: Template, regions: Vec<String>) -> StackSetSpec {
    let names = Names::new(c);
    let s = &c.stack_set;
    let o = &s.operation_preferences;
    let parameters =
        key_parameters(c).into_iter().filter(|p| template.parameters.contains_key(p.key())).collect();
    StackSetSpec {
        name: names.stack_set(stem),
        description: format!("sessionlog: {what}"),
        template: file(stem, template, regions.clone()),
        parameters,
        capabilities: CAPABILITIES.iter().map(|c| c.to_string()).collect(),
        auto_deployment: AutoDeployment {
            enabled: s.auto_deployment.enabled,
            retain_stacks_on_account_removal: s.auto_deployment.retain_stacks_on_account_removal,
        },
        call_as: match s.call_as {
            CallAsConfig::SelfAccount => CallAs::SelfAccount,
            CallAsConfig::DelegatedAdmin => CallAs::DelegatedAdmin,
        },
        targets: DeploymentTargets {
            organizational_units: c.targets.organizational_units.clone(),
            exclude_accounts: c.targets.exclude_accounts.clone(),
        },
        regions,
        operation_preferences: OperationPreferences {
            region_concurrency: serde_plain(&o.region_concurrency),
            max_concurrent: amount(o.max_concurrent),
            failure_tolerance: amount(o.failure_tolerance),
            concurrency_mode: serde_plain(&o.concurrency_mode),
        },
        tags: tags::stack_tags(c),
        depends_on: Vec::new(),
    }
}

/// The serialized name of a unit enum variant.
fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}
