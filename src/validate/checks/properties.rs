//! Each resource's Properties against its type's provider schema.

use super::Context;
use crate::validate::finding::{NotChecked, Sink};
use crate::validate::rules::{self, Rule};
use crate::validate::schema::walker::{closest, Kind, Mode, Walker};
use crate::validate::schema::{availability, schema_for, ResourceSchema};
use crate::model::resources::logs::{LogGroup, SessionLogGroup};
use crate::model::template::ResourceProperties;
use crate::validate::template::Resource;
use crate::validate::tree::{Node, Value};

pub fn rule_for(kind: Kind) -> &'static Rule {
    match kind {
        Kind::UnknownProperty => &rules::UNKNOWN_PROPERTY,
        Kind::Type => &rules::PROPERTY_TYPE,
        Kind::Enum => &rules::PROPERTY_ENUM,
        Kind::Pattern => &rules::PROPERTY_PATTERN,
        Kind::Range => &rules::PROPERTY_RANGE,
        Kind::Required => &rules::PROPERTY_REQUIRED,
    }
}

/// Custom resources that stand for an AWS type and take its properties (plus
/// `ServiceToken`): their properties are also checked against that type's
/// schema.
const CUSTOM_AS_AWS_TYPE: &[(&str, &str)] = &[(SessionLogGroup::TYPE, LogGroup::TYPE)];

pub fn run(ctx: &Context, sink: &mut Sink) {
    for resource in ctx.template.resources() {
        check_as_aws_type(ctx, sink, resource);
        let (Some(type_name), Some(type_node)) = (resource.type_name, resource.node.get("Type"))
        else {
            continue;
        };
        let Some(schema) = schema_for(type_name) else {
            let table = availability();
            let ptr = resource.ptr().key("Type");
            if table.knows_type(type_name) {
                let location = sink.location(type_node.pos, &ptr);
                sink.not_checked.push(NotChecked {
                    logical_id: resource.id.to_string(),
                    type_name: type_name.to_string(),
                    location,
                });
                sink.emit(
                    &rules::NOT_CHECKED,
                    type_node.pos,
                    &ptr,
                    format!(
                        "{type_name} has no vendored schema; `{}` is not checked",
                        resource.id
                    ),
                );
            } else {
                let hint = unknown_type_hint(type_name);
                sink.emit(
                    &rules::RESOURCE_TYPE_UNKNOWN,
                    type_node.pos,
                    &ptr,
                    format!("unknown resource type `{type_name}`{hint}"),
                );
            }
            continue;
        };
        let empty = Node::new(resource.pos(), Value::Map(Vec::new()));
        check_properties(ctx, sink, resource, type_name, schema, resource.properties.unwrap_or(&empty));
    }
}

fn check_as_aws_type(ctx: &Context, sink: &mut Sink, resource: &Resource) {
    let Some((_, aws_type)) = CUSTOM_AS_AWS_TYPE.iter().find(|(custom, _)| resource.type_name == Some(custom)) else {
        return;
    };
    let Some(schema) = schema_for(aws_type) else { return };
    let Some(properties) = resource.properties else { return };
    let entries = properties.as_map().unwrap_or_default();
    let without_token = entries.iter().filter(|e| e.key != "ServiceToken").cloned().collect();
    let node = Node::new(properties.pos, Value::Map(without_token));
    check_properties(ctx, sink, resource, aws_type, schema, &node);
}

/// `properties` against `schema`: read-only attributes set as properties, then the schema walk.
fn check_properties(
    ctx: &Context,
    sink: &mut Sink,
    resource: &Resource,
    type_name: &str,
    schema: &ResourceSchema,
    properties: &Node,
) {
    for entry in properties.as_map().unwrap_or_default() {
        if schema.has_attribute(&entry.key) {
            let ptr = resource.properties_ptr().key(&entry.key);
            let message = format!(
                "`{}` is read-only: an attribute of {type_name} for Fn::GetAtt, not a property",
                entry.key
            );
            sink.emit(&rules::UNKNOWN_PROPERTY, entry.key_pos, &ptr, message);
        }
    }
    let walker = Walker::new(&schema.json, Mode::Lenient, &ctx.template);
    for v in walker.check(&schema.json, properties, &resource.properties_ptr()) {
        // A missing top-level property points at `Properties:` (or the resource).
        let at = if v.kind == Kind::Required && v.ptr == resource.properties_ptr() {
            resource
                .node
                .entry("Properties")
                .map(|e| e.key_pos)
                .unwrap_or(resource.pos())
        } else {
            v.pos
        };
        sink.emit(rule_for(v.kind), at, &v.ptr, v.message);
    }
}

fn unknown_type_hint(type_name: &str) -> String {
    let prefix = type_name
        .rsplit_once("::")
        .map(|(p, _)| p)
        .unwrap_or(type_name);
    let table = availability();
    let mut candidates = table.types_with_prefix(prefix);
    if candidates.is_empty() {
        candidates = table.types_with_prefix("");
    }
    closest(type_name, &candidates)
        .map(|t| format!("; did you mean `{t}`?"))
        .unwrap_or_default()
}
