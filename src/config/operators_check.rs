//! Rules across the values of `operators` (and the prompt tag), checked
//! after the schema passed: names unique per account, windows that exist and
//! are not inverted, session documents that are real and safe. And the
//! warnings a valid configuration still deserves: every unlogged document a
//! profile opts into.

use std::collections::BTreeMap;

use super::diagnostic::Diagnostic;
use super::locate::escape;
use super::model::Config;
use super::operators::{
    document_logging, identity_center_tag_fits, is_aws_reserved, Logging, OperatorProfile,
    AWS_SESSION_DOCUMENTS, SESSION_DOCUMENT,
};
use crate::aws::regions;

pub fn check(c: &Config, out: &mut Vec<Diagnostic>) {
    check_prompt_tag(c, out);
    super::jit_check::check(c, out);
    let ops = &c.operators;
    let mut policy_names: BTreeMap<String, usize> = BTreeMap::new();
    let mut logical_ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut permission_sets: BTreeMap<String, usize> = BTreeMap::new();
    let instance_policy = c.instance_policy.name.to_ascii_lowercase();
    for (i, p) in ops.profiles.iter().enumerate() {
        let at = |rest: &str| format!("/operators/profiles/{i}{rest}");
        let policy = ops.policy_name(p);
        if policy.len() > 128 {
            out.push(
                Diagnostic::new(
                    at("/name"),
                    format!("the policy name `{policy}` is longer than 128 characters"),
                )
                .help("shorten operators.policy_name_prefix or the profile name"),
            );
        }
        if let Some(first) = policy_names.insert(policy.to_ascii_lowercase(), i) {
            out.push(Diagnostic::new(at("/name"), format!("profile `{}` is listed twice (also operators.profiles[{first}])", p.name))
                .help("profile names name the policies, which are unique in each account: use each name once"));
        } else if let Some(first) = logical_ids.insert(p.resource_id(), i) {
            out.push(
                Diagnostic::new(
                    at("/name"),
                    format!(
                        "profile names `{}` and `{}` give the same template resource id `OperatorPolicy{}`",
                        ops.profiles[first].name,
                        p.name,
                        p.resource_id()
                    ),
                )
                .help("choose names that differ in more than where the hyphens are"),
            );
        }
        if policy.to_ascii_lowercase() == instance_policy {
            out.push(Diagnostic::new(at("/name"), format!("the policy name `{policy}` is the instance policy's name"))
                .help("IAM policy names are unique in an account: rename the profile or instance_policy.name"));
        }
        check_tags(p, &at, out);
        check_window(p, &at, out);
        check_documents(p, &at, out);
        if let Some(ps) = &p.permission_set {
            if ops.identity_center.is_none() {
                out.push(Diagnostic::new(at("/permission_set"), "a permission set needs the IAM Identity Center instance")
                    .help("set operators.identity_center.instance_arn (`aws sso-admin list-instances`)"));
            }
            let name = ps.name.clone().unwrap_or_else(|| p.name.clone());
            if let Some(first) = permission_sets.insert(name.to_ascii_lowercase(), i) {
                let pointer = if ps.name.is_some() {
                    at("/permission_set/name")
                } else {
                    at("/permission_set")
                };
                out.push(Diagnostic::new(pointer, format!("permission set `{name}` is also the one of operators.profiles[{first}]"))
                    .help("permission set names are unique in the Identity Center instance: set permission_set.name"));
            }
        }
    }
    if let Some(ic) = &ops.identity_center {
        let home = regions::partition(&c.log_archive.region);
        let arn_partition = ic.instance_arn.split(':').nth(1).unwrap_or_default();
        if arn_partition != home {
            out.push(Diagnostic::new("/operators/identity_center/instance_arn", format!("the instance is in partition `{arn_partition}`, the organization in `{home}`"))
                .help("use the Identity Center instance of this organization"));
        }
        if let Some(r) = &ic.region {
            if !regions::is_known(r) {
                out.push(
                    Diagnostic::new(
                        "/operators/identity_center/region",
                        format!("unknown region `{r}`"),
                    )
                    .help("the region where IAM Identity Center is enabled"),
                );
            } else if regions::partition(r) != home {
                out.push(
                    Diagnostic::new(
                        "/operators/identity_center/region",
                        format!("region `{r}` is in partition `{}`", regions::partition(r)),
                    )
                    .help(format!(
                        "Identity Center of this organization is in partition `{home}`"
                    )),
                );
            }
        }
    }
}

/// Warnings of a valid configuration.
pub fn warnings(c: &Config) -> Vec<Diagnostic> {
    let mut out = super::jit_check::warnings(c);
    let ops = &c.operators;
    for (i, p) in ops.profiles.iter().enumerate() {
        for (j, d) in p.documents.iter().enumerate() {
            let pointer = format!("/operators/profiles/{i}/documents/{j}");
            out.push(match document_logging(d) {
                Some(Logging::Logged) => continue,
                Some(Logging::Unlogged(why)) => Diagnostic::new(pointer, format!("profile `{}` allows `{d}`, whose sessions are not logged ({why})", p.name))
                    .help("sessions started with it bypass the logging preferences of SSM-SessionManagerRunShell; CloudTrail records only that they started"),
                None => Diagnostic::new(pointer, format!("profile `{}` allows `{d}`, a document of your own: sessionlog cannot tell whether its sessions are logged", p.name))
                    .help("only the preferences of SSM-SessionManagerRunShell are sessionlog's; make sure this document logs, or remove it"),
            });
        }
        if p.rdp && !c.rdp_recording.enabled {
            out.push(Diagnostic::new(format!("/operators/profiles/{i}/rdp"), format!("profile `{}` allows RDP, but rdp_recording is off: RDP connections are not recorded", p.name))
                .help("turn rdp_recording on, or turn rdp off for this profile"));
        }
    }
    if ops.identity_center.is_some() && !ops.profiles.iter().any(|p| p.permission_set.is_some()) {
        out.push(Diagnostic::new(
            "/operators/identity_center",
            "no profile has a `permission_set`: nothing is created in Identity Center",
        ));
    }
    if ops.has_permission_sets() {
        for k in c.tags.iter().filter(|(k, v)| !identity_center_tag_fits(k, v)).map(|(k, _)| k) {
            out.push(Diagnostic::new(format!("/tags/{}", escape(k)), format!("tag `{k}` is not put on the Identity Center stack and permission sets"))
                .help("IAM Identity Center tags take only letters, digits and `_+=,.@-`, in keys and non-empty values"));
        }
    }
    out
}

fn check_prompt_tag(c: &Config, out: &mut Vec<Diagnostic>) {
    if let Some(tag) = &c.session_manager.shell_profile.prompt_tag {
        if tag == "." || tag == ".." || tag == "_index" {
            out.push(Diagnostic::new("/session_manager/shell_profile/prompt_tag", format!("`{tag}` cannot be read from instance metadata"))
                .help("instance metadata tags cannot be `.`, `..` or `_index`: choose another tag, like `Hostname`"));
        }
    }
}

fn check_tags(p: &OperatorProfile, at: &dyn Fn(&str) -> String, out: &mut Vec<Diagnostic>) {
    for (key, values) in &p.instance_tags {
        // The schema's pattern keeps wildcards out of keys.
        let pointer = at(&format!("/instance_tags/{}", escape(key)));
        let mut seen = Vec::new();
        for (j, v) in values.0.iter().enumerate() {
            if seen.contains(&v) {
                out.push(Diagnostic::new(
                    format!("{pointer}/{j}"),
                    format!("value `{v}` is listed twice"),
                ));
            }
            seen.push(v);
        }
    }
}

fn check_window(p: &OperatorProfile, at: &dyn Fn(&str) -> String, out: &mut Vec<Diagnostic>) {
    let Some(w) = &p.window else { return };
    if w.start.is_none() && w.end.is_none() {
        out.push(Diagnostic::new(at("/window"), "the window has neither `start` nor `end`")
            .help("give start and/or end (ISO 8601 UTC, like 2026-03-01T08:00:00Z), or remove `window`"));
        return;
    }
    let mut parsed = [None, None];
    for (k, (key, value)) in [("start", &w.start), ("end", &w.end)]
        .into_iter()
        .enumerate()
    {
        if let Some(v) = value {
            match utc_seconds(v) {
                Ok(s) => parsed[k] = Some(s),
                Err(why) => out.push(
                    Diagnostic::new(
                        at(&format!("/window/{key}")),
                        format!("`{v}` is not a time: {why}"),
                    )
                    .help("an ISO 8601 UTC time, like 2026-03-01T08:00:00Z"),
                ),
            }
        }
    }
    if let [Some(start), Some(end)] = parsed {
        if end <= start {
            out.push(
                Diagnostic::new(
                    at("/window/end"),
                    format!(
                        "the window ends ({}) before or when it starts ({})",
                        w.end.as_deref().unwrap_or_default(),
                        w.start.as_deref().unwrap_or_default()
                    ),
                )
                .help("end must be later than start"),
            );
        }
    }
}

fn check_documents(p: &OperatorProfile, at: &dyn Fn(&str) -> String, out: &mut Vec<Diagnostic>) {
    let aws: Vec<String> = AWS_SESSION_DOCUMENTS
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    for (j, d) in p.documents.iter().enumerate() {
        let pointer = at(&format!("/documents/{j}"));
        if p.documents[..j].contains(d) {
            out.push(Diagnostic::new(pointer, format!("`{d}` is listed twice")));
        } else if d == SESSION_DOCUMENT {
            out.push(
                Diagnostic::new(pointer, format!("`{d}` is always allowed"))
                    .help("list only the documents allowed besides the logged shell"),
            );
        } else if is_aws_reserved(d) && document_logging(d).is_none() {
            let mut help = String::new();
            if let Some(best) = suggest(d, &aws) {
                help.push_str(&format!("did you mean `{best}`? "));
            }
            help.push_str(&format!("AWS session documents: {}", aws.join(", ")));
            out.push(
                Diagnostic::new(pointer, format!("`{d}` is not an AWS session document"))
                    .help(help),
            );
        }
    }
}

fn suggest(value: &str, options: &[String]) -> Option<String> {
    options
        .iter()
        .map(|o| (strsim::jaro_winkler(value, o), o))
        .filter(|(s, _)| *s > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, o)| o.clone())
}

/// Seconds since 1970 of `YYYY-MM-DDTHH:MM:SSZ` (the schema checked the
/// shape), or why it is not a real instant.
pub fn utc_seconds(text: &str) -> Result<i64, String> {
    let n = |r: std::ops::Range<usize>| {
        text.get(r)
            .and_then(|s| s.parse::<i64>().ok())
            .ok_or("not in the form YYYY-MM-DDTHH:MM:SSZ")
    };
    let (y, mo, d, h, mi, s) = (
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    );
    if !(1..=12).contains(&mo) {
        return Err(format!("there is no month {mo}"));
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][(mo - 1) as usize];
    if d < 1 || d > days {
        return Err(format!("month {mo} of {y} has {days} days"));
    }
    if h > 23 || mi > 59 || s > 59 {
        return Err("hours run 00-23, minutes and seconds 00-59".into());
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let (yy, m) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    Ok(days * 86400 + h * 3600 + mi * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::utc_seconds;

    #[test]
    fn utc_times() {
        assert_eq!(utc_seconds("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(utc_seconds("2026-03-01T08:00:00Z"), Ok(1_772_352_000));
        assert_eq!(utc_seconds("2024-02-29T23:59:59Z"), Ok(1_709_251_199));
        assert!(utc_seconds("2026-02-29T00:00:00Z")
            .unwrap_err()
            .contains("28 days"));
        assert!(utc_seconds("2026-13-01T00:00:00Z")
            .unwrap_err()
            .contains("month 13"));
        assert!(utc_seconds("2026-01-01T24:00:00Z").is_err());
        assert!(utc_seconds("2026-01-01T23:60:00Z").is_err());
    }
}
