//! The independent evaluator: `@cloud-copilot/iam-simulate`, pinned in
//! `package.json`/`package-lock.json` beside this file and installed by
//! `scripts/test-setup.sh` (`npm ci`). One node process decides a whole batch.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde::Deserialize;

use super::scenarios::Batch;

#[derive(Debug, Clone, Deserialize)]
pub struct Answer {
    /// `Allowed`, `ExplicitlyDenied` or `ImplicitlyDenied`; `None` on error.
    pub decision: Option<String>,
    /// `<policy id>#<Sid>` of the statements that decided.
    pub decisive: Vec<String>,
    /// Context keys the evaluator refused as not applicable to the action.
    pub ignored: Vec<String>,
    /// Context keys evaluated without validation (see simulate.mjs).
    pub unvalidated: Vec<String>,
    pub error: Option<serde_json::Value>,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/access")
}

pub fn evaluate(batch: &Batch) -> Vec<Answer> {
    if batch.requests.is_empty() {
        return Vec::new();
    }
    let modules = dir().join("node_modules/@cloud-copilot/iam-simulate/package.json");
    assert!(
        modules.exists(),
        "the pinned IAM evaluator is not installed: run `make setup` (npm ci in tests/access)"
    );
    let node = std::env::var("SESSIONLOG_NODE").unwrap_or_else(|_| "node".into());
    let mut child = Command::new(&node)
        .arg("simulate.mjs")
        .current_dir(dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run `{node}` (Node.js, installed by `make setup`): {e}")
        });
    let input = serde_json::to_vec(&serde_json::json!({
        "policies": batch.policies,
        "requests": batch.requests,
    }))
    .expect("batch serializes");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("node runs");
    writer
        .join()
        .expect("writer thread")
        .expect("batch written to node");
    assert!(
        out.status.success(),
        "simulate.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Answer> =
        serde_json::from_slice(&out.stdout).expect("simulate.mjs answers JSON");
    assert_eq!(
        answers.len(),
        batch.requests.len(),
        "one answer per request"
    );
    answers
}
