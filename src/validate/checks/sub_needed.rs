//! SL122: a `${Name}` that only `Fn::Sub` replaces, written in a plain
//! string. CloudFormation passes it through as the characters `${Name}`:
//! a bucket named `${Env}-logs`, an ARN with `${AWS::Region}` in it. Only
//! names the template defines count (parameters, resources, `Res.Attr`,
//! pseudo parameters), so IAM policy variables (`${aws:username}`) and
//! `${!Literal}` are left alone.

use super::Context;
use crate::syntax::tree::{Node, Ptr, Value};
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::sub;
use crate::validate::template::{Template, PSEUDO_PARAMETERS};

/// Properties whose string is a whole template of its own (deployed as
/// another stack): its `${…}` are that template's, not this one's.
const NESTED_TEMPLATES: &[(&str, &str)] = &[("AWS::CloudFormation::StackSet", "TemplateBody")];

pub fn run(ctx: &Context, sink: &mut Sink) {
    let template = &ctx.template;
    for resource in template.resources() {
        for key in ["Properties", "CreationPolicy", "UpdatePolicy"] {
            let Some(node) = resource.node.get(key) else { continue };
            let ptr = resource.ptr().key(key);
            match node.as_map() {
                Some(entries) if key == "Properties" => {
                    for entry in entries {
                        let nested = NESTED_TEMPLATES.iter().any(|(t, p)| resource.is(t) && entry.key == *p);
                        if !(nested && entry.value.as_str().is_some()) {
                            visit(ctx, &entry.value, &ptr.key(&entry.key), sink);
                        }
                    }
                }
                _ => visit(ctx, node, &ptr, sink),
            }
        }
    }
    for output in template.outputs() {
        if let Some(value) = output.value.get("Value") {
            let ptr = Ptr::root().key("Outputs").key(&output.key).key("Value");
            visit(ctx, value, &ptr, sink);
        }
    }
}

fn visit(ctx: &Context, node: &Node, ptr: &Ptr, sink: &mut Sink) {
    if let Some(("Fn::Sub", argument)) = node.intrinsic() {
        // The template string is Sub's own; its variables' values are not.
        if let Some((_, Some(vars))) = sub::parts(argument) {
            visit(ctx, vars, &ptr.key("Fn::Sub").index(1), sink);
        }
        return;
    }
    match &node.value {
        Value::Str(text) => check(ctx, node, text, ptr, sink),
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                visit(ctx, item, &ptr.index(i), sink);
            }
        }
        Value::Map(entries) => {
            for entry in entries {
                visit(ctx, &entry.value, &ptr.key(&entry.key), sink);
            }
        }
        _ => {}
    }
}

/// True when `${name}` would be replaced by `Fn::Sub` in this template.
pub fn is_template_name(template: &Template, name: &str) -> bool {
    let name = name.trim();
    if PSEUDO_PARAMETERS.contains(&name)
        || template.parameter(name).is_some()
        || template.resource(name).is_some()
    {
        return true;
    }
    match name.split_once('.') {
        Some((resource, _)) => template.resource(resource).is_some(),
        None => false,
    }
}

fn check(ctx: &Context, node: &Node, text: &str, ptr: &Ptr, sink: &mut Sink) {
    let Some(name) = sub::variables(text)
        .into_iter()
        .map(|(_, name)| name)
        .find(|name| is_template_name(&ctx.template, name))
    else {
        return;
    };
    sink.emit(
        &rules::SUB_NEEDED,
        node.pos,
        ptr,
        format!(
            "`${{{name}}}` is in a plain string, so CloudFormation keeps it as written; wrap the value in !Sub (Fn::Sub)"
        ),
    );
}
