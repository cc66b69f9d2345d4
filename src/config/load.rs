//! Read a configuration: syntax, schema, types, cross-field rules, each
//! problem reported with its key path and line.

use std::fmt;
use std::path::{Path, PathBuf};

use super::check;
use super::diagnostic::{Diagnostic, Rendered};
use super::locate::SourceMap;
use super::model::Config;
use super::schema;

/// The example organization, rendered when there is no configuration file.
/// Also the starter file `init` writes.
pub const EXAMPLE: &str = include_str!("example.sessionlog.yaml");
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
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Source { name: path.display().to_string(), text }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(LoadError::NotFound(path.to_path_buf())),
            Err(e) => Err(LoadError::Io(path.to_path_buf(), e)),
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

/// Parse and check a configuration.
pub fn load(source: &Source) -> Result<Config, LoadError> {
    let invalid = |diagnostics: Vec<Diagnostic>| LoadError::Invalid { source: source.clone(), diagnostics };
    let map = match SourceMap::parse(&source.text) {
        Ok(m) => m,
        Err(e) => {
            let mut d = Diagnostic::new("", format!("YAML syntax error: {}", e.message));
            d.position = Some(e.position);
            return Err(invalid(vec![d]));
        }
    };
    let locate = |mut ds: Vec<Diagnostic>| {
        for d in &mut ds {
            if d.position.is_none() {
                d.position = if d.message.starts_with("unknown key") { map.key(&d.pointer) } else { map.value(&d.pointer) };
            }
        }
        ds.sort_by_key(|d| d.position.map(|p| (p.line, p.column)));
        ds
    };
    let value: serde_json::Value = match serde_yaml::from_str(&source.text) {
        Ok(serde_json::Value::Null) => {
            return Err(invalid(locate(vec![Diagnostic::new("", "the configuration is empty")
                .help("`sessionlog init` writes a starter file")])))
        }
        Ok(v) => v,
        Err(e) => {
            let mut d = Diagnostic::new("", format!("cannot read the YAML: {e}"));
            if let Some(l) = e.location() {
                d.position = Some(super::locate::Position { line: l.line(), column: l.column() });
            }
            return Err(invalid(vec![d]));
        }
    };
    let problems = schema::check(&value);
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

/// What a valid configuration still deserves a word about (unlogged session
/// documents an operator profile allows, …), located in its source.
pub fn warnings(source: &Source, config: &Config) -> Vec<Diagnostic> {
    let mut ds = super::operators_check::warnings(config);
    if let Ok(map) = SourceMap::parse(&source.text) {
        for d in &mut ds {
            d.position = map.value(&d.pointer);
        }
    }
    ds
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
