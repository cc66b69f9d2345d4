//! Bringing one plain stack (log-archive or management account) to its
//! template, after planning: run the change set the plan made, or make it
//! now when the stack's parameters come from stacks deployed earlier in this
//! run, the stack adopts retained resources (imported first), or it must
//! first be deleted (its creation having rolled back). The account's
//! credentials come from [`super::client::Aws::cfn_in`].

use anyhow::Result;

use super::archive;
use super::engine::{Engine, StackPlan, StackStep};
use super::params::{known, resolve};
use super::report::Event;
use super::{DeployOptions, PlainStack};

/// How applying one stack ended.
pub(super) enum Applied {
    /// The stack is up to date (changed or not); its outputs are recorded.
    Done,
    /// The stack failed; the reasons were reported.
    Failed,
    /// A replacement of a bucket, key or log group was refused (no
    /// `--allow-replacement`); nothing was executed.
    Refused,
}

pub(super) async fn apply(
    e: &mut Engine<'_, '_>,
    s: &PlainStack,
    sp: StackPlan,
    opts: &DeployOptions,
) -> Result<Applied> {
    let cfn = e.aws.cfn_in(&s.account, &s.region);
    let target = format!("{} ({})", s.stack_name, s.region);
    let change_set = match sp.step {
        StackStep::UpToDate => None,
        StackStep::Execute { change_set } => Some(change_set),
        StackStep::Later { recreate } => {
            if recreate {
                e.rep.emit(Event::Step {
                    text: format!("deleting {target} (creation had rolled back)"),
                });
                archive::delete_stack(&cfn, &s.stack_name, opts).await?;
            }
            let wanted = resolve(&s.parameters, &e.outputs);
            let Some(params) = known(&wanted) else {
                anyhow::bail!(
                    "{}: parameters {:?} have no value (missing stack outputs)",
                    s.stack_name,
                    wanted
                        .iter()
                        .filter(|(_, v)| v.is_none())
                        .map(|(k, _)| k)
                        .collect::<Vec<_>>()
                );
            };
            // A stack that does not exist adopts what an earlier one
            // retained: imported first, then updated like any stack.
            let mut create = sp.create;
            if create {
                let found = e.discover(s, &params).await?;
                if !found.found.is_empty() {
                    if !e.import(s, &params, &found).await? {
                        return Ok(Applied::Failed);
                    }
                    create = false;
                }
            }
            e.rep.emit(Event::Step {
                text: format!("change set for {target}"),
            });
            let risky_before = e.risky;
            e.risky = false;
            let sp = e.stack_change_set(s, &params, create).await?;
            let now_risky = e.risky;
            e.risky |= risky_before;
            match sp.step {
                StackStep::Execute { change_set } if now_risky && !opts.allow_replacement => {
                    archive::delete_change_set(&cfn, &s.stack_name, &change_set).await;
                    e.rep.emit(Event::Note { text: format!("refusing to execute the change set of {target}: it replaces or deletes a bucket, key or log group; re-run with --allow-replacement") });
                    return Ok(Applied::Refused);
                }
                StackStep::Execute { change_set } => Some(change_set),
                _ => None,
            }
        }
    };
    if let Some(cs) = change_set {
        e.rep.emit(Event::Step {
            text: format!("executing change set {cs} on {target}"),
        });
        let (st, reasons) = archive::execute(&cfn, &s.stack_name, &cs, opts).await?;
        if !e.stack_ended(s, &target, &st, &reasons, |st| !st.is_failure()) {
            return Ok(Applied::Failed);
        }
    }
    let d = archive::describe(&cfn, &s.stack_name, opts).await?;
    e.outputs
        .insert((s.stack_name.clone(), s.region.clone()), d.outputs);
    Ok(Applied::Done)
}
