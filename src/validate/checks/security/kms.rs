//! SL506: symmetric KMS keys rotate.

use crate::syntax::tree::{Node, Value};
use crate::validate::checks::Context;
use crate::validate::finding::Sink;
use crate::validate::rules;

pub fn run(ctx: &Context, sink: &mut Sink) {
    for key in ctx
        .template
        .resources()
        .iter()
        .filter(|r| r.is("AWS::KMS::Key"))
    {
        let symmetric = key
            .property("KeySpec")
            .and_then(Node::as_str)
            .map_or(true, |s| s == "SYMMETRIC_DEFAULT");
        if !symmetric {
            continue;
        }
        match key.property("EnableKeyRotation") {
            Some(value)
                if matches!(&value.value, Value::Bool(false))
                    || value.as_str() == Some("false") =>
            {
                sink.emit(
                    &rules::KEY_ROTATION,
                    value.pos,
                    &key.properties_ptr().key("EnableKeyRotation"),
                    format!("key `{}` does not rotate", key.id),
                );
            }
            Some(_) => {}
            None => {
                let (pos, ptr) = key.deepest(&["EnableKeyRotation"]);
                sink.emit(
                    &rules::KEY_ROTATION,
                    pos,
                    &ptr,
                    format!("key `{}` does not set EnableKeyRotation: true", key.id),
                );
            }
        }
    }
}
