//! IAM policy documents found in resource properties, and their statements.

use crate::syntax::tree::{Node, Ptr};
use crate::validate::template::{Resource, Template};

pub struct Statement<'a> {
    pub node: &'a Node,
    pub ptr: Ptr,
}

/// Condition keys that tie a statement to the organization or an account.
pub const ORG_CONDITION_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalaccount",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourcearn",
    "aws:principalarn",
    "kms:calleraccount",
];

impl<'a> Statement<'a> {
    pub fn effect(&self) -> Option<&'a str> {
        self.node.get("Effect").and_then(Node::as_str)
    }

    pub fn principal(&self) -> Option<&'a Node> {
        self.node.get("Principal")
    }

    /// `"*"`, `{"AWS": "*"}` or an `AWS` list containing `"*"`.
    pub fn has_wildcard_principal(&self) -> bool {
        let Some(principal) = self.principal() else {
            return false;
        };
        let is_star = |n: &Node| n.as_str() == Some("*");
        if is_star(principal) {
            return true;
        }
        match principal.get("AWS") {
            Some(aws) => {
                is_star(aws) || aws.as_seq().is_some_and(|items| items.iter().any(is_star))
            }
            None => false,
        }
    }

    /// `(operator, key (lower case), value)` of every condition.
    pub fn conditions(&self) -> Vec<(&'a str, String, &'a Node)> {
        let mut out = Vec::new();
        for operator in self
            .node
            .get("Condition")
            .and_then(Node::as_map)
            .unwrap_or_default()
        {
            for key in operator.value.as_map().unwrap_or_default() {
                out.push((
                    operator.key.as_str(),
                    key.key.to_ascii_lowercase(),
                    &key.value,
                ));
            }
        }
        out
    }

    pub fn has_org_condition(&self) -> bool {
        self.conditions()
            .iter()
            .any(|(_, key, _)| ORG_CONDITION_KEYS.contains(&key.as_str()))
    }

    /// Values of `key` (`Action`, `Resource`, …): a string or a list.
    pub fn values(&self, key: &str) -> Vec<(&'a Node, Ptr)> {
        let Some(node) = self.node.get(key) else {
            return Vec::new();
        };
        let ptr = self.ptr.key(key);
        match node.as_seq() {
            Some(items) => items
                .iter()
                .enumerate()
                .map(|(i, n)| (n, ptr.index(i)))
                .collect(),
            None => vec![(node, ptr)],
        }
    }

    /// True when one of the statement's actions grants `action`
    /// (`s3:PutObject` is granted by `s3:PutObject`, `s3:Put*`, `s3:*`, `*`).
    pub fn grants(&self, action: &str) -> bool {
        self.values("Action")
            .iter()
            .filter_map(|(n, _)| n.as_str())
            .any(|pattern| wildcard_match(pattern, action))
    }
}

/// IAM-style case-insensitive match with `*` and `?`.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], t) || (!t.is_empty() && go(p, &t[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &t[1..]),
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => go(&p[1..], &t[1..]),
            _ => false,
        }
    }
    pattern.len() <= 256 && go(pattern.as_bytes(), text.as_bytes())
}

/// The statements of a policy document (a list, or a single statement;
/// both branches of an `Fn::If`).
pub fn statements<'a>(document: &'a Node, ptr: &Ptr) -> Vec<Statement<'a>> {
    let Some(statement) = document.get("Statement") else {
        return Vec::new();
    };
    let ptr = ptr.key("Statement");
    let mut out = Vec::new();
    let items: Vec<(&Node, Ptr)> = match statement.as_seq() {
        Some(items) => items
            .iter()
            .enumerate()
            .map(|(i, n)| (n, ptr.index(i)))
            .collect(),
        None => vec![(statement, ptr)],
    };
    for (node, ptr) in items {
        match node.intrinsic() {
            Some(("Fn::If", argument)) => {
                for (i, branch) in argument
                    .as_seq()
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                    .skip(1)
                {
                    if branch.as_map().is_some() && !branch.is_no_value() {
                        out.push(Statement {
                            node: branch,
                            ptr: ptr.key("Fn::If").index(i),
                        });
                    }
                }
            }
            Some(_) => {}
            None => out.push(Statement { node, ptr }),
        }
    }
    out
}

/// A policy document inside a resource's properties.
pub struct PolicyDocument<'a> {
    pub resource: Resource<'a>,
    pub node: &'a Node,
    pub ptr: Ptr,
}

impl<'a> PolicyDocument<'a> {
    pub fn statements(&self) -> Vec<Statement<'a>> {
        statements(self.node, &self.ptr)
    }
}

/// Every policy document (an object with a `Statement`) in resource properties.
pub fn documents<'a>(template: &Template<'a>) -> Vec<PolicyDocument<'a>> {
    let mut out = Vec::new();
    for resource in template.resources() {
        let Some(properties) = resource.properties else {
            continue;
        };
        let mut found: Vec<(&'a Node, Ptr)> = Vec::new();
        collect(properties, resource.properties_ptr(), &mut found);
        for (node, ptr) in found {
            out.push(PolicyDocument {
                resource: *resource,
                node,
                ptr,
            });
        }
    }
    out
}

fn collect<'a>(node: &'a Node, ptr: Ptr, out: &mut Vec<(&'a Node, Ptr)>) {
    if node.get("Statement").is_some() {
        out.push((node, ptr));
        return;
    }
    match &node.value {
        crate::syntax::tree::Value::Map(entries) => {
            for e in entries {
                collect(&e.value, ptr.key(&e.key), out);
            }
        }
        crate::syntax::tree::Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(item, ptr.index(i), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("s3:Put*", "s3:PutObject"));
        assert!(wildcard_match("*", "s3:PutObject"));
        assert!(wildcard_match("S3:putobject", "s3:PutObject"));
        assert!(!wildcard_match("s3:Get*", "s3:PutObject"));
    }
}
