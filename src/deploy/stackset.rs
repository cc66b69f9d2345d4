//! Service-managed StackSets: their definition, their operations and their
//! stack instances.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use aws_sdk_cloudformation::types::{
    AccountFilterType, AutoDeployment, CallAs, Capability, ConcurrencyMode, DeploymentTargets, ManagedExecution, Parameter,
    PermissionModels, RegionConcurrencyType, StackInstanceFilter, StackInstanceFilterName, StackSetOperationPreferences, Tag,
};
use aws_sdk_cloudformation::Client;

use super::planning::{InstanceBatch, InstanceKey};
use super::status::{DetailedStatus, InstanceStatus, OperationStatus};
use super::wait::{code, message, poll_pause, retry_transient};
use super::{DeployOptions, SetDef};
use crate::bundle::Amount;

fn base(opts: &DeployOptions) -> Duration {
    opts.retry_initial_backoff.max(Duration::from_millis(10))
}

fn call_as(s: &SetDef) -> CallAs {
    CallAs::from(s.call_as.as_str())
}

/// The StackSet as deployed.
#[derive(Debug, Clone, Default)]
pub struct DeployedSet {
    pub body: String,
    pub parameters: BTreeMap<String, String>,
    pub description: String,
    /// `(enabled, retain_stacks_on_account_removal)`, when the service says.
    pub auto_deployment: Option<(bool, bool)>,
    /// When the service says (empty = not reported).
    pub capabilities: Vec<String>,
    /// The Regions and OUs the StackSet has instances in or targets (empty
    /// when the service does not say).
    pub regions: Vec<String>,
    pub organizational_units: Vec<String>,
}

pub async fn describe(cfn: &Client, s: &SetDef, opts: &DeployOptions) -> Result<Option<DeployedSet>> {
    let r = retry_transient(base(opts), 5, || {
        cfn.describe_stack_set().stack_set_name(&s.name).call_as(call_as(s)).send()
    })
    .await;
    let r = match r {
        Ok(r) => r,
        Err(e) if code(&e) == Some("StackSetNotFoundException") => return Ok(None),
        Err(e) => bail!("describing StackSet {}: {}", s.name, message(&e)),
    };
    let Some(ss) = r.stack_set() else { return Ok(None) };
    if ss.status().map(|s| s.as_str()) == Some("DELETED") {
        return Ok(None);
    }
    Ok(Some(DeployedSet {
        body: ss.template_body().unwrap_or("").to_string(),
        parameters: ss
            .parameters()
            .iter()
            .filter_map(|p| Some((p.parameter_key()?.to_string(), p.parameter_value().unwrap_or("").to_string())))
            .collect(),
        description: ss.description().unwrap_or("").to_string(),
        auto_deployment: ss
            .auto_deployment()
            .and_then(|a| Some((a.enabled()?, a.retain_stacks_on_account_removal().unwrap_or(false)))),
        capabilities: ss.capabilities().iter().map(|c| c.as_str().to_string()).collect(),
        regions: ss.regions().to_vec(),
        organizational_units: ss.organizational_unit_ids().to_vec(),
    }))
}

#[derive(Debug, Clone)]
pub struct Instance {
    pub account: String,
    pub region: String,
    pub status: InstanceStatus,
    pub detailed: DetailedStatus,
    pub reason: Option<String>,
}

impl Instance {
    pub fn key(&self) -> InstanceKey {
        (self.account.clone(), self.region.clone())
    }
    pub fn is_failed(&self) -> bool {
        self.detailed.is_failure() || self.status == InstanceStatus::Inoperable
    }
    pub fn needs_retry(&self) -> bool {
        self.status == InstanceStatus::Outdated && self.detailed.is_settled()
    }
}

pub async fn instances(cfn: &Client, s: &SetDef, opts: &DeployOptions) -> Result<Vec<Instance>> {
    instances_filtered(cfn, s, opts, None).await
}

/// The instances whose detailed status failed (FAILED, CANCELLED,
/// INOPERABLE, FAILED_IMPORT): one filtered listing per status
/// (`ListStackInstances` takes one `DETAILED_STATUS` value), a few calls
/// whatever the number of instances.
pub async fn failed_instances(cfn: &Client, s: &SetDef, opts: &DeployOptions) -> Result<Vec<Instance>> {
    let mut out = Vec::new();
    for st in ["FAILED", "CANCELLED", "INOPERABLE", "FAILED_IMPORT"] {
        out.extend(instances_filtered(cfn, s, opts, Some(st)).await?.into_iter().filter(Instance::is_failed));
    }
    Ok(out)
}

/// The StackSet's instances, only those of one detailed status when asked
/// (filtered by the service, and again here for an emulator that ignores
/// the filter).
pub async fn instances_filtered(cfn: &Client, s: &SetDef, opts: &DeployOptions, detailed: Option<&str>) -> Result<Vec<Instance>> {
    let mut out = Vec::new();
    let filter = detailed.map(|d| {
        vec![StackInstanceFilter::builder().name(StackInstanceFilterName::DetailedStatus).values(d).build()]
    });
    let mut token: Option<String> = None;
    loop {
        let t = token.clone();
        let r = retry_transient(base(opts), 5, || {
            cfn.list_stack_instances()
                .stack_set_name(&s.name)
                .call_as(call_as(s))
                .set_filters(filter.clone())
                .set_next_token(t.clone())
                .send()
        })
        .await;
        let r = match r {
            Ok(r) => r,
            Err(e) if code(&e) == Some("StackSetNotFoundException") => return Ok(out),
            Err(e) => bail!("listing the instances of {}: {}", s.name, message(&e)),
        };
        for i in r.summaries() {
            let d = i.stack_instance_status().and_then(|d| d.detailed_status()).map(|d| d.as_str()).unwrap_or("SUCCEEDED");
            if detailed.is_some_and(|want| want != d) {
                continue;
            }
            out.push(Instance {
                account: i.account().unwrap_or("").to_string(),
                region: i.region().unwrap_or("").to_string(),
                status: InstanceStatus::parse(i.status().map(|s| s.as_str()).unwrap_or("")),
                detailed: DetailedStatus::parse(
                    i.stack_instance_status().and_then(|d| d.detailed_status()).map(|d| d.as_str()).unwrap_or("SUCCEEDED"),
                ),
                reason: i.status_reason().filter(|r| !r.is_empty()).map(str::to_string),
            });
        }
        token = r.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(out);
        }
    }
}

/// Operations of the StackSet that are not finished (QUEUED, RUNNING, STOPPING).
pub async fn running_operations(cfn: &Client, s: &SetDef, opts: &DeployOptions) -> Result<Vec<(String, String)>> {
    let r = retry_transient(base(opts), 5, || {
        cfn.list_stack_set_operations().stack_set_name(&s.name).call_as(call_as(s)).send()
    })
    .await;
    let r = match r {
        Ok(r) => r,
        Err(e) if code(&e) == Some("StackSetNotFoundException") => return Ok(Vec::new()),
        Err(e) => bail!("listing the operations of {}: {}", s.name, message(&e)),
    };
    Ok(r
        .summaries()
        .iter()
        .filter(|o| !OperationStatus::parse(o.status().map(|s| s.as_str()).unwrap_or("")).is_settled())
        .map(|o| (o.operation_id().unwrap_or("").to_string(), o.action().map(|a| a.as_str().to_string()).unwrap_or_default()))
        .collect())
}

/// One look at an operation's status.
pub async fn poll_operation(
    cfn: &Client,
    s: &SetDef,
    operation_id: &str,
    opts: &DeployOptions,
) -> Result<(OperationStatus, Option<String>)> {
    let r = retry_transient(base(opts), 8, || {
        cfn.describe_stack_set_operation()
            .stack_set_name(&s.name)
            .operation_id(operation_id)
            .call_as(call_as(s))
            .send()
    })
    .await
    .map_err(|e| anyhow::anyhow!("reading operation {operation_id} of {}: {}", s.name, message(&e)))?;
    let op = r.stack_set_operation();
    let status = OperationStatus::parse(op.and_then(|o| o.status()).map(|s| s.as_str()).unwrap_or(""));
    Ok((status, op.and_then(|o| o.status_reason()).map(str::to_string)))
}

/// Poll one operation until it settles.
pub async fn wait_operation(
    cfn: &Client,
    s: &SetDef,
    operation_id: &str,
    opts: &DeployOptions,
) -> Result<(OperationStatus, Option<String>)> {
    let fut = async {
        loop {
            let (status, reason) = poll_operation(cfn, s, operation_id, opts).await?;
            if status.is_settled() {
                return Ok::<_, anyhow::Error>((status, reason));
            }
            poll_pause(opts.poll_interval).await;
        }
    };
    tokio::time::timeout(opts.timeout, fut)
        .await
        .with_context(|| format!("timed out waiting for operation {operation_id} of {}", s.name))?
}

/// Failure reasons of an operation's per-account results.
pub async fn operation_failures(cfn: &Client, s: &SetDef, operation_id: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    if let Ok(r) = cfn
        .list_stack_set_operation_results()
        .stack_set_name(&s.name)
        .operation_id(operation_id)
        .call_as(call_as(s))
        .send()
        .await
    {
        for x in r.summaries() {
            let st = x.status().map(|s| s.as_str()).unwrap_or("");
            if st == "FAILED" || st == "CANCELLED" {
                out.push((
                    x.account().unwrap_or("").to_string(),
                    x.region().unwrap_or("").to_string(),
                    x.status_reason().unwrap_or(st).to_string(),
                ));
            }
        }
    }
    out
}

fn preferences(s: &SetDef) -> StackSetOperationPreferences {
    let p = &s.operation_preferences;
    let mut b = StackSetOperationPreferences::builder()
        .region_concurrency_type(RegionConcurrencyType::from(p.region_concurrency.as_str()))
        .concurrency_mode(ConcurrencyMode::from(p.concurrency_mode.as_str()));
    b = match p.max_concurrent {
        Amount::Count(n) => b.max_concurrent_count(n as i32),
        Amount::Percentage(n) => b.max_concurrent_percentage(n as i32),
    };
    b = match p.failure_tolerance {
        Amount::Count(n) => b.failure_tolerance_count(n as i32),
        Amount::Percentage(n) => b.failure_tolerance_percentage(n as i32),
    };
    b.build()
}

fn targets(s: &SetDef, accounts: Option<&[String]>) -> DeploymentTargets {
    let mut b = DeploymentTargets::builder().set_organizational_unit_ids(Some(s.targets.organizational_units.clone()));
    match accounts {
        Some(a) => {
            b = b.set_accounts(Some(a.to_vec())).account_filter_type(AccountFilterType::Intersection);
        }
        None if !s.targets.exclude_accounts.is_empty() => {
            b = b
                .set_accounts(Some(s.targets.exclude_accounts.clone()))
                .account_filter_type(AccountFilterType::Difference);
        }
        None => {}
    }
    b.build()
}

fn params(p: &BTreeMap<String, String>) -> Vec<Parameter> {
    p.iter().map(|(k, v)| Parameter::builder().parameter_key(k).parameter_value(v).build()).collect()
}

fn auto(s: &SetDef, depends_on: &[String]) -> AutoDeployment {
    AutoDeployment::builder()
        .enabled(s.auto_deployment.enabled)
        .retain_stacks_on_account_removal(s.auto_deployment.retain_stacks_on_account_removal)
        .set_depends_on((s.auto_deployment.enabled && !depends_on.is_empty()).then(|| depends_on.to_vec()))
        .build()
}

/// The ARN of a StackSet (for another one's `AutoDeployment.DependsOn`).
pub async fn arn(cfn: &Client, s: &SetDef, opts: &DeployOptions) -> Result<Option<String>> {
    let r = retry_transient(base(opts), 5, || cfn.describe_stack_set().stack_set_name(&s.name).call_as(call_as(s)).send()).await;
    match r {
        Ok(r) => Ok(r.stack_set().and_then(|x| x.stack_set_arn()).map(str::to_string)),
        Err(e) if code(&e) == Some("StackSetNotFoundException") => Ok(None),
        Err(e) => bail!("describing StackSet {}: {}", s.name, message(&e)),
    }
}

/// The error, with the remedy when the reason is a known one.
fn failed(what: &str, msg: String) -> anyhow::Error {
    match super::remedy::remedy(&msg) {
        Some(r) => anyhow::anyhow!("{what}: {msg}\n  remedy: {r}"),
        None => anyhow::anyhow!("{what}: {msg}"),
    }
}

pub fn new_operation_id() -> String {
    format!("sessionlog-{:016x}", fastrand::u64(..))
}

/// Create the StackSet (no instances). An existing one of that name (a
/// retried request that went through) is not an error.
/// `depends_on`: ARNs of the StackSets whose auto-deployment goes first.
pub async fn create(cfn: &Client, s: &SetDef, p: &BTreeMap<String, String>, depends_on: &[String]) -> Result<()> {
    let token = format!("sessionlog-create-{}", s.name);
    let mut req = cfn
        .create_stack_set()
        .stack_set_name(&s.name)
        .description(&s.description)
        .template_body(&s.body)
        .set_parameters(Some(params(p)))
        .permission_model(PermissionModels::ServiceManaged)
        .managed_execution(ManagedExecution::builder().active(true).build())
        .auto_deployment(auto(s, depends_on))
        .call_as(call_as(s))
        .client_request_token(token);
    for c in &s.capabilities {
        req = req.capabilities(Capability::from(c.as_str()));
    }
    for (k, v) in &s.tags {
        req = req.tags(Tag::builder().key(k).value(v).build());
    }
    match req.send().await {
        Ok(_) => Ok(()),
        Err(e) if code(&e) == Some("NameAlreadyExistsException") => Ok(()),
        Err(e) => Err(failed(&format!("creating StackSet {}", s.name), message(&e))),
    }
}

/// Outcome of starting an operation.
pub enum Started {
    Id(String),
    /// Another operation is running: wait for it and try again.
    Busy,
}

fn started<E, R>(r: Result<Option<String>, aws_sdk_cloudformation::error::SdkError<E, R>>, id: &str, what: &str) -> Result<Started>
where
    E: aws_sdk_cloudformation::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match r {
        Ok(got) => Ok(Started::Id(got.unwrap_or_else(|| id.to_string()))),
        // Our own request, retried after its answer was lost: it did start.
        Err(e) if code(&e) == Some("OperationIdAlreadyExistsException") => Ok(Started::Id(id.to_string())),
        Err(e) if code(&e) == Some("OperationInProgressException") => Ok(Started::Busy),
        Err(e) => Err(failed(what, message(&e))),
    }
}

pub async fn update(cfn: &Client, s: &SetDef, p: &BTreeMap<String, String>, depends_on: &[String]) -> Result<Started> {
    let id = new_operation_id();
    let mut req = cfn
        .update_stack_set()
        .stack_set_name(&s.name)
        .description(&s.description)
        .template_body(&s.body)
        .set_parameters(Some(params(p)))
        .auto_deployment(auto(s, depends_on))
        .operation_preferences(preferences(s))
        .call_as(call_as(s))
        .operation_id(&id);
    for c in &s.capabilities {
        req = req.capabilities(Capability::from(c.as_str()));
    }
    for (k, v) in &s.tags {
        req = req.tags(Tag::builder().key(k).value(v).build());
    }
    let r = req.send().await.map(|o| o.operation_id().map(str::to_string));
    started(r, &id, &format!("updating StackSet {}", s.name))
}

/// One of the three operations on a batch of stack instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceOp {
    /// Re-run outdated instances (a failed or stopped earlier operation).
    Retry,
    Add,
    Remove,
}

impl InstanceOp {
    /// The StackSet operation's action, as CloudFormation names it.
    pub fn action(self) -> &'static str {
        match self {
            InstanceOp::Retry => "UPDATE_INSTANCES",
            InstanceOp::Add => "CREATE",
            InstanceOp::Remove => "DELETE",
        }
    }

    pub async fn start(self, cfn: &Client, s: &SetDef, b: &InstanceBatch) -> Result<Started> {
        match self {
            InstanceOp::Retry => retry_instances(cfn, s, b).await,
            InstanceOp::Add => add_instances(cfn, s, b).await,
            InstanceOp::Remove => remove_instances(cfn, s, b).await,
        }
    }
}

pub async fn add_instances(cfn: &Client, s: &SetDef, b: &InstanceBatch) -> Result<Started> {
    let id = new_operation_id();
    let r = cfn
        .create_stack_instances()
        .stack_set_name(&s.name)
        .deployment_targets(targets(s, b.accounts.as_deref()))
        .set_regions(Some(b.regions.clone()))
        .operation_preferences(preferences(s))
        .call_as(call_as(s))
        .operation_id(&id)
        .send()
        .await
        .map(|o| o.operation_id().map(str::to_string));
    started(r, &id, &format!("creating instances of {}", s.name))
}

pub async fn remove_instances(cfn: &Client, s: &SetDef, b: &InstanceBatch) -> Result<Started> {
    let id = new_operation_id();
    let r = cfn
        .delete_stack_instances()
        .stack_set_name(&s.name)
        .deployment_targets(targets(s, b.accounts.as_deref()))
        .set_regions(Some(b.regions.clone()))
        .retain_stacks(false)
        .operation_preferences(preferences(s))
        .call_as(call_as(s))
        .operation_id(&id)
        .send()
        .await
        .map(|o| o.operation_id().map(str::to_string));
    started(r, &id, &format!("deleting instances of {}", s.name))
}

/// Re-run outdated instances (a failed or stopped earlier operation).
pub async fn retry_instances(cfn: &Client, s: &SetDef, b: &InstanceBatch) -> Result<Started> {
    let id = new_operation_id();
    let r = cfn
        .update_stack_instances()
        .stack_set_name(&s.name)
        .deployment_targets(targets(s, b.accounts.as_deref()))
        .set_regions(Some(b.regions.clone()))
        .operation_preferences(preferences(s))
        .call_as(call_as(s))
        .operation_id(&id)
        .send()
        .await
        .map(|o| o.operation_id().map(str::to_string));
    started(r, &id, &format!("updating instances of {}", s.name))
}

pub async fn delete(cfn: &Client, s: &SetDef) -> Result<()> {
    match cfn.delete_stack_set().stack_set_name(&s.name).call_as(call_as(s)).send().await {
        Ok(_) => Ok(()),
        Err(e) if code(&e) == Some("StackSetNotFoundException") => Ok(()),
        Err(e) => bail!("deleting StackSet {}: {}", s.name, message(&e)),
    }
}

/// Group account/region pairs into batches by the exact set of accounts.
pub fn batches_of(keys: &BTreeSet<InstanceKey>) -> Vec<InstanceBatch> {
    let mut by_region: BTreeMap<&String, Vec<String>> = BTreeMap::new();
    for (a, r) in keys {
        by_region.entry(r).or_default().push(a.clone());
    }
    let mut grouped: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (r, a) in by_region {
        grouped.entry(a).or_default().push(r.clone());
    }
    grouped.into_iter().map(|(a, r)| InstanceBatch { accounts: Some(a), regions: r }).collect()
}
