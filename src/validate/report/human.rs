//! Compiler-style text: the finding, its location, the source line and a
//! caret under the offending value. Linear in the size of the report: each
//! source's line index is built once, and a long line (minified JSON) is
//! cut to a window around the caret.

use std::collections::HashMap;
use std::io::{self, Write};

use super::Reporter;
use crate::validate::finding::{Finding, Report, Severity};
use crate::validate::source_map::SourceMap;

pub struct Human;

/// Widest source excerpt printed, in characters.
pub const SNIPPET_CHARS: usize = 100;

impl Reporter for Human {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let maps: HashMap<&str, SourceMap> = report
            .sources
            .iter()
            .map(|s| (s.name.as_str(), SourceMap::new(&s.text)))
            .collect();
        for finding in &report.findings {
            write_finding(&maps, finding, out)?;
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
            summary.push_str(&format!(", {n} resource{} not checked", plural(n)));
        }
        if !report.unreadable.is_empty() {
            let n = report.unreadable.len();
            summary.push_str(&format!("; {n} file{} could not be read", plural(n)));
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

/// The part of `line` to show and the caret's column in it (0-based,
/// characters): the whole line when it is short, else a window of
/// [`SNIPPET_CHARS`] around `column` with `…` where it was cut.
pub fn excerpt(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    let column = column.min(chars.len());
    if chars.len() <= SNIPPET_CHARS {
        return (line.to_string(), column);
    }
    let start = column.saturating_sub(SNIPPET_CHARS / 3);
    let end = (start + SNIPPET_CHARS).min(chars.len());
    let start = end.saturating_sub(SNIPPET_CHARS).min(start);
    let mut text = String::new();
    let mut caret = column - start;
    if start > 0 {
        text.push('…');
        caret += 1;
    }
    text.extend(&chars[start..end]);
    if end < chars.len() {
        text.push('…');
    }
    (text, caret)
}

fn write_finding(
    maps: &HashMap<&str, SourceMap>,
    finding: &Finding,
    out: &mut dyn Write,
) -> io::Result<()> {
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
    if let Some(line) = maps.get(loc.file.as_str()).and_then(|m| m.line(loc.line)) {
        let (text, caret) = excerpt(line, loc.column.saturating_sub(1) as usize);
        let gutter = loc.line.to_string().len();
        let pad = " ".repeat(gutter);
        let caret_indent: String = text
            .chars()
            .take(caret)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        writeln!(out, "{pad} |")?;
        writeln!(out, "{} | {}", loc.line, text)?;
        writeln!(out, "{pad} | {caret_indent}^ {}", finding.rule.name)?;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_caret() {
        assert_eq!(excerpt("short", 2), ("short".to_string(), 2));
        let line = format!("{}X{}", "a".repeat(5000), "b".repeat(5000));
        let (text, caret) = excerpt(&line, 5000);
        assert!(text.chars().count() <= SNIPPET_CHARS + 2, "{}", text.len());
        assert_eq!(text.chars().nth(caret), Some('X'));
        assert!(text.starts_with('…') && text.ends_with('…'));
        let (text, caret) = excerpt(&line, 3);
        assert_eq!(text.chars().nth(caret), Some('a'));
        assert!(!text.starts_with('…'));
        let (text, caret) = excerpt(&line, 9_999);
        assert_eq!(text.chars().nth(caret), Some('b'));
        assert!(!text.ends_with('…'));
    }
}
