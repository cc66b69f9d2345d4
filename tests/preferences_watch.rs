//! The preferences watch (issue 8). The function's Python, invoked with the
//! CloudTrail events EventBridge delivers, runs against moto's in-process SSM
//! (tests/upsert/test_preferences_watch.py): a console edit or deletion is
//! undone and logged, whoever made it (its own role included: issue 17), and
//! the event its own restore causes changes nothing (no loop). And the content
//! it restores is exactly what the custom resource applies, from the
//! function's environment.

mod common;

use std::process::Command;

use common::*;
use sessionlog::config::{load, Source};
use sessionlog::stacks::functions;
use sessionlog::stacks::guardrails::watch;

#[test]
fn the_function_restores_edited_or_deleted_preferences_whoever_changed_them_without_looping() {
    let root = repo_root();
    let python = python();
    let out = Command::new(&python)
        .arg(root.join("tests/upsert/test_preferences_watch.py"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e} (run `make setup`)", python.display()));
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Ran 9 tests") && text.contains("\nOK"),
        "{text}"
    );
}

#[test]
fn the_watch_restores_what_the_custom_resource_applies() {
    let c = load(&Source::example()).unwrap();
    for set in sessionlog::stacks::build(&c)
        .stack_sets
        .iter()
        .filter(|s| s.name.contains("member-regional"))
    {
        let t = set.template.template.to_value();
        let resources = &t["Resources"];
        let function = resources
            .as_object()
            .unwrap()
            .values()
            .find(|r| {
                r["Type"] == "AWS::Lambda::Function"
                    && !r["Properties"]["Environment"]["Variables"][watch::ENV_CONTENT].is_null()
            })
            .expect("the upsert function (the one with the managed content in its environment)");
        let env = &function["Properties"]["Environment"]["Variables"];
        assert_eq!(
            env[watch::ENV_CONTENT],
            resources["SessionPreferences"]["Properties"]["Content"],
            "{}",
            set.name
        );
        assert_eq!(
            env[functions::ENV_STACK]["Ref"],
            "AWS::StackId",
            "{}",
            set.name
        );
        assert_eq!(
            env[functions::ENV_DOCUMENT],
            "SSM-SessionManagerRunShell",
            "{}",
            set.name
        );
        let rdp = !set.name.ends_with("no-rdp");
        assert_eq!(env.get(watch::ENV_RDP).is_some(), rdp, "{}", set.name);
        if rdp {
            let rdp_text = env[watch::ENV_RDP]["Fn::Sub"].as_str().unwrap();
            let prefs = &resources["RdpRecordingPreferences"]["Properties"]
                ["ConnectionRecordingPreferences"];
            assert!(rdp_text.contains(prefs["KMSKeyArn"]["Fn::Sub"].as_str().unwrap()));
            assert!(rdp_text.contains(
                prefs["RecordingDestinations"]["S3Buckets"][0]["BucketName"]
                    .as_str()
                    .unwrap()
            ));
        }
        let rdp = c.rdp_recording.enabled && rdp;
        let built = functions::upsert_environment(&c, &env[watch::ENV_CONTENT], rdp);
        assert_eq!(built.variables.len(), env.as_object().unwrap().len());
        assert!(functions::environment_size(&built) <= watch::ENV_LIMIT);
    }
}
