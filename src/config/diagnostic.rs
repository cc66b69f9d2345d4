//! One problem in a configuration file: where it is, what is wrong, what is
//! allowed.

use std::fmt;

use super::locate::Position;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// JSON pointer of the offending value, e.g. `/log_archive/account`.
    pub pointer: String,
    /// Line and column in the file, when the value is in it.
    pub position: Option<Position>,
    /// What is wrong.
    pub message: String,
    /// What is allowed, or how to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { pointer: pointer.into(), position: None, message: message.into(), help: None }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The key path in dotted form: `log_archive.bucket.name`, `regions[1]`.
    pub fn key_path(&self) -> String {
        key_path(&self.pointer)
    }
}

/// `/a/b/0/c` → `a.b[0].c`.
pub fn key_path(pointer: &str) -> String {
    let mut out = String::new();
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{token}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    if out.is_empty() {
        "(top level)".to_string()
    } else {
        out
    }
}

/// A diagnostic printed against its file, like a compiler:
///
/// ```text
/// error: log_archive.account: "2222" is not valid
///   --> sessionlog.yaml:7:12
///    |
///  7 |   account: "2222"
///    |            ^
///    = help: a 12-digit AWS account id in quotes, like "123456789012"
/// ```
pub struct Rendered<'a> {
    pub diagnostic: &'a Diagnostic,
    pub file: &'a str,
    pub text: &'a str,
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, "error")
    }
}

/// A warning about a valid configuration, printed like a [`Rendered`] error.
pub struct RenderedWarning<'a>(pub Rendered<'a>);

impl fmt::Display for RenderedWarning<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write(f, "warning")
    }
}

impl Rendered<'_> {
    fn write(&self, f: &mut fmt::Formatter<'_>, label: &str) -> fmt::Result {
        let d = self.diagnostic;
        writeln!(f, "{label}: {}: {}", d.key_path(), d.message)?;
        match d.position {
            Some(p) => {
                writeln!(f, "  --> {}:{}:{}", self.file, p.line, p.column)?;
                if let Some(line) = self.text.lines().nth(p.line.saturating_sub(1)) {
                    let gutter = p.line.to_string().len();
                    writeln!(f, "{:gutter$} |", "")?;
                    writeln!(f, "{} | {}", p.line, line)?;
                    writeln!(f, "{:gutter$} | {:>col$}", "", "^", col = p.column)?;
                }
            }
            None => writeln!(f, "  --> {}", self.file)?,
        }
        if let Some(h) = &d.help {
            writeln!(f, "   = help: {h}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_paths() {
        assert_eq!(key_path("/log_archive/bucket/name"), "log_archive.bucket.name");
        assert_eq!(key_path("/regions/1"), "regions[1]");
        assert_eq!(key_path("/tags/a~1b"), "tags.a/b");
        assert_eq!(key_path(""), "(top level)");
    }
}
