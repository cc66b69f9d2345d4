//! Knowing that a StackSet has every instance it should, none failed, from
//! a handful of calls, without listing its stack instances (18,000 for
//! 1,000 accounts × 18 Regions) nor the organization's accounts: then a
//! no-op is recognized as such, and a definition change is one
//! `UpdateStackSet` with nothing to add or retry.
//!
//! With no operation running (`ListStackSetOperations`), the instances are
//! complete when:
//! - the StackSet targets exactly the wanted OUs and Regions
//!   (`DescribeStackSet`: `OrganizationalUnitIds`, `Regions`) and
//!   excludes no account (an exclusion list is not kept by the service, so
//!   a change to it cannot be seen without listing);
//! - auto-deployment is on, so every account of those OUs has its
//!   instances (StackSets deploys to accounts that join them);
//! - the Regions are enabled by default (an opt-in Region may be off in
//!   some account: those are checked account by account);
//! - no instance is FAILED, CANCELLED, INOPERABLE or FAILED_IMPORT
//!   (`ListStackInstances` filtered by `DETAILED_STATUS`, one call each).
//!
//! Anything else: the full plan (accounts from Organizations, every instance).

use std::collections::BTreeSet;

use anyhow::Result;
use aws_sdk_cloudformation::Client;

use super::engine::Engine;
use super::report::Row;
use super::stackset::{self, DeployedSet};
use super::SetDef;

/// Stack instances per `ListStackInstances` page: StackSets with more are
/// summarized (failed instances, then one row for the rest).
pub const PAGE: usize = 100;

impl Engine<'_, '_> {
    /// True when the StackSet is known to be up to date without listing.
    pub(super) async fn noop(&mut self, cfn: &Client, s: &SetDef, d: &DeployedSet) -> Result<bool> {
        let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<String>>();
        if !s.auto_deployment.enabled
            || !s.targets.exclude_accounts.is_empty()
            || d.regions.is_empty()
            || set(&d.regions) != set(&s.regions)
            || set(&d.organizational_units) != set(&s.targets.organizational_units)
        {
            return Ok(false);
        }
        match self.opt_in_among(&s.regions).await {
            Some(opt_in) if opt_in.is_empty() => {}
            _ => return Ok(false),
        }
        Ok(stackset::failed_instances(cfn, s, self.opts).await?.is_empty())
    }

    /// The table rows of a large StackSet: each failed instance, and one row
    /// for the others. True when one failed.
    pub(super) async fn large_rows(&mut self, cfn: &Client, s: &SetDef, rows: &mut Vec<Row>) -> Result<bool> {
        let failed = stackset::failed_instances(cfn, s, self.opts).await?;
        for i in &failed {
            let reason = i.reason.clone().unwrap_or_default();
            let reason = match self.instance_remedy(s, &i.account, &i.region, &reason, "") {
                Some(m) => format!("{reason} — {m}"),
                None => reason,
            };
            rows.push(Row {
                target: s.name.clone(),
                account: i.account.clone(),
                region: i.region.clone(),
                status: format!("{} {}", i.status, i.detailed),
                reason,
            });
        }
        rows.push(Row {
            target: s.name.clone(),
            account: "(every other target account)".into(),
            region: format!("({} Regions)", s.regions.len()),
            status: "CURRENT".into(),
            reason: format!("{} failed; `sessionlog status --output json` lists every instance", failed.len()),
        });
        Ok(!failed.is_empty())
    }
}
