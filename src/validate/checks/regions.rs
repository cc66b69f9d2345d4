//! Every resource type exists in every region the template is deployed to.

use super::Context;
use crate::syntax::tree::Ptr;
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::schema::{availability, is_custom};

pub fn run(ctx: &Context, sink: &mut Sink) {
    let table = availability();
    let regions: Vec<String> = ctx.regions.to_vec();
    for resource in ctx.template.resources() {
        let (Some(type_name), Some(type_node)) = (resource.type_name, resource.node.get("Type"))
        else {
            continue;
        };
        if is_custom(type_name) || resource.is_module() || resource.is_serverless() {
            continue;
        }
        let missing = table.unavailable_in(type_name, &regions);
        if !missing.is_empty() {
            sink.emit(
                &rules::REGION_UNAVAILABLE,
                type_node.pos,
                &resource.ptr().key("Type"),
                format!(
                    "{type_name} is not available in {} ({})",
                    missing.join(", "),
                    table.source
                ),
            );
        }
    }
}

/// Warnings for configured regions the vendored data does not know.
pub fn unknown_regions(regions: &[String], sink: &mut Sink) {
    let table = availability();
    for region in regions.iter().filter(|r| !table.knows_region(r)) {
        sink.emit(
            &rules::REGION_UNKNOWN,
            Default::default(),
            &Ptr::root(),
            format!("region `{region}` is not in {}'s region list", table.source),
        );
    }
}
