//! Machine-readable report (`--format json`).

use std::io::{self, Write};

use serde_json::json;

use super::Reporter;
use crate::validate::finding::{Report, Severity};

pub struct Json;

impl Reporter for Json {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let findings: Vec<_> = report
            .findings
            .iter()
            .map(|f| {
                json!({
                    "rule": f.rule.id,
                    "name": f.rule.name,
                    "severity": f.severity,
                    "message": f.message,
                    "file": f.location.file,
                    "line": f.location.line,
                    "column": f.location.column,
                    "pointer": f.location.pointer,
                })
            })
            .collect();
        let value = json!({
            "files": report.sources.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            "summary": {
                "errors": report.count(Severity::Error),
                "warnings": report.count(Severity::Warning),
                "info": report.count(Severity::Info),
                "not_checked": report.not_checked.len(),
            },
            "findings": findings,
            "not_checked": report.not_checked,
            "unreadable": report.unreadable,
        });
        serde_json::to_writer_pretty(&mut *out, &value)?;
        writeln!(out)
    }
}
