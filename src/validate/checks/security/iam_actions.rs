//! SL510: IAM actions are `service:Action` (or `*`).

use regex::Regex;
use std::sync::OnceLock;

use super::policy::documents;
use crate::validate::checks::Context;
use crate::validate::finding::Sink;
use crate::validate::rules;

fn action_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^[a-z0-9][a-z0-9-]*:[A-Za-z0-9*?]+$").expect("valid regex"))
}

pub fn is_well_formed(action: &str) -> bool {
    action == "*" || action_pattern().is_match(action)
}

pub fn run(ctx: &Context, sink: &mut Sink) {
    for document in documents(&ctx.template) {
        for statement in document.statements() {
            for key in ["Action", "NotAction"] {
                for (node, ptr) in statement.values(key) {
                    if let Some(action) = node.as_str().filter(|a| !is_well_formed(a)) {
                        sink.emit(&rules::IAM_ACTION, node.pos, &ptr, format!("`{action}` is not an IAM action (`service:Action`, lower-case service prefix)"));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats() {
        for ok in [
            "*",
            "s3:PutObject",
            "kms:GenerateDataKey*",
            "ssm-guiconnect:Start",
        ] {
            assert!(super::is_well_formed(ok), "{ok}");
        }
        for bad in [
            "s3PutObject",
            "s3:",
            "S3:PutObject",
            "s3:Put Object",
            ":PutObject",
            "s3::PutObject",
        ] {
            assert!(!super::is_well_formed(bad), "{bad}");
        }
    }
}
