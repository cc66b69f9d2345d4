//! SL501: no `Allow` to everyone without an organization/account condition.

use super::policy::documents;
use crate::validate::checks::Context;
use crate::validate::finding::Sink;
use crate::validate::rules;

pub fn run(ctx: &Context, sink: &mut Sink) {
    for document in documents(&ctx.template) {
        for statement in document.statements() {
            if statement.effect() == Some("Allow")
                && statement.has_wildcard_principal()
                && !statement.has_org_condition()
            {
                let principal = statement.principal().expect("a wildcard principal exists");
                sink.emit(
                    &rules::WILDCARD_PRINCIPAL,
                    principal.pos,
                    &statement.ptr.key("Principal"),
                    format!("`{}` allows any principal (\"*\") without an aws:PrincipalOrgID, aws:SourceOrgID or account condition", document.resource.id),
                );
            }
        }
    }
}
