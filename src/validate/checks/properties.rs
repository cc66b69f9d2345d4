//! Each resource's Properties against its type's provider schema.

use super::Context;
use crate::aws::resources::is_packaged;
use crate::syntax::tree::Ptr;
use crate::syntax::tree::{Node, Value};
use crate::validate::finding::Sink;
use crate::validate::rules::{self, Rule};
use crate::validate::schema::walker::{closest, Kind, Mode, Walker};
use crate::model::resources::logs::{LogGroup, SessionLogGroup};
use crate::model::template::ResourceProperties;
use crate::validate::schema::{availability, schema_for, ResourceSchema};
use crate::validate::template::Resource;

pub fn rule_for(kind: Kind) -> &'static Rule {
    match kind {
        Kind::UnknownProperty => &rules::UNKNOWN_PROPERTY,
        Kind::Type => &rules::PROPERTY_TYPE,
        Kind::Enum => &rules::PROPERTY_ENUM,
        Kind::Pattern => &rules::PROPERTY_PATTERN,
        Kind::Range => &rules::PROPERTY_RANGE,
        Kind::Required => &rules::PROPERTY_REQUIRED,
        Kind::Unique => &rules::UNIQUE_ITEMS,
    }
}

/// Custom resources that stand for an AWS type and take its properties (plus
/// `ServiceToken`): their properties are also checked against that type's
/// schema.
const CUSTOM_AS_AWS_TYPE: &[(&str, &str)] = &[(SessionLogGroup::TYPE, LogGroup::TYPE)];

pub fn run(ctx: &Context, sink: &mut Sink) {
    for skipped in ctx.skipped_loops {
        let ptr = Ptr::root().key(&skipped.section).key(&skipped.key);
        sink.not_checked(
            &skipped.key,
            "Fn::ForEach",
            skipped.pos,
            &ptr,
            format!("the loop is not expanded: {}", skipped.why),
        );
    }
    let transforms = ctx.template.transforms();
    for resource in ctx.template.resources() {
        check_as_aws_type(ctx, sink, resource);
        let (Some(type_name), Some(type_node)) = (resource.type_name, resource.node.get("Type"))
        else {
            continue;
        };
        let ptr = resource.ptr().key("Type");
        if resource.is_module() {
            sink.not_checked(
                resource.id,
                type_name,
                type_node.pos,
                &ptr,
                "a module: CloudFormation creates its resources from the module's registered template".into(),
            );
            continue;
        }
        if resource.is_serverless() {
            match transforms.iter().find(|t| t.starts_with("AWS::Serverless")) {
                Some(transform) => sink.not_checked(
                    resource.id,
                    type_name,
                    type_node.pos,
                    &ptr,
                    format!("the {transform} transform expands it into other resources"),
                ),
                None => sink.emit(
                    &rules::RESOURCE_TYPE_UNKNOWN,
                    type_node.pos,
                    &ptr,
                    format!("{type_name} exists only with `Transform: AWS::Serverless-2016-10-31`, which this template does not declare"),
                ),
            }
            continue;
        }
        let Some(schema) = schema_for(type_name) else {
            let table = availability();
            if table.knows_type(type_name) {
                sink.not_checked(
                    resource.id,
                    type_name,
                    type_node.pos,
                    &ptr,
                    format!(
                        "{type_name} has no vendored schema (cfn-lint ships none for us-east-1)"
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

/// `properties` against `schema`: read-only attributes set as properties,
/// local artifact paths, then the schema walk.
fn check_properties(
    ctx: &Context,
    sink: &mut Sink,
    resource: &Resource,
    type_name: &str,
    schema: &ResourceSchema,
    properties: &Node,
) {
    for entry in properties.as_map().unwrap_or_default() {
        if schema.is_read_only(&entry.key) {
            let ptr = resource.properties_ptr().key(&entry.key);
            let message = format!(
                "`{}` is read-only: an attribute of {type_name} for Fn::GetAtt, not a property",
                entry.key
            );
            sink.emit(&rules::UNKNOWN_PROPERTY, entry.key_pos, &ptr, message);
        }
    }
    // A local path in a property `aws cloudformation package` uploads
    // (Lambda Code: ./src) is a warning; its schema is the uploaded form.
    let mut packaged: Vec<Ptr> = Vec::new();
    for entry in properties.as_map().unwrap_or_default() {
        let local = entry.value.as_str().is_some_and(|p| {
            !p.starts_with("s3://") && !p.starts_with("https://") && !p.starts_with("http://")
        });
        if local && is_packaged(type_name, &entry.key) {
            let ptr = resource.properties_ptr().key(&entry.key);
            sink.emit(
                &rules::LOCAL_ARTIFACT,
                entry.value.pos,
                &ptr,
                format!(
                    "`{}` is a local path: CloudFormation needs it uploaded, which `aws cloudformation package` does (and rewrites the template)",
                    entry.key
                ),
            );
            packaged.push(ptr);
        }
    }
    // An S3 URL (`Code: s3://bucket/key`) where the schema wants the
    // object form: `aws cloudformation package` rewrites it into that form.
    let s3_urls: Vec<(&str, Ptr)> = properties
        .as_map()
        .unwrap_or_default()
        .iter()
        .filter(|e| e.value.as_str().is_some_and(|p| p.starts_with("s3://")) && is_packaged(type_name, &e.key))
        .map(|e| (e.key.as_str(), resource.properties_ptr().key(&e.key)))
        .collect();
    let walker = Walker::new(&schema.json, Mode::Lenient, &ctx.template);
    for v in walker.check(&schema.json, properties, &resource.properties_ptr()) {
        if packaged
            .iter()
            .any(|p| v.ptr.as_str().starts_with(p.as_str()))
        {
            continue;
        }
        if let Some((key, _)) = s3_urls.iter().find(|(_, p)| v.kind == Kind::Type && v.ptr == *p) {
            let message = format!("`{key}` is an S3 URL where CloudFormation needs the object form: `aws cloudformation package` rewrites it (and the template)");
            sink.emit(&rules::LOCAL_ARTIFACT, v.pos, &v.ptr, message);
            continue;
        }
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
