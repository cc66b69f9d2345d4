//! Opt-in regions (fact 15): a stack instance fails in an account that has
//! not enabled the region. Before any StackSet operation, the Account
//! Management API (from the management account) says which configured
//! regions are opt-in and, for each target account, whether it has them;
//! the missing ones are reported with the command that enables them and
//! left out of the rollout instead of failing in it.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_account::error::ProvideErrorMetadata;

use super::client::Aws;

/// What the check found, or why it could not run.
#[derive(Debug, Clone, Default)]
pub struct RegionCheck {
    /// `(account, region)` → opt-in status other than enabled
    /// (`DISABLED`, `ENABLING`, `DISABLING`).
    pub not_enabled: BTreeMap<(String, String), String>,
    /// Why the check was not made (the deploy goes on without it).
    pub unchecked: Option<String>,
}

/// The statuses under which stack instances can be created.
fn enabled(status: &str) -> bool {
    matches!(status, "ENABLED" | "ENABLED_BY_DEFAULT")
}

/// The command that enables `region` in `account`, run in the management account.
pub fn remedy(account: &str, region: &str, status: &str) -> String {
    if status == "ENABLING" {
        format!("region {region} is being enabled in account {account}; deploy again once `aws account get-region-opt-status --account-id {account} --region-name {region}` says ENABLED")
    } else {
        format!(
            "enable it from the management account: `aws account enable-region --account-id {account} --region-name {region}`, then deploy again once `aws account get-region-opt-status --account-id {account} --region-name {region}` says ENABLED"
        )
    }
}

fn trusted_access_hint(code: &str, message: &str) -> String {
    if code == "AccessDeniedException" {
        format!(
            "{code}: {message}. The Account Management API needs trusted access from the management account: \
             `aws organizations enable-aws-service-access --service-principal account.amazonaws.com` \
             (or a delegated administrator for account management)"
        )
    } else {
        format!("{code}: {message}")
    }
}

/// Which of `regions` are opt-in: those the caller's own account does not
/// have `ENABLED_BY_DEFAULT`. The list of regions is read once per run
/// (`cache`).
pub(super) async fn opt_in_regions(
    aws: &Aws,
    regions: &BTreeSet<String>,
    cache: &mut Option<BTreeSet<String>>,
) -> Result<BTreeSet<String>, String> {
    if cache.is_none() {
        *cache = Some(regions_by_default(aws).await?);
    }
    let by_default = cache.as_ref().expect("just read");
    Ok(regions
        .iter()
        .filter(|r| !by_default.contains(*r))
        .cloned()
        .collect())
}

/// The regions enabled by default (ListRegions).
async fn regions_by_default(aws: &Aws) -> Result<BTreeSet<String>, String> {
    let client = aws.account();
    let mut by_default = BTreeSet::new();
    let mut token: Option<String> = None;
    for _ in 0..20 {
        let r = client
            .list_regions()
            .max_results(50)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| {
                trusted_access_hint(
                    e.code().unwrap_or("error"),
                    e.message().unwrap_or(&e.to_string()),
                )
            })?;
        for region in r.regions() {
            if region.region_opt_status().map(|s| s.as_str()) == Some("ENABLED_BY_DEFAULT") {
                by_default.insert(region.region_name().unwrap_or("").to_string());
            }
        }
        token = r.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(by_default)
}

/// Accounts × regions that cannot take stack instances.
pub async fn check(
    aws: &Aws,
    accounts: &BTreeSet<String>,
    regions: &BTreeSet<String>,
    cache: &mut Option<BTreeSet<String>>,
) -> RegionCheck {
    let mut out = RegionCheck::default();
    let opt_in = match opt_in_regions(aws, regions, cache).await {
        Ok(r) => r,
        Err(why) => {
            out.unchecked = Some(why);
            return out;
        }
    };
    let client = aws.account();
    for region in &opt_in {
        for account in accounts {
            match client
                .get_region_opt_status()
                .account_id(account)
                .region_name(region)
                .send()
                .await
            {
                Ok(r) => {
                    let status = r
                        .region_opt_status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default();
                    if !enabled(&status) {
                        out.not_enabled
                            .insert((account.clone(), region.clone()), status);
                    }
                }
                Err(e) => {
                    out.unchecked = Some(trusted_access_hint(
                        e.code().unwrap_or("error"),
                        e.message().unwrap_or(&e.to_string()),
                    ));
                    return out;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remedies_name_the_account_and_region() {
        let r = remedy("111111111111", "eu-south-1", "DISABLED");
        assert!(
            r.contains(
                "aws account enable-region --account-id 111111111111 --region-name eu-south-1"
            ),
            "{r}"
        );
        assert!(remedy("1", "r", "ENABLING").contains("being enabled"));
        assert!(enabled("ENABLED_BY_DEFAULT") && enabled("ENABLED") && !enabled("DISABLING"));
        assert!(
            trusted_access_hint("AccessDeniedException", "no").contains("account.amazonaws.com")
        );
    }
}
