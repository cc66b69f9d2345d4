//! checkov — the scanner teams gate merges with — on every template of the
//! matrix of configurations: no failed check, and every check it skips is
//! skipped by the suppression metadata sessionlog generates
//! (src/stacks/scanners.rs), with its reason. The same templates without
//! that metadata fail exactly the suppressed checks, so the suppressions are
//! what makes the run clean (and nothing else is).
//!
//! Needs the pinned checkov that `make setup` installs into .venv-checkov
//! (or one named by SESSIONLOG_CHECKOV).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::matrix::{log_copy_matrix, matrix};
use common::*;
use serde_json::Value;
use sessionlog::config::{load, Source};
use sessionlog::stacks::support::RegionSupport;

fn checkov() -> PathBuf {
    let candidates = [
        std::env::var("SESSIONLOG_CHECKOV").ok().map(PathBuf::from),
        Some(repo_root().join(".venv-checkov/bin/checkov")),
    ];
    for c in candidates.into_iter().flatten() {
        if c.exists() {
            return c;
        }
    }
    panic!("checkov not found: run `make setup` (installs the pinned checkov into .venv-checkov)");
}

/// `(file, resource, check id)` of checkov's failed and skipped checks.
type Checks = BTreeSet<(String, String, String)>;

/// What one checkov run found.
struct Scan {
    failed: Checks,
    skipped: Checks,
    /// The reason given with each skipped check.
    comments: BTreeMap<(String, String, String), String>,
    parse_errors: usize,
}

fn scan(dir: &Path) -> Scan {
    let out = Command::new(checkov())
        .args(["--framework", "cloudformation", "--compact", "--output", "json", "--directory"])
        .arg(dir)
        .output()
        .expect("checkov runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("checkov output ({e}):\n{text}\n{}", String::from_utf8_lossy(&out.stderr)));
    let reports: Vec<Value> = match report {
        Value::Array(items) => items,
        one => vec![one],
    };
    let (mut failed, mut skipped, mut comments, mut parse_errors) = (Checks::new(), Checks::new(), BTreeMap::new(), 0);
    for r in reports.iter().filter(|r| r["check_type"] == "cloudformation") {
        parse_errors += r["summary"]["parsing_errors"].as_u64().unwrap_or(0) as usize;
        let key = |c: &Value| (c["file_path"].as_str().unwrap_or_default().to_string(), c["resource"].as_str().unwrap_or_default().to_string(), c["check_id"].as_str().unwrap_or_default().to_string());
        for c in r["results"]["failed_checks"].as_array().into_iter().flatten() {
            failed.insert(key(c));
        }
        for c in r["results"]["skipped_checks"].as_array().into_iter().flatten() {
            skipped.insert(key(c));
            comments.insert(key(c), c["check_result"]["suppress_comment"].as_str().unwrap_or_default().to_string());
        }
    }
    Scan { failed, skipped, comments, parse_errors }
}

/// The templates without the scanners' metadata.
fn without_metadata(text: &str) -> String {
    let mut doc: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
    if let Some(resources) = doc.get_mut("Resources").and_then(serde_yaml::Value::as_mapping_mut) {
        for (_, resource) in resources.iter_mut() {
            if let Some(r) = resource.as_mapping_mut() {
                r.remove("Metadata");
            }
        }
    }
    serde_yaml::to_string(&doc).unwrap()
}

#[test]
fn every_generated_template_is_clean_under_checkov() {
    let dir = tempfile::tempdir().unwrap();
    let all = matrix().into_iter().map(|(name, text)| (name, text, RegionSupport::vendored())).chain(log_copy_matrix());
    let (mut written, mut seen) = (0, BTreeSet::new());
    for (i, (name, text, support)) in all.enumerate() {
        println!("c{i:02}: {name}");
        let config = load(&Source { name: name.into(), text }).unwrap_or_else(|e| panic!("{name}: {e}"));
        let bundle = sessionlog::stacks::build_for(&config, &support);
        for t in bundle.templates() {
            let yaml = sessionlog::render::template_text(&t.template, sessionlog::render::Format::Yaml);
            // Configurations share many templates: each text is scanned once.
            if !seen.insert(yaml.clone()) {
                continue;
            }
            let configured = dir.path().join(format!("c{i:02}"));
            std::fs::create_dir_all(&configured).unwrap();
            std::fs::write(configured.join(format!("{}.yaml", t.file_stem)), &yaml).unwrap();
            written += 1;
            if i == 0 {
                // The example's templates once more, bare.
                let bare = dir.path().join("bare");
                std::fs::create_dir_all(&bare).unwrap();
                std::fs::write(bare.join(format!("{}.yaml", t.file_stem)), without_metadata(&yaml)).unwrap();
            }
        }
    }
    if let Some(keep) = std::env::var_os("SESSIONLOG_KEEP_SCANNED") {
        let _ = Command::new("cp").arg("-r").arg(dir.path()).arg(keep).status();
    }
    let Scan { failed, skipped, comments, parse_errors } = scan(dir.path());
    println!("checkov: {written} distinct templates, {} checks skipped with a reason", skipped.len());
    assert!(written >= 40, "scanned {written} distinct templates");
    assert_eq!(parse_errors, 0, "checkov could not read every template");

    let generated = |set: &Checks| -> Checks { set.iter().filter(|(f, _, _)| !f.starts_with("/bare/")).cloned().collect() };
    let bare = |set: &Checks| -> Checks {
        set.iter().filter_map(|(f, r, c)| f.strip_prefix("/bare/").map(|f| (f.to_string(), r.clone(), c.clone()))).collect()
    };
    let unexplained: Vec<String> = generated(&failed).iter().map(|(f, r, c)| format!("{c} on {r} in {f}")).collect();
    assert!(unexplained.is_empty(), "checkov failed checks without a generated suppression:\n{}", unexplained.join("\n"));
    for (key, comment) in &comments {
        let suppression = sessionlog::stacks::scanners::SUPPRESSIONS.iter().find(|s| s.checkov == Some(key.2.as_str()));
        assert!(suppression.is_some_and(|s| s.reason == comment), "{key:?} skipped without sessionlog's reason: {comment:?}");
    }
    // The example bare fails exactly what the example suppresses.
    let example_skipped: Checks = skipped.iter().filter_map(|(f, r, c)| f.strip_prefix("/c00/").map(|f| (f.to_string(), r.clone(), c.clone()))).collect();
    assert!(!example_skipped.is_empty());
    assert_eq!(bare(&failed), example_skipped, "without the metadata the example fails exactly the suppressed checks");
    // Every suppression in the table is used by some configuration.
    let used: BTreeSet<String> = generated(&skipped).into_iter().map(|(_, _, c)| c).collect();
    for s in sessionlog::stacks::scanners::SUPPRESSIONS {
        if let Some(id) = s.checkov {
            assert!(used.contains(id), "{id} ({}) is suppressed nowhere: remove it from the table", s.resource_type);
        }
    }
}
