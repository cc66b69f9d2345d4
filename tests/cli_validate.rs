//! `sessionlog validate` from the command line: rendered templates in
//! memory, files for their configuration's regions, exit codes.

mod common;

use common::*;

#[test]
fn rendered_templates_validate_clean_in_memory() {
    let r = sessionlog(&["validate"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("7 files checked: 0 errors"), "{}", r.stdout);
}

#[test]
fn files_are_checked_for_the_regions_their_configuration_deploys_them_to() {
    let dir = tempfile::tempdir().unwrap();
    // A template with RDP recording, committed earlier…
    let file = dir.path().join("member-regional.yaml");
    std::fs::copy(repo_root().join("templates/member-regional.yaml"), &file).unwrap();
    // …and a configuration that now deploys member-regional to eu-south-1.
    let cfg = dir.path().join("sessionlog.yaml");
    std::fs::write(&cfg, edited(&[("rdp_recording:\n  enabled: true", "rdp_recording:\n  enabled: false")])).unwrap();
    let (f, c) = (file.to_str().unwrap(), cfg.to_str().unwrap());

    let r = sessionlog(&["validate", f, "--config", c]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("SL301") && r.stdout.contains("eu-south-1"), "{}", r.stdout);

    // Explicit regions win; no regions and no configuration: no availability check.
    assert_eq!(sessionlog(&["validate", f, "--config", c, "--regions", "us-east-1"]).code, 0);
    assert_eq!(sessionlog(&["validate", f]).code, 0);
}

#[test]
fn sarif_and_json_reports_and_unreadable_files() {
    let file = repo_root().join("templates/log-archive.yaml");
    let sarif = sessionlog(&["validate", file.to_str().unwrap(), "--format", "sarif"]);
    assert_eq!(sarif.code, 0);
    let v: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let json = sessionlog(&["validate", file.to_str().unwrap(), "--format", "json"]);
    assert!(serde_json::from_str::<serde_json::Value>(&json.stdout).is_ok());
    let missing = sessionlog(&["validate", "/nonexistent/template.yaml"]);
    assert_eq!(missing.code, 2);
}
