//! The sessions report's SQL (`audit_sql`) run in the archive's Athena
//! workgroup: StartQueryExecution in the workgroup and database the
//! log-archive stack creates, GetQueryExecution until the query ends,
//! GetQueryResults page by page. The workgroup enforces where results go
//! and how they are encrypted: the client sets neither.

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use aws_sdk_athena::types::{QueryExecutionContext, QueryExecutionState, Row};
use aws_sdk_athena::Client;

/// Longest wait between two GetQueryExecution calls.
const MAX_POLL: Duration = Duration::from_secs(5);
/// Rows per GetQueryResults page (Athena's maximum).
const PAGE: i32 = 1000;

/// Runs `sql` in `workgroup` with `database` as the default database and
/// returns its rows, without the header row Athena puts first; a NULL is
/// an empty string. Fails, with Athena's reason, when the query fails or
/// is cancelled.
pub async fn run_sessions_query(
    client: &Client,
    workgroup: &str,
    database: &str,
    sql: &str,
) -> Result<Vec<Vec<String>>> {
    let started = client
        .start_query_execution()
        .query_string(sql)
        .work_group(workgroup)
        .query_execution_context(QueryExecutionContext::builder().database(database).build())
        .send()
        .await
        .with_context(|| format!("Athena StartQueryExecution in workgroup {workgroup}"))?;
    let id = started
        .query_execution_id()
        .ok_or_else(|| anyhow!("Athena returned no query execution id"))?
        .to_string();

    let mut wait = Duration::from_millis(200);
    loop {
        let got = client
            .get_query_execution()
            .query_execution_id(&id)
            .send()
            .await
            .with_context(|| format!("Athena GetQueryExecution {id}"))?;
        let status = got.query_execution().and_then(|q| q.status());
        match status.and_then(|s| s.state()) {
            Some(QueryExecutionState::Succeeded) => break,
            Some(state @ (QueryExecutionState::Failed | QueryExecutionState::Cancelled)) => {
                let reason = status
                    .and_then(|s| s.state_change_reason())
                    .unwrap_or("no reason given");
                bail!(
                    "Athena query {id} {}: {reason}",
                    state.as_str().to_lowercase()
                );
            }
            _ => {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(MAX_POLL);
            }
        }
    }

    let mut rows = Vec::new();
    let mut token: Option<String> = None;
    let mut first_page = true;
    loop {
        let page = client
            .get_query_results()
            .query_execution_id(&id)
            .max_results(PAGE)
            .set_next_token(token.take())
            .send()
            .await
            .with_context(|| format!("Athena GetQueryResults {id}"))?;
        if let Some(set) = page.result_set() {
            let names: Vec<&str> = set
                .result_set_metadata()
                .map(|m| m.column_info().iter().map(|c| c.name()).collect())
                .unwrap_or_default();
            let mut page_rows = set.rows().iter().map(cells);
            // A SELECT's first page starts with the column names.
            if first_page {
                if let Some(head) = page_rows.next() {
                    if head != names {
                        rows.push(head);
                    }
                }
            }
            rows.extend(page_rows);
        }
        first_page = false;
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(rows)
}

fn cells(row: &Row) -> Vec<String> {
    row.data()
        .iter()
        .map(|d| d.var_char_value().unwrap_or_default().to_string())
        .collect()
}
