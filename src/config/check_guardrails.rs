//! Cross-field rules of the `guardrails` part. The two that need the built
//! policy to measure it (the SCP's size, the watch function's environment)
//! are the stack builders' (`stacks::guardrails::size_problems`), reported
//! as configuration errors by the commands, so the size checked is the size
//! deployed.

use super::diagnostic::Diagnostic;
use super::model::*;
use crate::aws::regions;

const P: &str = "/guardrails";
const REMEDIATION: &str = "AWS::Config::RemediationConfiguration";

pub fn check(c: &Config, out: &mut Vec<Diagnostic>) {
    let g = &c.guardrails;
    check_region(c, out);
    check_trail(c, out);
    if g.config_guard {
        check_config_guard(c, out);
    }
    if g.preferences_watch {
        check_watch(c, out);
    }
    if g.scp.enabled {
        check_scp(c, out);
    }
    check_log_archive_guard(c, out);
}

/// Warnings of the guardrails: every remote-access path allowed without a
/// transcript or recording.
pub fn warnings(c: &Config) -> Vec<Diagnostic> {
    let g = &c.guardrails;
    if !g.scp.enabled {
        return Vec::new();
    }
    g.scp
        .unlogged_access
        .allowed()
        .into_iter()
        .map(|(key, what)| {
            Diagnostic::new(
                format!("{P}/scp/unlogged_access/{key}"),
                format!("the remote-access SCP allows {what}: such sessions leave no transcript or recording"),
            )
            .help("CloudTrail records only who started them; remove it unless the organization accepts that")
        })
        .collect()
}

fn check_break_glass(p: &str, roles: &[String], out: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::BTreeSet::new();
    for (i, r) in roles.iter().enumerate() {
        if !seen.insert(r) {
            out.push(Diagnostic::new(
                format!("{p}/break_glass_roles/{i}"),
                format!("`{r}` is listed twice"),
            ));
        } else if r.chars().all(|ch| ch == '*' || ch == '?' || ch == '/') {
            out.push(
                Diagnostic::new(
                    format!("{p}/break_glass_roles/{i}"),
                    format!("`{r}` exempts every role: the SCP would protect nothing"),
                )
                .help("name the break-glass roles, like `BreakGlassAdmin` or `emergency/*`"),
            );
        } else if r.starts_with("sessionlog/") || r.starts_with("stacksets-exec-") {
            out.push(
                Diagnostic::new(
                    format!("{p}/break_glass_roles/{i}"),
                    format!("`{r}` names sessionlog's or the StackSets' own roles, which are exempt already"),
                )
                .help("name roles of your own"),
            );
        }
    }
}

fn check_log_archive_guard(c: &Config, out: &mut Vec<Diagnostic>) {
    let g = &c.guardrails.log_archive;
    let p = format!("{P}/log_archive");
    check_break_glass(&p, &g.break_glass_roles, out);
    if !g.scp && !g.break_glass_roles.is_empty() {
        out.push(
            Diagnostic::new(format!("{p}/break_glass_roles"), "break-glass roles without the log-archive SCP exempt nothing")
                .help("turn guardrails.log_archive.scp on, or remove them"),
        );
    }
    if !g.alarm && !g.alarm_emails.is_empty() {
        out.push(
            Diagnostic::new(format!("{p}/alarm_emails"), "alarm emails without the alarm receive nothing")
                .help("turn guardrails.log_archive.alarm on, or remove them"),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, e) in g.alarm_emails.iter().enumerate() {
        if !seen.insert(e.to_lowercase()) {
            out.push(Diagnostic::new(format!("{p}/alarm_emails/{i}"), format!("`{e}` is listed twice")));
        }
    }
}

fn check_region(c: &Config, out: &mut Vec<Diagnostic>) {
    let Some(region) = &c.guardrails.region else {
        return;
    };
    let p = format!("{P}/region");
    if !regions::is_known(region) {
        out.push(
            Diagnostic::new(p, format!("unknown region `{region}`"))
                .help(format!("known regions: {}", regions::known().join(", "))),
        );
    } else if regions::partition(region) != regions::partition(&c.log_archive.region) {
        out.push(
            Diagnostic::new(
                p,
                format!(
                    "region `{region}` is in partition `{}`",
                    regions::partition(region)
                ),
            )
            .help(format!(
                "the guardrails must be in the log archive's partition `{}`",
                regions::partition(&c.log_archive.region)
            )),
        );
    }
}

fn check_trail(c: &Config, out: &mut Vec<Diagnostic>) {
    let ct = &c.guardrails.cloudtrail;
    let p = format!("{P}/cloudtrail");
    let existing_only = [
        ("owner", ct.owner.is_some()),
        ("bucket", ct.bucket.is_some()),
        ("kms_key_arn", ct.kms_key_arn.is_some()),
    ];
    match ct.mode {
        TrailMode::Organization | TrailMode::Off => {
            for (key, set) in existing_only {
                if set {
                    out.push(
                        Diagnostic::new(
                            format!("{p}/{key}"),
                            format!("`{key}` applies only to an existing trail"),
                        )
                        .help("remove it, or set cloudtrail.mode: existing"),
                    );
                }
            }
            if ct.mode == TrailMode::Organization {
                if ct.arn_parts().is_some() {
                    out.push(
                        Diagnostic::new(
                            format!("{p}/trail"),
                            "the organization trail sessionlog creates is named, not given by ARN",
                        )
                        .help("give a trail name, like `sessionlog-organization`"),
                    );
                }
                let prefix = ct.organization_prefix();
                let accounts = &c.log_archive.bucket.key_prefix;
                if prefix == accounts
                    || prefix.starts_with(&format!("{accounts}/"))
                    || accounts.starts_with(&format!("{prefix}/"))
                {
                    out.push(
                        Diagnostic::new(format!("{p}/key_prefix"), format!("`{prefix}` overlaps the accounts' prefix `{accounts}`"))
                            .help("the trail's log files need a prefix of their own in the bucket, like `cloudtrail`"),
                    );
                }
            }
        }
        TrailMode::Existing => {
            let owner = ct.owner.unwrap_or_default();
            if let Some((region, account)) = ct.arn_parts() {
                if owner == TrailOwner::Members {
                    out.push(
                        Diagnostic::new(
                            format!("{p}/trail"),
                            "a trail in every member account is given by name, not by ARN",
                        )
                        .help("give the name the trail has in every member account"),
                    );
                } else if account != c.organization.management_account {
                    out.push(
                        Diagnostic::new(format!("{p}/trail"), format!("the trail's account `{account}` is not the management account"))
                            .help("an organization trail lives in the management account; for a trail in each member account set owner: members"),
                    );
                }
                if owner == TrailOwner::Management {
                    if let Some(r) = &c.guardrails.region {
                        if r != region {
                            out.push(
                                Diagnostic::new(format!("{P}/region"), format!("`{r}` is not the trail's home region `{region}`"))
                                    .help("the guard must run in the trail's home region: set guardrails.region to it, or remove it"),
                            );
                        }
                    }
                }
            }
            if c.guardrails.config_guard {
                for (key, set, what) in [
                    (
                        "bucket",
                        ct.bucket.is_some(),
                        "the bucket the trail delivers to",
                    ),
                    (
                        "kms_key_arn",
                        ct.kms_key_arn.is_some(),
                        "the KMS key ARN the trail encrypts with",
                    ),
                ] {
                    if !set {
                        out.push(
                            Diagnostic::new(
                                p.clone(),
                                format!("the Config guard of an existing trail needs `{key}`"),
                            )
                            .help(format!(
                                "set cloudtrail.{key} to {what}: the guard's runbook restores it"
                            )),
                        );
                    }
                }
            }
            let region = c.guardrails.region(&c.log_archive.region);
            if let Some(key) = ct
                .kms_key_arn
                .as_ref()
                .filter(|k| !k.contains(&format!(":kms:{region}:")))
            {
                out.push(
                    Diagnostic::new(format!("{p}/kms_key_arn"), format!("`{key}` is not a key of the trail's region `{region}`"))
                        .help("CloudTrail encrypts with a key of the trail's home region (a multi-region key's replica there will do)"),
                );
            }
        }
    }
}

fn check_config_guard(c: &Config, out: &mut Vec<Diagnostic>) {
    let p = format!("{P}/config_guard");
    if c.guardrails.cloudtrail.mode == TrailMode::Off {
        out.push(
            Diagnostic::new(p.clone(), "the Config guard has no trail to guard: cloudtrail.mode is off")
                .help("set guardrails.cloudtrail.mode to organization or existing, or turn config_guard off"),
        );
        return;
    }
    let region = c.guardrails.region(&c.log_archive.region);
    if regions::is_known(&region) && !regions::has_type(REMEDIATION, &region) {
        out.push(
            Diagnostic::new(p, format!("AWS Config remediation ({REMEDIATION}) is not available in `{region}`, the trail's region"))
                .help("set guardrails.region to a region with Config remediation (and the trail's home region there), or turn config_guard off"),
        );
    }
}

fn check_watch(c: &Config, out: &mut Vec<Diagnostic>) {
    let p = format!("{P}/preferences_watch");
    if c.session_manager.document != DocumentMode::Upsert {
        out.push(
            Diagnostic::new(
                p,
                "the preferences watch re-applies the preferences through the upsert function",
            )
            .help("set session_manager.document: upsert, or turn preferences_watch off"),
        );
    }
}

fn check_scp(c: &Config, out: &mut Vec<Diagnostic>) {
    let p = format!("{P}/scp");
    check_break_glass(&p, &c.guardrails.scp.break_glass_roles, out);
    let allowed = &c.guardrails.scp.unlogged_access.session_documents;
    let mut seen = std::collections::BTreeSet::new();
    for (i, d) in allowed.iter().enumerate() {
        if !seen.insert(d) {
            out.push(Diagnostic::new(format!("{p}/unlogged_access/session_documents/{i}"), format!("`{d}` is listed twice")));
        } else if d == super::operators::SESSION_DOCUMENT {
            out.push(
                Diagnostic::new(format!("{p}/unlogged_access/session_documents/{i}"), format!("`{d}` is the logged document, always allowed"))
                    .help("list only documents other than SSM-SessionManagerRunShell"),
            );
        }
    }
    // The remote-access SCP denies every other session document: an operator
    // profile that allows one would be refused at the first session.
    for (i, prof) in c.operators.profiles.iter().enumerate() {
        for (j, d) in prof.documents.iter().enumerate() {
            if d != super::operators::SESSION_DOCUMENT && !allowed.contains(d) {
                out.push(
                    Diagnostic::new(
                        format!("/operators/profiles/{i}/documents/{j}"),
                        format!("profile `{}` allows `{d}`, which the remote-access SCP denies", prof.name),
                    )
                    .help(format!("add `{d}` to guardrails.scp.unlogged_access.session_documents (it is not logged), or remove it from the profile")),
                );
            }
        }
    }
}
