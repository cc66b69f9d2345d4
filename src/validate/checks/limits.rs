//! CloudFormation quotas a template must stay within.

use super::Context;
use crate::syntax::tree::{Pos, Ptr};
use crate::validate::finding::{Severity, Sink};
use crate::validate::rules;

/// Largest body `TemplateBody` (inline) accepts.
pub const INLINE_BODY_BYTES: usize = 51_200;
/// Largest template CloudFormation accepts at all (from S3).
pub const MAX_BODY_BYTES: usize = 1_048_576;
pub const MAX_RESOURCES: usize = 500;
pub const MAX_PARAMETERS: usize = 200;
pub const MAX_OUTPUTS: usize = 200;

pub fn run(ctx: &Context, sink: &mut Sink) {
    let start = Pos::new(1, 1);
    if ctx.size > MAX_BODY_BYTES {
        sink.emit(
            &rules::LIMITS,
            start,
            &Ptr::root(),
            format!(
                "template is {} bytes; CloudFormation accepts at most {MAX_BODY_BYTES}",
                ctx.size
            ),
        );
    } else if ctx.size > INLINE_BODY_BYTES {
        // Deployable, only not inline: from S3 (TemplateURL) up to 1 MB.
        sink.emit_as(
            &rules::LIMITS,
            Severity::Warning,
            start,
            &Ptr::root(),
            format!(
                "template is {} bytes; an inline TemplateBody is limited to {INLINE_BODY_BYTES}: deploy it from S3 (TemplateURL, up to {MAX_BODY_BYTES} bytes)",
                ctx.size
            ),
        );
    }
    let template = &ctx.template;
    for (section, count, max) in [
        (
            "Resources",
            template.section("Resources").len(),
            MAX_RESOURCES,
        ),
        ("Parameters", template.parameters().len(), MAX_PARAMETERS),
        ("Outputs", template.outputs().len(), MAX_OUTPUTS),
    ] {
        if count > max {
            let pos = template
                .root
                .entry(section)
                .map(|e| e.key_pos)
                .unwrap_or(start);
            sink.emit(
                &rules::LIMITS,
                pos,
                &Ptr::root().key(section),
                format!("{count} {}; the limit is {max}", section.to_lowercase()),
            );
        }
    }
}
