//! SL106: `DeletionPolicy` and `UpdateReplacePolicy` are one of the words
//! CloudFormation knows (`Snapshot` only for the types that take
//! snapshots). CloudFormation resolves `Ref`, `Fn::FindInMap`, `Fn::If`,
//! `Fn::Select` and `Fn::Sub` there; any other function, a list or a map is
//! refused. What a `Ref`'d parameter or a mapping can give is checked too.

use super::Context;
use crate::aws::resources::SNAPSHOT_TYPES;
use crate::syntax::tree::{Node, Ptr};
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::schema::walker::Resolver;
use crate::validate::template::Resource;

const POLICIES: &[&str] = &["Delete", "Retain", "RetainExceptOnCreate"];
const RESOLVED: &[&str] = &["Ref", "Fn::FindInMap", "Fn::If", "Fn::Select", "Fn::Sub"];

pub fn run(ctx: &Context, sink: &mut Sink) {
    for resource in ctx.template.resources() {
        for attribute in ["DeletionPolicy", "UpdateReplacePolicy"] {
            if let Some(value) = resource.node.get(attribute) {
                let ptr = resource.ptr().key(attribute);
                check(ctx, resource, attribute, value, &ptr, "", sink);
            }
        }
    }
}

fn allowed(resource: &Resource) -> Vec<&'static str> {
    let mut words = POLICIES.to_vec();
    if resource
        .type_name
        .is_some_and(|t| SNAPSHOT_TYPES.contains(&t))
    {
        words.push("Snapshot");
    }
    words
}

fn check(
    ctx: &Context,
    resource: &Resource,
    attribute: &str,
    value: &Node,
    ptr: &Ptr,
    via: &str,
    sink: &mut Sink,
) {
    let words = allowed(resource);
    if let Some(text) = value.as_str() {
        if !words.contains(&text) {
            let why = if text == "Snapshot" {
                format!(
                    "{} cannot take snapshots (only {})",
                    resource.type_name.unwrap_or("this type"),
                    SNAPSHOT_TYPES.join(", ")
                )
            } else {
                format!("allowed: {}", words.join(", "))
            };
            sink.emit(
                &rules::DELETION_POLICY,
                value.pos,
                ptr,
                format!("{attribute} of `{}` is {text:?}{via}; {why}", resource.id),
            );
        }
        return;
    }
    match value.intrinsic() {
        Some(("Fn::If", argument)) => {
            for branch in argument.as_seq().unwrap_or_default().iter().skip(1) {
                if !branch.is_no_value() {
                    check(ctx, resource, attribute, branch, ptr, via, sink);
                }
            }
        }
        Some(("Ref", name)) => {
            let Some(name) = name.as_str() else { return };
            for (source, v) in ctx.template.values(name).unwrap_or_default() {
                let via = format!(" (parameter `{name}` {source})");
                let as_text = Node::new(
                    value.pos,
                    crate::syntax::tree::Value::Str(v.scalar_text().unwrap_or_default()),
                );
                check(ctx, resource, attribute, &as_text, ptr, &via, sink);
            }
        }
        Some(("Fn::FindInMap", argument)) => {
            for (path, v) in ctx.template.mapping_values(argument) {
                let at = Node::new(value.pos, v.value.clone());
                check(ctx, resource, attribute, &at, ptr, &format!(" (mapping {path})"), sink);
            }
        }
        Some((function, _)) if RESOLVED.contains(&function) => {}
        Some((function, _)) => sink.emit(
            &rules::DELETION_POLICY,
            value.pos,
            ptr,
            format!(
                "{attribute} of `{}` is computed with {function}; CloudFormation resolves only {} there",
                resource.id,
                RESOLVED.join(", ")
            ),
        ),
        None => sink.emit(
            &rules::DELETION_POLICY,
            value.pos,
            ptr,
            format!(
                "{attribute} of `{}` must be a word ({}), found {}",
                resource.id,
                words.join(", "),
                value.kind()
            ),
        ),
    }
}
