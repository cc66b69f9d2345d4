//! The tamper-proof copy as sessionlog's Firehose stream writes it: GZIP
//! objects holding one CloudWatch Logs subscription record per line
//! (`messageType`, `owner`, `logGroup`, `logStream`, `subscriptionFilters`,
//! `logEvents` with `id`, `timestamp`, `message`) — `stacks::log_copy`.
//!
//! Session Manager names the log stream after the session id. With
//! `cloudWatchStreamingEnabled` each event's message is a JSON document
//! whose `sessionData` holds the session's output lines; otherwise the
//! message is the output text itself. Both are read.

use serde::Deserialize;

use super::fingerprint::LineSet;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    #[serde(default)]
    message_type: String,
    #[serde(default)]
    log_stream: String,
    #[serde(default)]
    log_events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    #[serde(default)]
    timestamp: i64,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Streamed {
    #[serde(default)]
    session_data: Vec<String>,
}

/// What one object says about one session's stream.
#[derive(Debug, Default)]
pub struct StreamPart {
    pub session_id: String,
    pub lines: LineSet,
    /// Milliseconds since the epoch of the newest event.
    pub last_event_ms: i64,
}

/// The session streams of one uncompressed copy object. Lines that are
/// not records (a truncated object) are skipped and counted.
pub fn stream_parts(text: &[u8]) -> (Vec<StreamPart>, usize) {
    let mut out: Vec<StreamPart> = Vec::new();
    let mut bad = 0;
    for line in text.split(|b| *b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let Ok(r) = serde_json::from_slice::<Record>(line) else {
            bad += 1;
            continue;
        };
        if r.message_type != "DATA_MESSAGE" || r.log_stream.is_empty() {
            continue;
        }
        let idx = match out.iter().position(|p| p.session_id == r.log_stream) {
            Some(i) => i,
            None => {
                out.push(StreamPart { session_id: r.log_stream.clone(), ..Default::default() });
                out.len() - 1
            }
        };
        let part = &mut out[idx];
        for e in r.log_events {
            part.last_event_ms = part.last_event_ms.max(e.timestamp);
            match serde_json::from_str::<Streamed>(&e.message) {
                Ok(s) if !s.session_data.is_empty() => {
                    for l in &s.session_data {
                        part.lines.add_text(l);
                    }
                }
                _ => part.lines.add_text(&e.message),
            }
        }
    }
    (out, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_per_line() {
        let text = concat!(
            r#"{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}"#,
            "\n",
            r#"{"messageType":"DATA_MESSAGE","owner":"333333333333","logGroup":"/sessionlog/session-manager","logStream":"alice-0a1","subscriptionFilters":["sessionlog-session-logs"],"logEvents":[{"id":"1","timestamp":1700000000000,"message":"{\"sessionId\":\"alice-0a1\",\"sessionData\":[\"$ whoami\",\"root\"]}"},{"id":"2","timestamp":1700000001000,"message":"$ exit"}]}"#,
            "\n"
        );
        let (parts, bad) = stream_parts(text.as_bytes());
        assert_eq!(bad, 0);
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].session_id, "alice-0a1");
        assert_eq!(parts[0].lines.count, 3);
        assert_eq!(parts[0].last_event_ms, 1700000001000);
    }
}
