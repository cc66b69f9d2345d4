//! The access proof: who may do what with what sessionlog deploys, decided by
//! an independent IAM evaluator (`@cloud-copilot/iam-simulate`, pinned in
//! tests/access/package-lock.json) — used the way cfn-lint is, as the check
//! nobody here wrote.
//!
//! Every configuration of the cfn-lint matrix is deployed into a fake
//! organization (`access/world.rs`: the rendered JSON templates resolved for
//! concrete accounts, regions and partition, key ids passed as deploy passes
//! them), the scenario table (`access/scenarios.yaml`) is expanded for every
//! member region, and one node process decides the batch. Then:
//! - every decision must be the expected one, and the evaluator must accept
//!   every request (actions, ARNs, context keys — an error fails the test);
//! - every statement of every generated policy must matter: removing it from
//!   the rendered template must change at least one decision;
//! - the Access table of docs/access.md is generated from the scenarios
//!   (`UPDATE_ACCESS_TABLE=1` rewrites it).
//!
//! Needs Node.js and `npm ci` in tests/access: `make setup` does both.

mod common;

#[path = "access/evaluator.rs"]
mod evaluator;
#[path = "access/resolve.rs"]
mod resolve;
#[path = "access/scenarios.rs"]
mod scenarios;
#[path = "access/world.rs"]
mod world;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use std::time::Instant;

use serde_json::Value;
use sessionlog::bundle::Bundle;
use sessionlog::config::model::Config;
use sessionlog::config::{load, Source};

use common::matrix::matrix;
use common::repo_root;
use evaluator::{evaluate, Answer};
use scenarios::{expand, table, Batch, Case, Table};
use world::{rendered, Site, World};

struct Prepared {
    name: &'static str,
    config: Config,
    bundle: Bundle,
    templates: BTreeMap<String, Value>,
}

fn prepare() -> Vec<Prepared> {
    matrix()
        .into_iter()
        .map(|(name, text)| {
            let config = load(&Source {
                name: name.into(),
                text,
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            let bundle = sessionlog::stacks::build(&config);
            let templates = rendered(&bundle);
            Prepared {
                name,
                config,
                bundle,
                templates,
            }
        })
        .collect()
}

/// One decided case.
#[derive(Debug, Clone)]
struct Decided {
    scenario: usize,
    request: Value,
    answer: Answer,
}

/// The baseline: every configuration's cases, decided once and shared by the tests.
struct Baseline {
    /// Per configuration (matrix order): case key → decision.
    configs: Vec<(&'static str, BTreeMap<String, Decided>)>,
    requests: usize,
    seconds: f64,
}

fn baseline() -> &'static Baseline {
    static BASELINE: OnceLock<Baseline> = OnceLock::new();
    BASELINE.get_or_init(|| {
        let started = Instant::now();
        let t = table();
        let prepared = prepare();
        let mut batch = Batch::default();
        let mut keys = Vec::new();
        for (i, p) in prepared.iter().enumerate() {
            let world = World::deploy(&p.config, &p.bundle, &p.templates)
                .unwrap_or_else(|e| panic!("{}: {e}", p.name));
            let cases = expand(&t, &world).unwrap_or_else(|e| panic!("{}: {e}", p.name));
            for c in &cases {
                batch.add(&world, c, &format!("c{i}"), None);
                keys.push((i, c.key(&t), c.scenario));
            }
        }
        let answers = evaluate(&batch);
        let mut configs: Vec<(&'static str, BTreeMap<String, Decided>)> =
            prepared.iter().map(|p| (p.name, BTreeMap::new())).collect();
        for (((i, key, scenario), answer), request) in
            keys.into_iter().zip(answers).zip(batch.requests.iter())
        {
            configs[i].1.insert(
                key,
                Decided {
                    scenario,
                    request: request.clone(),
                    answer,
                },
            );
        }
        Baseline {
            configs,
            requests: batch.requests.len(),
            seconds: started.elapsed().as_secs_f64(),
        }
    })
}

fn problem(t: &Table, d: &Decided) -> Option<String> {
    let s = &t.scenarios[d.scenario];
    let a = &d.answer;
    if let Some(e) = &a.error {
        let message = e
            .get("message")
            .and_then(Value::as_str)
            .and_then(|m| m.lines().next())
            .unwrap_or_default();
        return Some(format!("the evaluator refused the request: {message} {e}"));
    }
    if !a.ignored.is_empty() {
        return Some(format!(
            "context keys that do not apply to {}: {:?}",
            s.action, a.ignored
        ));
    }
    let got = a.decision.as_deref().unwrap_or("none");
    (got != s.expect.decision()).then(|| {
        format!(
            "expected {}, got {got} (decisive: {:?})",
            s.expect.decision(),
            a.decisive
        )
    })
}

#[test]
fn every_scenario_is_decided_as_expected_on_every_configuration() {
    let t = table();
    let b = baseline();
    let mut failures = Vec::new();
    let mut applied = BTreeSet::new();
    let mut unvalidated = 0;
    for (name, decided) in &b.configs {
        assert!(!decided.is_empty(), "{name}: no scenario applies");
        for (key, d) in decided {
            applied.insert(d.scenario);
            unvalidated += usize::from(!d.answer.unvalidated.is_empty());
            if let Some(p) = problem(&t, d) {
                failures.push(format!("[{name}] {key}: {p}\n    request: {}", d.request));
            }
        }
    }
    for (i, s) in t.scenarios.iter().enumerate() {
        if !applied.contains(&i) {
            failures.push(format!(
                "scenario {} applies to no configuration of the matrix",
                s.id
            ));
        }
    }
    eprintln!(
        "access proof: {} scenarios, {} configurations, {} decided requests ({} with kms:EncryptionContext evaluated unvalidated), {:.1} s",
        t.scenarios.len(),
        b.configs.len(),
        b.requests,
        unvalidated,
        b.seconds
    );
    assert!(
        failures.is_empty(),
        "{} of {} decisions are wrong:\n{}",
        failures.len(),
        b.requests,
        failures.join("\n")
    );
}

/// Every policy document of a rendered template, by site, with its statements' Sids.
fn sites(templates: &BTreeMap<String, Value>) -> Vec<(Site, Vec<String>)> {
    let mut out = Vec::new();
    for (stem, t) in templates {
        for (logical_id, r) in t["Resources"].as_object().into_iter().flatten() {
            let mut found = Vec::new();
            world::find_policies(
                r.get("Properties").unwrap_or(&Value::Null),
                String::new(),
                &mut found,
            );
            if let Some(text) = r.pointer(&format!("/Properties{}/Fn::Sub", world::TEXT_POLICY_PATH)).and_then(Value::as_str) {
                let doc: Value = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("{stem}:{logical_id}: policy text is not JSON: {e}"));
                found.push((world::TEXT_POLICY_PATH.to_string(), doc));
            }
            if r["Type"] == "AWS::Organizations::Policy" {
                // The SCP has its own proof with this evaluator, statement
                // removal included: tests/scp.rs (every principal an
                // administrator of a member account, exemptions removed too).
                continue;
            }
            for (path, doc) in found {
                let statements = doc["Statement"].as_array().unwrap_or_else(|| {
                    panic!("{stem}:{logical_id}{path}: Statement is not a list")
                });
                let sids = statements
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        s.get("Sid")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                            .unwrap_or(format!("[{i}]"))
                    })
                    .collect();
                out.push((
                    Site {
                        stem: stem.clone(),
                        logical_id: logical_id.clone(),
                        path,
                    },
                    sids,
                ));
            }
        }
        // Functions' resource-based policies: their statements are the
        // stack's AWS::Lambda::Permission resources.
        for (function, permissions) in world::permissions_by_function(t) {
            out.push((
                Site {
                    stem: stem.clone(),
                    logical_id: function,
                    path: world::FUNCTION_POLICY_PATH.to_string(),
                },
                permissions,
            ));
        }
    }
    out
}

fn without_statement(
    templates: &BTreeMap<String, Value>,
    site: &Site,
    index: usize,
) -> BTreeMap<String, Value> {
    let mut out = templates.clone();
    if site.path == world::FUNCTION_POLICY_PATH {
        // A function's policy statement is an AWS::Lambda::Permission: remove it.
        let t = out.get_mut(&site.stem).unwrap_or_else(|| panic!("{site}: no template"));
        let permission = world::permissions_by_function(t)
            .get(&site.logical_id)
            .and_then(|p| p.get(index).cloned())
            .unwrap_or_else(|| panic!("{site}: no permission [{index}]"));
        t["Resources"]
            .as_object_mut()
            .expect("Resources")
            .remove(&permission);
        return out;
    }
    if site.path == world::TEXT_POLICY_PATH {
        // A policy held as JSON text inside Fn::Sub: edit the text.
        let pointer = format!("/Resources/{}/Properties{}/Fn::Sub", site.logical_id, site.path);
        let text = out
            .get_mut(&site.stem)
            .and_then(|t| t.pointer_mut(&pointer))
            .unwrap_or_else(|| panic!("{site}: no policy text"));
        let mut doc: Value = serde_json::from_str(text.as_str().unwrap()).unwrap();
        doc["Statement"].as_array_mut().unwrap().remove(index);
        *text = Value::String(serde_json::to_string(&doc).unwrap());
        return out;
    }
    let pointer = format!(
        "/Resources/{}/Properties{}/Statement",
        site.logical_id, site.path
    );
    out.get_mut(&site.stem)
        .and_then(|t| t.pointer_mut(&pointer))
        .and_then(Value::as_array_mut)
        .unwrap_or_else(|| panic!("{site}: no statement list"))
        .remove(index);
    out
}

#[test]
fn every_statement_of_every_generated_policy_changes_a_decision() {
    let started = Instant::now();
    let t = table();
    let b = baseline();
    let prepared = prepare();
    struct Mutant {
        config: usize,
        site: Site,
        sid: String,
        /// (case key, index in the batch)
        cases: Vec<(String, usize)>,
    }
    let mut batch = Batch::default();
    let mut mutants = Vec::new();
    for (i, p) in prepared.iter().enumerate() {
        // The operator policies have their own statement-removal test, over
        // every profile of their configurations (windows, RDP, documents):
        // tests/access_operators.rs, with this evaluator and protocol.
        for (site, sids) in sites(&p.templates).into_iter().filter(|(s, _)| !s.logical_id.starts_with("OperatorPolicy")) {
            for (j, sid) in sids.iter().enumerate() {
                let templates = without_statement(&p.templates, &site, j);
                let world = World::deploy(&p.config, &p.bundle, &templates)
                    .unwrap_or_else(|e| panic!("{}: {e}", p.name));
                let cases: Vec<Case> =
                    expand(&t, &world).unwrap_or_else(|e| panic!("{}: {e}", p.name));
                let tag = format!("{site}-{sid}");
                let mut mine = Vec::new();
                for c in cases.iter().filter(|c| c.uses_site(&world, &site)) {
                    mine.push((c.key(&t), batch.requests.len()));
                    batch.add(&world, c, &format!("c{i}"), Some((&site, &tag)));
                }
                mutants.push(Mutant {
                    config: i,
                    site: site.clone(),
                    sid: sid.clone(),
                    cases: mine,
                });
            }
        }
    }
    let answers = evaluate(&batch);
    let mut unnoticed = Vec::new();
    let mut noticed_by = BTreeMap::new();
    for m in &mutants {
        let (name, base) = &b.configs[m.config];
        let mut by = None;
        for (key, at) in &m.cases {
            let a = &answers[*at];
            assert!(
                a.error.is_none(),
                "[{name}] {key} without {}#{}: the evaluator refused: {:?}",
                m.site,
                m.sid,
                a.error
            );
            if a.decision != base[key].answer.decision {
                by = Some(format!(
                    "{key}: {:?} → {:?}",
                    base[key].answer.decision, a.decision
                ));
                break;
            }
        }
        match by {
            Some(by) => {
                noticed_by.insert(format!("[{name}] {}#{}", m.site, m.sid), by);
            }
            None => unnoticed.push(format!(
                "[{name}] {}#{}: removing it changes none of the {} decisions that use this policy",
                m.site,
                m.sid,
                m.cases.len()
            )),
        }
    }
    eprintln!(
        "non-vacuity: {} statements removed one at a time over {} configurations, {} requests re-decided, {} noticed, {:.1} s",
        mutants.len(),
        prepared.len(),
        batch.requests.len(),
        noticed_by.len(),
        started.elapsed().as_secs_f64()
    );
    if std::env::var_os("ACCESS_PROOF_VERBOSE").is_some() {
        for (m, by) in &noticed_by {
            eprintln!("  {m}\n      noticed by {by}");
        }
    }
    assert!(
        mutants.len() > 100,
        "only {} statements mutated",
        mutants.len()
    );
    assert!(
        unnoticed.is_empty(),
        "statements no scenario needs (add the scenario that needs them, or remove them):\n{}",
        unnoticed.join("\n")
    );
}

const TABLE_START: &str = "<!-- access-table:start (generated by tests/access.rs from tests/access/scenarios.yaml; UPDATE_ACCESS_TABLE=1 cargo test --test access rewrites it) -->";
const TABLE_END: &str = "<!-- access-table:end -->";

fn feature_text(f: &str) -> String {
    let (not, name) = match f.strip_prefix('!') {
        Some(n) => ("not ", n),
        None => ("", f),
    };
    let text = match name {
        "s3" => "S3 logging on",
        "cloudwatch" => "CloudWatch logging on",
        "encrypt_sessions" => "`encrypt_sessions` on",
        "rdp" => "RDP recording on, in regions that have it",
        "upsert" => "`document: upsert`",
        "split_keys" => "split keys",
        "several_regions" => "several regions",
        "log_copy" => "the log copy on",
        "organization_trail" => "the organization trail (`cloudtrail.mode: organization`)",
        "guard_in_management" => "the CloudTrail guard in the management account",
        "guard_in_members" => "the CloudTrail guard in each member account (`owner: members`)",
        "watch" => "the preferences watch (`preferences_watch`, `document: upsert`)",
        "scp" => "the service control policies on (`guardrails.scp`)",
        "archive_scp" => "the log-archive SCP on (`guardrails.log_archive.scp`)",
        "alarm" => "the log archive's alarm in the region",
        "alarm_on" => "the log archive's alarm on (`guardrails.log_archive.alarm`)",
        "home_is_member" => "the home region a member region",
        "athena" => "Athena on (`log_archive.athena`)",
        "athena_external_auditors" => "Athena on, the auditor role trusting `trusted_principals`",
        other if other.starts_with("profile:") => {
            return format!("{not}operator profile `{}`", &other["profile:".len()..])
        }
        other => panic!("no README text for feature {other}"),
    };
    format!("{not}{text}")
}

/// The Access table of docs/access.md: the scenarios, grouped by actor, with the
/// decision every configuration and region gave.
fn access_table(t: &Table, b: &Baseline) -> String {
    let mut decided: BTreeMap<usize, (BTreeSet<String>, usize)> = BTreeMap::new();
    for (_, cases) in &b.configs {
        for d in cases.values() {
            let e = decided.entry(d.scenario).or_default();
            e.0.insert(d.answer.decision.clone().unwrap_or_else(|| "error".into()));
            e.1 += 1;
        }
    }
    let label = |i: usize| -> String {
        let (set, _) = &decided[&i];
        let expect = t.scenarios[i].expect;
        if set.len() == 1 && set.contains(expect.decision()) {
            expect.label().to_string()
        } else {
            format!("MIXED: {set:?}")
        }
    };
    let mut out = String::new();
    out.push_str("| Who | Request | Decision | When | Decided |\n|---|---|---|---|---|\n");
    let mut order: Vec<&String> = Vec::new();
    for s in &t.scenarios {
        if !order.contains(&&s.actor) {
            order.push(&s.actor);
        }
    }
    for actor in order {
        let mut first = true;
        for (i, s) in t
            .scenarios
            .iter()
            .enumerate()
            .filter(|(_, s)| s.actor == *actor)
        {
            let who = if first {
                t.actors[actor].title.clone()
            } else {
                String::new()
            };
            first = false;
            let when = s
                .requires
                .iter()
                .map(|f| feature_text(f))
                .collect::<Vec<_>>()
                .join(", ");
            out.push_str(&format!(
                "| {who} | {} (`{}`) | {} | {} | {} |\n",
                s.what,
                s.action,
                label(i),
                if when.is_empty() {
                    "always".into()
                } else {
                    when
                },
                decided.get(&i).map(|d| d.1).unwrap_or(0)
            ));
        }
    }
    out
}

#[test]
fn readme_access_table_is_generated_from_the_scenarios() {
    let t = table();
    let b = baseline();
    let generated = access_table(&t, b);
    let readme_path = repo_root().join("docs/access.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let start = readme
        .find(TABLE_START)
        .expect("docs/access.md has the access-table start marker");
    let end = readme
        .find(TABLE_END)
        .expect("docs/access.md has the access-table end marker");
    let current = &readme[start + TABLE_START.len()..end];
    let wanted = format!("\n{generated}");
    if current == wanted {
        return;
    }
    if std::env::var_os("UPDATE_ACCESS_TABLE").is_some() {
        let updated = format!(
            "{}{TABLE_START}{wanted}{}",
            &readme[..start],
            &readme[end..]
        );
        std::fs::write(&readme_path, updated).unwrap();
        return;
    }
    let diff = similar::TextDiff::from_lines(current, wanted.as_str())
        .unified_diff()
        .header("docs/access.md", "generated")
        .to_string();
    panic!("docs/access.md's Access table is stale; run UPDATE_ACCESS_TABLE=1 cargo test --test access\n{diff}");
}

/// The evaluator is strict where the proof relies on it: what it refuses
/// fails the proof, and the one gap it has (colon-separated variable context
/// keys) is handled and visible.
#[test]
fn the_evaluator_refuses_what_aws_would_not_accept() {
    let policy =
        |statement: Value| serde_json::json!({"Version": "2012-10-17", "Statement": [statement]});
    let mut batch = Batch::default();
    batch.policies.insert(
        "id".into(),
        policy(serde_json::json!({"Effect": "Allow", "Action": "*", "Resource": "*"})),
    );
    batch.policies.insert(
        "key".into(),
        policy(serde_json::json!({"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
            "Action": "kms:GenerateDataKey", "Resource": "*",
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:*:log-group:/g"}}})),
    );
    batch.policies.insert(
        "arn-scoped".into(),
        policy(serde_json::json!({"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "arn:aws:logs:us-east-1:111122223333:log-group:*"})),
    );
    let request = |action: &str,
                   resource: &str,
                   principal: &str,
                   context: Value,
                   identity: &[&str],
                   resource_policy: Option<&str>| {
        serde_json::json!({"principal": principal, "action": action, "resource": resource, "resource_account": "111122223333",
            "context": context, "identity": identity, "resource_policy": resource_policy})
    };
    let role = "arn:aws:iam::111122223333:role/r";
    let key = "arn:aws:kms:us-east-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef";
    let logs = "logs.us-east-1.amazonaws.com";
    batch.requests = vec![
        request(
            "s3:PutObjekt",
            "arn:aws:s3:::b/k",
            role,
            serde_json::json!({}),
            &["id"],
            None,
        ),
        request(
            "s3:PutObject",
            key,
            role,
            serde_json::json!({}),
            &["id"],
            None,
        ),
        request(
            "kms:Decrypt",
            key,
            role,
            serde_json::json!({"s3:x-amz-acl": "private"}),
            &["id"],
            None,
        ),
        request(
            "logs:DescribeLogGroups",
            "*",
            role,
            serde_json::json!({}),
            &["arn-scoped"],
            None,
        ),
        request(
            "kms:GenerateDataKey",
            key,
            logs,
            serde_json::json!({"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:log-group:/g"}),
            &[],
            Some("key"),
        ),
        request(
            "kms:GenerateDataKey",
            key,
            logs,
            serde_json::json!({"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:log-group:/h"}),
            &[],
            Some("key"),
        ),
    ];
    let a = evaluate(&batch);
    assert!(a[0].error.is_some(), "unknown action accepted: {:?}", a[0]);
    assert!(
        a[1].error.is_some(),
        "a key ARN accepted as an S3 object: {:?}",
        a[1]
    );
    assert_eq!(a[2].ignored, vec!["s3:x-amz-acl".to_string()], "{:?}", a[2]);
    // logs:DescribeLogGroups has no resource-level permissions: an ARN-scoped
    // grant does not allow it (the instance policy once had exactly that).
    assert_eq!(
        a[3].decision.as_deref(),
        Some("ImplicitlyDenied"),
        "{:?}",
        a[3]
    );
    assert_eq!(a[4].decision.as_deref(), Some("Allowed"), "{:?}", a[4]);
    assert_eq!(
        a[4].unvalidated,
        vec!["kms:EncryptionContext:aws:logs:arn".to_string()]
    );
    assert_eq!(
        a[5].decision.as_deref(),
        Some("ImplicitlyDenied"),
        "{:?}",
        a[5]
    );
}
