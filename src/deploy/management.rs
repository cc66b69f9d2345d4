//! Stacks in the management account (the operators' IAM Identity Center
//! permission sets): plain stacks deployed with the caller's own
//! credentials, planned and applied after the StackSets (a permission set
//! references a policy the member IAM StackSet creates), destroyed before
//! them (a policy still referenced by a provisioned permission set cannot be
//! deleted).

use anyhow::Result;

use super::archive;
use super::engine::{Engine, StackPlan, StackStep};
use super::plain::{self, Applied};
use super::report::Event;
use super::status::StackStatus;
use super::{DeployOptions, Rollout};

pub(super) async fn plan(e: &mut Engine<'_, '_>, r: &Rollout) -> Result<Vec<StackPlan>> {
    let mut plans = Vec::new();
    for s in &r.management_stacks {
        e.rep.emit(Event::Step {
            text: format!(
                "management-account stack {} in {}/{}",
                s.stack_name, s.account, s.region
            ),
        });
        plans.push(e.plan_stack(s).await?);
    }
    Ok(plans)
}

/// Apply the plans in order. `Ok(None)` when all went through, else the
/// outcome that stopped the rollout.
pub(super) async fn apply(
    e: &mut Engine<'_, '_>,
    r: &Rollout,
    plans: Vec<StackPlan>,
    opts: &DeployOptions,
) -> Result<Option<Applied>> {
    for (s, sp) in r.management_stacks.iter().zip(plans) {
        match plain::apply(e, s, sp, opts).await? {
            Applied::Done => {}
            stop => return Ok(Some(stop)),
        }
    }
    Ok(None)
}

/// Change sets created while planning that will not be executed.
pub(super) async fn discard(e: &Engine<'_, '_>, r: &Rollout, plans: &[StackPlan]) {
    for (s, sp) in r.management_stacks.iter().zip(plans) {
        if let StackStep::Execute { change_set } = &sp.step {
            let cfn = e.aws.cfn_in(&s.account, &s.region);
            archive::delete_change_set(&cfn, &s.stack_name, change_set).await;
            if sp.create {
                // A CREATE change set leaves an empty REVIEW_IN_PROGRESS stack.
                let _ = cfn.delete_stack().stack_name(&s.stack_name).send().await;
            }
        }
    }
}

/// Delete the management stacks, last first. False when one failed.
pub(super) async fn destroy(
    e: &mut Engine<'_, '_>,
    r: &Rollout,
    opts: &DeployOptions,
) -> Result<bool> {
    for s in r.management_stacks.iter().rev() {
        let cfn = e.aws.cfn_in(&s.account, &s.region);
        if archive::describe(&cfn, &s.stack_name, opts)
            .await?
            .status
            .is_none()
        {
            continue;
        }
        let (st, reasons) = archive::delete_stack(&cfn, &s.stack_name, opts).await?;
        if !e.stack_ended(s, &s.stack_name, &st, &reasons, |st| *st == StackStatus::DeleteComplete) {
            e.rep.emit(Event::Note { text: format!("stopping: {} still exists, so the StackSets (and the policies its permission sets reference) are kept", s.stack_name) });
            return Ok(false);
        }
    }
    Ok(true)
}
