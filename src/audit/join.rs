//! The verdict of one session from what the archive holds for it.

use super::fingerprint::LineSet;
use super::row::{Integrity, Kind};

/// Documents whose sessions Session Manager does not log (its logging
/// covers shell sessions; port forwarding and SSH carry no transcript).
pub const UNLOGGED_DOCUMENTS: &[&str] = &[
    "AWS-StartPortForwardingSession",
    "AWS-StartPortForwardingSessionToRemoteHost",
    "AWS-StartPortForwardingSessionToSocket",
    "AWS-StartSSHSession",
];

pub fn kind(document: &str, invoked_by: &str) -> Kind {
    if document == "AWS-StartPortForwardingSession" && invoked_by == super::trail::GUI_CONNECT {
        return Kind::Rdp;
    }
    match document {
        "AWS-StartSSHSession" => Kind::Ssh,
        d if UNLOGGED_DOCUMENTS.contains(&d) => Kind::PortForwarding,
        _ => Kind::Shell,
    }
}

/// What the archive holds for one session CloudTrail recorded.
#[derive(Debug, Default)]
pub struct Evidence {
    /// The agent's transcript, its lines.
    pub transcript: Option<LineSet>,
    /// The transcript has noncurrent versions.
    pub overwritten_versions: bool,
    /// The tamper-proof copy, its lines.
    pub copy: Option<LineSet>,
    /// An RDP recording was found.
    pub recording: bool,
}

/// What the preferences and stacks say must exist for a session.
#[derive(Debug, Clone, Copy)]
pub struct Expected {
    pub transcript: bool,
    pub copy: bool,
    pub recording: bool,
}

/// The verdict and its reason.
pub fn verdict(kind: Kind, expected: Expected, e: &Evidence) -> (Integrity, String) {
    match kind {
        Kind::Unknown => (Integrity::Forged, "a transcript or stream with no session in CloudTrail".into()),
        Kind::PortForwarding | Kind::Ssh => {
            (Integrity::Unlogged, "Session Manager logs nothing of port-forwarding and SSH sessions".into())
        }
        Kind::Rdp if !expected.recording => (Integrity::Unlogged, "RDP recording is not configured in this region".into()),
        Kind::Rdp if e.recording => (Integrity::Complete, "recording found".into()),
        Kind::Rdp => (Integrity::Missing, "no recording found for this connection".into()),
        Kind::Shell => {
            if e.overwritten_versions {
                return (Integrity::Overwritten, "the transcript has noncurrent versions".into());
            }
            if let (Some(t), Some(c)) = (e.transcript, e.copy) {
                if t != c {
                    return (
                        Integrity::Overwritten,
                        format!("the transcript ({} lines) differs from the tamper-proof copy ({} lines)", t.count, c.count),
                    );
                }
            }
            let mut missing = Vec::new();
            if expected.transcript && e.transcript.is_none() {
                missing.push("the agent's transcript");
            }
            if expected.copy && e.copy.is_none() {
                missing.push("the tamper-proof copy");
            }
            if missing.is_empty() {
                (Integrity::Complete, "every expected log is there and the copies agree".into())
            } else {
                (Integrity::Missing, format!("not in the archive: {}", missing.join(", ")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Expected = Expected { transcript: true, copy: true, recording: true };

    #[test]
    fn verdicts() {
        let a = LineSet::of("a\nb");
        let shell = |t: Option<LineSet>, c: Option<LineSet>, v: bool| {
            verdict(Kind::Shell, ALL, &Evidence { transcript: t, copy: c, overwritten_versions: v, recording: false }).0
        };
        assert_eq!(shell(Some(a), Some(a), false), Integrity::Complete);
        assert_eq!(shell(Some(a), None, false), Integrity::Missing);
        assert_eq!(shell(None, Some(a), false), Integrity::Missing);
        assert_eq!(shell(Some(LineSet::of("a")), Some(a), false), Integrity::Overwritten);
        assert_eq!(shell(Some(a), Some(a), true), Integrity::Overwritten);
        let none = Evidence::default();
        assert_eq!(verdict(Kind::PortForwarding, ALL, &none).0, Integrity::Unlogged);
        assert_eq!(verdict(Kind::Rdp, ALL, &none).0, Integrity::Missing);
        assert_eq!(verdict(Kind::Rdp, ALL, &Evidence { recording: true, ..Default::default() }).0, Integrity::Complete);
        assert_eq!(verdict(Kind::Unknown, ALL, &none).0, Integrity::Forged);
        let only_s3 = Expected { transcript: true, copy: false, recording: false };
        assert_eq!(verdict(Kind::Shell, only_s3, &Evidence { transcript: Some(a), ..Default::default() }).0, Integrity::Complete);
    }

    #[test]
    fn kinds() {
        assert_eq!(kind("SSM-SessionManagerRunShell", ""), Kind::Shell);
        assert_eq!(kind("AWS-StartPortForwardingSession", ""), Kind::PortForwarding);
        assert_eq!(kind("AWS-StartPortForwardingSession", "ssm-guiconnect.amazonaws.com"), Kind::Rdp);
        assert_eq!(kind("AWS-StartSSHSession", ""), Kind::Ssh);
    }
}
