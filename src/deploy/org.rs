//! Which accounts a StackSet's deployment targets cover, from Organizations.

use std::collections::BTreeSet;

use anyhow::{Context, Result};

use crate::bundle::DeploymentTargets;

/// Every account under the target OUs (recursively, roots included), minus
/// the exclusions and the management account (service-managed StackSets
/// never deploy there).
pub async fn target_accounts(
    org: &aws_sdk_organizations::Client,
    targets: &DeploymentTargets,
    management_account: &str,
) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    let mut queue: Vec<String> = targets.organizational_units.clone();
    let mut seen = BTreeSet::new();
    while let Some(parent) = queue.pop() {
        if !seen.insert(parent.clone()) {
            continue;
        }
        let mut pages = org.list_accounts_for_parent().parent_id(&parent).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.with_context(|| format!("listing the accounts of {parent}"))?;
            for a in page.accounts() {
                let active = a.status().map(|s| s.as_str() != "SUSPENDED").unwrap_or(true);
                if let (Some(id), true) = (a.id(), active) {
                    out.insert(id.to_string());
                }
            }
        }
        let mut pages = org.list_organizational_units_for_parent().parent_id(&parent).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.with_context(|| format!("listing the OUs under {parent}"))?;
            for ou in page.organizational_units() {
                if let Some(id) = ou.id() {
                    queue.push(id.to_string());
                }
            }
        }
    }
    out.remove(management_account);
    for a in &targets.exclude_accounts {
        out.remove(a);
    }
    Ok(out)
}
