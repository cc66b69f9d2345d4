//! What the member template's two functions act on, and where they learn it
//! (docs/functions.md): their environment, written by the template, never
//! the invoking event. Anyone allowed `lambda:InvokeFunction` can hand them
//! any event; the event only says *when* to act. The upsert function applies
//! `MANAGED_CONTENT` to `DOCUMENT_NAME`, and restores the defaults only for a
//! `Delete` from its own stack (`STACK_ID`) while that stack is being deleted,
//! which it asks CloudFormation (`DescribeStacks` on that one stack). The log
//! group function applies `LOG_GROUP_NAME`, `KMS_KEY_ARN`, `RETENTION_DAYS`
//! and `TAGS`, and never deletes.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::config::model::Config;
use crate::model::iam::Statement;
use crate::model::resources::lambda::Environment;
use crate::model::Expr;

use super::guardrails::watch;
use super::names::{KeyRole, Names, SESSION_DOCUMENT};
use super::tags::COMPONENT_TAG;

/// The log group's component tag value (its resources' `resource_tags`).
pub const LOG_GROUP_COMPONENT: &str = "session-log-group";

/// The managed document content (a JSON text).
pub const ENV_CONTENT: &str = "MANAGED_CONTENT";
/// The document the upsert function manages.
pub const ENV_DOCUMENT: &str = "DOCUMENT_NAME";
/// The function's own stack (`!Ref AWS::StackId`): a `Delete` from any other
/// stack is not its deletion.
pub const ENV_STACK: &str = "STACK_ID";
pub const ENV_LOG_GROUP: &str = "LOG_GROUP_NAME";
pub const ENV_KEY: &str = "KMS_KEY_ARN";
pub const ENV_RETENTION: &str = "RETENTION_DAYS";
pub const ENV_TAGS: &str = "TAGS";
/// Lambda's limit on all environment variables (names and values), bytes.
pub const ENV_LIMIT: usize = 4096;

/// The upsert function's environment: the document, its managed content
/// (the same `!Sub` text the custom resource carries), the stack and, with
/// the watch and RDP recording, the managed recording preferences.
pub fn upsert_environment(c: &Config, content_sub: &Value, rdp: bool) -> Environment {
    let mut variables = IndexMap::new();
    variables.insert(ENV_DOCUMENT.to_string(), Expr::lit(SESSION_DOCUMENT));
    variables.insert(ENV_STACK.to_string(), Expr::reference("AWS::StackId"));
    variables.insert(ENV_CONTENT.to_string(), sub_or_literal(content_sub));
    if let Some((name, value)) = watch::rdp_variable(c, rdp) {
        variables.insert(name.to_string(), value);
    }
    Environment { variables }
}

/// The log group function's environment: the group, its key, retention
/// and tags (a JSON object).
pub fn log_group_environment(c: &Config) -> Environment {
    let names = Names::new(c);
    // The same tags the template gives the custom resource (resource_tags).
    let mut tags = Map::new();
    tags.insert(
        COMPONENT_TAG.to_string(),
        Value::String(LOG_GROUP_COMPONENT.into()),
    );
    tags.extend(
        c.tags
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone()))),
    );
    let mut variables = IndexMap::new();
    variables.insert(ENV_LOG_GROUP.to_string(), Expr::lit(names.log_group()));
    variables.insert(
        ENV_KEY.to_string(),
        Expr::sub(names.key_arn_sub(names.session_key(), "${AWS::Region}")),
    );
    variables.insert(
        ENV_RETENTION.to_string(),
        Expr::lit(c.session_manager.cloudwatch.retention_days.to_string()),
    );
    variables.insert(
        ENV_TAGS.to_string(),
        Expr::lit(Value::Object(tags).to_string()),
    );
    Environment { variables }
}

/// Reading its own stack, to tell the stack's deletion from a hand-written
/// `Delete`: `DescribeStacks` on the stack's ARN only.
pub fn describe_own_stack() -> Statement {
    Statement::allow("ReadOwnStackStatus")
        .actions(&["cloudformation:DescribeStacks"])
        .resource(Expr::reference("AWS::StackId"))
}

/// The content as `session_document::content_as_sub` gives it: a `!Sub`
/// text, or a plain string when nothing depends on the account or region
/// (a `!Sub` without variables is noise: cfn-lint W1020).
fn sub_or_literal(content: &Value) -> Expr {
    match content.get("Fn::Sub").and_then(Value::as_str) {
        Some(text) => Expr::sub(text),
        None => Expr::lit(content.as_str().unwrap_or_default()),
    }
}

/// The longest `env` can be once deployed: every `${…}` and `!Ref` at the
/// longest value it can take.
pub fn environment_size(env: &Environment) -> usize {
    env.variables
        .iter()
        .map(|(k, v)| {
            let text = match v {
                Expr::Sub(s) | Expr::Lit(s) => s.clone(),
                // The stack ARN: partition, region, account, a stack name of
                // up to 128 characters and its 36-character id.
                Expr::Ref(r) if r == "AWS::StackId" => {
                    format!(
                        "arn:aws-iso-b:cloudformation:ap-southeast-77:123456789012:stack/{}/{}",
                        "s".repeat(128),
                        "0".repeat(36)
                    )
                }
                _ => "r".repeat(256),
            };
            let longest = text
                .replace("${AWS::Partition}", "aws-iso-b")
                .replace("${AWS::Region}", "ap-southeast-77")
                .replace("${AWS::AccountId}", "123456789012")
                .replace(
                    &format!("${{{}}}", KeyRole::Archive.parameter()),
                    &format!("mrk-{}", "0".repeat(32)),
                )
                .replace(
                    &format!("${{{}}}", KeyRole::Session.parameter()),
                    &format!("mrk-{}", "0".repeat(32)),
                );
            k.len() + longest.len()
        })
        .sum()
}
