//! SL503 SSE-KMS with Bucket Keys, SL504 versioning Enabled, SL505 all four
//! public access blocks, on every bucket.

use crate::syntax::tree::{Node, Value};
use crate::validate::checks::Context;
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::template::Resource;

const KMS_ALGORITHMS: &[&str] = &["aws:kms", "aws:kms:dsse"];
const PUBLIC_ACCESS_BLOCKS: &[&str] = &[
    "BlockPublicAcls",
    "BlockPublicPolicy",
    "IgnorePublicAcls",
    "RestrictPublicBuckets",
];

/// A literal boolean (or "true"/"false"); `None` for intrinsics.
fn literal_bool(node: &Node) -> Option<bool> {
    match &node.value {
        Value::Bool(b) => Some(*b),
        Value::Str(s) => s.parse().ok(),
        _ => None,
    }
}

pub fn run(ctx: &Context, sink: &mut Sink) {
    for bucket in ctx
        .template
        .resources()
        .iter()
        .filter(|r| r.is("AWS::S3::Bucket"))
    {
        encryption(bucket, sink);
        versioning(bucket, sink);
        public_access(bucket, sink);
    }
}

fn encryption(bucket: &Resource, sink: &mut Sink) {
    let path = ["BucketEncryption", "ServerSideEncryptionConfiguration"];
    let Some(rules_list) = bucket
        .property(path[0])
        .and_then(|e| e.get(path[1]))
        .and_then(Node::as_seq)
    else {
        let (pos, ptr) = bucket.deepest(&path);
        sink.emit(
            &rules::BUCKET_ENCRYPTION,
            pos,
            &ptr,
            format!(
                "bucket `{}` does not set SSE-KMS default encryption",
                bucket.id
            ),
        );
        return;
    };
    let base = bucket.properties_ptr().key(path[0]).key(path[1]);
    for (i, rule) in rules_list.iter().enumerate() {
        let ptr = base.index(i);
        let default = rule.get("ServerSideEncryptionByDefault");
        let algorithm = default.and_then(|d| d.get("SSEAlgorithm"));
        match algorithm {
            Some(a) if a.intrinsic().is_some() => {}
            Some(a) if a.as_str().is_some_and(|s| KMS_ALGORITHMS.contains(&s)) => {}
            Some(a) => sink.emit(
                &rules::BUCKET_ENCRYPTION,
                a.pos,
                &ptr.key("ServerSideEncryptionByDefault").key("SSEAlgorithm"),
                format!(
                    "SSEAlgorithm is {}; the archive requires aws:kms",
                    a.scalar_text().unwrap_or_default()
                ),
            ),
            None => sink.emit(
                &rules::BUCKET_ENCRYPTION,
                rule.pos,
                &ptr,
                "no ServerSideEncryptionByDefault.SSEAlgorithm",
            ),
        }
        let dsse = algorithm.and_then(Node::as_str) == Some("aws:kms:dsse");
        match rule.get("BucketKeyEnabled") {
            _ if dsse => {}
            Some(b) if literal_bool(b) == Some(false) => sink.emit(
                &rules::BUCKET_ENCRYPTION,
                b.pos,
                &ptr.key("BucketKeyEnabled"),
                "BucketKeyEnabled is false; S3 Bucket Keys must be on",
            ),
            Some(_) => {}
            None => sink.emit(
                &rules::BUCKET_ENCRYPTION,
                rule.pos,
                &ptr,
                "BucketKeyEnabled is not set; S3 Bucket Keys must be on",
            ),
        }
    }
}

fn versioning(bucket: &Resource, sink: &mut Sink) {
    match bucket
        .property("VersioningConfiguration")
        .and_then(|v| v.get("Status"))
    {
        Some(status) if status.intrinsic().is_some() || status.as_str() == Some("Enabled") => {}
        Some(status) => sink.emit(
            &rules::BUCKET_VERSIONING,
            status.pos,
            &bucket
                .properties_ptr()
                .key("VersioningConfiguration")
                .key("Status"),
            format!(
                "versioning is {}; it must be Enabled so a log cannot be overwritten",
                status.scalar_text().unwrap_or_default()
            ),
        ),
        None => {
            let (pos, ptr) = bucket.deepest(&["VersioningConfiguration", "Status"]);
            sink.emit(
                &rules::BUCKET_VERSIONING,
                pos,
                &ptr,
                format!("bucket `{}` does not enable versioning", bucket.id),
            );
        }
    }
}

fn public_access(bucket: &Resource, sink: &mut Sink) {
    let Some(config) = bucket.property("PublicAccessBlockConfiguration") else {
        let (pos, ptr) = bucket.deepest(&["PublicAccessBlockConfiguration"]);
        sink.emit(
            &rules::PUBLIC_ACCESS,
            pos,
            &ptr,
            format!(
                "bucket `{}` has no PublicAccessBlockConfiguration",
                bucket.id
            ),
        );
        return;
    };
    let ptr = bucket
        .properties_ptr()
        .key("PublicAccessBlockConfiguration");
    let config_pos = bucket
        .node
        .get("Properties")
        .and_then(|p| p.entry("PublicAccessBlockConfiguration"))
        .map(|e| e.key_pos)
        .unwrap_or(config.pos);
    for flag in PUBLIC_ACCESS_BLOCKS {
        match config.get(flag) {
            Some(value) if literal_bool(value) == Some(false) => sink.emit(
                &rules::PUBLIC_ACCESS,
                value.pos,
                &ptr.key(flag),
                format!("{flag} is false"),
            ),
            Some(_) => {}
            None => sink.emit(
                &rules::PUBLIC_ACCESS,
                config_pos,
                &ptr,
                format!("{flag} is not set (it defaults to false)"),
            ),
        }
    }
}
