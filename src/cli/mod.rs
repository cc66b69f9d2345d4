//! The command line: argument parsing and dispatch. Each command lives in its
//! own file with an `execute` that takes its arguments and writers and
//! returns an exit code, so every command runs in-process in tests.

pub mod compile;
pub mod completions;
pub mod deploy;
pub mod explain;
pub mod export;
pub mod init;
pub mod man;
mod output;
pub mod render;
pub mod schema;
pub mod validate;
mod archive_args;
pub mod sessions;
pub mod verify;

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::exit;

#[derive(Debug, Parser)]
#[command(name = "sessionlog", version, about = "Compile one YAML description of an AWS Organization into validated CloudFormation templates and StackSets for centralized Session Manager and RDP recording logging, and deploy them.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where the configuration comes from (shared by every command that reads it).
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArg {
    /// Configuration file. Default: ./sessionlog.yaml, or the embedded
    /// example organization when that file does not exist.
    #[arg(long, short = 'c', value_name = "PATH")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter sessionlog.yaml (never overwrites).
    Init(init::Args),
    /// Render templates/ and stacksets/ from the configuration.
    Render(render::Args),
    /// Print the configuration's JSON Schema.
    Schema(schema::Args),
    /// Check templates: structure, resource schemas, regions, the Session
    /// document, security invariants.
    Validate(validate::Args),
    /// Explain a validation rule (SL###): what it checks, why, an example and the fix.
    Explain(explain::Args),
    /// Show what `deploy` would change, without changing anything.
    Plan(deploy::Plan),
    /// Deploy the log-archive stacks, the member StackSets, then the management-account stacks.
    Deploy(deploy::Deploy),
    /// Show the deployed stacks and stack instances.
    Status(deploy::Status),
    /// Remove the stacks and StackSets; buckets, keys, log groups and the trail are retained.
    Destroy(deploy::Destroy),
    /// Export the configuration for another deployment tool (Customizations
    /// for Control Tower).
    Export(export::Args),
    /// Print the shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::Args),
    /// Print the manual page (roff), or write one page per subcommand.
    Man(man::Args),
    /// One row per session in a window: who, where, when, every place it
    /// is logged, and whether the logs can be trusted.
    Sessions(Box<sessions::Args>),
    /// Check the organization trail's digest chain and the archive's
    /// guarantees as deployed; exit 0 only when everything holds.
    Verify(verify::Args),
}

/// Run with the process's arguments and standard streams; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => exit::OK,
                _ => exit::INVALID_INPUT,
            };
        }
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run(cli, &mut stdout.lock(), &mut stderr.lock())
}

/// Run a parsed command against the given writers.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match cli.command {
        Command::Init(a) => init::execute(&a, out, err),
        Command::Render(a) => render::execute(&a, out, err),
        Command::Schema(a) => schema::execute(&a, out, err),
        Command::Validate(a) => validate::execute(&a, out, err),
        Command::Explain(a) => explain::execute(&a, out, err),
        Command::Plan(a) => a.execute(out, err),
        Command::Deploy(a) => a.execute(out, err),
        Command::Status(a) => a.execute(out, err),
        Command::Destroy(a) => a.execute(out, err),
        Command::Export(a) => export::execute(&a, out, err),
        Command::Completions(a) => completions::execute(&a, out, err),
        Command::Man(a) => man::execute(&a, out, err),
        Command::Sessions(a) => sessions::execute(&a, out, err),
        Command::Verify(a) => verify::execute(&a, out, err),
    }
}

/// Print an error the cargo way: `error: …` then each cause.
pub fn report_error(err: &mut dyn Write, e: &anyhow::Error) {
    let _ = writeln!(err, "error: {e}");
    for cause in e.chain().skip(1) {
        let _ = writeln!(err, "Caused by:\n    {cause}");
    }
}
