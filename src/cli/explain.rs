//! `sessionlog explain [RULE]`: what a validation rule checks, why it
//! matters in AWS, an example that triggers it and the fix (as `rustc
//! --explain`). Without a rule: the list of rules.

use std::io::Write;

use crate::exit;
use crate::validate::{explain, rules};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The rule, by id (`SL101`, any case) or name (`duplicate-key`).
    /// None: list every rule.
    #[arg(value_name = "RULE")]
    pub rule: Option<String>,
}

pub fn execute(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let written = match &args.rule {
        None => out.write_all(list().as_bytes()),
        Some(q) => match explain::find(q).and_then(|r| explain::text(r.id)) {
            Some(text) => out.write_all(explain::display(text).as_bytes()),
            None => {
                let _ = write!(
                    err,
                    "error: no validation rule `{q}`\n   = help: `sessionlog explain RULE` with one of:\n{}",
                    list()
                );
                return exit::INVALID_INPUT;
            }
        },
    };
    match written {
        Ok(()) => exit::OK,
        Err(_) => exit::RUNTIME,
    }
}

/// `SL101  duplicate-key  error  A mapping has the same key twice.`, one a line.
fn list() -> String {
    let width = rules::ALL.iter().map(|r| r.name.len()).max().unwrap_or(0);
    rules::ALL
        .iter()
        .map(|r| {
            format!(
                "{}  {:width$}  {:7}  {}\n",
                r.id,
                r.name,
                r.severity.as_str(),
                r.summary
            )
        })
        .collect()
}
