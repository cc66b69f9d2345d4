//! `sessionlog sessions` and `sessionlog verify` over a synthetic archive
//! (tests/audit/synth.rs), in a local directory and in moto's S3: every
//! verdict from a planted case, a clean archive reported clean; verify
//! passes on the clean trail and fails on a deleted, an altered and a
//! re-signed trail file.

#[path = "deploy/support.rs"]
mod support;
#[path = "audit/synth.rs"]
mod synth;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Parser;
use serde_json::Value;
use sessionlog::cli::{run, Cli};
use synth::*;
use time::{Duration, OffsetDateTime};

const BUCKET: &str = "sessionlog-222222222222-us-east-1";
const ORG: &str = "o-a1b2c3d4e5";

fn config() -> String {
    support::root().join("src/config/example.sessionlog.yaml").display().to_string()
}

fn accounts() -> Vec<String> {
    vec!["333333333333".into(), "444444444444".into()]
}

fn regions() -> Vec<String> {
    vec!["us-east-1".into(), "eu-west-1".into()]
}

/// Three hours ending at the last full hour (moto stamps uploads with the
/// current time, so the window must include now).
fn start() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    let hour = now.replace_minute(0).unwrap().replace_second(0).unwrap().replace_nanosecond(0).unwrap();
    hour - Duration::hours(3)
}

fn spec(sessions: Vec<Planted>, start: OffsetDateTime) -> Spec {
    Spec {
        org: ORG.into(),
        bucket: BUCKET.into(),
        trail_prefix: "cloudtrail".into(),
        accounts_prefix: "accounts".into(),
        accounts: accounts(),
        regions: regions(),
        start,
        hours: 3,
        filler: 12,
        sessions,
    }
}

fn generate(dir: &Path, s: &Spec) -> Out {
    let mut out = Out::new(dir);
    write(s, &mut out);
    out
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let mut argv = vec!["sessionlog"];
    argv.extend_from_slice(args);
    let parsed = Cli::try_parse_from(argv).expect("arguments parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(parsed, &mut out, &mut err);
    (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

fn window(s: &Spec) -> (String, String) {
    (rfc(s.start), rfc(s.start + Duration::hours(4)))
}

/// `sessions --format json` rows by session id.
fn sessions(s: &Spec, place: &[&str]) -> BTreeMap<String, Value> {
    let (since, until) = window(s);
    let c = config();
    let mut args = vec![
        "sessions",
        "--config",
        &c,
        "--since",
        &since,
        "--until",
        &until,
        "--format",
        "json",
        "--recordings-prefix",
        "rdp-recordings/",
    ];
    args.extend_from_slice(place);
    let (code, out, err) = cli(&args);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    rows.into_iter().map(|r| (r["session_id"].as_str().unwrap().to_string(), r)).collect()
}

fn expected(p: Plant) -> &'static str {
    match p {
        Plant::Complete => "complete",
        Plant::Missing => "missing",
        Plant::Overwritten => "overwritten",
        Plant::Forged => "forged",
        Plant::Unlogged => "unlogged",
        Plant::Rdp => "complete",
    }
}

fn assert_verdicts(s: &Spec, rows: &BTreeMap<String, Value>) {
    assert_eq!(rows.len(), s.sessions.len(), "one row per planted session: {rows:#?}");
    for p in &s.sessions {
        let r = &rows[&p.session_id];
        assert_eq!(r["integrity"], expected(p.plant), "{:?}: {r:#}", p.plant);
        assert_eq!(r["account"], p.account.as_str());
        assert_eq!(r["region"], p.region.as_str());
        for field in ["session_id", "account", "region", "principal", "target", "document", "start", "end", "logs", "integrity"] {
            assert!(r.get(field).is_some(), "{field} in {r}");
        }
        if p.plant != Plant::Forged {
            assert_eq!(r["person"], p.person.as_str());
            assert_eq!(r["target"], p.instance.as_str());
            assert_eq!(r["start"], rfc(p.start).as_str());
            assert_eq!(r["end"], rfc(p.start + Duration::minutes(5)).as_str());
            assert!(r["principal"].as_str().unwrap().ends_with(&format!("/{}", p.person)));
        }
        if p.plant == Plant::Rdp {
            assert_eq!(r["kind"], "rdp");
            assert!(r["logs"][0].as_str().unwrap().contains("rdp-recordings/"), "{r}");
        }
        if p.plant == Plant::Overwritten {
            assert!(!r["original"].as_array().unwrap().is_empty(), "the original is shown: {r}");
        }
        if p.plant == Plant::Complete {
            let logs: Vec<&str> = r["logs"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
            assert!(logs.iter().any(|l| l.ends_with(&format!("/session-manager/{}.log", p.session_id))), "{logs:?}");
            assert!(logs.iter().any(|l| l.contains("/cloudwatch/")), "{logs:?}");
            assert!(logs.iter().all(|l| l.starts_with(&format!("s3://{BUCKET}/"))), "{logs:?}");
        }
    }
}

fn local_archive(plants: bool) -> (tempfile::TempDir, Spec, Out) {
    let dir = tempfile::tempdir().unwrap();
    let st = start();
    let sessions = if plants {
        plant_each(&accounts(), &regions(), st)
    } else {
        let mut all = plant_each(&accounts(), &regions(), st);
        for p in &mut all {
            p.plant = Plant::Complete;
        }
        all
    };
    let s = spec(sessions, st);
    let out = generate(dir.path(), &s);
    (dir, s, out)
}

#[test]
fn local_archive_every_verdict_and_filters() {
    let (dir, s, _) = local_archive(true);
    let d = dir.path().display().to_string();
    let rows = sessions(&s, &["--archive", &d]);
    assert_verdicts(&s, &rows);

    // Filters: one account, one user, one instance, CSV and table.
    let one = sessions(&s, &["--archive", &d, "--account", "333333333333", "--region", "us-east-1"]);
    assert!(one.values().all(|r| r["account"] == "333333333333" && r["region"] == "us-east-1"));
    assert!(!one.is_empty());
    let alice = sessions(&s, &["--archive", &d, "--user", "ALICE@example"]);
    assert_eq!(alice.len(), 1);
    let p = &s.sessions[1];
    let by_instance = sessions(&s, &["--archive", &d, "--instance", &p.instance]);
    assert_eq!(by_instance.keys().collect::<Vec<_>>(), [&p.session_id]);
    let (since, until) = window(&s);
    let c = config();
    let (code, csv, _) = cli(&["sessions", "--config", &c, "--archive", &d, "--since", &since, "--until", &until, "--format", "csv"]);
    assert_eq!(code, 0);
    assert_eq!(csv.lines().count(), 1 + s.sessions.len());
    assert!(csv.starts_with("session_id,account,region,principal"));

    // `show`: the copy when there is one, the agent's transcript otherwise.
    let complete = &s.sessions[0];
    let (code, text, err) =
        cli(&["sessions", "show", &complete.session_id, "--config", &c, "--archive", &d, "--since", &since, "--until", &until]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("tamper-proof copy"), "{err}");
    assert!(text.contains("cat /etc/shadow"), "{text}");
    let (code, _, err) = cli(&["sessions", "show", "nobody-0000", "--config", &c, "--archive", &d, "--since", &since, "--until", &until]);
    assert_eq!(code, 3, "{err}");

    // The Athena engine queries the bucket, not a local copy: a clear
    // error (it is run against moto's Athena in tests/athena_moto.rs).
    let (code, _, err) = cli(&["sessions", "--config", &c, "--archive", &d, "--engine", "athena"]);
    assert_eq!(code, 2);
    assert!(err.contains("--engine athena") && err.contains("--archive DIR is for --engine direct") || err.contains("needs log_archive.athena"), "{err}");
}

#[test]
fn local_archive_clean_is_complete() {
    let (dir, s, _) = local_archive(false);
    let rows = sessions(&s, &["--archive", &dir.path().display().to_string()]);
    assert_eq!(rows.len(), s.sessions.len());
    assert!(rows.values().all(|r| r["integrity"] == "complete"), "{rows:#?}");
}

fn keys_file(dir: &Path) -> PathBuf {
    let p = dir.join("public-keys.json");
    std::fs::write(&p, public_keys_json()).unwrap();
    p
}

fn verify(s: &Spec, place: &[&str], keys: &Path) -> (i32, String) {
    let (since, until) = window(s);
    let c = config();
    let k = keys.display().to_string();
    let mut args = vec!["verify", "--config", &c, "--since", &since, "--until", &until, "--public-keys", &k];
    args.extend_from_slice(place);
    let (code, out, err) = cli(&args);
    (code, out + &err)
}

/// The log file and digest of account 0, region 0, hour 1 (a digest in
/// the middle of its chain).
fn middle(out: &Out) -> (String, String) {
    let digests: Vec<&String> = out.signatures.keys().filter(|k| k.contains("/333333333333/CloudTrail-Digest/us-east-1/")).collect();
    let digest = digests[1].clone();
    let body: Value = serde_json::from_slice(&gunzip(&std::fs::read(out.root.join(&digest)).unwrap())).unwrap();
    (body["logFiles"][0]["s3Object"].as_str().unwrap().to_string(), digest)
}

/// Tamper with a copy of the archive: `Delete` a log file, `Alter` it, or
/// alter it and `Resign` its digest (new hash, signed with another key).
#[derive(Clone, Copy, Debug)]
enum Tamper {
    Delete,
    Alter,
    Resign,
}

fn altered_log(path: &Path) -> Vec<u8> {
    let text = String::from_utf8(gunzip(&std::fs::read(path).unwrap())).unwrap();
    gzip(text.replacen("DescribeInstances", "DescribeInstancez", 1).replacen("GetParameter", "GetParametez", 1).as_bytes())
}

/// Returns the new digest bytes and signature for `Resign`.
fn tamper(out: &Out, how: Tamper) -> (String, Option<(String, Vec<u8>, String)>) {
    let (log, digest) = middle(out);
    let log_path = out.root.join(&log);
    match how {
        Tamper::Delete => {
            std::fs::remove_file(&log_path).unwrap();
            (log, None)
        }
        Tamper::Alter => {
            std::fs::write(&log_path, altered_log(&log_path)).unwrap();
            (log, None)
        }
        Tamper::Resign => {
            let bytes = altered_log(&log_path);
            std::fs::write(&log_path, &bytes).unwrap();
            let dpath = out.root.join(&digest);
            let mut d: Value = serde_json::from_slice(&gunzip(&std::fs::read(&dpath).unwrap())).unwrap();
            use rsa::sha2::{Digest, Sha256};
            d["logFiles"][0]["hashValue"] = Value::String(hex::encode(Sha256::digest(gunzip(&bytes))));
            let uncompressed = serde_json::to_vec(&d).unwrap();
            let sig = sign_digest(&key(ATTACKER_KEY), &d, &uncompressed);
            let gz = gzip(&uncompressed);
            std::fs::write(&dpath, &gz).unwrap();
            (digest.clone(), Some((digest, gz, sig)))
        }
    }
}

#[test]
fn local_verify_clean_deleted_altered_resigned() {
    let (dir, s, out) = local_archive(true);
    let d = dir.path().display().to_string();
    let keys_dir = tempfile::tempdir().unwrap();
    let keys = keys_file(keys_dir.path());
    let (code, text) = verify(&s, &["--archive", &d], &keys);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("trail: 12 digest files valid"), "{text}");
    assert!(text.contains("guarantees: skipped"), "{text}");
    assert!(text.contains("newest digest file(s) not signature-checked"), "{text}");

    for how in [Tamper::Delete, Tamper::Alter, Tamper::Resign] {
        let (dir, s, out) = local_archive(true);
        let d = dir.path().display().to_string();
        let (named, _) = tamper(&out, how);
        let (code, text) = verify(&s, &["--archive", &d], &keys);
        assert_eq!(code, 3, "{how:?}: {text}");
        assert!(text.contains(&named), "{how:?} names {named}: {text}");
        let word = match how {
            Tamper::Delete => "MISSING",
            Tamper::Alter => "INVALID: hash value doesn't match",
            Tamper::Resign => "signature verification failed",
        };
        assert!(text.contains(word), "{how:?}: {text}");
    }
    drop(out);

    // A trail file CloudTrail never delivered: in no digest.
    let (dir, s, out) = local_archive(true);
    let (log, _) = middle(&out);
    let forged = format!("{}_f0f0f0f0f0f0f0f0.json.gz", log.rsplit_once('_').unwrap().0);
    std::fs::copy(out.root.join(&log), out.root.join(&forged)).unwrap();
    let (code, text) = verify(&s, &["--archive", &dir.path().display().to_string()], &keys);
    assert_eq!(code, 3, "{text}");
    assert!(text.contains(&format!("{forged} is in no digest file")), "{text}");
}

// ---- moto ----

struct Moto {
    _server: support::Server,
    url: String,
    rt: tokio::runtime::Runtime,
    s3: aws_sdk_s3::Client,
}

fn moto() -> Moto {
    let server = support::moto();
    let url = server.url();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let s3 = rt.block_on(async {
        let base = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&url)
            .region(aws_config::Region::new("us-east-1"))
            .load()
            .await;
        let creds = aws_sdk_sts::Client::new(&base)
            .assume_role()
            .role_arn("arn:aws:iam::222222222222:role/OrganizationAccountAccessRole")
            .role_session_name("test")
            .send()
            .await
            .unwrap();
        let c = creds.credentials().unwrap();
        let provider = aws_sdk_s3::config::Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            None,
            "test",
        );
        let cfg = aws_sdk_s3::config::Builder::from(&base).credentials_provider(provider).force_path_style(true).build();
        aws_sdk_s3::Client::from_conf(cfg)
    });
    Moto { _server: server, url, rt, s3 }
}

impl Moto {
    fn upload(&self, out: &Out) {
        self.rt.block_on(async {
            self.s3.create_bucket().bucket(BUCKET).send().await.unwrap();
            self.s3
                .put_bucket_versioning()
                .bucket(BUCKET)
                .versioning_configuration(
                    aws_sdk_s3::types::VersioningConfiguration::builder()
                        .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                        .build(),
                )
                .send()
                .await
                .unwrap();
            let mut files = Vec::new();
            walk(&out.root, &mut files);
            for f in files {
                let key = f.strip_prefix(&out.root).unwrap().to_string_lossy().to_string();
                self.put(&key, std::fs::read(&f).unwrap(), out.signatures.get(&key).cloned()).await;
            }
        });
    }

    async fn put(&self, key: &str, bytes: Vec<u8>, signature: Option<String>) {
        let mut req = self.s3.put_object().bucket(BUCKET).key(key).body(bytes.into());
        if let Some(sig) = signature {
            req = req.metadata("signature", sig).metadata("signature-algorithm", "SHA256withRSA");
        }
        req.send().await.unwrap();
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out)
        } else {
            out.push(p)
        }
    }
}

#[test]
fn moto_sessions_and_verify() {
    let m = moto();
    let (dir, mut s, out) = local_archive(true);
    m.upload(&out);
    // The complete session's transcript written a second time (same text):
    // noncurrent versions make it `overwritten`, with the original listed.
    let again = &s.sessions[0];
    let key = transcript_key(&s, again);
    m.rt.block_on(m.put(&key, std::fs::read(dir.path().join(&key)).unwrap(), None));
    s.sessions[0].plant = Plant::Overwritten;

    let url = m.url.clone();
    let rows = sessions(&s, &["--endpoint-url", &url]);
    assert_verdicts(&s, &rows);
    let orig = rows[&s.sessions[0].session_id]["original"][0].as_str().unwrap().to_string();
    assert!(orig.contains("?versionId="), "{orig}");

    let keys_dir = tempfile::tempdir().unwrap();
    let keys = keys_file(keys_dir.path());
    let (code, text) = verify(&s, &["--endpoint-url", &url, "--trail-only"], &keys);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("not signature-checked"), "S3 has every signature: {text}");
    // The bucket's own settings: moto's bucket has versioning and nothing
    // else the template renders (policy, lifecycle, key).
    let (code, text) = verify(&s, &["--endpoint-url", &url], &keys);
    assert_eq!(code, 3, "{text}");
    assert!(text.contains("bucket policy: the bucket has no policy"), "{text}");
    assert!(text.contains("lifecycle: rule sessionlog-retention is missing"), "{text}");
    assert!(!text.contains("versioning"), "versioning is on: {text}");

    // Re-signed in S3: the altered digest with the attacker's signature.
    let (_, resigned) = tamper(&out, Tamper::Resign);
    let (digest, gz, sig) = resigned.unwrap();
    let (log, _) = middle(&out);
    m.rt.block_on(async {
        m.put(&log, std::fs::read(out.root.join(&log)).unwrap(), None).await;
        m.put(&digest, gz, Some(sig)).await;
    });
    let (code, text) = verify(&s, &["--endpoint-url", &url, "--trail-only"], &keys);
    assert_eq!(code, 3, "{text}");
    assert!(text.contains(&digest) && text.contains("signature verification failed"), "{text}");
    assert!(text.contains("previousDigestSignature is not the signature"), "the chain breaks too: {text}");

    // Deleted in S3.
    m.rt.block_on(async { m.s3.delete_object().bucket(BUCKET).key(&log).send().await.unwrap() });
    let (code, text) = verify(&s, &["--endpoint-url", &url, "--trail-only"], &keys);
    assert_eq!(code, 3);
    assert!(text.contains(&format!("log file s3://{BUCKET}/{log} MISSING")), "{text}");
}
