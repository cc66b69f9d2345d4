//! Rules of `operators.profiles[].source_networks`, `access`, `jit` and
//! `operators.jit`, checked after the schema passed, and the warnings a valid
//! configuration still deserves. AWS's rules (Systems Manager user guide,
//! just-in-time node access): one auto-approval policy per account and
//! region (sessionlog merges every `auto` profile into it); up to 50 manual
//! approval policies per account and region, 1-336 hours, up to 5 levels of
//! up to 5 approvers; a node matched by two manual approval policies cannot
//! be requested at all; auto-approval and deny-access policies are Cedar,
//! whose `like` knows only the `*` wildcard.

use super::diagnostic::Diagnostic;
use super::locate::escape;
use super::model::Config;
use super::networks::SourceNetwork;
use super::operators::{Access, Approval, OperatorProfile, TagValues};
use crate::aws::regions;
use std::collections::BTreeMap;

pub const MAX_MANUAL_POLICIES: usize = 50;
pub const MAX_LEVELS: usize = 5;
pub const MAX_APPROVERS_PER_LEVEL: usize = 5;

pub fn check(c: &Config, out: &mut Vec<Diagnostic>) {
    let ops = &c.operators;
    let mut manual: Vec<usize> = Vec::new();
    for (i, p) in ops.profiles.iter().enumerate() {
        let at = |rest: &str| format!("/operators/profiles/{i}{rest}");
        check_networks(p, &at, out);
        match (p.access, &p.jit) {
            (Access::Standing, Some(_)) => out.push(
                Diagnostic::new(at("/jit"), format!("profile `{}` has `jit` settings but `access: standing`", p.name))
                    .help("set `access: jit` (or `both`) to use them, or remove `jit`"),
            ),
            (Access::Jit | Access::Both, None) => out.push(
                Diagnostic::new(at("/access"), format!("profile `{}` uses just-in-time node access without `jit` settings", p.name))
                    .help("add `jit: {approval: auto, groups: [<Identity Store group id>]}` or `jit: {approval: manual, approvers: [[<id>]]}`"),
            ),
            _ => {}
        }
        let Some(j) = p.jit.as_ref().filter(|_| p.access.jit()) else {
            continue;
        };
        match j.approval {
            Approval::Auto => {
                if j.groups.is_empty() {
                    out.push(Diagnostic::new(at("/jit/groups"), format!("auto-approved profile `{}` names no group", p.name))
                        .help("list the Identity Store group ids whose members are approved at once (`aws identitystore list-groups`)"));
                }
                if !j.approvers.is_empty() {
                    out.push(Diagnostic::new(at("/jit/approvers"), "approvers are for `approval: manual`")
                        .help("auto-approved requests have no approvers: remove them, or set `approval: manual`"));
                }
                check_cedar_tags(&p.instance_tags, &at("/instance_tags"), out);
            }
            Approval::Manual => {
                manual.push(i);
                if j.approvers.is_empty() {
                    out.push(Diagnostic::new(at("/jit"), format!("manual profile `{}` has no approvers", p.name))
                        .help("add `approvers: [[<Identity Store user or group id>, …], …]`, one list per level"));
                }
                if j.approvers.len() > MAX_LEVELS {
                    out.push(Diagnostic::new(
                        at("/jit/approvers"),
                        format!(
                            "{} approver levels; AWS allows at most {MAX_LEVELS}",
                            j.approvers.len()
                        ),
                    ));
                }
                for (l, level) in j.approvers.iter().enumerate() {
                    if level.is_empty() || level.len() > MAX_APPROVERS_PER_LEVEL {
                        out.push(Diagnostic::new(at(&format!("/jit/approvers/{l}")), format!("level {} has {} approvers; AWS allows 1 to {MAX_APPROVERS_PER_LEVEL}", l + 1, level.len())));
                    }
                }
                if !(1..=336).contains(&j.access_hours) {
                    out.push(Diagnostic::new(
                        at("/jit/access_hours"),
                        format!("{} hours; AWS allows 1 to 336", j.access_hours),
                    ));
                }
            }
        }
    }
    if manual.len() > MAX_MANUAL_POLICIES {
        out.push(Diagnostic::new("/operators/profiles", format!("{} manual profiles; AWS allows {MAX_MANUAL_POLICIES} manual approval policies per account and region", manual.len())));
    }
    for (n, &i) in manual.iter().enumerate() {
        if let Some(&first) = manual[..n]
            .iter()
            .find(|&&f| manual_overlap(&ops.profiles[f], &ops.profiles[i]))
        {
            out.push(Diagnostic::new(format!("/operators/profiles/{i}/jit"), format!(
                "manual profiles `{}` and `{}` can match the same instance; AWS refuses every request to an instance two manual approval policies match",
                ops.profiles[first].name, ops.profiles[i].name))
                .help("give manual profiles one tag key with different values each (a manual approval policy matches an instance with ANY of its tags), or make one of them `auto`"));
        }
    }
    if let Some(org) = &ops.jit {
        for (r, rule) in org.deny_access.iter().enumerate() {
            check_cedar_tags(
                &rule.instance_tags,
                &format!("/operators/jit/deny_access/{r}/instance_tags"),
                out,
            );
        }
        if let Some(region) = &org.region {
            if !regions::is_known(region) {
                out.push(Diagnostic::new("/operators/jit/region", format!("unknown region `{region}`"))
                    .help("the region where just-in-time node access was set up in the management account"));
            }
        }
    }
}

fn check_networks(p: &OperatorProfile, at: &dyn Fn(&str) -> String, out: &mut Vec<Diagnostic>) {
    for (j, n) in p.source_networks.iter().enumerate() {
        let pointer = at(&format!("/source_networks/{j}"));
        if p.source_networks[..j].contains(n) {
            out.push(Diagnostic::new(pointer, format!("`{n}` is listed twice")));
        } else if let Err(why) = SourceNetwork::parse(n) {
            out.push(Diagnostic::new(pointer, format!("`{n}` is not a CIDR range or VPC endpoint id: {why}"))
                .help("a CIDR range like `203.0.113.0/24` or `10.0.0.0/8`, or a VPC endpoint id like `vpce-0123456789abcdef0`"));
        }
    }
}

/// Cedar's `like` has `*` only: a `?` would be matched literally.
fn check_cedar_tags(tags: &BTreeMap<String, TagValues>, pointer: &str, out: &mut Vec<Diagnostic>) {
    for (key, values) in tags {
        for (v, value) in values.0.iter().enumerate() {
            if value.contains('?') {
                out.push(Diagnostic::new(format!("{pointer}/{}/{v}", escape(key)), format!("`{value}`: just-in-time approval policies are Cedar, whose patterns know `*` but not `?`"))
                    .help("use `*`, or list the values"));
            }
        }
    }
}

/// Whether one instance can carry a tag of each profile: AWS applies a
/// manual approval policy to an instance with any of its tags. Two pairs
/// exclude each other only with the same key and values that cannot be
/// equal (wildcards are taken as matching anything: conservative).
pub fn manual_overlap(a: &OperatorProfile, b: &OperatorProfile) -> bool {
    let pairs = |p: &OperatorProfile| -> Vec<(String, String)> {
        p.instance_tags
            .iter()
            .flat_map(|(k, vs)| vs.0.iter().map(move |v| (k.clone(), v.clone())))
            .collect()
    };
    let wild = |v: &str| v.contains('*') || v.contains('?');
    pairs(a).iter().any(|(ka, va)| {
        pairs(b)
            .iter()
            .any(|(kb, vb)| ka != kb || va == vb || wild(va) || wild(vb))
    })
}

/// Warnings of a valid configuration.
pub fn warnings(c: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, p) in c.operators.profiles.iter().enumerate() {
        let at = |rest: &str| format!("/operators/profiles/{i}{rest}");
        let parsed: Vec<_> = p
            .source_networks
            .iter()
            .filter_map(|n| SourceNetwork::parse(n).ok())
            .collect();
        let endpoint_named = parsed
            .iter()
            .any(|n| matches!(n, SourceNetwork::Endpoint(_)));
        for (j, n) in p.source_networks.iter().enumerate() {
            if let Ok(SourceNetwork::Range { private: true, .. }) = SourceNetwork::parse(n) {
                if !endpoint_named {
                    out.push(Diagnostic::new(at(&format!("/source_networks/{j}")), format!("`{n}` is a private range, but profile `{}` names no VPC endpoint", p.name))
                        .help("a private address reaches AWS only through a VPC endpoint (`aws:VpcSourceIp`); any endpoint of any VPC with that range qualifies: name yours (`vpce-…`) to narrow it"));
                }
            }
        }
        let Some(j) = p.jit.as_ref().filter(|_| p.access.jit()) else {
            continue;
        };
        if p.access == Access::Both {
            out.push(Diagnostic::new(at("/access"), format!("profile `{}` keeps its standing `ssm:StartSession` next to just-in-time access", p.name))
                .help("AWS: callers allowed ssm:StartSession keep using Session Manager, not just-in-time access; use `access: jit` once operators have moved"));
        }
        if p.window.is_some() {
            out.push(Diagnostic::new(at("/window"), format!("profile `{}`: the window limits its standing policy only", p.name))
                .help("just-in-time approval policies cannot express a time window; auto-approved access lasts one hour"));
        }
        if j.approval == Approval::Manual {
            out.push(Diagnostic::new(at("/jit"), format!("the manual approval policy of profile `{}` is not generated", p.name))
                .help(format!("AWS documents no content format for ManualApprovalPolicy documents; create it once per account and region (Systems Manager console, Manage node access) with the profile's tags, {} approver level(s) and {} hour(s)", j.approvers.len(), j.access_hours)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(edits: &[(&str, &str)]) -> Config {
        crate::config::load::edited_example(edits)
    }

    fn profile(tags: serde_json::Value) -> OperatorProfile {
        serde_json::from_value(serde_json::json!({"name": "p", "instance_tags": tags})).unwrap()
    }

    #[test]
    fn manual_policies_overlap_unless_one_key_tells_them_apart() {
        use serde_json::json;
        let env = |v: &str| profile(json!({"Environment": [v]}));
        assert!(!manual_overlap(&env("production"), &env("staging")));
        assert!(manual_overlap(&env("production"), &env("production")));
        assert!(
            manual_overlap(&env("prod-*"), &env("production")),
            "wildcards: conservative"
        );
        // Any tag of a manual policy applies it: two keys can meet on one node.
        assert!(manual_overlap(
            &profile(json!({"Team": ["web"]})),
            &env("staging")
        ));
        assert!(manual_overlap(
            &profile(json!({"Environment": ["production"], "Team": ["web"]})),
            &env("staging")
        ));
    }

    #[test]
    fn private_ranges_without_an_endpoint_and_manual_profiles_are_warned_about() {
        let c = config(&[(
            "        - 198.51.100.0/24\n        - vpce-0123456789abcdef0\n",
            "        - 10.0.0.0/8\n",
        )]);
        let w = warnings(&c);
        assert!(
            w.iter()
                .any(|d| d.pointer == "/operators/profiles/1/source_networks/0"
                    && d.message.contains("private range")),
            "{w:?}"
        );
        let named = config(&[("        - 198.51.100.0/24\n", "        - 10.0.0.0/8\n")]);
        assert!(!warnings(&named)
            .iter()
            .any(|d| d.message.contains("private range")));
        let manual = config(&[
            (
                "approval: auto              # auto | manual",
                "approval: manual            # auto | manual",
            ),
            (
                "groups: [34688438-1061-702c-a03d-1fa788dccfd1]",
                "approvers: [[34688438-1061-702c-a03d-1fa788dccfd1]]",
            ),
        ]);
        assert!(warnings(&manual)
            .iter()
            .any(|d| d.message.contains("is not generated")));
    }
}
