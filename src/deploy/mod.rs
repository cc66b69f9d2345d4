//! `plan`, `deploy`, `status` and `destroy`: rolling a [`Bundle`] out to an
//! organization through the AWS SDK.
//!
//! Order: the log-archive home-region stack (in the log-archive account,
//! through an assumed role) → its replica-key stacks → each member StackSet
//! and its instances, with values known only after the log-archive stack
//! exists read from its outputs. Plain stacks go through change sets.
//! Planning is pure (`planning`), AWS calls live in `archive`, `stackset`
//! and `org`, and what the user sees in `report`.

pub mod archive;
pub mod args;
pub mod client;
pub mod org;
pub mod planning;
pub mod remedy;
pub mod report;
pub mod stackset;
pub mod status;
pub mod wait;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use anyhow::Result;

use crate::bundle::{AutoDeployment, Bundle, CallAs, DeploymentTargets, OperationPreferences, ParameterValue};
use crate::exit;
use client::Aws;
use planning::{instance_batches, parameter_diff, template_diff, InstanceBatch, InstanceKey, ResourceChange};
use report::{Event, Reporter, Row};
pub use report::OutputFormat;
use status::{StackState, StackStatus};

/// Options shared by `plan`, `deploy`, `status` and `destroy`.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Do not ask for confirmation.
    pub yes: bool,
    /// Allow changes that replace or delete a bucket, key or log group.
    pub allow_replacement: bool,
    pub output: OutputFormat,
    /// Attempts per API call (the SDK's standard retry: backoff with jitter).
    pub max_attempts: u32,
    pub retry_initial_backoff: Duration,
    pub poll_interval: Duration,
    /// Longest wait for one stack or StackSet operation.
    pub timeout: Duration,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            profile: None,
            region: None,
            endpoint_url: None,
            yes: false,
            allow_replacement: false,
            output: OutputFormat::Human,
            max_attempts: 8,
            retry_initial_backoff: Duration::from_millis(500),
            poll_interval: Duration::from_secs(5),
            timeout: Duration::from_secs(3 * 3600),
        }
    }
}

/// A plain stack with its template text.
#[derive(Debug, Clone)]
pub struct PlainStack {
    pub stack_name: String,
    pub account: String,
    pub region: String,
    pub body: String,
    pub parameters: Vec<ParameterValue>,
    pub capabilities: Vec<String>,
    pub tags: Vec<(String, String)>,
}

/// A StackSet with its template text.
#[derive(Debug, Clone)]
pub struct SetDef {
    pub name: String,
    pub description: String,
    pub body: String,
    pub parameters: Vec<ParameterValue>,
    pub capabilities: Vec<String>,
    pub auto_deployment: AutoDeployment,
    pub call_as: CallAs,
    pub targets: DeploymentTargets,
    pub regions: Vec<String>,
    pub operation_preferences: OperationPreferences,
    pub tags: Vec<(String, String)>,
}

/// What gets deployed: a [`Bundle`] with its templates rendered to text.
#[derive(Debug, Clone)]
pub struct Rollout {
    pub archive_account: String,
    pub archive_access_role: String,
    pub management_account: String,
    pub stack_set_region: String,
    pub archive_stacks: Vec<PlainStack>,
    pub stack_sets: Vec<SetDef>,
}

impl Rollout {
    pub fn from_bundle(b: &Bundle) -> Rollout {
        let text = |t: &crate::bundle::TemplateFile| crate::render::template_text(&t.template, crate::render::Format::Yaml);
        Rollout {
            archive_account: b.archive_account.clone(),
            archive_access_role: b.archive_access_role.clone(),
            management_account: b.management_account.clone(),
            stack_set_region: b.stack_set_region.clone(),
            archive_stacks: b
                .archive_stacks
                .iter()
                .map(|s| PlainStack {
                    stack_name: s.stack_name.clone(),
                    account: s.account.clone(),
                    region: s.region.clone(),
                    body: text(&s.template),
                    parameters: s.parameters.clone(),
                    capabilities: s.capabilities.clone(),
                    tags: s.tags.clone(),
                })
                .collect(),
            stack_sets: b
                .stack_sets
                .iter()
                .map(|s| SetDef {
                    name: s.name.clone(),
                    description: s.description.clone(),
                    body: text(&s.template),
                    parameters: s.parameters.clone(),
                    capabilities: s.capabilities.clone(),
                    auto_deployment: s.auto_deployment.clone(),
                    call_as: s.call_as,
                    targets: s.targets.clone(),
                    regions: s.regions.clone(),
                    operation_preferences: s.operation_preferences.clone(),
                    tags: s.tags.clone(),
                })
                .collect(),
        }
    }
}

/// `sessionlog plan`: what `deploy` would do. Creates change sets to ask
/// CloudFormation what they would change, and deletes them again.
pub async fn plan(bundle: &Bundle, opts: &DeployOptions, out: &mut dyn Write) -> Result<i32> {
    plan_rollout(&Rollout::from_bundle(bundle), opts, out).await
}

/// `sessionlog deploy`.
pub async fn deploy(bundle: &Bundle, opts: &DeployOptions, out: &mut dyn Write) -> Result<i32> {
    deploy_rollout(&Rollout::from_bundle(bundle), opts, out).await
}

/// `sessionlog status`: exit 0, or 4 when a stack or instance is failed or outdated.
pub async fn status(bundle: &Bundle, opts: &DeployOptions, out: &mut dyn Write) -> Result<i32> {
    status_rollout(&Rollout::from_bundle(bundle), opts, out).await
}

/// `sessionlog destroy`.
pub async fn destroy(bundle: &Bundle, opts: &DeployOptions, out: &mut dyn Write) -> Result<i32> {
    destroy_rollout(&Rollout::from_bundle(bundle), opts, out).await
}

type Outputs = BTreeMap<(String, String), BTreeMap<String, String>>;

fn resolve(params: &[ParameterValue], outputs: &Outputs) -> BTreeMap<String, Option<String>> {
    params
        .iter()
        .map(|p| match p {
            ParameterValue::Literal { key, value } => (key.clone(), Some(value.clone())),
            ParameterValue::StackOutput { key, stack_name, region, output_key } => (
                key.clone(),
                outputs.get(&(stack_name.clone(), region.clone())).and_then(|o| o.get(output_key)).cloned(),
            ),
        })
        .collect()
}

fn known(p: &BTreeMap<String, Option<String>>) -> Option<BTreeMap<String, String>> {
    p.iter().map(|(k, v)| v.clone().map(|v| (k.clone(), v))).collect()
}

enum StackStep {
    UpToDate,
    /// A change set is ready (created during planning).
    Execute { change_set: String },
    /// Parameters depend on a stack deployed earlier in this run, or the
    /// stack must first be deleted (a creation that rolled back).
    Later { recreate: bool },
}

struct StackPlan {
    step: StackStep,
    create: bool,
}

struct SetPlan {
    exists: bool,
    definition_changed: bool,
    adds: Vec<InstanceBatch>,
    removes: Vec<InstanceBatch>,
    retries: Vec<InstanceBatch>,
}

impl SetPlan {
    fn is_empty(&self) -> bool {
        self.exists && !self.definition_changed && self.adds.is_empty() && self.removes.is_empty() && self.retries.is_empty()
    }
}

struct Engine<'a, 'w> {
    aws: Aws,
    opts: &'a DeployOptions,
    rep: Reporter<'w>,
    outputs: Outputs,
    risky: bool,
    /// Re-planning right before applying: do not print the plan again.
    quiet: bool,
    /// Accounts of each set of deployment targets, read once per command.
    accounts: BTreeMap<String, BTreeSet<String>>,
    /// `plan`: no change set for a stack that does not exist yet (its
    /// template says everything), so planning a new rollout writes nothing.
    plan_only: bool,
}

impl<'a, 'w> Engine<'a, 'w> {
    async fn new(r: &Rollout, opts: &'a DeployOptions, out: &'w mut dyn Write) -> Result<Engine<'a, 'w>> {
        let mut aws = Aws::connect(opts, &r.stack_set_region).await?;
        if !r.archive_stacks.is_empty() {
            aws.assume_archive_role(&r.archive_account, &r.archive_access_role).await?;
        }
        Ok(Engine { aws, opts, rep: Reporter::new(out, opts.output), outputs: Outputs::new(), risky: false, quiet: false, accounts: BTreeMap::new(), plan_only: false })
    }

    fn change(&mut self, target: &str, line: String, risky: bool) {
        self.risky |= risky;
        if self.quiet {
            return;
        }
        self.rep.emit(Event::Change { target: target.to_string(), line, risky });
    }

    fn failure(&mut self, target: &str, reason: &str) {
        let remedy = remedy::remedy(reason).map(str::to_string);
        self.rep.emit(Event::Failure { target: target.to_string(), reason: reason.to_string(), remedy });
    }

    async fn plan_stack(&mut self, s: &PlainStack) -> Result<StackPlan> {
        let cfn = self.aws.archive_cfn(&s.region);
        let mut d = archive::describe(&cfn, &s.stack_name, self.opts).await?;
        if d.status.as_ref().map(|st| !st.is_settled()).unwrap_or(false) {
            self.rep.emit(Event::Note {
                text: format!("{} is {}: waiting for it to finish", s.stack_name, d.status.as_ref().unwrap()),
            });
            d = archive::wait_settled(&cfn, &s.stack_name, self.opts).await?;
        }
        self.outputs.insert((s.stack_name.clone(), s.region.clone()), d.outputs.clone());
        let state = d.status.as_ref().map(StackStatus::state).unwrap_or(StackState::Deleted);
        let target = format!("{} ({})", s.stack_name, s.region);
        let create = match state {
            StackState::Updatable => false,
            StackState::Deleted | StackState::Review => true,
            StackState::RolledBackCreate => {
                self.change(&target, format!("- stack in {}: deleted and created again", d.status.unwrap()), false);
                return Ok(StackPlan { step: StackStep::Later { recreate: true }, create: true });
            }
            StackState::Stuck | StackState::Busy => {
                anyhow::bail!(
                    "stack {} is {}{}: fix it first (e.g. `aws cloudformation continue-update-rollback`)",
                    s.stack_name,
                    d.status.unwrap(),
                    d.reason.map(|r| format!(" ({r})")).unwrap_or_default()
                );
            }
        };
        let wanted = resolve(&s.parameters, &self.outputs);
        let new_stack_lines = |note: &str| -> Vec<String> {
            let mut lines = vec![format!("+ stack {} ({note})", s.stack_name)];
            lines.extend(template_diff("{}", &s.body).unwrap_or_default().iter().map(ResourceChange::line));
            lines
        };
        if create && self.plan_only {
            let note = if known(&wanted).is_some() { "new" } else { "new; parameters from the stacks before it" };
            for l in new_stack_lines(note) {
                self.change(&target, l, false);
            }
            return Ok(StackPlan { step: StackStep::Later { recreate: false }, create });
        }
        let Some(params) = known(&wanted) else {
            let lines: Vec<String> = if create {
                new_stack_lines("new; created after the stacks it reads outputs from")
            } else {
                let deployed: BTreeMap<_, _> = d.parameters.iter().filter(|(k, _)| wanted.contains_key(*k)).map(|(k, v)| (k.clone(), v.clone())).collect();
                parameter_diff(&deployed, &wanted).iter().map(|c| c.line()).collect()
            };
            for l in lines {
                self.change(&target, l, false);
            }
            return Ok(StackPlan { step: StackStep::Later { recreate: false }, create });
        };
        if !create {
            let body = archive::deployed_body(&cfn, &s.stack_name, self.opts).await?;
            let tags: BTreeMap<_, _> = s.tags.iter().cloned().collect();
            let deployed: BTreeMap<_, _> = d.parameters.iter().filter(|(k, _)| params.contains_key(*k)).map(|(k, v)| (k.clone(), v.clone())).collect();
            if body.as_deref().map(str::trim) == Some(s.body.trim()) && deployed == params && d.tags == tags {
                return Ok(StackPlan { step: StackStep::UpToDate, create });
            }
        }
        self.stack_change_set(s, &params, create).await
    }

    async fn stack_change_set(&mut self, s: &PlainStack, params: &BTreeMap<String, String>, create: bool) -> Result<StackPlan> {
        let target = format!("{} ({})", s.stack_name, s.region);
        if s.body.len() > remedy::INLINE_TEMPLATE_LIMIT {
            anyhow::bail!(
                "template of {} is {} bytes, over the inline size limit of {}: {}",
                s.stack_name,
                s.body.len(),
                remedy::INLINE_TEMPLATE_LIMIT,
                remedy::remedy("template over the inline size").unwrap_or("")
            );
        }
        let cfn = self.aws.archive_cfn(&s.region);
        match archive::create_change_set(&cfn, s, params, create, self.opts).await? {
            archive::ChangeSetOutcome::NoChanges => Ok(StackPlan { step: StackStep::UpToDate, create }),
            archive::ChangeSetOutcome::Failed(reason) => {
                self.failure(&target, &reason);
                anyhow::bail!("the change set of {} failed: {reason}", s.stack_name)
            }
            archive::ChangeSetOutcome::Ready { name, changes } => {
                if changes.is_empty() {
                    self.change(&target, "> stack settings (parameters, tags)".into(), false);
                }
                for c in &changes {
                    self.change(&target, c.line(), c.is_risky());
                }
                Ok(StackPlan { step: StackStep::Execute { change_set: name }, create })
            }
        }
    }

    async fn plan_set(&mut self, r: &Rollout, s: &SetDef) -> Result<SetPlan> {
        let cfn = self.aws.cfn(&r.stack_set_region);
        let deployed = stackset::describe(&cfn, s, self.opts).await?;
        let busy = stackset::running_operations(&cfn, s, self.opts).await?;
        for (id, action) in &busy {
            self.rep.emit(Event::Note { text: format!("{}: {action} operation {id} is still running", s.name) });
        }
        let wanted = resolve(&s.parameters, &self.outputs);
        let mut definition_changed = false;
        match &deployed {
            None => {
                self.change(&s.name, format!("+ StackSet {} (service-managed)", s.name), false);
                for c in template_diff("{}", &s.body).unwrap_or_default() {
                    self.change(&s.name, c.line(), false);
                }
                definition_changed = true;
            }
            Some(d) => {
                if d.body.trim() != s.body.trim() {
                    definition_changed = true;
                    let diff: Vec<ResourceChange> = match template_diff(&d.body, &s.body) {
                        Ok(v) => v,
                        Err(e) => {
                            self.change(&s.name, format!("> template (not comparable: {e})"), false);
                            Vec::new()
                        }
                    };
                    if diff.is_empty() {
                        self.change(&s.name, "> template (outputs, metadata or formatting)".into(), false);
                    }
                    for c in diff {
                        self.change(&s.name, c.line(), c.is_risky());
                    }
                }
                let deployed: BTreeMap<_, _> = d.parameters.iter().filter(|(k, _)| wanted.contains_key(*k)).map(|(k, v)| (k.clone(), v.clone())).collect();
                let pd = parameter_diff(&deployed, &wanted);
                definition_changed |= !pd.is_empty();
                for c in pd {
                    self.change(&s.name, c.line(), false);
                }
                if d.description != s.description && !d.description.is_empty() {
                    definition_changed = true;
                    self.change(&s.name, "> description".into(), false);
                }
                let want_auto = (s.auto_deployment.enabled, s.auto_deployment.retain_stacks_on_account_removal);
                if let Some(have) = d.auto_deployment.filter(|h| *h != want_auto) {
                    definition_changed = true;
                    self.change(&s.name, format!("> auto-deployment (enabled, retain stacks): {have:?} -> {want_auto:?}"), false);
                }
                let want_caps: BTreeSet<&String> = s.capabilities.iter().collect();
                if !d.capabilities.is_empty() && d.capabilities.iter().collect::<BTreeSet<_>>() != want_caps {
                    definition_changed = true;
                    self.change(&s.name, format!("> capabilities: {:?} -> {:?}", d.capabilities, s.capabilities), false);
                }
            }
        }
        let key = format!("{:?}", s.targets);
        let accounts = match self.accounts.get(&key) {
            Some(a) => a.clone(),
            None => {
                let a = org::target_accounts(&self.aws.organizations(), &s.targets, &r.management_account).await?;
                self.accounts.insert(key, a.clone());
                a
            }
        };
        let wanted_keys: BTreeSet<InstanceKey> =
            accounts.iter().flat_map(|a| s.regions.iter().map(move |rg| (a.clone(), rg.clone()))).collect();
        let existing = stackset::instances(&cfn, s, self.opts).await?;
        let existing_keys: BTreeSet<InstanceKey> = existing.iter().map(|i| i.key()).collect();
        let (adds, removes) = instance_batches(&wanted_keys, &existing_keys);
        let added: Vec<InstanceKey> = wanted_keys.difference(&existing_keys).cloned().collect();
        let removed: Vec<InstanceKey> = existing_keys.difference(&wanted_keys).cloned().collect();
        for (mark, keys) in [("+", added), ("-", removed)] {
            for line in instance_lines(mark, &keys) {
                self.change(&s.name, line, false);
            }
        }
        // Instances left outdated by an earlier failed or interrupted run,
        // unless the definition update reaches them anyway.
        let stale: BTreeSet<InstanceKey> = existing
            .iter()
            .filter(|i| (i.needs_retry() || i.is_failed()) && wanted_keys.contains(&i.key()))
            .map(|i| i.key())
            .collect();
        let retries = if definition_changed { Vec::new() } else { stackset::batches_of(&stale) };
        for (a, rg) in &stale {
            if !definition_changed {
                self.change(&s.name, format!("> instance {a}/{rg} (outdated: run again)"), false);
            }
        }
        Ok(SetPlan { exists: deployed.is_some(), definition_changed, adds, removes, retries })
    }

    /// Wait for operations started elsewhere (or by an interrupted run).
    async fn wait_idle(&mut self, r: &Rollout, s: &SetDef) -> Result<bool> {
        let cfn = self.aws.cfn(&r.stack_set_region);
        let mut waited = false;
        for _ in 0..100 {
            let busy = stackset::running_operations(&cfn, s, self.opts).await?;
            if busy.is_empty() {
                return Ok(waited);
            }
            for (id, action) in busy {
                waited = true;
                self.rep.emit(Event::Note { text: format!("{}: waiting for {action} operation {id} to finish", s.name) });
                let (st, _) = stackset::wait_operation(&cfn, s, &id, self.opts).await?;
                self.rep.emit(Event::Operation { stack_set: s.name.clone(), operation_id: id, action, status: st.to_string() });
            }
        }
        anyhow::bail!("{}: operations keep starting; giving up", s.name)
    }

    /// Run one StackSet operation to the end; false when it or an instance failed.
    async fn run_op(
        &mut self,
        r: &Rollout,
        s: &SetDef,
        action: &str,
        start: impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<stackset::Started>> + Send + 'static>>,
    ) -> Result<bool> {
        let cfn = self.aws.cfn(&r.stack_set_region);
        let mut tries = 0;
        let id = loop {
            match start().await? {
                stackset::Started::Id(id) => break id,
                stackset::Started::Busy if tries < 20 => {
                    tries += 1;
                    self.wait_idle(r, s).await?;
                }
                stackset::Started::Busy => anyhow::bail!("{}: another operation is always in progress", s.name),
            }
        };
        self.rep.emit(Event::Operation { stack_set: s.name.clone(), operation_id: id.clone(), action: action.into(), status: "STARTED".into() });
        // Poll the operation and show each instance as it changes.
        let mut last: BTreeMap<InstanceKey, String> = BTreeMap::new();
        let deadline = tokio::time::Instant::now() + self.opts.timeout;
        let (st, reason, final_instances) = loop {
            let (st, reason) = stackset::poll_operation(&cfn, s, &id, self.opts).await?;
            let now = stackset::instances(&cfn, s, self.opts).await?;
            for i in &now {
                let text = if i.detailed == status::DetailedStatus::Succeeded { i.status.to_string() } else { format!("{} {}", i.status, i.detailed) };
                if last.get(&i.key()) != Some(&text) {
                    self.rep.emit(Event::Instance {
                        stack_set: s.name.clone(),
                        account: i.account.clone(),
                        region: i.region.clone(),
                        status: text.clone(),
                        reason: i.reason.clone(),
                    });
                    last.insert(i.key(), text);
                }
            }
            if st.is_settled() {
                break (st, reason, now);
            }
            if tokio::time::Instant::now() > deadline {
                anyhow::bail!("timed out waiting for operation {id} of {}", s.name);
            }
            wait::poll_pause(self.opts.poll_interval).await;
        };
        let mut ok = st.is_success();
        for i in final_instances.iter().filter(|i| i.is_failed()) {
            ok = false;
            let reason = i.reason.clone().unwrap_or_else(|| i.detailed.to_string());
            self.failure(&format!("{} {}/{}", s.name, i.account, i.region), &reason);
        }
        if !st.is_success() {
            for (a, rg, why) in stackset::operation_failures(&cfn, s, &id).await {
                self.failure(&format!("{} {a}/{rg}", s.name), &why);
            }
            self.failure(&format!("{} operation {id}", s.name), &reason.clone().unwrap_or_else(|| st.to_string()));
        }
        self.rep.emit(Event::Operation { stack_set: s.name.clone(), operation_id: id, action: action.into(), status: st.to_string() });
        Ok(ok)
    }

    /// After deleting instances: are any of `keys` still there? Deletions go
    /// through the StackSet's OUs, so an account moved out of them is not
    /// reached; say so and what to do.
    async fn left_over(&mut self, cfn: &aws_sdk_cloudformation::Client, s: &SetDef, keys: &BTreeSet<InstanceKey>) -> Result<bool> {
        let still: Vec<InstanceKey> =
            stackset::instances(cfn, s, self.opts).await?.iter().map(|i| i.key()).filter(|k| keys.contains(k)).collect();
        for (a, rg) in &still {
            self.failure(
                &format!("{} {a}/{rg}", s.name),
                &format!(
                    "instance not deleted: account {a} is no longer under the StackSet's target OUs. Delete it with \
                     `aws cloudformation delete-stack-instances --stack-set-name {} --deployment-targets \
                     OrganizationalUnitIds=<its OU>,Accounts={a},AccountFilterType=INTERSECTION --regions {rg} --no-retain-stacks`",
                    s.name
                ),
            );
        }
        Ok(still.is_empty())
    }

    async fn rows(&mut self, r: &Rollout) -> Result<(Vec<Row>, bool)> {
        let mut rows = Vec::new();
        let mut bad = false;
        for s in &r.archive_stacks {
            let d = archive::describe(&self.aws.archive_cfn(&s.region), &s.stack_name, self.opts).await?;
            let (status, failed) = match &d.status {
                Some(st) => (st.to_string(), st.is_failure() || !st.is_settled()),
                None => ("NOT_DEPLOYED".to_string(), false),
            };
            bad |= failed;
            rows.push(Row { target: s.stack_name.clone(), account: s.account.clone(), region: s.region.clone(), status, reason: d.reason.unwrap_or_default() });
        }
        for s in &r.stack_sets {
            let cfn = self.aws.cfn(&r.stack_set_region);
            if stackset::describe(&cfn, s, self.opts).await?.is_none() {
                rows.push(Row {
                    target: s.name.clone(),
                    account: r.management_account.clone(),
                    region: r.stack_set_region.clone(),
                    status: "NOT_DEPLOYED".into(),
                    reason: String::new(),
                });
                continue;
            }
            for i in stackset::instances(&cfn, s, self.opts).await? {
                bad |= i.is_failed() || i.status != status::InstanceStatus::Current;
                let reason = i.reason.clone().unwrap_or_default();
                let reason = match remedy::remedy(&reason) {
                    Some(m) if i.is_failed() => format!("{reason} — {m}"),
                    _ => reason,
                };
                rows.push(Row {
                    target: s.name.clone(),
                    account: i.account.clone(),
                    region: i.region.clone(),
                    status: if i.detailed == status::DetailedStatus::Succeeded { i.status.to_string() } else { format!("{} {}", i.status, i.detailed) },
                    reason,
                });
            }
        }
        Ok((rows, bad))
    }

    async fn summary(&mut self, r: &Rollout, up_to_date: bool) -> Result<bool> {
        let (rows, bad) = self.rows(r).await?;
        let api_calls = self.aws.counter.total();
        let write_calls = self.aws.counter.writes();
        self.rep.emit(Event::Summary { rows, api_calls, write_calls, up_to_date });
        Ok(bad)
    }
}

/// `+ instance 111111111111/eu-west-1` per instance; past 24 of them, one
/// line per region with the number of accounts.
fn instance_lines(mark: &str, keys: &[InstanceKey]) -> Vec<String> {
    if keys.len() <= 24 {
        return keys.iter().map(|(a, r)| format!("{mark} instance {a}/{r}")).collect();
    }
    let mut by_region: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, r) in keys {
        by_region.entry(r).or_default().push(a);
    }
    by_region
        .into_iter()
        .map(|(r, a)| format!("{mark} {} instances in {r} ({}, …)", a.len(), a.iter().take(3).cloned().collect::<Vec<_>>().join(", ")))
        .collect()
}

/// Ask on a terminal; never wait for an answer without one.
fn confirm(opts: &DeployOptions, question: &str, rep: &mut Reporter<'_>) -> bool {
    if opts.yes {
        return true;
    }
    if !std::io::stdin().is_terminal() {
        rep.emit(Event::Note { text: "standard input is not a terminal and --yes was not given: nothing changed".into() });
        return false;
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    matches!(line.trim(), "y" | "Y" | "yes")
}

struct FullPlan {
    stacks: Vec<StackPlan>,
    sets: Vec<SetPlan>,
}

impl FullPlan {
    fn is_empty(&self) -> bool {
        self.stacks.iter().all(|s| matches!(s.step, StackStep::UpToDate)) && self.sets.iter().all(SetPlan::is_empty)
    }
}

async fn make_plan(e: &mut Engine<'_, '_>, r: &Rollout) -> Result<FullPlan> {
    let mut stacks = Vec::new();
    for s in &r.archive_stacks {
        e.rep.emit(Event::Step { text: format!("log-archive stack {} in {}/{}", s.stack_name, s.account, s.region) });
        stacks.push(e.plan_stack(s).await?);
    }
    let mut sets = Vec::new();
    for s in &r.stack_sets {
        e.rep.emit(Event::Step { text: format!("StackSet {} ({} regions)", s.name, s.regions.len()) });
        sets.push(e.plan_set(r, s).await?);
    }
    Ok(FullPlan { stacks, sets })
}

async fn discard_change_sets(aws: &Aws, r: &Rollout, p: &FullPlan) {
    for (s, sp) in r.archive_stacks.iter().zip(&p.stacks) {
        if let StackStep::Execute { change_set } = &sp.step {
            let cfn = aws.archive_cfn(&s.region);
            archive::delete_change_set(&cfn, &s.stack_name, change_set).await;
            if sp.create {
                // A CREATE change set leaves an empty REVIEW_IN_PROGRESS stack.
                let _ = cfn.delete_stack().stack_name(&s.stack_name).send().await;
            }
        }
    }
}

pub async fn plan_rollout(r: &Rollout, opts: &DeployOptions, out: &mut dyn Write) -> Result<i32> {
    let mut e = Engine::new(r, opts, out).await?;
    e.plan_only = true;
    let p = make_plan(&mut e, r).await?;
    discard_change_sets(&e.aws, r, &p).await;
    if p.stacks.iter().any(|s| matches!(s.step, StackStep::Execute { .. })) {
        e.rep.emit(Event::Note { text: "(change sets were created to compute this plan and deleted again; no resource was changed)".into() });
    }
    if p.is_empty() {
        e.rep.emit(Event::Note { text: "no changes: everything is up to date".into() });
    } else if e.risky && !opts.allow_replacement {
        e.rep.emit(Event::Note { text: "deploy will refuse this plan without --allow-replacement: it replaces or deletes a bucket, key or log group".into() });
    }
    e.summary(r, p.is_empty()).await?;
    Ok(exit::OK)
}

pub async fn deploy_rollout(r: &Rollout, opts: &DeployOptions, out: &mut dyn Write) -> Result<i32> {
    let mut e = Engine::new(r, opts, out).await?;
    let p = make_plan(&mut e, r).await?;
    if p.is_empty() {
        let bad = e.summary(r, true).await?;
        return Ok(if bad { exit::DEPLOY_FAILED } else { exit::OK });
    }
    if e.risky && !opts.allow_replacement {
        discard_change_sets(&e.aws, r, &p).await;
        e.rep.emit(Event::Note {
            text: "refusing to deploy: this replaces or deletes a bucket, key or log group (logs at risk). Re-run with --allow-replacement if you mean it.".into(),
        });
        return Ok(exit::INVALID_INPUT);
    }
    if !confirm(opts, "Deploy these changes?", &mut e.rep) {
        discard_change_sets(&e.aws, r, &p).await;
        return Ok(exit::INVALID_INPUT);
    }
    let mut failed = false;
    // 1. Log-archive stacks, in order: each may read the outputs of the previous ones.
    for (s, sp) in r.archive_stacks.iter().zip(p.stacks) {
        let cfn = e.aws.archive_cfn(&s.region);
        let target = format!("{} ({})", s.stack_name, s.region);
        let change_set = match sp.step {
            StackStep::UpToDate => None,
            StackStep::Execute { change_set } => Some(change_set),
            StackStep::Later { recreate } => {
                if recreate {
                    e.rep.emit(Event::Step { text: format!("deleting {target} (creation had rolled back)") });
                    archive::delete_stack(&cfn, &s.stack_name, opts).await?;
                }
                let wanted = resolve(&s.parameters, &e.outputs);
                let Some(params) = known(&wanted) else {
                    anyhow::bail!("{}: parameters {:?} have no value (missing stack outputs)", s.stack_name, wanted.iter().filter(|(_, v)| v.is_none()).map(|(k, _)| k).collect::<Vec<_>>());
                };
                e.rep.emit(Event::Step { text: format!("change set for {target}") });
                let risky_before = e.risky;
                e.risky = false;
                let sp = e.stack_change_set(s, &params, sp.create).await?;
                let now_risky = e.risky;
                e.risky |= risky_before;
                match sp.step {
                    StackStep::Execute { change_set } if now_risky && !opts.allow_replacement => {
                        archive::delete_change_set(&cfn, &s.stack_name, &change_set).await;
                        e.rep.emit(Event::Note { text: format!("refusing to execute the change set of {target}: it replaces or deletes a bucket, key or log group; re-run with --allow-replacement") });
                        return Ok(exit::INVALID_INPUT);
                    }
                    StackStep::Execute { change_set } => Some(change_set),
                    _ => None,
                }
            }
        };
        if let Some(cs) = change_set {
            e.rep.emit(Event::Step { text: format!("executing change set {cs} on {target}") });
            let (st, reasons) = archive::execute(&cfn, &s.stack_name, &cs, opts).await?;
            e.rep.emit(Event::Stack { stack: s.stack_name.clone(), account: s.account.clone(), region: s.region.clone(), status: st.to_string(), reason: reasons.first().cloned() });
            if st.is_failure() {
                if reasons.is_empty() {
                    e.failure(&target, &format!("stack ended in {st}"));
                }
                for reason in &reasons {
                    e.failure(&target, reason);
                }
                e.rep.emit(Event::Note { text: "stopping: the StackSets depend on the log-archive stacks".into() });
                failed = true;
                break;
            }
        }
        let d = archive::describe(&cfn, &s.stack_name, opts).await?;
        e.outputs.insert((s.stack_name.clone(), s.region.clone()), d.outputs);
    }
    // 2. StackSets and their instances.
    if !failed {
        for s in &r.stack_sets {
            e.rep.emit(Event::Step { text: format!("StackSet {}", s.name) });
            // Re-read right before writing: an earlier run may have been
            // interrupted with an operation still running.
            if e.wait_idle(r, s).await? {
                e.rep.emit(Event::Note { text: format!("{}: re-reading its state after the running operations", s.name) });
            }
            let risky_before = e.risky;
            e.quiet = true;
            let sp = e.plan_set(r, s).await;
            e.quiet = false;
            let sp = sp?;
            if e.risky && !risky_before && !opts.allow_replacement {
                e.rep.emit(Event::Note { text: format!("refusing to update {}: it replaces or deletes a log group; re-run with --allow-replacement", s.name) });
                return Ok(exit::INVALID_INPUT);
            }
            let params = known(&resolve(&s.parameters, &e.outputs))
                .ok_or_else(|| anyhow::anyhow!("{}: a parameter has no value (missing log-archive stack outputs)", s.name))?;
            if s.body.len() > remedy::INLINE_TEMPLATE_LIMIT {
                anyhow::bail!("template of {} is {} bytes, over the inline size limit: {}", s.name, s.body.len(), remedy::remedy("template over the inline size").unwrap_or(""));
            }
            let cfn = e.aws.cfn(&r.stack_set_region);
            if !sp.exists {
                stackset::create(&cfn, s, &params).await?;
                e.rep.emit(Event::Note { text: format!("{}: StackSet created", s.name) });
            } else if sp.definition_changed {
                let (c, s2, p2) = (cfn.clone(), s.clone(), params.clone());
                let ok = e.run_op(r, s, "UPDATE", move || {
                    let (c, s2, p2) = (c.clone(), s2.clone(), p2.clone());
                    Box::pin(async move { stackset::update(&c, &s2, &p2).await })
                }).await?;
                failed |= !ok;
            }
            for b in sp.retries {
                let (c, s2) = (cfn.clone(), s.clone());
                let ok = e.run_op(r, s, "UPDATE_INSTANCES", move || {
                    let (c, s2, b) = (c.clone(), s2.clone(), b.clone());
                    Box::pin(async move { stackset::retry_instances(&c, &s2, &b).await })
                }).await?;
                failed |= !ok;
            }
            for b in sp.adds {
                let (c, s2) = (cfn.clone(), s.clone());
                let ok = e.run_op(r, s, "CREATE", move || {
                    let (c, s2, b) = (c.clone(), s2.clone(), b.clone());
                    Box::pin(async move { stackset::add_instances(&c, &s2, &b).await })
                }).await?;
                failed |= !ok;
            }
            let removing: BTreeSet<InstanceKey> =
                sp.removes.iter().flat_map(|b| b.accounts.iter().flatten().flat_map(|a| b.regions.iter().map(move |r| (a.clone(), r.clone())))).collect();
            for b in sp.removes {
                let (c, s2) = (cfn.clone(), s.clone());
                let ok = e.run_op(r, s, "DELETE", move || {
                    let (c, s2, b) = (c.clone(), s2.clone(), b.clone());
                    Box::pin(async move { stackset::remove_instances(&c, &s2, &b).await })
                }).await?;
                failed |= !ok;
            }
            if !removing.is_empty() {
                failed |= !e.left_over(&cfn, s, &removing).await?;
            }
        }
    }
    let bad = e.summary(r, false).await?;
    Ok(if failed || bad { exit::DEPLOY_FAILED } else { exit::OK })
}

pub async fn status_rollout(r: &Rollout, opts: &DeployOptions, out: &mut dyn Write) -> Result<i32> {
    let mut e = Engine::new(r, opts, out).await?;
    for s in &r.stack_sets {
        let cfn = e.aws.cfn(&r.stack_set_region);
        for (id, action) in stackset::running_operations(&cfn, s, opts).await? {
            e.rep.emit(Event::Operation { stack_set: s.name.clone(), operation_id: id, action, status: "RUNNING".into() });
        }
    }
    let bad = e.summary(r, false).await?;
    Ok(if bad { exit::DEPLOY_FAILED } else { exit::OK })
}

pub async fn destroy_rollout(r: &Rollout, opts: &DeployOptions, out: &mut dyn Write) -> Result<i32> {
    let mut e = Engine::new(r, opts, out).await?;
    e.rep.emit(Event::Step { text: "destroy: StackSet instances, StackSets, then the log-archive stacks".into() });
    for s in &r.stack_sets {
        e.rep.emit(Event::Change { target: s.name.clone(), line: format!("- StackSet {} and all its instances", s.name), risky: false });
    }
    for s in r.archive_stacks.iter().rev() {
        e.rep.emit(Event::Change { target: s.stack_name.clone(), line: format!("- stack {} ({})", s.stack_name, s.region), risky: false });
    }
    if !confirm(opts, "Destroy these?", &mut e.rep) {
        return Ok(exit::INVALID_INPUT);
    }
    let mut failed = false;
    for s in r.stack_sets.iter().rev() {
        let cfn = e.aws.cfn(&r.stack_set_region);
        e.wait_idle(r, s).await?;
        let existing: BTreeSet<InstanceKey> = stackset::instances(&cfn, s, opts).await?.iter().map(|i| i.key()).collect();
        for b in stackset::batches_of(&existing) {
            let (c, s2) = (cfn.clone(), s.clone());
            let ok = e.run_op(r, s, "DELETE", move || {
                let (c, s2, b) = (c.clone(), s2.clone(), b.clone());
                Box::pin(async move { stackset::remove_instances(&c, &s2, &b).await })
            }).await?;
            failed |= !ok;
        }
        if !existing.is_empty() && !failed {
            failed |= !e.left_over(&cfn, s, &existing).await?;
        }
        if !failed {
            stackset::delete(&cfn, s).await?;
            e.rep.emit(Event::Note { text: format!("{}: StackSet deleted", s.name) });
        }
    }
    if !failed {
        for s in r.archive_stacks.iter().rev() {
            let cfn = e.aws.archive_cfn(&s.region);
            let d = archive::describe(&cfn, &s.stack_name, opts).await?;
            if d.status.is_none() {
                continue;
            }
            let (st, reasons) = archive::delete_stack(&cfn, &s.stack_name, opts).await?;
            e.rep.emit(Event::Stack { stack: s.stack_name.clone(), account: s.account.clone(), region: s.region.clone(), status: st.to_string(), reason: reasons.first().cloned() });
            if st != StackStatus::DeleteComplete {
                failed = true;
                for reason in reasons {
                    e.failure(&s.stack_name, &reason);
                }
            }
        }
    }
    e.rep.emit(Event::Note {
        text: "Retained, by their DeletionPolicy: the log bucket and the KMS keys in the log-archive account, and the log groups in every member account. Logs already written are untouched; delete these by hand if you really mean to.".into(),
    });
    e.summary(r, false).await?;
    Ok(if failed { exit::DEPLOY_FAILED } else { exit::OK })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_lines_are_summarized_per_region_past_24() {
        let few: Vec<InstanceKey> = (0..3).map(|i| (format!("{i:012}"), "eu-west-1".to_string())).collect();
        assert_eq!(instance_lines("+", &few)[0], "+ instance 000000000000/eu-west-1");
        let many: Vec<InstanceKey> = (0..30)
            .flat_map(|i| ["eu-west-1", "us-east-1"].map(|r| (format!("{i:012}"), r.to_string())))
            .collect();
        let lines = instance_lines("-", &many);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("- 30 instances in eu-west-1 (000000000000, 000000000001, 000000000002, …)"), "{lines:?}");
    }

    #[test]
    fn outputs_resolve_into_parameters() {
        let params = vec![
            ParameterValue::Literal { key: "A".into(), value: "1".into() },
            ParameterValue::StackOutput { key: "K".into(), stack_name: "s".into(), region: "r".into(), output_key: "O".into() },
        ];
        let mut outputs = Outputs::new();
        assert_eq!(known(&resolve(&params, &outputs)), None);
        outputs.insert(("s".into(), "r".into()), [("O".to_string(), "v".to_string())].into());
        let k = known(&resolve(&params, &outputs)).unwrap();
        assert_eq!(k["A"], "1");
        assert_eq!(k["K"], "v");
    }
}
