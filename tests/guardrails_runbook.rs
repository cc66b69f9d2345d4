//! The Config guard's runbook executed against moto's CloudTrail
//! (tests/guardrails/test_runbook.py, with the small interpreter
//! tests/guardrails/runbook.py): each rendered runbook, given the static
//! parameters its remediation passes, turns a stopped and weakened trail back
//! on with the required settings.

mod common;
#[path = "guardrails/matrix.rs"]
mod matrix;

use std::process::Command;

use common::*;
use serde_json::{json, Value};
use sessionlog::config::{load, Source};
use sessionlog::model::Template;
use sessionlog::stacks::guardrails::{guard, management, member_guard, GuardNames};

fn resource<'a>(t: &'a Value, id: &str) -> &'a Value {
    &t["Resources"][id]["Properties"]
}

/// A static value as the deployed stack would resolve it.
fn resolve(v: &Value, region: &str) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) if m.contains_key("Fn::Sub") => {
            let s = m["Fn::Sub"]
                .as_str()
                .unwrap()
                .replace("${AWS::Partition}", "aws")
                .replace("${AWS::Region}", region)
                .replace("${AWS::AccountId}", "111111111111")
                .replace("${ArchiveKeyId}", "mrk-0123456789abcdef0123456789abcdef");
            assert!(!s.contains("${"), "unresolved: {s}");
            s
        }
        Value::Object(m) if m.contains_key("Fn::GetAtt") => {
            "arn:aws:iam::111111111111:role/sessionlog/guard".into()
        }
        other => panic!("unexpected static value {other}"),
    }
}

fn case(
    name: &str,
    t: &Template,
    region: String,
    organization_trail: bool,
    event_selectors: bool,
) -> Value {
    let v = t.to_value();
    let runbook = resource(&v, guard::RUNBOOK)["Content"].clone();
    let mut parameters = serde_json::Map::new();
    for (k, p) in resource(&v, guard::REMEDIATION)["Parameters"]
        .as_object()
        .unwrap()
    {
        parameters.insert(
            k.clone(),
            json!(resolve(&p["StaticValue"]["Values"][0], &region)),
        );
    }
    json!({"name": name, "region": region, "runbook": runbook, "parameters": parameters,
           "organization_trail": organization_trail, "event_selectors": event_selectors})
}

#[test]
fn the_rendered_runbooks_turn_a_stopped_weakened_trail_back_on_in_moto() {
    let mut cases = Vec::new();
    for (name, text) in matrix::matrix() {
        let c = load(&Source {
            name: name.into(),
            text,
        })
        .unwrap();
        let region = GuardNames::new(&c).region();
        if let Some(t) = member_guard::template(&c) {
            cases.push(case(name, &t, region.clone(), false, false));
        }
        if let Some(t) =
            management::template(&c).filter(|t| t.resources.contains_key(guard::RUNBOOK))
        {
            let created = t.resources.contains_key("OrganizationTrail");
            cases.push(case(name, &t, region, true, created));
        }
    }
    assert_eq!(
        cases.len(),
        3,
        "organization trail, existing organization trail, per-account trails"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cases.json");
    std::fs::write(&file, serde_json::to_string_pretty(&cases).unwrap()).unwrap();
    let root = repo_root();
    let python = python();
    let out = Command::new(&python)
        .arg(root.join("tests/guardrails/test_runbook.py"))
        .env("RUNBOOK_CASES", &file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e} (run `make setup`)", python.display()));
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Ran 4 tests") && text.contains("\nOK"),
        "{text}"
    );
}
