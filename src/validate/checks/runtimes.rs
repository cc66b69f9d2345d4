//! SL209: Lambda runtimes past their deprecation dates (vendored from
//! cfn-lint's data, `schemas/cloudformation/lambda-runtimes.json`), of
//! `AWS::Lambda::Function` and of SAM's `AWS::Serverless::Function` (and
//! its `Globals`), which the transform passes through to Lambda,
//! evaluated on the date of the run (`--as-of` to pick another): once
//! functions can no longer be created (or updated) with a runtime, a
//! template using it fails to deploy — an error; a runtime only past its
//! end of support is a warning.

use super::Context;
use crate::aws::lambda::{self, Stage};
use crate::syntax::tree::{Node, Ptr};
use crate::validate::finding::{Severity, Sink};
use crate::validate::rules;

pub fn run(ctx: &Context, sink: &mut Sink) {
    for resource in ctx
        .template
        .resources()
        .iter()
        .filter(|r| r.is("AWS::Lambda::Function") || r.is("AWS::Serverless::Function"))
    {
        if let Some(runtime) = resource.property("Runtime") {
            check(
                ctx,
                runtime,
                &resource.properties_ptr().key("Runtime"),
                sink,
            );
        }
    }
    if ctx.template.is_transformed() {
        let globals = ctx
            .template
            .root
            .get("Globals")
            .and_then(|g| g.get("Function"));
        if let Some(runtime) = globals.and_then(|f| f.get("Runtime")) {
            let ptr = Ptr::root().key("Globals").key("Function").key("Runtime");
            check(ctx, runtime, &ptr, sink);
        }
    }
}

fn check(ctx: &Context, runtime: &Node, ptr: &Ptr, sink: &mut Sink) {
    for value in literals(runtime) {
        let Some(name) = value.as_str() else { continue };
        let Some(life) = lambda::lifecycle(name) else {
            continue;
        };
        let successor = life
            .successor
            .as_deref()
            .map(|s| format!("; move to {s}"))
            .unwrap_or_default();
        let (severity, what) = match life.stage(ctx.as_of) {
            Stage::Supported => continue,
            Stage::Deprecated => (
                Severity::Warning,
                format!(
                    "reached end of support on {}; functions cannot be created with it from {}",
                    life.deprecated, life.create_block
                ),
            ),
            Stage::CreateBlocked => (
                Severity::Error,
                format!(
                    "cannot be used to create functions since {} (updates end {})",
                    life.create_block, life.update_block
                ),
            ),
            Stage::UpdateBlocked => (
                Severity::Error,
                format!(
                    "cannot be used to create or update functions since {}",
                    life.update_block
                ),
            ),
        };
        sink.emit_as(
            &rules::DEPRECATED_RUNTIME,
            severity,
            value.pos,
            ptr,
            format!(
                "Lambda runtime `{name}` {what} (as of {}; dates from {}){successor}",
                ctx.as_of,
                lambda::source()
            ),
        );
    }
}

/// The literal values a property may take: itself, or both branches of
/// an `Fn::If`.
fn literals(node: &Node) -> Vec<&Node> {
    match node.intrinsic() {
        Some(("Fn::If", argument)) => argument
            .as_seq()
            .unwrap_or_default()
            .iter()
            .skip(1)
            .flat_map(literals)
            .collect(),
        Some(_) => Vec::new(),
        None => vec![node],
    }
}
