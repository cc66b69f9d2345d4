//! SL701–SL705: the grammar of every IAM policy document — identity,
//! trust, resource (bucket, queue, topic, key…), service and resource
//! control policies — which IAM enforces with `MalformedPolicyDocument`:
//! the document's elements and Version (SL701), each statement's Effect
//! (SL702), Action/NotAction and Resource/NotResource (SL703), where a
//! Principal belongs and its shape (SL704), and Condition blocks (SL705).
//! Where documents are comes from [`crate::aws::resources`]; a document
//! written as JSON text (a string or an `Fn::Sub`) is parsed with
//! positions. Values that are intrinsics are accepted as what they may
//! resolve to.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

use super::Context;
use crate::aws::resources::{organizations_policy_kind, PolicyKind, POLICY_DOCUMENTS};
use crate::syntax::parse_embedded_json;
use crate::syntax::tree::{Node, Ptr, Value};
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::sub;
use crate::validate::template::Resource;

const DOCUMENT_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];
const VERSIONS: &[&str] = &["2012-10-17", "2008-10-17"];
const PRINCIPAL_KEYS: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Required,
    Optional,
    Forbidden,
}

struct Grammar {
    principal: Need,
    resource: Need,
    /// Sids must be alphanumeric (identity policies).
    alphanumeric_sid: bool,
    name: &'static str,
}

fn grammar(kind: PolicyKind) -> Grammar {
    use Need::*;
    let (principal, resource, alphanumeric_sid, name) = match kind {
        PolicyKind::Identity => (Forbidden, Required, true, "an identity policy"),
        PolicyKind::Trust => (Required, Forbidden, false, "a trust policy"),
        PolicyKind::Resource => (Required, Required, false, "a resource policy"),
        PolicyKind::ResourceImplied => (Required, Optional, false, "a resource policy"),
        PolicyKind::ServiceControl => (Forbidden, Optional, false, "a service control policy"),
        PolicyKind::ResourceControl => (Required, Optional, false, "a resource control policy"),
        PolicyKind::Endpoint => (Optional, Optional, false, "an endpoint policy"),
    };
    Grammar {
        principal,
        resource,
        alphanumeric_sid,
        name,
    }
}

pub fn run(ctx: &Context, sink: &mut Sink) {
    for resource in ctx.template.resources() {
        let Some(type_name) = resource.type_name else {
            continue;
        };
        for (_, path, kind) in POLICY_DOCUMENTS.iter().filter(|(t, _, _)| *t == type_name) {
            let parts: Vec<&str> = path.split('/').collect();
            for (node, ptr) in at_path(resource, &parts) {
                document(ctx, node, &ptr, &grammar(*kind), sink);
            }
        }
        if type_name == "AWS::Organizations::Policy" {
            let kind = resource
                .property("Type")
                .and_then(Node::as_str)
                .and_then(organizations_policy_kind);
            if let (Some(kind), Some(content)) = (kind, resource.property("Content")) {
                let ptr = resource.properties_ptr().key("Content");
                document(ctx, content, &ptr, &grammar(kind), sink);
            }
        }
    }
}

/// The nodes at a property path (`*` for every list item).
fn at_path<'a>(resource: &Resource<'a>, parts: &[&str]) -> Vec<(&'a Node, Ptr)> {
    let Some(properties) = resource.properties else {
        return Vec::new();
    };
    let mut current = vec![(properties, resource.properties_ptr())];
    for part in parts {
        let mut next = Vec::new();
        for (node, ptr) in current {
            if *part == "*" {
                for (i, item) in node.as_seq().unwrap_or_default().iter().enumerate() {
                    next.push((item, ptr.index(i)));
                }
            } else if let Some(child) = node.get(part) {
                next.push((child, ptr.key(part)));
            }
        }
        current = next;
    }
    current
}

fn document(ctx: &Context, node: &Node, ptr: &Ptr, grammar: &Grammar, sink: &mut Sink) {
    match node.intrinsic() {
        Some(("Fn::If", argument)) => {
            for (i, branch) in argument
                .as_seq()
                .unwrap_or_default()
                .iter()
                .enumerate()
                .skip(1)
            {
                if !branch.is_no_value() {
                    document(ctx, branch, &ptr.key("Fn::If").index(i), grammar, sink);
                }
            }
        }
        Some(("Fn::Sub", argument)) => {
            if let Some((text, _)) = sub::parts(argument) {
                text_document(ctx, text, true, ptr, grammar, sink);
            }
        }
        Some(_) => {}
        None if node.as_str().is_some() => text_document(ctx, node, false, ptr, grammar, sink),
        None => object(node, ptr, grammar, sink),
    }
}

/// A policy written as JSON text.
fn text_document(
    ctx: &Context,
    text_node: &Node,
    is_sub: bool,
    ptr: &Ptr,
    grammar: &Grammar,
    sink: &mut Sink,
) {
    let Some(text) = text_node.as_str() else {
        return;
    };
    let origin = ctx.source.origin(text_node.pos);
    match parse_embedded_json(text, is_sub, &|line, col| origin.at(line, col)) {
        Ok(parsed) => object(&parsed, ptr, grammar, sink),
        Err(e) => sink.emit(
            &rules::POLICY_DOCUMENT,
            e.pos,
            ptr,
            format!("the policy is not valid JSON: {}", e.message),
        ),
    }
}

fn object(node: &Node, ptr: &Ptr, grammar: &Grammar, sink: &mut Sink) {
    let Some(entries) = node.as_map() else {
        return sink.emit(
            &rules::POLICY_DOCUMENT,
            node.pos,
            ptr,
            format!("a policy document is an object, found {}", node.kind()),
        );
    };
    for entry in entries {
        if !DOCUMENT_ELEMENTS.contains(&entry.key.as_str()) {
            sink.emit(
                &rules::POLICY_DOCUMENT,
                entry.key_pos,
                &ptr.key(&entry.key),
                format!(
                    "`{}` is not a policy element (Version, Id, Statement)",
                    entry.key
                ),
            );
        }
    }
    if let Some(version) = node.get("Version") {
        let ok = version.intrinsic().is_some()
            || version
                .scalar_text()
                .is_some_and(|v| VERSIONS.contains(&v.as_str()));
        if !ok {
            sink.emit(
                &rules::POLICY_DOCUMENT,
                version.pos,
                &ptr.key("Version"),
                format!(
                    "Version {} is not a policy language version (\"2012-10-17\")",
                    version
                        .scalar_text()
                        .map(|v| format!("{v:?}"))
                        .unwrap_or_else(|| version.kind().to_string())
                ),
            );
        }
    }
    let Some(statement) = node.get("Statement") else {
        return sink.emit(
            &rules::POLICY_DOCUMENT,
            node.pos,
            ptr,
            "the policy has no Statement",
        );
    };
    let statement_ptr = ptr.key("Statement");
    let items: Vec<(&Node, Ptr)> = match &statement.value {
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, n)| (n, statement_ptr.index(i)))
            .collect(),
        Value::Map(_) => vec![(statement, statement_ptr.clone())],
        _ => {
            return sink.emit(
                &rules::POLICY_DOCUMENT,
                statement.pos,
                &statement_ptr,
                format!(
                    "Statement is a statement or a list of statements, found {}",
                    statement.kind()
                ),
            )
        }
    };
    let mut sids: HashMap<String, u32> = HashMap::new();
    for (item, item_ptr) in items {
        for (node, ptr) in branches(item, item_ptr) {
            one_statement(node, &ptr, grammar, &mut sids, sink);
        }
    }
}

/// A statement, or both branches of an `Fn::If` choosing one.
fn branches(node: &Node, ptr: Ptr) -> Vec<(&Node, Ptr)> {
    match node.intrinsic() {
        Some(("Fn::If", argument)) => argument
            .as_seq()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, b)| !b.is_no_value())
            .flat_map(|(i, b)| branches(b, ptr.key("Fn::If").index(i)))
            .collect(),
        Some(_) => Vec::new(),
        None => vec![(node, ptr)],
    }
}

fn one_statement(
    node: &Node,
    ptr: &Ptr,
    grammar: &Grammar,
    sids: &mut HashMap<String, u32>,
    sink: &mut Sink,
) {
    let Some(entries) = node.as_map() else {
        return sink.emit(
            &rules::POLICY_DOCUMENT,
            node.pos,
            ptr,
            format!("a statement is an object, found {}", node.kind()),
        );
    };
    for entry in entries {
        if !STATEMENT_ELEMENTS.contains(&entry.key.as_str()) {
            sink.emit(
                &rules::POLICY_DOCUMENT,
                entry.key_pos,
                &ptr.key(&entry.key),
                format!(
                    "`{}` is not a statement element ({})",
                    entry.key,
                    STATEMENT_ELEMENTS.join(", ")
                ),
            );
        }
    }
    if let Some(sid) = node.get("Sid") {
        if let Some(text) = sid.as_str() {
            if let Some(first) = sids.insert(text.to_string(), sid.pos.line) {
                sink.emit(
                    &rules::POLICY_DOCUMENT,
                    sid.pos,
                    &ptr.key("Sid"),
                    format!("Sid {text:?} is used twice in this policy (first on line {first})"),
                );
            }
            if grammar.alphanumeric_sid && !text.chars().all(|c| c.is_ascii_alphanumeric()) {
                sink.emit(
                    &rules::POLICY_DOCUMENT,
                    sid.pos,
                    &ptr.key("Sid"),
                    format!(
                        "Sid {text:?} of {} may hold only letters and digits",
                        grammar.name
                    ),
                );
            }
        }
    }
    effect(node, ptr, sink);
    exclusive(
        node,
        ptr,
        ("Action", "NotAction"),
        Need::Required,
        grammar.name,
        &rules::POLICY_ACTION_RESOURCE,
        sink,
    );
    exclusive(
        node,
        ptr,
        ("Resource", "NotResource"),
        grammar.resource,
        grammar.name,
        &rules::POLICY_ACTION_RESOURCE,
        sink,
    );
    exclusive(
        node,
        ptr,
        ("Principal", "NotPrincipal"),
        grammar.principal,
        grammar.name,
        &rules::POLICY_PRINCIPAL,
        sink,
    );
    for key in ["Action", "NotAction", "Resource", "NotResource"] {
        if let Some(value) = node.get(key) {
            strings(value, &ptr.key(key), key, sink);
        }
    }
    for key in ["Principal", "NotPrincipal"] {
        if let Some(value) = node.get(key) {
            principal(value, &ptr.key(key), key, sink);
        }
    }
    if let Some(condition) = node.get("Condition") {
        conditions(condition, &ptr.key("Condition"), sink);
    }
}

fn effect(node: &Node, ptr: &Ptr, sink: &mut Sink) {
    match node.get("Effect") {
        None => sink.emit(
            &rules::POLICY_EFFECT,
            node.pos,
            ptr,
            "the statement has no Effect (Allow or Deny)",
        ),
        Some(e) if e.intrinsic().is_some() => {}
        Some(e) if matches!(e.as_str(), Some("Allow" | "Deny")) => {}
        Some(e) => sink.emit(
            &rules::POLICY_EFFECT,
            e.pos,
            &ptr.key("Effect"),
            format!(
                "Effect {} is neither Allow nor Deny (case matters)",
                e.scalar_text()
                    .map(|v| format!("{v:?}"))
                    .unwrap_or_else(|| e.kind().to_string())
            ),
        ),
    }
}

fn exclusive(
    node: &Node,
    ptr: &Ptr,
    (one, other): (&str, &str),
    need: Need,
    policy: &str,
    rule: &'static crate::validate::Rule,
    sink: &mut Sink,
) {
    let (a, b) = (node.entry(one), node.entry(other));
    match (a, b, need) {
        (Some(_), Some(second), _) => sink.emit(
            rule,
            second.key_pos,
            &ptr.key(other),
            format!("a statement has {one} or {other}, not both"),
        ),
        (None, None, Need::Required) => sink.emit(
            rule,
            node.pos,
            ptr,
            format!("the statement of {policy} needs {one} (or {other})"),
        ),
        (Some(present), None, Need::Forbidden) | (None, Some(present), Need::Forbidden) => sink
            .emit(
                rule,
                present.key_pos,
                &ptr.key(&present.key),
                format!(
                    "{policy} cannot have {} (IAM rejects the document)",
                    present.key
                ),
            ),
        _ => {}
    }
}

/// Action/Resource values: a string or a non-empty list of strings.
fn strings(value: &Node, ptr: &Ptr, key: &str, sink: &mut Sink) {
    let rule = &rules::POLICY_ACTION_RESOURCE;
    match &value.value {
        Value::Str(_) => {}
        _ if value.intrinsic().is_some() => {}
        Value::Seq(items) if items.is_empty() => {
            sink.emit(rule, value.pos, ptr, format!("{key} is an empty list"))
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                if item.as_str().is_none() && item.intrinsic().is_none() {
                    sink.emit(
                        rule,
                        item.pos,
                        &ptr.index(i),
                        format!("{key} items are strings, found {}", item.kind()),
                    );
                }
            }
        }
        _ => sink.emit(
            rule,
            value.pos,
            ptr,
            format!(
                "{key} is a string or a list of strings, found {}",
                value.kind()
            ),
        ),
    }
}

fn principal(value: &Node, ptr: &Ptr, key: &str, sink: &mut Sink) {
    let rule = &rules::POLICY_PRINCIPAL;
    if value.intrinsic().is_some() {
        return;
    }
    match &value.value {
        Value::Str(s) if s == "*" => {}
        Value::Str(s) => sink.emit(
            rule,
            value.pos,
            ptr,
            format!(
                "{key} {s:?} is neither \"*\" nor an object such as {{AWS: …}} or {{Service: …}}"
            ),
        ),
        Value::Map(entries) => {
            for entry in entries {
                if !PRINCIPAL_KEYS.contains(&entry.key.as_str()) {
                    sink.emit(
                        rule,
                        entry.key_pos,
                        &ptr.key(&entry.key),
                        format!(
                            "`{}` is not a principal type ({})",
                            entry.key,
                            PRINCIPAL_KEYS.join(", ")
                        ),
                    );
                } else {
                    strings_principal(&entry.value, &ptr.key(&entry.key), sink);
                }
            }
        }
        _ => sink.emit(
            rule,
            value.pos,
            ptr,
            format!("{key} is \"*\" or an object, found {}", value.kind()),
        ),
    }
}

fn strings_principal(value: &Node, ptr: &Ptr, sink: &mut Sink) {
    match &value.value {
        Value::Str(_) => {}
        _ if value.intrinsic().is_some() => {}
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                if item.as_str().is_none() && item.intrinsic().is_none() {
                    sink.emit(
                        &rules::POLICY_PRINCIPAL,
                        item.pos,
                        &ptr.index(i),
                        format!("principals are strings, found {}", item.kind()),
                    );
                }
            }
        }
        _ => sink.emit(
            &rules::POLICY_PRINCIPAL,
            value.pos,
            ptr,
            format!("principals are a string or a list, found {}", value.kind()),
        ),
    }
}

fn operator_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            "^(ForAnyValue:|ForAllValues:)?(\
String(Not)?Equals(IgnoreCase)?|String(Not)?Like|\
Numeric(Not)?Equals|Numeric(Less|Greater)Than(Equals)?|\
Date(Not)?Equals|Date(Less|Greater)Than(Equals)?|\
Bool|BinaryEquals|(Not)?IpAddress|Arn(Not)?(Equals|Like)|Null)(IfExists)?$",
        )
        .expect("the operator pattern compiles")
    })
}

fn conditions(condition: &Node, ptr: &Ptr, sink: &mut Sink) {
    let rule = &rules::POLICY_CONDITION;
    if condition.intrinsic().is_some() {
        return;
    }
    let Some(operators) = condition.as_map() else {
        return sink.emit(
            rule,
            condition.pos,
            ptr,
            format!(
                "Condition is an object of operators, found {}",
                condition.kind()
            ),
        );
    };
    for operator in operators {
        let at = ptr.key(&operator.key);
        if !operator_pattern().is_match(&operator.key) {
            sink.emit(
                rule,
                operator.key_pos,
                &at,
                format!("`{}` is not a condition operator (StringEquals, ArnLike, Bool, NumericLessThan, …, optionally ForAnyValue:/ForAllValues: and IfExists)", operator.key),
            );
            continue;
        }
        if operator.value.intrinsic().is_some() {
            continue;
        }
        let Some(keys) = operator.value.as_map() else {
            sink.emit(
                rule,
                operator.value.pos,
                &at,
                format!(
                    "`{}` maps condition keys to values, found {}",
                    operator.key,
                    operator.value.kind()
                ),
            );
            continue;
        };
        for key in keys {
            let ok = match &key.value.value {
                Value::Str(_) | Value::Number(_) | Value::Bool(_) => true,
                Value::Seq(items) => items.iter().all(|i| {
                    matches!(i.value, Value::Str(_) | Value::Number(_) | Value::Bool(_))
                        || i.intrinsic().is_some()
                }),
                _ => key.value.intrinsic().is_some(),
            };
            if !ok {
                sink.emit(rule, key.value.pos, &at.key(&key.key), format!("the value of condition key `{}` is a string, number, boolean or a list of them, found {}", key.key, key.value.kind()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators() {
        for ok in [
            "StringEquals",
            "ForAnyValue:StringLike",
            "ArnLikeIfExists",
            "Null",
            "BoolIfExists",
            "NumericGreaterThanEquals",
            "StringNotEqualsIgnoreCase",
        ] {
            assert!(operator_pattern().is_match(ok), "{ok}");
        }
        for bad in [
            "StringEqual",
            "stringequals",
            "ForSomeValue:StringLike",
            "Nul",
            "",
        ] {
            assert!(!operator_pattern().is_match(bad), "{bad}");
        }
    }
}
