//! `sessions --engine athena`: the same report, run by Amazon Athena over
//! the log-archive stack's Glue tables (`log_archive.athena`), for an
//! organization whose trail outgrows one machine. The SQL is
//! `audit_sql`'s (the one the README gives people who query Athena
//! themselves); the rows come back as the direct engine's `SessionRow`s.
//!
//! What Athena cannot tell: object versions (so no `overwritten` verdict)
//! and the transcript's content (`sessions show` reads the archive).

use anyhow::{bail, Context, Result};
use tokio::runtime::Handle;

use super::engine::{Engine, Query, Report, Transcript};
use super::join::kind;
use super::row::{Integrity, SessionRow};
use super::window::rfc3339;
use crate::audit_sql::{self, SessionsQuery, COLUMNS, LOGGED_DOCUMENTS};
use crate::config::model::Config;

pub struct Athena<'a> {
    pub client: aws_sdk_athena::Client,
    pub runtime: Handle,
    pub config: &'a Config,
}

fn integrity(word: &str) -> Result<Integrity> {
    Ok(match word {
        "complete" => Integrity::Complete,
        "missing" => Integrity::Missing,
        "overwritten" => Integrity::Overwritten,
        "forged" => Integrity::Forged,
        "unlogged" => Integrity::Unlogged,
        other => bail!("Athena answered an unknown verdict `{other}`"),
    })
}

/// One result row (in `COLUMNS` order) as a report row.
pub fn row(cells: &[String]) -> Result<SessionRow> {
    if cells.len() != COLUMNS.len() {
        bail!("Athena answered {} columns, the report has {}", cells.len(), COLUMNS.len());
    }
    let at = |name: &str| cells[COLUMNS.iter().position(|c| *c == name).expect("a column")].clone();
    let logs: Vec<String> = [at("transcript"), at("copy")].into_iter().filter(|s| !s.is_empty()).collect();
    let verdict = integrity(&at("integrity"))?;
    let document = at("document");
    Ok(SessionRow {
        session_id: at("session_id"),
        account: at("account"),
        region: at("region"),
        principal: at("principal"),
        person: at("person"),
        source_ip: at("source_ip"),
        target: at("target"),
        kind: kind(&document, ""),
        document,
        start: at("start_time"),
        end: at("end_time"),
        logs,
        original: Vec::new(),
        integrity: verdict,
        note: "decided by Athena over the Glue tables (object versions are not visible there: no `overwritten` verdict)".into(),
    })
}

impl Engine for Athena<'_> {
    fn sessions(&self, q: &Query) -> Result<Report> {
        let a = &self.config.log_archive.athena;
        if !a.enabled {
            bail!("log_archive.athena is off: there are no Glue tables to query (use --engine direct)");
        }
        let logged: Vec<String> = LOGGED_DOCUMENTS.iter().map(|d| d.to_string()).collect();
        let since = rfc3339(q.window.since);
        let until = rfc3339(q.window.until);
        let sql = audit_sql::render(&SessionsQuery {
            database: &a.database,
            since: &since,
            until: &until,
            accounts: &q.accounts,
            regions: &q.regions,
            user: q.user.as_deref(),
            target: q.instance.as_deref(),
            logged_documents: &logged,
            transcripts: self.config.session_manager.s3.enabled,
            copy: self.config.log_copy.enabled && self.config.session_manager.cloudwatch.enabled,
        })
        .map_err(|e| anyhow::anyhow!("the sessions query: {}", e.0))?;
        let rows = self
            .runtime
            .block_on(crate::audit_athena::run_sessions_query(&self.client, &a.workgroup, &a.database, &sql))
            .with_context(|| format!("running the sessions query in workgroup `{}`", a.workgroup))?;
        let rows = rows.iter().map(|r| row(r)).collect::<Result<Vec<_>>>()?;
        Ok(Report {
            rows,
            objects_read: 0,
            bytes_read: 0,
            notes: vec!["engine: Athena (no `overwritten` verdict: object versions are not in the tables)".into()],
        })
    }

    fn show(&self, _session_id: &str, _q: &Query) -> Result<Option<Transcript>> {
        bail!("`sessions show` reads the transcript from the archive: use --engine direct")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_row_becomes_a_report_row() {
        let cells: Vec<String> = [
            "abc-0123", "333333333333", "eu-west-1", "arn:aws:sts::333333333333:assumed-role/Op/alice", "alice", "198.51.100.7",
            "i-0123456789abcdef0", "SSM-SessionManagerRunShell", "2026-03-01T10:00:00Z", "2026-03-01T10:05:00Z",
            "s3://b/accounts/333333333333/eu-west-1/session-manager/abc-0123.log", "", "missing",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let r = row(&cells).unwrap();
        assert_eq!(r.integrity, Integrity::Missing);
        assert_eq!(r.logs.len(), 1);
        assert_eq!(r.person, "alice");
        assert!(row(&cells[..12]).is_err());
        let mut bad = cells.clone();
        bad[12] = "fine".into();
        assert!(row(&bad).is_err());
    }
}
