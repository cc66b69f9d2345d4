//! SL502 (TLS-only deny) and SL509 (per-account prefix isolation) on the
//! policies of each bucket.

use super::policy::{statements, Statement};
use crate::syntax::tree::Node;
use crate::validate::checks::Context;
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::sub::as_template;
use crate::validate::template::Resource;

const ISOLATION_VARIABLE: &str = "${!aws:PrincipalAccount}";

fn references(bucket_property: &Node, bucket_id: &str) -> bool {
    matches!(bucket_property.intrinsic(), Some(("Ref", arg)) if arg.as_str() == Some(bucket_id))
}

pub fn run(ctx: &Context, sink: &mut Sink) {
    let resources = ctx.template.resources();
    let policies: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.is("AWS::S3::BucketPolicy"))
        .collect();
    for bucket in resources.iter().filter(|r| r.is("AWS::S3::Bucket")) {
        let own: Vec<&&Resource> = policies
            .iter()
            .filter(|p| {
                p.property("Bucket")
                    .is_some_and(|b| references(b, bucket.id))
            })
            .collect();
        if own.is_empty() {
            sink.emit(&rules::TLS_ONLY, bucket.pos(), &bucket.ptr(), format!("bucket `{}` has no bucket policy denying requests without TLS (aws:SecureTransport)", bucket.id));
            continue;
        }
        for policy in own {
            tls_only(policy, sink);
        }
    }
    for policy in policies {
        prefix_isolation(policy, sink);
    }
}

/// The aws:SecureTransport condition value of a statement, and whether it
/// is literally true or false.
fn secure_transport<'a>(statement: &Statement<'a>) -> Option<(&'a Node, Option<bool>)> {
    let (_, _, node) = statement
        .conditions()
        .into_iter()
        .find(|(_, key, _)| key == "aws:securetransport")?;
    let value = match node
        .scalar_text()
        .map(|s| s.to_ascii_lowercase())
        .as_deref()
    {
        Some("false") => Some(false),
        Some("true") => Some(true),
        _ => None,
    };
    Some((node, value))
}

fn tls_only(policy: &Resource, sink: &mut Sink) {
    let Some(document) = policy.property("PolicyDocument") else {
        return;
    };
    let doc_ptr = policy.properties_ptr().key("PolicyDocument");
    let mut has_deny = false;
    for statement in statements(document, &doc_ptr) {
        let Some((node, value)) = secure_transport(&statement) else {
            continue;
        };
        let condition_ptr = statement.ptr.key("Condition");
        match (statement.effect(), value) {
            (Some("Deny"), Some(false)) if statement.has_wildcard_principal() => has_deny = true,
            (Some("Deny"), Some(true)) => sink.emit(&rules::TLS_ONLY, node.pos, &condition_ptr, "this statement denies TLS requests: the TLS-only deny needs aws:SecureTransport \"false\""),
            (Some("Allow"), Some(false)) => sink.emit(&rules::TLS_ONLY, node.pos, &condition_ptr, "this statement allows requests over plain HTTP (aws:SecureTransport false)"),
            _ => {}
        }
    }
    if !has_deny {
        let pos = policy
            .node
            .get("Properties")
            .and_then(|p| p.entry("PolicyDocument"))
            .map(|e| e.key_pos)
            .unwrap_or(policy.pos());
        sink.emit(
            &rules::TLS_ONLY,
            pos,
            &doc_ptr,
            format!(
                "`{}` has no Deny for all principals when aws:SecureTransport is \"false\"",
                policy.id
            ),
        );
    }
}

fn prefix_isolation(policy: &Resource, sink: &mut Sink) {
    let Some(document) = policy.property("PolicyDocument") else {
        return;
    };
    let doc_ptr = policy.properties_ptr().key("PolicyDocument");
    for statement in statements(document, &doc_ptr) {
        let org_wide = statement.has_wildcard_principal()
            && statement
                .conditions()
                .iter()
                .any(|(_, key, _)| key == "aws:principalorgid" || key == "aws:principalorgpaths");
        if statement.effect() != Some("Allow") || !org_wide || !statement.grants("s3:PutObject") {
            continue;
        }
        for (resource, ptr) in statement.values("Resource") {
            let Some(arn) = as_template(resource) else {
                continue;
            };
            let object_part = arn.split_once('/').map(|(_, key)| key).unwrap_or("");
            if !object_part.contains(ISOLATION_VARIABLE) {
                sink.emit(
                    &rules::PREFIX_ISOLATION,
                    resource.pos,
                    &ptr,
                    "organization principals may put objects anywhere in the bucket; restrict the key to a prefix containing ${aws:PrincipalAccount} (`${!aws:PrincipalAccount}` inside Fn::Sub)",
                );
            }
        }
    }
}
