//! SL511 (ARNs are well formed, with a partition) and SL512 (the partition
//! is `${AWS::Partition}`, not a literal), on the values that are ARNs:
//! the Resource, NotResource and AWS principals of policy statements, and
//! properties named `…Arn`/`…Arns`. Other strings (a state machine
//! definition, a URI, a description) may hold ARN-like text that is not
//! one, so they are left alone.

use super::policy::statements;
use crate::syntax::tree::{Node, Ptr, Value};
use crate::validate::checks::Context;
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::sub::{as_template, mask_variables};

pub const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

#[derive(Debug, PartialEq, Eq)]
pub enum Problem {
    Malformed(&'static str),
    LiteralPartition,
}

/// Checks an ARN written as a Sub template (`${...}` are deploy-time parts).
pub fn check(arn: &str) -> Option<Problem> {
    if !arn.starts_with("arn:") {
        return None;
    }
    // Mask each ${...} so the colons inside do not split.
    let flat = mask_variables(arn, |var| {
        if var == "AWS::Partition" {
            '\u{1}'
        } else {
            '\u{2}'
        }
    });
    let parts: Vec<&str> = flat.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = parts[..] else {
        return Some(Problem::Malformed(
            "an ARN is arn:partition:service:region:account:resource",
        ));
    };
    let is_var = |s: &str| s.contains('\u{1}') || s.contains('\u{2}');
    let simple = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if partition.is_empty() {
        return Some(Problem::Malformed("the ARN has no partition"));
    }
    if !is_var(partition) && partition != "*" && !PARTITIONS.contains(&partition) {
        return Some(Problem::Malformed("unknown partition"));
    }
    if service.is_empty() || !(is_var(service) || simple(service)) {
        return Some(Problem::Malformed(
            "the service is missing or not lower-case",
        ));
    }
    if !(region.is_empty() || is_var(region) || region == "*" || simple(region)) {
        return Some(Problem::Malformed("invalid region"));
    }
    // 12 digits, none, a wildcard, a variable, or an AWS-owned account
    // written as a word (`aws`, `cloudfront` in an origin access identity,
    // `lambda` in API Gateway integration ARNs).
    let account_ok = account.is_empty()
        || is_var(account)
        || account == "*"
        || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        || (!account.is_empty() && account.bytes().all(|b| b.is_ascii_lowercase()));
    if !account_ok {
        return Some(Problem::Malformed("the account is not 12 digits"));
    }
    if resource.is_empty() {
        return Some(Problem::Malformed("the resource part is empty"));
    }
    (!is_var(partition) && partition != "*").then_some(Problem::LiteralPartition)
}

pub fn run(ctx: &Context, sink: &mut Sink) {
    for resource in ctx.template.resources() {
        if let Some(properties) = resource.properties {
            visit(properties, &resource.properties_ptr(), false, sink);
        }
    }
}

/// A property that holds ARNs by its name.
fn names_arns(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.ends_with("arn") || key.ends_with("arns")
}

/// Walks properties; `arns` when the values below are ARNs.
fn visit(node: &Node, ptr: &Ptr, arns: bool, sink: &mut Sink) {
    match (&node.value, node.intrinsic()) {
        (Value::Str(_), _) | (_, Some(("Fn::Sub" | "Fn::Join", _))) if arns => {
            if let Some(text) = as_template(node) {
                report(&text, node, ptr, sink);
            }
        }
        (Value::Str(_), _) | (_, Some(("Fn::Sub" | "Fn::Join", _))) => {}
        (_, Some(("Fn::If", argument))) => visit(argument, &ptr.key("Fn::If"), arns, sink),
        (_, Some(_)) => {}
        (Value::Map(_), None) if node.get("Statement").is_some() => {
            for statement in statements(node, ptr) {
                for key in ["Resource", "NotResource"] {
                    if let Some(value) = statement.node.get(key) {
                        visit(value, &statement.ptr.key(key), true, sink);
                    }
                }
                for key in ["Principal", "NotPrincipal"] {
                    if let Some(aws) = statement.node.get(key).and_then(|p| p.get("AWS")) {
                        visit(aws, &statement.ptr.key(key).key("AWS"), true, sink);
                    }
                }
            }
        }
        (Value::Map(entries), None) => {
            for e in entries {
                visit(&e.value, &ptr.key(&e.key), arns || names_arns(&e.key), sink);
            }
        }
        (Value::Seq(items), None) => {
            for (i, item) in items.iter().enumerate() {
                visit(item, &ptr.index(i), arns, sink);
            }
        }
        _ => {}
    }
}

fn report(text: &str, node: &Node, ptr: &Ptr, sink: &mut Sink) {
    // `as_template` escapes a literal string's `${` as `${!`; undo it so a
    // literal policy variable is not mistaken for a Sub variable.
    let shown = text.replace("${!", "${");
    match check(text) {
        Some(Problem::Malformed(why)) => sink.emit(
            &rules::ARN_FORMAT,
            node.pos,
            ptr,
            format!("malformed ARN `{shown}`: {why}"),
        ),
        Some(Problem::LiteralPartition) => sink.emit(
            &rules::ARN_PARTITION,
            node.pos,
            ptr,
            format!("ARN `{shown}` has a literal partition; use ${{AWS::Partition}}"),
        ),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_shapes() {
        assert_eq!(
            check("arn:${AWS::Partition}:s3:::bucket/${!aws:PrincipalAccount}/*"),
            None
        );
        assert_eq!(
            check("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"),
            None
        );
        assert_eq!(
            check("arn:aws:s3:::bucket"),
            Some(Problem::LiteralPartition)
        );
        assert!(matches!(
            check("arn::s3:::bucket"),
            Some(Problem::Malformed(_))
        ));
        assert!(matches!(
            check("arn:aws:s3:bucket"),
            Some(Problem::Malformed(_))
        ));
        assert!(matches!(
            check("arn:awz:s3:::b"),
            Some(Problem::Malformed(_))
        ));
        assert!(matches!(
            check("arn:${AWS::Partition}:logs:us-east-1:1234:log-group:x"),
            Some(Problem::Malformed(_))
        ));
        assert!(matches!(
            check("arn:aws:lambda:us-east-1:<REDACTED>:function:x"),
            Some(Problem::Malformed(_))
        ));
        // AWS-owned accounts written as words, a wildcard partition.
        assert_eq!(
            check(
                "arn:${AWS::Partition}:iam::cloudfront:user/CloudFront Origin Access Identity E1"
            ),
            None
        );
        assert_eq!(
            check("arn:*:quicksight:${AWS::Region}:${AWS::AccountId}:dataset/*"),
            None
        );
        assert_eq!(check("not-an-arn"), None);
    }
}
