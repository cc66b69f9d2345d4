//! SL511 (ARNs are well formed, with a partition) and SL512 (the partition
//! is `${AWS::Partition}`, not a literal).

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
    if !is_var(partition) && !PARTITIONS.contains(&partition) {
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
    let account_ok = account.is_empty()
        || is_var(account)
        || account == "*"
        || account == "aws"
        || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
    if !account_ok {
        return Some(Problem::Malformed("the account is not 12 digits"));
    }
    if resource.is_empty() {
        return Some(Problem::Malformed("the resource part is empty"));
    }
    (!is_var(partition)).then_some(Problem::LiteralPartition)
}

pub fn run(ctx: &Context, sink: &mut Sink) {
    for resource in ctx.template.resources() {
        if let Some(properties) = resource.properties {
            visit(properties, &resource.properties_ptr(), sink);
        }
    }
}

fn visit(node: &Node, ptr: &Ptr, sink: &mut Sink) {
    match (&node.value, node.intrinsic()) {
        (Value::Str(_), _) | (_, Some(("Fn::Sub" | "Fn::Join", _))) => {
            if let Some(text) = as_template(node) {
                report(&text, node, ptr, sink);
            }
        }
        (_, Some(("Fn::If", argument))) => visit(argument, &ptr.key("Fn::If"), sink),
        (_, Some(_)) => {}
        (Value::Map(entries), None) => {
            for e in entries {
                visit(&e.value, &ptr.key(&e.key), sink);
            }
        }
        (Value::Seq(items), None) => {
            for (i, item) in items.iter().enumerate() {
                visit(item, &ptr.index(i), sink);
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
        assert_eq!(check("not-an-arn"), None);
    }
}
