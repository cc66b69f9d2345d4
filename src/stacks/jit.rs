//! Systems Manager just-in-time node access, from the operator profiles:
//!
//! - the ONE auto-approval policy of each member account and region (AWS
//!   allows one), every `approval: auto` profile a `permit` statement per
//!   group in it, as an `AWS::SSM::Document` of type `AutoApprovalPolicy` in
//!   the member regional StackSet;
//! - the organization's deny-access policy, `operators.jit.deny_access`, a
//!   `forbid` statement per rule and group, in a stack of the management
//!   account: AWS creates it in the management (or delegated administrator)
//!   account and shares it with the member accounts itself. Its name
//!   `SSM-JustInTimeAccessDenyAccessOrgPolicy`, its type `AutoApprovalPolicy`
//!   and its tag `SystemsManagerJustInTimeNodeAccessManaged: true` are those
//!   the AWS managed policy
//!   `AWSSystemsManagerJustInTimeNodeAccessRolePropagationPolicy` lets Systems
//!   Manager read and replicate; AWS's user guide documents only the
//!   console's way to create it (docs/jit.md says so).
//!
//! The Cedar follows AWS's "Statement structure and built-in operators for
//! auto-approval and deny-access policies": principals
//! `AWS::IdentityStore::Group::"<id>"`, the action
//! `AWS::SSM::Action::"getTokenForInstanceAccess"`, the node's tags through
//! `resource.hasTag`/`getTag`. tests/jit_cedar.rs validates it against the
//! schema and decides requests with Cedar's own engine.
//!
//! Manual approval policies are not generated: AWS documents no content
//! format for `ManualApprovalPolicy` documents (config::jit_check warns).

use std::collections::BTreeMap;

use crate::config::model::Config;
use crate::config::operators::{Approval, TagValues};
use crate::model::resources::ssm::Document;
use crate::model::resources::Tag;
use crate::model::{Expr, Resource, Template};

use super::tags::resource_tags;

/// The action of every just-in-time policy statement.
pub const ACTION: &str = r#"AWS::SSM::Action::"getTokenForInstanceAccess""#;
/// Logical id of the auto-approval policy in the member regional templates.
pub const AUTO_APPROVAL: &str = "JitAutoApprovalPolicy";
/// Logical id of the deny-access policy in the management-account stack.
pub const DENY_ACCESS: &str = "JitDenyAccessPolicy";
/// The name Systems Manager gives (and looks for) the organization's
/// deny-access policy.
pub const DENY_ACCESS_NAME: &str = "SSM-JustInTimeAccessDenyAccessOrgPolicy";
/// The tag Systems Manager's just-in-time roles manage their documents by.
pub const MANAGED_TAG: &str = "SystemsManagerJustInTimeNodeAccessManaged";
/// The file stem of the management-account stack.
pub const MANAGEMENT_JIT: &str = "management-jit";

/// `<policy_name_prefix>-auto-approval`: the auto-approval document, the
/// same name in every member account and region.
pub fn auto_approval_name(c: &Config) -> String {
    format!("{}-auto-approval", c.operators.policy_name_prefix)
}

/// The management-account stack of the deny-access policy.
pub fn deny_stack_name(c: &Config) -> String {
    format!("{}-jit-deny-access", c.stack_set.name_prefix)
}

/// Region of the deny-access stack.
pub fn deny_region(c: &Config) -> String {
    c.operators
        .jit
        .as_ref()
        .and_then(|j| j.region.clone())
        .unwrap_or_else(|| super::names::Names::new(c).admin_region())
}

/// `resource.hasTag("k") && (resource.getTag("k") == "v" || … like "p*")`
/// for every key: the node has each key with one of its values.
fn tag_condition(tags: &BTreeMap<String, TagValues>) -> String {
    tags.iter()
        .map(|(k, vs)| {
            let k = cedar_string(k);
            let alternatives: Vec<String> =
                vs.0.iter()
                    .map(|v| {
                        let op = if v.contains('*') { "like" } else { "==" };
                        format!("resource.getTag({k}) {op} {}", cedar_string(v))
                    })
                    .collect();
            let any = if alternatives.len() == 1 {
                alternatives[0].clone()
            } else {
                format!("({})", alternatives.join(" || "))
            };
            format!("resource.hasTag({k}) && {any}")
        })
        .collect::<Vec<_>>()
        .join(" &&\n    ")
}

/// A Cedar string literal. Tag keys and values (schema patterns) hold no
/// `"` or `\`; escaped anyway.
fn cedar_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn statement(effect: &str, comment: &str, group: Option<&str>, when: &str) -> String {
    let principal = match group {
        Some(g) => format!(
            "principal in AWS::IdentityStore::Group::{}",
            cedar_string(g)
        ),
        None => "principal".into(),
    };
    format!("// {comment}\n{effect} (\n    {principal},\n    action == {ACTION},\n    resource\n)\nwhen {{\n    {when}\n}};")
}

/// The statements of the auto-approval policy: one `permit` per group of
/// every auto-approved profile.
pub fn auto_approval_statements(c: &Config) -> Vec<String> {
    let mut out = Vec::new();
    for (p, j) in c.operators.jit_profiles() {
        if j.approval != Approval::Auto {
            continue;
        }
        let when = tag_condition(&p.instance_tags);
        for g in &j.groups {
            out.push(statement(
                "permit",
                &format!("profile {}", p.name),
                Some(g),
                &when,
            ));
        }
    }
    out
}

/// The statements of the deny-access policy: one `forbid` per rule and
/// group (per rule without groups).
pub fn deny_statements(c: &Config) -> Vec<String> {
    let mut out = Vec::new();
    let Some(org) = &c.operators.jit else {
        return out;
    };
    for (r, rule) in org.deny_access.iter().enumerate() {
        let when = tag_condition(&rule.instance_tags);
        let comment = format!("operators.jit.deny_access[{r}]");
        if rule.groups.is_empty() {
            out.push(statement("forbid", &comment, None, &when));
        }
        for g in &rule.groups {
            out.push(statement("forbid", &comment, Some(g), &when));
        }
    }
    out
}

fn policy_text(what: &str, statements: &[String]) -> String {
    format!(
        "// {what}\n// Generated by sessionlog; do not edit.\n\n{}\n",
        statements.join("\n\n")
    )
}

/// The auto-approval policy's Cedar text, or `None` without auto profiles.
pub fn auto_approval_policy(c: &Config) -> Option<String> {
    let s = auto_approval_statements(c);
    (!s.is_empty()).then(|| policy_text("sessionlog: the auto-approval policy of this account and region (just-in-time node access).", &s))
}

/// The deny-access policy's Cedar text, or `None` without rules.
pub fn deny_access_policy(c: &Config) -> Option<String> {
    let s = deny_statements(c);
    (!s.is_empty()).then(|| {
        policy_text(
            "sessionlog: the organization's deny-access policy (just-in-time node access).",
            &s,
        )
    })
}

fn cedar_document(name: String, cedar: String, tags: Vec<Tag>) -> Resource<Document> {
    Resource::new(Document {
        name,
        document_type: "AutoApprovalPolicy",
        document_format: "TEXT",
        update_method: "NewVersion",
        content: serde_json::Value::String(cedar),
        tags,
    })
    .lint_exception(
        "E3051",
        "E3051 validates every SSM document as an Automation/Command document (schemaVersion); this one is Cedar text (DocumentType AutoApprovalPolicy, DocumentFormat TEXT), checked by Cedar's own validator in sessionlog's tests",
    )
}

/// Add the auto-approval policy to a member regional template.
pub fn add_member(t: &mut Template, c: &Config) {
    let Some(cedar) = auto_approval_policy(c) else {
        return;
    };
    t.description = t.description.replace(
        ". Deployed in every member account and region.",
        ", the just-in-time node access auto-approval policy. Deployed in every member account and region.",
    );
    t.add(
        AUTO_APPROVAL,
        cedar_document(
            auto_approval_name(c),
            cedar,
            resource_tags(c, "jit-auto-approval"),
        ),
    );
}

/// The management-account template of the deny-access policy, or `None`
/// without deny rules.
pub fn management_template(c: &Config) -> Option<Template> {
    let cedar = deny_access_policy(c)?;
    let mut t = Template::new(format!(
        "sessionlog just-in-time node access of organization {}: the organization's deny-access policy (Systems Manager shares it with the member accounts). Deployed once, in the management account. Generated by sessionlog; do not edit.",
        c.organization.id
    ));
    let mut tags = resource_tags(c, "jit-deny-access");
    tags.push(Tag::new(MANAGED_TAG, "true"));
    t.add(
        DENY_ACCESS,
        cedar_document(DENY_ACCESS_NAME.into(), cedar, tags),
    );
    t.output(
        "DenyAccessPolicyName",
        "The organization's just-in-time deny-access policy",
        Expr::reference(DENY_ACCESS),
    );
    Some(t)
}
