//! `sessionlog export cfct`: the package checked the way CfCT checks it —
//! its own manifest schema run by the pykwalify version CfCT pins (installed
//! into .venv by `make setup`), every `resource_file` present — and then
//! what CfCT would do with it: deploy the resources in order, store each
//! `export_outputs` value in SSM, resolve every `$[alfred_ssm_…]` parameter.
//! Every check is shown to fail on a manifest with the defect it guards.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{edited, example, repo_root, sessionlog, snapshot_dir};
use serde_yaml::Value;

const OU_ARG: &str = "ou-ab12-cd34ef56=Workloads";

fn pykwalify() -> PathBuf {
    let candidates = [
        std::env::var("SESSIONLOG_PYKWALIFY")
            .ok()
            .map(PathBuf::from),
        Some(repo_root().join(".venv/bin/pykwalify")),
    ];
    for c in candidates.into_iter().flatten() {
        if c.exists() {
            return c;
        }
    }
    panic!("pykwalify not found: run `make setup` (installs the pinned pykwalify into .venv)");
}

/// Write `config` to a scratch directory and export it with `args`.
fn export(config: &str, args: &[&str]) -> (tempfile::TempDir, PathBuf, common::Output) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sessionlog.yaml");
    std::fs::write(&cfg, config).unwrap();
    let out_dir = dir.path().join("cfct");
    let mut argv = vec![
        "export",
        "cfct",
        "--config",
        cfg.to_str().unwrap(),
        "--out-dir",
        out_dir.to_str().unwrap(),
    ];
    argv.extend_from_slice(args);
    let output = sessionlog(&argv);
    (dir, out_dir, output)
}

fn exported(config: &str, args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let (dir, out_dir, output) = export(config, args);
    assert_eq!(
        output.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        output.stdout, output.stderr
    );
    (dir, out_dir)
}

/// CfCT's schema check, as its build stage runs it. Ok or pykwalify's output.
fn schema_check(package: &Path) -> Result<(), String> {
    let out = Command::new(pykwalify())
        .arg("-d")
        .arg(package.join("manifest.yaml"))
        .arg("-s")
        .arg(repo_root().join("tests/cfct/manifest-v2.schema.yaml"))
        .output()
        .expect("pykwalify runs");
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn load(path: &Path) -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v:?}"))
}

fn seq(v: &Value) -> Vec<Value> {
    v.as_sequence().cloned().unwrap_or_default()
}

/// What CfCT does with the package beyond the schema: files present, each
/// parameter of each template given, every `$[output_X]` an output of the
/// resource's template, every `$[alfred_ssm_N]` stored by an earlier
/// resource; resolved values match the parameters' AllowedPattern. Returns
/// every problem found.
fn semantic_check(package: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let manifest = load(&package.join("manifest.yaml"));
    if manifest["version"].as_str() != Some("2021-03-15") {
        problems.push(format!("version is {:?}", manifest["version"]));
    }
    // SSM parameter store of the management account, filled as CfCT runs.
    let mut ssm: BTreeMap<String, String> = BTreeMap::new();
    for (i, r) in seq(&manifest["resources"]).iter().enumerate() {
        let name = r["name"].as_str().unwrap_or("?").to_string();
        let Some(file) = r["resource_file"].as_str() else {
            problems.push(format!("{name}: no resource_file"));
            continue;
        };
        let path = package.join(file);
        if !path.is_file() {
            problems.push(format!("{name}: resource_file {file} is missing"));
            continue;
        }
        if seq(&r["regions"]).is_empty() {
            problems.push(format!("{name}: no regions"));
        }
        let template = load(&path);
        let declared = template["Parameters"]
            .as_mapping()
            .cloned()
            .unwrap_or_default();
        let mut given: Vec<String> = Vec::new();
        for p in seq(&r["parameters"]) {
            let key = s(&p["parameter_key"]).to_string();
            let value = s(&p["parameter_value"]).to_string();
            let Some(decl) = declared.get(Value::from(key.as_str())) else {
                problems.push(format!(
                    "{name}: parameter {key} is not a parameter of {file}"
                ));
                continue;
            };
            let resolved = match value
                .strip_prefix("$[alfred_ssm_")
                .and_then(|v| v.strip_suffix(']'))
            {
                Some(ssm_name) => match ssm.get(ssm_name) {
                    Some(v) => v.clone(),
                    None => {
                        problems.push(format!("{name}: parameter {key} reads SSM {ssm_name}, which no earlier resource exports"));
                        continue;
                    }
                },
                None => value.clone(),
            };
            if let Some(pattern) = decl["AllowedPattern"].as_str() {
                if !regex::Regex::new(pattern).unwrap().is_match(&resolved) {
                    problems.push(format!(
                        "{name}: parameter {key} resolves to {resolved}, not matching {pattern}"
                    ));
                }
            }
            given.push(key);
        }
        for (k, decl) in &declared {
            if decl.get("Default").is_none() && !given.iter().any(|g| k.as_str() == Some(g.as_str()))
            {
                problems.push(format!("{name}: parameter {} of {file} is not given", s(k)));
            }
        }
        let outputs = template["Outputs"]
            .as_mapping()
            .cloned()
            .unwrap_or_default();
        for e in seq(&r["export_outputs"]) {
            let value = s(&e["value"]);
            let Some(key) = value
                .strip_prefix("$[output_")
                .and_then(|v| v.strip_suffix(']'))
            else {
                problems.push(format!(
                    "{name}: export_outputs value {value} is not $[output_<OutputKey>]"
                ));
                continue;
            };
            // CfCT matches output keys case-insensitively.
            if !outputs.keys().any(|k| s(k).eq_ignore_ascii_case(key)) {
                problems.push(format!(
                    "{name}: exports output {key}, which {file} does not have"
                ));
                continue;
            }
            // What the deployed stack would output: a multi-region key id.
            ssm.insert(s(&e["name"]).to_string(), format!("mrk-{:032x}", i + 1));
        }
    }
    problems
}

fn assert_clean(package: &Path) {
    schema_check(package).unwrap_or_else(|e| panic!("CfCT's schema rejects the manifest:\n{e}"));
    let problems = semantic_check(package);
    assert!(
        problems.is_empty(),
        "{problems:#?}\n{}",
        std::fs::read_to_string(package.join("manifest.yaml")).unwrap()
    );
}

fn resources(package: &Path) -> Vec<Value> {
    seq(&load(&package.join("manifest.yaml"))["resources"])
}

fn by_name(package: &Path, name: &str) -> Value {
    resources(package)
        .into_iter()
        .find(|r| r["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no resource {name}"))
}

fn strings(v: &Value) -> Vec<String> {
    seq(v).iter().map(|x| s(x).to_string()).collect()
}

#[test]
fn several_regions_the_example() {
    let (_d, pkg) = exported(example(), &["--ou-name", OU_ARG]);
    assert_clean(&pkg);
    let manifest = load(&pkg.join("manifest.yaml"));
    assert_eq!(s(&manifest["region"]), "us-east-1");
    let names: Vec<String> = resources(&pkg)
        .iter()
        .map(|r| s(&r["name"]).to_string())
        .collect();
    assert_eq!(
        names,
        [
            "sessionlog-log-archive",
            "sessionlog-log-archive-replica",
            "sessionlog-member-iam",
            "sessionlog-member-regional",
            "sessionlog-member-regional-no-rdp"
        ]
    );

    // The log-archive stacks: the log-archive account, home region first.
    let home = by_name(&pkg, "sessionlog-log-archive");
    assert_eq!(
        strings(&home["deployment_targets"]["accounts"]),
        ["222222222222"]
    );
    assert_eq!(strings(&home["regions"]), ["us-east-1"]);
    assert_eq!(
        s(&home["export_outputs"][0]["name"]),
        "/sessionlog/sessionlog-log-archive/ArchiveKeyId"
    );
    assert_eq!(
        s(&home["export_outputs"][0]["value"]),
        "$[output_ArchiveKeyId]"
    );
    let replica = by_name(&pkg, "sessionlog-log-archive-replica");
    assert_eq!(strings(&replica["regions"]), ["eu-west-1", "eu-south-1"]);
    assert_eq!(
        s(&replica["parameters"][0]["parameter_value"]),
        "$[alfred_ssm_/sessionlog/sessionlog-log-archive/ArchiveKeyId]"
    );

    // Member StackSets: the OU by name, the same regions `render` gives the StackSets.
    let rendered = tempfile::tempdir().unwrap();
    let cfg = rendered.path().join("sessionlog.yaml");
    std::fs::write(&cfg, example()).unwrap();
    let r = sessionlog(&[
        "render",
        "--config",
        cfg.to_str().unwrap(),
        "--out-dir",
        rendered.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for stem in ["member-iam", "member-regional", "member-regional-no-rdp"] {
        let instances: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(
                rendered
                    .path()
                    .join(format!("stacksets/{stem}.stack-instances.json")),
            )
            .unwrap(),
        )
        .unwrap();
        let res = by_name(&pkg, &format!("sessionlog-{stem}"));
        let want: Vec<String> = serde_json::from_value(instances["Regions"].clone()).unwrap();
        assert_eq!(strings(&res["regions"]), want, "{stem}");
        assert_eq!(
            strings(&res["deployment_targets"]["organizational_units"]),
            ["Workloads"]
        );
        assert!(res["deployment_targets"].get("accounts").is_none());
        assert_eq!(s(&res["deploy_method"]), "stack_set");
        // The templates are the ones `render` writes.
        assert_eq!(
            std::fs::read_to_string(pkg.join(format!("templates/sessionlog/{stem}.yaml"))).unwrap(),
            std::fs::read_to_string(rendered.path().join(format!("templates/{stem}.yaml")))
                .unwrap()
        );
    }
}

#[test]
fn one_region() {
    let config = edited(&[(
        "regions: [us-east-1, eu-west-1, eu-south-1]",
        "regions: [us-east-1]",
    )]);
    let (_d, pkg) = exported(&config, &["--ou-name", OU_ARG]);
    assert_clean(&pkg);
    let names: Vec<String> = resources(&pkg)
        .iter()
        .map(|r| s(&r["name"]).to_string())
        .collect();
    assert_eq!(
        names,
        [
            "sessionlog-log-archive",
            "sessionlog-member-iam",
            "sessionlog-member-regional"
        ]
    );
    assert!(!pkg.join("templates/sessionlog/log-archive-replica.yaml").exists());
    assert!(!pkg.join("templates/sessionlog/member-regional-no-rdp.yaml").exists());
}

#[test]
fn split_keys_export_both_key_ids() {
    let config = edited(&[("keys: single", "keys: split")]);
    let (_d, pkg) = exported(&config, &["--ou-name", OU_ARG]);
    assert_clean(&pkg);
    let home = by_name(&pkg, "sessionlog-log-archive");
    let exported: Vec<String> = seq(&home["export_outputs"])
        .iter()
        .map(|e| s(&e["value"]).to_string())
        .collect();
    assert_eq!(
        exported,
        ["$[output_ArchiveKeyId]", "$[output_SessionKeyId]"]
    );
}

#[test]
fn json_templates_and_a_home_region_outside_the_member_regions() {
    let config = edited(&[(
        "regions: [us-east-1, eu-west-1, eu-south-1]",
        "regions: [eu-west-1, eu-central-1]",
    )]);
    let (_d, pkg) = exported(
        &config,
        &[
            "--ou-name",
            OU_ARG,
            "--format",
            "json",
            "--home-region",
            "eu-west-1",
        ],
    );
    assert_clean(&pkg);
    assert_eq!(s(&load(&pkg.join("manifest.yaml"))["region"]), "eu-west-1");
    let replica = by_name(&pkg, "sessionlog-log-archive-replica");
    assert_eq!(
        s(&replica["resource_file"]),
        "templates/sessionlog/log-archive-replica.json"
    );
    assert_eq!(strings(&replica["regions"]), ["eu-west-1", "eu-central-1"]);
}

#[test]
fn root_nested_ous_and_listed_accounts() {
    let config = edited(&[(
        "organizational_units: [ou-ab12-cd34ef56]",
        "organizational_units: [r-ab12, ou-ab12-cd34ef56]",
    )]);
    let (_d, pkg) = exported(
        &config,
        &[
            "--ou-name",
            "ou-ab12-cd34ef56=Workloads",
            "--ou-name",
            "ou-ab12-cd34ef56=Workloads:Prod",
        ],
    );
    assert_clean(&pkg);
    let iam = by_name(&pkg, "sessionlog-member-iam");
    assert_eq!(
        strings(&iam["deployment_targets"]["organizational_units"]),
        ["Root", "Workloads", "Workloads:Prod"]
    );

    let config = edited(&[(
        "exclude_accounts: []",
        "exclude_accounts: [\"333333333333\"]",
    )]);
    let (_d, pkg) = exported(
        &config,
        &[
            "--target-account",
            "444444444444",
            "--target-account",
            "555555555555",
        ],
    );
    assert_clean(&pkg);
    let iam = by_name(&pkg, "sessionlog-member-iam");
    assert_eq!(
        strings(&iam["deployment_targets"]["accounts"]),
        ["444444444444", "555555555555"]
    );
    assert!(iam["deployment_targets"]
        .get("organizational_units")
        .is_none());
}

#[test]
fn says_what_cfct_cannot_express() {
    let (_d, pkg, out) = export(example(), &["--ou-name", OU_ARG]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let manifest = std::fs::read_to_string(pkg.join("manifest.yaml")).unwrap();
    for text in [&out.stdout, &manifest] {
        for words in [
            "call_as",
            "Operation preferences",
            "auto_deployment",
            "Stack tags",
            "child OUs",
        ] {
            assert!(text.contains(words), "`{words}` missing from:\n{text}");
        }
    }
    assert!(
        out.stdout.contains(
            "output ArchiveKeyId of sessionlog-log-archive → SSM /sessionlog/sessionlog-log-archive/ArchiveKeyId → \
             ArchiveKeyId of sessionlog-log-archive-replica, ArchiveKeyId of sessionlog-member-iam, \
             ArchiveKeyId of sessionlog-member-regional, ArchiveKeyId of sessionlog-member-regional-no-rdp"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn second_export_changes_nothing_and_check_detects_drift() {
    let (_d, pkg) = exported(example(), &["--ou-name", OU_ARG]);
    let before = snapshot_dir(&pkg);
    let cfg = pkg.parent().unwrap().join("sessionlog.yaml");
    let args = [
        "export",
        "cfct",
        "--config",
        cfg.to_str().unwrap(),
        "--out-dir",
        pkg.to_str().unwrap(),
        "--ou-name",
        OU_ARG,
    ];
    let again = sessionlog(&args);
    assert_eq!(again.code, 0);
    assert!(again.stdout.contains("0 changed"), "{}", again.stdout);
    assert_eq!(
        snapshot_dir(&pkg),
        before,
        "an unchanged export touches no file"
    );

    let mut check = args.to_vec();
    check.push("--check");
    assert_eq!(sessionlog(&check).code, 0);
    std::fs::write(pkg.join("templates/sessionlog/member-iam.yaml"), "stale\n").unwrap();
    let stale = sessionlog(&check);
    assert_eq!(stale.code, 3, "{}", stale.stderr);
    assert!(
        stale.stdout.contains("a/templates/sessionlog/member-iam.yaml"),
        "{}",
        stale.stdout
    );

    // A region dropped from the configuration: its template is obsolete.
    std::fs::write(
        &cfg,
        edited(&[(
            "regions: [us-east-1, eu-west-1, eu-south-1]",
            "regions: [us-east-1, eu-west-1]",
        )]),
    )
    .unwrap();
    let shrink = sessionlog(&args[..args.len()]);
    assert_eq!(shrink.code, 0, "{}", shrink.stderr);
    assert!(
        shrink.stdout.contains("removed obsolete"),
        "{}",
        shrink.stdout
    );
    assert!(!pkg.join("templates/sessionlog/member-regional-no-rdp.yaml").exists());
    assert_clean(&pkg);
}

/// Bad options: exit 2, a message with what is allowed, nothing written.
#[test]
fn refusals() {
    let excluded = edited(&[(
        "exclude_accounts: []",
        "exclude_accounts: [\"333333333333\"]",
    )]);
    let cases: Vec<(String, Vec<&str>, &str)> = vec![
        (
            example().to_string(),
            vec![],
            "organizational unit `ou-ab12-cd34ef56` has no name",
        ),
        (
            example().to_string(),
            vec!["--ou-name", OU_ARG, "--ou-name", "ou-zz99-zz99zz99=Other"],
            "not one of targets.organizational_units",
        ),
        (
            excluded.clone(),
            vec!["--ou-name", OU_ARG],
            "CfCT has no account exclusions",
        ),
        (
            excluded.clone(),
            vec!["--target-account", "333333333333"],
            "is excluded by targets.exclude_accounts",
        ),
        (
            example().to_string(),
            vec!["--target-account", "111111111111"],
            "is the management account",
        ),
        (
            example().to_string(),
            vec!["--target-account", "12345"],
            "is not a 12-digit account id",
        ),
        (
            example().to_string(),
            vec!["--target-account", "444444444444", "--ou-name", OU_ARG],
            "cannot be combined",
        ),
        (
            example().to_string(),
            vec!["--ou-name", OU_ARG, "--home-region", "us-east-7"],
            "not a known AWS region",
        ),
        (
            example().to_string(),
            vec!["--ou-name", OU_ARG, "--ssm-prefix", "/aws/x"],
            "not an SSM parameter path",
        ),
        (
            example().to_string(),
            vec!["--ou-name", "ou-ab12-cd34ef56=Root:Workloads"],
            "start below the root",
        ),
        (
            edited(&[(
                "stack_name: sessionlog-log-archive",
                &format!("stack_name: s{}", "x".repeat(110)),
            )]),
            vec!["--ou-name", OU_ARG],
            "longer than 128 characters",
        ),
    ];
    for (config, args, message) in cases {
        let (_d, pkg, out) = export(&config, &args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(message),
            "{args:?}: `{message}` not in:\n{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("help") || out.stderr.contains("Usage"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(!pkg.exists(), "{args:?}: nothing is written");
    }
}

/// Each check above fails on a manifest with the defect it guards against.
#[test]
fn checks_fail_on_broken_manifests() {
    let (_d, pkg) = exported(example(), &["--ou-name", OU_ARG]);
    let manifest_path = pkg.join("manifest.yaml");
    let good = std::fs::read_to_string(&manifest_path).unwrap();

    // (what is broken, from, to, expected from the schema check, expected in the semantic problems)
    let mutations: Vec<(&str, String, String, bool, &str)> = vec![
        ("old manifest version", "version: 2021-03-15".into(), "version: 2020-01-01".into(), false, "version is"),
        ("unknown deploy method", "deploy_method: stack_set".into(), "deploy_method: stackset".into(), false, ""),
        ("misspelled key", "deployment_targets:".into(), "deployment_target:".into(), false, ""),
        ("resource without a file", "  resource_file: templates/sessionlog/member-iam.yaml\n".into(), String::new(), false, "no resource_file"),
        ("file that is not there", "resource_file: templates/sessionlog/member-iam.yaml".into(), "resource_file: templates/sessionlog/member-iam.template".into(), true, "is missing"),
        ("export removed", "  export_outputs:\n  - name: /sessionlog/sessionlog-log-archive/ArchiveKeyId\n    value: $[output_ArchiveKeyId]\n".into(), String::new(), true, "which no earlier resource exports"),
        ("output that does not exist", "$[output_ArchiveKeyId]".into(), "$[output_ArchiveKeyArn2]".into(), true, "does not have"),
        ("parameter read from the wrong SSM name", "parameter_value: $[alfred_ssm_/sessionlog/sessionlog-log-archive/ArchiveKeyId]".into(), "parameter_value: $[alfred_ssm_/sessionlog/other/ArchiveKeyId]".into(), true, "which no earlier resource exports"),
        ("literal where the key id belongs", "parameter_value: $[alfred_ssm_/sessionlog/sessionlog-log-archive/ArchiveKeyId]".into(), "parameter_value: alias/sessionlog/archive".into(), true, "not matching"),
        ("parameter missing", "  parameters:\n  - parameter_key: ArchiveKeyId\n    parameter_value: $[alfred_ssm_/sessionlog/sessionlog-log-archive/ArchiveKeyId]\n  regions:\n  - us-east-1\n".into(), "  regions:\n  - us-east-1\n".into(), true, "is not given"),
    ];
    for (what, from, to, schema_ok, problem) in mutations {
        assert!(
            good.contains(&from),
            "{what}: the manifest no longer contains {from:?}:\n{good}"
        );
        std::fs::write(&manifest_path, good.replacen(&from, &to, 1)).unwrap();
        assert_eq!(
            schema_check(&pkg).is_ok(),
            schema_ok,
            "{what}: schema check"
        );
        if !problem.is_empty() {
            let problems = semantic_check(&pkg);
            assert!(
                problems.iter().any(|p| p.contains(problem)),
                "{what}: `{problem}` not in {problems:#?}"
            );
        }
    }

    // Reordered: the log-archive resource after the resources that read it.
    let doc: Value = serde_yaml::from_str(&good).unwrap();
    let mut reordered = doc.clone();
    let list = reordered["resources"].as_sequence_mut().unwrap();
    let first = list.remove(0);
    list.push(first);
    std::fs::write(
        &manifest_path,
        format!(
            "# reordered\n{}",
            serde_yaml::to_string(&reordered)
                .unwrap()
                .replace("version: '2021-03-15'", "version: 2021-03-15")
        ),
    )
    .unwrap();
    assert!(
        schema_check(&pkg).is_ok(),
        "order is not the schema's business"
    );
    assert!(semantic_check(&pkg)
        .iter()
        .any(|p| p.contains("which no earlier resource exports")));

    // And the untouched manifest passes both again.
    std::fs::write(&manifest_path, &good).unwrap();
    assert_clean(&pkg);
}

/// The management-account stacks are not in the manifest: the export says
/// which, what each holds and when to deploy it.
#[test]
fn management_stacks_left_out_are_named_with_what_they_hold() {
    let (_dir, _pkg, out) = export(example(), &["--ou-name", "ou-ab12-cd34ef56=Workloads"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = format!("{}{}", out.stdout, out.stderr);
    let note = |stack: &str| {
        text.lines()
            .find(|l| l.contains(&format!("management-account stack {stack} ")))
            .unwrap_or_else(|| panic!("no note for {stack}:\n{text}"))
            .to_string()
    };
    let guardrails = note("sessionlog-guardrails");
    assert!(guardrails.contains("organization trail") && guardrails.contains("ArchiveKeyId"), "{guardrails}");
    assert!(!guardrails.contains("permission sets"), "{guardrails}");
    let identity = note("sessionlog-identity-center");
    assert!(identity.contains("permission sets") && identity.contains("operator policies"), "{identity}");
}
