//! The hooks of `.pre-commit-hooks.yaml`, run by the pinned pre-commit
//! framework (installed into .venv by `make setup`) in a scratch git
//! repository whose `.pre-commit-config.yaml` references this repository by
//! path at its HEAD commit — as another repository would reference it by URL.
//!
//! The `-system` hooks run the sessionlog this test suite built (put on
//! PATH). The `language: script` hooks build sessionlog inside pre-commit's
//! clone; that takes minutes, so their test is opt-in (`make test-hooks`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::repo_root;

fn pre_commit() -> PathBuf {
    let candidates = [
        std::env::var("SESSIONLOG_PRE_COMMIT")
            .ok()
            .map(PathBuf::from),
        Some(repo_root().join(".venv/bin/pre-commit")),
    ];
    for c in candidates.into_iter().flatten() {
        if c.exists() {
            return c;
        }
    }
    panic!("pre-commit not found: run `make setup` (installs the pinned pre-commit into .venv)");
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .envs(git_identity())
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn git_identity() -> Vec<(&'static str, &'static str)> {
    vec![
        ("GIT_AUTHOR_NAME", "test"),
        ("GIT_AUTHOR_EMAIL", "test@example.com"),
        ("GIT_COMMITTER_NAME", "test"),
        ("GIT_COMMITTER_EMAIL", "test@example.com"),
        ("GIT_CONFIG_NOSYSTEM", "1"),
    ]
}

/// The commit pre-commit will clone; the hook definitions must be committed
/// there as they are in the working tree (pre-commit reads a commit, not
/// the working tree).
fn hook_revision() -> String {
    let root = repo_root();
    let rev = git(&root, &["rev-parse", "HEAD"]);
    for file in [".pre-commit-hooks.yaml", "scripts/pre-commit-hook.sh"] {
        let committed = git(&root, &["show", &format!("HEAD:{file}")]);
        let working = std::fs::read_to_string(root.join(file)).unwrap();
        assert_eq!(
            committed,
            working.trim(),
            "{file} differs from HEAD: commit it first (pre-commit clones HEAD)"
        );
    }
    rev
}

struct Scratch {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    home: PathBuf,
    path_env: String,
}

/// A git repository with the rendered example committed, and the hooks configured.
fn scratch(hooks: &[&str], extra_env_path: Option<&Path>) -> Scratch {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("infra");
    let home = dir.path().join("pre-commit-home");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "--quiet", "--initial-branch=main"]);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_sessionlog"));
    let run = |args: &[&str]| {
        let out = Command::new(&bin)
            .current_dir(&repo)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "sessionlog {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["init"]);
    run(&["render"]);
    let mut config = format!(
        "repos:\n- repo: {}\n  rev: {}\n  hooks:\n",
        repo_root().display(),
        hook_revision()
    );
    for h in hooks {
        config.push_str(&format!("  - id: {h}\n"));
    }
    std::fs::write(repo.join(".pre-commit-config.yaml"), config).unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "--quiet", "-m", "rendered"]);
    let mut path_env = std::env::var("PATH").unwrap_or_default();
    if let Some(p) = extra_env_path {
        path_env = format!("{}:{path_env}", p.display());
    }
    Scratch {
        _dir: dir,
        repo,
        home,
        path_env,
    }
}

impl Scratch {
    fn command(&self, program: &Path, args: &[&str]) -> Output {
        Command::new(program)
            .current_dir(&self.repo)
            .args(args)
            .env("PRE_COMMIT_HOME", &self.home)
            .env("PATH", &self.path_env)
            .env("PRE_COMMIT_COLOR", "never")
            .env_remove("SESSIONLOG_CFN_LINT")
            .envs(git_identity())
            .output()
            .unwrap()
    }
    fn pre_commit(&self, args: &[&str]) -> (i32, String) {
        let out = self.command(&pre_commit(), args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap_or(-1), text)
    }
    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.repo.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} does not contain {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        git(&self.repo, &["add", file]);
    }
    fn restore(&self) {
        git(&self.repo, &["reset", "--quiet", "--hard", "HEAD"]);
    }
}

/// `Name....Passed` / `Name....Failed` lines of pre-commit's report.
fn status<'a>(output: &'a str, hook_name: &str) -> &'a str {
    let line = output
        .lines()
        .find(|l| l.starts_with(hook_name) && l.contains("..."))
        .unwrap_or_else(|| panic!("no report line for {hook_name}:\n{output}"));
    line.rsplit('.').next().unwrap().trim()
}

fn check_hooks(s: &Scratch) {
    // Clean: both pass.
    let (code, out) = s.pre_commit(&["run", "--all-files"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(status(&out, "sessionlog render --check"), "Passed", "{out}");
    assert_eq!(status(&out, "sessionlog validate"), "Passed", "{out}");

    // Stale: the configuration changed, templates not re-rendered.
    s.edit(
        "sessionlog.yaml",
        "retention_days: 365",
        "retention_days: 400",
    );
    let (code, out) = s.pre_commit(&["run", "--all-files"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(status(&out, "sessionlog render --check"), "Failed", "{out}");
    assert!(
        out.contains("run `sessionlog render` and commit the result"),
        "{out}"
    );
    assert!(
        out.contains("+        RetentionInDays: 400") || out.contains("RetentionInDays: 400"),
        "{out}"
    );
    s.restore();

    // Invalid: a template edited by hand into something CloudFormation rejects.
    s.edit(
        "templates/member-regional.yaml",
        "RetentionInDays: 365",
        "RetentionInDays: 366",
    );
    let (code, out) = s.pre_commit(&["run", "--all-files"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(status(&out, "sessionlog render --check"), "Failed", "{out}");
    assert_eq!(status(&out, "sessionlog validate"), "Failed", "{out}");
    assert!(out.contains("templates/member-regional.yaml"), "{out}");
    assert!(out.contains("SL203") && out.contains("366"), "{out}");
    s.restore();

    // As a git hook: the commit of a broken template is refused.
    let (code, out) = s.pre_commit(&["install"]);
    assert_eq!(code, 0, "{out}");
    s.edit(
        "templates/member-regional.yaml",
        "RetentionInDays: 365",
        "RetentionInDays: 366",
    );
    let head = git(&s.repo, &["rev-parse", "HEAD"]);
    let commit = s.command(Path::new("git"), &["commit", "-m", "hand edit"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&commit.stdout),
        String::from_utf8_lossy(&commit.stderr)
    );
    assert!(!commit.status.success(), "the commit went through:\n{text}");
    assert_eq!(status(&text, "sessionlog validate"), "Failed", "{text}");
    assert_eq!(git(&s.repo, &["rev-parse", "HEAD"]), head);
    s.restore();

    // …and a configuration change committed with what it renders goes through.
    s.edit(
        "sessionlog.yaml",
        "retention_days: 365",
        "retention_days: 400",
    );
    let render = Command::new(env!("CARGO_BIN_EXE_sessionlog"))
        .current_dir(&s.repo)
        .arg("render")
        .output()
        .unwrap();
    assert!(
        render.status.success(),
        "{}",
        String::from_utf8_lossy(&render.stderr)
    );
    git(&s.repo, &["add", "-A"]);
    let commit = s.command(Path::new("git"), &["commit", "-m", "retention 400 days"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&commit.stdout),
        String::from_utf8_lossy(&commit.stderr)
    );
    assert!(commit.status.success(), "{text}");
    assert_eq!(
        status(&text, "sessionlog render --check"),
        "Passed",
        "{text}"
    );
    assert_eq!(status(&text, "sessionlog validate"), "Passed", "{text}");
    assert_ne!(git(&s.repo, &["rev-parse", "HEAD"]), head);
}

#[test]
fn system_hooks_pass_on_clean_files_and_fail_on_stale_or_invalid_templates() {
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_sessionlog"))
        .parent()
        .unwrap()
        .to_path_buf();
    let s = scratch(
        &[
            "sessionlog-render-check-system",
            "sessionlog-validate-system",
        ],
        Some(&bin_dir),
    );
    check_hooks(&s);
}

#[test]
fn system_hooks_say_when_sessionlog_is_not_installed() {
    let s = scratch(&["sessionlog-validate-system"], None);
    let s = Scratch {
        path_env: "/usr/bin:/bin".into(),
        ..s
    };
    let (code, out) = s.pre_commit(&["run", "--all-files"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Executable `sessionlog` not found"), "{out}");
}

/// The self-building hooks: pre-commit clones this repository and the hook
/// script builds sessionlog there with `cargo build --locked`. Opt-in: the
/// first run compiles every dependency. `make test-hooks` runs it with the
/// dev profile and a target directory kept between runs.
#[test]
#[ignore = "builds sessionlog inside pre-commit's clone (minutes on a cold target dir); run with `make test-hooks`"]
fn script_hooks_build_sessionlog_and_pass_or_fail_like_the_system_hooks() {
    let s = scratch(&["sessionlog-render-check", "sessionlog-validate"], None);
    check_hooks(&s);
}
