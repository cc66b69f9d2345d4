//! The member template's inline upsert function (fact 1: the preferences
//! document often exists already). Lambda cannot run on moto without docker,
//! so the function's Python runs directly against moto's in-process SSM:
//! `tests/upsert/test_upsert_function.py`.

mod common;

use std::process::Command;

#[test]
fn upsert_function_creates_updates_sets_default_and_restores() {
    let root = common::repo_root();
    let venv = root.join(".venv/bin/python");
    let python = if venv.exists() { venv } else { "python3".into() };
    let out = Command::new(&python)
        .arg(root.join("tests/upsert/test_upsert_function.py"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e} (run `make setup`)", python.display()));
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Ran 5 tests") && text.contains("\nOK"), "{text}");
}

#[test]
fn the_rendered_template_carries_exactly_that_function() {
    let template = std::fs::read_to_string(common::repo_root().join("templates/member-regional.yaml")).unwrap();
    let source = sessionlog::stacks::member_regional::UPSERT_SOURCE;
    assert!(source.len() < 4096, "inline Lambda code is limited to 4096 characters");
    for line in source.lines().filter(|l| !l.trim().is_empty()) {
        assert!(template.contains(line), "missing from the template: {line}");
    }
}
