//! One row of the sessions report and its integrity verdict.

use serde::Serialize;

/// What the archive says about one session (the five words of the report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Integrity {
    /// Every place the preferences say it is logged has it, and the copies agree.
    Complete,
    /// CloudTrail recorded the session; a transcript or recording the
    /// preferences require is not in the archive.
    Missing,
    /// The agent's transcript differs from the tamper-proof copy, or has
    /// noncurrent versions (the original is listed in `original`).
    Overwritten,
    /// A transcript or stream with no session in CloudTrail.
    Forged,
    /// A session through a document that logs nothing (port forwarding, SSH).
    Unlogged,
}

impl Integrity {
    pub fn word(self) -> &'static str {
        match self {
            Integrity::Complete => "complete",
            Integrity::Missing => "missing",
            Integrity::Overwritten => "overwritten",
            Integrity::Forged => "forged",
            Integrity::Unlogged => "unlogged",
        }
    }
}

/// What kind of connection a session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Shell,
    PortForwarding,
    Ssh,
    /// Fleet Manager Remote Desktop: a port-forwarding session GUI Connect
    /// started on the operator's behalf.
    Rdp,
    /// Only a transcript or stream: CloudTrail has no session.
    Unknown,
}

/// One session (or one orphan transcript/stream) and where it is logged.
#[derive(Debug, Clone, Serialize)]
pub struct SessionRow {
    pub session_id: String,
    pub account: String,
    pub region: String,
    /// The principal ARN from CloudTrail's `userIdentity`.
    pub principal: String,
    /// The person: the role session name of an assumed role (IAM Identity
    /// Center and federated roles name the person there), or the IAM user.
    pub person: String,
    pub source_ip: String,
    pub target: String,
    pub document: String,
    pub kind: Kind,
    /// RFC 3339, UTC.
    pub start: String,
    /// RFC 3339, UTC; empty when CloudTrail has no `TerminateSession` (the
    /// session timed out, or is still open) and no log says when it ended.
    pub end: String,
    /// Every place it is logged, as `s3://` URIs.
    pub logs: Vec<String>,
    /// The original of an overwritten transcript (`s3://…?versionId=…`), or
    /// the copy it differs from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub original: Vec<String>,
    pub integrity: Integrity,
    /// Why the verdict is what it is (one sentence).
    pub note: String,
}
