//! Helpers shared by the integration tests: an in-process CLI runner and
//! snapshots of directories.
#![allow(dead_code)]

pub mod matrix;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Parser;
use sessionlog::cli::{run, Cli};

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run `sessionlog ARGS…` in-process.
pub fn sessionlog(args: &[&str]) -> Output {
    let mut argv = vec!["sessionlog"];
    argv.extend_from_slice(args);
    let cli = match Cli::try_parse_from(argv) {
        Ok(c) => c,
        Err(e) => return Output { code: 2, stdout: String::new(), stderr: e.to_string() },
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(cli, &mut out, &mut err);
    Output { code, stdout: String::from_utf8(out).unwrap(), stderr: String::from_utf8(err).unwrap() }
}

/// Every file under `root` with its bytes and modification time.
pub fn snapshot_dir(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, root, out);
            } else {
                let meta = std::fs::metadata(&p).unwrap();
                out.insert(p.strip_prefix(root).unwrap().to_path_buf(), (std::fs::read(&p).unwrap(), meta.modified().unwrap()));
            }
        }
    }
    walk(root, root, &mut out);
    out
}

pub fn example() -> &'static str {
    sessionlog::config::load::EXAMPLE
}

/// The example with each `(from, to)` replaced exactly once (panics when a
/// `from` is missing, so a drifting example cannot silently void a test).
pub fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = example().to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "the example no longer contains {from:?}");
        text = text.replacen(from, to, 1);
    }
    text
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The pinned test Python (`.venv`, from `make setup`), else `python3`.
#[allow(dead_code)]
pub fn python() -> PathBuf {
    let venv = repo_root().join(".venv/bin/python");
    if venv.exists() {
        venv
    } else {
        "python3".into()
    }
}
