//! The sessions report's Athena SQL (src/audit_sql/sessions.sql) executed
//! by a real SQL engine, DuckDB (pinned in scripts/test-setup.sh), over a
//! synthetic archive laid out by the Glue tables' own
//! `storage.location.template`s: gzip CloudTrail files of the organization
//! trail, transcripts named as the agent names them, and the copy as the
//! Firehose stream writes it (one CloudWatch Logs subscription record per
//! line, gzip). tests/athena/duckdb_sessions.py says where DuckDB stands in
//! for Athena. Every verdict the SQL can give comes from a planted case.

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use sessionlog::audit_sql::{render, SessionsQuery, COLUMNS, LOGGED_DOCUMENTS};
use sessionlog::config::load::{load, Source};
use sessionlog::config::Config;
use sessionlog::stacks::athena::table_inputs;
use sessionlog::stacks::names::Names;

const A: &str = "444455556666";
const B: &str = "777788889999";
const ARCHIVE: &str = "222222222222";
const ORG: &str = "o-a1b2c3d4e5";

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn config() -> Config {
    load(&Source {
        name: "t.yaml".into(),
        text: common::example().to_string(),
    })
    .unwrap()
}

/// Seconds since the epoch of a `YYYY-MM-DDTHH:MM:SSZ` time.
fn epoch(t: &str) -> i64 {
    let out = Command::new("date")
        .args(["-u", "-d", t, "+%s"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// The synthetic archive.
#[derive(Default)]
struct Archive {
    files: Vec<Value>,
    n: usize,
}

struct Start<'a> {
    account: &'a str,
    region: &'a str,
    session: &'a str,
    time: &'a str,
    role_session: &'a str,
    target: &'a str,
    document: Option<&'a str>,
    error: Option<&'a str>,
}

impl Archive {
    fn file(&mut self, key: String, gzip: bool, text: String, mtime: &str) {
        self.files
            .push(json!({"key": key, "gzip": gzip, "text": text, "mtime": epoch(mtime)}));
    }

    /// One CloudTrail log file with `records`, delivered `day` (yyyy/MM/dd).
    fn trail_file(&mut self, account: &str, region: &str, day: &str, records: Vec<Value>) {
        self.n += 1;
        let compact = day.replace('/', "");
        let key = format!(
            "cloudtrail/AWSLogs/{ORG}/{account}/CloudTrail/{region}/{day}/{account}_CloudTrail_{region}_{compact}T0000Z_{:016}.json.gz",
            self.n
        );
        let text = json!({ "Records": records }).to_string();
        self.file(
            key,
            true,
            text,
            &format!("{}T12:00:00Z", day.replace('/', "-")),
        );
    }

    fn start(s: &Start) -> Value {
        let mut request = json!({"target": s.target});
        if let Some(d) = s.document {
            request["documentName"] = json!(d);
        }
        let arn = format!(
            "arn:aws:sts::{}:assumed-role/AWSReservedSSO_Operators_0123456789abcdef/{}",
            s.account, s.role_session
        );
        let mut r = json!({
            "eventVersion": "1.08",
            "userIdentity": {
                "type": "AssumedRole",
                "principalId": format!("AROAEXAMPLE:{}", s.role_session),
                "arn": arn,
                "accountId": s.account,
                "sessionContext": {"sessionIssuer": {"type": "Role", "arn": format!("arn:aws:iam::{}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Operators_0123456789abcdef", s.account)}}
            },
            "eventTime": s.time,
            "eventSource": "ssm.amazonaws.com",
            "eventName": "StartSession",
            "awsRegion": s.region,
            "sourceIPAddress": "198.51.100.7",
            "userAgent": "aws-cli/2.15.0",
            "requestParameters": request,
            "responseElements": {"sessionId": s.session, "tokenValue": "Value hidden due to security reasons.", "streamUrl": format!("wss://ssmmessages.{}.amazonaws.com/v1/data-channel/{}", s.region, s.session)},
            "requestID": "11111111-2222-3333-4444-555555555555",
            "eventID": format!("ev-{}", s.session),
            "readOnly": false,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": s.account,
            "eventCategory": "Management"
        });
        if let Some(code) = s.error {
            r["errorCode"] = json!(code);
            r["errorMessage"] = json!("User is not authorized to perform: ssm:StartSession");
            r["responseElements"] = Value::Null;
        }
        r
    }

    fn terminate(account: &str, region: &str, session: &str, time: &str) -> Value {
        json!({
            "eventVersion": "1.08",
            "userIdentity": {"type": "AssumedRole", "arn": format!("arn:aws:sts::{account}:assumed-role/R/x"), "accountId": account},
            "eventTime": time,
            "eventSource": "ssm.amazonaws.com",
            "eventName": "TerminateSession",
            "awsRegion": region,
            "sourceIPAddress": "198.51.100.7",
            "requestParameters": {"sessionId": session},
            "responseElements": {"sessionId": session},
            "recipientAccountId": account
        })
    }

    fn noise(account: &str, region: &str, time: &str) -> Value {
        json!({
            "eventVersion": "1.08",
            "userIdentity": {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"},
            "eventTime": time,
            "eventSource": "kms.amazonaws.com",
            "eventName": "Decrypt",
            "awsRegion": region,
            "sourceIPAddress": "ec2.amazonaws.com",
            "requestParameters": {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
            "responseElements": null,
            "recipientAccountId": account
        })
    }

    /// `accounts/<account>/<region>/session-manager/<session>.log`, uploaded at `mtime`.
    fn transcript(&mut self, account: &str, region: &str, session: &str, mtime: &str) {
        let key = format!("accounts/{account}/{region}/session-manager/{session}.log");
        self.file(
            key,
            false,
            format!("Script started on {mtime}\nsh-5.2$ whoami\nssm-user\nsh-5.2$ exit\n"),
            mtime,
        );
    }

    /// A Firehose object of the copy with one record per stream, delivered `day`.
    fn copy(&mut self, account: &str, region: &str, day: &str, streams: &[&str]) {
        self.n += 1;
        let key = format!(
            "accounts/{account}/{region}/cloudwatch/{day}/sessionlog-session-logs-1-{}-00-05-00-{:08}-aaaa-bbbb-cccc-dddddddddddd.gz",
            day.replace('/', "-"),
            self.n
        );
        let lines: Vec<String> = streams
            .iter()
            .map(|s| {
                let message = json!({"eventVersion": "1.0", "eventTime": "2026-03-02T10:00:05Z", "awsRegion": region, "target": {"id": "i-0aaa"}, "userIdentity": {"arn": "x"}, "runAsUser": "ssm-user", "sessionId": s, "sessionData": ["sh-5.2$ whoami", "ssm-user"]});
                json!({
                    "messageType": if account == ARCHIVE { "CONTROL_MESSAGE" } else { "DATA_MESSAGE" },
                    "owner": if account == ARCHIVE { "CloudwatchLogs" } else { account },
                    "logGroup": "/sessionlog/session-manager",
                    "logStream": s,
                    "subscriptionFilters": ["sessionlog-session-logs"],
                    "logEvents": [{"id": "37828472629748712345", "timestamp": 1772445605000_i64, "message": message.to_string()}]
                })
                .to_string()
            })
            .collect();
        self.file(
            key,
            true,
            lines.join("\n") + "\n",
            &format!("{}T00:05:00Z", day.replace('/', "-")),
        );
    }
}

struct Plant {
    archive: Archive,
}

/// The planted organization-week: window 2026-03-02 – 2026-03-05.
fn planted(clean: bool) -> Plant {
    let mut a = Archive::default();
    let start = |account, region, session, time, who, document| Start {
        account,
        region,
        session,
        time,
        role_session: who,
        target: "i-0aaa",
        document,
        error: None,
    };
    // complete: CloudTrail, transcript, copy.
    a.trail_file(
        A,
        "us-east-1",
        "2026/03/02",
        vec![
            Archive::start(&start(
                A,
                "us-east-1",
                "jane-0a1b2c3d4e5f60001",
                "2026-03-02T10:00:00Z",
                "jane@example.com",
                None,
            )),
            Archive::noise(A, "us-east-1", "2026-03-02T10:00:01Z"),
            Archive::terminate(
                A,
                "us-east-1",
                "jane-0a1b2c3d4e5f60001",
                "2026-03-02T10:30:00Z",
            ),
        ],
    );
    a.transcript(
        A,
        "us-east-1",
        "jane-0a1b2c3d4e5f60001",
        "2026-03-02T10:30:05Z",
    );
    a.copy(A, "us-east-1", "2026/03/02", &["jane-0a1b2c3d4e5f60001"]);
    // Started before the window, uploaded in it: neither reported nor forged.
    a.trail_file(
        A,
        "us-east-1",
        "2026/03/01",
        vec![Archive::start(&start(
            A,
            "us-east-1",
            "jane-0a1b2c3d4e5f60000",
            "2026-03-01T23:50:00Z",
            "jane@example.com",
            None,
        ))],
    );
    a.transcript(
        A,
        "us-east-1",
        "jane-0a1b2c3d4e5f60000",
        "2026-03-02T00:20:00Z",
    );
    a.copy(A, "us-east-1", "2026/03/01", &["jane-0a1b2c3d4e5f60000"]);
    // After the window: not reported.
    a.trail_file(
        B,
        "eu-west-1",
        "2026/03/06",
        vec![Archive::start(&start(
            B,
            "eu-west-1",
            "omar-0f0f0f0f0f0f00006",
            "2026-03-06T09:00:00Z",
            "omar@example.com",
            None,
        ))],
    );
    a.transcript(
        B,
        "eu-west-1",
        "omar-0f0f0f0f0f0f00006",
        "2026-03-06T09:10:00Z",
    );
    // The log archive's own prefix: CloudWatch Logs' control message.
    a.copy(
        ARCHIVE,
        "us-east-1",
        "2026/03/02",
        &["CloudwatchLogs-control"],
    );
    if clean {
        return Plant { archive: a };
    }
    // missing: no transcript.
    a.trail_file(
        A,
        "eu-west-1",
        "2026/03/03",
        vec![Archive::start(&start(
            A,
            "eu-west-1",
            "ravi-0b0b0b0b0b0b00002",
            "2026-03-03T08:00:00Z",
            "ravi@example.com",
            None,
        ))],
    );
    a.copy(A, "eu-west-1", "2026/03/03", &["ravi-0b0b0b0b0b0b00002"]);
    // missing: no copy.
    a.trail_file(
        B,
        "us-east-1",
        "2026/03/03",
        vec![
            Archive::start(&start(
                B,
                "us-east-1",
                "li-0c0c0c0c0c0c00003",
                "2026-03-03T11:00:00Z",
                "li@example.com",
                None,
            )),
            // A refused StartSession is no session.
            Archive::start(&Start {
                error: Some("AccessDenied"),
                ..start(
                    B,
                    "us-east-1",
                    "li-refused",
                    "2026-03-03T11:05:00Z",
                    "li@example.com",
                    None,
                )
            }),
        ],
    );
    a.transcript(
        B,
        "us-east-1",
        "li-0c0c0c0c0c0c00003",
        "2026-03-03T11:20:00Z",
    );
    // unlogged: port forwarding logs nothing.
    a.trail_file(
        A,
        "us-east-1",
        "2026/03/04",
        vec![Archive::start(&start(
            A,
            "us-east-1",
            "jane-0d0d0d0d0d0d00004",
            "2026-03-04T15:00:00Z",
            "jane@example.com",
            Some("AWS-StartPortForwardingSession"),
        ))],
    );
    // forged: a transcript, and a copy stream, with no session in CloudTrail.
    a.transcript(
        A,
        "us-east-1",
        "mallory-0e0e0e0e0e0e00005",
        "2026-03-03T02:00:00Z",
    );
    a.copy(B, "eu-west-1", "2026/03/03", &["ghost-0f1f2f3f4f5f00007"]);
    Plant { archive: a }
}

fn query<'a>(
    accounts: &'a [String],
    regions: &'a [String],
    docs: &'a [String],
) -> SessionsQuery<'a> {
    SessionsQuery {
        database: "sessionlog",
        since: "2026-03-02T00:00:00Z",
        until: "2026-03-05T00:00:00Z",
        accounts,
        regions,
        user: None,
        target: None,
        logged_documents: docs,
        transcripts: true,
        copy: true,
    }
}

/// Runs `queries` with DuckDB over `plant`: rows as column → value maps.
fn run(
    c: &Config,
    plant: &Plant,
    queries: &[String],
) -> Vec<Vec<BTreeMap<String, Option<String>>>> {
    let dir = tempfile::tempdir().unwrap();
    let tables: serde_json::Map<String, Value> = table_inputs(c)
        .into_iter()
        .map(|(_, t)| {
            (
                t.name.clone(),
                json!(t.parameters["storage.location.template"]),
            )
        })
        .collect();
    assert_eq!(tables.len(), 3, "{tables:?}");
    let spec = json!({
        "root": dir.path(),
        "bucket": Names::new(c).bucket(),
        "database": c.log_archive.athena.database,
        "tables": tables,
        "files": plant.archive.files,
        "queries": queries,
    });
    let python = root().join(".venv/bin/python");
    let mut child = Command::new(python)
        .arg(root().join("tests/athena/duckdb_sessions.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the project's .venv (scripts/test-setup.sh)");
    serde_json::to_writer(child.stdin.take().unwrap(), &spec).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rows| {
            rows.as_array()
                .unwrap()
                .iter()
                .map(|row| {
                    let cells = row.as_array().unwrap();
                    assert_eq!(cells.len(), COLUMNS.len());
                    COLUMNS
                        .iter()
                        .zip(cells)
                        .map(|(k, v)| (k.to_string(), v.as_str().map(String::from)))
                        .collect()
                })
                .collect()
        })
        .collect()
}

fn verdicts(rows: &[BTreeMap<String, Option<String>>]) -> Vec<(String, String)> {
    rows.iter()
        .map(|r| {
            (
                r["session_id"].clone().unwrap(),
                r["integrity"].clone().unwrap(),
            )
        })
        .collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_verdict_comes_from_a_planted_case() {
    let c = config();
    let docs = strings(&LOGGED_DOCUMENTS);
    let (ab, regions) = (strings(&[A, B]), c.regions.clone());
    let all = render(&query(&ab, &regions, &docs)).unwrap();
    let mut only_b = query(&ab, &regions, &docs);
    let b = strings(&[B]);
    only_b.accounts = &b;
    let mut jane = query(&ab, &regions, &docs);
    jane.user = Some("jane@example.com");
    let mut everyone = query(&[], &regions, &docs);
    everyone.target = None;
    let queries = [
        all,
        render(&only_b).unwrap(),
        render(&jane).unwrap(),
        render(&everyone).unwrap(),
    ];
    let results = run(&c, &planted(false), &queries);

    let expected = [
        ("jane-0a1b2c3d4e5f60001", "complete"),
        ("ravi-0b0b0b0b0b0b00002", "missing"),
        ("li-0c0c0c0c0c0c00003", "missing"),
        ("jane-0d0d0d0d0d0d00004", "unlogged"),
        // Forged rows have no start: last, by account.
        ("mallory-0e0e0e0e0e0e00005", "forged"),
        ("ghost-0f1f2f3f4f5f00007", "forged"),
    ];
    let got = verdicts(&results[0]);
    assert_eq!(
        got,
        expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    );

    let complete = &results[0][0];
    let s = |k: &str| complete[k].clone().unwrap_or_default();
    assert_eq!(s("account"), A);
    assert_eq!(s("region"), "us-east-1");
    assert_eq!(s("person"), "jane@example.com");
    assert!(s("principal")
        .ends_with("assumed-role/AWSReservedSSO_Operators_0123456789abcdef/jane@example.com"));
    assert_eq!(s("source_ip"), "198.51.100.7");
    assert_eq!(s("target"), "i-0aaa");
    assert_eq!(s("document"), "SSM-SessionManagerRunShell");
    assert_eq!(s("start_time"), "2026-03-02T10:00:00Z");
    assert_eq!(s("end_time"), "2026-03-02T10:30:00Z");
    assert_eq!(s("transcript"), format!("s3://sessionlog-222222222222-us-east-1/accounts/{A}/us-east-1/session-manager/jane-0a1b2c3d4e5f60001.log"));
    assert!(
        s("copy").starts_with(&format!(
            "s3://sessionlog-222222222222-us-east-1/accounts/{A}/us-east-1/cloudwatch/2026/03/02/"
        )),
        "{}",
        s("copy")
    );
    // The missing transcript and the missing copy are told apart by the URIs.
    assert!(results[0][1]["transcript"].is_none() && results[0][1]["copy"].is_some());
    assert!(results[0][2]["transcript"].is_some() && results[0][2]["copy"].is_none());

    // Filters are partition predicates: account B's two rows only.
    assert_eq!(
        verdicts(&results[1]),
        [
            ("li-0c0c0c0c0c0c00003".to_string(), "missing".to_string()),
            ("ghost-0f1f2f3f4f5f00007".into(), "forged".into())
        ]
    );
    // A user filter: jane's sessions, no unattributable forged rows.
    assert_eq!(
        verdicts(&results[2]),
        [
            ("jane-0a1b2c3d4e5f60001".to_string(), "complete".to_string()),
            ("jane-0d0d0d0d0d0d00004".into(), "unlogged".into())
        ]
    );
    // No account list (an enumerated projection): every account, the log
    // archive's control message included and ignored.
    assert_eq!(verdicts(&results[3]), got);
}

#[test]
fn a_clean_archive_is_reported_clean() {
    let c = config();
    let docs = strings(&LOGGED_DOCUMENTS);
    let (ab, regions) = (strings(&[A, B]), c.regions.clone());
    let results = run(
        &c,
        &planted(true),
        &[render(&query(&ab, &regions, &docs)).unwrap()],
    );
    assert_eq!(
        verdicts(&results[0]),
        [("jane-0a1b2c3d4e5f60001".to_string(), "complete".to_string())]
    );
}
