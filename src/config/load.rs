//! Read a configuration: syntax, schema, types, cross-field rules, each
//! problem reported with its key path and line.

use std::fmt;
use std::path::{Path, PathBuf};

use super::check;
use super::diagnostic::{Diagnostic, Rendered};
use super::locate::{Position, SourceMap};
use crate::syntax::{parse_yaml_with, IssueKind, ParseIssue, ReadOptions};
use super::model::Config;
use super::schema;

/// The example organization, rendered when there is no configuration file.
/// Also the starter file `init` writes.
pub const EXAMPLE: &str = include_str!("example.sessionlog.yaml");

/// The example with each `(from, to)` replaced once, loaded (unit tests of
/// the stages after the configuration; panics when a `from` is missing, so
/// a drifting example cannot silently void a test).
#[cfg(test)]
pub fn edited_example(edits: &[(&str, &str)]) -> super::model::Config {
    let mut text = EXAMPLE.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "the example no longer contains {from:?}");
        text = text.replacen(from, to, 1);
    }
    load(&Source { name: "<edited example>".into(), text }).unwrap()
}
pub const DEFAULT_FILE: &str = "sessionlog.yaml";

/// Configuration text and where it came from.
#[derive(Debug, Clone)]
pub struct Source {
    /// Shown in messages: a path, or `<embedded example>`.
    pub name: String,
    pub text: String,
}

impl Source {
    pub fn example() -> Self {
        Source { name: "<embedded example>".into(), text: EXAMPLE.into() }
    }

    /// `--config PATH` when given; else `./sessionlog.yaml` when it exists;
    /// else the embedded example.
    pub fn locate(explicit: Option<&Path>) -> Result<Source, LoadError> {
        match explicit {
            Some(p) => Self::read(p),
            None if Path::new(DEFAULT_FILE).exists() => Self::read(Path::new(DEFAULT_FILE)),
            None => Ok(Self::example()),
        }
    }

    pub fn read(path: &Path) -> Result<Source, LoadError> {
        match std::fs::read(path) {
            Ok(bytes) => Self::from_bytes(path.display().to_string(), bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(LoadError::NotFound(path.to_path_buf())),
            Err(e) => Err(LoadError::Io(path.to_path_buf(), e)),
        }
    }
}

impl Source {
    /// The text of a file's bytes; bytes that are not UTF-8 make the
    /// configuration invalid, located at the first bad byte.
    pub fn from_bytes(name: String, bytes: Vec<u8>) -> Result<Source, LoadError> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Source { name, text }),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let before = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                let position = Position { line: before.matches('\n').count() + 1, column: before[line_start..].chars().count() + 1 };
                let mut d = Diagnostic::new("", format!("the file is not UTF-8: byte 0x{:02X} at byte offset {offset} is not valid UTF-8", bytes[offset]))
                    .help("save the configuration as UTF-8 text (YAML files are UTF-8)");
                d.position = Some(position);
                let text = String::from_utf8_lossy(&bytes).into_owned();
                Err(LoadError::Invalid { source: Source { name, text }, diagnostics: vec![d] })
            }
        }
    }
}

/// Why a configuration could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file given does not exist (a usage error).
    NotFound(PathBuf),
    /// The file could not be read (a runtime error).
    Io(PathBuf, std::io::Error),
    /// The file is not valid: every problem found, in file order.
    Invalid { source: Source, diagnostics: Vec<Diagnostic> },
}

impl LoadError {
    pub fn exit_code(&self) -> i32 {
        match self {
            LoadError::Io(..) => crate::exit::RUNTIME,
            LoadError::NotFound(_) | LoadError::Invalid { .. } => crate::exit::INVALID_INPUT,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotFound(p) => write!(f, "error: configuration file `{}` not found\n   = help: `sessionlog init` writes a starter file\n", p.display()),
            LoadError::Io(p, e) => write!(f, "error: cannot read `{}`\nCaused by:\n    {e}\n", p.display()),
            LoadError::Invalid { source, diagnostics } => {
                for d in diagnostics {
                    write!(f, "{}", Rendered { diagnostic: d, file: &source.name, text: &source.text })?;
                }
                let n = diagnostics.len();
                writeln!(f, "error: {} is not valid ({n} problem{}); nothing was written", source.name, if n == 1 { "" } else { "s" })
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// Parse and check a configuration. YAML merge keys (`<<: *defaults`) are
/// read; a key written twice in one mapping, and YAML tags, are errors.
pub fn load(source: &Source) -> Result<Config, LoadError> {
    let invalid = |diagnostics: Vec<Diagnostic>| LoadError::Invalid { source: source.clone(), diagnostics };
    let parsed = match parse_yaml_with(&source.text, &ReadOptions::CONFIG) {
        Ok(p) => p,
        Err(e) => {
            let mut d = Diagnostic::new("", format!("YAML syntax error: {}", e.message));
            d.position = Some(e.pos.into());
            return Err(invalid(vec![d]));
        }
    };
    let map = SourceMap::from_node(parsed.root.as_ref());
    let locate = |mut ds: Vec<Diagnostic>| {
        for d in &mut ds {
            if d.position.is_none() {
                d.position = if d.message.starts_with("unknown key") { map.key(&d.pointer) } else { map.value(&d.pointer) };
            }
        }
        ds.sort_by_key(|d| d.position.map(|p| (p.line, p.column)));
        ds
    };
    let mut problems: Vec<Diagnostic> = parsed.issues.iter().map(syntax_problem).collect();
    let value = match parsed.root.as_ref().map(|root| root.to_json()) {
        None | Some(serde_json::Value::Null) => {
            problems.push(Diagnostic::new("", "the configuration is empty").help("`sessionlog init` writes a starter file"));
            return Err(invalid(locate(problems)));
        }
        Some(v) => v,
    };
    problems.extend(schema::check(&value));
    if !problems.is_empty() {
        return Err(invalid(locate(problems)));
    }
    let config: Config = match serde_path_to_error::deserialize(&value) {
        Ok(c) => c,
        Err(e) => {
            let pointer = path_to_pointer(&e.path().to_string());
            return Err(invalid(locate(vec![Diagnostic::new(pointer, e.inner().to_string())])));
        }
    };
    let problems = check::check(&config);
    if !problems.is_empty() {
        return Err(invalid(locate(problems)));
    }
    Ok(config)
}

/// A duplicate key or a YAML tag, as a configuration problem.
fn syntax_problem(issue: &ParseIssue) -> Diagnostic {
    let mut d = match (issue.kind, issue.first) {
        (IssueKind::DuplicateKey, Some(first)) => {
            let key = issue.pointer.rsplit('/').next().unwrap_or_default().replace("~1", "/").replace("~0", "~");
            Diagnostic::new(issue.pointer.clone(), format!("`{key}` is written twice in this mapping: lines {} and {}", first.line, issue.pos.line))
                .help("keep one; YAML readers silently use only one of them")
        }
        _ => Diagnostic::new(issue.pointer.clone(), issue.message.clone()).help("configuration values take no YAML tags"),
    };
    d.position = Some(issue.pos.into());
    d
}

/// What a valid configuration still deserves a word about (unlogged session
/// documents an operator profile allows, …), located in its source.
pub fn warnings(source: &Source, config: &Config) -> Vec<Diagnostic> {
    let mut ds = super::operators_check::warnings(config);
    ds.extend(super::check_guardrails::warnings(config));
    locate_in(source, &mut ds);
    ds
}

/// Problems of a loaded configuration that only the stages after it can
/// tell (a generated policy over IAM's size limit), located in its source
/// like every other configuration error.
pub fn invalid(source: &Source, mut diagnostics: Vec<Diagnostic>) -> LoadError {
    locate_in(source, &mut diagnostics);
    LoadError::Invalid { source: source.clone(), diagnostics }
}

fn locate_in(source: &Source, ds: &mut [Diagnostic]) {
    if let Ok(map) = SourceMap::parse(&source.text) {
        for d in ds.iter_mut().filter(|d| d.position.is_none()) {
            d.position = map.value(&d.pointer);
        }
    }
    ds.sort_by_key(|d| d.position.map(|p| (p.line, p.column)));
}

/// `a.b[1].c` → `/a/b/1/c`.
fn path_to_pointer(path: &str) -> String {
    if path == "." {
        return String::new();
    }
    let mut out = String::new();
    for part in path.split('.') {
        let (name, rest) = part.split_once('[').unwrap_or((part, ""));
        out.push('/');
        out.push_str(name);
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            out.push('/');
            out.push_str(idx.trim_end_matches(']'));
        }
    }
    out
}
