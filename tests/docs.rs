//! The documentation cannot drift from what it documents:
//! - the configuration reference in docs/configuration.md is the one the
//!   JSON Schema renders (`sessionlog::config::reference`);
//! - docs/validation-rules.md is the one the `explain` texts render, every
//!   rule the validator has is explained, and every example in the texts
//!   really triggers its rule (and every fixed example does not);
//! - every relative link and `#anchor` in README.md and docs/*.md resolves
//!   (GitHub's heading slugs).
//!
//! `UPDATE_DOCS=1 cargo test --test docs` rewrites the generated parts.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::sessionlog;
use sessionlog::aws::lambda::Date;
use sessionlog::validate::{explain, rules, validate_sources, Options, SecurityScope, Source};

/// The day the explanations' examples are validated on.
const EXAMPLES_AS_OF: &str = "2026-12-01";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn update() -> bool {
    std::env::var_os("UPDATE_DOCS").is_some()
}

/// Compare `rel` with `expected`; rewrite it under UPDATE_DOCS.
fn generated(rel: &str, expected: &str) {
    let actual = read(rel);
    if actual == expected {
        return;
    }
    if update() {
        std::fs::write(root().join(rel), expected).unwrap();
        return;
    }
    let diff = similar::TextDiff::from_lines(actual.as_str(), expected)
        .unified_diff()
        .header(rel, "generated")
        .to_string();
    panic!("{rel} differs from what its source renders; run UPDATE_DOCS=1 cargo test --test docs\n{diff}");
}

// ---------------------------------------------------------------- reference

const REF_START: &str = "<!-- configuration-reference:start (generated from the JSON Schema by tests/docs.rs; UPDATE_DOCS=1 cargo test --test docs rewrites it) -->\n";
const REF_END: &str = "<!-- configuration-reference:end -->\n";

/// docs/configuration.md with `section` between the markers.
fn with_reference(doc: &str, section: &str) -> String {
    let start = doc
        .find(REF_START)
        .expect("docs/configuration.md has the configuration-reference start marker")
        + REF_START.len();
    let end = doc
        .find(REF_END)
        .expect("docs/configuration.md has the configuration-reference end marker");
    format!("{}{section}{}", &doc[..start], &doc[end..])
}

#[test]
fn configuration_reference_is_the_schema_rendered() {
    let doc = read("docs/configuration.md");
    generated(
        "docs/configuration.md",
        &with_reference(&doc, &sessionlog::config::reference::markdown()),
    );
}

#[test]
fn configuration_reference_check_fails_on_a_schema_change() {
    // What the schema renders differs as soon as one description does.
    let mut schema = sessionlog::config::schema::schema().clone();
    schema["properties"]["regions"]["description"] = "Changed.".into();
    let changed = sessionlog::config::reference::render(&schema);
    assert_ne!(changed, sessionlog::config::reference::markdown());
    assert!(
        changed.contains("| `regions` | required | list (at least 1 item) of an AWS region name"),
        "{changed}"
    );
    assert!(changed.contains(" | Changed. |"), "{changed}");
}

#[test]
fn every_configuration_key_is_described() {
    // A key without a doc comment would show `—` as its meaning.
    let reference = sessionlog::config::reference::markdown();
    let undescribed: Vec<&str> = reference
        .lines()
        .filter(|l| l.starts_with("| `") && l.ends_with(" | — |"))
        .map(|l| l.split('`').nth(1).unwrap_or(l))
        .collect();
    assert!(
        undescribed.is_empty(),
        "configuration keys without a doc comment (the schema's description): {undescribed:?}"
    );
}

// ------------------------------------------------------------------ explain

#[test]
fn every_rule_has_an_explanation_and_every_explanation_a_rule() {
    let rule_ids: BTreeSet<&str> = rules::ALL.iter().map(|r| r.id).collect();
    let explained: BTreeSet<&str> = explain::explained_ids().collect();
    let missing: Vec<_> = rule_ids.difference(&explained).collect();
    let extra: Vec<_> = explained.difference(&rule_ids).collect();
    assert!(
        missing.is_empty(),
        "rules without src/validate/explain/<id>.md: {missing:?}"
    );
    assert!(extra.is_empty(), "explanations of no rule: {extra:?}");
    let files: BTreeSet<String> = std::fs::read_dir(root().join("src/validate/explain"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| n.trim_end_matches(".md").to_string())
        .collect();
    let listed: BTreeSet<String> = explained.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        files, listed,
        "every SL###.md file is listed in texts!() and the other way round"
    );
    for rule in rules::ALL {
        let text = explain::text(rule.id).unwrap();
        assert_eq!(
            text.lines().next(),
            Some(explain::heading(rule).as_str()),
            "{}: first line",
            rule.id
        );
        for section in ["## Why it matters", "## Example", "## Fix"] {
            assert!(
                text.lines().any(|l| l == section),
                "{}: no `{section}`",
                rule.id
            );
        }
    }
}

#[test]
fn every_example_triggers_its_rule_and_every_fix_does_not() {
    let mut failures = Vec::new();
    for rule in rules::ALL {
        let Some(text) = explain::text(rule.id) else {
            continue;
        };
        let examples = match explain::examples(text) {
            Ok(e) => e,
            Err(e) => {
                failures.push(format!("{}: {e}", rule.id));
                continue;
            }
        };
        if !examples
            .iter()
            .any(|e| e.expect == explain::Expect::Triggers)
        {
            failures.push(format!("{}: no ```yaml triggers example", rule.id));
        }
        for example in examples {
            let name = format!("src/validate/explain/{}.md:{}", rule.id, example.line);
            // The reader must be able to run the example as it was run.
            let mut flags = Vec::new();
            if !example.options.regions.is_empty() {
                flags.push(format!("`--regions {}`", example.options.regions.join(" ")));
            }
            match example.options.security {
                SecurityScope::Auto => {}
                SecurityScope::Everywhere => flags.push("`--security everywhere`".to_string()),
                SecurityScope::Off => flags.push("`--security off`".to_string()),
            }
            for flag in flags.iter().filter(|f| {
                example.expect == explain::Expect::Triggers && !text.contains(f.as_str())
            }) {
                failures.push(format!(
                    "{name}: the text does not say the example is validated with {flag}"
                ));
            }
            // Date-dependent rules (SL209) on a fixed day: the test's verdict
            // does not change when a runtime's deprecation date passes.
            let options = Options {
                as_of: Date::parse(EXAMPLES_AS_OF),
                ..example.options.clone()
            };
            let report = validate_sources(&[Source::new(&name, &example.text)], &options);
            let found = report.findings.iter().any(|f| f.rule.id == rule.id);
            let want = example.expect == explain::Expect::Triggers;
            if found != want {
                let findings: Vec<String> = report
                    .findings
                    .iter()
                    .map(|f| format!("{} {}", f.rule.id, f.message))
                    .collect();
                failures.push(format!(
                    "{name}: {} {}, but found {findings:#?}",
                    if want {
                        "should trigger"
                    } else {
                        "should not trigger"
                    },
                    rule.id
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn validation_rules_doc_is_the_explanations_rendered() {
    generated("docs/validation-rules.md", &explain::rules_markdown());
}

#[test]
fn explain_prints_the_text_and_refuses_an_unknown_rule() {
    let out = sessionlog(&["explain", "sl101"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        explain::display(explain::text("SL101").unwrap())
    );
    assert!(out.stdout.contains("\n```yaml\n"), "{}", out.stdout);
    let by_name = sessionlog(&["explain", "dependency-cycle"]);
    assert!(
        by_name.stdout.starts_with("# SL121: dependency-cycle\n"),
        "{}",
        by_name.stdout
    );
    let list = sessionlog(&["explain"]);
    assert_eq!(list.code, 0);
    assert_eq!(list.stdout.lines().count(), rules::ALL.len());
    let unknown = sessionlog(&["explain", "SL999"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stdout.is_empty());
    assert!(
        unknown
            .stderr
            .starts_with("error: no validation rule `SL999`"),
        "{}",
        unknown.stderr
    );
    for rule in rules::ALL {
        assert!(
            unknown
                .stderr
                .contains(&format!("\n{}  {}", rule.id, rule.name)),
            "{} not listed",
            rule.id
        );
    }
}

// -------------------------------------------------------------------- links

/// README.md and docs/*.md, relative to the repository root.
fn documents() -> Vec<String> {
    let mut docs: Vec<String> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    docs.insert(0, "README.md".into());
    docs
}

/// GitHub's anchor of a heading: lower case, only letters, digits, `_`,
/// `-` and spaces kept, spaces turned into `-`.
fn slug(heading: &str) -> String {
    let text = heading.replace('`', "");
    // Links in headings count by their text.
    let text = regex::Regex::new(r"\[([^\]]*)\]\([^)]*\)")
        .unwrap()
        .replace_all(&text, "$1");
    text.trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Lines outside fenced code blocks.
fn prose(text: &str) -> Vec<&str> {
    let mut fence = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fence = !fence;
            continue;
        }
        if !fence {
            out.push(line);
        }
    }
    out
}

/// The anchors of a Markdown file's headings (repeated ones get `-1`, `-2`…).
fn anchors(text: &str) -> BTreeSet<String> {
    let heading = regex::Regex::new(r"^#{1,6} (.*)").unwrap();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for line in prose(text) {
        if let Some(c) = heading.captures(line) {
            let s = slug(&c[1]);
            let n = seen.entry(s.clone()).or_insert(0);
            out.insert(if *n == 0 {
                s.clone()
            } else {
                format!("{s}-{n}")
            });
            *n += 1;
        }
    }
    out
}

/// Relative links and anchors of `texts` (path → text) that do not resolve.
fn broken_links(texts: &BTreeMap<String, String>, exists: &dyn Fn(&Path) -> bool) -> Vec<String> {
    let link = regex::Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    let anchor_sets: BTreeMap<&String, BTreeSet<String>> =
        texts.iter().map(|(p, t)| (p, anchors(t))).collect();
    let mut bad = Vec::new();
    for (file, text) in texts {
        let base = Path::new(file).parent().unwrap_or(Path::new(""));
        for (n, line) in prose(text).into_iter().enumerate() {
            for c in link.captures_iter(line) {
                let target = &c[1];
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
                let resolved = if path.is_empty() {
                    PathBuf::from(file)
                } else {
                    normalize(&base.join(path))
                };
                let key = resolved.to_string_lossy().into_owned();
                if !path.is_empty() && !exists(&resolved) {
                    bad.push(format!("{file}:{}: {target}: no file {key}", n + 1));
                    continue;
                }
                if anchor.is_empty() {
                    continue;
                }
                match anchor_sets.get(&key) {
                    Some(set) if set.contains(anchor) => {}
                    Some(_) => bad.push(format!(
                        "{file}:{}: {target}: no heading #{anchor} in {key}",
                        n + 1
                    )),
                    None if key.ends_with(".md") => bad.push(format!(
                        "{file}:{}: {target}: anchor into a file not checked",
                        n + 1
                    )),
                    None => {}
                }
            }
        }
    }
    bad
}

/// `docs/../src/x.rs` → `src/x.rs`.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let texts: BTreeMap<String, String> = documents()
        .into_iter()
        .map(|d| (d.clone(), read(&d)))
        .collect();
    let bad = broken_links(&texts, &|p| root().join(p).exists());
    assert!(bad.is_empty(), "broken links:\n{}", bad.join("\n"));
}

#[test]
fn the_link_check_finds_missing_files_and_anchors() {
    let texts: BTreeMap<String, String> = [
        ("README.md".to_string(), "# Quick start\nsee [a](docs/a.md#the-b-section), [c](#quick-start) and [d](docs/a.md#nope)\n[e](docs/gone.md) [f](#gone) [g](https://x.test/#y)\n```\n[h](nowhere.md)\n```\n".to_string()),
        ("docs/a.md".to_string(), "# A\n## The `b` section\n## The `b` section\n[up](../README.md#quick-start) [dup](#the-b-section-1) [src](../src/x.rs)\n".to_string()),
    ]
    .into_iter()
    .collect();
    let exists =
        |p: &Path| ["README.md", "docs/a.md", "src/x.rs"].contains(&p.to_string_lossy().as_ref());
    let bad = broken_links(&texts, &exists);
    assert_eq!(
        bad,
        [
            "README.md:2: docs/a.md#nope: no heading #nope in docs/a.md",
            "README.md:3: docs/gone.md: no file docs/gone.md",
            "README.md:3: #gone: no heading #gone in README.md",
        ],
        "{bad:#?}"
    );
    assert_eq!(
        slug("Exit codes & `--check` (CI)"),
        "exit-codes----check-ci"
    );
}
