//! `plan` shows, before sessionlog's service control policies are attached,
//! what in the organization they would break or exempt (issue 17,
//! docs/scp-preflight.md), against moto's server: roles that take the
//! exemptions in a member account (read through `log_archive.access_role`),
//! break-glass roles with their trusted principals, and a target OU with no
//! room for two more policies — where `deploy` stops before any change.

#[path = "deploy/support.rs"]
mod support;

use serde_json::Value;
use support::*;

const REGIONS: [&str; 1] = ["us-east-1"];
const ORG_ADMIN: &str = "role/aws-service-role/stacksets.cloudformation.amazonaws.com/AWSServiceRoleForCloudFormationStackSetsOrgAdmin";

fn bundle(org: &Org) -> sessionlog::bundle::Bundle {
    let mut text = example_config(org, &REGIONS, 365);
    let from = "    break_glass_roles: []           # exempt";
    assert!(text.contains(from), "example changed");
    text = text.replacen(from, "    break_glass_roles: [BreakGlassAdmin] # exempt", 1);
    let c = sessionlog::config::load(&sessionlog::config::Source {
        name: "preflight.yaml".into(),
        text,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        c.guardrails.scp.enabled && c.guardrails.log_archive.scp,
        "the example turns both on"
    );
    sessionlog::stacks::build(&c)
}

fn findings(run: &Run) -> Vec<&Value> {
    run.events
        .iter()
        .filter(|e| e["event"] == "finding")
        .collect()
}

fn trust(principal: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

fn create_role(moto: &Server, account: &str, name: &str, path: &str, principal: &str) {
    let env_owned = assumed_env(&moto.url(), account);
    let env: Vec<(&str, &str)> = env_owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    aws_cli(
        &moto.url(),
        &[
            "iam",
            "create-role",
            "--role-name",
            name,
            "--path",
            path,
            "--assume-role-policy-document",
            &trust(principal),
        ],
        &env,
    );
}

fn attach_scp(moto: &Server, target: &str, name: &str) {
    let content = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:CreateVpc","Resource":"*"}]}"#;
    let p = aws_cli(
        &moto.url(),
        &[
            "organizations",
            "create-policy",
            "--name",
            name,
            "--description",
            name,
            "--type",
            "SERVICE_CONTROL_POLICY",
            "--content",
            content,
        ],
        &[],
    );
    let id = p["Policy"]["PolicySummary"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    aws_cli(
        &moto.url(),
        &[
            "organizations",
            "attach-policy",
            "--policy-id",
            &id,
            "--target-id",
            target,
        ],
        &[],
    );
}

async fn plan(b: &sessionlog::bundle::Bundle, moto: &Server) -> Run {
    let mut buf = Vec::new();
    let code = sessionlog::deploy::plan(b, &opts(&moto.url()), &mut buf)
        .await
        .unwrap();
    parse(code, buf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_names_what_the_scps_would_exempt_or_break_and_deploy_stops_without_room() {
    let moto = moto();
    let org = org(&moto.url(), 2);
    let b = bundle(&org);
    let (evil_account, other) = (&org.members[0], &org.members[1]);

    // A clean organization: nothing found; the real StackSets execution role
    // (trusted by the management account's org-admin service-linked role)
    // is no finding either.
    create_role(
        &moto,
        other,
        "stacksets-exec-0123456789abcdef",
        "/",
        &format!("arn:aws:iam::{}:{ORG_ADMIN}", org.management),
    );
    let clean = plan(&b, &moto).await;
    assert_eq!(clean.code, 0, "{}", clean.text);
    assert!(findings(&clean).is_empty(), "{}", clean.text);
    assert!(
        clean
            .text
            .contains("nothing found that the service control policies would break"),
        "{}",
        clean.text
    );
    assert_eq!(clean.writes(), 0, "{}", clean.text);

    // What a member administrator would plant before the SCP is attached,
    // a break-glass role, and an OU with 4 policies already.
    create_role(
        &moto,
        evil_account,
        "stacksets-exec-evil",
        "/",
        &format!("arn:aws:iam::{evil_account}:root"),
    );
    create_role(
        &moto,
        evil_account,
        "planted",
        "/sessionlog/",
        &format!("arn:aws:iam::{evil_account}:root"),
    );
    create_role(
        &moto,
        other,
        "BreakGlassAdmin",
        "/",
        &format!("arn:aws:iam::{}:root", org.management),
    );
    for n in ["a", "b", "c"] {
        attach_scp(&moto, &org.workloads, &format!("existing-{n}"));
    }

    let p = plan(&b, &moto).await;
    assert_eq!(p.code, 0, "plan reports, it does not fail: {}", p.text);
    assert_eq!(p.writes(), 0, "{}", p.text);
    let f = findings(&p);
    let find = |account: &str, subject: &str| {
        f.iter()
            .find(|x| x["account"] == account && x["subject"] == subject)
            .unwrap_or_else(|| panic!("no finding for {account} {subject}:\n{}", p.text))
    };
    let evil = find(evil_account, "role stacksets-exec-evil");
    assert_eq!(evil["level"], "warning");
    assert!(
        evil["reason"]
            .as_str()
            .unwrap()
            .contains(&format!("arn:aws:iam::{evil_account}:root")),
        "{evil}"
    );
    assert!(
        evil["remedy"]
            .as_str()
            .unwrap()
            .contains("aws iam delete-role --role-name stacksets-exec-evil"),
        "{evil}"
    );
    let planted = find(evil_account, "role /sessionlog/planted");
    assert_eq!(planted["level"], "warning");
    assert!(
        planted["reason"]
            .as_str()
            .unwrap()
            .contains("no sessionlog stack in this account created it"),
        "{planted}"
    );
    let glass = find(other, "role BreakGlassAdmin");
    assert_eq!(glass["level"], "notice");
    assert!(
        glass["reason"]
            .as_str()
            .unwrap()
            .contains(&format!("AWS:arn:aws:iam::{}:root", org.management)),
        "{glass}"
    );
    let full = find(&org.workloads, "service control policies");
    assert_eq!(full["level"], "error");
    assert!(
        full["reason"]
            .as_str()
            .unwrap()
            .contains("4 already attached"),
        "{full}"
    );
    assert_eq!(
        f.len(),
        4,
        "nothing else (the real stacksets-exec role included): {}",
        p.text
    );

    // deploy stops before any change, exit 4.
    let mut buf = Vec::new();
    let code = sessionlog::deploy::deploy(&b, &opts(&moto.url()), &mut buf)
        .await
        .unwrap();
    let d = parse(code, buf);
    assert_eq!(d.code, sessionlog::exit::DEPLOY_FAILED, "{}", d.text);
    // Nothing changed: no StackSet, no stack (only the plan's change sets, deleted again).
    let sets = aws_cli(&moto.url(), &["cloudformation", "list-stack-sets"], &[]);
    assert!(sets["Summaries"].as_array().unwrap().is_empty(), "{sets}");
    assert!(
        !d.events
            .iter()
            .any(|e| e["event"] == "stack" || e["event"] == "operation"),
        "{}",
        d.text
    );
    let env_owned = assumed_env(&moto.url(), &org.archive);
    let env: Vec<(&str, &str)> = env_owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let stacks = aws_cli(&moto.url(), &["cloudformation", "list-stacks"], &env);
    assert!(
        stacks["StackSummaries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["StackStatus"] == "DELETE_COMPLETE"),
        "{stacks}"
    );
    assert!(d.text.contains("stopping before any change"), "{}", d.text);

    // Room made: deploy goes on, with the role warnings only.
    let policies = aws_cli(
        &moto.url(),
        &[
            "organizations",
            "list-policies-for-target",
            "--target-id",
            &org.workloads,
            "--filter",
            "SERVICE_CONTROL_POLICY",
        ],
        &[],
    );
    let id = policies["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["Name"] == "existing-c")
        .unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_string();
    aws_cli(
        &moto.url(),
        &[
            "organizations",
            "detach-policy",
            "--policy-id",
            &id,
            "--target-id",
            &org.workloads,
        ],
        &[],
    );
    let p = plan(&b, &moto).await;
    assert!(
        findings(&p).iter().all(|x| x["level"] != "error"),
        "{}",
        p.text
    );
    assert_eq!(findings(&p).len(), 3, "{}", p.text);
}
