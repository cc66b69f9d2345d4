//! `sessionlog completions <shell>` and `sessionlog man`: every shell's
//! script is generated and knows every subcommand; the bash, zsh and fish
//! scripts are parsed by their shells (installed by `make setup`), and bash
//! and fish really complete with them; the manual page renders with groff
//! without warnings. Each check is shown to fail on a broken script or page.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::sessionlog;

const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "powershell", "elvish"];

/// Every subcommand, from the clap definition itself.
fn subcommands() -> Vec<String> {
    use clap::CommandFactory;
    let cmd = sessionlog::cli::Cli::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for expected in [
        "init",
        "render",
        "validate",
        "deploy",
        "export",
        "completions",
        "man",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "no `{expected}` subcommand: {names:?}"
        );
    }
    names
}

fn script(shell: &str) -> String {
    let out = sessionlog(&["completions", shell]);
    assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
    out.stdout
}

fn tool(name: &str) -> &str {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .unwrap();
    assert!(
        found.status.success(),
        "{name} not found: run `make setup` (installs zsh and fish from Debian)"
    );
    name
}

/// Run `program args…` with `stdin`; (success, stdout + stderr).
fn run(program: &str, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(tool(program))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn syntax_ok(shell: &str, text: &str, dir: &Path) -> Result<(), String> {
    let path = dir.join(format!("sessionlog.{shell}"));
    std::fs::write(&path, text).unwrap();
    let p = path.to_str().unwrap();
    let (ok, out) = match shell {
        "bash" => run("bash", &["-n", p], ""),
        "zsh" => run("zsh", &["-n", p], ""),
        "fish" => run("fish", &["--no-execute", p], ""),
        _ => unreachable!(),
    };
    if ok {
        Ok(())
    } else {
        Err(out)
    }
}

#[test]
fn every_shell_gets_a_script_that_knows_every_subcommand() {
    let subs = subcommands();
    for shell in SHELLS {
        let text = script(shell);
        assert!(text.len() > 1000, "{shell}: {text}");
        for sub in &subs {
            assert!(text.contains(sub.as_str()), "{shell}: `{sub}` missing");
        }
        for flag in ["out-dir", "check", "config", "ou-name"] {
            // fish declares long options as `-l name`, the others as `--name`.
            let spelled = if shell == "fish" { format!("-l {flag}") } else { format!("--{flag}") };
            assert!(text.contains(&spelled), "{shell}: `{spelled}` missing");
        }
    }
}

#[test]
fn unknown_shell_is_refused() {
    let out = sessionlog(&["completions", "tcsh"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("bash") && out.stderr.contains("elvish"),
        "{}",
        out.stderr
    );
}

#[test]
fn bash_zsh_and_fish_parse_their_scripts_and_reject_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let text = script(shell);
        syntax_ok(shell, &text, dir.path())
            .unwrap_or_else(|e| panic!("{shell} rejects its script:\n{e}"));
        // The check can fail: the script's first half (up to a line end)
        // followed by an unterminated quoted word, which every shell rejects.
        let half = text[..text.len() / 2].rfind('\n').unwrap();
        let broken = &format!("{}\necho \"unterminated\n", &text[..half]);
        assert!(
            syntax_ok(shell, broken, dir.path()).is_err(),
            "{shell} accepted a truncated script"
        );
    }
}

/// Bash: load the script, ask for completions as readline would.
fn bash_complete(words: &[&str]) -> Vec<String> {
    let text = script("bash");
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "{text}\nCOMP_WORDS=({words})\nCOMP_CWORD={cword}\nCOMP_LINE='{line}'\nCOMP_POINT=${{#COMP_LINE}}\n\
         _sessionlog sessionlog '{cur}' '{prev}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        words = quoted.join(" "),
        cword = words.len() - 1,
        line = words.join(" "),
        cur = words[words.len() - 1],
        prev = words[words.len().saturating_sub(2)],
    );
    let (ok, out) = run("bash", &["--norc", "--noprofile", "-s"], &program);
    assert!(ok, "{out}");
    out.lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn bash_completes_subcommands_shells_and_flags() {
    assert_eq!(bash_complete(&["sessionlog", "ren"]), ["render"]);
    assert!(bash_complete(&["sessionlog", "ex"]).contains(&"export".to_string()));
    assert_eq!(bash_complete(&["sessionlog", "export", "c"]), ["cfct"]);
    let shells = bash_complete(&["sessionlog", "completions", ""]);
    for shell in SHELLS {
        assert!(shells.contains(&shell.to_string()), "{shells:?}");
    }
    assert!(bash_complete(&["sessionlog", "render", "--ch"]).contains(&"--check".to_string()));
}

#[test]
fn fish_completes_subcommands() {
    let text = script("fish");
    let (ok, out) = run(
        "fish",
        &[
            "--no-config",
            "-c",
            "source; complete -C'sessionlog ren'; complete -C'sessionlog export '",
        ],
        &text,
    );
    assert!(ok, "{out}");
    assert!(out.lines().any(|l| l.starts_with("render")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("cfct")), "{out}");
}

#[test]
fn man_page_renders_without_warnings() {
    let out = sessionlog(&["man"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let page = out.stdout;
    assert!(
        page.starts_with(".ie") || page.contains(".TH sessionlog 1"),
        "{}",
        &page[..200.min(page.len())]
    );
    for sub in subcommands() {
        assert!(page.contains(&sub), "`{sub}` missing from the page");
    }
    let (ok, text) = run("groff", &["-man", "-Tutf8", "-ww", "-P-cbou"], &page);
    assert!(ok, "{text}");
    assert!(!text.contains("warning"), "{text}");
    assert!(
        text.contains("SUBCOMMANDS") && text.contains("render"),
        "{text}"
    );

    // The warning check can fail: a page with an unknown request.
    let (_, broken) = run(
        "groff",
        &["-man", "-Tutf8", "-ww", "-z"],
        &format!("{page}\n.badrequest x\n"),
    );
    assert!(broken.contains("warning"), "groff did not warn: {broken}");
}

#[test]
fn man_pages_for_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = sessionlog(&["man", "--out-dir", dir.path().to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for page in [
        "sessionlog.1",
        "sessionlog-render.1",
        "sessionlog-export.1",
        "sessionlog-export-cfct.1",
        "sessionlog-completions.1",
    ] {
        let text = std::fs::read_to_string(dir.path().join(page))
            .unwrap_or_else(|_| panic!("{page} missing: {}", out.stdout));
        let name = page.trim_end_matches(".1");
        assert!(
            text.contains(&format!(".TH {name} 1")),
            "{page}: {}",
            &text[..300.min(text.len())]
        );
    }
    let cfct = std::fs::read_to_string(dir.path().join("sessionlog-export-cfct.1")).unwrap();
    assert!(cfct.contains("ou\\-name"), "{cfct}");
    assert!(!dir.path().join("sessionlog-help.1").exists());
}
