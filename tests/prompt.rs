//! The prompt lines of the Linux shell profile, run for real by `dash` (the
//! `sh` of Debian/Ubuntu) and `bash` (the `sh` of Amazon Linux) against a
//! stand-in for the instance metadata service on 127.0.0.1
//! (`tests/prompt/imds_stub.py`: IMDSv2 only, every GET without the session
//! token is a 401). The templates always read 169.254.169.254; only this
//! test points the same lines elsewhere.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use sessionlog::stacks::prompt::{snippet, IMDS};

struct Imds {
    child: Child,
    port: u16,
}

impl Imds {
    fn start(tags: &[&str]) -> Imds {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/prompt/imds_stub.py");
        let mut cmd = Command::new("python3");
        cmd.arg(script);
        for t in tags {
            cmd.args(["--tag", t]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs the IMDS stand-in");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("READY ")
            .expect("READY <port>")
            .parse()
            .unwrap();
        Imds { child, port }
    }
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Imds {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SHELLS: [&str; 2] = ["dash", "bash"];

/// Run the lines in `shell`, then print PS1 (and, for bash, PS1 as the
/// prompt shows it). Returns (PS1, displayed prompt, seconds taken).
fn run(shell: &str, lines: &str, cwd: &std::path::Path) -> (String, String, f64) {
    let show = if shell == "bash" {
        "printf '%s\\n%s' \"$PS1\" \"${PS1@P}\""
    } else {
        "printf '%s\\n' \"$PS1\""
    };
    let started = Instant::now();
    let out = Command::new(shell)
        .arg("-c")
        .arg(format!("{lines}\n{show}"))
        .current_dir(cwd)
        .output()
        .expect("shell runs");
    let took = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{shell}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let (ps1, shown) = text.split_once('\n').unwrap_or((&text, ""));
    (ps1.to_string(), shown.to_string(), took)
}

fn user() -> String {
    String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_string()
}

fn host() -> String {
    let h = String::from_utf8(Command::new("hostname").output().unwrap().stdout).unwrap();
    h.trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
        .collect()
}

#[test]
fn the_lines_are_valid_sh_and_bash() {
    for shell in SHELLS {
        let out = Command::new(shell)
            .arg("-n")
            .arg("-c")
            .arg(snippet("Hostname", IMDS))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{shell} -n: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_prompt_shows_the_tag_read_with_an_imdsv2_token() {
    let imds = Imds::start(&["Hostname=web-1.prod", "Name=ignored"]);
    let dir = tempfile::tempdir().unwrap();
    for shell in SHELLS {
        let (ps1, shown, _) = run(shell, &snippet("Hostname", &imds.url()), dir.path());
        assert_eq!(ps1, format!("[{}@web-1.prod $PWD]$ ", user()), "{shell}");
        if shell == "bash" {
            assert_eq!(
                shown,
                format!("[{}@web-1.prod {}]$ ", user(), dir.path().display())
            );
        }
    }
    // The stand-in really insists on IMDSv2: the same lines without the
    // token header do not get the tag (so the test above cannot pass with
    // an IMDSv1 request).
    let v1 =
        snippet("Hostname", &imds.url()).replace(" -H \"X-aws-ec2-metadata-token: $sl_t\"", "");
    assert_ne!(v1, snippet("Hostname", &imds.url()));
    let (ps1, _, _) = run("dash", &v1, dir.path());
    assert!(!ps1.contains("web-1"), "{ps1}");
}

#[test]
fn without_metadata_tags_the_prompt_shows_the_instance_id() {
    let imds = Imds::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    for shell in SHELLS {
        let (ps1, _, _) = run(shell, &snippet("Hostname", &imds.url()), dir.path());
        assert_eq!(
            ps1,
            format!("[{}@i-0123456789abcdef0 $PWD]$ ", user()),
            "{shell}"
        );
    }
}

#[test]
fn off_ec2_the_prompt_shows_the_host_name_without_waiting_long() {
    // A port nothing listens on: connection refused, as off EC2.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    for shell in SHELLS {
        let (ps1, _, took) = run(
            shell,
            &snippet("Hostname", &format!("http://127.0.0.1:{port}")),
            dir.path(),
        );
        assert_eq!(ps1, format!("[{}@{} $PWD]$ ", user(), host()), "{shell}");
        assert!(took < 5.0, "{shell} took {took:.1}s");
    }
}

#[test]
fn a_tag_cannot_run_commands_in_the_operators_shell() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("owned");
    let evil = format!(
        "x$(touch {})`touch {}`;touch {}",
        marker.display(),
        marker.display(),
        marker.display()
    );
    let imds = Imds::start(&[&format!("Hostname={evil}")]);
    for shell in SHELLS {
        let (ps1, shown, _) = run(shell, &snippet("Hostname", &imds.url()), dir.path());
        assert!(
            !ps1.contains("$(") && !ps1.contains('`') && !ps1.contains(';'),
            "{shell}: {ps1}"
        );
        assert!(ps1.contains("@xtouch"), "{shell}: {ps1}");
        if shell == "bash" {
            assert!(shown.contains("@xtouch"), "{shown}");
        }
    }
    assert!(!marker.exists(), "a tag value ran a command");
    // Overlong values are cut to 63 characters.
    let imds = Imds::start(&[&format!("Hostname={}", "a".repeat(300))]);
    let (ps1, _, _) = run("dash", &snippet("Hostname", &imds.url()), dir.path());
    assert!(ps1.contains(&format!("@{} ", "a".repeat(63))), "{ps1}");
}

#[test]
fn the_rendered_document_reads_the_real_metadata_service() {
    let t = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates/member-regional.yaml"),
    )
    .unwrap();
    assert!(t.contains("http://169.254.169.254/latest/meta-data/tags/instance/Hostname"));
    assert!(!t.contains("127.0.0.1"));
}
