//! `sessionlog validate` on templates nobody here wrote: cfn-lint 1.51.0's
//! own fixture corpus (test/fixtures/templates/good and bad of its source
//! distribution, fetched and sha256-checked by scripts/test-setup.sh into
//! .cache/), compared with cfn-lint's verdicts
//! (tests/validate/fixtures/cfn-lint-verdicts.json, generated from the
//! pinned cfn-lint by scripts/cfn-lint-fixture-verdicts.py).
//!
//! Asserted, per the categories of tests/validate/fixtures/categories.yaml:
//! - good fixtures: every template where sessionlog reports an error and
//!   cfn-lint none is listed in tests/validate/fixtures/justified.yaml with
//!   the reason sessionlog is right, with the rules it reports;
//! - bad fixtures: every template where cfn-lint reports an error of a
//!   category sessionlog owes and sessionlog none of that category is
//!   listed there with its reason;
//! - nothing listed there is stale, and the counts are the ones below.
//!
//! scripts/fixture-report.py prints the same comparison for any binary.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sessionlog::aws::lambda::Date;
use sessionlog::validate::{validate_source, Options, Report, Severity, Source};

/// Good fixtures with a sessionlog error and no cfn-lint error (all
/// justified). Before this work: 37 of 92 (30 from rules other than the
/// security invariants).
const FALSE_ALARMS_ON_GOOD: usize = 9;

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
        if file.starts_with("good/") && !ours.is_empty() && theirs.is_empty() {
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
        188,
        "92 good + 96 bad templates"
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
