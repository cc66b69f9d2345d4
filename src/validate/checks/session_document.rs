//! The Session Manager preferences document's content, in an
//! `AWS::SSM::Document` of DocumentType `Session` or in the `Content` of the
//! `Custom::SessionManagerPreferences` upsert resource, against
//! `schemas/session-document.schema.json`.

use std::sync::OnceLock;

use serde_json::Value as Json;

use super::Context;
use crate::syntax::parse_embedded_json;
use crate::syntax::tree::Node;
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::schema::walker::{Mode, Walker};
use crate::validate::sub;
use crate::validate::template::Resource;

pub const SCHEMA_TEXT: &str = include_str!("../../../schemas/session-document.schema.json");
pub const CUSTOM_TYPE: &str = "Custom::SessionManagerPreferences";

fn schema() -> &'static Json {
    static CELL: OnceLock<Json> = OnceLock::new();
    CELL.get_or_init(|| {
        serde_json::from_str(SCHEMA_TEXT).expect("session-document.schema.json is valid JSON")
    })
}

/// True for the resources that carry a Session preferences document.
fn carries_session_document(resource: &Resource) -> bool {
    match resource.type_name {
        Some(CUSTOM_TYPE) => true,
        Some("AWS::SSM::Document") => {
            resource.property("DocumentType").and_then(Node::as_str) == Some("Session")
        }
        _ => false,
    }
}

pub fn run(ctx: &Context, sink: &mut Sink) {
    for resource in ctx
        .template
        .resources()
        .iter()
        .filter(|r| carries_session_document(r))
    {
        let ptr = resource.properties_ptr().key("Content");
        let Some(content) = resource.property("Content") else {
            let (pos, ptr) = resource.deepest(&["Content"]);
            sink.emit(
                &rules::SESSION_CONTENT,
                pos,
                &ptr,
                "the Session document has no Content",
            );
            continue;
        };
        let document = match document(ctx, content) {
            Some(Ok(document)) => document,
            Some(Err(e)) => {
                sink.emit(
                    &rules::SESSION_CONTENT,
                    e.pos,
                    &ptr,
                    format!(
                        "the Session document content is not valid JSON: {}",
                        e.message
                    ),
                );
                continue;
            }
            None => continue,
        };
        let walker = Walker::new(schema(), Mode::Strict, &ctx.template);
        for v in walker.check(schema(), &document, &ptr) {
            sink.emit(&rules::SESSION_SCHEMA, v.pos, &v.ptr, v.message);
        }
    }
}

/// The document as a tree: the YAML/JSON object itself, or the JSON text
/// of a string or `Fn::Sub`. `None` when built some other way.
fn document(ctx: &Context, content: &Node) -> Option<Result<Node, crate::syntax::ParseError>> {
    if content.as_map().is_some() && content.intrinsic().is_none() {
        return Some(Ok(content.clone()));
    }
    let (text_node, is_sub) = match content.intrinsic() {
        Some(("Fn::Sub", argument)) => (sub::parts(argument)?.0, true),
        Some(_) => return None,
        None => (content, false),
    };
    let text = text_node.as_str()?;
    let origin = ctx.source.origin(text_node.pos);
    Some(parse_embedded_json(text, is_sub, &|line, col| {
        origin.at(line, col)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_schema_is_a_valid_json_schema() {
        assert!(jsonschema::meta::is_valid(schema()));
    }
}
