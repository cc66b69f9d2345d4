//! Every name a template uses resolves: `Ref`, `Fn::GetAtt`, `Fn::Sub`
//! variables, conditions, `DependsOn`; and every parameter is used.

use std::collections::HashSet;

use super::Context;
use crate::syntax::tree::{Node, Ptr};
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::schema::{is_custom, schema_for, walker::closest};
use crate::validate::sub;
use crate::validate::template::{walk, Template, PSEUDO_PARAMETERS};

pub fn run(ctx: &Context, sink: &mut Sink) {
    let template = &ctx.template;
    let mut used = HashSet::new();
    for section in ["Resources", "Outputs", "Conditions", "Rules", "Metadata"] {
        if let Some(node) = template.root.get(section) {
            let mut visit =
                |node: &Node, ptr: &Ptr| visit_intrinsic(ctx, node, ptr, section, &mut used, sink);
            walk(node, &Ptr::root().key(section), &mut visit);
        }
    }
    for resource in template.resources() {
        if let Some(condition) = resource.node.get("Condition") {
            check_condition(template, condition, &resource.ptr().key("Condition"), sink);
        }
        if let Some(depends_on) = resource.node.get("DependsOn") {
            let ptr = resource.ptr().key("DependsOn");
            let targets: Vec<(&Node, Ptr)> = match depends_on.as_seq() {
                Some(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n, ptr.index(i)))
                    .collect(),
                None => vec![(depends_on, ptr)],
            };
            for (target, ptr) in targets {
                match target.as_str() {
                    Some(id) if id == resource.id => sink.emit(
                        &rules::DEPENDS_ON,
                        target.pos,
                        &ptr,
                        "a resource cannot depend on itself",
                    ),
                    Some(id)
                        if template.resource(id).is_some() || template.may_be_generated(id) => {}
                    Some(id) => sink.emit(
                        &rules::DEPENDS_ON,
                        target.pos,
                        &ptr,
                        format!(
                            "DependsOn `{id}` is not a resource{}",
                            hint(id, &resource_ids(template))
                        ),
                    ),
                    None => sink.emit(
                        &rules::DEPENDS_ON,
                        target.pos,
                        &ptr,
                        "DependsOn takes resource names",
                    ),
                }
            }
        }
    }
    for output in template.outputs() {
        if let Some(condition) = output.value.get("Condition") {
            check_condition(
                template,
                condition,
                &Ptr::root().key("Outputs").key(&output.key).key("Condition"),
                sink,
            );
        }
    }
    for parameter in template.parameters() {
        if !used.contains(parameter.key.as_str()) {
            let ptr = Ptr::root().key("Parameters").key(&parameter.key);
            sink.emit(
                &rules::PARAMETER_UNUSED,
                parameter.key_pos,
                &ptr,
                format!("parameter `{}` is never used", parameter.key),
            );
        }
    }
}

/// Names to suggest from; none when there are too many to search.
fn resource_ids<'a>(template: &Template<'a>) -> Vec<&'a str> {
    if template.resources().len() > 2_000 {
        return Vec::new();
    }
    template.resources().iter().map(|r| r.id).collect()
}

/// "; did you mean `x`?" — not computed among very many names (a hostile
/// template would make each finding cost a pass over all of them).
fn hint(name: &str, known: &[&str]) -> String {
    if known.len() > 2_000 {
        return String::new();
    }
    closest(name, known)
        .map(|k| format!("; did you mean `{k}`?"))
        .unwrap_or_default()
}

fn check_condition(template: &Template, node: &Node, ptr: &Ptr, sink: &mut Sink) {
    match node.as_str() {
        Some(name) if template.has_condition(name) => {}
        Some(name) => {
            let known: Vec<&str> = template
                .conditions()
                .iter()
                .map(|e| e.key.as_str())
                .collect();
            sink.emit(
                &rules::CONDITION,
                node.pos,
                ptr,
                format!("condition `{name}` is not defined{}", hint(name, &known)),
            );
        }
        None => sink.emit(
            &rules::CONDITION,
            node.pos,
            ptr,
            "a condition is named by a string",
        ),
    }
}

fn visit_intrinsic(
    ctx: &Context,
    node: &Node,
    ptr: &Ptr,
    section: &str,
    used: &mut HashSet<String>,
    sink: &mut Sink,
) {
    let template = &ctx.template;
    let call = if section == "Conditions" {
        node.condition_intrinsic()
    } else {
        node.intrinsic()
    };
    let Some((function, argument)) = call else {
        return;
    };
    let arg_ptr = ptr.key(function);
    match function {
        "Ref" => {
            let Some(name) = argument.as_str() else {
                return;
            };
            used.insert(name.to_string());
            if !resolves(template, name) && !template.may_be_generated(name) {
                let mut known = resource_ids(template);
                if template.parameters().len() <= 2_000 {
                    known.extend(template.parameters().iter().map(|p| p.key.as_str()));
                }
                sink.emit(
                    &rules::REF,
                    argument.pos,
                    &arg_ptr,
                    format!(
                        "Ref `{name}` is not a parameter, resource or pseudo parameter{}",
                        hint(name, &known)
                    ),
                );
            } else if section == "Conditions" && template.resource(name).is_some() {
                sink.emit(
                    &rules::REF,
                    argument.pos,
                    &arg_ptr,
                    format!("conditions cannot Ref the resource `{name}`"),
                );
            }
        }
        "Fn::GetAtt" => {
            let (resource, attribute) = match argument.as_seq() {
                Some([r, a]) => (r, Some(a)),
                _ => (argument, None),
            };
            if let (Some(r), Some(a)) = (resource.as_str(), attribute.and_then(Node::as_str)) {
                check_getatt(
                    template,
                    r,
                    a,
                    resource,
                    attribute.unwrap_or(resource),
                    &arg_ptr,
                    sink,
                );
            } else if let Some((r, a)) = resource.as_str().and_then(|s| s.split_once('.')) {
                check_getatt(template, r, a, resource, resource, &arg_ptr, sink);
            }
        }
        "Fn::Sub" => {
            let Some((template_node, vars)) = sub::parts(argument) else {
                return;
            };
            let Some(text) = template_node.as_str() else {
                return;
            };
            let origin = ctx.source.origin(template_node.pos);
            for (offset, name) in sub::variables(text) {
                used.insert(name.to_string());
                if vars.and_then(|v| v.get(name)).is_some() {
                    continue;
                }
                // A constant of rain's pre-processor (`${Rain::Name}` with
                // `Rain: {Constants: {Name: …}}`): rain puts it in.
                let rain_constant = name.strip_prefix("Rain::").and_then(|c| template.root.get("Rain")?.get("Constants")?.get(c));
                if rain_constant.is_some() {
                    continue;
                }
                let at = origin.at_offset(text, offset);
                match name.split_once('.') {
                    Some((resource, attribute)) if !name.starts_with("AWS::") => {
                        if let Some(r) = template.resource(resource) {
                            if let Some(message) = getatt_problem(r.type_name, resource, attribute)
                            {
                                sink.emit(&rules::GETATT_ATTRIBUTE, at, &arg_ptr, message);
                            }
                        } else if template.may_be_generated(resource) {
                        } else {
                            sink.emit(
                                &rules::SUB_VARIABLE,
                                at,
                                &arg_ptr,
                                format!(
                                    "Sub variable `${{{name}}}` names no resource{}",
                                    hint(resource, &resource_ids(template))
                                ),
                            );
                        }
                    }
                    _ if resolves(template, name) || template.may_be_generated(name) => {}
                    _ => {
                        let extra = if name.contains(':') && !name.starts_with("AWS::") {
                            format!("; write `${{!{name}}}` for a literal policy variable")
                        } else {
                            String::new()
                        };
                        sink.emit(&rules::SUB_VARIABLE, at, &arg_ptr, format!("Sub variable `${{{name}}}` is not a parameter, resource or pseudo parameter{extra}"));
                    }
                }
            }
        }
        "Fn::If" => {
            if let Some(condition) = argument.as_seq().and_then(|a| a.first()) {
                check_condition(template, condition, &arg_ptr.index(0), sink);
            }
        }
        "Condition" => check_condition(template, argument, &arg_ptr, sink),
        "Fn::FindInMap" => {
            if let Some(Some(map)) = argument.as_seq().and_then(|a| a.first()).map(Node::as_str) {
                if template
                    .root
                    .get("Mappings")
                    .and_then(|m| m.get(map))
                    .is_none()
                {
                    sink.emit(
                        &rules::REF,
                        argument.pos,
                        &arg_ptr,
                        format!("mapping `{map}` is not defined"),
                    );
                }
            }
        }
        _ => {}
    }
}

fn resolves(template: &Template, name: &str) -> bool {
    PSEUDO_PARAMETERS.contains(&name)
        || template.parameter(name).is_some()
        || template.resource(name).is_some()
}

fn check_getatt(
    template: &Template,
    resource: &str,
    attribute: &str,
    resource_node: &Node,
    attribute_node: &Node,
    ptr: &Ptr,
    sink: &mut Sink,
) {
    match template.resource(resource) {
        None if template.may_be_generated(resource) => {}
        None => sink.emit(
            &rules::GETATT_RESOURCE,
            resource_node.pos,
            ptr,
            format!(
                "Fn::GetAtt names `{resource}`, which is not a resource{}",
                hint(resource, &resource_ids(template))
            ),
        ),
        Some(r) => {
            if let Some(message) = getatt_problem(r.type_name, resource, attribute) {
                sink.emit(&rules::GETATT_ATTRIBUTE, attribute_node.pos, ptr, message);
            }
        }
    }
}

/// Why `resource.attribute` is not an attribute of the resource's type,
/// when its schema is known.
fn getatt_problem(type_name: Option<&str>, resource: &str, attribute: &str) -> Option<String> {
    let type_name = type_name?;
    if is_custom(type_name) {
        return None;
    }
    let schema = schema_for(type_name)?;
    if schema.has_attribute(attribute) {
        return None;
    }
    let known = schema.attribute_names();
    Some(format!(
        "`{resource}` ({type_name}) has no attribute `{attribute}`; it has: {}",
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    ))
}
