//! Deployment context: what breaks when one template is deployed to
//! several regions (and accounts), as a StackSet does. These are the
//! spec's "facts that bite" no other tool checks:
//!
//! - SL601 (fact 1): `SSM-SessionManagerRunShell` created by a plain
//!   `AWS::SSM::Document` fails with `DocumentAlreadyExists` in every
//!   account and region where someone opened the Session Manager
//!   preferences; only an upsert (custom resource) works everywhere.
//! - SL602 (fact 3): one KMS key ARN passed as a parameter to a template
//!   deployed to several regions: a key exists in one region, so the other
//!   regions' log groups and recordings cannot use it.
//! - SL603 (fact 10): a fixed name in a global namespace (IAM, S3 bucket
//!   names) in a template deployed to several regions of an account: the
//!   second region fails with "already exists".
//!
//! SL601 applies when regions are given; SL602 and SL603 when two or more.

use super::key_region::each_key_property;
use super::Context;
use crate::aws::resources::global_name_property;
use crate::syntax::tree::{Node, Ptr};
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::sub::{self, as_template};

pub const SESSION_DOCUMENT: &str = "SSM-SessionManagerRunShell";

pub fn run(ctx: &Context, sink: &mut Sink) {
    if ctx.regions.is_empty() {
        return;
    }
    session_document(ctx, sink);
    if ctx.regions.len() < 2 {
        return;
    }
    for resource in ctx.template.resources() {
        if let Some(properties) = resource.properties {
            each_key_property(properties, &resource.properties_ptr(), &mut |value, ptr| one_key(ctx, value, ptr, sink));
        }
    }
    global_names(ctx, sink);
}

fn session_document(ctx: &Context, sink: &mut Sink) {
    for resource in ctx
        .template
        .resources()
        .iter()
        .filter(|r| r.is("AWS::SSM::Document"))
    {
        let Some(name) = resource.property("Name") else {
            continue;
        };
        if as_template(name).as_deref() == Some(SESSION_DOCUMENT) {
            sink.emit(
                &rules::SESSION_DOCUMENT_EXISTS,
                name.pos,
                &resource.properties_ptr().key("Name"),
                format!(
                    "`{}` creates {SESSION_DOCUMENT} with a plain AWS::SSM::Document: in every account and region where the Session Manager preferences were ever opened in the console the document exists, and the stack fails with DocumentAlreadyExists (import is not supported); create or update it with a custom resource that also sets the default version (sessionlog's `session_manager.document: upsert`)",
                    resource.id
                ),
            );
        }
    }
}

/// The parameter a key property's value is, wholesale (`!Ref P`, `!Sub ${P}`).
fn parameter_of(node: &Node) -> Option<&str> {
    match node.intrinsic()? {
        ("Ref", name) => name.as_str(),
        ("Fn::Sub", argument) => {
            let (text, vars) = sub::parts(argument)?;
            let text = text.as_str()?;
            let name = text.strip_prefix("${")?.strip_suffix('}')?;
            (vars.is_none() && !name.contains(['$', '{', '}', '.', '!'])).then_some(name)
        }
        _ => None,
    }
}

/// A parameter whose value names a key valid in every region: a
/// multi-Region key id (`mrk-`), an alias (resolved in each region), or an
/// SSM parameter (read in each region).
fn is_region_safe(parameter: &Node) -> bool {
    let text = |key: &str| {
        parameter
            .get(key)
            .and_then(Node::scalar_text)
            .unwrap_or_default()
    };
    text("AllowedPattern").contains("mrk-")
        || text("Default").starts_with("mrk-")
        || text("Default").starts_with("alias/")
        || text("Type").starts_with("AWS::SSM::Parameter::Value")
}

/// The parameter that chooses the key: the whole value (`!Ref P`), or the
/// key id of an ARN built with `Fn::Sub` (`…:key/${P}`).
fn key_parameter(value: &Node) -> Option<&str> {
    if let Some(name) = parameter_of(value) {
        return Some(name);
    }
    let ("Fn::Sub", argument) = value.intrinsic()? else {
        return None;
    };
    let text = sub::parts(argument)?.0.as_str()?;
    sub::variables(text)
        .into_iter()
        .find(|(offset, _)| text[..*offset].ends_with("key/"))
        .map(|(_, name)| name)
}

fn one_key(ctx: &Context, value: &Node, ptr: &Ptr, sink: &mut Sink) {
    let Some(name) = key_parameter(value) else {
        return;
    };
    let Some(parameter) = ctx.template.parameter(name) else {
        return;
    };
    if is_region_safe(parameter) {
        return;
    }
    sink.emit(
        &rules::KEY_ONE_REGION,
        value.pos,
        ptr,
        format!(
            "parameter `{name}` passes one KMS key to every region ({}): a key exists in one region only, so the others cannot use it (CloudWatch Logs and RDP recording need a key of their own region); use a multi-Region key (mrk-…) with a replica in each region and build the ARN with ${{AWS::Region}}, or override the parameter per region",
            ctx.regions.join(", ")
        ),
    );
}

/// The name differs per region: it contains the region or the stack's own
/// name/id (unique per stack instance).
fn varies_by_region(text: &str) -> bool {
    ["${AWS::Region}", "${AWS::StackName}", "${AWS::StackId}"]
        .iter()
        .any(|v| text.contains(v))
}

fn global_names(ctx: &Context, sink: &mut Sink) {
    for resource in ctx.template.resources() {
        let Some(property) = resource.type_name.and_then(global_name_property) else {
            continue;
        };
        // A resource under a condition may be the home-region one.
        if resource.node.get("Condition").is_some() {
            continue;
        }
        let Some(value) = resource.property(property) else {
            continue;
        };
        // A parameter may be overridden per region; a condition may pick.
        if matches!(
            value.intrinsic(),
            Some(("Ref" | "Fn::If" | "Fn::FindInMap", _))
        ) {
            continue;
        }
        let Some(text) = as_template(value) else {
            continue;
        };
        if varies_by_region(&text) {
            continue;
        }
        let shown = text.replace("${!", "${");
        sink.emit(
            &rules::IAM_FIXED_NAME_REGIONS,
            value.pos,
            &resource.properties_ptr().key(property),
            format!(
                "`{}` ({}) is named `{shown}` in every region it is deployed to ({}), but the name is global: the second region of each account fails with \"already exists\"; deploy it in one region per account (its own single-region stack or StackSet, or a home-region Condition), or put ${{AWS::Region}} in the name",
                resource.id,
                resource.type_name.unwrap_or_default(),
                ctx.regions.join(", ")
            ),
        );
    }
}
