//! The just-in-time node access policies sessionlog generates, checked by
//! Cedar's own engine (cedar-policy 4, through the `cedarpy` binding pinned
//! in scripts/test-setup.sh; tests/jit/cedar_decide.py drives it):
//!
//! - the auto-approval policy (member regional templates) and the
//!   deny-access policy (management-account stack) parse and validate
//!   against the just-in-time schema (tests/jit/schema.cedarschema, written
//!   from AWS's documentation: the file says which page);
//! - the validator is not vacuous: a policy reading a tag without `hasTag`,
//!   or naming another action, fails it;
//! - a scenario table decided by the Cedar authorizer with the deny-access
//!   and auto-approval policies together (AWS evaluates deny-access first: a
//!   `forbid` wins): an operator of the profile's group to a tagged node is
//!   approved at once; another group, an untagged node, a node with another
//!   tag value, a node the deny-access policy forbids are not;
//! - several auto profiles are merged into the ONE auto-approval policy of
//!   an account and region;
//! - removing any generated statement flips at least one case.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use sessionlog::config::model::Config;
use sessionlog::config::operators::Approval;
use sessionlog::config::{load, Source};
use sessionlog::stacks::jit;

use common::*;

const GROUP: &str = "34688438-1061-702c-a03d-1fa788dccfd1";
const OTHER_GROUP: &str = "a1b2c3d4e5-11111111-2222-3333-4444-555555555555";

fn schema() -> String {
    std::fs::read_to_string(repo_root().join("tests/jit/schema.cedarschema")).unwrap()
}

fn config(name: &str, text: String) -> Config {
    load(&Source {
        name: name.into(),
        text,
    })
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Three auto profiles (one with two groups and a wildcard), a manual one
/// (not in the auto-approval policy), and deny rules with and without
/// groups.
fn several() -> Config {
    let text = edited(&[(
        "  jit:                              # organization-wide; omit without just-in-time node access\n    deny_access:                    # never auto-approved (management account, one per organization)\n      - instance_tags: {DataClassification: [restricted]}\n",
        r#"    - name: db-admins
      instance_tags: {Role: [database], Environment: ["prod-*", staging]}
      access: jit
      jit: {approval: auto, groups: [11111111-aaaa-bbbb-cccc-000000000001, 11111111-aaaa-bbbb-cccc-000000000002]}
    - name: batch
      instance_tags: {Role: [batch]}
      access: both
      jit: {approval: auto, groups: [11111111-aaaa-bbbb-cccc-000000000003]}
    - name: break-glass
      instance_tags: {Tier: [core]}
      access: jit
      jit: {approval: manual, approvers: [[11111111-aaaa-bbbb-cccc-000000000009]]}
  jit:
    deny_access:
      - instance_tags: {DataClassification: [restricted]}
      - instance_tags: {Environment: ["prod-*"]}
        groups: [11111111-aaaa-bbbb-cccc-000000000002]
"#,
    )]);
    config("several", text)
}

/// Run one batch through Cedar.
fn cedar(validate: Value, requests: &[Value]) -> Value {
    let mut child = Command::new(python())
        .arg("tests/jit/cedar_decide.py")
        .current_dir(repo_root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs (make setup)");
    let input = serde_json::to_vec(
        &json!({"schema": schema(), "validate": validate, "requests": requests}),
    )
    .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "cedar_decide.py failed (is cedarpy installed? `make setup`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// One access request: a user in `groups` asks for a node with `tags`.
#[derive(Clone, Debug)]
struct Case {
    what: String,
    groups: Vec<String>,
    tags: Vec<(String, String)>,
    approved: bool,
}

fn case(what: &str, groups: &[&str], tags: &[(&str, &str)], approved: bool) -> Case {
    Case {
        what: what.into(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        approved,
    }
}

impl Case {
    fn request(&self, n: usize, policies: &str) -> Value {
        let user = format!("user-{n}");
        let node = format!("i-{n:017x}");
        let mut entities = vec![json!({
            "uid": {"type": "AWS::IdentityStore::User", "id": user},
            "attrs": {},
            "parents": self.groups.iter().map(|g| json!({"type": "AWS::IdentityStore::Group", "id": g})).collect::<Vec<_>>(),
        })];
        for g in &self.groups {
            entities.push(json!({"uid": {"type": "AWS::IdentityStore::Group", "id": g}, "attrs": {}, "parents": []}));
        }
        let tags: serde_json::Map<String, Value> = self
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        entities.push(json!({"uid": {"type": "AWS::EC2::Instance", "id": node}, "attrs": {}, "parents": [], "tags": tags}));
        json!({
            "policies": policies,
            "principal": format!("AWS::IdentityStore::User::\"{user}\""),
            "resource": format!("AWS::EC2::Instance::\"{node}\""),
            "entities": entities,
        })
    }
}

/// The deny-access and auto-approval statements together.
fn statements(c: &Config) -> Vec<String> {
    let mut s = jit::deny_statements(c);
    s.extend(jit::auto_approval_statements(c));
    s
}

/// Decide every case with these statements; `Allow` means auto-approved.
fn decide(statements: &[String], cases: &[Case]) -> Vec<bool> {
    let policies = statements.join("\n\n");
    let requests: Vec<Value> = cases
        .iter()
        .enumerate()
        .map(|(n, c)| c.request(n, &policies))
        .collect();
    let out = cedar(json!({}), &requests);
    out["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .zip(cases)
        .map(|(d, c)| {
            assert!(
                d["errors"].as_array().unwrap().is_empty(),
                "{}: Cedar reported {}",
                c.what,
                d["errors"]
            );
            d["decision"] == "Allow"
        })
        .collect()
}

/// A value a tag pattern accepts (`prod-*` → `prod-1`).
fn matching(v: &str) -> String {
    v.replace('*', "1")
}

/// The example's hand-written table.
fn example_table() -> Vec<Case> {
    let node = [("Team", "web"), ("Environment", "production")];
    vec![
        case(
            "operator of on-call's group to a node with its tags",
            &[GROUP],
            &node,
            true,
        ),
        case(
            "operator in another group too",
            &[OTHER_GROUP, GROUP],
            &node,
            true,
        ),
        case("a user of another group", &[OTHER_GROUP], &node, false),
        case("a user in no group", &[], &node, false),
        case("an untagged node", &[GROUP], &[], false),
        case(
            "a node with only one of the tags",
            &[GROUP],
            &[("Team", "web")],
            false,
        ),
        case(
            "a node with another Environment value",
            &[GROUP],
            &[("Team", "web"), ("Environment", "staging")],
            false,
        ),
        case(
            "a node the deny-access policy forbids",
            &[GROUP],
            &[
                ("Team", "web"),
                ("Environment", "production"),
                ("DataClassification", "restricted"),
            ],
            false,
        ),
        case(
            "deny-access tag with another value",
            &[GROUP],
            &[
                ("Team", "web"),
                ("Environment", "production"),
                ("DataClassification", "public"),
            ],
            true,
        ),
    ]
}

/// Per statement of a configuration, the request it exists for: each
/// permit's group to a node with its profile's tags (approved); each
/// forbid's group (any user when it names none) to a node with the tags of
/// its rule and of an auto profile the user may otherwise reach (refused).
fn per_statement(c: &Config) -> Vec<Case> {
    let mut out = Vec::new();
    let auto: Vec<_> = c
        .operators
        .jit_profiles()
        .filter(|(_, j)| j.approval == Approval::Auto)
        .collect();
    let forbids = |g: &str, tags: &[(String, String)]| {
        c.operators
            .jit
            .iter()
            .flat_map(|o| &o.deny_access)
            .any(|r| {
                (r.groups.is_empty() || r.groups.iter().any(|x| x == g))
                    && r.instance_tags.iter().all(|(k, vs)| {
                        tags.iter()
                            .any(|(tk, tv)| tk == k && vs.0.iter().any(|v| matching(v) == *tv))
                    })
            })
    };
    for (p, j) in &auto {
        // Every combination of the profile's values, the first one no
        // forbid of the group matches.
        let mut combos: Vec<Vec<(String, String)>> = vec![vec![]];
        for (k, vs) in &p.instance_tags {
            combos = combos
                .into_iter()
                .flat_map(|t| {
                    vs.0.iter().map(move |v| {
                        let mut t = t.clone();
                        t.push((k.clone(), matching(v)));
                        t
                    })
                })
                .collect();
        }
        for g in &j.groups {
            let free = combos.iter().find(|t| !forbids(g, t));
            let tags = free.unwrap_or(&combos[0]).clone();
            out.push(Case {
                what: format!(
                    "{}: group {g} to a node with the profile's tags {tags:?}",
                    p.name
                ),
                groups: vec![g.clone()],
                tags,
                approved: free.is_some(),
            });
        }
    }
    if let Some(org) = &c.operators.jit {
        for (r, rule) in org.deny_access.iter().enumerate() {
            // An auto profile and group the rule's tags do not contradict.
            let (p, j) = auto
                .iter()
                .find(|(p, _)| {
                    rule.instance_tags.keys().all(|k| {
                        !p.instance_tags.contains_key(k)
                            || rule.instance_tags[k] == p.instance_tags[k]
                    })
                })
                .or_else(|| auto.first())
                .expect("an auto profile");
            let mut tags: Vec<(String, String)> = p
                .instance_tags
                .iter()
                .map(|(k, v)| (k.clone(), matching(&v.0[0])))
                .collect();
            for (k, v) in &rule.instance_tags {
                tags.retain(|(tk, _)| tk != k);
                tags.push((k.clone(), matching(&v.0[0])));
            }
            let mut groups = j.groups[..1].to_vec();
            groups.extend(rule.groups.iter().cloned());
            out.push(Case {
                what: format!(
                    "deny_access[{r}] forbids {} to a node with its tags",
                    p.name
                ),
                groups,
                tags,
                approved: false,
            });
        }
    }
    out
}

#[test]
fn generated_cedar_validates_against_the_jit_schema() {
    let example = config("example", example().to_string());
    let several = several();
    let mut validate = serde_json::Map::new();
    for (name, c) in [("example", &example), ("several", &several)] {
        validate.insert(
            format!("{name} auto-approval"),
            json!(jit::auto_approval_policy(c).expect("auto profiles")),
        );
        validate.insert(
            format!("{name} deny-access"),
            json!(jit::deny_access_policy(c).expect("deny rules")),
        );
    }
    // Controls: what the validator must refuse.
    validate.insert("control: getTag without hasTag".into(), json!(r#"permit (principal, action == AWS::SSM::Action::"getTokenForInstanceAccess", resource) when { resource.getTag("Team") == "web" };"#));
    validate.insert(
        "control: another action".into(),
        json!(r#"permit (principal, action == AWS::SSM::Action::"startSession", resource);"#),
    );
    let out = cedar(Value::Object(validate), &[]);
    for (name, v) in out["validation"].as_object().unwrap() {
        let control = name.starts_with("control:");
        assert_eq!(
            v["passed"].as_bool().unwrap(),
            !control,
            "{name}: {}",
            v["errors"]
        );
    }
}

#[test]
fn requests_are_auto_approved_as_the_profiles_say() {
    let example = config("example", example().to_string());
    let several = several();
    let mut wrong = Vec::new();
    let mut total = 0;
    for (name, c, mut cases) in [
        ("example", &example, example_table()),
        ("several", &several, vec![]),
    ] {
        cases.extend(per_statement(c));
        total += cases.len();
        for (case, approved) in cases.iter().zip(decide(&statements(c), &cases)) {
            if case.approved != approved {
                wrong.push(format!(
                    "[{name}] {}: expected {}, Cedar says {}",
                    case.what, case.approved, approved
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cases decided otherwise:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(total >= 16, "{total} cases");
}

#[test]
fn several_auto_profiles_share_the_one_auto_approval_policy() {
    let c = several();
    let bundle = sessionlog::stacks::build(&c);
    let mut member_templates = 0;
    for t in bundle.templates() {
        let v = t.template.to_value();
        let docs: Vec<&Value> = v["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| {
                r["Type"] == "AWS::SSM::Document"
                    && r["Properties"]["DocumentType"] == "AutoApprovalPolicy"
            })
            .collect();
        if t.file_stem.starts_with("member-regional") {
            member_templates += 1;
            assert_eq!(
                docs.len(),
                1,
                "{}: one auto-approval policy per account and region",
                t.file_stem
            );
            let text = docs[0]["Properties"]["Content"].as_str().unwrap();
            for profile in ["on-call", "db-admins", "batch"] {
                assert!(
                    text.contains(&format!("// profile {profile}\n")),
                    "{}: {profile} missing",
                    t.file_stem
                );
            }
            assert!(
                !text.contains("break-glass"),
                "manual profiles are not auto-approved"
            );
            assert_eq!(text.matches("permit (").count(), 4, "one permit per group");
        } else if t.file_stem == jit::MANAGEMENT_JIT {
            assert_eq!(docs.len(), 1);
            assert_eq!(docs[0]["Properties"]["Name"], jit::DENY_ACCESS_NAME);
            assert_eq!(
                docs[0]["Properties"]["Content"]
                    .as_str()
                    .unwrap()
                    .matches("forbid (")
                    .count(),
                2
            );
        } else {
            assert!(
                docs.is_empty(),
                "{}: no just-in-time policy expected",
                t.file_stem
            );
        }
    }
    assert!(member_templates >= 1);
    assert!(bundle
        .management_stacks
        .iter()
        .any(|s| s.template.file_stem == jit::MANAGEMENT_JIT
            && s.account == c.organization.management_account));
}

/// Removing any statement of the generated policies changes a decision.
#[test]
fn every_generated_cedar_statement_matters() {
    let example = config("example", example().to_string());
    let several = several();
    let mut vacuous = Vec::new();
    let mut mutants = 0;
    for (name, c, mut cases) in [
        ("example", &example, example_table()),
        ("several", &several, vec![]),
    ] {
        cases.extend(per_statement(c));
        let all = statements(c);
        let baseline = decide(&all, &cases);
        // One batch per configuration: each mutant's cases after another.
        let mut batch = Vec::new();
        let mut owner = Vec::new();
        let mut requests = Vec::new();
        for m in 0..all.len() {
            let without: Vec<String> = all
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != m)
                .map(|(_, s)| s.clone())
                .collect();
            let policies = without.join("\n\n");
            for (n, case) in cases.iter().enumerate() {
                requests.push(case.request(n, &policies));
                batch.push(n);
                owner.push(m);
            }
        }
        mutants += all.len();
        let out = cedar(json!({}), &requests);
        let mut changed = vec![false; all.len()];
        for ((d, n), m) in out["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .zip(&batch)
            .zip(&owner)
        {
            changed[*m] |= (d["decision"] == "Allow") != baseline[*n];
        }
        for (m, c) in changed.iter().enumerate() {
            if !c {
                vacuous.push(format!(
                    "[{name}] {}",
                    all[m].lines().next().unwrap_or_default()
                ));
            }
        }
    }
    assert!(mutants >= 7, "{mutants} statements");
    assert!(
        vacuous.is_empty(),
        "statements no case depends on:\n{}",
        vacuous.join("\n")
    );
}
