//! `sessionlog sessions` and `sessionlog sessions show ID`: one row per
//! session in the window, from the archive (src/audit).

use std::io::Write;

use time::{Duration, OffsetDateTime};

use crate::audit::engine::{Direct, Engine, Query};
use crate::audit::layout::Layout;
use crate::audit::report::{self, Format};
use crate::audit::window::Window;
use crate::exit;

use super::archive_args::{self, ArchiveArgs};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineArg {
    /// Read the archive's objects directly.
    Direct,
    /// Query the Glue tables of the log-archive stack with Amazon Athena.
    Athena,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Filters {
    #[command(flatten)]
    pub archive: ArchiveArgs,
    /// Start of the window: an ISO 8601 date or time (default: 7 days before --until).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// End of the window, exclusive (default: now).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Only these accounts (repeat the flag).
    #[arg(long, value_name = "ID")]
    pub account: Vec<String>,
    /// Only these regions (repeat the flag).
    #[arg(long, value_name = "REGION")]
    pub region: Vec<String>,
    /// Principal ARN or person's name contains this (case-insensitive).
    #[arg(long)]
    pub user: Option<String>,
    /// Target (instance id) contains this.
    #[arg(long)]
    pub instance: Option<String>,
    /// Key prefix under which to look for RDP recordings (AWS does not
    /// document the keys GUI Connect writes recordings under).
    #[arg(long, value_name = "PREFIX")]
    pub recordings_prefix: Option<String>,
    #[arg(long, value_enum, default_value = "direct")]
    pub engine: EngineArg,
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub show: Option<Sub>,
    #[command(flatten)]
    pub filters: Filters,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Print a session's transcript: from the tamper-proof copy when there is one (says which copy).
    Show(ShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The session id.
    pub id: String,
    #[command(flatten)]
    pub filters: Filters,
}

pub fn execute(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match &args.show {
        Some(Sub::Show(s)) => run(&s.filters, err, |engine, q, err| match engine.show(&s.id, q)? {
            None => {
                let _ = writeln!(err, "error: no session {} in the window (widen it with --since/--until)", s.id);
                Ok(exit::FINDINGS)
            }
            Some(t) => {
                let _ = writeln!(err, "session {} — from the {}: {}", s.id, t.source, t.uris.join(" "));
                out.write_all(t.text.as_bytes())?;
                Ok(exit::OK)
            }
        }),
        None => run(&args.filters, err, |engine, q, err| {
            let r = engine.sessions(q)?;
            report::write(&r.rows, args.format, out)?;
            for n in &r.notes {
                let _ = writeln!(err, "note: {n}");
            }
            let _ = writeln!(err, "{} sessions; {} bytes read", r.rows.len(), r.bytes_read);
            Ok(exit::OK)
        }),
    }
}

fn run(f: &Filters, err: &mut dyn Write, body: impl FnOnce(&dyn Engine, &Query, &mut dyn Write) -> anyhow::Result<i32>) -> i32 {
    let (config, _) = match archive_args::config(&f.archive.config, err) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let window = match Window::new(f.since.as_deref(), f.until.as_deref(), OffsetDateTime::now_utc()) {
        Ok(w) => w,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::INVALID_INPUT;
        }
    };
    if f.engine == EngineArg::Athena {
        if !config.log_archive.athena.enabled {
            let _ = writeln!(err, "error: --engine athena needs log_archive.athena (the Glue tables and workgroup of the log-archive stack); use --engine direct");
            return exit::INVALID_INPUT;
        }
        if f.archive.archive.is_some() {
            let _ = writeln!(err, "error: --engine athena queries the bucket through Athena; --archive DIR is for --engine direct");
            return exit::INVALID_INPUT;
        }
    }
    let layout = Layout::new(&config);
    let query = Query {
        window,
        accounts: f.account.clone(),
        regions: f.region.clone(),
        user: f.user.clone(),
        instance: f.instance.clone(),
        recordings_prefix: f.recordings_prefix.clone(),
        max_session: Duration::minutes(i64::from(config.session_manager.max_session_duration)),
    };
    let opened = match archive_args::open(&f.archive, &config, &layout) {
        Ok(o) => o,
        Err(e) => {
            super::report_error(err, &e);
            return exit::RUNTIME;
        }
    };
    let direct = Direct { source: opened.source.as_ref(), layout: &layout };
    let athena = match (&f.engine, &opened.aws) {
        (EngineArg::Athena, Some(aws)) => Some(crate::audit::athena_engine::Athena {
            client: aws.archive_athena(&config.log_archive.region),
            runtime: opened.runtime.handle().clone(),
            config: &config,
        }),
        _ => None,
    };
    let engine: &dyn Engine = match &athena {
        Some(a) => a,
        None => &direct,
    };
    match body(engine, &query, err) {
        Ok(code) => code,
        Err(e) => {
            super::report_error(err, &e);
            exit::RUNTIME
        }
    }
}
