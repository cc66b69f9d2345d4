//! StackSets side by side: each StackSet's operations run one after the
//! other (StackSets runs one operation at a time per StackSet), different
//! StackSets at the same time, except where one depends on another (its
//! operations start once the other's have all ended, and not at all when
//! one of them failed). One loop polls every running operation.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::future::Future;
use std::pin::Pin;

use anyhow::Result;

use super::engine::Engine;
use super::planning::InstanceKey;
use super::report::Event;
use super::stackset::{self, Started};
use super::{status, wait, Rollout, SetDef};

pub(super) type Starter = Box<dyn Fn() -> Pin<Box<dyn Future<Output = Result<Started>> + Send + 'static>> + Send>;

/// One operation to start: its action (`UPDATE`, `CREATE`, …) and how.
pub(super) struct Step {
    pub(super) action: &'static str,
    pub(super) start: Starter,
}

struct Running {
    id: String,
    action: &'static str,
    last: BTreeMap<InstanceKey, String>,
    deadline: tokio::time::Instant,
}

/// The operations of one StackSet, in order.
pub(super) struct SetWork<'r> {
    pub(super) set: &'r SetDef,
    pub(super) steps: VecDeque<Step>,
    /// Indexes (in the same list) of the StackSets this one waits for.
    pub(super) after: Vec<usize>,
    /// Instances being removed: checked for leftovers at the end.
    pub(super) removing: BTreeSet<InstanceKey>,
    /// Few enough instances to list at every poll (progress per instance);
    /// else only the failed ones, at the end.
    pub(super) small: bool,
    running: Option<Running>,
    busy: u32,
    failed: bool,
    done: bool,
}

impl<'r> SetWork<'r> {
    pub(super) fn new(set: &'r SetDef, steps: VecDeque<Step>, after: Vec<usize>, removing: BTreeSet<InstanceKey>, small: bool) -> Self {
        SetWork {
            set,
            steps,
            after,
            removing,
            small,
            running: None,
            busy: 0,
            failed: false,
            done: false,
        }
    }
}

impl Engine<'_, '_> {
    /// Run every StackSet's operations to the end; true when one failed.
    pub(super) async fn run_side_by_side(&mut self, r: &Rollout, mut work: Vec<SetWork<'_>>) -> Result<bool> {
        let cfn = self.aws.cfn(&r.stack_set_region);
        loop {
            let mut all_done = true;
            for i in 0..work.len() {
                if work[i].done {
                    continue;
                }
                all_done = false;
                if work[i].running.is_some() {
                    self.poll_one(&cfn, &mut work[i]).await?;
                    continue;
                }
                if work[i].after.iter().any(|&j| !work[j].done) {
                    continue;
                }
                if let Some(&j) = work[i].after.iter().find(|&&j| work[j].failed) {
                    let (name, dep) = (work[i].set.name.clone(), work[j].set.name.clone());
                    self.rep.emit(Event::Note {
                        text: format!("{name}: not changed, because {dep}, which it depends on, failed"),
                    });
                    work[i].failed = true;
                    work[i].done = true;
                    continue;
                }
                let w = &mut work[i];
                let Some(step) = w.steps.pop_front() else {
                    if !w.removing.is_empty() {
                        w.failed |= !self.left_over(&cfn, w.set, &w.removing).await?;
                    }
                    w.done = true;
                    continue;
                };
                match (step.start)().await? {
                    Started::Id(id) => {
                        self.rep.emit(Event::Operation {
                            stack_set: w.set.name.clone(),
                            operation_id: id.clone(),
                            action: step.action.into(),
                            status: "STARTED".into(),
                        });
                        w.running = Some(Running {
                            id,
                            action: step.action,
                            last: BTreeMap::new(),
                            deadline: tokio::time::Instant::now() + self.opts.timeout,
                        });
                    }
                    Started::Busy if w.busy < 100 => {
                        // Another operation (started elsewhere) runs: next round.
                        w.busy += 1;
                        w.steps.push_front(step);
                    }
                    Started::Busy => anyhow::bail!("{}: another operation is always in progress", w.set.name),
                }
            }
            if all_done {
                return Ok(work.iter().any(|w| w.failed));
            }
            wait::poll_pause(self.opts.poll_interval).await;
        }
    }

    /// One look at a StackSet's running operation; reports it when it ended.
    async fn poll_one(&mut self, cfn: &aws_sdk_cloudformation::Client, w: &mut SetWork<'_>) -> Result<()> {
        let s = w.set;
        let run = w.running.as_mut().expect("running");
        let (st, reason) = stackset::poll_operation(cfn, s, &run.id, self.opts).await?;
        let mut listed = None;
        if w.small {
            let now = stackset::instances(cfn, s, self.opts).await?;
            for i in &now {
                let text = if i.detailed == status::DetailedStatus::Succeeded {
                    i.status.to_string()
                } else {
                    format!("{} {}", i.status, i.detailed)
                };
                if run.last.get(&i.key()) != Some(&text) {
                    self.rep.emit(Event::Instance {
                        stack_set: s.name.clone(),
                        account: i.account.clone(),
                        region: i.region.clone(),
                        status: text.clone(),
                        reason: i.reason.clone(),
                    });
                    run.last.insert(i.key(), text);
                }
            }
            listed = Some(now);
        }
        if !st.is_settled() {
            if tokio::time::Instant::now() > run.deadline {
                anyhow::bail!("timed out waiting for operation {} of {}", run.id, s.name);
            }
            return Ok(());
        }
        let run = w.running.take().expect("running");
        let failed_instances = match listed {
            Some(all) => all.into_iter().filter(|i| i.is_failed()).collect(),
            None => stackset::failed_instances(cfn, s, self.opts).await?,
        };
        let mut ok = st.is_success();
        for i in &failed_instances {
            ok = false;
            let why = i.reason.clone().unwrap_or_else(|| i.detailed.to_string());
            let remedy = self.instance_remedy(s, &i.account, &i.region, &why, run.action);
            self.rep.emit(Event::Failure {
                target: format!("{} {}/{}", s.name, i.account, i.region),
                reason: why,
                remedy,
            });
        }
        if !st.is_success() {
            for (a, rg, why) in stackset::operation_failures(cfn, s, &run.id).await {
                self.failure(&format!("{} {a}/{rg}", s.name), &why);
            }
            self.failure(&format!("{} operation {}", s.name, run.id), &reason.clone().unwrap_or_else(|| st.to_string()));
        }
        self.rep.emit(Event::Operation {
            stack_set: s.name.clone(),
            operation_id: run.id,
            action: run.action.into(),
            status: st.to_string(),
        });
        w.failed |= !ok;
        Ok(())
    }
}
