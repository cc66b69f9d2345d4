//! The engine behind the commands: plans each log-archive stack and
//! StackSet, runs StackSet operations to the end, and reports state.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use anyhow::Result;

use super::client::Aws;
use super::params::{known, resolve, Outputs};
use super::planning::{instance_batches, parameter_diff, template_diff, InstanceBatch, InstanceKey, ResourceChange};
use super::report::{Event, Reporter, Row};
use super::status::{StackState, StackStatus};
use super::{archive, org, remedy, stackset, status, wait};
use super::{DeployOptions, PlainStack, Rollout, SetDef};

pub(super) enum StackStep {
    UpToDate,
    /// A change set is ready (created during planning).
    Execute { change_set: String },
    /// Parameters depend on a stack deployed earlier in this run, or the
    /// stack must first be deleted (a creation that rolled back).
    Later { recreate: bool },
}

pub(super) struct StackPlan {
    pub(super) step: StackStep,
    pub(super) create: bool,
}

pub(super) struct SetPlan {
    pub(super) exists: bool,
    pub(super) definition_changed: bool,
    pub(super) adds: Vec<InstanceBatch>,
    pub(super) removes: Vec<InstanceBatch>,
    pub(super) retries: Vec<InstanceBatch>,
}

impl SetPlan {
    pub(super) fn is_empty(&self) -> bool {
        self.exists && !self.definition_changed && self.adds.is_empty() && self.removes.is_empty() && self.retries.is_empty()
    }
}

pub(super) struct Engine<'a, 'w> {
    pub(super) aws: Aws,
    pub(super) opts: &'a DeployOptions,
    pub(super) rep: Reporter<'w>,
    pub(super) outputs: Outputs,
    pub(super) risky: bool,
    /// Re-planning right before applying: do not print the plan again.
    pub(super) quiet: bool,
    /// Accounts of each set of deployment targets, read once per command.
    pub(super) accounts: BTreeMap<String, BTreeSet<String>>,
    /// `plan`: no change set for a stack that does not exist yet (its
    /// template says everything), so planning a new rollout writes nothing.
    pub(super) plan_only: bool,
}

impl<'a, 'w> Engine<'a, 'w> {
    pub(super) async fn new(r: &Rollout, opts: &'a DeployOptions, out: &'w mut dyn Write) -> Result<Engine<'a, 'w>> {
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

    pub(super) fn failure(&mut self, target: &str, reason: &str) {
        let remedy = remedy::remedy(reason).map(str::to_string);
        self.rep.emit(Event::Failure { target: target.to_string(), reason: reason.to_string(), remedy });
    }

    pub(super) async fn plan_stack(&mut self, s: &PlainStack) -> Result<StackPlan> {
        let cfn = self.aws.cfn_in(&s.account, &s.region);
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

    pub(super) async fn stack_change_set(&mut self, s: &PlainStack, params: &BTreeMap<String, String>, create: bool) -> Result<StackPlan> {
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
        let cfn = self.aws.cfn_in(&s.account, &s.region);
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

    pub(super) async fn plan_set(&mut self, r: &Rollout, s: &SetDef) -> Result<SetPlan> {
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
    pub(super) async fn wait_idle(&mut self, r: &Rollout, s: &SetDef) -> Result<bool> {
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
    pub(super) async fn run_op(
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
    pub(super) async fn left_over(&mut self, cfn: &aws_sdk_cloudformation::Client, s: &SetDef, keys: &BTreeSet<InstanceKey>) -> Result<bool> {
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
        for s in r.archive_stacks.iter().chain(&r.management_stacks) {
            let d = archive::describe(&self.aws.cfn_in(&s.account, &s.region), &s.stack_name, self.opts).await?;
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

    pub(super) async fn summary(&mut self, r: &Rollout, up_to_date: bool) -> Result<bool> {
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
}
