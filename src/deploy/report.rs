//! How a command shows what happens: progress bars on a terminal, plain
//! lines otherwise, one JSON object per line with `--output json`; and the
//! final account/region/status/reason table.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    #[default]
    Human,
    Json,
}

/// One row of the final table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub target: String,
    pub account: String,
    pub region: String,
    pub status: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A step starts (`log-archive stack … in …`, `StackSet …`).
    Step { text: String },
    /// A plan line (`+ Type LogicalId`, `> parameter …`, `+ instance …`).
    Change { target: String, line: String, risky: bool },
    /// Anything worth telling.
    Note { text: String },
    Stack { stack: String, account: String, region: String, status: String, reason: Option<String> },
    Operation { stack_set: String, operation_id: String, action: String, status: String },
    Instance { stack_set: String, account: String, region: String, status: String, reason: Option<String> },
    Failure { target: String, reason: String, remedy: Option<String> },
    /// An account and region left out of the rollout: the region is not enabled there.
    Skipped { stack_set: String, account: String, region: String, reason: String, remedy: String },
    /// A retained resource a stack adopts (CloudFormation import) instead of creating it.
    Adopt { stack: String, account: String, region: String, resource_type: String, logical_id: String, physical_id: String, why: String },
    Summary { rows: Vec<Row>, api_calls: u64, write_calls: u64, up_to_date: bool },
    /// Something in the organization a service control policy would break
    /// or exempt, found before it is attached (see `scp_preflight`).
    Finding { level: Level, account: String, subject: String, reason: String, remedy: String },
}

/// How much a [`Event::Finding`] matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// `deploy` would fail: it stops before any change.
    Error,
    /// The deploy goes on, but what the SCP promises does not hold until fixed.
    Warning,
    /// For the user to confirm.
    Notice,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// Where events go.
pub struct Reporter<'a> {
    out: &'a mut dyn Write,
    format: OutputFormat,
    bars: Option<Bars>,
}

struct Bars {
    multi: MultiProgress,
    by_key: BTreeMap<String, ProgressBar>,
    /// Last status of each account, per `StackSet region` bar.
    states: BTreeMap<String, BTreeMap<String, String>>,
}

impl<'a> Reporter<'a> {
    /// Progress bars only when stderr is a terminal and the output is human.
    pub fn new(out: &'a mut dyn Write, format: OutputFormat) -> Self {
        let bars = (format == OutputFormat::Human && std::io::stderr().is_terminal()).then(|| Bars {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            by_key: BTreeMap::new(),
            states: BTreeMap::new(),
        });
        Reporter { out, format, bars }
    }

    pub fn emit(&mut self, e: Event) {
        if self.format == OutputFormat::Json {
            let _ = writeln!(self.out, "{}", serde_json::to_string(&e).unwrap_or_default());
            return;
        }
        if let (Some(bars), Event::Instance { stack_set, account, region, status, .. }) = (&mut self.bars, &e) {
            // One bar per StackSet and region: accounts done out of accounts seen.
            let key = format!("{stack_set} {region}");
            let states = bars.states.entry(key.clone()).or_default();
            states.insert(account.clone(), status.clone());
            let done = states.values().filter(|s| s.as_str() == "CURRENT" || s.contains("FAILED")).count() as u64;
            let failed = states.values().filter(|s| s.contains("FAILED") || s.contains("INOPERABLE")).count();
            let total = states.len() as u64;
            let bar = bars.by_key.entry(key.clone()).or_insert_with(|| {
                let b = bars.multi.add(ProgressBar::new(total));
                b.set_style(
                    ProgressStyle::with_template("{prefix:40} [{bar:30}] {pos}/{len} {wide_msg}")
                        .unwrap()
                        .progress_chars("=> "),
                );
                b.set_prefix(key.clone());
                b
            });
            bar.set_length(total);
            bar.set_position(done);
            bar.set_message(if failed > 0 { format!("{failed} failed; last: {account} {status}") } else { format!("{account} {status}") });
            return;
        }
        let line = match &e {
            Event::Step { text } => format!("==> {text}"),
            Event::Change { target, line, .. } => format!("  {target}: {line}"),
            Event::Note { text } => format!("  {text}"),
            Event::Stack { stack, account, region, status, reason } => {
                format!("  {stack} {account}/{region}: {status}{}", reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())
            }
            Event::Operation { stack_set, operation_id, action, status } => {
                format!("  {stack_set}: {action} operation {operation_id} {status}")
            }
            Event::Instance { stack_set, account, region, status, reason } => {
                format!("  {stack_set} {account}/{region}: {status}{}", reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())
            }
            Event::Skipped { stack_set, account, region, reason, remedy } => {
                format!("  SKIPPED {stack_set} {account}/{region}: {reason}\n    remedy: {remedy}")
            }
            Event::Adopt { stack, region, resource_type, logical_id, physical_id, why, .. } => {
                format!("  {stack} ({region}): = {resource_type} {logical_id} = {physical_id} ({why})")
            }
            Event::Finding { level, account, subject, reason, remedy } => {
                format!("  {} {account} {subject}: {reason}\n    remedy: {remedy}", level.as_str())
            }
            Event::Failure { target, reason, remedy } => {
                let mut s = format!("  FAILED {target}: {reason}");
                if let Some(r) = remedy {
                    s.push_str(&format!("\n    remedy: {r}"));
                }
                s
            }
            Event::Summary { rows, api_calls, write_calls, up_to_date } => {
                if let Some(bars) = &mut self.bars {
                    for b in bars.by_key.values() {
                        b.finish();
                    }
                    let _ = bars.multi.clear();
                }
                let mut s = table(rows);
                if *up_to_date {
                    s.push_str("Everything is up to date.\n");
                }
                s.push_str(&format!("{api_calls} API calls, {write_calls} of them writes."));
                s
            }
        };
        if let (Some(bars), false) = (&self.bars, matches!(e, Event::Summary { .. })) {
            // Bars live on stderr; lines go to `out` with the bars lifted meanwhile.
            let out = &mut self.out;
            bars.multi.suspend(|| {
                let _ = writeln!(out, "{line}");
            });
        } else {
            let _ = writeln!(self.out, "{line}");
        }
    }
}

/// The account/region/status/reason table.
pub fn table(rows: &[Row]) -> String {
    let heads = ["TARGET", "ACCOUNT", "REGION", "STATUS", "REASON"];
    let cells: Vec<[&str; 5]> = rows
        .iter()
        .map(|r| [r.target.as_str(), r.account.as_str(), r.region.as_str(), r.status.as_str(), r.reason.as_str()])
        .collect();
    let mut w = heads.map(str::len);
    for c in &cells {
        for i in 0..5 {
            w[i] = w[i].max(c[i].len());
        }
    }
    let mut s = String::new();
    let fmt_row = |c: [&str; 5]| {
        let mut l = String::new();
        for i in 0..5 {
            if i == 4 {
                l.push_str(c[i]);
            } else {
                l.push_str(&format!("{:w$}  ", c[i], w = w[i]));
            }
        }
        l.trim_end().to_string() + "\n"
    };
    s.push_str(&fmt_row(heads));
    for c in cells {
        s.push_str(&fmt_row(c));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_and_json_is_one_line_per_event() {
        let rows = vec![Row {
            target: "sessionlog-members".into(),
            account: "111111111111".into(),
            region: "eu-west-1".into(),
            status: "CURRENT".into(),
            reason: String::new(),
        }];
        let t = table(&rows);
        assert!(t.starts_with("TARGET              ACCOUNT       REGION     STATUS   REASON\n"), "{t}");
        let mut buf = Vec::new();
        {
            let mut r = Reporter::new(&mut buf, OutputFormat::Json);
            r.emit(Event::Note { text: "a".into() });
            r.emit(Event::Summary { rows, api_calls: 3, write_calls: 0, up_to_date: true });
        }
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let v: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(v["event"], "summary");
        assert_eq!(v["rows"][0]["status"], "CURRENT");
    }
}
