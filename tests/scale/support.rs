//! Test support for the StackSets simulator (`scripts/stacksets_sim.py`):
//! start it on 127.0.0.1 (killed on drop), SDK clients pointed at it, its
//! `/_sim/*` endpoints, and waiting for an operation by its own timestamps.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudformation::config::Credentials;
use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> PathBuf {
    let venv = root().join(".venv/bin/python");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

/// Fake credentials, no profile: every call goes to the simulator.
pub fn env() {
    for (k, v) in [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ] {
        std::env::set_var(k, v);
    }
    std::env::remove_var("AWS_PROFILE");
    std::env::remove_var("AWS_SESSION_TOKEN");
}

/// The simulator as a child process.
pub struct Sim {
    child: Child,
    pub port: u16,
    /// Real milliseconds per simulated second.
    pub ms_per_second: f64,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sim {
    /// `args` as on the simulator's command line (`--accounts 4`, …).
    pub fn start(ms_per_second: f64, args: &[&str]) -> Sim {
        env();
        let mut child = Command::new(python())
            .arg(root().join("scripts/stacksets_sim.py"))
            .args(["--port", "0", "--max-seconds", "1800", "--ms-per-second", &ms_per_second.to_string()])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 scripts/stacksets_sim.py");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            let mut line = String::new();
            if r.read_line(&mut line).is_ok() {
                let _ = tx.send(line);
            }
            let mut sink = String::new();
            while r.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                sink.clear();
            }
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) if line.starts_with("READY ") => Sim {
                child,
                port: line.trim()[6..].parse().unwrap(),
                ms_per_second,
            },
            other => {
                let _ = child.kill();
                panic!("simulator did not start: {other:?}");
            }
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A real duration for `seconds` of simulated time.
    pub fn real(&self, seconds: f64) -> Duration {
        Duration::from_secs_f64(seconds * self.ms_per_second / 1000.0)
    }

    fn http(&self, method: &str, path: &str, body: &str) -> Value {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let body = out.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
        serde_json::from_str(body).unwrap_or(Value::Null)
    }

    /// `{now, elapsed, calls, throttled, by_action}` since the last reset.
    pub fn stats(&self) -> Value {
        self.http("GET", "/_sim/stats", "")
    }
    /// The floor of the work since the last reset, in simulated seconds.
    pub fn floor(&self) -> f64 {
        self.floor_after(&[])
    }
    /// The floor when StackSets follow others: `(set, the set it follows)`.
    pub fn floor_after(&self, after: &[(String, String)]) -> f64 {
        let q: Vec<String> = after.iter().map(|(b, a)| format!("{b}:{a}")).collect();
        self.http("GET", &format!("/_sim/floor?after={}", q.join(",")), "")["floor"].as_f64().unwrap()
    }
    pub fn reset(&self) {
        self.http("POST", "/_sim/reset", "{}");
    }
    /// `{management, root, ous, accounts: {id: state}}`.
    pub fn org(&self) -> Value {
        self.http("GET", "/_sim/org", "")
    }
    /// Move an account into an OU: auto-deployment. Answers the operation
    /// started per StackSet.
    pub fn move_account(&self, account: &str, ou: &str) -> Value {
        self.http("POST", "/_sim/move-account", &serde_json::json!({"account": account, "ou": ou}).to_string())["operations"].clone()
    }

    pub async fn config(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(self.url())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "sim"))
            .load()
            .await
    }

    pub async fn cfn(&self) -> aws_sdk_cloudformation::Client {
        aws_sdk_cloudformation::Client::new(&self.config().await)
    }

    /// Wait for an operation to settle; its status and how long it took in
    /// simulated seconds (from its own creation and end timestamps).
    pub async fn wait_op(&self, cfn: &aws_sdk_cloudformation::Client, set: &str, id: &str) -> (String, f64) {
        let (st, created, ended) = self.wait_op_times(cfn, set, id).await;
        (st, ended - created)
    }

    /// Wait for an operation to settle: its status, creation and end times
    /// (simulated seconds since the simulator's epoch).
    pub async fn wait_op_times(&self, cfn: &aws_sdk_cloudformation::Client, set: &str, id: &str) -> (String, f64, f64) {
        let deadline = std::time::Instant::now() + self.real(36_000.0).max(Duration::from_secs(20));
        loop {
            assert!(std::time::Instant::now() < deadline, "operation {id} of {set} never settled");
            let d = cfn.describe_stack_set_operation().stack_set_name(set).operation_id(id).send().await.unwrap();
            let op = d.stack_set_operation().unwrap();
            let st = op.status().unwrap().as_str().to_string();
            if st != "RUNNING" && st != "QUEUED" && st != "STOPPING" {
                let (a, b) = (op.creation_timestamp().unwrap(), op.end_timestamp().unwrap());
                return (st, a.as_secs_f64(), b.as_secs_f64());
            }
            tokio::time::sleep(self.real(5.0)).await;
        }
    }
}
