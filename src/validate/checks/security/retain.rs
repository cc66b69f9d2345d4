//! SL507: the archive's data and keys survive stack deletion and replacement.

use crate::model::resources::logs::LOG_GROUP_TYPES;
use crate::validate::checks::Context;
use crate::validate::finding::Sink;
use crate::validate::rules;

pub const RETAINED_TYPES: &[&str] = &[
    "AWS::S3::Bucket",
    "AWS::KMS::Key",
    "AWS::KMS::ReplicaKey",
    LOG_GROUP_TYPES[0],
    LOG_GROUP_TYPES[1],
];

pub fn run(ctx: &Context, sink: &mut Sink) {
    for resource in ctx.template.resources() {
        if !resource
            .type_name
            .is_some_and(|t| RETAINED_TYPES.contains(&t))
        {
            continue;
        }
        for attribute in ["DeletionPolicy", "UpdateReplacePolicy"] {
            match resource.node.get(attribute) {
                Some(value) if value.as_str() == Some("Retain") => {}
                Some(value) => sink.emit(
                    &rules::RETAIN,
                    value.pos,
                    &resource.ptr().key(attribute),
                    format!(
                        "{attribute} of `{}` is {}; it must be Retain",
                        resource.id,
                        value.scalar_text().unwrap_or_else(|| value.kind().into())
                    ),
                ),
                None => sink.emit(
                    &rules::RETAIN,
                    resource.pos(),
                    &resource.ptr(),
                    format!("`{}` has no {attribute}: Retain", resource.id),
                ),
            }
        }
    }
}
