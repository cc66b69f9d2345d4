//! `audit_athena::run_sessions_query` against moto's Athena over HTTP: the
//! rendered sessions SQL is started in the workgroup the log-archive stack
//! defines, with its database, polled until it succeeds (moto's state
//! manager holds it QUEUED and RUNNING for a few calls, as Athena does), and
//! its rows read without the header row. Moto does not run SQL: the rows are
//! planted through its documented results queue; what the SQL computes is
//! tests/athena_sql.rs's part (DuckDB).

#[path = "deploy/support.rs"]
mod support;

use std::process::Command;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_athena::types::{ResultConfiguration, WorkGroupConfiguration};
use serde_json::{json, Value};
use sessionlog::audit_athena::run_sessions_query;
use sessionlog::audit_sql::{render, SessionsQuery, COLUMNS, LOGGED_DOCUMENTS};
use sessionlog::config::load::{load, Source, EXAMPLE};
use sessionlog::stacks::athena::WORKGROUP;

/// POSTs `body` to moto's own API at `path`.
fn moto_api(url: &str, path: &str, body: &Value) {
    let code = "import sys, urllib.request\nurllib.request.urlopen(urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method='POST'))";
    let st = Command::new(support::python())
        .args(["-c", code, &format!("{url}{path}"), &body.to_string()])
        .status()
        .unwrap();
    assert!(st.success(), "moto API {path}");
}

fn row(cells: &[Option<&str>]) -> Value {
    json!({"Data": cells.iter().map(|c| match c { Some(v) => json!({"VarCharValue": v}), None => json!({}) }).collect::<Vec<_>>()})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_runs_in_the_archive_workgroup() {
    let moto = support::moto();
    let url = moto.url();
    let c = load(&Source {
        name: "t.yaml".into(),
        text: EXAMPLE.to_string(),
    })
    .unwrap();
    let a = &c.log_archive.athena;

    // The workgroup as the rendered log-archive template defines it.
    let home = sessionlog::stacks::build(&c).archive_stacks[0]
        .template
        .template
        .to_value();
    let wg = &home["Resources"][WORKGROUP]["Properties"];
    let name = wg["Name"].as_str().unwrap();
    assert_eq!(name, a.workgroup);
    let output = wg["WorkGroupConfiguration"]["ResultConfiguration"]["OutputLocation"]
        .as_str()
        .unwrap();
    let conf = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(&url)
        .region(Region::new(c.log_archive.region.clone()))
        .load()
        .await;
    let client = aws_sdk_athena::Client::new(&conf);
    client
        .create_work_group()
        .name(name)
        .configuration(
            WorkGroupConfiguration::builder()
                .enforce_work_group_configuration(true)
                .result_configuration(
                    ResultConfiguration::builder()
                        .output_location(output)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();

    // Two rows as Athena returns them: the header first, NULL as no value.
    let header: Vec<Option<&str>> = COLUMNS.iter().map(|c| Some(*c)).collect();
    let complete = [
        Some("jane-0a1b2c3d4e5f60001"), Some("444455556666"), Some("us-east-1"),
        Some("arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_Operators_0123456789abcdef/jane@example.com"),
        Some("jane@example.com"), Some("198.51.100.7"), Some("i-0aaa"), Some("SSM-SessionManagerRunShell"),
        Some("2026-03-02T10:00:00Z"), Some("2026-03-02T10:30:00Z"),
        Some("s3://sessionlog-222222222222-us-east-1/accounts/444455556666/us-east-1/session-manager/jane-0a1b2c3d4e5f60001.log"),
        Some("s3://sessionlog-222222222222-us-east-1/accounts/444455556666/us-east-1/cloudwatch/2026/03/02/x.gz"),
        Some("complete"),
    ];
    let forged = [
        Some("mallory-0e0e0e0e0e0e00005"), Some("444455556666"), Some("us-east-1"), None, None, None, None, None, None, None,
        Some("s3://sessionlog-222222222222-us-east-1/accounts/444455556666/us-east-1/session-manager/mallory-0e0e0e0e0e0e00005.log"),
        None, Some("forged"),
    ];
    let column_info: Vec<Value> = COLUMNS
        .iter()
        .map(|c| json!({"Name": c, "Label": c, "Type": "varchar"}))
        .collect();
    moto_api(
        &url,
        "/moto-api/static/athena/query-results",
        &json!({"account_id": "123456789012", "region": c.log_archive.region, "results": [
            {"rows": [row(&header), row(&complete), row(&forged)], "column_info": column_info}
        ]}),
    );
    // QUEUED → RUNNING → SUCCEEDED, one step every second GetQueryExecution.
    moto_api(
        &url,
        "/moto-api/state-manager/set-transition",
        &json!({"model_name": "athena::execution", "transition": {"progression": "manual", "times": 2}}),
    );

    let accounts = vec!["444455556666".to_string()];
    let docs: Vec<String> = LOGGED_DOCUMENTS.iter().map(|d| d.to_string()).collect();
    let sql = render(&SessionsQuery {
        database: &a.database,
        since: "2026-03-02T00:00:00Z",
        until: "2026-03-05T00:00:00Z",
        accounts: &accounts,
        regions: &c.regions,
        user: None,
        target: None,
        logged_documents: &docs,
        transcripts: true,
        copy: true,
    })
    .unwrap();
    let rows = run_sessions_query(&client, name, &a.database, &sql)
        .await
        .unwrap();
    let text = |r: &[Option<&str>]| {
        r.iter()
            .map(|c| c.unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(rows, vec![text(&complete), text(&forged)]);

    // It ran once, in the workgroup, with the database and the SQL (moto
    // refuses GetQueryResults before SUCCEEDED: the function polled).
    let ids = client
        .list_query_executions()
        .work_group(name)
        .send()
        .await
        .unwrap();
    assert_eq!(ids.query_execution_ids().len(), 1);
    let q = client
        .get_query_execution()
        .query_execution_id(&ids.query_execution_ids()[0])
        .send()
        .await
        .unwrap();
    let q = q.query_execution().unwrap();
    assert_eq!(q.query(), Some(sql.as_str()));
    assert_eq!(q.work_group(), Some(name));
    assert_eq!(
        q.query_execution_context().and_then(|x| x.database()),
        Some(a.database.as_str())
    );

    // The same report through the command line: `sessions --engine athena`
    // renders the SQL, runs it in the workgroup and prints the rows with the
    // verdicts (credentials of a profile: the calls stay in moto's account).
    moto_api(
        &url,
        "/moto-api/static/athena/query-results",
        &json!({"account_id": "123456789012", "region": c.log_archive.region, "results": [
            {"rows": [row(&header), row(&complete), row(&forged)], "column_info": column_info}
        ]}),
    );
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials");
    std::fs::write(&creds, "[moto]\naws_access_key_id = testing\naws_secret_access_key = testing\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sessionlog"))
        .args([
            "sessions", "--engine", "athena", "--profile", "moto", "--endpoint-url", &url,
            "--since", "2026-03-02", "--until", "2026-03-05", "--account", "444455556666", "--format", "json",
        ])
        .current_dir(dir.path())
        .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
        .env("AWS_CONFIG_FILE", dir.path().join("config"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let rows = report.as_array().or_else(|| report["rows"].as_array()).unwrap_or_else(|| panic!("{report}"));
    let verdicts: Vec<&str> = rows.iter().map(|r| r["integrity"].as_str().unwrap()).collect();
    assert_eq!(verdicts, ["complete", "forged"], "{report}");
    assert_eq!(rows[0]["person"], "jane@example.com", "{report}");

    // A workgroup that does not exist: an error naming it, no rows.
    let err = run_sessions_query(&client, "no-such-workgroup", &a.database, &sql)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("no-such-workgroup"), "{err:#}");
}
