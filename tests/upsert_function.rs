//! The member template's inline functions: the preferences upsert (fact 1:
//! the document often exists already) and the create-or-adopt log group
//! (fact 11). Their Python runs directly against moto's in-process services:
//! `tests/upsert/test_upsert_function.py`, `tests/upsert/test_log_group_function.py`
//! (the deploy tests also run them inside moto's server, patch 13).
//! Both are also invoked as an attacker would (issue 17, docs/functions.md):
//! hand-written Create, Update and Delete events with content, retention and
//! key of the caller's choosing, a Delete while the stack is not being
//! deleted, a ResponseURL to an outside host — the managed preferences,
//! retention and key stay; and each protection is mutated away once to show
//! the attack then succeeds.

mod common;

use std::process::Command;

#[test]
fn upsert_function_applies_only_its_managed_content_and_restores_defaults_only_on_its_stacks_deletion() {
    unittest("tests/upsert/test_upsert_function.py", 15);
}

#[test]
fn the_rendered_template_carries_exactly_that_function() {
    carried_inline(sessionlog::stacks::member_regional::UPSERT_SOURCE);
}

/// The create-or-adopt log group's function (fact 11), run the same way
/// against moto's in-process CloudWatch Logs: absent → created with its key,
/// retention and tags; present → adopted (the same group, its events kept)
/// with retention, key and tags set; update → new retention; delete → kept;
/// hand-written events with other values → the managed ones (re)applied.
#[test]
fn log_group_function_creates_adopts_updates_never_deletes_and_applies_only_its_managed_settings() {
    unittest("tests/upsert/test_log_group_function.py", 11);
}

#[test]
fn the_rendered_template_carries_exactly_the_log_group_function() {
    carried_inline(sessionlog::stacks::member_regional::LOG_GROUP_SOURCE);
}

/// Run a Python unittest file with the test Python: all `tests` pass.
fn unittest(script: &str, tests: usize) {
    let python = common::python();
    let out = Command::new(&python)
        .arg(common::repo_root().join(script))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e} (run `make setup`)", python.display()));
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&format!("Ran {tests} tests")) && text.contains("\nOK"), "{text}");
}

/// The function's source is inline in the rendered member template, within
/// Lambda's 4,096 characters for inline code.
fn carried_inline(source: &str) {
    let template = std::fs::read_to_string(common::repo_root().join("templates/member-regional.yaml")).unwrap();
    assert!(source.len() < 4096, "inline Lambda code is limited to 4096 characters");
    for line in source.lines().filter(|l| !l.trim().is_empty()) {
        assert!(template.contains(line), "missing from the template: {line}");
    }
}
