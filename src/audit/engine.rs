//! The engines that produce the sessions report. `direct` reads the
//! archive itself (this module); an Athena engine (`--engine athena`)
//! plugs in by implementing [`Engine`] over the Glue tables of the
//! log-archive stack and returning the same rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{Context, Result};
use time::{Duration, OffsetDateTime};

use super::archive::{gunzip, ArchiveSource, Object};
use super::copy::stream_parts;
use super::fingerprint::LineSet;
use super::join::{kind, verdict, Evidence, Expected};
use super::layout::{transcript_session, Layout};
use super::row::{Integrity, Kind, SessionRow};
use super::scan;
use super::trail::{session_events, Action, SessionEvent};
use super::window::{rfc3339, Window};

/// What the report is asked for.
#[derive(Debug, Clone)]
pub struct Query {
    pub window: Window,
    /// Empty: every account.
    pub accounts: Vec<String>,
    /// Empty: every region the trail has.
    pub regions: Vec<String>,
    /// Matches the principal ARN or the person (case-insensitive, substring).
    pub user: Option<String>,
    pub instance: Option<String>,
    /// Where RDP recordings are looked for (AWS does not document the key
    /// GUI Connect writes them under).
    pub recordings_prefix: Option<String>,
    /// Longest session (`session_manager.max_session_duration`).
    pub max_session: Duration,
}

/// The rows and what it took to produce them.
#[derive(Debug, Default)]
pub struct Report {
    pub rows: Vec<SessionRow>,
    pub objects_read: u64,
    pub bytes_read: u64,
    /// Things the reader should know (unconfirmed facts, skipped parts).
    pub notes: Vec<String>,
}

/// A session's transcript as `sessions show` prints it.
#[derive(Debug)]
pub struct Transcript {
    /// Which copy: `tamper-proof copy` or `agent transcript`.
    pub source: &'static str,
    pub uris: Vec<String>,
    pub text: String,
}

/// What an engine must do. The Athena engine implements this over its
/// tables and returns rows with the same fields and verdicts.
pub trait Engine {
    fn sessions(&self, q: &Query) -> Result<Report>;
    fn show(&self, session_id: &str, q: &Query) -> Result<Option<Transcript>>;
}

/// Reads the archive directly.
pub struct Direct<'a> {
    pub source: &'a dyn ArchiveSource,
    pub layout: &'a Layout,
}

struct Transcripts {
    /// session id → (account, region, object)
    by_session: HashMap<String, (String, String, Object)>,
}

#[derive(Default)]
struct CopyOf {
    lines: LineSet,
    keys: BTreeSet<String>,
    last_event_ms: i64,
    account: String,
    region: String,
}

impl<'a> Direct<'a> {
    fn accounts(&self, q: &Query) -> Result<Vec<String>> {
        if !q.accounts.is_empty() {
            return Ok(q.accounts.clone());
        }
        let mut all: BTreeSet<String> = self.source.list_dirs(&self.layout.trail_accounts())?.into_iter().collect();
        all.extend(self.source.list_dirs(&self.layout.member_accounts())?);
        Ok(all.into_iter().filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())).collect())
    }

    /// (account, region) pairs: the regions the trail has for the account
    /// and the regions the account's logs are under.
    fn places(&self, q: &Query, accounts: &[String]) -> Result<Vec<(String, String)>> {
        let found = scan::each(accounts, "regions", |a| -> Result<Vec<(String, String)>> {
            let mut regions: BTreeSet<String> = if q.regions.is_empty() {
                let mut r: BTreeSet<String> = self.source.list_dirs(&self.layout.trail_regions(a))?.into_iter().collect();
                r.extend(self.source.list_dirs(&format!("{}{a}/", self.layout.member_accounts()))?);
                r
            } else {
                q.regions.iter().cloned().collect()
            };
            regions.retain(|r| r.contains('-'));
            Ok(regions.into_iter().map(|r| (a.clone(), r)).collect())
        });
        let mut out = Vec::new();
        for f in found {
            out.extend(f?);
        }
        out.sort();
        Ok(out)
    }

    /// Objects under `prefixes` read by `read`, in chunks of prefixes:
    /// each chunk is listed, then its objects are read, all in parallel, so
    /// memory holds one chunk's listing and `read`'s results, whatever
    /// the size of the window.
    fn read_prefixes<P: Sync, R: Send>(
        &self,
        prefixes: &[P],
        what: &str,
        prefix: impl Fn(&P) -> &str + Sync,
        keep: impl Fn(&Object) -> bool + Sync,
        read: impl Fn(&P, &Object, Vec<u8>) -> Result<R> + Sync,
    ) -> Result<Vec<R>> {
        const CHUNK: usize = 256;
        let bar = scan::progress(prefixes.len() as u64, what);
        let mut out = Vec::new();
        for chunk in prefixes.chunks(CHUNK) {
            let mut objects = Vec::new();
            for (p, listed) in chunk.iter().zip(scan::each_in_order(chunk, |p| self.source.list(prefix(p)))) {
                objects.extend(listed?.into_iter().filter(|o| keep(o)).map(|o| (p, o)));
            }
            for r in scan::each_in_order(&objects, |(p, o)| -> Result<Option<R>> {
                match self.source.get(&o.key)? {
                    Some(bytes) => read(p, o, bytes).map(Some),
                    None => Ok(None),
                }
            }) {
                out.extend(r?);
            }
            bar.inc(chunk.len() as u64);
        }
        bar.finish_and_clear();
        Ok(out)
    }

    /// The session events of the trail files delivered in `w` (the time
    /// in their name).
    fn trail_events(&self, places: &[(String, String)], w: &Window) -> Result<Vec<SessionEvent>> {
        let prefixes: Vec<String> =
            places.iter().flat_map(|(a, r)| w.days().into_iter().map(move |d| self.layout.trail_day(a, r, d))).collect();
        let (since, until) = (compact(w.since), compact(w.until));
        // `<account>_CloudTrail_<region>_<yyyymmddThhmmZ>_<unique>.json.gz`
        let keep = |o: &Object| match o.key.rsplit('_').nth(1) {
            Some(stamp) if stamp.len() == 14 => stamp >= since.as_str() && stamp < until.as_str(),
            _ => true,
        };
        let found = self.read_prefixes(
            &prefixes,
            "reading the trail",
            |p| p.as_str(),
            keep,
            |_, o, bytes| {
                let json = gunzip(&bytes).with_context(|| self.source.uri(&o.key))?;
                session_events(&json).with_context(|| format!("{}: not a CloudTrail log file", self.source.uri(&o.key)))
            },
        )?;
        Ok(found.into_iter().flatten().collect())
    }

    fn transcripts(&self, places: &[(String, String)], w: &Window) -> Result<Transcripts> {
        let mut by_session = HashMap::new();
        if !self.layout.s3_transcripts {
            return Ok(Transcripts { by_session });
        }
        let listed = scan::each(places, "listing transcripts", |(a, r)| {
            self.source.list(&self.layout.transcripts(a, r)).map(|objs| (a.clone(), r.clone(), objs))
        });
        for l in listed {
            let (a, r, objs) = l?;
            for o in objs {
                if !w.contains(o.last_modified) {
                    continue;
                }
                if let Some(id) = transcript_session(&o.key) {
                    by_session.insert(id.to_string(), (a.clone(), r.clone(), o));
                }
            }
        }
        Ok(Transcripts { by_session })
    }

    fn copies(&self, places: &[(String, String)], w: &Window) -> Result<(HashMap<String, CopyOf>, usize)> {
        let mut out: HashMap<String, CopyOf> = HashMap::new();
        if !self.layout.copy {
            return Ok((out, 0));
        }
        let prefixes: Vec<(String, String, String)> = places
            .iter()
            .flat_map(|(a, r)| w.days().into_iter().map(move |d| (a.clone(), r.clone(), self.layout.copy_day(a, r, d))))
            .collect();
        let found = self.read_prefixes(
            &prefixes,
            "reading the copy",
            |p| p.2.as_str(),
            |_| true,
            |(a, r, _), o, bytes| {
                let text = gunzip(&bytes).with_context(|| self.source.uri(&o.key))?;
                let (parts, bad) = stream_parts(&text);
                Ok((a.clone(), r.clone(), o.key.clone(), parts, bad))
            },
        )?;
        let mut bad = 0;
        for (a, r, key, parts, b) in found {
            bad += b;
            for p in parts {
                let c = out.entry(p.session_id).or_default();
                c.lines.merge(&p.lines);
                c.keys.insert(key.clone());
                c.last_event_ms = c.last_event_ms.max(p.last_event_ms);
                c.account = a.clone();
                c.region = r.clone();
            }
        }
        Ok((out, bad))
    }

    fn recordings(&self, q: &Query) -> Result<Vec<String>> {
        match &q.recordings_prefix {
            Some(p) => Ok(self.source.list(p)?.into_iter().map(|o| o.key).collect()),
            None => Ok(Vec::new()),
        }
    }
}

/// `yyyymmddThhmmZ`, as CloudTrail stamps log file names (sorts as time).
fn compact(t: OffsetDateTime) -> String {
    format!("{:04}{:02}{:02}T{:02}{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}

fn matches(row: &SessionRow, q: &Query) -> bool {
    if let Some(u) = &q.user {
        let u = u.to_lowercase();
        if !row.principal.to_lowercase().contains(&u) && !row.person.to_lowercase().contains(&u) {
            return false;
        }
    }
    if let Some(i) = &q.instance {
        if !row.target.contains(i.as_str()) {
            return false;
        }
    }
    true
}

impl Engine for Direct<'_> {
    fn sessions(&self, q: &Query) -> Result<Report> {
        let margin = q.max_session + Duration::hours(1);
        // Trail: sessions that started in the window, and their later
        // events; a transcript of the window may belong to a session that
        // started up to one session length before it.
        let trail_window = q.window.widened(margin, margin);
        let log_window = q.window.widened(Duration::ZERO, margin);
        let accounts = self.accounts(q)?;
        let places = self.places(q, &accounts)?;
        let events = self.trail_events(&places, &trail_window)?;
        let transcripts = self.transcripts(&places, &log_window)?;
        let (copies, bad_lines) = self.copies(&places, &log_window)?;
        let recordings = self.recordings(q)?;
        let in_scope = |a: &str, r: &str| places.binary_search(&(a.to_string(), r.to_string())).is_ok();

        let mut starts: BTreeMap<String, SessionEvent> = BTreeMap::new();
        let mut ends: HashMap<String, OffsetDateTime> = HashMap::new();
        for e in &events {
            match e.action {
                Action::Start => {
                    starts.entry(e.session_id.clone()).or_insert_with(|| e.clone());
                }
                Action::Terminate => {
                    ends.entry(e.session_id.clone()).and_modify(|t| *t = (*t).min(e.time)).or_insert(e.time);
                }
                Action::Resume => {}
            }
        }

        // Transcripts of sessions in the window, read in parallel: their lines and versions.
        let wanted: Vec<(String, String)> = transcripts
            .by_session
            .iter()
            .filter(|(id, _)| starts.get(*id).map(|s| q.window.contains(s.time)).unwrap_or(true))
            .map(|(id, (_, _, o))| (id.clone(), o.key.clone()))
            .collect();
        let read = scan::each(&wanted, "reading transcripts", |(id, key)| -> Result<_> {
            let lines = self.source.get(key)?.map(|b| LineSet::of(&String::from_utf8_lossy(&b)));
            let versions = self.source.noncurrent_versions(key)?;
            Ok((id.clone(), lines, versions))
        });
        let mut transcript_lines = HashMap::new();
        let mut versions = HashMap::new();
        for r in read {
            let (id, lines, v) = r?;
            if let Some(l) = lines {
                transcript_lines.insert(id.clone(), l);
            }
            if let Some(v) = v {
                versions.insert(id, v);
            }
        }

        let mut rows = Vec::new();
        for (id, s) in &starts {
            if !q.window.contains(s.time) || !in_scope(&s.account, &s.region) {
                continue;
            }
            let k = kind(&s.document, &s.invoked_by);
            let mut logs = Vec::new();
            let mut original = Vec::new();
            let mut ev = Evidence::default();
            if let Some((_, _, o)) = transcripts.by_session.get(id) {
                logs.push(self.source.uri(&o.key));
                ev.transcript = transcript_lines.get(id).copied();
                if let Some(v) = versions.get(id).filter(|v| !v.is_empty()) {
                    ev.overwritten_versions = true;
                    original.extend(v.iter().map(|v| format!("{}?versionId={}", self.source.uri(&v.key), v.version_id)));
                }
            }
            let mut end = ends.get(id).copied();
            if let Some(c) = copies.get(id) {
                logs.extend(c.keys.iter().map(|k| self.source.uri(k)));
                ev.copy = Some(c.lines);
                if end.is_none() && c.last_event_ms > 0 {
                    end = OffsetDateTime::from_unix_timestamp(c.last_event_ms / 1000).ok();
                }
            }
            for r in recordings.iter().filter(|r| r.contains(id.as_str())) {
                logs.push(self.source.uri(r));
                ev.recording = true;
            }
            let expected = Expected {
                transcript: self.layout.s3_transcripts,
                copy: self.layout.copy,
                recording: self.layout.rdp_regions.contains(&s.region),
            };
            let (integrity, mut note) = verdict(k, expected, &ev);
            if integrity == Integrity::Overwritten && original.is_empty() {
                original.extend(copies.get(id).into_iter().flat_map(|c| c.keys.iter().map(|k| self.source.uri(k))));
            }
            if k == Kind::Rdp && q.recordings_prefix.is_none() {
                note =
                    "recording not looked up: AWS does not document the key GUI Connect writes recordings under; give --recordings-prefix"
                        .into();
            }
            rows.push(SessionRow {
                session_id: id.clone(),
                account: s.account.clone(),
                region: s.region.clone(),
                principal: s.principal.clone(),
                person: s.person.clone(),
                source_ip: s.source_ip.clone(),
                target: s.target.clone(),
                document: s.document.clone(),
                kind: k,
                start: rfc3339(s.time),
                end: end.map(rfc3339).unwrap_or_default(),
                logs,
                original,
                integrity,
                note,
            });
        }

        // Orphans: transcripts and streams of the window with no session in CloudTrail.
        let mut orphans: BTreeMap<String, (String, String, Vec<String>, OffsetDateTime)> = BTreeMap::new();
        for (id, (a, r, o)) in &transcripts.by_session {
            if !starts.contains_key(id) && q.window.contains(o.last_modified) {
                let e = orphans.entry(id.clone()).or_insert((a.clone(), r.clone(), Vec::new(), o.last_modified));
                e.2.push(self.source.uri(&o.key));
            }
        }
        for (id, c) in &copies {
            let t = OffsetDateTime::from_unix_timestamp(c.last_event_ms / 1000).unwrap_or(OffsetDateTime::UNIX_EPOCH);
            if !starts.contains_key(id) && q.window.contains(t) {
                let e = orphans.entry(id.clone()).or_insert((c.account.clone(), c.region.clone(), Vec::new(), t));
                e.2.extend(c.keys.iter().map(|k| self.source.uri(k)));
            }
        }
        for (id, (a, r, logs, t)) in orphans {
            let (integrity, note) =
                verdict(Kind::Unknown, Expected { transcript: false, copy: false, recording: false }, &Evidence::default());
            rows.push(SessionRow {
                session_id: id,
                account: a,
                region: r,
                principal: String::new(),
                person: String::new(),
                source_ip: String::new(),
                target: String::new(),
                document: String::new(),
                kind: Kind::Unknown,
                start: String::new(),
                end: rfc3339(t),
                logs,
                original: Vec::new(),
                integrity,
                note,
            });
        }
        rows.retain(|r| matches(r, q));
        // By start; an orphan (no start) by the time of its newest log.
        let when = |r: &SessionRow| if r.start.is_empty() { r.end.clone() } else { r.start.clone() };
        rows.sort_by(|a, b| (when(a), &a.account, &a.region, &a.session_id).cmp(&(when(b), &b.account, &b.region, &b.session_id)));

        let mut notes = Vec::new();
        if bad_lines > 0 {
            notes.push(format!("{bad_lines} lines of the tamper-proof copy are not CloudWatch Logs records and were skipped"));
        }
        if rows.iter().any(|r| r.kind == Kind::Rdp) {
            notes.push("RDP: the connection is attributed through the AWS-StartPortForwardingSession session GUI Connect starts for the operator (userIdentity.invokedBy ssm-guiconnect.amazonaws.com); AWS does not document the recording's object key or a CloudTrail record of the connection itself".into());
        }
        Ok(Report { rows, objects_read: 0, bytes_read: self.source.bytes_read(), notes })
    }

    fn show(&self, session_id: &str, q: &Query) -> Result<Option<Transcript>> {
        let report = self.sessions(q)?;
        let Some(row) = report.rows.into_iter().find(|r| r.session_id == session_id) else { return Ok(None) };
        let prefix = format!("s3://{}/", self.layout.bucket);
        let keys: Vec<String> = row.logs.iter().filter_map(|u| u.strip_prefix(&prefix)).map(str::to_string).collect();
        let copy_marker = format!("/{}/", self.layout.copy_prefix);
        let copy_keys: Vec<&String> = keys.iter().filter(|k| k.contains(&copy_marker)).collect();
        if !copy_keys.is_empty() {
            let mut events: Vec<(i64, String, String)> = Vec::new();
            for k in &copy_keys {
                let Some(bytes) = self.source.get(k)? else { continue };
                collect_events(&gunzip(&bytes)?, session_id, &mut events);
            }
            events.sort();
            let text: String = events.into_iter().map(|(_, _, t)| t + "\n").collect();
            return Ok(Some(Transcript {
                source: "tamper-proof copy",
                uris: copy_keys.iter().map(|k| self.source.uri(k)).collect(),
                text,
            }));
        }
        for k in keys.iter().filter(|k| k.ends_with(".log")) {
            if let Some(b) = self.source.get(k)? {
                return Ok(Some(Transcript {
                    source: "agent transcript",
                    uris: vec![self.source.uri(k)],
                    text: String::from_utf8_lossy(&b).into_owned(),
                }));
            }
        }
        Ok(Some(Transcript { source: "none", uris: Vec::new(), text: String::new() }))
    }
}

/// The events of one session in a copy object, as (timestamp, id, text).
fn collect_events(text: &[u8], session_id: &str, out: &mut Vec<(i64, String, String)>) {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Rec {
        #[serde(default)]
        log_stream: String,
        #[serde(default)]
        log_events: Vec<Ev>,
    }
    #[derive(serde::Deserialize)]
    struct Ev {
        #[serde(default)]
        id: String,
        #[serde(default)]
        timestamp: i64,
        #[serde(default)]
        message: String,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Streamed {
        #[serde(default)]
        session_data: Vec<String>,
    }
    for line in text.split(|b| *b == b'\n') {
        let Ok(r) = serde_json::from_slice::<Rec>(line) else { continue };
        if r.log_stream != session_id {
            continue;
        }
        for e in r.log_events {
            let text = match serde_json::from_str::<Streamed>(&e.message) {
                Ok(s) if !s.session_data.is_empty() => s.session_data.join("\n"),
                _ => e.message,
            };
            out.push((e.timestamp, e.id, text));
        }
    }
}
