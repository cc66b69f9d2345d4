//! What the validator reports.

use serde::Serialize;

use super::rules::Rule;
use crate::syntax::tree::{Pos, Ptr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Where a finding points: file, 1-based line and column, JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub pointer: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
}

/// A resource whose properties are not checked (a type without a vendored
/// schema, a resource a transform expands, a module, a loop whose
/// collection is only known at deployment): listed, not failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotChecked {
    pub logical_id: String,
    pub type_name: String,
    /// Why it is not checked.
    pub reason: String,
    pub location: Location,
}

/// A source as given to the validator, kept for snippets in reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceText {
    pub name: String,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub sources: Vec<SourceText>,
    pub findings: Vec<Finding>,
    pub not_checked: Vec<NotChecked>,
    /// Files that could not be read (each also has an SL100 finding).
    pub unreadable: Vec<String>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Adds another report's sources and findings to this one.
    pub fn merge(&mut self, other: Report) {
        self.sources.extend(other.sources);
        self.findings.extend(other.findings);
        self.not_checked.extend(other.not_checked);
        self.unreadable.extend(other.unreadable);
    }

    /// The report of a file that could not be read.
    pub fn unreadable(file: &str, error: &std::io::Error) -> Report {
        let mut sink = Sink::new(file);
        sink.emit(
            &super::rules::PARSE,
            Pos::default(),
            &Ptr::root(),
            format!("cannot read the file: {error}"),
        );
        Report {
            findings: sink.findings,
            unreadable: vec![file.to_string()],
            ..Report::default()
        }
    }

    pub fn source(&self, name: &str) -> Option<&SourceText> {
        self.sources.iter().find(|s| s.name == name)
    }
}

/// Collects the findings of one source while the checks run.
#[derive(Debug)]
pub struct Sink {
    file: String,
    pub findings: Vec<Finding>,
    pub not_checked: Vec<NotChecked>,
}

impl Sink {
    pub fn new(file: &str) -> Self {
        Sink {
            file: file.to_string(),
            findings: Vec::new(),
            not_checked: Vec::new(),
        }
    }

    pub fn location(&self, pos: Pos, ptr: &Ptr) -> Location {
        Location {
            file: self.file.clone(),
            line: pos.line,
            column: pos.col,
            pointer: ptr.to_string(),
        }
    }

    /// Lists a resource as not checked, with an SL208 note.
    pub fn not_checked(
        &mut self,
        logical_id: &str,
        type_name: &str,
        pos: Pos,
        ptr: &Ptr,
        reason: String,
    ) {
        let location = self.location(pos, ptr);
        self.not_checked.push(NotChecked {
            logical_id: logical_id.to_string(),
            type_name: type_name.to_string(),
            reason: reason.clone(),
            location,
        });
        self.emit(
            &super::rules::NOT_CHECKED,
            pos,
            ptr,
            format!("`{logical_id}` ({type_name}) is not checked: {reason}"),
        );
    }

    pub fn emit(&mut self, rule: &'static Rule, pos: Pos, ptr: &Ptr, message: impl Into<String>) {
        self.emit_as(rule, rule.severity, pos, ptr, message);
    }

    /// A finding of `rule` with another severity than its default (a rule
    /// whose findings grade, like a runtime only deprecated vs blocked).
    pub fn emit_as(
        &mut self,
        rule: &'static Rule,
        severity: Severity,
        pos: Pos,
        ptr: &Ptr,
        message: impl Into<String>,
    ) {
        let location = self.location(pos, ptr);
        self.findings.push(Finding {
            rule,
            severity,
            message: message.into(),
            location,
        });
    }
}
