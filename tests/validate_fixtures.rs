//! `sessionlog validate` on templates nobody here wrote: cfn-lint 1.51.0's
//! own fixture corpus (test/fixtures/templates/good and bad of its source
//! distribution, fetched and sha256-checked by scripts/test-setup.sh into
//! .cache/) and the real-world templates the same sdist ships (public/:
//! published samples, quickstart/: AWS Quick Start templates), compared
//! with cfn-lint's verdicts
//! (tests/validate/fixtures/cfn-lint-verdicts.json, generated from the
//! pinned cfn-lint by scripts/cfn-lint-fixture-verdicts.py).
//!
//! Asserted, per the categories of tests/validate/fixtures/categories.yaml:
//! - good fixtures and real-world templates: every template where sessionlog
//!   reports an error and cfn-lint none is listed in
//!   tests/validate/fixtures/justified.yaml with the rules it reports and
//!   why sessionlog is right, or marked `sessionlog_wrong` (a false alarm:
//!   at most 2 % of these templates);
//! - bad fixtures: every template where cfn-lint reports an error of a
//!   category sessionlog owes and sessionlog none of that category is
//!   listed there with its reason;
//! - nothing listed there is stale, and the counts are the ones below;
//! - docs/validation-fixtures.md is the table of all this, generated here
//!   (`UPDATE_FIXTURE_TABLE=1 cargo test --test validate_fixtures` rewrites it).
//!
//! scripts/fixture-report.py prints the same comparison for any binary.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sessionlog::aws::lambda::Date;
use sessionlog::validate::{validate_source, Options, Report, Severity, Source};

/// Good fixtures and real-world templates with a sessionlog error and no
/// cfn-lint error (all justified). Before issue 16: 37 of 92 good fixtures
/// (30 from rules other than the security invariants).
const FALSE_ALARMS_ON_GOOD: usize = 10;
/// Of those, the ones where nothing is wrong with the template as used.
const SESSIONLOG_WRONG: usize = 1;

/// Bad fixtures cfn-lint finds an error of an owed category in and
/// sessionlog none of it, per category (all justified).
const MISSES: &[(&str, usize)] = &[
    ("parse", 0),
    ("template-structure", 3),
    ("intrinsic-functions", 1),
    ("properties-schema", 1),
    ("iam-policy", 1),
    ("circular-dependency", 0),
    ("unique-names", 0),
    ("sub-needed", 0),
    ("deprecated-runtime", 0),
    ("deletion-policy", 0),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures_file(name: &str) -> String {
    let path = root().join("tests/validate/fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(Deserialize)]
struct Verdicts {
    cfn_lint: String,
    sdist_sha256: String,
    as_of: String,
    regions: Vec<String>,
    files: BTreeMap<String, Vec<(String, u32)>>,
}

#[derive(Deserialize)]
struct Category {
    owed: bool,
    #[serde(default)]
    cfn_lint: Vec<String>,
    #[serde(default)]
    sessionlog: Vec<String>,
}

#[derive(Deserialize)]
struct FalseAlarm {
    rules: BTreeSet<String>,
    why: String,
    /// Nothing is wrong with the template as it is used.
    #[serde(default)]
    sessionlog_wrong: bool,
}

#[derive(Deserialize)]
struct Justified {
    false_alarms: BTreeMap<String, FalseAlarm>,
    misses: BTreeMap<String, BTreeMap<String, String>>,
}

struct Corpus {
    verdicts: Verdicts,
    categories: BTreeMap<String, Category>,
    dir: PathBuf,
}

impl Corpus {
    fn load() -> Corpus {
        let verdicts: Verdicts =
            serde_json::from_str(&fixtures_file("cfn-lint-verdicts.json")).expect("verdicts parse");
        let categories =
            serde_yaml::from_str(&fixtures_file("categories.yaml")).expect("categories parse");
        let dir = std::env::var_os("SESSIONLOG_CFN_FIXTURES")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                root()
                    .join(".cache")
                    .join(format!("cfn-lint-{}", verdicts.cfn_lint))
            });
        let marker = std::fs::read_to_string(dir.join(".complete")).unwrap_or_else(|_| {
            panic!(
                "the cfn-lint fixture corpus is not in {}: run `make setup` (scripts/test-setup.sh fetches it)",
                dir.display()
            )
        });
        assert_eq!(
            marker.trim(),
            verdicts.sdist_sha256,
            "the fixtures in {} are not the sdist the verdicts were computed from",
            dir.display()
        );
        Corpus {
            verdicts,
            categories,
            dir,
        }
    }

    fn cfn_category(&self, rule: &str) -> String {
        self.categories
            .iter()
            .find(|(_, c)| c.cfn_lint.iter().any(|r| r == rule))
            .map(|(name, _)| name.clone())
            .unwrap_or_else(|| "service-semantics".into())
    }

    fn our_category(&self, rule: &str) -> String {
        self.categories
            .iter()
            .find(|(_, c)| c.sessionlog.iter().any(|r| r == rule))
            .map(|(name, _)| name.clone())
            .unwrap_or_else(|| "other".into())
    }

    /// cfn-lint's error categories for a fixture.
    fn cfn_errors(&self, file: &str) -> BTreeSet<String> {
        self.verdicts.files[file]
            .iter()
            .filter(|(rule, _)| rule.starts_with('E'))
            .map(|(rule, _)| self.cfn_category(rule))
            .collect()
    }

    fn validate(&self, file: &str) -> Report {
        let options = Options {
            regions: self.verdicts.regions.clone(),
            as_of: Date::parse(&self.verdicts.as_of),
            ..Default::default()
        };
        match Source::from_path(&self.dir.join(file)) {
            Ok(source) => validate_source(&Source::new(file, source.text), &options),
            Err(e) => Report::unreadable(file, &e),
        }
    }
}

/// Templates meant to deploy: cfn-lint's good fixtures and the real-world
/// templates of its sdist (published samples, AWS Quick Starts).
fn is_good(file: &str) -> bool {
    ["good/", "public/", "quickstart/"].iter().any(|k| file.starts_with(k))
}

fn error_rules(report: &Report) -> BTreeSet<String> {
    report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.rule.id.to_string())
        .collect()
}

#[test]
fn cfn_lint_fixtures_no_unjustified_false_alarm_or_miss() {
    let corpus = Corpus::load();
    let justified: Justified =
        serde_yaml::from_str(&fixtures_file("justified.yaml")).expect("justified.yaml parses");
    for (file, entry) in &justified.false_alarms {
        assert!(entry.why.len() > 20, "{file}: say why sessionlog is right");
    }
    let mut false_alarms: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut misses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut outcome = Vec::new();
    for file in corpus.verdicts.files.keys() {
        let report = corpus.validate(file);
        let ours = error_rules(&report);
        let our_categories: BTreeSet<String> =
            ours.iter().map(|r| corpus.our_category(r)).collect();
        let theirs = corpus.cfn_errors(file);
        if is_good(file) && !ours.is_empty() && theirs.is_empty() {
            false_alarms.insert(file.clone(), ours.clone());
        }
        if file.starts_with("bad/") {
            for category in &theirs {
                let owed = corpus.categories.get(category).is_some_and(|c| c.owed);
                if owed && !our_categories.contains(category) {
                    misses
                        .entry(category.clone())
                        .or_default()
                        .insert(file.clone());
                }
            }
        }
        outcome.push(serde_json::json!({
            "file": file, "sessionlog": ours, "cfn_lint": theirs,
        }));
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixtures-sessionlog.json");
    std::fs::write(&out, serde_json::to_string_pretty(&outcome).unwrap()).unwrap();

    let mut problems = Vec::new();
    for (file, rules) in &false_alarms {
        match justified.false_alarms.get(file) {
            None => problems.push(format!(
                "false alarm on {file}: {rules:?} (not in justified.yaml)"
            )),
            Some(j) if &j.rules != rules => problems.push(format!(
                "{file}: sessionlog now reports {rules:?}, justified.yaml says {:?}",
                j.rules
            )),
            Some(_) => {}
        }
    }
    for file in justified
        .false_alarms
        .keys()
        .filter(|f| !false_alarms.contains_key(*f))
    {
        problems.push(format!("{file} is justified as a false alarm but sessionlog no longer reports an error there: remove it"));
    }
    for (category, files) in &misses {
        for file in files {
            if !justified
                .misses
                .get(category)
                .is_some_and(|m| m.contains_key(file))
            {
                problems.push(format!(
                    "miss: {category} on {file} (not in justified.yaml)"
                ));
            }
        }
    }
    for (category, files) in &justified.misses {
        for (file, why) in files {
            assert!(why.len() > 20, "{category}/{file}: say why");
            if !misses.get(category).is_some_and(|m| m.contains(file)) {
                problems.push(format!("{category} on {file} is justified as a miss but sessionlog finds it now: remove it"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    assert_eq!(
        false_alarms.len(),
        FALSE_ALARMS_ON_GOOD,
        "{false_alarms:#?}"
    );
    let good = corpus.verdicts.files.keys().filter(|f| is_good(f)).count();
    let wrong = justified.false_alarms.values().filter(|j| j.sessionlog_wrong).count();
    assert_eq!(wrong, SESSIONLOG_WRONG);
    assert!(wrong * 100 <= 2 * good, "{wrong} false alarms on {good} templates: more than 2 %");
    let table = fixture_table(&corpus, &justified, &misses, good);
    check_generated(&root().join("docs/validation-fixtures.md"), &table);
    for (category, expected) in MISSES {
        let missed = misses.get(*category).map_or(0, BTreeSet::len);
        assert_eq!(missed, *expected, "{category}: {:?}", misses.get(*category));
        assert!(corpus.categories[*category].owed, "{category} is owed");
    }
    let owed: BTreeSet<&str> = corpus
        .categories
        .iter()
        .filter(|(_, c)| c.owed)
        .map(|(n, _)| n.as_str())
        .collect();
    let listed: BTreeSet<&str> = MISSES.iter().map(|(c, _)| *c).collect();
    assert_eq!(owed, listed, "MISSES lists every owed category");
}

#[test]
fn the_fixture_run_is_complete_and_unreadable_files_are_reported() {
    let corpus = Corpus::load();
    assert_eq!(
        corpus.verdicts.files.len(),
        208,
        "92 good + 96 bad fixtures, 4 public and 16 Quick Start templates"
    );
    let good = corpus
        .verdicts
        .files
        .keys()
        .filter(|f| f.starts_with("good/"))
        .count();
    assert_eq!(good, 92);
    // Every template of the corpus is validated: none is unreadable.
    for file in corpus.verdicts.files.keys() {
        assert!(corpus.validate(file).unreadable.is_empty(), "{file}");
    }
}

/// docs/validation-fixtures.md: the comparison, every difference and why.
fn fixture_table(corpus: &Corpus, justified: &Justified, misses: &BTreeMap<String, BTreeSet<String>>, good: usize) -> String {
    use std::fmt::Write;
    let files = &corpus.verdicts.files;
    let count = |prefix: &str| files.keys().filter(|f| f.starts_with(prefix)).count();
    let wrong: Vec<_> = justified.false_alarms.iter().filter(|(_, j)| j.sessionlog_wrong).collect();
    let mut out = String::new();
    let _ = writeln!(out, "# `sessionlog validate` on templates nobody here wrote\n");
    let _ = writeln!(out, "<!-- generated by tests/validate_fixtures.rs from tests/validate/fixtures/; UPDATE_FIXTURE_TABLE=1 cargo test --test validate_fixtures rewrites it -->\n");
    let _ = writeln!(out, "The corpus is cfn-lint {}'s source distribution (sha256 `{}`, fetched pinned by \
`scripts/test-setup.sh` into `.cache/`, never committed): its fixtures `good/` ({}) and `bad/` ({}), and the \
real-world templates it ships, `public/` ({}, published samples) and `quickstart/` ({}, AWS Quick Start \
templates). cfn-lint's verdicts (`tests/validate/fixtures/cfn-lint-verdicts.json`, region {}, \"today\" {}) come \
from `scripts/cfn-lint-fixture-verdicts.py`; the reasons from `tests/validate/fixtures/justified.yaml`; the test \
fails on any difference not listed there.\n",
        corpus.verdicts.cfn_lint, corpus.verdicts.sdist_sha256, count("good/"), count("bad/"), count("public/"), count("quickstart/"),
        corpus.verdicts.regions.join(", "), corpus.verdicts.as_of);
    let _ = writeln!(out, "**False alarms** (an error where nothing is wrong with the template as it is used): \
**{} of {good} templates meant to deploy ({:.1} %; the limit is 2 %).** Templates where sessionlog reports an \
error and cfn-lint none: {}, the others because sessionlog is right.\n",
        wrong.len(), wrong.len() as f64 * 100.0 / good as f64, justified.false_alarms.len());
    let _ = writeln!(out, "## Errors only sessionlog reports, on templates meant to deploy\n");
    let _ = writeln!(out, "| template | sessionlog errors | false alarm | why |\n|---|---|---|---|");
    for (file, j) in &justified.false_alarms {
        let rules: Vec<&str> = j.rules.iter().map(String::as_str).collect();
        let why = j.why.split_whitespace().collect::<Vec<_>>().join(" ");
        let _ = writeln!(out, "| `{file}` | {} | {} | {why} |", rules.join(", "), if j.sessionlog_wrong { "yes" } else { "no" });
    }
    let _ = writeln!(out, "\n## Bad fixtures: cfn-lint finds an error of a category sessionlog owes, sessionlog none of it\n");
    let _ = writeln!(out, "| category | bad fixtures with a cfn-lint error of it | missed by sessionlog |\n|---|---|---|");
    for (category, _) in MISSES {
        let with = files.keys().filter(|f| f.starts_with("bad/") && corpus.cfn_errors(f).contains(*category)).count();
        let missed = misses.get(*category).map_or(0, BTreeSet::len);
        let _ = writeln!(out, "| {category} | {with} | {missed} |");
    }
    let _ = writeln!(out, "\n| category | template | why |\n|---|---|---|");
    for (category, files) in &justified.misses {
        for (file, why) in files {
            let why = why.split_whitespace().collect::<Vec<_>>().join(" ");
            let _ = writeln!(out, "| {category} | `{file}` | {why} |");
        }
    }
    out
}

fn check_generated(path: &Path, want: &str) {
    if std::env::var_os("UPDATE_FIXTURE_TABLE").is_some() {
        std::fs::write(path, want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(have == want, "{} is stale: run UPDATE_FIXTURE_TABLE=1 cargo test --test validate_fixtures", path.display());
}
