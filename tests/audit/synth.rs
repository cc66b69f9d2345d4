//! A synthetic but faithful archive, as sessionlog's stacks and AWS write
//! it (see src/audit/layout.rs): organization-trail log files
//! (`{"Records": [...]}`, GZIP) and hourly digest files (GZIP JSON, fields
//! as AWS's "CloudTrail digest file structure" page shows, signed with a
//! test RSA key the way the "custom implementation" page describes — the
//! signing string is built here independently of src/audit/verify.rs),
//! transcripts named `<session id>.log` as the SSM Agent uploads them, and
//! the copy as sessionlog's Firehose stream writes it (GZIP, one
//! CloudWatch Logs subscription record per line).
//!
//! Deterministic: the same spec writes the same bytes. Shared by the
//! tests (tests/sessions.rs) and the benchmark's generator
//! (examples/synth_archive.rs).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs1v15::SigningKey;
use rsa::sha2::{Digest, Sha256};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

pub const TEST_KEY: &str = include_str!("test-key.pem");
pub const ATTACKER_KEY: &str = include_str!("attacker-key.pem");
pub const FINGERPRINT: &str = "5a1e55105ea15e551011e55105ea15e5";
pub const TRAIL: &str = "sessionlog-organization";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plant {
    Complete,
    Missing,
    Overwritten,
    Forged,
    Unlogged,
    Rdp,
}

#[derive(Debug, Clone)]
pub struct Planted {
    pub plant: Plant,
    pub account: String,
    pub region: String,
    pub person: String,
    pub instance: String,
    pub start: OffsetDateTime,
    pub session_id: String,
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub org: String,
    pub bucket: String,
    pub trail_prefix: String,
    pub accounts_prefix: String,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    /// Hour-aligned start of the first hour.
    pub start: OffsetDateTime,
    pub hours: u32,
    /// Unrelated management events per log file.
    pub filler: usize,
    pub sessions: Vec<Planted>,
}

/// splitmix64: a deterministic stream per file.
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        while s.len() < n {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(n);
        s
    }
}

fn seed_of(parts: &[&str]) -> u64 {
    let h = Sha256::digest(parts.join("/").as_bytes());
    u64::from_le_bytes(h[..8].try_into().unwrap())
}

pub fn rfc(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

fn compact(t: OffsetDateTime, seconds: bool) -> String {
    if seconds {
        format!("{:04}{:02}{:02}T{:02}{:02}{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
    } else {
        format!("{:04}{:02}{:02}T{:02}{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
    }
}

fn day(t: OffsetDateTime) -> String {
    format!("{:04}/{:02}/{:02}", t.year(), u8::from(t.month()), t.day())
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

pub fn key(pem: &str) -> RsaPrivateKey {
    RsaPrivateKey::from_pkcs1_pem(pem).unwrap()
}

/// The hex signature of a digest, as AWS documents the signing string:
/// end time, `bucket/key`, hex SHA-256 of the uncompressed digest, the
/// previous digest's signature (`null` for the first), one per line.
pub fn sign_digest(private: &RsaPrivateKey, digest: &Value, uncompressed: &[u8]) -> String {
    let prev = digest["previousDigestSignature"].as_str().unwrap_or("null");
    let text = format!(
        "{}\n{}/{}\n{}\n{}",
        digest["digestEndTime"].as_str().unwrap(),
        digest["digestS3Bucket"].as_str().unwrap(),
        digest["digestS3Object"].as_str().unwrap(),
        hex::encode(Sha256::digest(uncompressed)),
        prev
    );
    hex::encode(SigningKey::<Sha256>::new(private.clone()).sign(text.as_bytes()).to_bytes())
}

/// `aws cloudtrail list-public-keys` output with the test key.
pub fn public_keys_json() -> String {
    let der = key(TEST_KEY).to_public_key().to_pkcs1_der().unwrap();
    json!({"PublicKeyList": [{
        "Value": aws_smithy_types::base64::encode(der.as_bytes()),
        "ValidityStartTime": "2020-01-01T00:00:00Z",
        "ValidityEndTime": "2099-01-01T00:00:00Z",
        "Fingerprint": FINGERPRINT
    }]})
    .to_string()
}

/// Where the generator writes: files below `root` with their
/// modification time set as `aws s3 sync` sets it, and each digest's
/// signature in `signatures` (S3 user metadata, which a sync drops).
pub struct Out {
    pub root: PathBuf,
    pub signatures: BTreeMap<String, String>,
    pub bytes: u64,
}

impl Out {
    pub fn new(root: &Path) -> Out {
        Out { root: root.to_path_buf(), signatures: BTreeMap::new(), bytes: 0 }
    }

    pub fn put(&mut self, key: &str, bytes: &[u8], mtime: OffsetDateTime) {
        let p = self.root.join(key);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let f = std::fs::File::create(&p).unwrap();
        (&f).write_all(bytes).unwrap();
        f.set_modified(mtime.into()).unwrap();
        self.bytes += bytes.len() as u64;
    }
}

pub fn session_id(person: &str, rng: &mut Rng) -> String {
    format!("{}-{}", person.split('@').next().unwrap(), rng.hex(17))
}

fn arn(account: &str, person: &str) -> String {
    format!("arn:aws:sts::{account}:assumed-role/AWSReservedSSO_Operators_0123456789abcdef/{person}")
}

fn identity(account: &str, person: &str, invoked_by: Option<&str>) -> Value {
    let mut id = json!({
        "type": "AssumedRole",
        "principalId": format!("AROAEXAMPLEOPERATOR:{person}"),
        "arn": arn(account, person),
        "accountId": account,
        "accessKeyId": "ASIAEXAMPLEKEY",
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEOPERATOR",
                "arn": format!("arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Operators_0123456789abcdef"),
                "accountId": account, "userName": "AWSReservedSSO_Operators_0123456789abcdef"},
            "attributes": {"creationDate": "2026-12-01T07:00:00Z", "mfaAuthenticated": "false"}
        }
    });
    if let Some(by) = invoked_by {
        id["invokedBy"] = json!(by);
    }
    id
}

fn base(account: &str, region: &str, t: OffsetDateTime, rng: &mut Rng) -> Value {
    json!({
        "eventVersion": "1.09",
        "eventTime": rfc(t),
        "awsRegion": region,
        "requestID": format!("{}-{}-{}-{}-{}", rng.hex(8), rng.hex(4), rng.hex(4), rng.hex(4), rng.hex(12)),
        "eventID": format!("{}-{}-{}-{}-{}", rng.hex(8), rng.hex(4), rng.hex(4), rng.hex(4), rng.hex(12)),
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": account,
        "eventCategory": "Management",
    })
}

fn filler(account: &str, region: &str, t: OffsetDateTime, rng: &mut Rng) -> Value {
    let mut r = base(account, region, t, rng);
    let names = ["DescribeInstances", "GetParameter", "AssumeRole", "ListBuckets", "DescribeLogStreams", "PutMetricData"];
    let sources = [
        "ec2.amazonaws.com",
        "ssm.amazonaws.com",
        "sts.amazonaws.com",
        "s3.amazonaws.com",
        "logs.amazonaws.com",
        "monitoring.amazonaws.com",
    ];
    let i = (rng.next() % names.len() as u64) as usize;
    r["eventSource"] = json!(sources[i]);
    r["eventName"] = json!(names[i]);
    r["readOnly"] = json!(true);
    r["userIdentity"] = json!({"type": "AssumedRole", "principalId": format!("AROA{}:i-{}", rng.hex(16).to_uppercase(), rng.hex(17)),
        "arn": format!("arn:aws:sts::{account}:assumed-role/app-{}/i-{}", rng.hex(6), rng.hex(17)), "accountId": account});
    r["sourceIPAddress"] = json!(format!("10.{}.{}.{}", rng.next() % 256, rng.next() % 256, rng.next() % 256));
    r["userAgent"] = json!(format!(
        "aws-sdk-go-v2/1.{}.{} os/linux lang/go#1.22 md/GOOS#linux md/GOARCH#amd64 api/{}#1.{}",
        rng.next() % 40,
        rng.next() % 9,
        names[i],
        rng.next() % 200
    ));
    r["requestParameters"] =
        json!({"maxResults": 1000, "filterSet": {"items": [{"name": "tag:Team", "valueSet": {"items": [{"value": rng.hex(12)}]}}]}});
    r["responseElements"] = Value::Null;
    r["tlsDetails"] = json!({"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": format!("{}.{region}.amazonaws.com", sources[i].split('.').next().unwrap())});
    r
}

pub fn lines_of(p: &Planted) -> Vec<String> {
    vec![
        format!("sh-5.2$ whoami"),
        "ssm-user".into(),
        format!("sh-5.2$ sudo cat /etc/shadow | head -1 # {}", p.session_id),
        "root:*:19700:0:99999:7:::".into(),
        "sh-5.2$ exit".into(),
    ]
}

fn session_records(p: &Planted, rng: &mut Rng) -> Vec<Value> {
    let (doc, by) = match p.plant {
        Plant::Unlogged => (Some("AWS-StartPortForwardingSession"), None),
        Plant::Rdp => (Some("AWS-StartPortForwardingSession"), Some("ssm-guiconnect.amazonaws.com")),
        _ => (None, None),
    };
    let mut start = base(&p.account, &p.region, p.start, rng);
    start["eventSource"] = json!("ssm.amazonaws.com");
    start["eventName"] = json!("StartSession");
    start["readOnly"] = json!(false);
    start["userIdentity"] = identity(&p.account, &p.person, by);
    start["sourceIPAddress"] = json!(by.unwrap_or("198.51.100.23"));
    start["userAgent"] = json!(by.unwrap_or("aws-cli/2.22.0 md/command#ssm.start-session"));
    let mut req = json!({"target": p.instance});
    if let Some(d) = doc {
        req["documentName"] = json!(d);
        req["parameters"] = json!({"portNumber": ["3389"], "localPortNumber": ["56789"]});
    }
    start["requestParameters"] = req;
    start["responseElements"] = json!({
        "sessionId": p.session_id,
        "tokenValue": "Value hidden due to security reasons.",
        "streamUrl": format!("wss://ssmmessages.{}.amazonaws.com/v1/data-channel/{}?role=publish_subscribe&cell-number=AAEAAQ", p.region, p.session_id)
    });
    let mut end = base(&p.account, &p.region, p.start + Duration::minutes(5), rng);
    end["eventSource"] = json!("ssm.amazonaws.com");
    end["eventName"] = json!("TerminateSession");
    end["readOnly"] = json!(false);
    end["userIdentity"] = identity(&p.account, &p.person, by);
    end["sourceIPAddress"] = json!(by.unwrap_or("198.51.100.23"));
    end["requestParameters"] = json!({"sessionId": p.session_id});
    end["responseElements"] = json!({"sessionId": p.session_id});
    vec![start, end]
}

/// Write the trail (log files and signed, chained digests) for every
/// account and region, and the planted sessions' logs.
pub fn write(spec: &Spec, out: &mut Out) {
    let private = key(TEST_KEY);
    for a in &spec.accounts {
        for r in &spec.regions {
            write_trail(spec, a, r, &private, out);
        }
    }
    for p in &spec.sessions {
        write_logs(spec, p, out);
    }
}

/// The log files of one account and region, without digests.
pub fn write_log_files(spec: &Spec, account: &str, region: &str, out: &mut Out) {
    trail(spec, account, region, None, out)
}

/// Every planted session's logs (transcripts, copy, recordings).
pub fn write_session_logs(spec: &Spec, out: &mut Out) {
    for p in &spec.sessions {
        write_logs(spec, p, out);
    }
}

pub fn write_trail(spec: &Spec, account: &str, region: &str, private: &RsaPrivateKey, out: &mut Out) {
    trail(spec, account, region, Some(private), out)
}

fn trail(spec: &Spec, account: &str, region: &str, private: Option<&RsaPrivateKey>, out: &mut Out) {
    let mut rng = Rng::new(seed_of(&[account, region]));
    let mut prev: Option<(String, String)> = None; // (key, signature)
    for h in 0..spec.hours {
        let hour = spec.start + Duration::hours(h.into());
        let mut records = Vec::with_capacity(spec.filler + 2);
        for i in 0..spec.filler {
            let t = hour + Duration::seconds((i as i64 * 3599) / spec.filler.max(1) as i64);
            records.push(filler(account, region, t, &mut rng));
        }
        for p in spec.sessions.iter().filter(|p| p.account == account && p.region == region && p.plant != Plant::Forged) {
            if p.start >= hour && p.start < hour + Duration::hours(1) {
                records.extend(session_records(p, &mut rng));
            }
        }
        let delivered = hour + Duration::minutes(55);
        let log_key = format!(
            "{}/AWSLogs/{}/{account}/CloudTrail/{region}/{}/{account}_CloudTrail_{region}_{}_{}.json.gz",
            spec.trail_prefix,
            spec.org,
            day(delivered),
            compact(delivered, false),
            rng.hex(16)
        );
        let body = serde_json::to_vec(&json!({"Records": records})).unwrap();
        out.put(&log_key, &gzip(&body), delivered);
        let Some(private) = private else { continue };

        let end = hour + Duration::hours(1);
        let digest_key = format!(
            "{}/AWSLogs/{}/{account}/CloudTrail-Digest/{region}/{}/{account}_CloudTrail-Digest_{region}_{TRAIL}_{}_{}.json.gz",
            spec.trail_prefix,
            spec.org,
            day(end),
            region,
            compact(end, true)
        );
        let digest = json!({
            "awsAccountId": account,
            "digestStartTime": rfc(hour),
            "digestEndTime": rfc(end),
            "digestS3Bucket": spec.bucket,
            "digestS3Object": digest_key,
            "digestPublicKeyFingerprint": FINGERPRINT,
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": rfc(hour + Duration::minutes(59)),
            "oldestEventTime": rfc(hour),
            "previousDigestS3Bucket": prev.as_ref().map(|_| spec.bucket.clone()),
            "previousDigestS3Object": prev.as_ref().map(|p| p.0.clone()),
            "previousDigestHashValue": Value::Null,
            "previousDigestHashAlgorithm": prev.as_ref().map(|_| "SHA-256"),
            "previousDigestSignature": prev.as_ref().map(|p| p.1.clone()),
            "logFiles": [{
                "s3Bucket": spec.bucket,
                "s3Object": log_key,
                "hashValue": hex::encode(Sha256::digest(&body)),
                "hashAlgorithm": "SHA-256",
                "newestEventTime": rfc(hour + Duration::minutes(59)),
                "oldestEventTime": rfc(hour)
            }]
        });
        let uncompressed = serde_json::to_vec(&digest).unwrap();
        let sig = sign_digest(private, &digest, &uncompressed);
        out.put(&digest_key, &gzip(&uncompressed), end + Duration::minutes(10));
        out.signatures.insert(digest_key.clone(), sig.clone());
        prev = Some((digest_key, sig));
    }
}

pub fn transcript_key(spec: &Spec, p: &Planted) -> String {
    format!("{}/{}/{}/session-manager/{}.log", spec.accounts_prefix, p.account, p.region, p.session_id)
}

fn write_logs(spec: &Spec, p: &Planted, out: &mut Out) {
    let mut rng = Rng::new(seed_of(&[&p.session_id]));
    let lines = lines_of(p);
    let ended = p.start + Duration::minutes(5);
    let (transcript, copy) = match p.plant {
        Plant::Complete | Plant::Forged => (Some(lines.clone()), true),
        Plant::Missing => (None, true),
        // Someone with the instance's role rewrote the transcript: the
        // shadow line is gone; the copy still has it.
        Plant::Overwritten => (Some(lines.iter().filter(|l| !l.contains("shadow")).cloned().collect()), true),
        Plant::Unlogged => (None, false),
        Plant::Rdp => {
            out.put(&format!("rdp-recordings/{}/{}/{}.mp4", p.account, p.region, p.session_id), b"\x00\x00\x00\x18ftypmp42", ended);
            (None, false)
        }
    };
    if let Some(t) = transcript {
        out.put(&transcript_key(spec, p), (t.join("\r\n") + "\r\n").as_bytes(), ended);
    }
    if copy {
        let message = json!({
            "eventVersion": "1.0", "eventTime": rfc(ended), "awsRegion": p.region,
            "target": {"id": p.instance}, "userIdentity": {"arn": arn(&p.account, &p.person)},
            "runAsUser": "ssm-user", "sessionId": p.session_id, "sessionData": lines
        });
        let record = json!({
            "messageType": "DATA_MESSAGE", "owner": p.account, "logGroup": "/sessionlog/session-manager",
            "logStream": p.session_id, "subscriptionFilters": ["sessionlog-session-logs"],
            "logEvents": [{"id": format!("{}", rng.next()), "timestamp": ended.unix_timestamp() * 1000, "message": message.to_string()}]
        });
        let control = json!({"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
            "subscriptionFilters": [], "logEvents": [{"id": "", "timestamp": ended.unix_timestamp() * 1000, "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]});
        let body = format!("{control}\n{record}\n");
        let delivered = ended + Duration::minutes(5);
        let key = format!(
            "{}/{}/{}/cloudwatch/{}/sessionlog-session-logs-1-{:04}-{:02}-{:02}-{:02}-{:02}-{:02}-{}.gz",
            spec.accounts_prefix,
            p.account,
            p.region,
            day(delivered),
            delivered.year(),
            u8::from(delivered.month()),
            delivered.day(),
            delivered.hour(),
            delivered.minute(),
            delivered.second(),
            rng.hex(32)
        );
        out.put(&key, &gzip(body.as_bytes()), delivered);
    }
}

/// One planted session of each kind, in the first account and region.
pub fn plant_each(accounts: &[String], regions: &[String], start: OffsetDateTime) -> Vec<Planted> {
    let mut rng = Rng::new(7);
    let kinds = [Plant::Complete, Plant::Missing, Plant::Overwritten, Plant::Forged, Plant::Unlogged, Plant::Rdp];
    let people =
        ["alice@example.com", "bob@example.com", "carol@example.com", "mallory@example.com", "dave@example.com", "erin@example.com"];
    kinds
        .iter()
        .zip(people)
        .enumerate()
        .map(|(i, (k, person))| Planted {
            plant: *k,
            account: accounts[i % accounts.len()].clone(),
            region: regions[i % regions.len()].clone(),
            person: person.into(),
            instance: format!("i-0{}", rng.hex(16)),
            start: start + Duration::minutes(10 + 7 * i as i64),
            session_id: session_id(person, &mut rng),
        })
        .collect()
}
