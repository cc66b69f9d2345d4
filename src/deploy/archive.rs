//! The log-archive account's plain stacks, always through change sets.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Parameter, ResourceToImport, Tag};
use aws_sdk_cloudformation::Client;

use super::import_template::{identifier_property, ToImport};
use super::planning::{Action, Replacement, ResourceChange};
use super::status::{ChangeSetStatus, ExecutionStatus, StackStatus};
use super::wait::{code, message, poll_pause, retry_transient};
use super::{DeployOptions, PlainStack};

/// What is deployed under a stack name.
#[derive(Debug, Clone, Default)]
pub struct Deployed {
    pub status: Option<StackStatus>,
    pub outputs: BTreeMap<String, String>,
    pub parameters: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    pub reason: Option<String>,
}

fn base(opts: &DeployOptions) -> Duration {
    opts.retry_initial_backoff.max(Duration::from_millis(10))
}

pub async fn describe(cfn: &Client, name: &str, opts: &DeployOptions) -> Result<Deployed> {
    let r = retry_transient(base(opts), 5, || cfn.describe_stacks().stack_name(name).send()).await;
    let r = match r {
        Ok(r) => r,
        Err(e) if message(&e).contains("does not exist") => return Ok(Deployed::default()),
        Err(e) => return Err(anyhow::anyhow!(message(&e))).with_context(|| format!("describing stack {name}")),
    };
    let Some(s) = r.stacks().first() else { return Ok(Deployed::default()) };
    let status = s.stack_status().map(|st| StackStatus::parse(st.as_str()));
    Ok(Deployed {
        status: status.filter(|s| *s != StackStatus::DeleteComplete),
        outputs: s
            .outputs()
            .iter()
            .filter_map(|o| Some((o.output_key()?.to_string(), o.output_value()?.to_string())))
            .collect(),
        parameters: s
            .parameters()
            .iter()
            .filter_map(|p| Some((p.parameter_key()?.to_string(), p.parameter_value().unwrap_or("").to_string())))
            .collect(),
        tags: s.tags().iter().filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string()))).collect(),
        reason: s.stack_status_reason().map(str::to_string),
    })
}

/// The template as last submitted (`TemplateStage: Original`).
pub async fn deployed_body(cfn: &Client, name: &str, opts: &DeployOptions) -> Result<Option<String>> {
    let r = retry_transient(base(opts), 5, || {
        cfn.get_template()
            .stack_name(name)
            .template_stage(aws_sdk_cloudformation::types::TemplateStage::Original)
            .send()
    })
    .await;
    match r {
        Ok(r) => Ok(r.template_body().map(str::to_string)),
        Err(e) if message(&e).contains("does not exist") => Ok(None),
        Err(e) => Err(anyhow::anyhow!(message(&e))).with_context(|| format!("reading the template of {name}")),
    }
}

/// Wait until the stack is in a settled status (or gone).
pub async fn wait_settled(cfn: &Client, name: &str, opts: &DeployOptions) -> Result<Deployed> {
    let fut = async {
        loop {
            let d = describe(cfn, name, opts).await?;
            match &d.status {
                Some(s) if !s.is_settled() => poll_pause(opts.poll_interval).await,
                _ => return Ok::<_, anyhow::Error>(d),
            }
        }
    };
    tokio::time::timeout(opts.timeout, fut)
        .await
        .with_context(|| format!("timed out waiting for stack {name}"))?
}

/// What a change set does.
#[derive(Debug, Clone, Copy)]
pub enum ChangeSetKind<'a> {
    Create,
    Update,
    /// Import existing resources, with the reduced template that holds only them.
    Import { body: &'a str, resources: &'a [ToImport] },
}

impl ChangeSetKind<'_> {
    pub fn new_stack(create: bool) -> Self {
        if create {
            ChangeSetKind::Create
        } else {
            ChangeSetKind::Update
        }
    }
}

pub enum ChangeSetOutcome {
    NoChanges,
    Ready { name: String, changes: Vec<ResourceChange> },
    Failed(String),
}

/// Create a change set and wait until it can be executed.
pub async fn create_change_set(
    cfn: &Client,
    stack: &PlainStack,
    params: &BTreeMap<String, String>,
    kind: ChangeSetKind<'_>,
    opts: &DeployOptions,
) -> Result<ChangeSetOutcome> {
    let name = format!("sessionlog-{}-{:04x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs(), fastrand::u16(..));
    let (change_set_type, body) = match kind {
        ChangeSetKind::Create => (ChangeSetType::Create, stack.body.as_str()),
        ChangeSetKind::Update => (ChangeSetType::Update, stack.body.as_str()),
        ChangeSetKind::Import { body, .. } => (ChangeSetType::Import, body),
    };
    let mut req = cfn
        .create_change_set()
        .stack_name(&stack.stack_name)
        .change_set_name(&name)
        .client_token(&name)
        .change_set_type(change_set_type)
        .template_body(body)
        .description("sessionlog deploy");
    if let ChangeSetKind::Import { resources, .. } = kind {
        for r in resources {
            let id_property = identifier_property(&r.resource_type).unwrap_or("Id");
            req = req.resources_to_import(
                ResourceToImport::builder()
                    .resource_type(&r.resource_type)
                    .logical_resource_id(&r.logical_id)
                    .resource_identifier(id_property, &r.identifier)
                    .build(),
            );
        }
    }
    for (k, v) in params {
        req = req.parameters(Parameter::builder().parameter_key(k).parameter_value(v).build());
    }
    for c in &stack.capabilities {
        req = req.capabilities(Capability::from(c.as_str()));
    }
    for (k, v) in &stack.tags {
        req = req.tags(Tag::builder().key(k).value(v).build());
    }
    match req.send().await {
        Ok(_) => {}
        Err(e) if code(&e) == Some("AlreadyExistsException") => {}
        // Some endpoints refuse an empty change set outright instead of failing it.
        Err(e) if message(&e).contains("No updates are to be performed") => return Ok(ChangeSetOutcome::NoChanges),
        Err(e) => bail!("creating a change set for {}: {}", stack.stack_name, message(&e)),
    }
    let fut = async {
        let mut changes = Vec::new();
        loop {
            let mut token: Option<String> = None;
            changes.clear();
            let mut status;
            let mut reason;
            loop {
                let t = token.clone();
                let r = retry_transient(base(opts), 5, || {
                    cfn.describe_change_set()
                        .stack_name(&stack.stack_name)
                        .change_set_name(&name)
                        .set_next_token(t.clone())
                        .send()
                })
                .await
                .map_err(|e| anyhow::anyhow!(message(&e)))?;
                status = ChangeSetStatus::parse(r.status().map(|s| s.as_str()).unwrap_or(""));
                reason = r.status_reason().unwrap_or("").to_string();
                let exec = ExecutionStatus::parse(r.execution_status().map(|s| s.as_str()).unwrap_or(""));
                if !status.is_settled() || !exec.is_settled() {
                    break;
                }
                for c in r.changes() {
                    if let Some(rc) = c.resource_change() {
                        changes.push(ResourceChange {
                            action: match rc.action().map(|a| a.as_str()) {
                                Some("Add") => Action::Add,
                                Some("Remove") => Action::Remove,
                                Some("Import") => Action::Import,
                                Some("Dynamic") => Action::Dynamic,
                                _ => Action::Modify,
                            },
                            logical_id: rc.logical_resource_id().unwrap_or("").to_string(),
                            resource_type: rc.resource_type().unwrap_or("").to_string(),
                            replacement: rc.replacement().and_then(|r| Replacement::parse(r.as_str())),
                            retained: false,
                        });
                    }
                }
                token = r.next_token().map(str::to_string);
                if token.is_none() {
                    break;
                }
            }
            if status.is_settled() && token.is_none() {
                return Ok::<_, anyhow::Error>(match status {
                    ChangeSetStatus::CreateComplete => ChangeSetOutcome::Ready { name: name.clone(), changes: changes.clone() },
                    _ if reason.contains("didn't contain changes") || reason.contains("No updates") => {
                        let _ = cfn.delete_change_set().stack_name(&stack.stack_name).change_set_name(&name).send().await;
                        ChangeSetOutcome::NoChanges
                    }
                    _ => ChangeSetOutcome::Failed(reason),
                });
            }
            poll_pause(opts.poll_interval).await;
        }
    };
    tokio::time::timeout(opts.timeout, fut)
        .await
        .with_context(|| format!("timed out waiting for the change set of {}", stack.stack_name))?
}

pub async fn delete_change_set(cfn: &Client, stack: &str, name: &str) {
    let _ = cfn.delete_change_set().stack_name(stack).change_set_name(name).send().await;
}

/// Execute a change set and wait for the stack to settle. Returns the final
/// status and, on failure, the resource failure reasons.
pub async fn execute(
    cfn: &Client,
    stack: &str,
    change_set: &str,
    opts: &DeployOptions,
) -> Result<(StackStatus, Vec<String>)> {
    match cfn
        .execute_change_set()
        .stack_name(stack)
        .change_set_name(change_set)
        .client_request_token(change_set)
        .send()
        .await
    {
        Ok(_) => {}
        // A retried request whose first attempt went through.
        Err(e) if code(&e) == Some("InvalidChangeSetStatus") => {}
        Err(e) => bail!("executing change set {change_set} on {stack}: {}", message(&e)),
    }
    settle(cfn, stack, opts).await
}

async fn settle(cfn: &Client, stack: &str, opts: &DeployOptions) -> Result<(StackStatus, Vec<String>)> {
    let d = wait_settled(cfn, stack, opts).await?;
    let status = d.status.unwrap_or(StackStatus::DeleteComplete);
    let reasons = if status.is_failure() { failure_reasons(cfn, stack).await } else { Vec::new() };
    Ok((status, reasons))
}

/// Distinct reasons of the failed resource events of the last operation.
pub async fn failure_reasons(cfn: &Client, stack: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Ok(r) = cfn.describe_stack_events().stack_name(stack).send().await {
        for e in r.stack_events() {
            let st = e.resource_status().map(|s| s.as_str()).unwrap_or("");
            if st.ends_with("_FAILED") {
                let reason = format!(
                    "{} {}: {}",
                    e.resource_type().unwrap_or(""),
                    e.logical_resource_id().unwrap_or(""),
                    e.resource_status_reason().unwrap_or(st)
                );
                if !out.contains(&reason) {
                    out.push(reason);
                }
            }
            // The stack's own event that started the last operation.
            if matches!(st, "UPDATE_IN_PROGRESS" | "CREATE_IN_PROGRESS" | "IMPORT_IN_PROGRESS")
                && e.resource_type() == Some("AWS::CloudFormation::Stack")
            {
                break;
            }
        }
    }
    out
}

pub async fn delete_stack(cfn: &Client, stack: &str, opts: &DeployOptions) -> Result<(StackStatus, Vec<String>)> {
    let token = format!("sessionlog-delete-{stack}");
    if let Err(e) = cfn.delete_stack().stack_name(stack).client_request_token(&token).send().await {
        bail!("deleting stack {stack}: {}", message(&e));
    }
    settle(cfn, stack, opts).await
}
