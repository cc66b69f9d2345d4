//! Hostile input, in templates and in the configuration: alias bombs, deep
//! nesting, very many findings, very long lines, unreadable files. Each is
//! refused or reported with a clear message; nothing crashes. How fast and
//! in how much memory is measured by `make bench` (scripts/bench-validate.sh
//! runs the same inputs under /usr/bin/time), not asserted here.

mod common;

use common::*;
use sessionlog::syntax::{self, ReadOptions, MAX_DEPTH};
use sessionlog::validate::{report, validate_source, Options, Report, Source};

/// A few hundred bytes of YAML whose aliases expand to 10^levels values.
pub fn alias_bomb(levels: usize) -> String {
    let mut text = String::from("Resources:\n  Bomb:\n    Type: AWS::CloudFormation::WaitConditionHandle\n    Metadata:\n      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..levels {
        let items = vec![format!("*l{}", i - 1); 10].join(", ");
        text.push_str(&format!("      l{i}: &l{i} [{items}]\n"));
    }
    text
}

fn validate(name: &str, text: &str) -> Report {
    validate_source(&Source::new(name, text), &Options::default())
}

fn messages(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|f| format!("{} {}", f.rule.id, f.message))
        .collect()
}

#[test]
fn an_alias_bomb_is_refused_with_its_reason() {
    let bomb = alias_bomb(9);
    assert!(bomb.len() < 700, "{} bytes", bomb.len());
    let report = validate("bomb.yaml", &bomb);
    let found = messages(&report);
    assert_eq!(report.findings.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("SL100 YAML aliases expand to more than"),
        "{found:?}"
    );
    assert!(found[0].contains("alias bomb"), "{found:?}");
    // Aliases within the limit are expanded as YAML says.
    let small = alias_bomb(3);
    let parsed = syntax::parse_yaml(&small).unwrap();
    let l2 = parsed.root.unwrap();
    let l2 = l2
        .get("Resources")
        .unwrap()
        .get("Bomb")
        .unwrap()
        .get("Metadata")
        .unwrap()
        .get("l2")
        .unwrap();
    assert_eq!(l2.as_seq().unwrap().len(), 10);
    assert_eq!(l2.as_seq().unwrap()[0].as_seq().unwrap().len(), 10);
    // What the limit allows is read: 10^4 values from aliases.
    assert!(syntax::parse_yaml(&alias_bomb(4)).is_ok());
}

#[test]
fn an_alias_bomb_in_the_configuration_is_refused() {
    let text = format!(
        "{}\nbomb:\n  {}",
        example(),
        alias_bomb(9).trim_end().replace('\n', "\n  ")
    );
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sessionlog.yaml");
    std::fs::write(&cfg, text).unwrap();
    let r = sessionlog(&[
        "render",
        "--config",
        cfg.to_str().unwrap(),
        "--out-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("YAML aliases expand to more than"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing written"
    );
}

#[test]
fn deep_nesting_is_refused_without_recursing() {
    for (name, text) in [
        ("flow.yaml", format!("Resources: {}", "[".repeat(1_000_000))),
        ("block.yaml", {
            let mut t = String::from("Resources:\n");
            for depth in 1..400 {
                t.push_str(&" ".repeat(depth * 2));
                t.push_str("a:\n");
            }
            t
        }),
        (
            "deep.json",
            format!("{{\"Resources\": {}", "[".repeat(1_000_000)),
        ),
    ] {
        let report = validate(name, &text);
        let found = messages(&report);
        assert_eq!(report.findings.len(), 1, "{name}: {found:?}");
        assert!(found[0].starts_with("SL100 nesting"), "{name}: {found:?}");
    }
    assert_eq!(MAX_DEPTH, 128);
    // The configuration reader is the same.
    let config = format!("a: {}", "[".repeat(100_000));
    let err = syntax::parse_yaml_with(&config, &ReadOptions::CONFIG).unwrap_err();
    assert!(
        err.message.contains("nesting deeper than 128"),
        "{}",
        err.message
    );
}

#[test]
fn many_findings_are_each_reported_once() {
    // 20,000 resources with a misspelt property each.
    let mut text = String::from("Resources:\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "  T{i}:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicNam: t{i}\n"
        ));
    }
    let report = validate("many.yaml", &text);
    let unknown = report
        .findings
        .iter()
        .filter(|f| f.rule.id == "SL201")
        .count();
    assert_eq!(unknown, 20_000);
    let mut out = Vec::new();
    report::write(&report, report::Format::Human, &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(out.matches("error[SL201]").count(), 20_000);
    // Each snippet is the finding's own line.
    assert!(
        out.contains("80001 |       TopicNam: t19999\n"),
        "{}",
        &out[out.len() - 500..]
    );
}

#[test]
fn a_finding_on_a_long_line_shows_a_short_excerpt() {
    // A minified JSON template: one line of ~300 kB.
    let topics: Vec<String> = (0..5_000)
        .map(|i| format!("\"T{i}\":{{\"Type\":\"AWS::SNS::Topic\",\"Properties\":{{\"TopicName\":\"t{i}\"}}}}"))
        .collect();
    let text = format!(
        "{{\"Resources\":{{{},\"Bad\":{{\"Type\":\"AWS::SNS::Topic\",\"Properties\":{{\"TopicNam\":\"x\"}}}}}}}}",
        topics.join(",")
    );
    assert!(text.len() > 300_000);
    let report = validate("min.json", &text);
    let unknown: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule.id == "SL201")
        .collect();
    assert_eq!(unknown.len(), 1, "{:?}", messages(&report));
    let mut out = Vec::new();
    report::write(&report, report::Format::Human, &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    let longest = out.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(longest < 300, "longest line {longest}");
    assert!(out.contains("…") && out.contains("\"TopicNam\""), "{out}");
    let block = &out[out.find("error[SL201]").unwrap()..];
    let source_line = block.lines().find(|l| l.starts_with("1 | ")).unwrap();
    let caret_line = block
        .lines()
        .find(|l| l.contains("^ property-unknown"))
        .unwrap();
    let caret = caret_line.find('^').unwrap();
    let at: String = source_line.chars().skip(caret).take(10).collect();
    assert_eq!(at, "\"TopicNam\"", "{out}");
}

#[test]
fn files_too_large_or_not_text_are_reported_and_the_others_validated() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, vec![b'#'; syntax::MAX_INPUT_BYTES + 1]).unwrap();
    let binary = dir.path().join("binary.yaml");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let good = dir.path().join("good.yaml");
    std::fs::write(
        &good,
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicNam: x\n",
    )
    .unwrap();
    let paths = [
        big.to_str().unwrap(),
        binary.to_str().unwrap(),
        good.to_str().unwrap(),
    ];
    let r = sessionlog(&["validate", "--format", "json", paths[0], paths[1], paths[2]]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let of = |path: &str| -> Vec<String> {
        findings
            .iter()
            .filter(|f| f["file"] == path)
            .map(|f| {
                format!(
                    "{} {}",
                    f["rule"].as_str().unwrap(),
                    f["message"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert!(
        of(paths[0])[0].contains("cannot read the file: larger than"),
        "{:?}",
        of(paths[0])
    );
    assert!(
        of(paths[1])[0].contains("cannot read the file: not UTF-8"),
        "{:?}",
        of(paths[1])
    );
    assert_eq!(
        of(paths[2]),
        ["SL201 unknown property `TopicNam`; did you mean `TopicName`?"]
    );
    assert_eq!(json["unreadable"].as_array().unwrap().len(), 2);
}
