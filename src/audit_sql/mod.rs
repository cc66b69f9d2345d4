//! The sessions report as Athena SQL (issue 18): one text, `sessions.sql`,
//! shared by `sessionlog sessions --engine athena` and docs/athena.md, and
//! rendered here with the window and the filters. Every value put into the
//! SQL is checked against its format first (days and times, account ids,
//! regions, the database name) or quoted as a SQL string literal (user,
//! target, documents): nothing from the command line reaches the SQL as
//! code.

use std::fmt;

use serde_json::json;

/// The report's SQL, with `{{placeholders}}`.
pub const SESSIONS_SQL: &str = include_str!("sessions.sql");

/// The columns the rendered query returns, in order.
pub const COLUMNS: [&str; 13] = [
    "session_id",
    "account",
    "region",
    "principal",
    "person",
    "source_ip",
    "target",
    "document",
    "start_time",
    "end_time",
    "transcript",
    "copy",
    "integrity",
];

/// Documents whose sessions Session Manager logs (its preferences document
/// is the default shell); port forwarding and SSH sessions are not logged.
pub const LOGGED_DOCUMENTS: [&str; 1] = ["SSM-SessionManagerRunShell"];

/// What the report covers.
#[derive(Debug, Clone)]
pub struct SessionsQuery<'a> {
    /// The Glue database (`log_archive.athena.database`).
    pub database: &'a str,
    /// Window start, inclusive, `YYYY-MM-DDTHH:MM:SSZ`.
    pub since: &'a str,
    /// Window end, exclusive, `YYYY-MM-DDTHH:MM:SSZ`.
    pub until: &'a str,
    /// Accounts to read (required when the account projection is injected:
    /// `log_archive.athena.accounts` empty); empty: every enumerated account.
    pub accounts: &'a [String],
    /// Regions to read; empty: every projected region.
    pub regions: &'a [String],
    /// A principal ARN, or the person's name of a role session.
    pub user: Option<&'a str>,
    /// An instance id (the session's target).
    pub target: Option<&'a str>,
    pub logged_documents: &'a [String],
    /// The configuration has a `transcripts` table (and the agent must upload).
    pub transcripts: bool,
    /// The configuration has a `log_copy` table (and every logged session must be copied).
    pub copy: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError(pub String);

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SqlError {}

/// The query for `q`.
pub fn render(q: &SessionsQuery) -> Result<String, SqlError> {
    let err = |m: String| Err(SqlError(m));
    if !valid_database(q.database) {
        return err(format!("`{}` is not a Glue database name", q.database));
    }
    let since = Instant::parse(q.since)?;
    let until = Instant::parse(q.until)?;
    if until.seconds() <= since.seconds() {
        return err(format!(
            "the window ends ({}) before it starts ({})",
            q.until, q.since
        ));
    }
    for a in q.accounts {
        if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
            return err(format!("`{a}` is not an account id"));
        }
    }
    for r in q.regions {
        if r.is_empty()
            || !r
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return err(format!("`{r}` is not a region"));
        }
    }
    if q.logged_documents.is_empty() {
        return err("no document is logged".into());
    }
    let list = |v: &[String]| v.iter().map(|s| literal(s)).collect::<Vec<_>>().join(", ");
    let account_filter = if q.accounts.is_empty() {
        "1 = 1".to_string()
    } else {
        format!("account IN ({})", list(q.accounts))
    };
    let region_filter = if q.regions.is_empty() {
        "1 = 1".to_string()
    } else {
        format!("region IN ({})", list(q.regions))
    };
    let user_filter = q.user.map_or(String::new(), |u| {
        format!("AND (s.principal = {l} OR s.person = {l})", l = literal(u))
    });
    let target_filter = q
        .target
        .map_or(String::new(), |t| format!("AND s.target = {}", literal(t)));
    let day = |days: i64| Instant::from_seconds(since.seconds() + days * 86_400).day();
    let until_plus = |days: i64| Instant::from_seconds(until.seconds() + days * 86_400);
    let values = json!({
        "database": q.database,
        "since": since.text(),
        "until": until.text(),
        "account_filter": account_filter,
        "region_filter": region_filter,
        // A session lasts at most a day (max_session_duration ≤ 1440 min):
        // sessions two days before the window are what a transcript of
        // the window can belong to.
        "lookback_day": day(-2),
        "first_day": since.day(),
        "end_day": until_plus(2).day(),
        "upload_until": until_plus(1).text(),
        "user_filter": user_filter,
        "target_filter": target_filter,
        "logged_documents": list(q.logged_documents),
        "expect_transcript": if q.transcripts { "TRUE" } else { "FALSE" },
        "expect_copy": if q.copy { "TRUE" } else { "FALSE" },
        // A transcript or copy names no user or instance: with those
        // filters it cannot be attributed, and is left out.
        "include_forged": if q.user.is_none() && q.target.is_none() { "TRUE" } else { "FALSE" },
        "transcripts": q.transcripts,
        "copy": q.copy,
    });
    let mut hb = handlebars::Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.render_template(SESSIONS_SQL, &values)
        .map_err(|e| SqlError(format!("sessions.sql: {e}")))
}

/// A SQL string literal.
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn valid_database(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_lowercase())
        && b.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        && s.len() <= 255
}

/// A UTC time to the second.
#[derive(Debug, Clone, Copy)]
struct Instant {
    days: i64,
    second_of_day: i64,
}

impl Instant {
    fn parse(s: &str) -> Result<Self, SqlError> {
        let bad = || SqlError(format!("`{s}` is not a UTC time like 2026-03-01T08:00:00Z"));
        let b = s.as_bytes();
        if b.len() != 20
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || b[19] != b'Z'
        {
            return Err(bad());
        }
        let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().map_err(|_| bad());
        let (y, m, d, hh, mm, ss) = (
            n(0..4)?,
            n(5..7)?,
            n(8..10)?,
            n(11..13)?,
            n(14..16)?,
            n(17..19)?,
        );
        if !(1..=12).contains(&m)
            || d < 1
            || d > days_in_month(y, m)
            || hh > 23
            || mm > 59
            || ss > 59
        {
            return Err(bad());
        }
        Ok(Instant {
            days: days_from_civil(y, m, d),
            second_of_day: hh * 3600 + mm * 60 + ss,
        })
    }
    fn seconds(&self) -> i64 {
        self.days * 86_400 + self.second_of_day
    }
    fn from_seconds(s: i64) -> Self {
        Instant {
            days: s.div_euclid(86_400),
            second_of_day: s.rem_euclid(86_400),
        }
    }
    /// `yyyy/MM/dd`, as the partitions spell it.
    fn day(&self) -> String {
        let (y, m, d) = civil_from_days(self.days);
        format!("{y:04}/{m:02}/{d:02}")
    }
    fn text(&self) -> String {
        let (y, m, d) = civil_from_days(self.days);
        let s = self.second_of_day;
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    }
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query<'a>(accounts: &'a [String], docs: &'a [String]) -> SessionsQuery<'a> {
        SessionsQuery {
            database: "sessionlog",
            since: "2026-03-01T00:00:00Z",
            until: "2026-03-08T00:00:00Z",
            accounts,
            regions: &[],
            user: None,
            target: None,
            logged_documents: docs,
            transcripts: true,
            copy: true,
        }
    }

    #[test]
    fn the_window_becomes_partition_predicates() {
        let accounts = vec!["444455556666".to_string()];
        let docs = vec!["SSM-SessionManagerRunShell".to_string()];
        let sql = render(&query(&accounts, &docs)).unwrap();
        assert!(
            sql.contains("dt BETWEEN '2026/02/27' AND '2026/03/10'"),
            "{sql}"
        );
        assert!(
            sql.contains("dt BETWEEN '2026/03/01' AND '2026/03/10'"),
            "{sql}"
        );
        assert!(sql.contains("account IN ('444455556666')"), "{sql}");
        assert!(
            sql.contains("from_iso8601_timestamp('2026-03-09T00:00:00Z')"),
            "{sql}"
        );
        assert!(!sql.contains("{{"), "{sql}");
    }

    #[test]
    fn values_are_checked_or_quoted() {
        let docs = vec!["SSM-SessionManagerRunShell".to_string()];
        let bad = vec!["1' OR '1".to_string()];
        assert!(render(&query(&bad, &docs)).is_err());
        let mut q = query(&[], &docs);
        q.user = Some("o'brien");
        let sql = render(&q).unwrap();
        assert!(sql.contains("s.person = 'o''brien'"), "{sql}");
        assert!(
            sql.contains("AND FALSE\n") || sql.contains("AND FALSE"),
            "forged rows need no filter"
        );
        q.since = "2026-02-30T00:00:00Z";
        assert!(render(&q).is_err());
        q.since = "2026-03-08T00:00:00Z";
        assert!(render(&q).is_err(), "empty window");
    }

    #[test]
    fn days_round_trip_across_years() {
        for (y, m, d) in [(1970, 1, 1), (2024, 2, 29), (2026, 12, 31), (2027, 1, 1)] {
            assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
        }
        assert_eq!(
            Instant::parse("2026-12-31T23:00:00Z").unwrap().seconds() + 3600,
            Instant::parse("2027-01-01T00:00:00Z").unwrap().seconds()
        );
    }
}
