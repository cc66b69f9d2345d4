//! Rules that span several values, checked after the schema passed.

use std::collections::BTreeSet;

use super::diagnostic::Diagnostic;
use super::model::*;
use crate::aws::regions;

pub fn check(c: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    check_regions(c, &mut out);
    check_accounts(c, &mut out);
    check_bucket(c, &mut out);
    check_session_manager(c, &mut out);
    check_log_copy(c, regions::missing_log_copy_types, &mut out);
    check_stack_set(c, &mut out);
    check_tags(c, &mut out);
    super::operators_check::check(c, &mut out);
    super::check_guardrails::check(c, &mut out);
    super::check_athena::check(c, &mut out);
    out
}

fn suggest(value: &str, options: &[String]) -> Option<String> {
    options
        .iter()
        .map(|o| (strsim::jaro_winkler(value, o), o.as_str()))
        .filter(|(s, _)| *s > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, o)| o.to_string())
}

fn unknown_region(pointer: String, region: &str) -> Diagnostic {
    let d = Diagnostic::new(pointer, format!("unknown region `{region}`"));
    match suggest(region, regions::known()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help(format!("known regions: {}", regions::known().join(", "))),
    }
}

fn check_regions(c: &Config, out: &mut Vec<Diagnostic>) {
    let home = &c.log_archive.region;
    if !regions::is_known(home) {
        out.push(unknown_region("/log_archive/region".into(), home));
    }
    let partition = regions::partition(home);
    let mut seen = BTreeSet::new();
    for (i, r) in c.regions.iter().enumerate() {
        let p = format!("/regions/{i}");
        if !seen.insert(r) {
            out.push(Diagnostic::new(p, format!("region `{r}` is listed twice")).help("list each region once"));
            continue;
        }
        if !regions::is_known(r) {
            out.push(unknown_region(p, r));
            continue;
        }
        if regions::partition(r) != partition {
            out.push(
                Diagnostic::new(p.clone(), format!("region `{r}` is in partition `{}`", regions::partition(r)))
                    .help(format!("all regions must be in the home region's partition `{partition}`: keys cannot be replicated across partitions")),
            );
        }
        if c.rdp_recording.enabled
            && c.rdp_recording.unsupported_regions == UnsupportedRegions::Error
            && !regions::supports_rdp_recording(r)
        {
            out.push(
                Diagnostic::new(p, format!("RDP connection recording is not available in `{r}`"))
                    .help("remove the region, disable rdp_recording, or set rdp_recording.unsupported_regions: skip to deploy it without recording"),
            );
        }
    }
    for (key, value) in [
        ("/instance_policy/region", &c.instance_policy.region),
        ("/stack_set/admin_region", &c.stack_set.admin_region),
    ] {
        if let Some(r) = value {
            if !regions::is_known(r) {
                out.push(unknown_region(key.into(), r));
            } else if key == "/instance_policy/region" && !c.regions.contains(r) {
                out.push(
                    Diagnostic::new(key, format!("`{r}` is not one of `regions`"))
                        .help(format!("the IAM StackSet deploys to one of the member regions: {}", c.regions.join(", "))),
                );
            }
        }
    }
}

fn check_accounts(c: &Config, out: &mut Vec<Diagnostic>) {
    if c.log_archive.account == c.organization.management_account {
        out.push(
            Diagnostic::new("/log_archive/account", format!("the log archive is the management account `{}`", c.log_archive.account))
                .help("use a dedicated log-archive account: logs kept in the management account are deletable by whoever administers the organization, and service-managed StackSets never deploy to it"),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, a) in c.targets.exclude_accounts.iter().enumerate() {
        let p = format!("/targets/exclude_accounts/{i}");
        if !seen.insert(a) {
            out.push(Diagnostic::new(p, format!("account `{a}` is listed twice")));
        } else if *a == c.organization.management_account {
            out.push(Diagnostic::new(p, "the management account cannot be excluded: it is never a target")
                .help("service-managed StackSets never deploy to the management account; remove it from the list"));
        }
    }
    let mut ous = BTreeSet::new();
    for (i, ou) in c.targets.organizational_units.iter().enumerate() {
        if !ous.insert(ou) {
            out.push(Diagnostic::new(format!("/targets/organizational_units/{i}"), format!("`{ou}` is listed twice")));
        }
    }
}

fn check_bucket(c: &Config, out: &mut Vec<Diagnostic>) {
    let b = &c.log_archive.bucket;
    if let Some(name) = &b.name {
        let p = "/log_archive/bucket/name";
        let bad = if name.contains("..") {
            Some("must not contain two adjacent dots")
        } else if name.split('.').count() == 4 && name.split('.').all(|s| s.parse::<u8>().is_ok()) {
            Some("must not look like an IP address")
        } else if name.starts_with("xn--") || name.starts_with("sthree-") || name.starts_with("amzn-s3-demo-") {
            Some("must not start with a reserved prefix (`xn--`, `sthree-`, `amzn-s3-demo-`)")
        } else if name.ends_with("-s3alias") || name.ends_with("--ol-s3") || name.ends_with(".mrap") || name.ends_with("--x-s3") {
            Some("must not end with a reserved suffix (`-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`)")
        } else if name.contains('.') {
            Some("must not contain dots: virtual-hosted TLS access to dotted names fails")
        } else {
            None
        };
        if let Some(why) = bad {
            out.push(Diagnostic::new(p, format!("bucket name `{name}` {why}"))
                .help("3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit"));
        }
    }
    if let Some(l) = &b.lifecycle {
        let p = "/log_archive/bucket/lifecycle";
        match (l.transition_to, l.transition_after_days) {
            (Some(_), None) => out.push(Diagnostic::new(format!("{p}/transition_to"), "`transition_to` needs `transition_after_days`")),
            (None, Some(_)) => out.push(Diagnostic::new(format!("{p}/transition_after_days"), "`transition_after_days` needs `transition_to`")),
            (Some(class), Some(days)) => {
                if matches!(class, StorageClass::StandardIa | StorageClass::OnezoneIa) && days < 30 {
                    out.push(Diagnostic::new(format!("{p}/transition_after_days"), format!("{days} days is too early for {}", class.cfn_name()))
                        .help("S3 moves objects to STANDARD_IA or ONEZONE_IA after at least 30 days"));
                }
                if let Some(exp) = l.expire_after_days {
                    if exp <= days {
                        out.push(Diagnostic::new(format!("{p}/expire_after_days"), format!("objects expire after {exp} days, before or when they transition ({days} days)"))
                            .help("expire_after_days must be greater than transition_after_days"));
                    }
                }
            }
            (None, None) => {}
        }
        if l.transition_to.is_none() && l.expire_after_days.is_none() && l.noncurrent_expire_after_days.is_none() {
            out.push(Diagnostic::new(p, "the lifecycle has no rule").help("set transition_to/transition_after_days, expire_after_days or noncurrent_expire_after_days, or remove `lifecycle`"));
        }
        // Tamper resistance: an instance may overwrite its own logs (it has
        // s3:PutObject on its prefix); the original then lives on only as a
        // noncurrent version, which must not disappear before the log itself would.
        if let Some(noncurrent) = l.noncurrent_expire_after_days {
            let why = "an instance can overwrite its own logs; the original is then a noncurrent version, and must be kept at least as long as a current log";
            match l.expire_after_days {
                Some(exp) if noncurrent < exp => out.push(
                    Diagnostic::new(format!("{p}/noncurrent_expire_after_days"), format!("noncurrent versions expire after {noncurrent} days, before current objects ({exp} days)"))
                        .help(format!("{why}: set noncurrent_expire_after_days to at least expire_after_days ({exp})")),
                ),
                None => out.push(
                    Diagnostic::new(format!("{p}/noncurrent_expire_after_days"), format!("noncurrent versions expire after {noncurrent} days, but current objects never expire"))
                        .help(format!("{why}: remove noncurrent_expire_after_days, or set expire_after_days to at most {noncurrent}")),
                ),
                Some(_) => {}
            }
        }
        if let (Some(lock), Some(exp)) = (b.object_lock(), l.expire_after_days) {
            if exp < lock.days {
                out.push(Diagnostic::new(format!("{p}/expire_after_days"), format!("objects expire after {exp} days but Object Lock keeps them {} days", lock.days))
                    .help("expire_after_days must be at least object_lock.days"));
            }
        }
    }
}

fn check_session_manager(c: &Config, out: &mut Vec<Diagnostic>) {
    let s = &c.session_manager;
    if s.run_as.enabled && s.run_as.default_user.as_deref().unwrap_or("").is_empty() {
        out.push(Diagnostic::new("/session_manager/run_as", "run_as is enabled but has no `default_user`")
            .help("set run_as.default_user to the OS user sessions run as"));
    }
    if s.idle_session_timeout > s.max_session_duration {
        out.push(Diagnostic::new("/session_manager/idle_session_timeout", format!(
            "idle timeout ({} min) is longer than the maximum session duration ({} min)",
            s.idle_session_timeout, s.max_session_duration)).help("idle_session_timeout must not exceed max_session_duration"));
    }
    let name = &s.cloudwatch.log_group_name;
    if s.cloudwatch.enabled && (name.starts_with("aws/") || name.starts_with("/aws/")) {
        out.push(Diagnostic::new("/session_manager/cloudwatch/log_group_name", format!("`{name}` uses the prefix reserved for AWS services"))
            .help("choose a name outside `aws/`, like `/sessionlog/session-manager`"));
    }
    if !s.cloudwatch.enabled && !s.s3.enabled && !c.rdp_recording.enabled {
        out.push(Diagnostic::new("/session_manager", "nothing is logged: CloudWatch, S3 and RDP recording are all off")
            .help("enable session_manager.cloudwatch, session_manager.s3 or rdp_recording"));
    }
}

/// `missing`: the log copy's types a region lacks (a seam for tests: the
/// vendored data has every type everywhere).
fn check_log_copy(c: &Config, missing: fn(&str) -> Vec<&'static str>, out: &mut Vec<Diagnostic>) {
    let l = &c.log_copy;
    if !l.enabled {
        return;
    }
    if !c.session_manager.cloudwatch.enabled {
        out.push(Diagnostic::new("/log_copy/enabled", "the log copy reads the member log groups, but session_manager.cloudwatch is off")
            .help("enable session_manager.cloudwatch, or turn log_copy off"));
    }
    let s3 = &c.session_manager.s3;
    let errors = format!("{}-errors", l.key_prefix);
    if s3.enabled && (s3.key_prefix == l.key_prefix || s3.key_prefix == errors) {
        out.push(Diagnostic::new("/log_copy/key_prefix", format!("`{}` is where the instances upload their session logs (session_manager.s3.key_prefix)", s3.key_prefix))
            .help(format!("the copy needs a prefix the instances cannot write to: choose another log_copy.key_prefix than `{}` (and `{}` is taken by its errors)", s3.key_prefix, errors)));
    }
    if l.unsupported_regions == UnsupportedRegions::Error {
        for (i, r) in c.regions.iter().enumerate() {
            let lacking = missing(r);
            if !lacking.is_empty() {
                out.push(Diagnostic::new(format!("/regions/{i}"), format!("the log copy is not available in `{r}`: no {}", lacking.join(", ")))
                    .help("remove the region, turn log_copy off, or set log_copy.unsupported_regions: skip to deploy it without the copy"));
            }
        }
    }
}

fn check_stack_set(c: &Config, out: &mut Vec<Diagnostic>) {
    let o = &c.stack_set.operation_preferences;
    let p = "/stack_set/operation_preferences";
    match o.max_concurrent {
        AmountConfig::Count(0) | AmountConfig::Percentage(0) => out.push(
            Diagnostic::new(format!("{p}/max_concurrent"), "must be at least 1").help("deploy to at least one account at a time"),
        ),
        _ => {}
    }
    if let (ConcurrencyMode::StrictFailureTolerance, AmountConfig::Count(m), AmountConfig::Count(f)) =
        (o.concurrency_mode, o.max_concurrent, o.failure_tolerance)
    {
        if m > f + 1 {
            out.push(Diagnostic::new(format!("{p}/max_concurrent"), format!("{m} is more than failure_tolerance + 1 ({})", f + 1))
                .help("with STRICT_FAILURE_TOLERANCE, CloudFormation requires max_concurrent.count <= failure_tolerance.count + 1; use SOFT_FAILURE_TOLERANCE or lower it"));
        }
    }
}

fn check_tags(c: &Config, out: &mut Vec<Diagnostic>) {
    for (k, v) in &c.tags {
        let p = format!("/tags/{}", super::locate::escape(k));
        if k.to_ascii_lowercase().starts_with("aws:") {
            out.push(Diagnostic::new(p, format!("tag key `{k}` uses the reserved `aws:` prefix")));
        } else if v.chars().count() > 256 {
            out.push(Diagnostic::new(p, "tag value is longer than 256 characters"));
        }
    }
    if c.tags.len() > 40 {
        out.push(Diagnostic::new("/tags", format!("{} tags: at most 40 fit next to the built-in ones", c.tags.len())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load::{load, Source, EXAMPLE};

    #[test]
    fn a_region_without_the_log_copy_types_is_an_error_when_asked() {
        let text = EXAMPLE.replacen("unsupported_regions: skip         # skip | error (regions", "unsupported_regions: error        # skip | error (regions", 1);
        assert_ne!(text, EXAMPLE);
        let c = load(&Source { name: "t.yaml".into(), text }).unwrap();
        let mut out = Vec::new();
        check_log_copy(&c, |r| if r == "eu-west-1" { vec!["AWS::KinesisFirehose::DeliveryStream"] } else { Vec::new() }, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].pointer, "/regions/1");
        assert!(out[0].message.contains("AWS::KinesisFirehose::DeliveryStream"), "{}", out[0].message);
        let mut none = Vec::new();
        check_log_copy(&c, regions::missing_log_copy_types, &mut none);
        assert!(none.is_empty(), "the vendored data has the types everywhere: {none:?}");
    }
}
