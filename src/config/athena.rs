//! `log_archive.athena`: Amazon Athena over the archive (issue 18). A Glue
//! database with tables over the organization trail, the transcripts the
//! agent uploads and the tamper-proof copy, partitioned by projection (no
//! crawler, no `MSCK REPAIR`), an Athena workgroup whose results stay in the
//! archive, and an auditor role that may query them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::patterns::*;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Athena {
    /// Off by default: queries are billed per byte scanned (see docs/athena.md).
    #[serde(default)]
    pub enabled: bool,
    /// The Glue database holding the tables (`cloudtrail`, `transcripts`, `log_copy`).
    #[serde(default = "default_database")]
    #[schemars(pattern(GLUE_NAME))]
    pub database: String,
    /// The Athena workgroup; its results go to `<bucket>/<results_prefix>/`,
    /// encrypted with the archive key.
    #[serde(default = "default_workgroup")]
    #[schemars(pattern(WORKGROUP_NAME))]
    pub workgroup: String,
    /// Key prefix of the query results in the archive bucket (one segment,
    /// not the accounts' prefix nor the trail's).
    #[serde(default = "default_results_prefix")]
    #[schemars(pattern(KEY_SEGMENT))]
    pub results_prefix: String,
    /// First day the date projection covers (`YYYY-MM-DD`): days before it
    /// cannot be queried. Default: 2026-01-01.
    #[serde(default = "default_start")]
    #[schemars(pattern(DAY))]
    pub start: String,
    /// The member accounts the account partition enumerates. Empty (the
    /// default): the account is injected, and every query must name its
    /// accounts (`account IN (...)`); listed: queries may leave it open.
    /// Athena advises enumerations of a few dozen values at most.
    #[serde(default)]
    #[schemars(inner(pattern(ACCOUNT_ID)))]
    pub accounts: Vec<String>,
    /// The role in the log-archive account that may query.
    #[serde(default)]
    pub auditor_role: AuditorRole,
}

impl Default for Athena {
    fn default() -> Self {
        Athena {
            enabled: false,
            database: default_database(),
            workgroup: default_workgroup(),
            results_prefix: default_results_prefix(),
            start: default_start(),
            accounts: Vec::new(),
            auditor_role: AuditorRole::default(),
        }
    }
}

impl Athena {
    /// `start` as the projection's `yyyy/MM/dd`.
    pub fn start_day(&self) -> String {
        self.start.replace('-', "/")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditorRole {
    /// Name of the role (in the log-archive account).
    #[serde(default = "default_auditor_role")]
    #[schemars(pattern(ROLE_NAME))]
    pub name: String,
    /// Who may assume it: account ids (their administrators decide who) or
    /// role and user ARNs (they must exist when the stack is deployed).
    /// Empty: the log-archive account's `access_role`.
    #[serde(default)]
    #[schemars(inner(pattern(AUDITOR_PRINCIPAL)))]
    pub trusted_principals: Vec<String>,
}

impl Default for AuditorRole {
    fn default() -> Self {
        AuditorRole {
            name: default_auditor_role(),
            trusted_principals: Vec::new(),
        }
    }
}

fn default_database() -> String {
    "sessionlog".into()
}
fn default_workgroup() -> String {
    "sessionlog".into()
}
fn default_results_prefix() -> String {
    "athena-results".into()
}
fn default_start() -> String {
    "2026-01-01".into()
}
fn default_auditor_role() -> String {
    "sessionlog-auditor".into()
}
