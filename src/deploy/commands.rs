//! `plan`, `deploy`, `status` and `destroy` of a [`Rollout`]: the order of
//! the steps, the refusals and the confirmation.

use std::collections::{BTreeSet, VecDeque};
use std::io::{BufRead, IsTerminal, Write};

use anyhow::Result;

use crate::exit;
use crate::model::resources::logs::SessionLogGroup;
use crate::model::template::ResourceProperties;
use super::client::Aws;
use super::engine::{Engine, SetPlan, StackPlan, StackStep};
use super::estimate;
use super::params::{known, resolve};
use super::plain::{self, Applied};
use super::planning::InstanceKey;
use super::report::{Event, Reporter};
use super::status::StackStatus;
use super::stackset::InstanceOp;
use super::side_by_side::{SetWork, Step};
use super::{archive, management, noop, remedy, requirements, stackset};
use super::{DeployOptions, Rollout};

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
    /// The management-account stacks, after the StackSets.
    management: Vec<StackPlan>,
    /// The log-archive account lacks a region its stacks need: nothing can
    /// be deployed (reported; nothing else planned).
    archive_blocked: bool,
}

impl FullPlan {
    fn is_empty(&self) -> bool {
        self.stacks.iter().chain(&self.management).all(|s| matches!(s.step, StackStep::UpToDate)) && self.sets.iter().all(SetPlan::is_empty)
    }
}

async fn make_plan(e: &mut Engine<'_, '_>, r: &Rollout) -> Result<FullPlan> {
    if e.archive_regions_blocked(r).await {
        e.rep.emit(Event::Note {
            text: "the log-archive stacks cannot be created where their region is not enabled, and every StackSet needs them: nothing else is planned".into(),
        });
        return Ok(FullPlan { stacks: Vec::new(), sets: Vec::new(), management: Vec::new(), archive_blocked: true });
    }
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
    estimate_note(e, r, &sets);
    let management = management::plan(e, r).await?;
    e.adoption_section();
    for s in r.stack_sets.iter().filter(|s| s.body.contains(SessionLogGroup::TYPE)) {
        e.rep.emit(Event::Note {
            text: format!(
                "{}: each account's log group is created, or adopted where an earlier stack instance left it (create-or-adopt function; StackSets cannot import)",
                s.name
            ),
        });
    }
    requirements::check(e, r).await;
    Ok(FullPlan { stacks, sets, management, archive_blocked: false })
}

/// How long the StackSet operations will take (the simulator's model,
/// docs/scale.md), and a warning when the operation preferences make it
/// much longer than the recommended ones would.
fn estimate_note(e: &mut Engine<'_, '_>, r: &Rollout, sets: &[SetPlan]) {
    let recommended: Vec<_> = r.stack_sets.iter().map(|s| estimate::fastest(&s.operation_preferences)).collect();
    let work = |fast: bool| -> Vec<estimate::SetWork<'_>> {
        r.stack_sets
            .iter()
            .zip(sets)
            .enumerate()
            .map(|(i, (s, sp))| estimate::SetWork {
                name: &s.name,
                preferences: if fast { &recommended[i] } else { &s.operation_preferences },
                operations: sp.operations.clone(),
                depends_on: &s.depends_on,
            })
            .collect()
    };
    let secs = estimate::rollout_seconds(&work(false));
    if secs <= 0.0 {
        return;
    }
    let quickest = estimate::rollout_seconds(&work(true));
    e.rep.emit(Event::Note {
        text: format!(
            "StackSet operations: about {} (rounds of about {:.0} s per Region; StackSets side by side, each after those it depends on; docs/scale.md)",
            estimate::human(secs),
            estimate::ROUND_SECONDS
        ),
    });
    if secs > 1.5 * quickest {
        let p = &r.stack_sets[0].operation_preferences;
        e.rep.emit(Event::Note {
            text: format!(
                "slow rollout: stack_set.operation_preferences ({}, max_concurrent {:?}, failure_tolerance {:?}, {}) make this take about {}; \
                 with region_concurrency: PARALLEL, max_concurrent: {{percentage: 100}} and concurrency_mode: SOFT_FAILURE_TOLERANCE about {}",
                p.region_concurrency,
                p.max_concurrent,
                p.failure_tolerance,
                p.concurrency_mode,
                estimate::human(secs),
                estimate::human(quickest)
            ),
        });
    }
}

async fn discard_change_sets(e: &Engine<'_, '_>, r: &Rollout, p: &FullPlan) {
    discard_archive_change_sets(&e.aws, r, p).await;
    management::discard(e, r, &p.management).await;
}

async fn discard_archive_change_sets(aws: &Aws, r: &Rollout, p: &FullPlan) {
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
    discard_change_sets(&e, r, &p).await;
    if p.stacks.iter().chain(&p.management).any(|s| matches!(s.step, StackStep::Execute { .. })) {
        e.rep.emit(Event::Note { text: "(change sets were created to compute this plan and deleted again; no resource was changed)".into() });
    }
    if p.archive_blocked {
        // reported by make_plan
    } else if p.is_empty() {
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
    if p.archive_blocked {
        e.rep.emit(Event::Note { text: "stopping before any change: enable the region in the log-archive account, then deploy again".into() });
        e.summary(r, false).await?;
        return Ok(exit::DEPLOY_FAILED);
    }
    if p.is_empty() {
        let bad = e.summary(r, true).await?;
        return Ok(if bad || !e.skipped.is_empty() { exit::DEPLOY_FAILED } else { exit::OK });
    }
    if e.risky && !opts.allow_replacement {
        discard_change_sets(&e, r, &p).await;
        e.rep.emit(Event::Note {
            text: "refusing to deploy: this replaces or deletes a bucket, key or log group (logs at risk). Re-run with --allow-replacement if you mean it.".into(),
        });
        return Ok(exit::INVALID_INPUT);
    }
    if !confirm(opts, "Deploy these changes?", &mut e.rep) {
        discard_change_sets(&e, r, &p).await;
        return Ok(exit::INVALID_INPUT);
    }
    let mut failed = false;
    // 1. Log-archive stacks, in order: each may read the outputs of the previous ones.
    for (s, sp) in r.archive_stacks.iter().zip(p.stacks) {
        match plain::apply(&mut e, s, sp, opts).await? {
            Applied::Done => {}
            Applied::Refused => return Ok(exit::INVALID_INPUT),
            Applied::Failed => {
                e.rep.emit(Event::Note { text: "stopping: the StackSets depend on the log-archive stacks".into() });
                failed = true;
                break;
            }
        }
    }
    // 2. StackSets and their instances: every StackSet at once, except
    // where one depends on another (side_by_side).
    if !failed {
        let mut work = Vec::new();
        for (s, sp) in r.stack_sets.iter().zip(p.sets) {
            e.rep.emit(Event::Step { text: format!("StackSet {}", s.name) });
            // An earlier run may have been interrupted with an operation
            // still running: wait for it, then plan again.
            let sp = if e.wait_idle(r, s).await? {
                e.rep.emit(Event::Note { text: format!("{}: re-reading its state after the running operations", s.name) });
                let risky_before = e.risky;
                e.quiet = true;
                let sp = e.plan_set(r, s).await;
                e.quiet = false;
                let sp = sp?;
                if e.risky && !risky_before && !opts.allow_replacement {
                    e.rep.emit(Event::Note { text: format!("refusing to update {}: it replaces or deletes a log group; re-run with --allow-replacement", s.name) });
                    return Ok(exit::INVALID_INPUT);
                }
                sp
            } else {
                sp
            };
            let params = known(&resolve(&s.parameters, &e.outputs))
                .ok_or_else(|| anyhow::anyhow!("{}: a parameter has no value (missing log-archive stack outputs)", s.name))?;
            if s.body.len() > remedy::INLINE_TEMPLATE_LIMIT {
                anyhow::bail!("template of {} is {} bytes, over the inline size limit: {}", s.name, s.body.len(), remedy::remedy("template over the inline size").unwrap_or(""));
            }
            let cfn = e.aws.cfn(&r.stack_set_region);
            let after: Vec<usize> = s.depends_on.iter().filter_map(|d| r.stack_sets.iter().position(|x| &x.name == d)).collect();
            let mut deps = Vec::new();
            for &j in &after {
                deps.extend(stackset::arn(&cfn, &r.stack_sets[j], opts).await?);
            }
            let mut steps = VecDeque::new();
            if !sp.exists {
                stackset::create(&cfn, s, &params, &deps).await?;
                e.rep.emit(Event::Note { text: format!("{}: StackSet created", s.name) });
            } else if sp.definition_changed {
                let (c, s2, p2, d2) = (cfn.clone(), s.clone(), params.clone(), deps.clone());
                steps.push_back(Step {
                    action: "UPDATE",
                    start: Box::new(move || {
                        let (c, s2, p2, d2) = (c.clone(), s2.clone(), p2.clone(), d2.clone());
                        Box::pin(async move { stackset::update(&c, &s2, &p2, &d2).await })
                    }),
                });
            }
            let removing: BTreeSet<InstanceKey> =
                sp.removes.iter().flat_map(|b| b.accounts.iter().flatten().flat_map(|a| b.regions.iter().map(move |r| (a.clone(), r.clone())))).collect();
            // Re-run outdated instances, then add, then remove.
            let batches = sp.retries.into_iter().map(|b| (InstanceOp::Retry, b))
                .chain(sp.adds.into_iter().map(|b| (InstanceOp::Add, b)))
                .chain(sp.removes.into_iter().map(|b| (InstanceOp::Remove, b)));
            for (op, b) in batches {
                let (c, s2) = (cfn.clone(), s.clone());
                steps.push_back(Step {
                    action: op.action(),
                    start: Box::new(move || {
                        let (c, s2, b) = (c.clone(), s2.clone(), b.clone());
                        Box::pin(async move { op.start(&c, &s2, &b).await })
                    }),
                });
            }
            let small = sp.instances <= noop::PAGE && !e.large.contains(&s.name);
            work.push(SetWork::new(s, steps, after, removing, small));
        }
        failed |= e.run_side_by_side(r, work).await?;
    }
    // 3. Management-account stacks, which may reference what the StackSets created.
    if failed && !r.management_stacks.is_empty() {
        management::discard(&e, r, &p.management).await;
        e.rep.emit(Event::Note { text: "not deploying the management-account stacks: a StackSet failed, and they reference what it creates".into() });
    } else if !failed {
        match management::apply(&mut e, r, p.management, opts).await? {
            None | Some(Applied::Done) => {}
            Some(Applied::Refused) => return Ok(exit::INVALID_INPUT),
            Some(Applied::Failed) => failed = true,
        }
    }
    if !e.skipped.is_empty() {
        e.rep.emit(Event::Note {
            text: format!(
                "{} account/region pair(s) were left out because the region is not enabled there (SKIPPED in the table): enable them and deploy again",
                e.skipped.len()
            ),
        });
    }
    let bad = e.summary(r, false).await?;
    Ok(if failed || bad || !e.skipped.is_empty() { exit::DEPLOY_FAILED } else { exit::OK })
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
    e.rep.emit(Event::Step { text: "destroy: management-account stacks, StackSet instances, StackSets, then the log-archive stacks".into() });
    for s in r.management_stacks.iter().rev() {
        e.rep.emit(Event::Change { target: s.stack_name.clone(), line: format!("- stack {} ({}, management account)", s.stack_name, s.region), risky: false });
    }
    for s in &r.stack_sets {
        e.rep.emit(Event::Change { target: s.name.clone(), line: format!("- StackSet {} and all its instances", s.name), risky: false });
    }
    for s in r.archive_stacks.iter().rev() {
        e.rep.emit(Event::Change { target: s.stack_name.clone(), line: format!("- stack {} ({})", s.stack_name, s.region), risky: false });
    }
    if !confirm(opts, "Destroy these?", &mut e.rep) {
        return Ok(exit::INVALID_INPUT);
    }
    let mut failed = !management::destroy(&mut e, r, opts).await?;
    // Reverse deployment order: the preferences and log groups go before the
    // instance policy, so sessions keep working until logging is gone. Not
    // at all when a management-account stack that references them is left.
    let stack_sets: Vec<_> = if failed { Vec::new() } else { r.stack_sets.iter().enumerate().collect() };
    for (n, s) in stack_sets.into_iter().rev() {
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
        if failed {
            // Never delete a StackSet that still has instances, nor go on:
            // say exactly what is left.
            let left: Vec<String> = stackset::instances(&cfn, s, opts).await?.iter().map(|i| format!("{}/{}", i.account, i.region)).collect();
            let untouched: Vec<String> = r.stack_sets[..n].iter().map(|x| x.name.clone()).chain(r.archive_stacks.iter().map(|x| format!("{} ({})", x.stack_name, x.region))).collect();
            e.rep.emit(Event::Note {
                text: format!(
                    "destroy stopped: StackSet {} keeps {} instance(s) it could not delete ({}) and is not deleted; not touched: {}. \
                     Fix what the failures above say, then run `sessionlog destroy` again: it carries on from here.",
                    s.name,
                    left.len(),
                    left.join(", "),
                    if untouched.is_empty() { "nothing".to_string() } else { untouched.join(", ") }
                ),
            });
            break;
        }
        stackset::delete(&cfn, s).await?;
        e.rep.emit(Event::Note { text: format!("{}: StackSet deleted", s.name) });
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
