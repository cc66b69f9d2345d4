//! `sessionlog validate` from the command line: rendered templates in
//! memory, files for their configuration's regions, exit codes.

mod common;

use common::*;

#[test]
fn rendered_templates_validate_clean_in_memory() {
    let r = sessionlog(&["validate"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("8 files checked: 0 errors"), "{}", r.stdout);
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

#[test]
fn security_scope_and_as_of_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("site.yaml");
    std::fs::write(
        &file,
        "Resources:\n  Site:\n    Type: AWS::S3::Bucket\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs18.x\n      Handler: index.handler\n      Role: arn:aws:iam::123456789012:role/r\n      Code:\n        ZipFile: x\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    // A website bucket is not a log archive: the invariants are warnings.
    let r = sessionlog(&["validate", f, "--as-of", "2024-01-01"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("warning[SL503]"), "{}", r.stdout);
    let r = sessionlog(&["validate", f, "--as-of", "2024-01-01", "--security", "everywhere"]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(r.stdout.contains("error[SL503]"), "{}", r.stdout);
    let r = sessionlog(&["validate", f, "--as-of", "2024-01-01", "--security", "off"]);
    assert!(!r.stdout.contains("SL503"), "{}", r.stdout);
    // The runtime is blocked for updates from 2026-07-01.
    let r = sessionlog(&["validate", f, "--as-of", "2026-07-01"]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(r.stdout.contains("error[SL209]: Lambda runtime `nodejs18.x`"), "{}", r.stdout);
    let bad = sessionlog(&["validate", f, "--as-of", "July"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("not a date"), "{}", bad.stderr);
}

#[test]
fn config_and_the_neutral_modules_do_not_import_the_validator() {
    // Layering: the reader (src/syntax) and the AWS facts (src/aws) sit
    // below both `config` and `validate`.
    for dir in ["src/config", "src/syntax", "src/aws"] {
        for entry in std::fs::read_dir(repo_root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let files = if path.is_dir() {
                std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()).collect()
            } else {
                vec![path]
            };
            for file in files.into_iter().filter(|p| p.extension().is_some_and(|e| e == "rs")) {
                let text = std::fs::read_to_string(&file).unwrap();
                for forbidden in ["crate::validate", "crate::stacks", "crate::cli", "crate::deploy"] {
                    assert!(!text.contains(forbidden), "{} uses {forbidden}", file.display());
                }
            }
        }
    }
}
