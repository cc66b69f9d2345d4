//! SL501: no `Allow` to everyone without an organization/account condition —
//! in policy documents written as objects, and in the ones CloudFormation
//! takes as JSON text (a CloudWatch Logs destination's access policy: who
//! may stream logs into the archive).

use super::policy::{documents, statements, Statement};
use crate::validate::checks::Context;
use crate::validate::finding::Sink;
use crate::validate::parse::parse_embedded_json;
use crate::validate::rules;
use crate::validate::sub;
use crate::validate::tree::Node;

/// `(resource type, property)` of policies held as JSON text.
const TEXT_POLICIES: &[(&str, &str)] = &[("AWS::Logs::Destination", "DestinationPolicy")];

pub fn run(ctx: &Context, sink: &mut Sink) {
    for document in documents(&ctx.template) {
        for statement in document.statements() {
            check(&statement, document.resource.id, sink);
        }
    }
    for resource in ctx.template.resources() {
        for (type_name, property) in TEXT_POLICIES {
            if !resource.is(type_name) {
                continue;
            }
            let Some(Ok(document)) = resource.property(property).and_then(|v| json_text(ctx, v))
            else {
                continue;
            };
            let ptr = resource.properties_ptr().key(property);
            for statement in statements(&document, &ptr) {
                check(&statement, resource.id, sink);
            }
        }
    }
}

fn check(statement: &Statement, resource: &str, sink: &mut Sink) {
    if statement.effect() == Some("Allow")
        && statement.has_wildcard_principal()
        && !statement.has_org_condition()
    {
        let principal = statement.principal().expect("a wildcard principal exists");
        sink.emit(
            &rules::WILDCARD_PRINCIPAL,
            principal.pos,
            &statement.ptr.key("Principal"),
            format!("`{resource}` allows any principal (\"*\") without an aws:PrincipalOrgID, aws:SourceOrgID or account condition"),
        );
    }
}

/// The tree of JSON text given as a string or a `Fn::Sub`; `None` when the
/// value is built some other way (then nothing can be said about it).
fn json_text(
    ctx: &Context,
    value: &Node,
) -> Option<Result<Node, crate::validate::parse::ParseError>> {
    let (text_node, is_sub) = match value.intrinsic() {
        Some(("Fn::Sub", argument)) => (sub::parts(argument)?.0, true),
        Some(_) => return None,
        None => (value, false),
    };
    let text = text_node.as_str()?;
    let origin = ctx.source.origin(text_node.pos);
    Some(parse_embedded_json(text, is_sub, &|line, col| {
        origin.at(line, col)
    }))
}
