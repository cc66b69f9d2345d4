//! Compiler-style text: the finding, its location, the source line and a
//! caret under the offending value.

use std::io::{self, Write};

use super::Reporter;
use crate::validate::finding::{Finding, Report, Severity};
use crate::validate::source_map::SourceMap;

pub struct Human;

impl Reporter for Human {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        for finding in &report.findings {
            write_finding(report, finding, out)?;
        }
        let (errors, warnings) = (
            report.count(Severity::Error),
            report.count(Severity::Warning),
        );
        let files = report.sources.len();
        let mut summary = format!(
            "{} file{} checked: {errors} error{}, {warnings} warning{}",
            files,
            plural(files),
            plural(errors),
            plural(warnings)
        );
        if !report.not_checked.is_empty() {
            let n = report.not_checked.len();
            summary.push_str(&format!(
                ", {n} resource{} not checked (no schema)",
                plural(n)
            ));
        }
        writeln!(out, "{summary}")
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn write_finding(report: &Report, finding: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let loc = &finding.location;
    writeln!(
        out,
        "{}[{}]: {}",
        finding.severity.as_str(),
        finding.rule.id,
        finding.message
    )?;
    if loc.line == 0 {
        writeln!(out, "  --> {}", loc.file)?;
        return writeln!(out);
    }
    let pointer = if loc.pointer.is_empty() {
        String::new()
    } else {
        format!(" ({})", loc.pointer)
    };
    writeln!(
        out,
        "  --> {}:{}:{}{pointer}",
        loc.file, loc.line, loc.column
    )?;
    let line = report
        .source(&loc.file)
        .and_then(|s| SourceMap::new(&s.text).line(loc.line).map(str::to_string));
    if let Some(text) = line {
        let gutter = loc.line.to_string().len();
        let pad = " ".repeat(gutter);
        let caret_indent: String = text
            .chars()
            .take(loc.column.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        writeln!(out, "{pad} |")?;
        writeln!(out, "{} | {}", loc.line, text)?;
        writeln!(out, "{pad} | {caret_indent}^ {}", finding.rule.name)?;
    }
    writeln!(out)
}
