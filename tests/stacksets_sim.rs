//! The StackSets simulator (`scripts/stacksets_sim.py`) against cases whose
//! durations can be computed by hand: 30 s per stack instance, and each
//! rule of docs/scale.md ("What the simulator implements") checked by a case
//! that would come out different without it. Driven through the AWS SDK
//! over HTTP, as `deploy` drives it.

#[path = "scale/support.rs"]
mod support;

use aws_sdk_cloudformation::types::{
    AccountFilterType, AutoDeployment, ConcurrencyMode, DeploymentTargets, ManagedExecution, PermissionModels, RegionConcurrencyType, StackInstanceFilter,
    StackInstanceFilterName, StackSetOperationPreferences,
};
use aws_sdk_cloudformation::Client;
use support::Sim;

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
/// Real milliseconds per simulated second: fast, and coarse enough that a
/// poll never lands between two events of a hand-computed case.
const MS: f64 = 2.0;

fn sim(extra: &[&str]) -> Sim {
    let mut args = vec!["--accounts", "4", "--ous", "1", "--duration-fixed", "30"];
    args.extend_from_slice(extra);
    Sim::start(MS, &args)
}

fn ou(s: &Sim) -> String {
    s.org()["ous"][0].as_str().unwrap().to_string()
}

async fn create_set(cfn: &Client, name: &str, managed: bool) {
    cfn.create_stack_set()
        .stack_set_name(name)
        .template_body("{}")
        .permission_model(PermissionModels::ServiceManaged)
        .auto_deployment(AutoDeployment::builder().enabled(true).retain_stacks_on_account_removal(false).build())
        .managed_execution(ManagedExecution::builder().active(managed).build())
        .send()
        .await
        .unwrap();
}

struct Prefs {
    parallel: bool,
    max: i32,
    max_pct: Option<i32>,
    tolerance: i32,
    soft: bool,
}

fn prefs(p: &Prefs) -> StackSetOperationPreferences {
    let b = StackSetOperationPreferences::builder()
        .region_concurrency_type(if p.parallel {
            RegionConcurrencyType::Parallel
        } else {
            RegionConcurrencyType::Sequential
        })
        .set_region_order(Some(REGIONS.iter().map(|r| r.to_string()).collect()))
        .failure_tolerance_count(p.tolerance)
        .concurrency_mode(if p.soft {
            ConcurrencyMode::SoftFailureTolerance
        } else {
            ConcurrencyMode::StrictFailureTolerance
        });
    match p.max_pct {
        Some(pct) => b.max_concurrent_percentage(pct),
        None => b.max_concurrent_count(p.max),
    }
    .build()
}

async fn start(cfn: &Client, set: &str, ou: &str, p: &Prefs) -> Result<String, String> {
    cfn.create_stack_instances()
        .stack_set_name(set)
        .deployment_targets(DeploymentTargets::builder().organizational_unit_ids(ou).build())
        .set_regions(Some(REGIONS.iter().map(|r| r.to_string()).collect()))
        .operation_preferences(prefs(p))
        .send()
        .await
        .map(|o| o.operation_id().unwrap().to_string())
        .map_err(|e| aws_sdk_cloudformation::error::ProvideErrorMetadata::code(&e).unwrap_or("").to_string())
}

/// Roll 4 accounts × 2 Regions out with `p`: (status, simulated seconds).
async fn rollout(s: &Sim, p: Prefs) -> (String, f64) {
    let cfn = s.cfn().await;
    create_set(&cfn, "set", true).await;
    let id = start(&cfn, "set", &ou(s), &p).await.unwrap();
    s.wait_op(&cfn, "set", &id).await
}

fn about(got: f64, want: f64) {
    assert!((got - want).abs() < 0.5, "took {got} simulated seconds, expected {want}");
}

#[tokio::test]
async fn sequential_regions_run_one_after_the_other_at_max_concurrent_per_region() {
    // 4 accounts, 2 at a time: 2 waves of 30 s per Region, 2 Regions in turn.
    let s = sim(&[]);
    let (st, secs) = rollout(
        &s,
        Prefs {
            parallel: false,
            max: 2,
            max_pct: None,
            tolerance: 1,
            soft: false,
        },
    )
    .await;
    assert_eq!(st, "SUCCEEDED");
    about(secs, 120.0);
}

#[tokio::test]
async fn parallel_regions_take_half_as_long() {
    let s = sim(&[]);
    let (st, secs) = rollout(
        &s,
        Prefs {
            parallel: true,
            max: 2,
            max_pct: None,
            tolerance: 1,
            soft: false,
        },
    )
    .await;
    assert_eq!(st, "SUCCEEDED");
    about(secs, 60.0);
}

#[tokio::test]
async fn strict_failure_tolerance_caps_concurrency_at_tolerance_plus_one_and_soft_does_not() {
    // STRICT with tolerance 0: one account at a time whatever MaxConcurrentCount says.
    let s = sim(&[]);
    let (_, strict) = rollout(
        &s,
        Prefs {
            parallel: true,
            max: 4,
            max_pct: None,
            tolerance: 0,
            soft: false,
        },
    )
    .await;
    about(strict, 120.0);
    let s = sim(&[]);
    let (_, soft) = rollout(
        &s,
        Prefs {
            parallel: true,
            max: 4,
            max_pct: None,
            tolerance: 0,
            soft: true,
        },
    )
    .await;
    about(soft, 30.0);
}

#[tokio::test]
async fn max_concurrent_percentage_rounds_down_but_not_below_one() {
    // 40% of 4 accounts = 1.6 → 1 at a time: 120 s; 10% = 0.4 → 1 (not 0): 120 s.
    let s = sim(&[]);
    let (_, forty) = rollout(
        &s,
        Prefs {
            parallel: true,
            max: 0,
            max_pct: Some(40),
            tolerance: 0,
            soft: true,
        },
    )
    .await;
    about(forty, 120.0);
    let s = sim(&[]);
    let (_, ten) = rollout(
        &s,
        Prefs {
            parallel: true,
            max: 0,
            max_pct: Some(10),
            tolerance: 0,
            soft: true,
        },
    )
    .await;
    about(ten, 120.0);
}

#[tokio::test]
async fn a_failure_past_the_tolerance_stops_the_region_and_the_later_ones() {
    // The first account fails in the first Region: with tolerance 0 (one at a
    // time) the operation stops after 30 s and never reaches eu-west-1.
    let s = sim(&["--fail", "100000000000:us-east-1"]);
    let cfn = s.cfn().await;
    let (st, secs) = rollout(
        &s,
        Prefs {
            parallel: false,
            max: 2,
            max_pct: None,
            tolerance: 0,
            soft: false,
        },
    )
    .await;
    assert_eq!(st, "FAILED");
    about(secs, 30.0);
    let cancelled = cfn
        .list_stack_instances()
        .stack_set_name("set")
        .filters(
            StackInstanceFilter::builder()
                .name(StackInstanceFilterName::DetailedStatus)
                .values("CANCELLED")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let regions: Vec<&str> = cancelled.summaries().iter().map(|i| i.region().unwrap()).collect();
    assert_eq!(regions.iter().filter(|r| **r == "eu-west-1").count(), 4, "{regions:?}");
    // With a tolerance of 1 the same failure is tolerated: SUCCEEDED. STRICT
    // lowers the concurrency by the failure: us-east-1 runs 2 (one fails),
    // then 1 and 1: 90 s; eu-west-1 2 and 2: 60 s. 150 s (SOFT: 120 s).
    let s = sim(&["--fail", "100000000000:us-east-1"]);
    let (st, secs) = rollout(
        &s,
        Prefs {
            parallel: false,
            max: 2,
            max_pct: None,
            tolerance: 1,
            soft: false,
        },
    )
    .await;
    assert_eq!(st, "SUCCEEDED");
    about(secs, 150.0);
    let s = sim(&["--fail", "100000000000:us-east-1"]);
    let (st, secs) = rollout(
        &s,
        Prefs {
            parallel: false,
            max: 2,
            max_pct: None,
            tolerance: 1,
            soft: true,
        },
    )
    .await;
    assert_eq!(st, "SUCCEEDED");
    about(secs, 120.0);
}

#[tokio::test]
async fn a_second_operation_is_queued_with_managed_execution_and_refused_without() {
    let s = sim(&[]);
    let cfn = s.cfn().await;
    let (o, p) = (
        ou(&s),
        Prefs {
            parallel: true,
            max: 4,
            max_pct: None,
            tolerance: 0,
            soft: true,
        },
    );
    create_set(&cfn, "queued", true).await;
    let first = start(&cfn, "queued", &o, &p).await.unwrap();
    let second = cfn
        .update_stack_set()
        .stack_set_name("queued")
        .template_body("{\"Resources\": {}}")
        .operation_preferences(prefs(&p))
        .send()
        .await
        .unwrap()
        .operation_id()
        .unwrap()
        .to_string();
    let (_, created, a_end) = s.wait_op_times(&cfn, "queued", &first).await;
    let (st, _, b_end) = s.wait_op_times(&cfn, "queued", &second).await;
    assert_eq!(st, "SUCCEEDED");
    about(a_end - created, 30.0);
    about(b_end - created, 60.0); // queued until the first ended, then 30 s of its own
    create_set(&cfn, "unmanaged", false).await;
    start(&cfn, "unmanaged", &o, &p).await.unwrap();
    assert_eq!(start(&cfn, "unmanaged", &o, &p).await.unwrap_err(), "OperationInProgressException");
}

#[tokio::test]
async fn the_per_region_quota_holds_instances_of_every_stack_set_back() {
    // Quota of 4 stack instances per Region: two StackSets of 4 accounts ×
    // 1 Region started together: the second ends 2 × 30 s after the first
    // started, not 30 s.
    let s = sim(&["--region-cap", "4"]);
    let cfn = s.cfn().await;
    let (o, p) = (
        ou(&s),
        Prefs {
            parallel: true,
            max: 4,
            max_pct: None,
            tolerance: 0,
            soft: true,
        },
    );
    let mut ids = Vec::new();
    for name in ["a", "b"] {
        create_set(&cfn, name, true).await;
        let id = cfn
            .create_stack_instances()
            .stack_set_name(name)
            .deployment_targets(DeploymentTargets::builder().organizational_unit_ids(&o).build())
            .regions("us-east-1")
            .operation_preferences(prefs(&p))
            .send()
            .await
            .unwrap()
            .operation_id()
            .unwrap()
            .to_string();
        ids.push((name, id));
    }
    let (_, created, a_end) = s.wait_op_times(&cfn, "a", &ids[0].1).await;
    let (_, _, b_end) = s.wait_op_times(&cfn, "b", &ids[1].1).await;
    about(a_end - created, 30.0);
    about(b_end - created, 60.0);
}

#[tokio::test]
async fn auto_deployment_ignores_the_preferences_and_follows_depends_on() {
    // Two StackSets on the OU, "regional" depending on "iam". A fifth account
    // moved in gets "iam" in both Regions at once (30 s, although the
    // preferences said SEQUENTIAL, 1 at a time), then "regional" (30 s more).
    let s = sim(&["--accounts", "5"]);
    let cfn = s.cfn().await;
    let o = ou(&s);
    let p = Prefs {
        parallel: false,
        max: 1,
        max_pct: None,
        tolerance: 0,
        soft: false,
    };
    let mut arn = String::new();
    for name in ["iam", "regional"] {
        let mut auto = AutoDeployment::builder().enabled(true).retain_stacks_on_account_removal(false);
        if name == "regional" {
            auto = auto.depends_on(&arn);
        }
        cfn.create_stack_set()
            .stack_set_name(name)
            .template_body("{}")
            .permission_model(PermissionModels::ServiceManaged)
            .auto_deployment(auto.build())
            .managed_execution(ManagedExecution::builder().active(true).build())
            .send()
            .await
            .unwrap();
        arn = cfn
            .describe_stack_set()
            .stack_set_name(name)
            .send()
            .await
            .unwrap()
            .stack_set()
            .unwrap()
            .stack_set_arn()
            .unwrap()
            .to_string();
        // The 4 accounts other than the last one (it starts outside the OU).
        let others: Vec<String> = s.org()["accounts"].as_object().unwrap().keys().filter(|a| !a.ends_with('4')).cloned().collect();
        let id = cfn
            .create_stack_instances()
            .stack_set_name(name)
            .deployment_targets(
                DeploymentTargets::builder()
                    .organizational_unit_ids(&o)
                    .set_accounts(Some(others))
                    .account_filter_type(AccountFilterType::Intersection)
                    .build(),
            )
            .set_regions(Some(REGIONS.iter().map(|r| r.to_string()).collect()))
            .operation_preferences(prefs(&p))
            .send()
            .await
            .unwrap()
            .operation_id()
            .unwrap()
            .to_string();
        let (_, secs) = s.wait_op(&cfn, name, &id).await;
        about(secs, 240.0); // 4 accounts × 2 Regions, one at a time
    }
    let ops = s.move_account("100000000004", &o);
    let (st, iam) = s.wait_op(&cfn, "iam", ops["iam"].as_str().unwrap()).await;
    assert_eq!(st, "SUCCEEDED");
    about(iam, 30.0);
    let (_, regional) = s.wait_op(&cfn, "regional", ops["regional"].as_str().unwrap()).await;
    about(regional, 60.0);
}

#[tokio::test]
async fn suspended_accounts_are_skipped() {
    let s = sim(&["--suspended", "1"]);
    let (st, secs) = rollout(
        &s,
        Prefs {
            parallel: true,
            max: 4,
            max_pct: None,
            tolerance: 0,
            soft: true,
        },
    )
    .await;
    assert_eq!(st, "SUCCEEDED");
    about(secs, 30.0);
    let cfn = s.cfn().await;
    let skipped = cfn
        .list_stack_instances()
        .stack_set_name("set")
        .filters(
            StackInstanceFilter::builder()
                .name(StackInstanceFilterName::DetailedStatus)
                .values("SKIPPED_SUSPENDED_ACCOUNT")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(skipped.summaries().len(), 2); // the suspended account in both Regions
}

#[tokio::test]
async fn throttled_calls_are_retried_by_the_sdk() {
    // One call per 20 simulated seconds, burst 2: 12 calls at once are
    // mostly throttled, and every one still succeeds through the SDK's retries.
    let s = sim(&["--cfn-rate", "0.05", "--cfn-burst", "2"]);
    let cfn = s.cfn().await;
    create_set(&cfn, "t", true).await;
    let calls = (0..12).map(|_| {
        let c = cfn.clone();
        tokio::spawn(async move { c.describe_stack_set().stack_set_name("t").send().await.map(|_| ()) })
    });
    for c in calls {
        c.await.unwrap().expect("retried until it succeeded");
    }
    let st = s.stats();
    assert!(st["throttled"].as_u64().unwrap() > 0, "{st}");
}
