//! Where sessionlog's stacks put things in the archive bucket (the keys
//! `stacks::archive`, `stacks::log_copy` and `stacks::guardrails::trail`
//! configure), read back from the same configuration.
//!
//! - transcripts the SSM Agent uploads:
//!   `<accounts>/<account>/<region>/<session prefix>/<session id>.log`
//! - the tamper-proof copy Firehose writes:
//!   `<accounts>/<account>/<region>/<copy prefix>/<yyyy>/<MM>/<dd>/<stream>-…` (GZIP,
//!   one CloudWatch Logs subscription record per line)
//! - the organization trail:
//!   `<trail prefix>/AWSLogs/<organization id>/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/…json.gz`,
//!   digests under `…/<account>/CloudTrail-Digest/<region>/…`

use time::Date;

use crate::config::guardrails::TrailMode;
use crate::config::model::Config;
use crate::stacks::names::Names;

use super::window::day_path;

#[derive(Debug, Clone)]
pub struct Layout {
    pub bucket: String,
    pub accounts_prefix: String,
    pub session_prefix: String,
    pub copy_prefix: String,
    pub trail_prefix: String,
    pub organization_id: String,
    pub management_account: String,
    /// Whether the preferences make the agent upload transcripts to S3.
    pub s3_transcripts: bool,
    /// Whether the CloudWatch copy is deployed.
    pub copy: bool,
    /// Whether sessionlog deploys the organization trail into this bucket.
    pub trail: bool,
    /// Regions with RDP recording (`rdp_recording`, where AWS offers it).
    pub rdp_regions: Vec<String>,
    pub regions: Vec<String>,
}

impl Layout {
    pub fn new(c: &Config) -> Layout {
        let names = Names::new(c);
        Layout {
            bucket: names.bucket(),
            accounts_prefix: names.bucket_prefix().to_string(),
            session_prefix: c.session_manager.s3.key_prefix.clone(),
            copy_prefix: names.log_copy_segments().0,
            trail_prefix: c.guardrails.cloudtrail.organization_prefix().to_string(),
            organization_id: c.organization.id.clone(),
            management_account: c.organization.management_account.clone(),
            s3_transcripts: c.session_manager.s3.enabled,
            copy: crate::stacks::log_copy::enabled(c),
            trail: c.guardrails.cloudtrail.mode == TrailMode::Organization,
            rdp_regions: names.rdp_regions(),
            regions: c.regions.clone(),
        }
    }

    /// `cloudtrail/AWSLogs/<org>/` — one "directory" per account below.
    pub fn trail_accounts(&self) -> String {
        format!("{}/AWSLogs/{}/", self.trail_prefix, self.organization_id)
    }

    pub fn trail_regions(&self, account: &str) -> String {
        format!("{}{account}/CloudTrail/", self.trail_accounts())
    }

    pub fn trail_day(&self, account: &str, region: &str, day: Date) -> String {
        format!("{}{region}/{}/", self.trail_regions(account), day_path(day))
    }

    pub fn digest_day(&self, account: &str, region: &str, day: Date) -> String {
        format!("{}{account}/CloudTrail-Digest/{region}/{}/", self.trail_accounts(), day_path(day))
    }

    pub fn digest_regions(&self, account: &str) -> String {
        format!("{}{account}/CloudTrail-Digest/", self.trail_accounts())
    }

    /// `accounts/` — one directory per account below.
    pub fn member_accounts(&self) -> String {
        format!("{}/", self.accounts_prefix)
    }

    pub fn transcripts(&self, account: &str, region: &str) -> String {
        format!("{}/{account}/{region}/{}/", self.accounts_prefix, self.session_prefix)
    }

    pub fn transcript(&self, account: &str, region: &str, session_id: &str) -> String {
        format!("{}{session_id}.log", self.transcripts(account, region))
    }

    pub fn copy_day(&self, account: &str, region: &str, day: Date) -> String {
        format!("{}/{account}/{region}/{}/{}/", self.accounts_prefix, self.copy_prefix, day_path(day))
    }

    pub fn uri(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }
}

/// The session id of a transcript key (`…/<session id>.log`).
pub fn transcript_session(key: &str) -> Option<&str> {
    key.rsplit('/').next()?.strip_suffix(".log")
}
