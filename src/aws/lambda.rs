//! Lambda runtime deprecation dates, vendored from cfn-lint's data
//! (`schemas/cloudformation/lambda-runtimes.json`, written by
//! `scripts/vendor-cfn-schemas.py`), and the calendar date they are
//! compared with.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;

use super::registry::LAMBDA_RUNTIMES;

/// A calendar date (UTC), ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        ((1..=12).contains(&date.month) && (1..=31).contains(&date.day)).then_some(date)
    }

    /// Today, from the system clock (UTC).
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }

    /// The civil date `days` after 1970-01-01 (Howard Hinnant's algorithm).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// When AWS stops supporting a runtime.
#[derive(Debug, Clone, Deserialize)]
pub struct Lifecycle {
    /// End of support (security patches stop).
    pub deprecated: String,
    /// New functions can no longer be created with it.
    #[serde(rename = "create-block")]
    pub create_block: String,
    /// Existing functions can no longer be updated.
    #[serde(rename = "update-block")]
    pub update_block: String,
    /// The runtime to move to, when AWS names one.
    pub successor: Option<String>,
}

/// How far a runtime is past its deprecation, on a given date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Supported,
    /// Past end of support; still deployable.
    Deprecated,
    /// Functions can no longer be created with it.
    CreateBlocked,
    /// Functions can no longer be created or updated with it.
    UpdateBlocked,
}

impl Lifecycle {
    pub fn stage(&self, on: Date) -> Stage {
        let reached = |d: &str| Date::parse(d).is_some_and(|d| d <= on);
        if reached(&self.update_block) {
            Stage::UpdateBlocked
        } else if reached(&self.create_block) {
            Stage::CreateBlocked
        } else if reached(&self.deprecated) {
            Stage::Deprecated
        } else {
            Stage::Supported
        }
    }
}

#[derive(Deserialize)]
struct Vendored {
    source: String,
    runtimes: BTreeMap<String, Lifecycle>,
}

fn vendored() -> &'static Vendored {
    static CELL: OnceLock<Vendored> = OnceLock::new();
    CELL.get_or_init(|| {
        serde_json::from_str(LAMBDA_RUNTIMES).expect("vendored lambda-runtimes.json is valid")
    })
}

/// The lifecycle of a runtime AWS has announced a deprecation for.
pub fn lifecycle(runtime: &str) -> Option<&'static Lifecycle> {
    vendored().runtimes.get(runtime)
}

/// Where the dates come from (`cfn-lint 1.51.0 (…)`).
pub fn source() -> &'static str {
    &vendored().source
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_days_since_epoch(20_415).to_string(),
            "2025-11-23"
        );
        assert_eq!(
            Date::from_days_since_epoch(11_016).to_string(),
            "2000-02-29"
        );
        assert!(Date::parse("2024-02-30").is_some() && Date::parse("2024-13-01").is_none());
        assert!(Date::parse("2024-01-02") < Date::parse("2024-10-01"));
        assert!(Date::today().year >= 2024);
    }

    #[test]
    fn stages_follow_the_vendored_dates() {
        let python27 = lifecycle("python2.7").unwrap();
        assert_eq!(
            python27.stage(Date::parse("2019-01-01").unwrap()),
            Stage::Supported
        );
        assert_eq!(
            python27.stage(Date::parse("2030-01-01").unwrap()),
            Stage::UpdateBlocked
        );
        let on = |d: &str| Date::parse(d).unwrap();
        assert_eq!(python27.stage(on("2021-07-15")), Stage::CreateBlocked);
        let dotnet6 = lifecycle("dotnet6").unwrap();
        assert_eq!(dotnet6.stage(on("2025-01-01")), Stage::Deprecated);
        assert_eq!(dotnet6.stage(on("2026-06-01")), Stage::CreateBlocked);
        assert!(lifecycle("nodejs99.x").is_none());
        assert!(source().starts_with("cfn-lint"));
    }
}
