//! SL123: a logical id names one parameter or resource (`Ref` could not
//! tell them apart). SL124: two resources of one type do not get the same
//! physical name — the properties of the type's primary identifier that a
//! template sets (`BucketName`, `RoleName`, `TopicName`…): the second
//! create fails ("already exists"). Resources under different conditions
//! may share a name (at most one of them exists).

use std::collections::BTreeMap;

use super::Context;
use crate::syntax::tree::{Node, Ptr, Value};
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::schema::schema_for;

pub fn run(ctx: &Context, sink: &mut Sink) {
    logical_ids(ctx, sink);
    physical_names(ctx, sink);
}

fn logical_ids(ctx: &Context, sink: &mut Sink) {
    for parameter in ctx.template.parameters() {
        if ctx.template.resource(&parameter.key).is_some() {
            sink.emit(
                &rules::LOGICAL_ID_UNIQUE,
                parameter.key_pos,
                &Ptr::root().key("Parameters").key(&parameter.key),
                format!(
                    "`{}` is both a parameter and a resource; Ref cannot tell which is meant",
                    parameter.key
                ),
            );
        }
    }
}

/// A value that decides the name, or `None` when it is not fixed (a
/// condition chooses, or it is removed).
fn fixed(node: &Node) -> Option<String> {
    if node.is_no_value() || matches!(node.intrinsic(), Some(("Fn::If", _))) {
        return None;
    }
    match &node.value {
        Value::Null => None,
        _ => Some(node.to_json().to_string()),
    }
}

/// A resource type and the values of its name properties.
type NameKey = (String, Vec<String>);

fn physical_names(ctx: &Context, sink: &mut Sink) {
    // (type, name values) -> resources with that name, with their condition
    let mut seen: BTreeMap<NameKey, Vec<(usize, Option<String>)>> = BTreeMap::new();
    let resources = ctx.template.resources();
    for (i, resource) in resources.iter().enumerate() {
        let Some(type_name) = resource.type_name else {
            continue;
        };
        let Some(schema) = schema_for(type_name) else {
            continue;
        };
        let names = schema.physical_name_properties();
        if names.is_empty() {
            continue;
        }
        let values: Option<Vec<String>> = names
            .iter()
            .map(|n| resource.property(n).and_then(fixed))
            .collect();
        let Some(values) = values else { continue };
        let condition = resource
            .node
            .get("Condition")
            .and_then(Node::as_str)
            .map(str::to_string);
        seen.entry((type_name.to_string(), values))
            .or_default()
            .push((i, condition));
    }
    for ((type_name, values), members) in seen {
        for &(i, ref condition) in &members {
            let clashes: Vec<&str> = members
                .iter()
                .filter(|(j, c)| *j != i && c == condition)
                .map(|(j, _)| resources[*j].id)
                .collect();
            if clashes.is_empty() {
                continue;
            }
            let r = &resources[i];
            let names = schema_for(&type_name)
                .map(|s| s.physical_name_properties().join(", "))
                .unwrap_or_default();
            let (pos, ptr) = r.deepest(&[names.split(", ").next().unwrap_or_default()]);
            sink.emit(
                &rules::PHYSICAL_NAME_UNIQUE,
                pos,
                &ptr,
                format!(
                    "`{}` and {} are both {type_name} named {} ({names}); the second create fails with \"already exists\"",
                    r.id,
                    clashes
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    values.join(", ")
                ),
            );
        }
    }
}
