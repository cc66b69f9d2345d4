//! The organization trail's records that say who opened and closed a
//! session: `StartSession`, `ResumeSession`, `TerminateSession`
//! (`ssm.amazonaws.com`), as CloudTrail writes them into a log file
//! (`{"Records": [...]}`, GZIP).
//!
//! Fleet Manager Remote Desktop (GUI Connect) opens an RDP connection by
//! starting an `AWS-StartPortForwardingSession` session on the operator's
//! behalf: that `StartSession` names the operator in `userIdentity` and GUI
//! Connect in `userIdentity.invokedBy` (how `aws:CalledVia` conditions see
//! it). That the record carries `invokedBy: ssm-guiconnect.amazonaws.com`
//! is what sessionlog expects from how CloudTrail records calls made
//! through a service; AWS's documentation does not show such a record.

use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub const SSM: &str = "ssm.amazonaws.com";
pub const GUI_CONNECT: &str = "ssm-guiconnect.amazonaws.com";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Resume,
    Terminate,
}

/// One session event of the trail.
#[derive(Debug, Clone)]
pub struct SessionEvent {
    pub action: Action,
    pub session_id: String,
    pub account: String,
    pub region: String,
    pub time: OffsetDateTime,
    pub principal: String,
    pub person: String,
    pub source_ip: String,
    pub target: String,
    pub document: String,
    /// The service that made the call on the principal's behalf (GUI Connect for RDP).
    pub invoked_by: String,
}

#[derive(Deserialize)]
struct LogFile {
    #[serde(rename = "Records", default)]
    records: Vec<Record>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    #[serde(default)]
    event_source: String,
    #[serde(default)]
    event_name: String,
    #[serde(default)]
    event_time: String,
    #[serde(default)]
    aws_region: String,
    #[serde(default)]
    recipient_account_id: String,
    #[serde(rename = "sourceIPAddress", default)]
    source_ip_address: String,
    #[serde(default)]
    user_identity: Identity,
    #[serde(default)]
    request_parameters: Option<Params>,
    #[serde(default)]
    response_elements: Option<Params>,
    #[serde(default)]
    error_code: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Identity {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    arn: String,
    #[serde(default)]
    account_id: String,
    #[serde(default)]
    user_name: String,
    #[serde(default)]
    invoked_by: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Params {
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    document_name: Option<String>,
    #[serde(default)]
    session_id: Option<String>,
}

/// The person behind a principal: the role session name of an assumed
/// role (IAM Identity Center names it after the user; SAML and OIDC
/// federation after the federated identity — for other roles it is what
/// the caller chose), or the IAM user's name.
pub fn person(arn: &str, kind: &str, user_name: &str) -> String {
    if let Some(rest) = arn.split(":assumed-role/").nth(1) {
        return rest.split('/').nth(1).unwrap_or_default().to_string();
    }
    if kind == "IAMUser" || kind == "Root" {
        return user_name.to_string();
    }
    arn.rsplit('/').next().unwrap_or_default().to_string()
}

/// Whether a log file (uncompressed) can hold a session event at all: a
/// byte search that spares parsing the (many) files without one.
pub fn may_hold_sessions(json: &[u8]) -> bool {
    memchr::memmem::find(json, SSM.as_bytes()).is_some() && memchr::memmem::find(json, b"Session").is_some()
}

/// The session events of one uncompressed log file.
pub fn session_events(json: &[u8]) -> serde_json::Result<Vec<SessionEvent>> {
    if !may_hold_sessions(json) {
        return Ok(Vec::new());
    }
    let file: LogFile = serde_json::from_slice(json)?;
    Ok(file.records.into_iter().filter_map(event).collect())
}

fn event(r: Record) -> Option<SessionEvent> {
    if r.event_source != SSM || r.error_code.is_some() {
        return None;
    }
    let action = match r.event_name.as_str() {
        "StartSession" => Action::Start,
        "ResumeSession" => Action::Resume,
        "TerminateSession" => Action::Terminate,
        _ => return None,
    };
    let req = r.request_parameters.unwrap_or_default();
    let resp = r.response_elements.unwrap_or_default();
    let session_id = resp.session_id.or(req.session_id)?;
    let time = OffsetDateTime::parse(&r.event_time, &Rfc3339).ok()?;
    let account = if r.recipient_account_id.is_empty() { r.user_identity.account_id.clone() } else { r.recipient_account_id };
    let id = r.user_identity;
    Some(SessionEvent {
        action,
        session_id,
        account,
        region: r.aws_region,
        time,
        person: person(&id.arn, &id.kind, &id.user_name),
        principal: id.arn,
        source_ip: r.source_ip_address,
        target: req.target.unwrap_or_default(),
        // No document name: Session Manager's default shell document.
        document: req.document_name.unwrap_or_else(|| "SSM-SessionManagerRunShell".into()),
        invoked_by: id.invoked_by,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_and_terminate() {
        let json = br#"{"Records":[
          {"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice@example.com",
           "arn":"arn:aws:sts::333333333333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com","accountId":"333333333333"},
           "eventTime":"2026-12-01T10:00:00Z","eventSource":"ssm.amazonaws.com","eventName":"StartSession","awsRegion":"eu-west-1",
           "sourceIPAddress":"198.51.100.7","requestParameters":{"target":"i-0123456789abcdef0"},
           "responseElements":{"sessionId":"alice@example.com-0a1b2c3d4e5f60718","tokenValue":"Value hidden due to security reasons.","streamUrl":"wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/alice@example.com-0a1b2c3d4e5f60718?role=publish_subscribe"},
           "recipientAccountId":"333333333333"},
          {"eventSource":"ssm.amazonaws.com","eventName":"TerminateSession","eventTime":"2026-12-01T10:05:00Z","awsRegion":"eu-west-1",
           "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::333333333333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com"},
           "requestParameters":{"sessionId":"alice@example.com-0a1b2c3d4e5f60718"},"responseElements":{"sessionId":"alice@example.com-0a1b2c3d4e5f60718"},"recipientAccountId":"333333333333"},
          {"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-12-01T10:05:00Z"}]}"#;
        let ev = session_events(json).unwrap();
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].action, Action::Start);
        assert_eq!(ev[0].person, "alice@example.com");
        assert_eq!(ev[0].target, "i-0123456789abcdef0");
        assert_eq!(ev[0].document, "SSM-SessionManagerRunShell");
        assert_eq!(ev[1].action, Action::Terminate);
        assert_eq!(ev[1].session_id, ev[0].session_id);
    }

    #[test]
    fn files_without_sessions_are_not_parsed() {
        assert!(session_events(b"{not json, no ssm}").unwrap().is_empty());
    }
}
