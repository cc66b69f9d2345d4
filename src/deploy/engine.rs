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
use super::{adopt, archive, import_template, opt_in, org, remedy, stackset, status, wait};
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
    /// Stack instances wanted (0 when a no-op was recognized without listing them).
    pub(super) instances: usize,
    /// Accounts per Region of each operation deploy will run, in turn (for the estimate).
    pub(super) operations: Vec<super::estimate::Operation>,
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
    /// Adoptions found while planning, shown together after the stacks.
    pub(super) adoptions: Vec<Event>,
    /// Stacks whose retained resources were looked for (shown once).
    pub(super) discovered: BTreeSet<(String, String)>,
    /// Opt-in region checks, by targets and regions.
    region_checks: BTreeMap<String, opt_in::RegionCheck>,
    /// The regions enabled by default (read once per run, for the opt-in checks).
    regions_by_default: Option<BTreeSet<String>>,
    unchecked_noted: BTreeSet<String>,
    /// `(StackSet, account, region, opt-in status)` left out: region not enabled.
    pub(super) skipped: BTreeSet<(String, String, String, String)>,
    /// StackSets found up to date from a handful of calls (see `noop`):
    /// summarized in one row, their instances not listed.
    pub(super) verified: BTreeSet<String>,
    /// StackSets with more stack instances than one page: their table rows
    /// are the failed instances and one row for the rest.
    pub(super) large: BTreeSet<String>,
    /// Suspended or closing accounts under the targets: their instances are
    /// neither added nor removed (StackSets skips suspended accounts).
    pub(super) inactive: BTreeSet<String>,
}

impl<'a, 'w> Engine<'a, 'w> {
    pub(super) async fn new(r: &Rollout, opts: &'a DeployOptions, out: &'w mut dyn Write) -> Result<Engine<'a, 'w>> {
        let mut aws = Aws::connect(opts, &r.stack_set_region).await?;
        if !r.archive_stacks.is_empty() {
            aws.assume_archive_role(&r.archive_account, &r.archive_access_role).await?;
        }
        Ok(Engine { aws, opts, rep: Reporter::new(out, opts.output), outputs: Outputs::new(), risky: false, quiet: false, accounts: BTreeMap::new(), plan_only: false, adoptions: Vec::new(), discovered: BTreeSet::new(), region_checks: BTreeMap::new(), regions_by_default: None, unchecked_noted: BTreeSet::new(), skipped: BTreeSet::new(), verified: BTreeSet::new(), large: BTreeSet::new(), inactive: BTreeSet::new() })
    }

    fn change(&mut self, target: &str, line: String, risky: bool) {
        self.risky |= risky;
        if self.quiet {
            return;
        }
        self.rep.emit(Event::Change { target: target.to_string(), line, risky });
    }

    /// The remedy for a stack instance's failure reason: for a managed
    /// policy still attached to roles outside the StackSet, the commands for
    /// that account with the policy's ARN; else the known remedies.
    pub(super) fn instance_remedy(&self, s: &SetDef, account: &str, region: &str, reason: &str, action: &str) -> Option<String> {
        if !remedy::is_delete_conflict(reason) {
            return remedy::remedy(reason).map(str::to_string);
        }
        let arns = managed_policy_arns(&s.body, account, region, &self.aws.partition);
        let after = if action == "DELETE" || action.is_empty() {
            "run `sessionlog destroy` again (or `sessionlog deploy`, when the account was removed from the targets)"
        } else {
            "run `sessionlog deploy` again"
        };
        Some(remedy::detach_policy(account, &arns, after))
    }

    pub(super) fn failure(&mut self, target: &str, reason: &str) {
        let remedy = remedy::remedy(reason).map(str::to_string);
        self.rep.emit(Event::Failure { target: target.to_string(), reason: reason.to_string(), remedy });
    }

    /// Report how a plain stack's operation ended and, when it is not
    /// `wanted`, each failure reason (or the status, when there is none)
    /// under `target`. True when it ended as wanted.
    pub(super) fn stack_ended(&mut self, s: &PlainStack, target: &str, st: &StackStatus, reasons: &[String], wanted: impl Fn(&StackStatus) -> bool) -> bool {
        self.rep.emit(Event::Stack { stack: s.stack_name.clone(), account: s.account.clone(), region: s.region.clone(), status: st.to_string(), reason: reasons.first().cloned() });
        if wanted(st) {
            return true;
        }
        if reasons.is_empty() {
            self.failure(target, &format!("stack ended in {st}"));
        }
        for reason in reasons {
            self.failure(target, reason);
        }
        false
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
        let (create, recreate) = match state {
            StackState::Updatable => (false, false),
            StackState::Deleted | StackState::Review => (true, false),
            StackState::RolledBackCreate => {
                self.change(&target, format!("- stack in {}: deleted and created again", d.status.clone().unwrap()), false);
                (true, true)
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
        let new_stack_lines = |note: &str, adopted: &[String]| -> Vec<String> {
            let mut lines = vec![format!("+ stack {} ({note})", s.stack_name)];
            lines.extend(
                template_diff("{}", &s.body)
                    .unwrap_or_default()
                    .iter()
                    .filter(|c| !adopted.contains(&c.logical_id))
                    .map(ResourceChange::line),
            );
            lines
        };
        // A stack that does not exist adopts what an earlier one retained.
        if let (true, Some(params)) = (create, known(&wanted)) {
            let found = self.discover(s, &params).await?;
            if !found.found.is_empty() {
                let adopted: Vec<String> = found.found.iter().map(|f| f.import.logical_id.clone()).collect();
                let note = format!("new; {} retained resource{} adopted", adopted.len(), if adopted.len() == 1 { "" } else { "s" });
                for l in new_stack_lines(&note, &adopted) {
                    self.change(&target, l, false);
                }
                return Ok(StackPlan { step: StackStep::Later { recreate }, create });
            }
        }
        if recreate {
            return Ok(StackPlan { step: StackStep::Later { recreate: true }, create: true });
        }
        if create && self.plan_only {
            let note = if known(&wanted).is_some() { "new" } else { "new; parameters from the stacks before it" };
            for l in new_stack_lines(note, &[]) {
                self.change(&target, l, false);
            }
            return Ok(StackPlan { step: StackStep::Later { recreate: false }, create });
        }
        let Some(params) = known(&wanted) else {
            let lines: Vec<String> = if create {
                new_stack_lines("new; created after the stacks it reads outputs from", &[])
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

    /// The retained resources a stack that does not exist will adopt; shown
    /// once (in the plan's adoption section, JSON `adopt` events). The
    /// outputs that depend only on them are known from now on, so the
    /// stacks after it can be planned with their values.
    pub(super) async fn discover(&mut self, s: &PlainStack, params: &BTreeMap<String, String>) -> Result<adopt::Discovery> {
        let template = import_template::long_form(&s.body)?;
        let found = adopt::discover(&self.aws, s, &template, params).await?;
        let key = (s.stack_name.clone(), s.region.clone());
        if !self.discovered.contains(&key) {
            self.discovered.insert(key.clone());
            for f in &found.found {
                self.adoptions.push(Event::Adopt {
                    stack: s.stack_name.clone(),
                    account: s.account.clone(),
                    region: s.region.clone(),
                    resource_type: f.import.resource_type.clone(),
                    logical_id: f.import.logical_id.clone(),
                    physical_id: f.import.identifier.clone(),
                    why: f.why.clone(),
                });
            }
            for n in &found.notes {
                self.rep.emit(Event::Note { text: format!("{} ({}): {n}", s.stack_name, s.region) });
            }
        }
        let at = import_template::Place { account: &s.account, region: &s.region, partition: &self.aws.partition, parameters: params };
        let predicted = import_template::predicted_outputs(&template, &found.imports(), &at);
        if !predicted.is_empty() {
            self.outputs.entry(key).or_default().extend(predicted);
        }
        Ok(found)
    }

    /// The plan's adoption section: what is imported instead of created.
    pub(super) fn adoption_section(&mut self) {
        if self.adoptions.is_empty() || self.quiet {
            return;
        }
        self.rep.emit(Event::Step {
            text: "retained resources to adopt (CloudFormation resource import: the same bucket and keys, nothing created in their place)".into(),
        });
        for e in std::mem::take(&mut self.adoptions) {
            self.rep.emit(e);
        }
    }

    /// Import the resources `found` into the stack (created by the import),
    /// before the update that adds everything else. False when it failed.
    pub(super) async fn import(&mut self, s: &PlainStack, params: &BTreeMap<String, String>, found: &adopt::Discovery) -> Result<bool> {
        let target = format!("{} ({})", s.stack_name, s.region);
        let cfn = self.aws.cfn_in(&s.account, &s.region);
        let template = import_template::long_form(&s.body)?;
        let imports = found.imports();
        let body = import_template::import_template(&template, &imports, &found.substitutes)?;
        let what: Vec<String> = imports.iter().map(|i| format!("{} {} = {}", i.resource_type, i.logical_id, i.identifier)).collect();
        self.rep.emit(Event::Step { text: format!("importing into {target}: {}", what.join(", ")) });
        let kind = archive::ChangeSetKind::Import { body: &body, resources: &imports };
        let change_set = match archive::create_change_set(&cfn, s, params, kind, self.opts).await? {
            archive::ChangeSetOutcome::Ready { name, .. } => name,
            archive::ChangeSetOutcome::NoChanges => anyhow::bail!("the import change set of {target} has no changes"),
            archive::ChangeSetOutcome::Failed(reason) => {
                self.failure(&target, &format!("import: {reason}"));
                return Ok(false);
            }
        };
        let (st, reasons) = archive::execute(&cfn, &s.stack_name, &change_set, self.opts).await?;
        Ok(self.stack_ended(s, &format!("{target} (import)"), &st, &reasons, |st| *st == StackStatus::ImportComplete))
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
        match archive::create_change_set(&cfn, s, params, archive::ChangeSetKind::new_stack(create), self.opts).await? {
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
        if let Some(d) = &deployed {
            if busy.is_empty() && self.noop(&cfn, s, d).await? {
                // Every instance exists and none failed: nothing to add or
                // retry; a definition change is one UpdateStackSet.
                let mut operations = Vec::new();
                if definition_changed {
                    self.change(&s.name, format!("> every instance ({} Regions × every account of the target OUs)", s.regions.len()), false);
                    let n = self.accounts.get(&format!("{:?}", s.targets)).map(BTreeSet::len).unwrap_or(super::noop::PAGE);
                    operations.push(s.regions.iter().map(|r| (r.clone(), n)).collect());
                    self.large.insert(s.name.clone());
                } else {
                    self.verified.insert(s.name.clone());
                }
                return Ok(SetPlan { exists: true, definition_changed, adds: Vec::new(), removes: Vec::new(), retries: Vec::new(), instances: 0, operations });
            }
        }
        let key = format!("{:?}", s.targets);
        let accounts = self.target_accounts(r, s).await?;
        let mut wanted_keys: BTreeSet<InstanceKey> =
            accounts.iter().flat_map(|a| s.regions.iter().map(move |rg| (a.clone(), rg.clone()))).collect();
        // Accounts that have not enabled an opt-in region get no instance
        // there (it would fail), and keep any they have: reported, not tried.
        let not_enabled = self.regions_not_enabled(&key, &accounts, &s.regions).await;
        for ((a, rg), status) in &not_enabled {
            if wanted_keys.remove(&(a.clone(), rg.clone())) && self.skipped.insert((s.name.clone(), a.clone(), rg.clone(), status.clone())) {
                self.rep.emit(Event::Skipped {
                    stack_set: s.name.clone(),
                    account: a.clone(),
                    region: rg.clone(),
                    reason: format!("region {rg} is not enabled in account {a} (opt-in status {status})"),
                    remedy: opt_in::remedy(a, rg, status),
                });
            }
        }
        let existing = stackset::instances(&cfn, s, self.opts).await?;
        let existing_keys: BTreeSet<InstanceKey> = existing
            .iter()
            .map(|i| i.key())
            .filter(|k| !not_enabled.contains_key(k) && !self.inactive.contains(&k.0))
            .collect();
        let (mut adds, removes) = instance_batches(&wanted_keys, &existing_keys);
        if !self.inactive.is_empty() {
            // Not the whole OUs: that would include the suspended or closing accounts.
            for b in adds.iter_mut().filter(|b| b.accounts.is_none()) {
                b.accounts = Some(accounts.iter().cloned().collect());
            }
        }
        let added: Vec<InstanceKey> = wanted_keys.difference(&existing_keys).cloned().collect();
        let removed: Vec<InstanceKey> = existing_keys.difference(&wanted_keys).cloned().collect();
        let every = self.opts.output == super::OutputFormat::Json;
        for (mark, keys) in [("+", added), ("-", removed)] {
            for line in instance_lines(mark, &keys, every) {
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
        if wanted_keys.len() > super::noop::PAGE {
            self.large.insert(s.name.clone());
        }
        // What each operation touches, in the order deploy runs them.
        let mut operations = Vec::new();
        if definition_changed && deployed.is_some() {
            operations.push(per_region(existing_keys.intersection(&wanted_keys)));
        }
        for b in retries.iter().chain(&adds).chain(&removes) {
            let n = b.accounts.as_ref().map(Vec::len).unwrap_or(accounts.len());
            operations.push(b.regions.iter().map(|r| (r.clone(), n)).collect());
        }
        Ok(SetPlan { exists: deployed.is_some(), definition_changed, adds, removes, retries, instances: wanted_keys.len(), operations })
    }

    /// The accounts a StackSet targets (read from Organizations once per
    /// set of targets).
    pub(super) async fn target_accounts(&mut self, r: &Rollout, s: &SetDef) -> Result<BTreeSet<String>> {
        let key = format!("{:?}", s.targets);
        if let Some(a) = self.accounts.get(&key) {
            return Ok(a.clone());
        }
        let (a, inactive) = org::target_accounts(&self.aws.organizations(), &s.targets, &r.management_account).await?;
        if !inactive.is_empty() && self.inactive.is_empty() {
            self.rep.emit(Event::Note {
                text: format!("{} suspended or closing account(s) skipped (Organizations State): {}", inactive.len(), inactive.iter().cloned().collect::<Vec<_>>().join(", ")),
            });
        }
        self.inactive.extend(inactive);
        self.accounts.insert(key, a.clone());
        Ok(a)
    }

    /// Which of `regions` are opt-in (`None` when that cannot be read).
    pub(super) async fn opt_in_among(&mut self, regions: &[String]) -> Option<BTreeSet<String>> {
        let regions: BTreeSet<String> = regions.iter().cloned().collect();
        opt_in::opt_in_regions(&self.aws, &regions, &mut self.regions_by_default).await.ok()
    }

    /// Whether the log-archive account lacks a region its stacks go to (an
    /// opt-in region it has not enabled: every stack there would fail, and
    /// the StackSets need them). Each such stack is reported as a failure
    /// with the command that enables the region.
    pub(super) async fn archive_regions_blocked(&mut self, r: &Rollout) -> bool {
        let regions: Vec<String> = r.archive_stacks.iter().map(|s| s.region.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        if regions.is_empty() {
            return false;
        }
        let accounts = BTreeSet::from([r.archive_account.clone()]);
        let not_enabled = self.regions_not_enabled("log-archive", &accounts, &regions).await;
        for ((a, rg), status) in &not_enabled {
            for s in r.archive_stacks.iter().filter(|s| &s.region == rg) {
                self.rep.emit(Event::Failure {
                    target: format!("{} ({rg})", s.stack_name),
                    reason: format!("region {rg} is not enabled in the log-archive account {a} (opt-in status {status})"),
                    remedy: Some(opt_in::remedy(a, rg, status)),
                });
            }
        }
        !not_enabled.is_empty()
    }

    /// `(account, region)` pairs of these accounts and regions where the
    /// region is not enabled; checked once per set of targets and regions.
    async fn regions_not_enabled(&mut self, targets: &str, accounts: &BTreeSet<String>, regions: &[String]) -> BTreeMap<InstanceKey, String> {
        let key = format!("{targets}{regions:?}");
        if !self.region_checks.contains_key(&key) {
            let regions: BTreeSet<String> = regions.iter().cloned().collect();
            let check = opt_in::check(&self.aws, accounts, &regions, &mut self.regions_by_default).await;
            if let Some(why) = &check.unchecked {
                if self.unchecked_noted.insert(why.clone()) {
                    self.rep.emit(Event::Note { text: format!("opt-in regions not checked ({why}); an account that has not enabled one fails there") });
                }
            }
            self.region_checks.insert(key.clone(), check);
        }
        self.region_checks[&key].not_enabled.clone()
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
            let remedy = self.instance_remedy(s, &i.account, &i.region, &reason, action);
            self.rep.emit(Event::Failure { target: format!("{} {}/{}", s.name, i.account, i.region), reason, remedy });
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
            if self.verified.contains(&s.name) {
                rows.push(Row {
                    target: s.name.clone(),
                    account: "(every target account)".into(),
                    region: format!("({} Regions)", s.regions.len()),
                    status: "CURRENT".into(),
                    reason: "no instance failed, cancelled or running; auto-deployment keeps the target OUs covered".into(),
                });
                continue;
            }
            if self.large.contains(&s.name) {
                bad |= self.large_rows(&cfn, s, &mut rows).await?;
                continue;
            }
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
                bad |= i.is_failed() || (i.status != status::InstanceStatus::Current && i.detailed != status::DetailedStatus::SkippedSuspendedAccount);
                let reason = i.reason.clone().unwrap_or_default();
                let reason = match self.instance_remedy(s, &i.account, &i.region, &reason, "") {
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
        let (mut rows, bad) = self.rows(r).await?;
        for (set, a, rg, status) in &self.skipped {
            rows.push(Row {
                target: set.clone(),
                account: a.clone(),
                region: rg.clone(),
                status: "SKIPPED".into(),
                reason: format!("region not enabled ({status}): {}", opt_in::remedy(a, rg, status)),
            });
        }
        let api_calls = self.aws.counter.total();
        let write_calls = self.aws.counter.writes();
        self.rep.emit(Event::Summary { rows, api_calls, write_calls, up_to_date });
        Ok(bad)
    }
}

/// The ARNs of the named managed policies of a StackSet's template, in one
/// account (names known only at deploy time are left out).
fn managed_policy_arns(body: &str, account: &str, region: &str, partition: &str) -> Vec<String> {
    let Ok(template) = import_template::long_form(body) else { return Vec::new() };
    let params = BTreeMap::new();
    let at = import_template::Place { account, region, partition, parameters: &params };
    template["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, r)| r["Type"] == "AWS::IAM::ManagedPolicy")
        .filter_map(|(_, r)| {
            let name = import_template::resolve(&r["Properties"]["ManagedPolicyName"], &at)?;
            let path = r["Properties"]["Path"].as_str().unwrap_or("/");
            Some(format!("arn:{partition}:iam::{account}:policy{path}{name}"))
        })
        .collect()
}

/// Accounts per Region among `keys`.
fn per_region<'k>(keys: impl Iterator<Item = &'k InstanceKey>) -> super::estimate::Operation {
    let mut out = BTreeMap::new();
    for (_, r) in keys {
        *out.entry(r.clone()).or_insert(0) += 1;
    }
    out
}

/// `+ instance 111111111111/eu-west-1` per instance (always with `every`:
/// `--output json`); past 24 of them, one line when every Region has the
/// same accounts, else one line per Region with the number of accounts.
fn instance_lines(mark: &str, keys: &[InstanceKey], every: bool) -> Vec<String> {
    if every || keys.len() <= 24 {
        return keys.iter().map(|(a, r)| format!("{mark} instance {a}/{r}")).collect();
    }
    let mut by_region: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, r) in keys {
        by_region.entry(r).or_default().push(a);
    }
    let first = by_region.values().next().cloned().unwrap_or_default();
    if by_region.values().all(|a| *a == first) {
        let regions: Vec<&str> = by_region.keys().cloned().collect();
        return vec![format!(
            "{mark} {} instances: {} accounts ({}, …) in each of {} Region{} ({}); `--output json` lists every instance",
            keys.len(),
            first.len(),
            first.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
            regions.len(),
            if regions.len() == 1 { "" } else { "s" },
            regions.join(", ")
        )];
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
    fn policy_arns_come_from_the_template_for_the_account() {
        let body = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      ManagedPolicyName: !Sub sessionlog-${AWS::Region}\n  Q:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      ManagedPolicyName: !Ref Unknown\n";
        assert_eq!(managed_policy_arns(body, "111111111111", "eu-west-1", "aws"), ["arn:aws:iam::111111111111:policy/sessionlog-eu-west-1"]);
    }

    #[test]
    fn instance_lines_are_summarized_per_region_past_24() {
        let few: Vec<InstanceKey> = (0..3).map(|i| (format!("{i:012}"), "eu-west-1".to_string())).collect();
        assert_eq!(instance_lines("+", &few, false)[0], "+ instance 000000000000/eu-west-1");
        let many: Vec<InstanceKey> = (0..30)
            .flat_map(|i| ["eu-west-1", "us-east-1"].map(|r| (format!("{i:012}"), r.to_string())))
            .collect();
        let lines = instance_lines("-", &many, false);
        assert_eq!(lines, ["- 60 instances: 30 accounts (000000000000, 000000000001, 000000000002, …) in each of 2 Regions (eu-west-1, us-east-1); `--output json` lists every instance"]);
        assert_eq!(instance_lines("-", &many, true).len(), 60);
        let uneven: Vec<InstanceKey> = many.iter().filter(|(a, r)| r == "eu-west-1" || a.as_str() < "000000000010").cloned().collect();
        let lines = instance_lines("-", &uneven, false);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("- 30 instances in eu-west-1 (000000000000, 000000000001, 000000000002, …)"), "{lines:?}");
    }
}
