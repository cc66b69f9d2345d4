//! Before sessionlog's service control policies are attached, `plan` and
//! `deploy` read what they would break or hand over (issue 17;
//! docs/scp-preflight.md): roles that already carry an exempt name (read
//! through `log_archive.access_role` in each targeted account, 8 at a time),
//! and the room each target has for more policies (from the management
//! account). Roles are warnings; a target without room is an error: the
//! attachment would fail, so `deploy` stops before any change.

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;
use aws_smithy_types::error::display::DisplayErrorContext;
use serde_json::Value;

use crate::bundle::{ExemptRoles, Requirement, ScpAttachment};

use super::client::Aws;
use super::engine::Engine;
use super::report::{Event, Level};
use super::Rollout;

/// Organizations' limit of service control policies attached to one root,
/// OU or account (FullAWSAccess included).
pub const MAX_PER_TARGET: usize = 5;
/// The management account's service-linked role that service-managed
/// StackSets assume `stacksets-exec-*` roles with (its managed policy,
/// `CloudFormationStackSetsOrgAdminServiceRolePolicy`, allows exactly that).
const ORG_ADMIN_ROLE: &str = "role/aws-service-role/stacksets.cloudformation.amazonaws.com/AWSServiceRoleForCloudFormationStackSetsOrgAdmin";
/// At most this many accounts are read at once.
const PARALLEL_ACCOUNTS: usize = 8;

/// One finding, before it becomes an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    pub account: String,
    pub subject: String,
    pub reason: String,
    pub remedy: String,
}

/// A role as `iam:ListRoles` gives it.
#[derive(Debug, Clone)]
pub struct Role {
    pub name: String,
    pub path: String,
    /// The principals its trust policy allows to assume it.
    pub trusted: Vec<String>,
}

impl Role {
    /// What follows `role/` in its ARN.
    fn resource(&self) -> String {
        format!("{}{}", self.path.trim_start_matches('/'), self.name)
    }
}

/// `*` any characters (`/` too, as in `ArnLike`), `?` exactly one.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// IAM returns policy documents URL-encoded (RFC 3986).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 3 <= b.len() {
            if let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The principals the `Allow` statements of a trust policy name, as
/// `AWS:arn…`, `Service:…`, `Federated:…` or `*`.
pub fn trusted_principals(document: &str) -> Vec<String> {
    let doc: Value = serde_json::from_str(document)
        .or_else(|_| serde_json::from_str(&percent_decode(document)))
        .unwrap_or(Value::Null);
    let statements = match &doc["Statement"] {
        Value::Array(a) => a.clone(),
        v @ Value::Object(_) => vec![v.clone()],
        _ => Vec::new(),
    };
    let mut out = BTreeSet::new();
    for s in statements.iter().filter(|s| s["Effect"] == "Allow") {
        match &s["Principal"] {
            Value::String(p) => {
                out.insert(p.clone());
            }
            Value::Object(m) => {
                for (kind, v) in m {
                    let values = match v {
                        Value::Array(a) => a
                            .iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect(),
                        Value::String(x) => vec![x.clone()],
                        _ => Vec::new(),
                    };
                    for x in values {
                        out.insert(format!("{kind}:{x}"));
                    }
                }
            }
            _ => {}
        }
    }
    out.into_iter().collect()
}

fn principals_text(trusted: &[String]) -> String {
    if trusted.is_empty() {
        "nobody (no Allow statement)".to_string()
    } else {
        trusted.join(", ")
    }
}

/// What sessionlog's stacks created in one account: role names.
pub type OwnRoles = BTreeSet<String>;

/// The findings about the roles of one account, given the roles sessionlog's
/// own stacks created there.
pub fn judge_roles(
    account: &str,
    roles: &[Role],
    exempt: &ExemptRoles,
    own: &OwnRoles,
    management: &str,
    partition: &str,
) -> Vec<Finding> {
    let org_admin = format!("AWS:arn:{partition}:iam::{management}:{ORG_ADMIN_ROLE}");
    let mut out = Vec::new();
    for r in roles {
        let res = r.resource();
        let subject = format!(
            "role {}",
            if r.path == "/" {
                r.name.clone()
            } else {
                format!("{}{}", r.path, r.name)
            }
        );
        let delete = format!(
            "if nobody in your organization made it for this, remove it before deploying (in account {account}: `aws iam delete-role --role-name {}` after detaching its policies); once the SCP is attached, nobody outside its exemptions can create or change such a role",
            r.name
        );
        if let Some(p) = exempt.stacksets_exec.as_deref().filter(|p| glob(p, &res)) {
            if r.trusted != [org_admin.clone()] {
                out.push(Finding {
                    level: Level::Warning,
                    account: account.to_string(),
                    subject,
                    reason: format!(
                        "named like the roles service-managed StackSets act through ({p}), so the SCP would exempt it, but it is trusted by {} instead of only the management account's AWSServiceRoleForCloudFormationStackSetsOrgAdmin: whoever it trusts could act for the attacker past the SCP",
                        principals_text(&r.trusted)
                    ),
                    remedy: delete,
                });
            }
            continue;
        }
        if let Some(p) = exempt.own_path.as_deref().filter(|p| glob(p, &res)) {
            if !own.contains(&r.name) {
                out.push(Finding {
                    level: Level::Warning,
                    account: account.to_string(),
                    subject,
                    reason: format!(
                        "under sessionlog's path ({p}), which the SCP exempts, but no sessionlog stack in this account created it: it would be exempt from the SCP and could act for the attacker (trusted by {})",
                        principals_text(&r.trusted)
                    ),
                    remedy: delete,
                });
            }
            continue;
        }
        if exempt.access_role.as_deref() == Some(res.as_str()) {
            let home = [
                format!("AWS:arn:{partition}:iam::{management}:"),
                format!("AWS:{management}"),
            ];
            let strangers: Vec<String> = r
                .trusted
                .iter()
                .filter(|t| !home.iter().any(|h| t.starts_with(h.as_str())))
                .cloned()
                .collect();
            if !strangers.is_empty() {
                out.push(Finding {
                    level: Level::Warning,
                    account: account.to_string(),
                    subject,
                    reason: format!(
                        "log_archive.access_role, which the log-archive protection exempts, is trusted by {} besides the management account: they could weaken the archive past the SCP",
                        strangers.join(", ")
                    ),
                    remedy: format!("trust only the management account ({management}) in its trust policy, or name another role in log_archive.access_role"),
                });
            }
            continue;
        }
        if let Some((key, p)) = exempt.named.iter().find(|(_, p)| glob(p, &res)) {
            out.push(Finding {
                level: Level::Notice,
                account: account.to_string(),
                subject,
                reason: format!(
                    "matches {key} ({p}): the SCP will exempt it, and whoever its trust policy allows can act past the SCP: {}",
                    principals_text(&r.trusted)
                ),
                remedy: "confirm these are the principals you mean to exempt; if not, change its trust policy or remove it before deploying (once the SCP is attached, only exempt principals can)".into(),
            });
        }
    }
    out
}

/// Whether each target has room for the policies that go there, given the
/// names of the service control policies already attached to it.
pub fn judge_room(
    policies: &[(String, Vec<String>)],
    attached: &BTreeMap<String, Vec<String>>,
) -> Vec<Finding> {
    let mut wanted: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, targets) in policies {
        for t in targets {
            wanted.entry(t.as_str()).or_default().push(name.as_str());
        }
    }
    let mut out = Vec::new();
    for (target, names) in wanted {
        let Some(now) = attached.get(target) else {
            continue;
        };
        let new: Vec<&&str> = names
            .iter()
            .filter(|n| !now.iter().any(|a| a == **n))
            .collect();
        if now.len() + new.len() > MAX_PER_TARGET {
            out.push(Finding {
                level: Level::Error,
                account: target.to_string(),
                subject: "service control policies".into(),
                reason: format!(
                    "{} already attached ({}); sessionlog attaches {} more ({}), over Organizations' limit of {MAX_PER_TARGET} per root, OU or account: the attachment would fail",
                    now.len(),
                    now.join(", "),
                    new.len(),
                    new.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ")
                ),
                remedy: format!(
                    "detach or merge {} of the policies attached to {target} (`aws organizations list-policies-for-target --target-id {target} --filter SERVICE_CONTROL_POLICY`; FullAWSAccess counts too), or attach them to a parent OU instead",
                    now.len() + new.len() - MAX_PER_TARGET
                ),
            });
        }
    }
    out
}

async fn attached(aws: &Aws, target: &str) -> Result<Vec<String>, String> {
    let org = aws.organizations();
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let r = org
            .list_policies_for_target()
            .target_id(target)
            .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "organizations:ListPoliciesForTarget: {}",
                    DisplayErrorContext(&e)
                )
            })?;
        names.extend(
            r.policies()
                .iter()
                .filter_map(|p| p.name().map(String::from)),
        );
        token = r.next_token().map(String::from);
        if token.is_none() {
            return Ok(names);
        }
    }
}

async fn list_roles(iam: &aws_sdk_iam::Client) -> Result<Vec<Role>, String> {
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        let r = iam
            .list_roles()
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| format!("iam:ListRoles: {}", DisplayErrorContext(&e)))?;
        out.extend(r.roles().iter().map(|x| Role {
            name: x.role_name().to_string(),
            path: x.path().to_string(),
            trusted: trusted_principals(x.assume_role_policy_document().unwrap_or("")),
        }));
        marker = r.marker().map(String::from);
        if !r.is_truncated() || marker.is_none() {
            return Ok(out);
        }
    }
}

/// The roles sessionlog's stacks `(region, stack id)` created, read in the
/// account with `cfg`.
async fn own_roles(
    aws: &Aws,
    cfg: &SdkConfig,
    stacks: &[(String, String)],
) -> Result<OwnRoles, String> {
    let mut out = OwnRoles::new();
    for (region, stack) in stacks {
        let cfn = aws.cfn_with_config(cfg, region);
        let mut token = None;
        loop {
            let r = match cfn
                .list_stack_resources()
                .stack_name(stack)
                .set_next_token(token)
                .send()
                .await
            {
                Ok(r) => r,
                // A stack that does not exist (yet) created nothing.
                Err(e)
                    if e.as_service_error()
                        .and_then(|x| x.meta().message())
                        .is_some_and(|m| m.contains("does not exist")) =>
                {
                    break
                }
                Err(e) => {
                    return Err(format!(
                        "cloudformation:ListStackResources {stack}: {}",
                        DisplayErrorContext(&e)
                    ))
                }
            };
            out.extend(
                r.stack_resource_summaries()
                    .iter()
                    .filter(|s| s.resource_type() == Some("AWS::IAM::Role"))
                    .filter_map(|s| s.physical_resource_id().map(String::from)),
            );
            token = r.next_token().map(String::from);
            if token.is_none() {
                break;
            }
        }
    }
    Ok(out)
}

/// The stacks of sessionlog's StackSets, by account: `(region, stack id)`.
async fn instance_stacks(
    e: &Engine<'_, '_>,
    r: &Rollout,
) -> Result<BTreeMap<String, Vec<(String, String)>>, String> {
    let cfn = e.aws.cfn(&r.stack_set_region);
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for s in &r.stack_sets {
        let mut token = None;
        loop {
            let resp = cfn
                .list_stack_instances()
                .stack_set_name(&s.name)
                .call_as(aws_sdk_cloudformation::types::CallAs::from(
                    s.call_as.as_str(),
                ))
                .set_next_token(token)
                .send()
                .await;
            let resp = match resp {
                Ok(x) => x,
                Err(err) if format!("{err:?}").contains("StackSetNotFound") => break,
                Err(err) => {
                    return Err(format!(
                        "cloudformation:ListStackInstances {}: {}",
                        s.name,
                        DisplayErrorContext(&err)
                    ))
                }
            };
            for i in resp.summaries() {
                if let (Some(a), Some(rg), Some(id)) = (i.account(), i.region(), i.stack_id()) {
                    out.entry(a.to_string())
                        .or_default()
                        .push((rg.to_string(), id.to_string()));
                }
            }
            token = resp.next_token().map(String::from);
            if token.is_none() {
                break;
            }
        }
    }
    Ok(out)
}

/// The findings of one account.
async fn account_findings(
    aws: Aws,
    account: String,
    role: String,
    exempt: ExemptRoles,
    stacks: Vec<(String, String)>,
    management: String,
) -> Vec<Finding> {
    let cannot = |why: String| {
        vec![Finding {
            level: Level::Warning,
            account: account.clone(),
            subject: "roles".into(),
            reason: format!("cannot read its roles through {role} ({why}), so roles that would take the SCP's exemptions were not looked for"),
            remedy: format!("let {role} in {account} call iam:ListRoles and cloudformation:ListStackResources, or check by hand for roles matching the exempt patterns (docs/scp-preflight.md)"),
        }]
    };
    let cfg = match aws.config_in(&account, &role, "sessionlog-plan").await {
        Ok(c) => c,
        Err(err) => return cannot(format!("{err:#}")),
    };
    let roles = match list_roles(&aws.iam_with(&cfg)).await {
        Ok(r) => r,
        Err(err) => return cannot(err),
    };
    let own = if exempt.own_path.is_some() {
        match own_roles(&aws, &cfg, &stacks).await {
            Ok(o) => o,
            Err(err) => return cannot(err),
        }
    } else {
        OwnRoles::new()
    };
    judge_roles(&account, &roles, &exempt, &own, &management, &aws.partition)
}

async fn roles_in(
    e: &Engine<'_, '_>,
    r: &Rollout,
    accounts: &[String],
    exempt: &ExemptRoles,
    stacks: &BTreeMap<String, Vec<(String, String)>>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for chunk in accounts.chunks(PARALLEL_ACCOUNTS) {
        let mut set = tokio::task::JoinSet::new();
        for (i, account) in chunk.iter().enumerate() {
            let task = account_findings(
                e.aws.clone(),
                account.clone(),
                r.archive_access_role.clone(),
                exempt.clone(),
                stacks.get(account).cloned().unwrap_or_default(),
                r.management_account.clone(),
            );
            set.spawn(async move { (i, task.await) });
        }
        let mut done = Vec::new();
        while let Some(x) = set.join_next().await {
            if let Ok(x) = x {
                done.push(x);
            }
        }
        done.sort_by_key(|(i, _)| *i);
        out.extend(done.into_iter().flat_map(|(_, f)| f));
    }
    out
}

fn emit(e: &mut Engine<'_, '_>, f: Finding) {
    e.rep.emit(Event::Finding {
        level: f.level,
        account: f.account,
        subject: f.subject,
        reason: f.reason,
        remedy: f.remedy,
    });
}

/// Reads and reports; `true` when attaching a policy would fail (`deploy`
/// must stop before any change).
pub(super) async fn check(e: &mut Engine<'_, '_>, r: &Rollout) -> bool {
    let Some(a) = r.requirements.iter().find_map(|q| match q {
        Requirement::ScpAttachment(a) => Some(a.clone()),
        _ => None,
    }) else {
        return false;
    };
    e.rep.emit(Event::Step {
        text: "service control policies: what attaching them would break or exempt".into(),
    });
    let mut findings = room(e, &a).await;
    let blocked = findings.iter().any(|f| f.level == Level::Error);
    if let Some(exempt) = &a.members {
        match members(e, r).await {
            Ok(accounts) => {
                let mut stacks = match instance_stacks(e, r).await {
                    Ok(s) => s,
                    Err(err) => {
                        e.rep.emit(Event::Note { text: format!("warning: cannot list the stacks of sessionlog's StackSets ({err}): every role under /sessionlog/ is reported") });
                        BTreeMap::new()
                    }
                };
                // The log-archive account may be in a target OU: its own
                // stacks' roles are sessionlog's too.
                let archive = r.archive_stacks.iter().map(|s| (s.region.clone(), s.stack_name.clone()));
                stacks.entry(r.archive_account.clone()).or_default().extend(archive);
                findings.extend(roles_in(e, r, &accounts, exempt, &stacks).await);
            }
            Err(err) => e.rep.emit(Event::Note {
                text: format!("warning: cannot list the target accounts ({err}), so their roles were not checked for names the SCP exempts (docs/scp-preflight.md)"),
            }),
        }
    }
    if let Some(exempt) = &a.archive {
        findings.extend(
            roles_in(
                e,
                r,
                std::slice::from_ref(&r.archive_account),
                exempt,
                &BTreeMap::new(),
            )
            .await,
        );
    }
    let (errors, warnings) = (
        findings.iter().filter(|f| f.level == Level::Error).count(),
        findings
            .iter()
            .filter(|f| f.level == Level::Warning)
            .count(),
    );
    if findings.is_empty() {
        e.rep.emit(Event::Note {
            text:
                "nothing found that the service control policies would break or exempt unexpectedly"
                    .into(),
        });
    }
    for f in findings {
        emit(e, f);
    }
    if errors > 0 {
        e.rep.emit(Event::Note {
            text: format!("deploy stops before any change while a target has no room for sessionlog's service control policies ({errors} error(s), {warnings} warning(s))"),
        });
    }
    blocked
}

async fn room(e: &mut Engine<'_, '_>, a: &ScpAttachment) -> Vec<Finding> {
    let targets: BTreeSet<&String> = a.policies.iter().flat_map(|(_, t)| t).collect();
    let mut now = BTreeMap::new();
    let mut out = Vec::new();
    for t in targets {
        match attached(&e.aws, t).await {
            Ok(names) => {
                now.insert(t.clone(), names);
            }
            Err(why) => out.push(Finding {
                level: Level::Warning,
                account: t.clone(),
                subject: "service control policies".into(),
                reason: format!("cannot count the policies attached to it ({why}): at most {MAX_PER_TARGET} may be"),
                remedy: format!("run plan with the management account's credentials, or count them: `aws organizations list-policies-for-target --target-id {t} --filter SERVICE_CONTROL_POLICY`"),
            }),
        }
    }
    out.extend(judge_room(&a.policies, &now));
    out
}

/// The accounts the target OUs' policies apply to: the StackSets' targets.
async fn members(e: &mut Engine<'_, '_>, r: &Rollout) -> anyhow::Result<Vec<String>> {
    let Some(set) = r.stack_sets.first() else {
        return Ok(Vec::new());
    };
    Ok(e.target_accounts(r, set).await?.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_is_arnlike() {
        assert!(glob("stacksets-exec-*", "stacksets-exec-abc"));
        assert!(!glob("stacksets-exec-*", "x/stacksets-exec-abc"));
        assert!(glob("sessionlog/*", "sessionlog/fn-role"));
        assert!(glob("emergency/*", "emergency/a/b"));
        assert!(glob("Break?lass", "BreakGlass"));
        assert!(!glob("BreakGlass", "BreakGlassAdmin"));
    }

    #[test]
    fn trust_policies_url_encoded_or_not() {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root"],"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}"#;
        let want = vec![
            "AWS:arn:aws:iam::1:root".to_string(),
            "Service:lambda.amazonaws.com".to_string(),
        ];
        assert_eq!(trusted_principals(doc), want);
        let encoded: String = doc
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        assert_eq!(trusted_principals(&encoded), want);
    }

    fn role(name: &str, path: &str, trusted: &[&str]) -> Role {
        Role {
            name: name.into(),
            path: path.into(),
            trusted: trusted.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn each_kind_of_role_is_judged() {
        let exempt = ExemptRoles {
            stacksets_exec: Some("stacksets-exec-*".into()),
            own_path: Some("sessionlog/*".into()),
            access_role: None,
            named: vec![(
                "guardrails.scp.break_glass_roles".into(),
                "BreakGlass*".into(),
            )],
        };
        let real = format!("AWS:arn:aws:iam::111111111111:{ORG_ADMIN_ROLE}");
        let roles = [
            role("stacksets-exec-real", "/", &[&real]),
            role(
                "stacksets-exec-evil",
                "/",
                &["AWS:arn:aws:iam::222222222222:root"],
            ),
            role("fn", "/sessionlog/", &["Service:lambda.amazonaws.com"]),
            role(
                "planted",
                "/sessionlog/",
                &["AWS:arn:aws:iam::222222222222:root"],
            ),
            role(
                "BreakGlassAdmin",
                "/",
                &["AWS:arn:aws:iam::111111111111:root"],
            ),
            role("Unrelated", "/", &["AWS:arn:aws:iam::222222222222:root"]),
        ];
        let own = OwnRoles::from(["fn".to_string()]);
        let f = judge_roles("222222222222", &roles, &exempt, &own, "111111111111", "aws");
        let subjects: Vec<(&str, Level)> =
            f.iter().map(|f| (f.subject.as_str(), f.level)).collect();
        assert_eq!(
            subjects,
            vec![
                ("role stacksets-exec-evil", Level::Warning),
                ("role /sessionlog/planted", Level::Warning),
                ("role BreakGlassAdmin", Level::Notice)
            ]
        );
        assert!(
            f[2].reason.contains("AWS:arn:aws:iam::111111111111:root"),
            "{}",
            f[2].reason
        );
    }

    #[test]
    fn the_access_role_may_trust_only_the_management_account() {
        let exempt = ExemptRoles {
            stacksets_exec: None,
            own_path: None,
            access_role: Some("Access".into()),
            named: Vec::new(),
        };
        let ok = [role("Access", "/", &["AWS:arn:aws:iam::111111111111:root"])];
        assert!(judge_roles(
            "333333333333",
            &ok,
            &exempt,
            &OwnRoles::new(),
            "111111111111",
            "aws"
        )
        .is_empty());
        let bad = [role(
            "Access",
            "/",
            &[
                "AWS:arn:aws:iam::111111111111:root",
                "AWS:arn:aws:iam::333333333333:root",
            ],
        )];
        let f = judge_roles(
            "333333333333",
            &bad,
            &exempt,
            &OwnRoles::new(),
            "111111111111",
            "aws",
        );
        assert_eq!(f.len(), 1);
        assert!(
            f[0].reason.contains("AWS:arn:aws:iam::333333333333:root")
                && !f[0].reason.contains("111111111111:root"),
            "{}",
            f[0].reason
        );
    }

    #[test]
    fn room_counts_what_is_already_attached_and_ours_once() {
        let policies = vec![
            ("a".to_string(), vec!["ou-1".to_string()]),
            ("b".to_string(), vec!["ou-1".to_string()]),
        ];
        let mut now = BTreeMap::from([(
            "ou-1".to_string(),
            vec!["FullAWSAccess".to_string(), "x".into(), "y".into()],
        )]);
        assert!(judge_room(&policies, &now).is_empty(), "3 + 2 fit");
        now.get_mut("ou-1").unwrap().push("z".into());
        let f = judge_room(&policies, &now);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].level, f[0].account.as_str()), (Level::Error, "ou-1"));
        // Redeploying: ours are already attached and counted once.
        now.get_mut("ou-1").unwrap().retain(|n| n != "z");
        now.get_mut("ou-1").unwrap().push("a".into());
        assert!(judge_room(&policies, &now).is_empty());
    }
}
