//! Which accounts a StackSet's deployment targets cover, from Organizations.

use std::collections::BTreeSet;

use anyhow::{Context, Result};

use crate::bundle::DeploymentTargets;

/// Whether an account can take stack instances: Organizations' `State`
/// (which replaces `Status`) is ACTIVE or PENDING_ACTIVATION, not
/// SUSPENDED, PENDING_CLOSURE or CLOSED; `Status` (ACTIVE, SUSPENDED,
/// PENDING_CLOSURE) when `State` is absent.
pub fn takes_instances(a: &aws_sdk_organizations::types::Account) -> bool {
    match (a.state(), a.status()) {
        (Some(state), _) => !matches!(state.as_str(), "SUSPENDED" | "PENDING_CLOSURE" | "CLOSED"),
        (None, Some(status)) => !matches!(status.as_str(), "SUSPENDED" | "PENDING_CLOSURE"),
        (None, None) => true,
    }
}

/// Every account under the target OUs (recursively, roots included) that
/// can take stack instances, minus the exclusions and the management account
/// (service-managed StackSets never deploy there); and those that cannot
/// (suspended, closing or closed).
pub async fn target_accounts(
    org: &aws_sdk_organizations::Client,
    targets: &DeploymentTargets,
    management_account: &str,
) -> Result<(BTreeSet<String>, BTreeSet<String>)> {
    let mut out = BTreeSet::new();
    let mut inactive = BTreeSet::new();
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
                match (a.id(), takes_instances(a)) {
                    (Some(id), true) => {
                        out.insert(id.to_string());
                    }
                    (Some(id), false) => {
                        inactive.insert(id.to_string());
                    }
                    (None, _) => {}
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
    Ok((out, inactive))
}

#[cfg(test)]
mod tests {
    use aws_sdk_organizations::types::{Account, AccountState, AccountStatus};

    #[test]
    fn state_decides_and_status_is_the_fallback() {
        let a = |state: Option<&str>, status: Option<&str>| {
            Account::builder().set_state(state.map(AccountState::from)).set_status(status.map(AccountStatus::from)).build()
        };
        assert!(super::takes_instances(&a(Some("ACTIVE"), Some("ACTIVE"))));
        // Closing: Status still says ACTIVE, State says PENDING_CLOSURE.
        assert!(!super::takes_instances(&a(Some("PENDING_CLOSURE"), Some("ACTIVE"))));
        assert!(!super::takes_instances(&a(Some("SUSPENDED"), None)));
        assert!(!super::takes_instances(&a(Some("CLOSED"), None)));
        assert!(!super::takes_instances(&a(None, Some("SUSPENDED"))));
        assert!(super::takes_instances(&a(None, Some("ACTIVE"))));
    }
}
