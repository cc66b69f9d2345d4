//! Rules of `log_archive.athena` that span several values.

use std::collections::BTreeSet;

use super::diagnostic::Diagnostic;
use super::model::{Config, TrailMode};

const P: &str = "/log_archive/athena";

pub fn check(c: &Config, out: &mut Vec<Diagnostic>) {
    let a = &c.log_archive.athena;
    if !a.enabled {
        return;
    }
    let organization_trail = c.guardrails.cloudtrail.mode == TrailMode::Organization;
    let copy = c.log_copy.enabled && c.session_manager.cloudwatch.enabled;
    if !organization_trail && !c.session_manager.s3.enabled && !copy {
        out.push(
            Diagnostic::new(format!("{P}/enabled"), "Athena has nothing in the archive to query")
                .help("the tables cover the organization trail (guardrails.cloudtrail.mode: organization), the transcripts (session_manager.s3) and the copy (log_copy): turn one on, or athena off"),
        );
    }
    let results = a.results_prefix.as_str();
    let first = |prefix: &str| prefix.split('/').next().unwrap_or_default().to_string();
    let mut taken = vec![(
        "log_archive.bucket.key_prefix",
        first(&c.log_archive.bucket.key_prefix),
    )];
    if organization_trail {
        taken.push((
            "guardrails.cloudtrail.key_prefix",
            first(c.guardrails.cloudtrail.organization_prefix()),
        ));
    }
    for (key, prefix) in taken {
        if prefix == results {
            out.push(
                Diagnostic::new(format!("{P}/results_prefix"), format!("results prefix `{results}` is also the prefix of {key}"))
                    .help("query results must not land among the logs: choose another prefix, like `athena-results`"),
            );
        }
    }
    if !real_day(&a.start) {
        out.push(
            Diagnostic::new(
                format!("{P}/start"),
                format!("`{}` is not a day of the calendar", a.start),
            )
            .help("a day like `2026-01-01`"),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, account) in a.accounts.iter().enumerate() {
        if !seen.insert(account) {
            out.push(
                Diagnostic::new(
                    format!("{P}/accounts/{i}"),
                    format!("account `{account}` is listed twice"),
                )
                .help("list each account once"),
            );
        }
    }
    let mut seen = BTreeSet::new();
    for (i, p) in a.auditor_role.trusted_principals.iter().enumerate() {
        if !seen.insert(p) {
            out.push(
                Diagnostic::new(
                    format!("{P}/auditor_role/trusted_principals/{i}"),
                    format!("`{p}` is listed twice"),
                )
                .help("list each principal once"),
            );
        }
    }
}

/// Whether `YYYY-MM-DD` (already of that shape) names a day that exists.
fn real_day(day: &str) -> bool {
    let parts: Vec<u32> = day.split('-').filter_map(|p| p.parse().ok()).collect();
    let [y, m, d] = parts[..] else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::real_day;

    #[test]
    fn days_of_the_calendar() {
        assert!(real_day("2024-02-29"));
        assert!(!real_day("2026-02-29"));
        assert!(!real_day("2026-04-31"));
        assert!(real_day("2026-12-31"));
    }
}
