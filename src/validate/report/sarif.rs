//! SARIF 2.1.0, for code-scanning upload.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::Reporter;
use crate::validate::finding::{Finding, Report, Severity};
use crate::validate::rules::ALL;

pub struct Sarif;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn result(finding: &Finding) -> Value {
    let loc = &finding.location;
    let mut physical = json!({ "artifactLocation": { "uri": loc.file } });
    if loc.line > 0 {
        physical["region"] = json!({ "startLine": loc.line, "startColumn": loc.column.max(1) });
    }
    let rule_index = ALL
        .iter()
        .position(|r| r.id == finding.rule.id)
        .unwrap_or(0);
    json!({
        "ruleId": finding.rule.id,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": { "text": finding.message },
        "locations": [{
            "physicalLocation": physical,
            "logicalLocations": [{ "fullyQualifiedName": loc.pointer, "kind": "member" }],
        }],
    })
}

impl Reporter for Sarif {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let rules: Vec<Value> = ALL
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "name": r.name,
                    "shortDescription": { "text": r.summary },
                    "defaultConfiguration": { "level": level(r.severity) },
                })
            })
            .collect();
        let value = json!({
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": {
                    "name": "sessionlog",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/sessionlog/sessionlog",
                    "rules": rules,
                }},
                "columnKind": "unicodeCodePoints",
                "artifacts": report.sources.iter().map(|s| json!({ "location": { "uri": s.name } })).collect::<Vec<_>>(),
                "results": report.findings.iter().map(result).collect::<Vec<_>>(),
            }],
        });
        serde_json::to_writer_pretty(&mut *out, &value)?;
        writeln!(out)
    }
}
