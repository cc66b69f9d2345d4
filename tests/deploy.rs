//! End-to-end tests of `plan`, `deploy`, `status` and `destroy` against moto's
//! server on 127.0.0.1 (see tests/deploy/MOTO_NOTES.md for what moto can and
//! cannot do, and scripts/moto-server.py for the fidelity patches).

#[path = "deploy/support.rs"]
mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use sessionlog::bundle::Bundle;
use sessionlog::deploy::{deploy_rollout, destroy_rollout, plan_rollout, status_rollout, DeployOptions, Rollout};
use support::*;

async fn deploy(r: &Rollout, o: &DeployOptions) -> Run {
    let mut buf = Vec::new();
    let code = deploy_rollout(r, o, &mut buf).await.unwrap_or_else(|e| panic!("deploy: {e:#}\n{}", String::from_utf8_lossy(&buf)));
    parse(code, buf)
}

async fn plan(r: &Rollout, o: &DeployOptions) -> Run {
    let mut buf = Vec::new();
    let code = plan_rollout(r, o, &mut buf).await.expect("plan");
    parse(code, buf)
}

fn member_state(state: &Value, account: &str, region: &str) -> Value {
    state[account]["regions"][region].clone()
}

/// Every targeted member has the log group (with `retention`), the session
/// document and the policies in every region; nobody else has any.
fn assert_members(state: &Value, org: &Org, regions: &[&str], retention: u64) {
    for m in &org.members {
        for r in regions {
            let s = member_state(state, m, r);
            assert_eq!(s["log_groups"]["/sessionlog/sessions"]["retention"], retention, "{m}/{r}: {s}");
            assert!(s["log_groups"]["/sessionlog/sessions"]["kms"].as_str().unwrap().contains(":kms:"), "{s}");
            assert_eq!(s["documents"], serde_json::json!(["SSM-SessionManagerRunShell"]), "{m}/{r}");
        }
        let policies: Vec<_> = state[m]["policies"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        for r in regions {
            assert!(policies.contains(&format!("sessionlog-instance-{r}").as_str()), "{m}: {policies:?}");
        }
    }
    for nobody in [&org.excluded, &org.management, &org.archive] {
        for r in regions {
            let s = member_state(state, nobody, r);
            assert!(s["log_groups"].as_object().unwrap().is_empty(), "{nobody}/{r} got a log group: {s}");
            assert!(s["documents"].as_array().unwrap().is_empty(), "{nobody}/{r}");
        }
    }
}

fn assert_archive(state: &Value, org: &Org, regions: &[&str]) {
    let a = &state[&org.archive];
    assert_eq!(a["buckets"], serde_json::json!([format!("sessionlog-{}-us-east-1", org.archive)]));
    let home = &a["regions"]["us-east-1"];
    let keys = home["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{home}");
    assert_eq!(keys[0][1], true, "home key must be multi-region: {home}");
    let key_id = keys[0][0].as_str().unwrap();
    assert!(key_id.starts_with("mrk-"), "{key_id}");
    for r in regions.iter().filter(|r| **r != "us-east-1") {
        let rk = &a["regions"][*r];
        assert_eq!(rk["keys"][0][0], key_id, "replica in {r} has the same key id: {rk}");
        assert_eq!(rk["aliases"], serde_json::json!(["alias/sessionlog"]));
    }
    assert!(state[&org.management]["buckets"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_is_idempotent_updates_reports_and_destroy_keeps_logs() {
    let moto = moto();
    let org = org(&moto.url(), 3);
    let o = opts(&moto.url());
    let cfg = Cfg::default();
    let r = rollout(&org, &cfg);

    // plan on an empty organization: everything is new, nothing is written.
    let p = plan(&r, &o).await;
    assert_eq!(p.code, 0);
    assert_eq!(p.writes(), 0, "planning a new rollout writes nothing: {}", p.text);
    let lines = p.changes();
    assert!(lines.contains(&"+ AWS::S3::Bucket LogBucket".to_string()), "{lines:?}");
    assert!(lines.contains(&"+ AWS::KMS::Key ArchiveKey".to_string()), "{lines:?}");
    assert!(lines.iter().any(|l| l == &format!("+ instance {}/eu-west-1", org.members[0])), "{lines:?}");
    assert!(!lines.iter().any(|l| l.contains(&org.excluded)), "excluded account planned: {lines:?}");
    let after_plan = inspect(&moto.url(), &org, &["us-east-1"]);
    assert!(after_plan[&org.archive]["buckets"].as_array().unwrap().is_empty(), "plan created resources");

    // deploy
    let d = deploy(&r, &o).await;
    assert_eq!(d.code, 0, "{}", d.text);
    // CreateChangeSet + ExecuteChangeSet twice, CreateStackSet, CreateStackInstances
    assert_eq!(d.writes(), 6, "the call counter must see the writes: {}", d.summary());
    let state = inspect(&moto.url(), &org, &["us-east-1", "eu-west-1"]);
    assert_archive(&state, &org, &["us-east-1", "eu-west-1"]);
    assert_members(&state, &org, &["us-east-1", "eu-west-1"], 30);
    let rows = d.summary()["rows"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 2 + org.members.len() * 2, "{rows:?}");

    // second deploy: zero write calls, says up to date
    let again = deploy(&r, &o).await;
    assert_eq!(again.code, 0);
    assert_eq!(again.writes(), 0, "{}", again.text);
    assert_eq!(again.summary()["up_to_date"], true);
    assert!(again.changes().is_empty(), "{:?}", again.changes());

    // configuration change: retention and one more region
    let cfg2 = Cfg { retention: 90, regions: vec!["us-east-1".into(), "eu-west-1".into(), "eu-central-1".into()] };
    let r2 = rollout(&org, &cfg2);
    let p2 = plan(&r2, &o).await;
    let lines = p2.changes();
    assert!(lines.contains(&"> parameter RetentionDays: 30 -> 90".to_string()), "{lines:?}");
    assert!(lines.iter().any(|l| l == &format!("+ instance {}/eu-central-1", org.members[1])), "{lines:?}");
    let d2 = deploy(&r2, &o).await;
    assert_eq!(d2.code, 0, "{}", d2.text);
    let state = inspect(&moto.url(), &org, &["us-east-1", "eu-west-1", "eu-central-1"]);
    assert_archive(&state, &org, &["us-east-1", "eu-west-1", "eu-central-1"]);
    assert_members(&state, &org, &["us-east-1", "eu-west-1", "eu-central-1"], 90);
    let ops = state["stack_sets"]["sessionlog-members"]["operations"].as_array().unwrap().clone();
    assert_eq!(ops, vec!["CREATE", "UPDATE", "CREATE"], "one operation per step, no duplicates");
    assert_eq!(deploy(&r2, &o).await.writes(), 0);

    // status
    let mut buf = Vec::new();
    let code = status_rollout(&r2, &o, &mut buf).await.unwrap();
    let st = parse(code, buf);
    assert_eq!(st.code, 0);
    assert_eq!(st.writes(), 0);
    let rows = st.summary()["rows"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 3 + org.members.len() * 3);
    assert!(rows.iter().all(|r| r["status"] == "CURRENT" || r["status"].as_str().unwrap().ends_with("_COMPLETE")), "{rows:?}");

    // destroy: StackSet and stacks gone, bucket/keys/log groups kept
    let mut buf = Vec::new();
    let code = destroy_rollout(&r2, &o, &mut buf).await.unwrap();
    let ds = parse(code, buf);
    assert_eq!(ds.code, 0, "{}", ds.text);
    assert!(ds.text.contains("Retained"), "{}", ds.text);
    let state = inspect(&moto.url(), &org, &["us-east-1", "eu-west-1", "eu-central-1"]);
    assert!(state["stack_sets"].as_object().unwrap().is_empty(), "{}", state["stack_sets"]);
    assert_eq!(state[&org.archive]["buckets"], serde_json::json!([format!("sessionlog-{}-us-east-1", org.archive)]));
    assert!(!state[&org.archive]["regions"]["us-east-1"]["keys"].as_array().unwrap().is_empty());
    for m in &org.members {
        assert_eq!(member_state(&state, m, "eu-central-1")["log_groups"]["/sessionlog/sessions"]["retention"], 90);
    }
    let mut buf = Vec::new();
    let code = status_rollout(&r2, &o, &mut buf).await.unwrap();
    let st = parse(code, buf);
    let rows = st.summary()["rows"].as_array().unwrap().clone();
    assert!(rows.iter().all(|r| r["status"] == "NOT_DEPLOYED"), "{rows:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_converges_through_throttling_errors_and_lost_answers() {
    let moto = moto();
    let org = org(&moto.url(), 4);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("calls.jsonl");
    let px = proxy(&moto, &log, &["--throttle", "0.15", "--error500", "0.1", "--lost", "0.05", "--delay", "0.1", "--delay-ms", "150", "--seed", "42"]);
    let o = opts(&px.url());
    let r = rollout(&org, &Cfg::default());

    let d = deploy(&r, &o).await;
    assert_eq!(d.code, 0, "{}", d.text);
    let calls = proxy_calls(&log);
    let faults: Vec<_> = calls.iter().filter(|c| !c["fault"].is_null()).collect();
    assert!(faults.iter().filter(|c| c["fault"] == "throttle").count() >= 3, "too few faults to mean anything");
    assert!(faults.iter().any(|c| c["fault"] == "error500"));
    let state = inspect(&moto.url(), &org, &["us-east-1", "eu-west-1"]);
    assert_archive(&state, &org, &["us-east-1", "eu-west-1"]);
    assert_members(&state, &org, &["us-east-1", "eu-west-1"], 30);
    // no duplicate operation: one CREATE of instances, one StackSet
    assert_eq!(state["stack_sets"]["sessionlog-members"]["operations"], serde_json::json!(["CREATE"]));

    // the no-op redeploy through the same faults writes nothing, by our own
    // count and by the proxy's
    let before = proxy_calls(&log).len();
    let again = deploy(&r, &o).await;
    assert_eq!(again.code, 0, "{}", again.text);
    assert_eq!(again.writes(), 0, "{}", again.text);
    assert!(again.summary()["api_calls"].as_u64().unwrap() > 5);
    let calls = proxy_calls(&log);
    let writes: Vec<_> = calls[before..]
        .iter()
        .map(|c| c["action"].as_str().unwrap().to_string())
        .filter(|a| !(a.starts_with("Describe") || a.starts_with("List") || a.starts_with("Get") || a == "AssumeRole"))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    let state2 = inspect(&moto.url(), &org, &["us-east-1", "eu-west-1"]);
    assert_eq!(state, state2);
}

/// moto finishes every StackSet operation at once; the proxy answers
/// `RUNNING` for the first polls (a scripted answer at the HTTP seam).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waits_for_a_running_operation_instead_of_starting_a_duplicate() {
    let moto = moto();
    let org = org(&moto.url(), 2);
    let r = rollout(&org, &Cfg::default());
    assert_eq!(deploy(&r, &opts(&moto.url())).await.code, 0);

    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script.json");
    std::fs::write(
        &script,
        serde_json::json!([
            {"action": "ListStackSetOperations", "times": 2, "replace": [["<Status>SUCCEEDED</Status>", "<Status>RUNNING</Status>"]]},
            {"action": "DescribeStackSetOperation", "times": 3, "replace": [["<Status>SUCCEEDED</Status>", "<Status>RUNNING</Status>"]]}
        ])
        .to_string(),
    )
    .unwrap();
    let log = dir.path().join("calls.jsonl");
    let px = proxy(&moto, &log, &["--script", script.to_str().unwrap()]);
    let r2 = rollout(&org, &Cfg { retention: 60, ..Cfg::default() });
    let d = deploy(&r2, &opts(&px.url())).await;
    assert_eq!(d.code, 0, "{}", d.text);
    assert!(d.text.contains("waiting for CREATE operation"), "{}", d.text);
    let calls = proxy_calls(&log);
    assert_eq!(reached(&calls, "UpdateStackSet"), 1);
    assert_eq!(reached(&calls, "CreateStackInstances"), 0);
    let first_update = calls.iter().position(|c| c["action"] == "UpdateStackSet").unwrap();
    let polls_before = calls[..first_update].iter().filter(|c| c["action"] == "DescribeStackSetOperation").count();
    assert!(polls_before >= 3, "started before the running operation ended");
    let state = inspect(&moto.url(), &org, &["us-east-1", "eu-west-1"]);
    assert_members(&state, &org, &["us-east-1", "eu-west-1"], 60);
}

/// moto never fails an instance: the proxy rewrites ListStackInstances to
/// report one as FAILED with the real-world DocumentAlreadyExists reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_instances_exit_4_with_their_remedy() {
    let moto = moto();
    let org = org(&moto.url(), 2);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script.json");
    let reason = "Resource handler returned message: &quot;Document SSM-SessionManagerRunShell already exists (Service: Ssm, Status Code: 400)&quot; (HandlerErrorCode: AlreadyExists) DocumentAlreadyExists";
    std::fs::write(
        &script,
        serde_json::json!([
            {"action": "ListStackInstances", "times": 1000, "replace": [
                ["<Status>CURRENT</Status>", format!("<Status>OUTDATED</Status><StatusReason>{reason}</StatusReason>")],
                ["<DetailedStatus>SUCCEEDED</DetailedStatus>", "<DetailedStatus>FAILED</DetailedStatus>"]
            ]}
        ])
        .to_string(),
    )
    .unwrap();
    let log = dir.path().join("calls.jsonl");
    let px = proxy(&moto, &log, &["--script", script.to_str().unwrap()]);
    let r = rollout(&org, &Cfg::default());
    let d = deploy(&r, &opts(&px.url())).await;
    assert_eq!(d.code, 4, "{}", d.text);
    let failure = d.events.iter().find(|e| e["event"] == "failure").expect("a failure event");
    assert!(failure["reason"].as_str().unwrap().contains("DocumentAlreadyExists"), "{failure}");
    assert!(failure["remedy"].as_str().unwrap().contains("upsert"), "{failure}");
    let rows = d.summary()["rows"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["status"] == "OUTDATED FAILED" && r["reason"].as_str().unwrap().contains("upsert")), "{rows:?}");
    let mut buf = Vec::new();
    let code = status_rollout(&r, &opts(&px.url()), &mut buf).await.unwrap();
    assert_eq!(code, 4);
}

/// moto's change sets never say `Replacement`; the proxy adds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_the_bucket_is_refused_without_allow_replacement() {
    let moto = moto();
    let org = org(&moto.url(), 1);
    let r = rollout(&org, &Cfg::default());
    assert_eq!(deploy(&r, &opts(&moto.url())).await.code, 0);

    let mut r2 = r.clone();
    r2.archive_stacks[0].body = r2.archive_stacks[0].body.replace("sessionlog-${AWS::AccountId}", "sessionlog-logs-${AWS::AccountId}");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script.json");
    std::fs::write(
        &script,
        serde_json::json!([{"action": "DescribeChangeSet", "times": 1000, "replace": [
            ["<Action>Modify</Action>", "<Action>Modify</Action><Replacement>True</Replacement>"]]}])
        .to_string(),
    )
    .unwrap();
    let log = dir.path().join("calls.jsonl");
    let px = proxy(&moto, &log, &["--script", script.to_str().unwrap()]);
    let o = opts(&px.url());
    let d = deploy(&r2, &o).await;
    assert_eq!(d.code, 2, "{}", d.text);
    assert!(d.changes().contains(&"> AWS::S3::Bucket LogBucket (replacement: True)  !! puts logs at risk".to_string()), "{:?}", d.changes());
    assert!(d.text.contains("--allow-replacement"));
    assert_eq!(reached(&proxy_calls(&log), "ExecuteChangeSet"), 0);

    let allowed = DeployOptions { allow_replacement: true, ..o.clone() };
    let d = deploy(&r2, &allowed).await;
    assert_eq!(d.code, 0, "{}", d.text);
    assert_eq!(reached(&proxy_calls(&log), "ExecuteChangeSet"), 1);
}

/// A deploy cut off mid-way (like Ctrl-C) is picked up by the next one:
/// same end state, no operation run twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_deploy_resumes_without_duplicates() {
    let moto = moto();
    let org = org(&moto.url(), 2);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script.json");
    // Hold the first poll of the instance operation long enough to cut the deploy there.
    std::fs::write(&script, serde_json::json!([{"action": "DescribeStackSetOperation", "times": 1, "delay_ms": 3000}]).to_string()).unwrap();
    let log = dir.path().join("calls.jsonl");
    let px = proxy(&moto, &log, &["--script", script.to_str().unwrap()]);
    let o = opts(&px.url());
    let r = rollout(&org, &Cfg::default());
    // Cut the deploy (like Ctrl-C: the future is dropped) as soon as the
    // instance operation has started.
    let mut buf = Vec::new();
    let cut = async {
        let started = std::time::Instant::now();
        while reached(&proxy_calls(&log), "CreateStackInstances") == 0 {
            assert!(started.elapsed() < std::time::Duration::from_secs(60), "never started the instances");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    tokio::select! {
        r = deploy_rollout(&r, &o, &mut buf) => panic!("the deploy ended before the cut: {r:?}\n{}", String::from_utf8_lossy(&buf)),
        _ = cut => {}
    }

    let d = deploy(&r, &o).await;
    assert_eq!(d.code, 0, "{}", d.text);
    let calls = proxy_calls(&log);
    assert_eq!(reached(&calls, "CreateStackInstances"), 1, "no duplicate operation");
    assert_eq!(reached(&calls, "CreateStackSet"), 1);
    let state = inspect(&moto.url(), &org, &["us-east-1", "eu-west-1"]);
    assert_members(&state, &org, &["us-east-1", "eu-west-1"], 30);
    let keys: BTreeSet<_> = state[&org.archive]["regions"]["us-east-1"]["keys"].as_array().unwrap().iter().map(|k| k[0].to_string()).collect();
    assert_eq!(keys.len(), 1);
}

/// Trusted access missing: the error says what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_access_error_carries_its_remedy() {
    let moto = moto();
    let org = org(&moto.url(), 1);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script.json");
    let body = "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>You must enable organizations access to operate a service managed stack set</Message></Error><RequestId>x</RequestId></ErrorResponse>";
    std::fs::write(&script, serde_json::json!([{"action": "CreateStackSet", "times": 100, "status": 400, "body": body}]).to_string()).unwrap();
    let px = proxy(&moto, &dir.path().join("calls.jsonl"), &["--script", script.to_str().unwrap()]);
    let r = rollout(&org, &Cfg::default());
    let mut buf = Vec::new();
    let err = deploy_rollout(&r, &opts(&px.url()), &mut buf).await.unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("activate-organizations-access"), "{msg}");

    // a template over the inline limit is refused before any call, with the remedy
    let mut big = rollout(&org, &Cfg::default());
    big.archive_stacks[0].body.push_str(&format!("# {}\n", "x".repeat(60_000)));
    let mut buf = Vec::new();
    let err = deploy_rollout(&big, &opts(&moto.url()), &mut buf).await.unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("inline size limit") && msg.contains("51,200"), "{msg}");
}

/// moto never reports OperationInProgressException; the proxy answers it
/// once to UpdateStackSet: deploy waits for the running operation and sends
/// the update again, which then reaches moto exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operation_in_progress_is_waited_for_and_retried() {
    let moto = moto();
    let org = org(&moto.url(), 1);
    let r = rollout(&org, &Cfg::default());
    assert_eq!(deploy(&r, &opts(&moto.url())).await.code, 0);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script.json");
    let body = "<ErrorResponse><Error><Type>Sender</Type><Code>OperationInProgressException</Code><Message>Another Operation on StackSet sessionlog-members is in progress</Message></Error><RequestId>x</RequestId></ErrorResponse>";
    std::fs::write(&script, serde_json::json!([{"action": "UpdateStackSet", "times": 1, "status": 400, "body": body}]).to_string()).unwrap();
    let log = dir.path().join("calls.jsonl");
    let px = proxy(&moto, &log, &["--script", script.to_str().unwrap()]);
    let d = deploy(&rollout(&org, &Cfg { retention: 7, ..Cfg::default() }), &opts(&px.url())).await;
    assert_eq!(d.code, 0, "{}", d.text);
    let calls = proxy_calls(&log);
    assert_eq!(calls.iter().filter(|c| c["action"] == "UpdateStackSet").count(), 2);
    assert_eq!(reached(&calls, "UpdateStackSet"), 1);
    let state = inspect(&moto.url(), &org, &["us-east-1", "eu-west-1"]);
    assert_members(&state, &org, &["us-east-1", "eu-west-1"], 7);
}

/// The stacksets/ files, fed to `aws cloudformation create-stack-set
/// --cli-input-json file://…` with the placeholders given by `--parameters`,
/// roll out the same member resources as `sessionlog deploy`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stacksets_files_work_with_the_aws_cli() {
    let moto = moto();
    let org = org(&moto.url(), 2);
    let r = rollout(&org, &Cfg::default());
    let dir = tempfile::tempdir().unwrap();
    let (set, _) = stackset_files(&r.stack_sets[0], dir.path());
    let text = std::fs::read_to_string(&set).unwrap();
    assert!(text.contains("{{output:sessionlog-archive:KeyArn}}"), "{text}");
    cli_rollout(&moto.url(), &r, dir.path());
    let state = inspect(&moto.url(), &org, &["us-east-1", "eu-west-1"]);
    assert_archive(&state, &org, &["us-east-1", "eu-west-1"]);
    assert_members(&state, &org, &["us-east-1", "eu-west-1"], 30);
    // and sessionlog then finds nothing to do but what the CLI cannot express
    let d = deploy(&r, &opts(&moto.url())).await;
    assert_eq!(d.code, 0, "{}", d.text);
}

/// The real compiler output for the example configuration: log-archive
/// stacks, the IAM StackSet and the regional StackSets, deployed and
/// redeployed as a no-op.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn example_configuration_deploys_and_redeploys_as_a_no_op() {
    let moto = moto();
    let org = org(&moto.url(), 2);
    let o = opts(&moto.url());
    let regions = ["us-east-1", "eu-west-1", "eu-south-1"];
    let bundle = example_bundle(&org, &regions, 365);
    assert!(bundle.stack_sets.len() >= 2, "{:?}", bundle.stack_sets.iter().map(|s| &s.name).collect::<Vec<_>>());
    let mut buf = Vec::new();
    let code = sessionlog::deploy::deploy(&bundle, &o, &mut buf).await.unwrap_or_else(|e| panic!("{e:#}\n{}", String::from_utf8_lossy(&buf)));
    let d = parse(code, buf);
    assert_eq!(d.code, 0, "{}", d.text);
    let state = inspect(&moto.url(), &org, &regions);
    for m in &org.members {
        for r in regions {
            let s = &state[m]["regions"][r];
            assert_eq!(s["log_groups"]["/sessionlog/session-manager"]["retention"], 365, "{m}/{r}: {s}");
            // The preferences, and the example's just-in-time auto-approval policy.
            assert_eq!(s["documents"], serde_json::json!(["SSM-SessionManagerRunShell", "sessionlog-operator-auto-approval"]), "{m}/{r}");
        }
        assert!(state[m]["policies"].as_array().unwrap().iter().any(|p| p == "sessionlog-session-logging"), "{}", state[m]);
    }
    assert!(state[&org.excluded]["regions"]["us-east-1"]["log_groups"].as_object().unwrap().is_empty());
    assert_eq!(state[&org.archive]["buckets"].as_array().unwrap().len(), 1, "{}", state[&org.archive]);

    let mut buf = Vec::new();
    let code = sessionlog::deploy::deploy(&bundle, &o, &mut buf).await.unwrap();
    let again = parse(code, buf);
    assert_eq!(again.code, 0, "{}", again.text);
    assert_eq!(again.writes(), 0, "{}", again.text);

    let changed = example_bundle(&org, &regions, 90);
    let mut buf = Vec::new();
    let code = sessionlog::deploy::plan(&changed, &o, &mut buf).await.unwrap();
    let p = parse(code, buf);
    assert_eq!(p.writes(), 0, "{}", p.text);
    let lines = p.changes();
    assert!(lines.iter().any(|l| l == "> Custom::SessionLogGroup SessionLogs"), "{lines:?}");
    assert!(!p.events.iter().any(|e| e["risky"] == true), "a retention change is not a replacement: {lines:?}");
    let mut buf = Vec::new();
    let code = sessionlog::deploy::deploy(&changed, &o, &mut buf).await.unwrap();
    let d = parse(code, buf);
    assert_eq!(d.code, 0, "{}", d.text);
    let state = inspect(&moto.url(), &org, &regions);
    assert_eq!(state[&org.members[0]]["regions"]["eu-west-1"]["log_groups"]["/sessionlog/session-manager"]["retention"], 90);

    let mut buf = Vec::new();
    let code = sessionlog::deploy::destroy(&changed, &o, &mut buf).await.unwrap();
    let d = parse(code, buf);
    assert_eq!(d.code, 0, "{}", d.text);
    let state = inspect(&moto.url(), &org, &regions);
    assert!(state["stack_sets"].as_object().unwrap().is_empty(), "{}", state["stack_sets"]);
    assert_eq!(state[&org.archive]["buckets"].as_array().unwrap().len(), 1, "the bucket is retained");
    assert_eq!(state[&org.members[0]]["regions"]["eu-south-1"]["log_groups"]["/sessionlog/session-manager"]["retention"], 90, "log groups are retained");
}

/// The preferences function end to end (issue 17, docs/functions.md), in
/// `document: upsert` mode: the StackSet's own Create applies the managed
/// content from the function's environment, and the stack's own deletion —
/// the function asks CloudFormation and hears DELETE_IN_PROGRESS (moto
/// patch 19) — restores the default preferences and keeps the document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preferences_function_applies_its_content_and_only_its_stacks_deletion_restores_the_defaults() {
    let moto = moto();
    let org = org(&moto.url(), 1);
    let o = opts(&moto.url());
    let regions = ["us-east-1"];
    let text = example_config(&org, &regions, 365).replace("document: create ", "document: upsert ");
    let config = sessionlog::config::load(&sessionlog::config::Source { name: "upsert.sessionlog.yaml".into(), text })
        .unwrap_or_else(|e| panic!("{e}"));
    let bundle = sessionlog::stacks::build(&config);
    let d = run_bundle(&bundle, &o, "deploy").await;
    assert_eq!(d.code, 0, "{}", d.text);
    let bucket = format!("sessionlog-{}-us-east-1", org.archive);
    boto(&moto.url(), Some(&org.members[0]), &preferences_bucket_is(&format!("== '{bucket}'")));
    let d = run_bundle(&bundle, &o, "destroy").await;
    assert_eq!(d.code, 0, "{}", d.text);
    boto(&moto.url(), Some(&org.members[0]), &preferences_bucket_is("== ''"));
}

/// Python asserting that the default version of the member's
/// `SSM-SessionManagerRunShell` has an `s3BucketName` that `test`s true.
fn preferences_bucket_is(test: &str) -> String {
    format!(
        "import json; d = boto3.client('ssm', **kw).get_document(Name='SSM-SessionManagerRunShell')\n\
         assert json.loads(d['Content'])['inputs']['s3BucketName'] {test}, d['Content']"
    )
}

/// The log copy end to end (issue 9), on the real compiler output: the
/// log-archive stacks create a destination and a Firehose stream in every
/// member region, the member StackSets subscribe each session log group to
/// its own region's destination (moto refuses a destination that does not
/// exist yet, as AWS does, so this also proves the deploy order), and a
/// session's output written into a member log group arrives in the central
/// bucket under `accounts/<member>/<region>/cloudwatch/`, through Firehose's
/// decompression and JQ partitioning (scripts/moto-server.py patches 17 and
/// 18). What moto cannot show — the roles CloudWatch Logs and Firehose
/// assume, KMS and the bucket policy — is the access proof's part.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_copy_reaches_the_bucket_by_account_and_region() {
    let moto = moto();
    let org = org(&moto.url(), 2);
    let o = opts(&moto.url());
    let regions = ["us-east-1", "eu-west-1", "eu-south-1"];
    let bundle = example_bundle(&org, &regions, 365);
    let archive_templates: Vec<_> = bundle.archive_stacks.iter().map(|s| s.template.file_stem.as_str()).collect();
    assert_eq!(archive_templates, ["log-archive", "log-archive-replica", "log-archive-replica"]);
    // The home stack also creates the Athena auditor role, by name.
    assert!(bundle.archive_stacks.iter().all(|s| s.capabilities.iter().any(|c| c == "CAPABILITY_IAM")));
    let mut buf = Vec::new();
    let code = sessionlog::deploy::deploy(&bundle, &o, &mut buf).await.unwrap_or_else(|e| panic!("{e:#}\n{}", String::from_utf8_lossy(&buf)));
    let d = parse(code, buf);
    assert_eq!(d.code, 0, "{}", d.text);

    let bucket = format!("sessionlog-{}-us-east-1", org.archive);
    let out = Command::new(python())
        .arg(root().join("tests/deploy/log_copy_probe.py"))
        .args([moto.url().as_str(), org.json.as_str(), bucket.as_str()])
        .args(regions)
        .output()
        .expect("log_copy_probe.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let probe: Value = serde_json::from_slice(&out.stdout).unwrap();

    // Each region's destination admits the organization and feeds that region's stream.
    for r in regions {
        let a = &probe["archive"][r];
        let destination = &a["destination"];
        assert!(destination["targetArn"].as_str().unwrap().ends_with(&format!("{r}:{}:deliverystream/sessionlog-session-logs", org.archive)), "{a}");
        assert!(destination["accessPolicy"].as_str().unwrap().contains(&org.org_id), "{a}");
        assert!(destination["roleArn"].as_str().unwrap().contains(":role/sessionlog-session-logs/logs/"), "{a}");
        let stream = &a["stream"];
        assert_eq!(stream["Prefix"], format!("accounts/!{{partitionKeyFromQuery:owner}}/{r}/cloudwatch/!{{timestamp:yyyy}}/!{{timestamp:MM}}/!{{timestamp:dd}}/"), "{a}");
        assert!(stream["RoleARN"].as_str().unwrap().contains(":role/sessionlog-session-logs/firehose/"), "{a}");
    }
    // Every member log group subscribes to its own region's destination.
    for m in &org.members {
        for r in regions {
            assert_eq!(probe["filters"][m][r], serde_json::json!([format!("arn:aws:logs:{r}:{}:destination:sessionlog-session-logs", org.archive)]), "{m}/{r}");
        }
    }
    // A session's output lands under its own account and region, once.
    let objects = probe["objects"].as_object().unwrap();
    assert!(!objects.keys().any(|k| k.contains("/cloudwatch-errors/")), "records went to the error prefix: {objects:?}");
    for m in &org.members {
        for r in regions {
            let prefix = format!("accounts/{m}/{r}/cloudwatch/");
            let records: Vec<&Value> = objects.iter().filter(|(k, _)| k.starts_with(&prefix)).flat_map(|(_, v)| v.as_array().unwrap()).collect();
            assert_eq!(records.len(), 1, "{prefix}: {records:?}");
            let rec = records[0];
            assert_eq!(rec["messageType"], "DATA_MESSAGE");
            assert_eq!(rec["owner"], m.as_str());
            assert_eq!(rec["logGroup"], "/sessionlog/session-manager");
            assert_eq!(rec["logStream"], "probe-session-0123");
            assert_eq!(rec["logEvents"][0]["message"], format!("whoami: {m} in {r}"), "{rec}");
        }
    }
    // CloudWatch Logs' health check is filed under the log-archive account.
    for r in regions {
        let prefix = format!("accounts/{}/{r}/cloudwatch/", org.archive);
        assert!(objects.iter().any(|(k, v)| k.starts_with(&prefix) && v[0]["messageType"] == "CONTROL_MESSAGE"), "{prefix}: {objects:?}");
    }
    let accounts: BTreeSet<&str> = objects.keys().map(|k| k.split('/').nth(1).unwrap()).collect();
    let expected: BTreeSet<&str> = org.members.iter().map(String::as_str).chain([org.archive.as_str()]).collect();
    assert_eq!(accounts, expected, "only the members and the log archive have copies");
    // Who may subscribe: the organization, to its own region's destination.
    assert_eq!(probe["refusals"]["outside_the_organization"], "AccessDeniedException", "{}", probe["refusals"]);
    assert_eq!(probe["refusals"]["another_regions_destination"], "InvalidParameterException", "{}", probe["refusals"]);
    assert_eq!(probe["refusals"]["member_same_region"], "allowed", "{}", probe["refusals"]);

    // A second deploy changes nothing; destroy removes the copy's stacks
    // and keeps the bucket with its copies.
    let mut buf = Vec::new();
    let code = sessionlog::deploy::deploy(&bundle, &o, &mut buf).await.unwrap();
    let again = parse(code, buf);
    assert_eq!((again.code, again.writes()), (0, 0), "{}", again.text);
    let mut buf = Vec::new();
    let code = sessionlog::deploy::destroy(&bundle, &o, &mut buf).await.unwrap();
    assert_eq!(parse(code, buf).code, 0);
    let state = inspect(&moto.url(), &org, &regions);
    assert_eq!(state[&org.archive]["buckets"].as_array().unwrap().len(), 1, "the bucket is retained");
}

/// `scripts/bench-deploy.sh`: the example configuration for an organization
/// of BENCH_ACCOUNTS (50) member accounts in 3 regions (3 StackSets: IAM once
/// per account, regional with RDP recording, regional without it); wall time
/// and API calls of the `sessionlog deploy` command line, side by side
/// with the same rollout done by the AWS CLI from the rendered templates/ and
/// stacksets/ files, then the no-op redeploy. Calls are counted by the proxy
/// in front of moto, the same way for both. Ignored by default (slow).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn bench_deploy_vs_aws_cli() {
    let accounts: usize = std::env::var("BENCH_ACCOUNTS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    let regions = ["us-east-1", "eu-west-1", "eu-south-1"];
    let poll = std::time::Duration::from_secs(1);
    let mut report = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let is_write = |a: &str| !(a.starts_with("Describe") || a.starts_with("List") || a.starts_with("Get") || a == "AssumeRole");
    let count = |calls: &[Value]| (calls.len(), calls.iter().filter(|c| is_write(c["action"].as_str().unwrap_or(""))).count());

    // sessionlog deploy
    let moto_a = moto();
    let org_a = org(&moto_a.url(), accounts);
    let log_a = dir.path().join("sessionlog.jsonl");
    let px_a = proxy(&moto_a, &log_a, &[]);
    let config = dir.path().join("sessionlog.yaml");
    std::fs::write(&config, example_config(&org_a, &regions, 365)).unwrap();
    // the real command line, as a user runs it
    let run = |url: String, config: PathBuf| {
        let t = std::time::Instant::now();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sessionlog"))
            .args(["deploy", "--config"])
            .arg(&config)
            .args(["--endpoint-url", &url, "--region", "us-east-1", "--yes", "--output", "json", "--poll-interval", "1"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        t.elapsed()
    };
    let (u, c) = (px_a.url(), config.clone());
    let wall = tokio::task::spawn_blocking(move || run(u, c)).await.unwrap();
    let calls = proxy_calls(&log_a);
    let (n, w) = count(&calls);
    report.push(("sessionlog deploy", wall, n, w));
    let (u, c) = (px_a.url(), config.clone());
    let wall = tokio::task::spawn_blocking(move || run(u, c)).await.unwrap();
    let all = proxy_calls(&log_a);
    let (n2, w2) = count(&all[calls.len()..]);
    assert_eq!(w2, 0);
    report.push(("sessionlog deploy (no-op)", wall, n2, w2));
    let state_a = inspect(&moto_a.url(), &org_a, &regions);

    // the AWS CLI from the rendered files, on a fresh moto
    let moto_b = moto();
    let org_b = org(&moto_b.url(), accounts);
    let log_b = dir.path().join("cli.jsonl");
    let px_b = proxy(&moto_b, &log_b, &[]);
    let bundle_b = example_bundle(&org_b, &regions, 365);
    let url = px_b.url();
    let out_dir = dir.path().join("rendered");
    let t = std::time::Instant::now();
    let invocations = tokio::task::spawn_blocking(move || cli_rollout_rendered(&url, &bundle_b, &out_dir)).await.unwrap();
    let wall = t.elapsed();
    let (n, w) = count(&proxy_calls(&log_b));
    report.push(("aws CLI from stacksets/ files", wall, n, w));
    let state_b = inspect(&moto_b.url(), &org_b, &regions);
    for (state, org) in [(&state_a, &org_a), (&state_b, &org_b)] {
        for m in &org.members {
            for r in regions {
                assert_eq!(state[m]["regions"][r]["log_groups"]["/sessionlog/session-manager"]["retention"], 365, "{m}/{r}");
            }
        }
    }

    println!("\nbench: {accounts} member accounts x {} regions (3 StackSets, {} stack instances); moto 5.2.1 on 127.0.0.1; poll interval {}s", regions.len(), accounts * (regions.len() + 1), poll.as_secs());
    println!("{:<32} {:>9} {:>10} {:>7}", "", "wall (s)", "API calls", "writes");
    for (name, wall, calls, writes) in &report {
        println!("{name:<32} {:>9.2} {calls:>10} {writes:>7}", wall.as_secs_f64());
    }
    let (sl, cli) = (&report[0], &report[2]);
    println!(
        "sessionlog deploy / AWS CLI: wall {:.2}x, API calls {:.2}x, writes {}/{}",
        sl.1.as_secs_f64() / cli.1.as_secs_f64(),
        sl.2 as f64 / cli.2 as f64,
        sl.3,
        cli.3
    );
    println!("(the AWS CLI rollout took {invocations} `aws` invocations, each a new process)\n");
}

/// The synchronous entry point the CLI calls, with clap-parsed arguments:
/// `status --endpoint-url … --output json` and `deploy` without `--yes`
/// and without a terminal (it must not wait for an answer).
#[test]
fn cli_entry_points_parse_and_run_without_a_terminal() {
    use clap::Parser;
    use sessionlog::deploy::args::{DeployArgs, StatusArgs};
    #[derive(Parser)]
    struct Deploy {
        #[command(flatten)]
        a: DeployArgs,
    }
    #[derive(Parser)]
    struct Status {
        #[command(flatten)]
        a: StatusArgs,
    }
    let moto = moto();
    let org = org(&moto.url(), 1);
    let bundle = example_bundle(&org, &["us-east-1"], 30);
    let url = moto.url();
    let d = Deploy::parse_from(["deploy", "--endpoint-url", &url, "--region", "us-east-1", "--output", "json", "--poll-interval", "1"]);
    assert!(!d.a.yes && !d.a.allow_replacement);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    // cargo test's stdin is not a terminal: no --yes means nothing is deployed.
    let code = d.a.execute(&bundle, &mut out, &mut err);
    let text = String::from_utf8_lossy(&out);
    assert_eq!(code, sessionlog::exit::INVALID_INPUT, "{text}\n{}", String::from_utf8_lossy(&err));
    assert!(text.contains("--yes was not given"), "{text}");
    let state = inspect(&url, &org, &["us-east-1"]);
    assert!(state[&org.archive]["buckets"].as_array().unwrap().is_empty(), "deployed without --yes");

    let d = Deploy::parse_from(["deploy", "--endpoint-url", &url, "--region", "us-east-1", "--yes", "--poll-interval", "1"]);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(d.a.execute(&bundle, &mut out, &mut err), 0, "{}", String::from_utf8_lossy(&err));
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("TARGET") && text.contains("ACCOUNT") && text.contains("REASON"), "{text}");

    let s = Status::parse_from(["status", "--endpoint-url", &url, "--region", "us-east-1"]);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(s.a.execute(&bundle, &mut out, &mut err), 0);
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains(&org.members[0]) && text.contains("CURRENT"), "{text}");
    assert!(text.contains("0 of them writes"), "{text}");

    // unreachable endpoint: a runtime error, printed the cargo way
    let s = Status::parse_from(["status", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"]);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(s.a.execute(&bundle, &mut out, &mut err), sessionlog::exit::RUNTIME);
    assert!(String::from_utf8_lossy(&err).starts_with("error: "), "{}", String::from_utf8_lossy(&err));
}

/// The files `sessionlog render` writes (templates/ and stacksets/) roll out
/// with nothing but the AWS CLI, as the README says; `sessionlog deploy`
/// then finds the same thing deployed and writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rendered_files_roll_out_with_the_aws_cli_and_deploy_agrees() {
    let moto = moto();
    let org = org(&moto.url(), 2);
    let regions = ["us-east-1", "eu-west-1", "eu-south-1"];
    let bundle = example_bundle(&org, &regions, 365);
    let dir = tempfile::tempdir().unwrap();
    let url = moto.url();
    let b2 = bundle.clone();
    let d2 = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || cli_rollout_rendered(&url, &b2, &d2)).await.unwrap();
    let state = inspect(&moto.url(), &org, &regions);
    for m in &org.members {
        for r in regions {
            assert_eq!(state[m]["regions"][r]["log_groups"]["/sessionlog/session-manager"]["retention"], 365, "{m}/{r}");
        }
    }
    let mut buf = Vec::new();
    let code = sessionlog::deploy::deploy(&bundle, &opts(&moto.url()), &mut buf).await.unwrap();
    let d = parse(code, buf);
    assert_eq!(d.code, 0, "{}", d.text);
    assert_eq!(d.writes(), 0, "deploy disagrees with the CLI rollout: {:?}", d.changes());
}

/// On a terminal, `deploy` draws a progress bar per StackSet and region
/// (run under `script`, which gives the command a pseudo-terminal; stdin
/// stays /dev/null so it cannot wait for confirmation). Skipped without `script`.
#[test]
fn progress_bars_on_a_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` to provide a terminal");
        return;
    }
    let moto = moto();
    let org = org(&moto.url(), 2);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sessionlog.yaml");
    std::fs::write(&config, example_config(&org, &["us-east-1", "eu-west-1"], 30)).unwrap();
    let cmd = format!(
        "{} deploy --config {} --endpoint-url {} --region us-east-1 --yes --poll-interval 1 < /dev/null",
        env!("CARGO_BIN_EXE_sessionlog"),
        config.display(),
        moto.url()
    );
    let out = Command::new("script").args(["-qec", &cmd, "/dev/null"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("sessionlog-member-regional us-east-1") && text.contains("2/2"), "no progress bar: {text}");
    assert!(text.contains("TARGET") && text.contains("CURRENT"), "no final table: {text}");
}

/// Excluding an account removes its instances (its log group stays, by its
/// DeletionPolicy); an account moved out of the target OUs cannot be reached
/// through them: reported with the command that removes it, exit 4.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excluded_accounts_lose_their_instances() {
    let moto = moto();
    let org = org(&moto.url(), 3);
    let o = opts(&moto.url());
    let r = rollout(&org, &Cfg::default());
    assert_eq!(deploy(&r, &o).await.code, 0);

    let gone = org.members[0].clone();
    let mut r2 = r.clone();
    r2.stack_sets[0].targets.exclude_accounts.push(gone.clone());
    let p = plan(&r2, &o).await;
    assert!(p.changes().contains(&format!("- instance {gone}/eu-west-1")), "{:?}", p.changes());
    let d = deploy(&r2, &o).await;
    assert_eq!(d.code, 0, "{}", d.text);
    let rows = d.summary()["rows"].as_array().unwrap().clone();
    assert!(!rows.iter().any(|row| row["account"] == gone.as_str()), "{rows:?}");
    assert_eq!(rows.len(), 2 + 2 * 2);
    let state = inspect(&moto.url(), &org, &["us-east-1", "eu-west-1"]);
    assert_eq!(state[&gone]["regions"]["eu-west-1"]["log_groups"]["/sessionlog/sessions"]["retention"], 30, "retained");
    assert_eq!(deploy(&r2, &o).await.writes(), 0);

    // move members[1] out of the targeted OUs (auto-deployment would remove
    // it on AWS; moto does not), then deploy
    let moved = org.members[1].clone();
    let out = Command::new(python())
        .args(["-c", &format!(
            "import boto3; o=boto3.client('organizations', endpoint_url='{}', region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing'); \
             p=o.list_parents(ChildId='{moved}')['Parents'][0]['Id']; o.move_account(AccountId='{moved}', SourceParentId=p, DestinationParentId='{}')",
            moto.url(), org.security
        )])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let d = deploy(&r2, &o).await;
    assert_eq!(d.code, 4, "{}", d.text);
    let failure = d.events.iter().find(|e| e["event"] == "failure").expect("a failure");
    assert!(failure["reason"].as_str().unwrap().contains("delete-stack-instances"), "{failure}");
}

/// moto never rolls a stack back; the proxy reports the log-archive stack as
/// ROLLBACK_COMPLETE after its change set runs: exit 4, the reason shown,
/// and no StackSet touched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_log_archive_stack_stops_the_rollout_with_exit_4() {
    let moto = moto();
    let org = org(&moto.url(), 1);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script.json");
    std::fs::write(
        &script,
        serde_json::json!([{"action": "DescribeStacks", "times": 1000, "contains": "sessionlog-archive",
            "replace": [["<StackStatus>CREATE_COMPLETE</StackStatus>", "<StackStatus>ROLLBACK_COMPLETE</StackStatus>"]]}])
        .to_string(),
    )
    .unwrap();
    let log = dir.path().join("calls.jsonl");
    let px = proxy(&moto, &log, &["--script", script.to_str().unwrap()]);
    let d = deploy(&rollout(&org, &Cfg::default()), &opts(&px.url())).await;
    assert_eq!(d.code, 4, "{}", d.text);
    let failure = d.events.iter().find(|e| e["event"] == "failure").expect("a failure");
    assert!(failure["reason"].as_str().unwrap().contains("ROLLBACK_COMPLETE"), "{failure}");
    let calls = proxy_calls(&log);
    assert_eq!(reached(&calls, "CreateStackSet"), 0);
    assert_eq!(reached(&calls, "ExecuteChangeSet"), 1, "the replica stack is not attempted");
}

async fn run_bundle(b: &Bundle, o: &DeployOptions, cmd: &str) -> Run {
    let mut buf = Vec::new();
    let code = match cmd {
        "deploy" => sessionlog::deploy::deploy(b, o, &mut buf).await,
        "destroy" => sessionlog::deploy::destroy(b, o, &mut buf).await,
        "status" => sessionlog::deploy::status(b, o, &mut buf).await,
        _ => sessionlog::deploy::plan(b, o, &mut buf).await,
    };
    let code = code.unwrap_or_else(|e| panic!("{cmd}: {e:#}\n{}", String::from_utf8_lossy(&buf)));
    parse(code, buf)
}

fn adopted(run: &Run) -> Vec<(String, String, String)> {
    run.events
        .iter()
        .filter(|e| e["event"] == "adopt")
        .map(|e| (e["region"].as_str().unwrap().to_string(), e["logical_id"].as_str().unwrap().to_string(), e["physical_id"].as_str().unwrap().to_string()))
        .collect()
}

/// boto3 against moto as `account` (through OrganizationAccountAccessRole).
fn boto(endpoint: &str, account: Option<&str>, code: &str) {
    let session = match account {
        Some(a) => format!(
            "c=boto3.client('sts', **kw).assume_role(RoleArn='arn:aws:iam::{a}:role/OrganizationAccountAccessRole', RoleSessionName='test')['Credentials']; \
             kw=dict(endpoint_url='{endpoint}', region_name='us-east-1', aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'])"
        ),
        None => "pass".into(),
    };
    let script = format!(
        "import boto3\nkw=dict(endpoint_url='{endpoint}', region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')\n{session}\n{code}\n"
    );
    let out = Command::new(python()).args(["-c", &script]).output().unwrap();
    assert!(out.status.success(), "{script}\n{}", String::from_utf8_lossy(&out.stderr));
}

/// Fact 11: deploy → destroy → deploy. Before adoption the second deploy
/// failed on moto with `BucketAlreadyExists` (and left a second, orphan
/// key). Now `plan` lists what will be adopted, and `deploy` imports the
/// retained bucket and keys into the log-archive stacks and the member
/// functions adopt the log groups: the same objects, with their data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeploy_after_destroy_adopts_the_retained_bucket_keys_and_log_groups() {
    let moto = moto();
    let org = org(&moto.url(), 2);
    let o = opts(&moto.url());
    let regions = ["us-east-1", "eu-west-1"];
    let bundle = example_bundle(&org, &regions, 30);
    let bucket = format!("sessionlog-{}-us-east-1", org.archive);
    let d = run_bundle(&bundle, &o, "deploy").await;
    assert_eq!(d.code, 0, "{}", d.text);
    retained(&moto.url(), &org, "seed", &bucket, &regions);
    let before = retained(&moto.url(), &org, "fingerprint", &bucket, &regions);
    // The seeded object's two versions (the log copy's Firehose objects under
    // `…/cloudwatch/` are retained too, and compared with the rest below).
    let seeded = before["bucket"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| !v[0].as_str().unwrap_or_default().contains("/cloudwatch/"))
        .count();
    assert_eq!(seeded, 2, "versioned: {before}");
    assert_eq!(before["log_groups"].as_object().unwrap().len(), org.members.len() * regions.len(), "{before}");
    let d = run_bundle(&bundle, &o, "destroy").await;
    assert_eq!(d.code, 0, "{}", d.text);
    assert_eq!(retained(&moto.url(), &org, "fingerprint", &bucket, &regions), before, "destroy keeps everything");

    // plan: an adoption section, and nothing written
    let p = run_bundle(&bundle, &o, "plan").await;
    assert_eq!(p.code, 0, "{}", p.text);
    assert_eq!(p.writes(), 0, "{}", p.text);
    let key = before["keys"]["us-east-1"][0][0].as_str().unwrap().to_string();
    let mut a = adopted(&p);
    a.sort();
    assert_eq!(
        a,
        vec![
            ("eu-west-1".into(), "ArchiveKeyReplica".into(), key.clone()),
            ("us-east-1".into(), "ArchiveKey".into(), key.clone()),
            ("us-east-1".into(), "LogBucket".into(), bucket.clone()),
            // the guardrails stack's organization trail, retained by destroy
            ("us-east-1".into(), "OrganizationTrail".into(), "sessionlog-organization".into()),
        ],
        "{}",
        p.text
    );
    let lines = p.changes();
    assert!(!lines.iter().any(|l| l.starts_with("+ AWS::S3::Bucket ") || l.starts_with("+ AWS::KMS::Key ") || l.starts_with("+ AWS::KMS::ReplicaKey ")), "adopted, not created: {lines:?}");
    assert!(lines.contains(&"+ AWS::KMS::Alias ArchiveKeyAlias".to_string()), "{lines:?}");
    assert!(p.text.contains("created, or adopted where an earlier stack instance left it"), "{}", p.text);

    let t = std::time::Instant::now();
    let d = run_bundle(&bundle, &o, "deploy").await;
    assert_eq!(d.code, 0, "{}", d.text);
    eprintln!("redeploy after destroy: exit {} in {:?}, {} API calls, {} writes", d.code, t.elapsed(), d.summary()["api_calls"], d.writes());
    assert!(d.events.iter().any(|e| e["event"] == "stack" && e["status"] == "IMPORT_COMPLETE"), "{}", d.text);
    let after = retained(&moto.url(), &org, "fingerprint", &bucket, &regions);
    assert_eq!(after, before, "the same bucket, keys and log groups, with their data");
    let state = inspect(&moto.url(), &org, &regions);
    for m in &org.members {
        for r in regions {
            assert_eq!(state[m]["regions"][r]["log_groups"]["/sessionlog/session-manager"]["retention"], 30, "{m}/{r}");
        }
    }
    let again = run_bundle(&bundle, &o, "deploy").await;
    assert_eq!((again.code, again.writes()), (0, 0), "{}", again.text);
}

/// A first create that rolls back keeps its retained resources (here the
/// alias exists already, so the stack fails after its key and bucket were
/// created): the next deploy deletes the empty ROLLBACK_COMPLETE stack,
/// adopts that key and bucket, and succeeds — one key, not two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolled_back_first_create_is_adopted_by_the_next_deploy() {
    let moto = moto();
    let org = org(&moto.url(), 1);
    let o = opts(&moto.url());
    let r = rollout(&org, &Cfg::default());
    let bucket = format!("sessionlog-{}-us-east-1", org.archive);
    boto(&moto.url(), Some(&org.archive), "k=boto3.client('kms', **kw); k.create_alias(AliasName='alias/sessionlog', TargetKeyId=k.create_key()['KeyMetadata']['KeyId'])");
    let d = deploy(&r, &o).await;
    assert_eq!(d.code, 4, "{}", d.text);
    let failure = d.events.iter().find(|e| e["event"] == "failure").expect("a failure");
    assert!(failure["reason"].as_str().unwrap().contains("already exists"), "{failure}");
    let first = retained(&moto.url(), &org, "fingerprint", &bucket, &["us-east-1"]);
    let tagged = |f: &Value| f["keys"]["us-east-1"].as_array().unwrap().len();
    assert_eq!(tagged(&first), 2, "the stray alias's key and the retained archive key: {first}");
    assert!(first["bucket"].is_object(), "the bucket was retained: {first}");

    boto(&moto.url(), Some(&org.archive), "boto3.client('kms', **kw).delete_alias(AliasName='alias/sessionlog')");
    let p = plan(&r, &o).await;
    assert!(p.changes().iter().any(|l| l.contains("ROLLBACK_COMPLETE: deleted and created again")), "{:?}", p.changes());
    let mut ids: Vec<String> = adopted(&p).into_iter().map(|(_, id, _)| id).collect();
    ids.sort();
    assert_eq!(ids, ["ArchiveKey", "LogBucket"], "the replica stack was never created: {}", p.text);
    let d = deploy(&r, &o).await;
    assert_eq!(d.code, 0, "{}", d.text);
    let second = retained(&moto.url(), &org, "fingerprint", &bucket, &["us-east-1"]);
    assert_eq!(second["keys"], first["keys"], "no new key");
    assert_eq!(second["bucket"], first["bucket"]);
    let state = inspect(&moto.url(), &org, &["us-east-1", "eu-west-1"]);
    let mrk: Vec<_> = state[&org.archive]["regions"]["us-east-1"]["keys"].as_array().unwrap().iter().filter(|k| k[1] == true).collect();
    assert_eq!(mrk.len(), 1, "one multi-region key: the adopted one");
    assert_eq!(state[&org.archive]["regions"]["eu-west-1"]["keys"][0][0], mrk[0][0], "its replica");
    assert_members(&state, &org, &["us-east-1", "eu-west-1"], 30);
}

/// Before the create-or-adopt log group: an account whose stack instance was
/// deleted (it left a targeted OU) keeps its `Retain` log group, and a plain
/// `AWS::Logs::LogGroup` then fails with "already exists" when it comes back
/// (the test templates still use one, so this stays visible).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_log_group_fails_when_its_account_comes_back() {
    let moto = moto();
    let org = org(&moto.url(), 1);
    let o = opts(&moto.url());
    let r = rollout(&org, &Cfg { retention: 30, regions: vec!["us-east-1".into()] });
    assert_eq!(deploy(&r, &o).await.code, 0);
    let m = &org.members[0];
    boto(&moto.url(), None, &format!(
        "boto3.client('cloudformation', **kw).delete_stack_instances(StackSetName='sessionlog-members', DeploymentTargets={{'OrganizationalUnitIds': ['{}'], 'Accounts': ['{m}'], 'AccountFilterType': 'INTERSECTION'}}, Regions=['us-east-1'], RetainStacks=False)",
        org.workloads
    ));
    let d = deploy(&r, &o).await;
    assert_eq!(d.code, 4, "{}", d.text);
    let failure = d.events.iter().find(|e| e["event"] == "failure" && e["target"].as_str().unwrap().contains(m.as_str())).expect("a failure");
    assert!(failure["reason"].as_str().unwrap().contains("already exists"), "{failure}");
}

/// An account that leaves a targeted OU loses its instances (AWS's
/// auto-deployment deletes them; here the same DeleteStackInstances call),
/// its log groups stay; when it comes back, deploy gives it its instances
/// again and the log groups are adopted, their events untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_that_leaves_a_targeted_ou_and_comes_back_gets_its_instances_again() {
    let moto = moto();
    let org = org(&moto.url(), 2);
    let o = opts(&moto.url());
    let regions = ["us-east-1", "eu-west-1"];
    let bundle = example_bundle(&org, &regions, 30);
    let bucket = format!("sessionlog-{}-us-east-1", org.archive);
    assert_eq!(run_bundle(&bundle, &o, "deploy").await.code, 0);
    retained(&moto.url(), &org, "seed", &bucket, &regions);
    let before = retained(&moto.url(), &org, "fingerprint", &bucket, &regions);
    let m = org.members[0].clone();
    let move_to = |to: &str| {
        format!(
            "o=boto3.client('organizations', **kw); p=o.list_parents(ChildId='{m}')['Parents'][0]['Id']; o.move_account(AccountId='{m}', SourceParentId=p, DestinationParentId='{to}')"
        )
    };
    // leave: moved out, its instances deleted as auto-deployment does
    boto(&moto.url(), None, &move_to(&org.security));
    for s in &bundle.stack_sets {
        boto(&moto.url(), None, &format!(
            "boto3.client('cloudformation', **kw).delete_stack_instances(StackSetName='{}', DeploymentTargets={{'OrganizationalUnitIds': ['{}'], 'Accounts': ['{m}'], 'AccountFilterType': 'INTERSECTION'}}, Regions={:?}, RetainStacks=False)",
            s.name, org.security, s.regions
        ));
    }
    let gone = run_bundle(&bundle, &o, "status").await;
    assert!(!gone.summary()["rows"].as_array().unwrap().iter().any(|r| r["account"] == m.as_str()), "{}", gone.text);
    // come back
    boto(&moto.url(), None, &move_to(&org.workloads));
    let p = run_bundle(&bundle, &o, "plan").await;
    assert!(p.changes().contains(&format!("+ instance {m}/eu-west-1")), "{:?}", p.changes());
    let d = run_bundle(&bundle, &o, "deploy").await;
    assert_eq!(d.code, 0, "{}", d.text);
    let rows = d.summary()["rows"].as_array().unwrap().clone();
    let mine: Vec<_> = rows.iter().filter(|r| r["account"] == m.as_str()).collect();
    assert_eq!(mine.len(), 1 + regions.len(), "IAM once, regional per region: {rows:?}");
    assert!(mine.iter().all(|r| r["status"] == "CURRENT"), "{mine:?}");
    assert_eq!(retained(&moto.url(), &org, "fingerprint", &bucket, &regions), before, "its log groups adopted, events kept");
}

/// A managed policy that roles outside the StackSet still have attached
/// cannot be deleted (IAM DeleteConflict): destroy says which account and
/// what to run, stops before deleting that StackSet or anything after it
/// (exit 4), `status` shows it; once detached, destroy finishes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attached_instance_policy_stops_destroy_with_what_to_do() {
    let moto = moto();
    let org = org(&moto.url(), 2);
    let o = opts(&moto.url());
    let r = rollout(&org, &Cfg { retention: 30, regions: vec!["us-east-1".into()] });
    assert_eq!(deploy(&r, &o).await.code, 0);
    let m = org.members[0].clone();
    let arn = format!("arn:aws:iam::{m}:policy/sessionlog-instance-us-east-1");
    boto(&moto.url(), Some(&m), &format!(
        "i=boto3.client('iam', **kw); i.create_role(RoleName='app-instances', AssumeRolePolicyDocument='{{}}'); i.attach_role_policy(RoleName='app-instances', PolicyArn='{arn}')"
    ));
    let mut buf = Vec::new();
    let code = destroy_rollout(&r, &o, &mut buf).await.unwrap();
    let d = parse(code, buf);
    assert_eq!(d.code, 4, "{}", d.text);
    let failure = d.events.iter().find(|e| e["event"] == "failure" && e["target"].as_str().unwrap().contains(&m)).expect("a failure for the account");
    assert!(failure["reason"].as_str().unwrap().contains("attached to entities"), "{failure}");
    let remedy = failure["remedy"].as_str().unwrap();
    assert!(remedy.contains(&format!("aws iam detach-role-policy --role-name <role> --policy-arn {arn}")) && remedy.contains(&format!("list-entities-for-policy --policy-arn {arn}")), "{remedy}");
    assert!(d.text.contains("destroy stopped: StackSet sessionlog-members keeps 1 instance(s)"), "{}", d.text);
    let state = inspect(&moto.url(), &org, &["us-east-1"]);
    assert!(state["stack_sets"]["sessionlog-members"].is_object(), "the StackSet is not deleted: {}", state["stack_sets"]);
    assert_eq!(state[&org.archive]["buckets"].as_array().unwrap().len(), 1);

    let mut buf = Vec::new();
    let code = status_rollout(&r, &o, &mut buf).await.unwrap();
    let st = parse(code, buf);
    assert_eq!(st.code, 4);
    let row = st.summary()["rows"].as_array().unwrap().iter().find(|r| r["account"] == m.as_str()).cloned().expect("its row");
    assert!(row["status"].as_str().unwrap().contains("FAILED") && row["reason"].as_str().unwrap().contains("detach-role-policy"), "{row}");

    boto(&moto.url(), Some(&m), &format!("boto3.client('iam', **kw).detach_role_policy(RoleName='app-instances', PolicyArn='{arn}')"));
    let mut buf = Vec::new();
    let code = destroy_rollout(&r, &o, &mut buf).await.unwrap();
    let d = parse(code, buf);
    assert_eq!(d.code, 0, "{}", d.text);
    let state = inspect(&moto.url(), &org, &["us-east-1"]);
    assert!(state["stack_sets"].as_object().unwrap().is_empty(), "{}", state["stack_sets"]);
    assert!(!state[&m]["policies"].as_array().unwrap().iter().any(|p| p == "sessionlog-instance-us-east-1"), "{}", state[&m]);
}

/// moto has no Account Management API: the proxy answers it (scripted, at
/// the HTTP seam). eu-south-1 is opt-in and one account has not enabled it:
/// plan and deploy report it with `aws account enable-region …`, deploy
/// everything else and exit 4; once enabled, the next deploy adds it. With
/// trusted access off, the check says so and the deploy goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_opt_in_region_not_enabled_in_one_account_is_reported_with_its_remedy() {
    let moto = moto();
    let org = org(&moto.url(), 2);
    let regions = vec!["us-east-1".to_string(), "eu-south-1".to_string()];
    let r = rollout(&org, &Cfg { retention: 30, regions: regions.clone() });
    let lacking = org.members[1].clone();
    let dir = tempfile::tempdir().unwrap();
    let list = serde_json::json!({"Regions": [
        {"RegionName": "us-east-1", "RegionOptStatus": "ENABLED_BY_DEFAULT"},
        {"RegionName": "eu-west-1", "RegionOptStatus": "ENABLED_BY_DEFAULT"},
        {"RegionName": "eu-south-1", "RegionOptStatus": "ENABLED"}]}).to_string();
    let status = |s: &str| serde_json::json!({"RegionName": "eu-south-1", "RegionOptStatus": s}).to_string();
    let script = |disabled: bool| {
        let mut rules = vec![serde_json::json!({"action": "ListRegions", "service": "account", "times": 1000, "status": 200, "content_type": "application/json", "body": list})];
        if disabled {
            rules.push(serde_json::json!({"action": "GetRegionOptStatus", "service": "account", "times": 1000, "contains": format!("\"AccountId\":\"{lacking}\""), "status": 200, "content_type": "application/json", "body": status("DISABLED")}));
        }
        rules.push(serde_json::json!({"action": "GetRegionOptStatus", "service": "account", "times": 1000, "status": 200, "content_type": "application/json", "body": status("ENABLED")}));
        serde_json::Value::Array(rules).to_string()
    };
    let s1 = dir.path().join("disabled.json");
    std::fs::write(&s1, script(true)).unwrap();
    let log = dir.path().join("calls.jsonl");
    let px = proxy(&moto, &log, &["--script", s1.to_str().unwrap()]);
    let o = opts(&px.url());

    let p = plan(&r, &o).await;
    let skipped: Vec<_> = p.events.iter().filter(|e| e["event"] == "skipped").collect();
    assert_eq!(skipped.len(), 1, "{}", p.text);
    assert_eq!((skipped[0]["account"].as_str().unwrap(), skipped[0]["region"].as_str().unwrap()), (lacking.as_str(), "eu-south-1"));
    assert!(skipped[0]["remedy"].as_str().unwrap().contains(&format!("aws account enable-region --account-id {lacking} --region-name eu-south-1")), "{}", skipped[0]);
    assert!(!p.changes().contains(&format!("+ instance {lacking}/eu-south-1")), "{:?}", p.changes());
    assert!(p.changes().contains(&format!("+ instance {lacking}/us-east-1")), "{:?}", p.changes());
    let calls = proxy_calls(&log);
    assert_eq!(calls.iter().filter(|c| c["action"] == "ListRegions").count(), 1);
    assert_eq!(calls.iter().filter(|c| c["action"] == "GetRegionOptStatus").count(), org.members.len() + 1, "one call per account (the members and the log-archive account) for the one opt-in region");

    let d = deploy(&r, &o).await;
    assert_eq!(d.code, 4, "{}", d.text);
    let rows = d.summary()["rows"].as_array().unwrap().clone();
    let row = rows.iter().find(|r| r["account"] == lacking.as_str() && r["region"] == "eu-south-1").expect("a row");
    assert_eq!(row["status"], "SKIPPED", "{row}");
    assert!(row["reason"].as_str().unwrap().contains("enable-region"), "{row}");
    let state = inspect(&moto.url(), &org, &["us-east-1", "eu-south-1"]);
    assert!(state[&lacking]["regions"]["eu-south-1"]["log_groups"].as_object().unwrap().is_empty(), "nothing tried there");
    assert_eq!(state[&org.members[0]]["regions"]["eu-south-1"]["log_groups"]["/sessionlog/sessions"]["retention"], 30, "{}", d.text);
    assert_eq!(state[&lacking]["regions"]["us-east-1"]["log_groups"]["/sessionlog/sessions"]["retention"], 30);

    // enabled now: the next deploy adds the missing instance
    let s2 = dir.path().join("enabled.json");
    std::fs::write(&s2, script(false)).unwrap();
    let px2 = proxy(&moto, &dir.path().join("calls2.jsonl"), &["--script", s2.to_str().unwrap()]);
    let d = deploy(&r, &opts(&px2.url())).await;
    assert_eq!(d.code, 0, "{}", d.text);
    let state = inspect(&moto.url(), &org, &["us-east-1", "eu-south-1"]);
    assert_eq!(state[&lacking]["regions"]["eu-south-1"]["log_groups"]["/sessionlog/sessions"]["retention"], 30);

    // trusted access for account management off: said, with the command
    let s3 = dir.path().join("denied.json");
    let denied = serde_json::json!({"__type": "AccessDeniedException", "message": "You don't have permissions to access this resource."}).to_string();
    std::fs::write(&s3, serde_json::json!([{"action": "ListRegions", "service": "account", "times": 1000, "status": 403, "content_type": "application/json", "error_type": "AccessDeniedException", "body": denied}]).to_string()).unwrap();
    let px3 = proxy(&moto, &dir.path().join("calls3.jsonl"), &["--script", s3.to_str().unwrap()]);
    let p = plan(&r, &opts(&px3.url())).await;
    assert_eq!(p.code, 0);
    assert!(p.text.contains("opt-in regions not checked") && p.text.contains("enable-aws-service-access --service-principal account.amazonaws.com"), "{}", p.text);

    // the log-archive account without the region: its replica stack would
    // fail and every StackSet needs it, so deploy stops before any change
    let s4 = dir.path().join("archive-disabled.json");
    let archive_lacks = serde_json::json!([
        {"action": "ListRegions", "service": "account", "times": 1000, "status": 200, "content_type": "application/json", "body": list},
        {"action": "GetRegionOptStatus", "service": "account", "times": 1000, "contains": format!("\"AccountId\":\"{}\"", org.archive), "status": 200, "content_type": "application/json", "body": status("DISABLED")},
        {"action": "GetRegionOptStatus", "service": "account", "times": 1000, "status": 200, "content_type": "application/json", "body": status("ENABLED")}]);
    std::fs::write(&s4, archive_lacks.to_string()).unwrap();
    let px4 = proxy(&moto, &dir.path().join("calls4.jsonl"), &["--script", s4.to_str().unwrap()]);
    let d = deploy(&r, &opts(&px4.url())).await;
    assert_eq!(d.code, 4, "{}", d.text);
    assert_eq!(d.writes(), 0, "nothing changed: {}", d.text);
    let failures: Vec<_> = d.events.iter().filter(|e| e["event"] == "failure").collect();
    assert_eq!(failures.len(), 1, "the replica stack in eu-south-1: {}", d.text);
    assert!(failures[0]["target"].as_str().unwrap().ends_with("(eu-south-1)"), "{}", failures[0]);
    assert!(failures[0]["remedy"].as_str().unwrap().contains(&format!("aws account enable-region --account-id {} --region-name eu-south-1", org.archive)), "{}", failures[0]);
}

/// The operators' IAM Identity Center permission sets: a stack in the
/// management account, deployed with the caller's own credentials after the
/// StackSets (the member accounts have the policy it references first),
/// updated through a change set, deleted first on destroy. moto's
/// CloudFormation has no `AWS::SSO::PermissionSet`; scripts/moto-server.py
/// (patch 16) backs it with moto's sso-admin API, so the permission set is
/// read back with `aws sso-admin`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_permission_sets_follow_the_stacksets_in_the_management_account() {
    let moto = moto();
    let org = org(&moto.url(), 2);
    let o = opts(&moto.url());
    let regions = ["us-east-1", "eu-west-1"];
    let bundle_with = |hours: u32| {
        let text = example_config(&org, &regions, 365).replace("session_hours: 4", &format!("session_hours: {hours}"));
        let config = sessionlog::config::load(&sessionlog::config::Source { name: "t.yaml".into(), text }).unwrap_or_else(|e| panic!("{e}"));
        sessionlog::stacks::build(&config)
    };
    let bundle = bundle_with(4);
    // The permission sets' stack (the example also has the guardrails' one).
    let stack = bundle.management_stacks.iter().find(|s| s.template.file_stem == "identity-center").expect("identity-center stack").stack_name.clone();
    let instance = "arn:aws:sso:::instance/ssoins-1234567890abcdef";
    let sso = |args: &[&str]| aws_cli(&moto.url(), &[&["sso-admin"], args].concat(), &[]);

    let mut buf = Vec::new();
    let code = sessionlog::deploy::plan(&bundle, &o, &mut buf).await.unwrap();
    let p = parse(code, buf);
    assert_eq!(p.writes(), 0, "{}", p.text);
    assert!(p.changes().contains(&"+ AWS::SSO::PermissionSet PermissionSetWebOperators".to_string()), "{:?}", p.changes());

    let mut buf = Vec::new();
    let code = sessionlog::deploy::deploy(&bundle, &o, &mut buf).await.unwrap_or_else(|e| panic!("{e:#}\n{}", String::from_utf8_lossy(&buf)));
    let d = parse(code, buf);
    assert_eq!(d.code, 0, "{}", d.text);
    let position = |events: &[Value], pred: &dyn Fn(&Value) -> bool| events.iter().rposition(pred);
    let last_operation = position(&d.events, &|e| e["event"] == "operation").expect("StackSet operations");
    let created = position(&d.events, &|e| e["event"] == "stack" && e["stack"] == stack.as_str()).expect("the management stack");
    assert!(created > last_operation, "the permission sets come after the StackSets:\n{}", d.text);
    assert_eq!(d.events[created]["account"], org.management.as_str());

    let state = inspect(&moto.url(), &org, &regions);
    for m in &org.members {
        assert!(state[m]["policies"].as_array().unwrap().iter().any(|p| p == "sessionlog-operator-web-operators"), "{}", state[m]);
    }
    let sets = sso(&["list-permission-sets", "--instance-arn", instance]);
    let arns = sets["PermissionSets"].as_array().unwrap().clone();
    assert_eq!(arns.len(), 1, "{sets}");
    let arn = arns[0].as_str().unwrap().to_string();
    let described = sso(&["describe-permission-set", "--instance-arn", instance, "--permission-set-arn", &arn]);
    assert_eq!(described["PermissionSet"]["Name"], "web-operators");
    assert_eq!(described["PermissionSet"]["SessionDuration"], "PT4H");
    let refs = sso(&["list-customer-managed-policy-references-in-permission-set", "--instance-arn", instance, "--permission-set-arn", &arn]);
    assert_eq!(refs["CustomerManagedPolicyReferences"], serde_json::json!([{"Name": "sessionlog-operator-web-operators", "Path": "/"}]));
    let rows = d.summary()["rows"].as_array().unwrap().clone();
    assert!(rows.iter().any(|r| r["target"] == stack.as_str() && r["account"] == org.management.as_str() && r["status"] == "CREATE_COMPLETE"), "{rows:?}");

    let mut buf = Vec::new();
    let code = sessionlog::deploy::deploy(&bundle, &o, &mut buf).await.unwrap();
    let again = parse(code, buf);
    assert_eq!(again.writes(), 0, "{}", again.text);

    // A longer session: the permission set is updated in place.
    let longer = bundle_with(8);
    let mut buf = Vec::new();
    let code = sessionlog::deploy::plan(&longer, &o, &mut buf).await.unwrap();
    let p = parse(code, buf);
    assert!(p.changes().iter().any(|l| l.starts_with("> AWS::SSO::PermissionSet PermissionSetWebOperators")), "{:?}", p.changes());
    let mut buf = Vec::new();
    let code = sessionlog::deploy::deploy(&longer, &o, &mut buf).await.unwrap();
    assert_eq!(parse(code, buf).code, 0);
    let described = sso(&["describe-permission-set", "--instance-arn", instance, "--permission-set-arn", &arn]);
    assert_eq!(described["PermissionSet"]["SessionDuration"], "PT8H");

    let mut buf = Vec::new();
    let code = sessionlog::deploy::status(&longer, &o, &mut buf).await.unwrap();
    assert_eq!(parse(code, buf).code, 0);

    let mut buf = Vec::new();
    let code = sessionlog::deploy::destroy(&longer, &o, &mut buf).await.unwrap();
    let ds = parse(code, buf);
    assert_eq!(ds.code, 0, "{}", ds.text);
    let deleted = ds.events.iter().position(|e| e["event"] == "stack" && e["stack"] == stack.as_str()).expect("the management stack deleted");
    let first_operation = ds.events.iter().position(|e| e["event"] == "operation").expect("StackSet operations");
    assert!(deleted < first_operation, "the permission sets go first:\n{}", ds.text);
    assert_eq!(ds.events[deleted]["status"], "DELETE_COMPLETE");
    assert!(sso(&["list-permission-sets", "--instance-arn", instance])["PermissionSets"].as_array().unwrap().is_empty());
}
