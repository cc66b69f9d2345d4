//! The report's time window: `--since`/`--until` as ISO 8601 dates or times.

use anyhow::{bail, Result};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

/// `[since, until)` in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub since: OffsetDateTime,
    pub until: OffsetDateTime,
}

/// An ISO 8601 date (`2026-12-01`, the day's start) or time
/// (`2026-12-01T08:00:00Z`, `2026-12-01T08:00Z`, `…+01:00`).
pub fn parse_instant(s: &str) -> Result<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t.to_offset(time::UtcOffset::UTC));
    }
    if let Ok(d) = Date::parse(s, format_description!("[year]-[month]-[day]")) {
        return Ok(d.midnight().assume_utc());
    }
    let minutes = format_description!("[year]-[month]-[day]T[hour]:[minute]Z");
    if let Ok(t) = PrimitiveDateTime::parse(s, minutes) {
        return Ok(t.assume_utc());
    }
    bail!("`{s}` is not an ISO 8601 date (2026-12-01) or time (2026-12-01T08:00:00Z)")
}

impl Window {
    /// Default: the last 7 days up to now.
    pub fn new(since: Option<&str>, until: Option<&str>, now: OffsetDateTime) -> Result<Window> {
        let until = match until {
            Some(u) => parse_instant(u)?,
            None => now,
        };
        let since = match since {
            Some(s) => parse_instant(s)?,
            None => until - Duration::days(7),
        };
        if since >= until {
            bail!("--since ({}) must be before --until ({})", rfc3339(since), rfc3339(until));
        }
        Ok(Window { since, until })
    }

    pub fn contains(&self, t: OffsetDateTime) -> bool {
        t >= self.since && t < self.until
    }

    /// This window widened by `before` and `after` (events of a session
    /// that started in the window land after it; a transcript may be
    /// uploaded when the session ends).
    pub fn widened(&self, before: Duration, after: Duration) -> Window {
        Window { since: self.since - before, until: self.until + after }
    }

    /// Every UTC day the window touches, oldest first.
    pub fn days(&self) -> Vec<Date> {
        let mut out = Vec::new();
        let mut d = self.since.date();
        let last = (self.until - Duration::nanoseconds(1)).date();
        while d <= last {
            out.push(d);
            d = d.next_day().expect("date in range");
        }
        out
    }
}

pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC).replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

/// `yyyy/mm/dd` of a day, as CloudTrail and Firehose name their prefixes.
pub fn day_path(d: Date) -> String {
    format!("{:04}/{:02}/{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Midnight UTC of a day.
pub fn start_of(d: Date) -> OffsetDateTime {
    PrimitiveDateTime::new(d, Time::MIDNIGHT).assume_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        assert_eq!(rfc3339(parse_instant("2026-12-01").unwrap()), "2026-12-01T00:00:00Z");
        assert_eq!(rfc3339(parse_instant("2026-12-01T08:30:00+01:00").unwrap()), "2026-12-01T07:30:00Z");
        assert_eq!(rfc3339(parse_instant("2026-12-01T08:30Z").unwrap()), "2026-12-01T08:30:00Z");
        assert!(parse_instant("yesterday").is_err());
    }

    #[test]
    fn days_of_a_window() {
        let w = Window::new(Some("2026-12-01T23:00:00Z"), Some("2026-12-03"), OffsetDateTime::now_utc()).unwrap();
        let days: Vec<String> = w.days().into_iter().map(day_path).collect();
        assert_eq!(days, ["2026/12/01", "2026/12/02"]);
        assert!(Window::new(Some("2026-12-03"), Some("2026-12-01"), OffsetDateTime::now_utc()).is_err());
    }
}
