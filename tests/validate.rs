//! Integration tests of `sessionlog::validate`: per-rule checks, the
//! mutation corpus (tests/validate/mutations.yaml), reporters, and a
//! no-panic property test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use sessionlog::validate::{
    report, validate_source, validate_sources, Options, Report, Severity, Source,
};

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/validate")
        .join(path)
}

fn base(name: &str) -> String {
    std::fs::read_to_string(data("base").join(name)).expect("base template")
}

/// A file by its path relative to the repository root.
fn repo_file(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The templates `sessionlog render` committed, if any.
fn rendered_templates() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".yaml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
        .into_iter()
        .map(|n| format!("templates/{n}"))
        .collect()
}

fn run(name: &str, text: &str, regions: &[&str]) -> Report {
    let options = Options {
        regions: regions.iter().map(|r| r.to_string()).collect(),
        ..Default::default()
    };
    validate_sources(&[Source::new(name, text)], &options)
}

/// `(rule id, line)` of every finding.
fn found(report: &Report) -> Vec<(&'static str, u32)> {
    report
        .findings
        .iter()
        .map(|f| (f.rule.id, f.location.line))
        .collect()
}

fn rules_of(report: &Report) -> Vec<&'static str> {
    report.findings.iter().map(|f| f.rule.id).collect()
}

// ---------------------------------------------------------------- bases

#[test]
fn the_base_templates_are_clean() {
    // The bases are deployed like sessionlog's templates: the log archive
    // in its home region, member-regional per region with that region's
    // key ARN as parameter, member-iam in one region per account.
    for (name, regions) in [
        ("log-archive.yaml", &["us-east-1"][..]),
        ("member-regional.yaml", &["eu-west-1"][..]),
        ("member-iam.yaml", &["eu-west-1"][..]),
    ] {
        let report = run(name, &base(name), regions);
        let noisy: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
            .collect();
        assert!(noisy.is_empty(), "{name}: {noisy:#?}");
        assert!(report.not_checked.is_empty());
    }
    for path in rendered_templates() {
        let report = run(&path, &repo_file(&path), &["us-east-1"]);
        let noisy: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
            .collect();
        assert!(noisy.is_empty(), "{path}: {noisy:#?}");
    }
}

// ---------------------------------------------------------------- mutation corpus

#[derive(Debug, Deserialize)]
struct Mutation {
    kind: String,
    base: String,
    find: String,
    replace: String,
    rule: String,
    line_of: Option<String>,
    #[serde(default)]
    line_offset: i64,
    #[serde(default)]
    regions: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Outcome {
    kind: String,
    base: String,
    expected_rule: String,
    expected_line: u32,
    found: bool,
    rules: Vec<(String, u32)>,
}

fn line_of(text: &str, needle: &str) -> u32 {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in mutant"));
    text[..at].matches('\n').count() as u32 + 1
}

impl Mutation {
    fn apply(&self) -> String {
        let text = repo_file(&self.base);
        assert_eq!(
            text.matches(&self.find).count(),
            1,
            "{}: `find` must occur exactly once",
            self.kind
        );
        text.replacen(&self.find, &self.replace, 1)
    }

    fn expected_line(&self, mutant: &str) -> u32 {
        let anchor = match &self.line_of {
            Some(needle) => line_of(mutant, needle),
            None => {
                let start = repo_file(&self.base).find(&self.find).expect("find occurs");
                let lead = self.replace.len() - self.replace.trim_start().len();
                mutant[..start + lead].matches('\n').count() as u32 + 1
            }
        };
        (anchor as i64 + self.line_offset) as u32
    }
}

fn corpus() -> Vec<Mutation> {
    let text = std::fs::read_to_string(data("mutations.yaml")).expect("mutations.yaml");
    serde_yaml::from_str(&text).expect("mutations.yaml parses")
}

#[test]
fn every_planted_defect_is_found_with_its_rule_on_its_line() {
    let mutations = corpus();
    let kinds: std::collections::BTreeSet<_> = mutations.iter().map(|m| m.kind.as_str()).collect();
    assert!(kinds.len() >= 30, "only {} defect kinds", kinds.len());
    assert_eq!(kinds.len(), mutations.len(), "kinds are unique");
    let mut outcomes = Vec::new();
    let mut failures = Vec::new();
    for m in &mutations {
        let mutant = m.apply();
        let regions: Vec<&str> = if m.regions.is_empty() {
            vec!["us-east-1"]
        } else {
            m.regions.iter().map(String::as_str).collect()
        };
        let report = run(&m.base, &mutant, &regions);
        let line = m.expected_line(&mutant);
        let hit = report
            .findings
            .iter()
            .any(|f| f.rule.id == m.rule && f.location.line == line);
        if !hit {
            failures.push(format!(
                "{}: expected {} on line {line}, found {:?}",
                m.kind,
                m.rule,
                found(&report)
            ));
        }
        outcomes.push(Outcome {
            kind: m.kind.clone(),
            base: m.base.clone(),
            expected_rule: m.rule.clone(),
            expected_line: line,
            found: hit,
            rules: found(&report)
                .into_iter()
                .map(|(r, l)| (r.to_string(), l))
                .collect(),
        });
    }
    // Read by tests/validate/compare-cfn-lint.py to build MUTATION_RESULTS.md.
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutation-sessionlog.json");
    std::fs::write(&out, serde_json::to_string_pretty(&outcomes).unwrap()).unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} mutants missed:\n{}",
        failures.len(),
        mutations.len(),
        failures.join("\n")
    );
}

/// The parsed tree as long-form JSON.
fn to_json(node: &sessionlog::validate::tree::Node) -> serde_json::Value {
    use sessionlog::validate::tree::Value;
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::json!(b),
        Value::Number(n) if n.is_integer => serde_json::json!(n.raw.parse::<i64>().unwrap_or(0)),
        Value::Number(n) => serde_json::json!(n.value),
        Value::Str(s) | Value::Deferred(s) | Value::Preprocessed(s) => serde_json::json!(s),
        Value::Seq(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), to_json(&e.value)))
                .collect(),
        ),
    }
}

#[test]
fn every_mutant_gives_the_same_findings_as_yaml_and_as_long_form_json() {
    use sessionlog::validate::parse::parse_template;
    for m in corpus()
        .iter()
        .filter(|m| !["SL100", "SL101", "SL102"].contains(&m.rule.as_str()))
    {
        let mutant = m.apply();
        let regions: Vec<&str> = if m.regions.is_empty() {
            vec!["us-east-1"]
        } else {
            m.regions.iter().map(String::as_str).collect()
        };
        let root = parse_template(&mutant).unwrap().root.unwrap();
        let json = serde_json::to_string_pretty(&to_json(&root)).unwrap();
        let key = |r: &Report| -> std::collections::BTreeSet<(String, String)> {
            r.findings
                .iter()
                .filter(|f| f.rule.id != "SL120")
                .map(|f| (f.rule.id.to_string(), f.location.pointer.clone()))
                .collect()
        };
        let (from_yaml, from_json) = (
            run("m.yaml", &mutant, &regions),
            run("m.json", &json, &regions),
        );
        assert_eq!(key(&from_yaml), key(&from_json), "{}", m.kind);
        assert!(
            from_json.findings.iter().any(|f| f.rule.id == m.rule),
            "{}",
            m.kind
        );
    }
}

// ---------------------------------------------------------------- per-rule tests

/// Rules the mutation corpus does not plant, each with a template that
/// breaks it and the line it must be reported on.
const RULE_FIXTURES: &[(&str, &str, u32)] = &[
    ("SL100", "Resources:\n  A: {\n", 3),
    ("SL102", "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Concat [a, b]\n", 5),
    ("SL117", "Parameters:\n  P:\n    Type: Strin\nResources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref P\n", 3),
    ("SL118", "Resources:\n  A:\n    Type: AWS::SNS::Topic\nOutputs:\n  O:\n    Value: !Ref A\n    Export: {}\n", 7),
    ("SL208", "Resources:\n  V:\n    Type: AWS::DeviceFarm::Project\n", 3),
    ("SL104", "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    DependOn: B\n", 4),
    ("SL211", "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code: ./src\n      Role: arn:aws:iam::123456789012:role/r\n", 5),
    ("SL107", "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n", 1),
    ("SL108", "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Rain::Constant Name\n", 5),
];

#[test]
fn each_fixture_breaks_its_rule_on_its_line() {
    for (rule, text, line) in RULE_FIXTURES {
        let report = run("fixture.yaml", text, &[]);
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.rule.id == *rule && f.location.line == *line),
            "{rule}: {:?}",
            found(&report)
        );
    }
}

#[test]
fn every_rule_is_exercised_by_the_corpus_or_a_test() {
    // SL120 (limits), SL302 (unknown region) and SL125 (SCP size) have
    // dedicated tests below.
    let mut covered: std::collections::BTreeSet<String> =
        corpus().into_iter().map(|m| m.rule).collect();
    covered.extend(RULE_FIXTURES.iter().map(|(r, _, _)| r.to_string()));
    covered.extend(["SL120", "SL302", "SL125"].map(String::from));
    let missing: Vec<_> = sessionlog::validate::rules::ALL
        .iter()
        .filter(|r| !covered.contains(r.id))
        .map(|r| r.id)
        .collect();
    assert!(missing.is_empty(), "rules without a test: {missing:?}");
}

#[test]
fn parse_errors_point_at_the_problem() {
    let report = run("bad.yaml", "Resources:\n  A: [1, 2\n", &[]);
    assert_eq!(rules_of(&report), ["SL100"]);
    assert!(report.has_errors());
    let report = run(
        "bad.json",
        "{\n  \"Resources\": {\n    \"A\": tru\n  }\n}\n",
        &[],
    );
    assert_eq!(found(&report), [("SL100", 3)]);
}

#[test]
fn a_yaml_flow_mapping_is_not_mistaken_for_broken_json() {
    let report = run(
        "flow.yaml",
        "{Resources: {T: {Type: AWS::SNS::Topic}}}\n",
        &[],
    );
    assert!(report.findings.is_empty(), "{:?}", found(&report));
    let report = run("bad.json", "{\"Resources\": {\"T\": }}\n", &[]);
    assert_eq!(found(&report), [("SL100", 1)]);
    assert!(
        report.findings[0].message.contains("unexpected `}`"),
        "{}",
        report.findings[0].message
    );
}

#[test]
fn json_templates_are_checked_like_yaml() {
    let json = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Group": {
      "Type": "AWS::Logs::LogGroup",
      "DeletionPolicy": "Retain",
      "UpdateReplacePolicy": "Retain",
      "Properties": {
	"RetentionInDays": 4,
	"LogGroupName": {"Fn::Sub": "/x/${AWS::Region}"}
      }
    }
  }
}"#;
    let report = run("t.json", json, &[]);
    assert_eq!(found(&report), [("SL203", 9)]);
    assert_eq!(report.findings[0].location.column, 21);
    assert_eq!(
        report.findings[0].location.pointer,
        "/Resources/Group/Properties/RetentionInDays"
    );
}

#[test]
fn seed_002_template_has_the_known_problems() {
    let text = std::fs::read_to_string(data("seeds/seed-002.yaml")).unwrap();
    let report = run(
        "seed-002.yaml",
        &text,
        &["ap-northeast-1", "ap-northeast-3"],
    );
    let rules = rules_of(&report);
    // No Retain on the log group; string-typed Session inputs missing
    // (fact 6); GuiConnect unavailable in Osaka (fact 2); the plain
    // SSM-SessionManagerRunShell document (fact 1); one key ARN for both
    // regions (fact 3); a fixed-name IAM policy in two regions (fact 10).
    for expected in ["SL507", "SL402", "SL301", "SL601", "SL602", "SL603"] {
        assert!(rules.contains(&expected), "{expected} not in {rules:?}");
    }
    let line = |needle: &str| line_of(&text, needle);
    let at = |rule: &str| -> Vec<u32> {
        report
            .findings
            .iter()
            .filter(|f| f.rule.id == rule)
            .map(|f| f.location.line)
            .collect()
    };
    assert_eq!(at("SL601"), [line("Name: SSM-SessionManagerRunShell")]);
    assert_eq!(at("SL603"), [line("ManagedPolicyName:")]);
    assert_eq!(
        at("SL602"),
        [
            line("KmsKeyId: !Ref KMSKeyArn"),
            line("KMSKeyArn: !Ref KMSKeyArn")
        ]
    );
    assert!(report.has_errors());
    // idleSessionTimeout Default 20 (a Number parameter) reaches the
    // document as the string "20": accepted.
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.message.contains("idleSessionTimeout")),
        "{:#?}",
        report.findings
    );
    // In one region, only the document (an account fact) remains of 1, 3, 10.
    let one = rules_of(&run("seed-002.yaml", &text, &["ap-northeast-1"]));
    assert!(one.contains(&"SL601"), "{one:?}");
    assert!(
        !one.contains(&"SL602") && !one.contains(&"SL603"),
        "{one:?}"
    );
}

#[test]
fn security_invariants_are_errors_on_sessionlog_s_templates_and_tagged_resources_only() {
    use sessionlog::validate::SecurityScope;
    let bucket = |tags: &str, description: &str| {
        format!("Description: {description}\nResources:\n  Site:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: www-example{tags}\n")
    };
    let tagged = "\n      Tags:\n        - Key: sessionlog:component\n          Value: log-bucket";
    let scoped =
        |text: &str, scope: SecurityScope, rendered: bool| -> Vec<(&'static str, Severity)> {
            let options = Options {
                rendered,
                security: scope,
                ..Default::default()
            };
            validate_source(&Source::new("t.yaml", text), &options)
                .findings
                .into_iter()
                .filter(|f| f.rule.id.starts_with("SL50"))
                .map(|f| (f.rule.id, f.severity))
                .collect()
        };
    let foreign = bucket("", "a website");
    let found = scoped(&foreign, SecurityScope::Auto, false);
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|(_, s)| *s == Severity::Warning),
        "{found:?}"
    );
    assert!(!validate_source(&Source::new("t.yaml", &foreign), &Options::default()).has_errors());
    // Tagged by sessionlog, rendered in memory, or a file sessionlog wrote: errors.
    for (text, rendered) in [
        (bucket(tagged, "a website"), false),
        (foreign.clone(), true),
        (
            bucket("", "'x. Generated by sessionlog; do not edit.'"),
            false,
        ),
    ] {
        let found = scoped(&text, SecurityScope::Auto, rendered);
        assert!(
            !found.is_empty() && found.iter().all(|(_, s)| *s == Severity::Error),
            "{text}: {found:?}"
        );
    }
    let everywhere = scoped(&foreign, SecurityScope::Everywhere, false);
    assert!(everywhere.iter().all(|(_, s)| *s == Severity::Error) && !everywhere.is_empty());
    assert!(scoped(&foreign, SecurityScope::Off, false).is_empty());
    assert!(!scoped(&bucket(tagged, "x"), SecurityScope::Off, false).is_empty());
}

#[test]
fn iam_grammar_knows_each_policy_kind() {
    let at = |text: &str| -> Vec<(&'static str, u32)> {
        found(&run("p.yaml", text, &[]))
            .into_iter()
            .filter(|(r, _)| r.starts_with("SL7"))
            .collect()
    };
    // A service control policy: no Principal; Resource optional.
    let scp = |statement: &str| {
        format!("Resources:\n  Scp:\n    Type: AWS::Organizations::Policy\n    Properties:\n      Name: deny-logs-off\n      Type: SERVICE_CONTROL_POLICY\n      Content:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Deny\n            Action: logs:DeleteLogGroup\n{statement}")
    };
    assert_eq!(at(&scp("")), []);
    assert_eq!(at(&scp("            Principal: '*'\n")), [("SL704", 12)]);
    // A tag policy is not IAM grammar.
    assert_eq!(
        at(&scp("            Principal: '*'\n").replace("SERVICE_CONTROL_POLICY", "TAG_POLICY")),
        []
    );
    // A key policy needs a Principal.
    let key = "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action: kms:*\n            Resource: '*'\n";
    assert_eq!(at(key), [("SL704", 8)]);
    // A policy written as JSON text is read with positions.
    let sso = "Resources:\n  P:\n    Type: AWS::SSO::PermissionSet\n    Properties:\n      Name: x\n      InstanceArn: arn:aws:sso:::instance/ssoins-1\n      InlinePolicy: |\n        {\"Version\": \"2012-10-17\",\n         \"Statement\": [{\"Effect\": \"Permit\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}\n";
    assert_eq!(at(sso), [("SL702", 9)]);
    // Duplicate Sids, unknown elements, a condition value that is a map.
    let identity = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Sid: A\n            Effect: Allow\n            Action: s3:GetObject\n            Resource: '*'\n            Condition:\n              StringEquals:\n                aws:PrincipalOrgID: {o: 1}\n          - Sid: A\n            Effect: Allow\n            Actions: s3:GetObject\n            Resource: '*'\n";
    assert_eq!(
        at(identity),
        [("SL705", 14), ("SL703", 15), ("SL701", 15), ("SL701", 17)]
    );
}

#[test]
fn deprecated_runtimes_follow_the_date() {
    let text = "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs18.x\n      Handler: index.handler\n      Role: arn:aws:iam::123456789012:role/r\n      Code:\n        ZipFile: x\n";
    let on = |date: &str| -> Vec<(&'static str, Severity)> {
        let options = Options {
            as_of: sessionlog::aws::lambda::Date::parse(date),
            ..Default::default()
        };
        validate_source(&Source::new("f.yaml", text), &options)
            .findings
            .into_iter()
            .filter(|f| f.rule.id == "SL209")
            .map(|f| (f.rule.id, f.severity))
            .collect()
    };
    assert!(on("2024-01-01").is_empty());
    assert_eq!(on("2025-10-01"), [("SL209", Severity::Warning)]);
    assert_eq!(on("2027-01-01"), [("SL209", Severity::Error)]);
}

#[test]
fn unknown_but_real_types_are_listed_not_failed() {
    // DeviceFarm exists only in us-west-2; cfn-lint ships no us-east-1 schema for it.
    let text =
        "Resources:\n  Farm:\n    Type: AWS::DeviceFarm::Project\n    Properties:\n      Name: x\n";
    let report = run("t.yaml", text, &["us-west-2"]);
    assert!(!report.has_errors());
    assert_eq!(report.not_checked.len(), 1);
    assert_eq!(report.not_checked[0].type_name, "AWS::DeviceFarm::Project");
    assert_eq!(found(&report), [("SL208", 3)]);
}

#[test]
fn if_branches_and_parameters_are_checked_as_what_they_resolve_to() {
    let text = "Parameters:\n  Days:\n    Type: Number\n    AllowedValues: [7, 8]\n    Default: 7\nConditions:\n  Long: !Equals [!Ref Days, 8]\nResources:\n  G:\n    Type: AWS::Logs::LogGroup\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n    Properties:\n      RetentionInDays: !If [Long, 9, !Ref Days]\n";
    let report = run("t.yaml", text, &[]);
    let enum_findings: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule.id == "SL203")
        .collect();
    // 9 (the true branch) and 8 (an AllowedValue of Days) are not allowed; 7 is.
    assert_eq!(enum_findings.len(), 2, "{enum_findings:#?}");
    assert!(enum_findings.iter().all(|f| f.location.line == 14));
    assert!(enum_findings
        .iter()
        .any(|f| f.message.contains("parameter `Days` (AllowedValues 8)")));
}

#[test]
fn find_in_map_is_checked_against_every_value_it_may_select() {
    let text = "Mappings:\n  Retention:\n    prod: {days: 365}\n    dev: {days: 4}\nParameters:\n  Env:\n    Type: String\n    AllowedValues: [prod, dev]\nResources:\n  G:\n    Type: AWS::Logs::LogGroup\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n    Properties:\n      RetentionInDays: !FindInMap [Retention, !Ref Env, days]\n";
    let report = run("t.yaml", text, &[]);
    assert_eq!(found(&report), [("SL203", 15)]);
    assert!(
        report.findings[0]
            .message
            .starts_with("mapping value Retention/dev/days"),
        "{}",
        report.findings[0].message
    );
    let literal = text.replace("!Ref Env", "prod");
    assert_eq!(found(&run("t.yaml", &literal, &[])), [("SL116", 6)]);
}

#[test]
fn limits_are_enforced() {
    let mut text = String::from("Resources:\n");
    for i in 0..501 {
        text.push_str(&format!(
            "  H{i}:\n    Type: AWS::CloudFormation::WaitConditionHandle\n"
        ));
    }
    text.push_str(&format!("Description: \"{}\"\n", "x".repeat(1000)));
    text.push_str(&format!(
        "Metadata:\n  Padding: \"{}\"\n",
        "y".repeat(40_000)
    ));
    let report = run("big.yaml", &text, &[]);
    let limits: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule.id == "SL120")
        .map(|f| f.message.clone())
        .collect();
    assert_eq!(limits.len(), 2, "{limits:?}");
    assert!(limits.iter().any(|m| m.contains("51200")));
    assert!(limits.iter().any(|m| m.contains("501 resources")));
    let severity = |needle: &str| report.findings.iter().find(|f| f.rule.id == "SL120" && f.message.contains(needle)).unwrap().severity;
    // Over 51,200 bytes it deploys from S3: a warning; too many resources: an error.
    assert_eq!(severity("51200"), Severity::Warning);
    assert_eq!(severity("501 resources"), Severity::Error);
}

/// A template CloudFormation accepts from S3 (51,200 bytes to 1 MB) is a
/// warning; over 1 MB nothing deploys it: an error.
#[test]
fn template_size_is_a_warning_until_one_megabyte() {
    let sized = |bytes: usize| format!("Resources:\n  H:\n    Type: AWS::CloudFormation::WaitConditionHandle\nMetadata:\n  Padding: \"{}\"\n", "y".repeat(bytes));
    let grade = |text: &str| {
        let report = run("big.yaml", text, &[]);
        report.findings.iter().filter(|f| f.rule.id == "SL120").map(|f| f.severity).collect::<Vec<_>>()
    };
    assert_eq!(grade(&sized(50_000)), []);
    assert_eq!(grade(&sized(60_000)), [Severity::Warning]);
    assert_eq!(grade(&sized(1_048_577)), [Severity::Error]);
}

#[test]
fn unknown_regions_are_warned_about() {
    let report = run(
        "t.yaml",
        &base("member-iam.yaml"),
        &["eu-west-1", "mars-north-1"],
    );
    assert_eq!(rules_of(&report), ["SL302"]);
    assert!(!report.has_errors());
}

#[test]
fn sub_variables_in_block_scalars_point_inside_the_block() {
    let text = base("member-regional.yaml").replace("\"${KmsKeyArn}\"", "\"${KmsKey}\"");
    let report = run("m.yaml", &text, &[]);
    let f = report
        .findings
        .iter()
        .find(|f| f.rule.id == "SL113")
        .expect("SL113");
    assert_eq!(f.location.line, line_of(&text, "\"${KmsKey}\""));
    let column = text
        .lines()
        .nth(f.location.line as usize - 1)
        .unwrap()
        .find("${KmsKey}")
        .unwrap() as u32
        + 1;
    assert_eq!(f.location.column, column);
}

#[test]
fn session_document_in_an_ssm_document_object() {
    let text = r#"Resources:
  Prefs:
    Type: AWS::SSM::Document
    Properties:
      DocumentType: Session
      Content:
        schemaVersion: "1.0"
        sessionType: Standard_Stream
        inputs:
          s3EncryptionEnabled: "true"
          cloudWatchEncryptionEnabled: true
          cloudWatchStreamingEnabled: true
          runAsEnabled: false
          idleSessionTimeout: 20
"#;
    let report = run("d.yaml", text, &[]);
    assert_eq!(found(&report), [("SL402", 10), ("SL402", 14)]);
}

#[test]
fn wildcard_principal_with_an_org_condition_is_accepted_and_without_is_not() {
    let policy = |condition: &str| {
        format!("Resources:\n  T:\n    Type: AWS::SNS::Topic\n  P:\n    Type: AWS::SNS::TopicPolicy\n    Properties:\n      Topics: [!Ref T]\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal:\n              AWS: \"*\"\n            Action: sns:Publish\n            Resource: !Ref T\n{condition}")
    };
    let open = run("p.yaml", &policy(""), &[]);
    assert_eq!(
        found(&open)
            .into_iter()
            .filter(|(r, _)| *r == "SL501")
            .collect::<Vec<_>>(),
        [("SL501", 12)]
    );
    let scoped = run("p.yaml", &policy("            Condition:\n              StringEquals:\n                aws:PrincipalOrgID: o-abcdefghij\n"), &[]);
    assert!(!rules_of(&scoped).contains(&"SL501"));
}

#[test]
fn validate_source_reports_one_file_and_merges() {
    let a = validate_source(
        &Source::new("a.yaml", base("member-iam.yaml")),
        &Options::default(),
    );
    let mut b = validate_source(
        &Source::new("b.yaml", "Resources: []\n"),
        &Options::default(),
    );
    b.merge(a);
    assert_eq!(b.sources.len(), 2);
    assert!(b.has_errors());
}

// ---------------------------------------------------------------- reporters

fn sample_report() -> Report {
    let text =
        base("log-archive.yaml").replace("EnableKeyRotation: true", "EnableKeyRotation: false");
    run("templates/log-archive.yaml", &text, &["us-east-1"])
}

fn render(report: &Report, format: report::Format) -> String {
    let mut out = Vec::new();
    report::write(report, format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn human_output_shows_the_line_and_a_caret() {
    let text = render(&sample_report(), report::Format::Human);
    let line = line_of(&base("log-archive.yaml"), "EnableKeyRotation");
    assert!(text.contains(&format!("error[SL506]: key `ArchiveKey` does not rotate\n  --> templates/log-archive.yaml:{line}:26 (/Resources/ArchiveKey/Properties/EnableKeyRotation)")), "{text}");
    assert!(
        text.contains(&format!("{line} |       EnableKeyRotation: false\n")),
        "{text}"
    );
    assert!(
        text.contains("   |                          ^ kms-key-rotation"),
        "{text}"
    );
    assert!(
        text.ends_with("1 file checked: 1 error, 0 warnings\n"),
        "{text}"
    );
}

#[test]
fn json_output_is_machine_readable() {
    let value: serde_json::Value =
        serde_json::from_str(&render(&sample_report(), report::Format::Json)).unwrap();
    assert_eq!(value["summary"]["errors"], 1);
    assert_eq!(value["findings"][0]["rule"], "SL506");
    assert_eq!(
        value["findings"][0]["pointer"],
        "/Resources/ArchiveKey/Properties/EnableKeyRotation"
    );
}

#[test]
fn sarif_output_follows_2_1_0() {
    let value: serde_json::Value =
        serde_json::from_str(&render(&sample_report(), report::Format::Sarif)).unwrap();
    assert_eq!(value["version"], "2.1.0");
    let run = &value["runs"][0];
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "SL506");
    assert_eq!(result["level"], "error");
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(run["tool"]["driver"]["rules"][index]["id"], "SL506");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert!(region["startLine"].as_u64().unwrap() > 1);
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "templates/log-archive.yaml"
    );
}

#[test]
fn the_command_returns_the_documented_exit_codes() {
    use sessionlog::validate::command::execute;
    let dir = std::env::temp_dir().join(format!("sessionlog-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let clean = write("clean.yaml", &base("member-iam.yaml"));
    let broken = write(
        "broken.yaml",
        &base("member-iam.yaml").replace("logs:PutLogEvents", "logs-PutLogEvents"),
    );
    let garbage = write("garbage.yaml", "Resources: [\n");
    let options = Options::default();
    let code = |files: &[PathBuf]| {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = execute(files, &options, report::Format::Human, &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    };
    assert_eq!(code(std::slice::from_ref(&clean)).0, sessionlog::exit::OK);
    let (status, out, _) = code(&[clean.clone(), broken]);
    assert_eq!(status, sessionlog::exit::FINDINGS);
    assert!(out.contains("error[SL510]"), "{out}");
    assert_eq!(code(&[garbage]).0, sessionlog::exit::INVALID_INPUT);
    // A file that cannot be read is reported (SL100) without stopping the
    // others: the broken file's findings are still there.
    let broken = dir.join("broken.yaml");
    let (status, out, _) = code(&[dir.join("missing.yaml"), broken.clone(), clean.clone()]);
    assert_eq!(status, sessionlog::exit::INVALID_INPUT);
    assert!(
        out.contains("error[SL100]: cannot read the file") && out.contains("missing.yaml"),
        "{out}"
    );
    assert!(out.contains("error[SL510]"), "{out}");
    assert!(
        out.ends_with("2 files checked: 2 errors, 0 warnings; 1 file could not be read\n"),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn formats_parse_from_the_command_line() {
    assert_eq!("sarif".parse::<report::Format>(), Ok(report::Format::Sarif));
    assert!("xml".parse::<report::Format>().is_err());
}

// ---------------------------------------------------------------- no panics

#[test]
fn every_prefix_of_every_base_template_is_handled() {
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    for name in [
        "log-archive.yaml",
        "member-regional.yaml",
        "member-iam.yaml",
    ] {
        texts.insert(name.into(), base(name));
    }
    texts.insert(
        "seed".into(),
        std::fs::read_to_string(data("seeds/seed-002.yaml")).unwrap(),
    );
    for text in texts.values() {
        for (i, _) in text.char_indices().step_by(3) {
            let _ = run("prefix.yaml", &text[..i], &["eu-south-1"]);
        }
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i32>().prop_map(|n| serde_json::json!(n)),
        "[A-Za-z:!${}. *-]{0,12}".prop_map(serde_json::Value::String),
        prop::sample::select(vec![
            "Ref",
            "Fn::Sub",
            "Fn::GetAtt",
            "Fn::If",
            "AWS::S3::Bucket",
            "AWS::SSM::Document",
            "Session",
            "Custom::SessionManagerPreferences",
            "*",
            "arn:aws:s3:::x",
            "${X.Y}"
        ])
        .prop_map(|s| serde_json::Value::String(s.to_string())),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "Resources",
                    "Type",
                    "Properties",
                    "Ref",
                    "Fn::Sub",
                    "Fn::GetAtt",
                    "Fn::If",
                    "Statement",
                    "Effect",
                    "Principal",
                    "Condition",
                    "Content",
                    "DocumentType",
                    "inputs",
                    "Parameters",
                    "Outputs",
                    "Value",
                    "DependsOn",
                    "X"
                ])
                .prop_map(str::to_string),
                inner,
                0..5,
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn session_document() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::json;
    let value = prop_oneof![
        any::<bool>().prop_map(|b| json!(b)),
        prop::sample::select(vec![
            "0", "1", "20", "60", "61", "1440", "1441", "", "true", "abc", "007"
        ])
        .prop_map(|s| json!(s)),
        prop::sample::select(vec![0, 20, 1441]).prop_map(|n| json!(n)),
        Just(json!({"linux": "", "windows": "x"})),
        Just(json!({"linux": true})),
    ];
    let keys = vec![
        "s3BucketName",
        "s3KeyPrefix",
        "s3EncryptionEnabled",
        "cloudWatchLogGroupName",
        "cloudWatchEncryptionEnabled",
        "cloudWatchStreamingEnabled",
        "kmsKeyId",
        "runAsEnabled",
        "runAsDefaultUser",
        "idleSessionTimeout",
        "maxSessionDuration",
        "shellProfile",
        "unknownInput",
    ];
    // A valid document with 0-3 edits (set an input to some value, or
    // remove it), so valid and invalid documents are both frequent.
    let edit = (
        prop::sample::select(keys),
        prop::option::weighted(0.8, value),
    );
    let edits = prop::collection::vec(edit, 0..4);
    let session_type = prop::sample::select(vec!["Standard_Stream", "Standard_Stream", "Port"]);
    (edits, session_type, prop::bool::weighted(0.9)).prop_map(|(edits, session_type, with_version)| {
        let mut doc = json!({"sessionType": session_type, "inputs": {
            "s3EncryptionEnabled": true, "cloudWatchEncryptionEnabled": true,
            "cloudWatchStreamingEnabled": true, "runAsEnabled": false, "idleSessionTimeout": "20"}});
        for (key, value) in edits {
            let inputs = doc["inputs"].as_object_mut().unwrap();
            match value {
                Some(v) => inputs.insert(key.to_string(), v),
                None => inputs.remove(key),
            };
        }
        if with_version {
            doc["schemaVersion"] = json!("1.0");
        }
        doc
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// The validator's schema walker agrees with a reference JSON Schema
    /// implementation on session documents without intrinsics.
    #[test]
    fn session_checks_agree_with_the_jsonschema_crate(doc in session_document()) {
        let schema: serde_json::Value = serde_json::from_str(&repo_file("schemas/session-document.schema.json")).unwrap();
        let expected_valid = jsonschema::is_valid(&schema, &doc);
        let template = serde_json::json!({"Resources": {"Prefs": {"Type": "AWS::SSM::Document",
            "Properties": {"DocumentType": "Session", "Content": doc}}}});
        let report = run("doc.json", &serde_json::to_string_pretty(&template).unwrap(), &[]);
        let session_findings: Vec<_> = report.findings.iter().filter(|f| f.rule.id == "SL402").map(|f| f.message.clone()).collect();
        prop_assert_eq!(session_findings.is_empty(), expected_valid, "{:?} {}", session_findings, doc);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let _ = run("fuzz.yaml", &text, &["us-east-1"]);
    }

    #[test]
    fn arbitrary_templates_never_panic(value in json_value(), cut in 0usize..2000) {
        let json = serde_json::to_string_pretty(&value).unwrap();
        let _ = run("fuzz.json", &json, &["eu-south-1"]);
        let yaml = serde_yaml::to_string(&value).unwrap();
        let _ = run("fuzz.yaml", &yaml, &["eu-south-1"]);
        let cut = json.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(json.len());
        let _ = run("fuzz.json", &json[..cut], &[]);
    }

    #[test]
    fn mutated_bases_never_panic(index in 0usize..3, at in 0usize..10_000, insert in "[\\[\\]{}:\"'!|>&*\\n -]{1,4}") {
        let name = ["log-archive.yaml", "member-regional.yaml", "member-iam.yaml"][index];
        let text = base(name);
        let at = text.char_indices().map(|(i, _)| i).nth(at % text.chars().count()).unwrap_or(0);
        let mutated = format!("{}{}{}", &text[..at], insert, &text[at..]);
        let _ = run(name, &mutated, &["us-east-1"]);
    }
}

#[test]
fn a_service_control_policy_over_5120_characters_is_an_error_on_its_content() {
    // The committed guardrails template: its SCP fits (a few thousand
    // characters); one exemption made long enough breaks the limit.
    let text = repo_file("templates/management-guardrails.yaml");
    assert!(!rules_of(&run("management-guardrails.yaml", &text, &["us-east-1"])).contains(&"SL125"));
    let long = text.replacen("role/stacksets-exec-*", &format!("role/{}", "x".repeat(3500)), 1);
    assert_ne!(long, text, "the template names the StackSets' execution roles");
    let report = run("management-guardrails.yaml", &long, &["us-east-1"]);
    // The finding points at the policy's content (its first line).
    let content = line_of(&long, "      Type: SERVICE_CONTROL_POLICY\n      Content:") + 2;
    assert_eq!(found(&report).iter().filter(|f| f.0 == "SL125").collect::<Vec<_>>(), [&("SL125", content)], "{:?}", found(&report));
}
