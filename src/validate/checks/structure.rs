//! Sections, resource attributes, parameters and outputs have the shape
//! CloudFormation accepts.

use super::Context;
use crate::syntax::tree::{Node, Ptr, Value};
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::schema::is_custom;
use crate::validate::schema::walker::closest;

const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
];
const MAP_SECTIONS: &[&str] = &[
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Resources",
    "Outputs",
];
const RESOURCE_ATTRIBUTES: &[&str] = &[
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "Metadata",
    "CreationPolicy",
    "UpdatePolicy",
];
const PARAMETER_TYPES: &[&str] = &["String", "Number", "List<Number>", "CommaDelimitedList"];
const PARAMETER_ATTRIBUTES: &[&str] = &[
    "Type",
    "Default",
    "AllowedValues",
    "AllowedPattern",
    "ConstraintDescription",
    "Description",
    "MaxLength",
    "MinLength",
    "MaxValue",
    "MinValue",
    "NoEcho",
];
const OUTPUT_ATTRIBUTES: &[&str] = &["Value", "Description", "Export", "Condition"];

pub fn run(ctx: &Context, sink: &mut Sink) {
    let root = ctx.template.root;
    let Some(entries) = root.as_map() else {
        sink.emit(
            &rules::SECTION,
            root.pos,
            &Ptr::root(),
            format!("a template is an object, found {}", root.kind()),
        );
        return;
    };
    let transformed = ctx.template.is_transformed();
    if transformed {
        let transforms: Vec<&str> = ctx
            .template
            .transforms()
            .into_iter()
            .filter(|t| *t != crate::validate::template::LANGUAGE_EXTENSIONS)
            .collect();
        let at = root
            .entry("Transform")
            .map(|e| e.key_pos)
            .unwrap_or(root.pos);
        sink.emit(
            &rules::TRANSFORM,
            at,
            &Ptr::root().key("Transform"),
            format!(
                "transformed by {} before deployment: the resources it expands are not checked, and names it creates are not resolved",
                transforms.join(", ")
            ),
        );
    }
    for entry in entries {
        let ptr = Ptr::root().key(&entry.key);
        // SAM's Globals section is consumed by the transform.
        if entry.key == "Globals" && transformed {
            continue;
        }
        // rain's pre-processor reads (and removes) its own section.
        if entry.key == "Rain" {
            sink.emit(
                &rules::PREPROCESSOR_TAG,
                entry.key_pos,
                &ptr,
                "the `Rain` section is rain's pre-processor's (its constants; `rain pkg` removes it), not CloudFormation's: not checked",
            );
            continue;
        }
        if !SECTIONS.contains(&entry.key.as_str()) {
            let hint = closest(&entry.key, SECTIONS)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            sink.emit(
                &rules::SECTION,
                entry.key_pos,
                &ptr,
                format!("unknown section `{}`{hint}", entry.key),
            );
        } else if MAP_SECTIONS.contains(&entry.key.as_str()) && entry.value.as_map().is_none() {
            sink.emit(
                &rules::SECTION,
                entry.value.pos,
                &ptr,
                format!(
                    "`{}` must be an object, found {}",
                    entry.key,
                    entry.value.kind()
                ),
            );
        }
    }
    if let Some(version) = root.entry("AWSTemplateFormatVersion") {
        if version.value.scalar_text().as_deref() != Some("2010-09-09") {
            sink.emit(
                &rules::SECTION,
                version.value.pos,
                &Ptr::root().key("AWSTemplateFormatVersion"),
                "AWSTemplateFormatVersion must be \"2010-09-09\"",
            );
        }
    }
    if let Some(description) = root.get("Description") {
        if description.as_str().is_none() {
            sink.emit(
                &rules::SECTION,
                description.pos,
                &Ptr::root().key("Description"),
                "Description must be a string",
            );
        } else if description.as_str().is_some_and(|d| d.len() > 1024) {
            sink.emit(
                &rules::LIMITS,
                description.pos,
                &Ptr::root().key("Description"),
                "Description is longer than 1024 bytes",
            );
        }
    }
    match root.get("Resources").and_then(Node::as_map) {
        None if root.get("Resources").is_none() => {
            sink.emit(
                &rules::SECTION,
                root.pos,
                &Ptr::root(),
                "missing the required `Resources` section",
            );
        }
        Some([]) => sink.emit(
            &rules::SECTION,
            root.pos,
            &Ptr::root().key("Resources"),
            "`Resources` is empty",
        ),
        _ => {}
    }
    resources(ctx, sink);
    parameters(ctx, sink);
    conditions(ctx, sink);
    outputs(ctx, sink);
}

const CONDITION_FUNCTIONS: &[&str] = &["Fn::And", "Fn::Equals", "Fn::Not", "Fn::Or", "Condition"];

/// Each condition is one condition function.
fn conditions(ctx: &Context, sink: &mut Sink) {
    for condition in ctx.template.conditions() {
        let ok = condition
            .value
            .condition_intrinsic()
            .is_some_and(|(f, _)| CONDITION_FUNCTIONS.contains(&f));
        if !ok {
            let found = match condition.value.as_map() {
                Some(entries) if !entries.is_empty() => entries
                    .iter()
                    .map(|e| format!("`{}`", e.key))
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => condition.value.kind().to_string(),
            };
            sink.emit(
                &rules::SECTION,
                condition.key_pos,
                &Ptr::root().key("Conditions").key(&condition.key),
                format!(
                    "condition `{}` must be one condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition), found {found}",
                    condition.key
                ),
            );
        }
    }
}

fn is_logical_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 255 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

fn resources(ctx: &Context, sink: &mut Sink) {
    for resource in ctx.template.resources() {
        let ptr = resource.ptr();
        if !is_logical_id(resource.id) {
            sink.emit(
                &rules::RESOURCE_SHAPE,
                resource.pos(),
                &ptr,
                format!("logical id `{}` must be alphanumeric", resource.id),
            );
        }
        let Some(attributes) = resource.node.as_map() else {
            sink.emit(
                &rules::RESOURCE_SHAPE,
                resource.node.pos,
                &ptr,
                "a resource must be an object",
            );
            continue;
        };
        match resource.node.get("Type") {
            None => sink.emit(
                &rules::RESOURCE_SHAPE,
                resource.pos(),
                &ptr,
                format!("resource `{}` has no Type", resource.id),
            ),
            // A type a pre-processor fills in (`!Rain::Module`): SL108 said so.
            Some(t) if matches!(t.value, Value::Preprocessed(_)) => {}
            Some(t) if t.as_str().is_none() => sink.emit(
                &rules::RESOURCE_SHAPE,
                t.pos,
                &ptr.key("Type"),
                "Type must be a string",
            ),
            _ => {}
        }
        // `Version` is a legacy attribute of custom resources.
        let custom = resource.type_name.is_some_and(is_custom);
        for attribute in attributes {
            let at = ptr.key(&attribute.key);
            if !RESOURCE_ATTRIBUTES.contains(&attribute.key.as_str())
                && (!custom || attribute.key != "Version")
            {
                let hint = closest(&attribute.key, RESOURCE_ATTRIBUTES)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                sink.emit(
                    &rules::RESOURCE_SHAPE,
                    attribute.key_pos,
                    &at,
                    format!("unknown resource attribute `{}`{hint}", attribute.key),
                );
            }
            match attribute.key.as_str() {
                "Properties"
                    if !matches!(attribute.value.value, Value::Map(_))
                        && attribute.value.intrinsic().is_none() =>
                {
                    sink.emit(
                        &rules::RESOURCE_SHAPE,
                        attribute.value.pos,
                        &at,
                        "Properties must be an object",
                    );
                }
                _ => {}
            }
        }
    }
}

fn parameters(ctx: &Context, sink: &mut Sink) {
    for parameter in ctx.template.parameters() {
        let ptr = Ptr::root().key("Parameters").key(&parameter.key);
        if !is_logical_id(&parameter.key) {
            sink.emit(
                &rules::PARAMETER_SHAPE,
                parameter.key_pos,
                &ptr,
                format!("parameter name `{}` must be alphanumeric", parameter.key),
            );
        }
        let Some(attributes) = parameter.value.as_map() else {
            sink.emit(
                &rules::PARAMETER_SHAPE,
                parameter.value.pos,
                &ptr,
                "a parameter must be an object",
            );
            continue;
        };
        for attribute in attributes
            .iter()
            .filter(|a| !PARAMETER_ATTRIBUTES.contains(&a.key.as_str()))
        {
            sink.emit(
                &rules::PARAMETER_SHAPE,
                attribute.key_pos,
                &ptr.key(&attribute.key),
                format!("unknown parameter attribute `{}`", attribute.key),
            );
        }
        match parameter.value.get("Type") {
            None => sink.emit(
                &rules::PARAMETER_SHAPE,
                parameter.key_pos,
                &ptr,
                format!("parameter `{}` has no Type", parameter.key),
            ),
            Some(t) => {
                // `List<…>` beyond the documented ones is accepted by
                // CloudFormation (and cfn-lint), as are SSM parameter types.
                let valid = t.as_str().is_some_and(|s| {
                    PARAMETER_TYPES.contains(&s) || s.starts_with("AWS::") || s.starts_with("List<")
                });
                if !valid {
                    sink.emit(
                        &rules::PARAMETER_SHAPE,
                        t.pos,
                        &ptr.key("Type"),
                        format!(
                            "invalid parameter Type {}",
                            t.scalar_text().unwrap_or_else(|| t.kind().into())
                        ),
                    );
                }
            }
        }
        if let (Some(default), Some(allowed)) = (
            parameter.value.get("Default"),
            parameter.value.get("AllowedValues").and_then(Node::as_seq),
        ) {
            // A list parameter's Default is comma-separated; each item
            // (spaces around it removed) must be allowed.
            let is_list = parameter
                .value
                .get("Type")
                .and_then(Node::as_str)
                .is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"));
            let allowed: Vec<String> = allowed.iter().filter_map(Node::scalar_text).collect();
            let values: Vec<String> = match default.scalar_text() {
                // An allowed value may itself hold commas (`three,four`).
                Some(text) if allowed.contains(&text) => Vec::new(),
                Some(text) if is_list => text.split(',').map(|v| v.trim().to_string()).collect(),
                Some(text) => vec![text],
                None => Vec::new(),
            };
            for value in values.iter().filter(|v| !allowed.contains(v)) {
                sink.emit(
                    &rules::PARAMETER_SHAPE,
                    default.pos,
                    &ptr.key("Default"),
                    format!("Default {value:?} is not one of the AllowedValues"),
                );
            }
        }
        default_against_pattern(parameter, &ptr, sink);
    }
}

/// A Default its own AllowedPattern refuses: CloudFormation refuses every
/// stack created without a value for the parameter. The pattern must match
/// the whole value, each item of a `CommaDelimitedList` (AWS
/// CloudFormation User Guide, Parameters: AllowedPattern). A pattern the
/// regex engine cannot read (Java-only syntax) is not guessed at.
fn default_against_pattern(parameter: &crate::syntax::tree::Entry, ptr: &Ptr, sink: &mut Sink) {
    let value = &parameter.value;
    let (Some(default), Some(pattern)) = (value.get("Default"), value.get("AllowedPattern").and_then(Node::as_str)) else {
        return;
    };
    let Some(text) = default.scalar_text() else { return };
    let list = value.get("Type").and_then(Node::as_str) == Some("CommaDelimitedList");
    let items: Vec<&str> = if list { text.split(',').map(str::trim).collect() } else { vec![text.as_str()] };
    let whole = format!("^(?:{pattern})$");
    for item in items {
        if crate::validate::schema::regex_cache::is_match(&whole, item) == Some(false) {
            sink.emit(
                &rules::PARAMETER_SHAPE,
                default.pos,
                &ptr.key("Default"),
                format!("Default {item:?} does not match the parameter's own AllowedPattern {pattern:?}: a stack created without a value for `{}` fails", parameter.key),
            );
        }
    }
}

fn outputs(ctx: &Context, sink: &mut Sink) {
    for output in ctx.template.outputs() {
        let ptr = Ptr::root().key("Outputs").key(&output.key);
        if !is_logical_id(&output.key) {
            sink.emit(
                &rules::OUTPUT_SHAPE,
                output.key_pos,
                &ptr,
                format!("output name `{}` must be alphanumeric", output.key),
            );
        }
        let Some(attributes) = output.value.as_map() else {
            sink.emit(
                &rules::OUTPUT_SHAPE,
                output.value.pos,
                &ptr,
                "an output must be an object",
            );
            continue;
        };
        for attribute in attributes
            .iter()
            .filter(|a| !OUTPUT_ATTRIBUTES.contains(&a.key.as_str()))
        {
            sink.emit(
                &rules::OUTPUT_SHAPE,
                attribute.key_pos,
                &ptr.key(&attribute.key),
                format!("unknown output attribute `{}`", attribute.key),
            );
        }
        match output.value.get("Value") {
            None => sink.emit(
                &rules::OUTPUT_SHAPE,
                output.key_pos,
                &ptr,
                format!("output `{}` has no Value", output.key),
            ),
            Some(v)
                if matches!(v.value, Value::Map(_) | Value::Seq(_)) && v.intrinsic().is_none() =>
            {
                sink.emit(
                    &rules::OUTPUT_SHAPE,
                    v.pos,
                    &ptr.key("Value"),
                    "an output Value must be a string or an intrinsic function",
                );
            }
            _ => {}
        }
        if let Some(export) = output.value.get("Export") {
            if export.get("Name").is_none() {
                sink.emit(
                    &rules::OUTPUT_SHAPE,
                    export.pos,
                    &ptr.key("Export"),
                    "Export needs a Name",
                );
            }
        }
    }
}
