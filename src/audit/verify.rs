//! The organization trail's log-file integrity, checked the way `aws
//! cloudtrail validate-logs` checks it (awscli's
//! `customizations/cloudtrail/validation.py`, and AWS's "Custom
//! implementations of CloudTrail log file integrity validation"):
//!
//! - each digest file (GZIP JSON) is where it says it is
//!   (`digestS3Bucket`/`digestS3Object`);
//! - its signature (hex, the object's user metadata `signature`) verifies
//!   with the public key named by `digestPublicKeyFingerprint`, RSA
//!   PKCS #1 v1.5 over SHA-256 of the string
//!   `digestEndTime \n bucket/key \n hex(SHA-256(uncompressed digest)) \n previousDigestSignature`
//!   (`null` for the first digest of a chain);
//! - its `previousDigestSignature` is the previous digest's signature
//!   (the chain), and the previous digest exists;
//! - each log file it lists exists and the SHA-256 of its uncompressed
//!   content is its `hashValue`.
//!
//! A local copy has no object metadata (`aws s3 sync` does not keep it):
//! there each digest's signature is taken from the next digest's
//! `previousDigestSignature`, and the newest digest of each chain cannot
//! be checked — said in the output.

use std::collections::{BTreeMap, HashSet};

use anyhow::Result;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::sha2::{Digest as _, Sha256};
use rsa::signature::Verifier;
use serde::Deserialize;

use super::archive::{gunzip, ArchiveSource};
use super::keys::PublicKeys;
use super::layout::Layout;
use super::scan;
use super::window::Window;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestFile {
    pub aws_account_id: String,
    pub digest_start_time: String,
    pub digest_end_time: String,
    pub digest_s3_bucket: String,
    pub digest_s3_object: String,
    #[serde(default)]
    pub digest_public_key_fingerprint: String,
    #[serde(default)]
    pub digest_signature_algorithm: String,
    #[serde(default)]
    pub previous_digest_s3_bucket: Option<String>,
    #[serde(default)]
    pub previous_digest_s3_object: Option<String>,
    #[serde(default)]
    pub previous_digest_signature: Option<String>,
    #[serde(default)]
    pub log_files: Vec<LogFileRef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogFileRef {
    pub s3_bucket: String,
    pub s3_object: String,
    pub hash_value: String,
}

/// The string CloudTrail signs for a digest.
pub fn string_to_sign(d: &DigestFile, uncompressed: &[u8]) -> String {
    format!(
        "{}\n{}/{}\n{}\n{}",
        d.digest_end_time,
        d.digest_s3_bucket,
        d.digest_s3_object,
        hex::encode(Sha256::digest(uncompressed)),
        d.previous_digest_signature.as_deref().unwrap_or("null")
    )
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Finding {
    DigestMissing { uri: String, referenced_by: String },
    DigestInvalid { uri: String, why: String },
    LogMissing { uri: String },
    LogAltered { uri: String },
    LogNotInDigest { uri: String },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::DigestMissing { uri, referenced_by } => {
                write!(f, "digest file {uri} MISSING (the previous digest of {referenced_by})")
            }
            Finding::DigestInvalid { uri, why } => write!(f, "digest file {uri} INVALID: {why}"),
            Finding::LogMissing { uri } => write!(f, "log file {uri} MISSING (listed in a digest)"),
            Finding::LogAltered { uri } => write!(f, "log file {uri} INVALID: hash value doesn't match"),
            Finding::LogNotInDigest { uri } => write!(f, "log file {uri} is in no digest file of the window"),
        }
    }
}

#[derive(Debug, Default)]
pub struct TrailCheck {
    pub digests_valid: usize,
    pub logs_valid: usize,
    pub findings: Vec<Finding>,
    /// Digests whose signature could not be checked (the newest of each
    /// chain of a local copy).
    pub unverifiable: Vec<String>,
}

struct Loaded {
    key: String,
    digest: DigestFile,
    uncompressed: Vec<u8>,
    signature: Option<String>,
}

/// Check every digest chain (one per account and region) whose digests
/// end in the window, and the log files they list.
pub fn check_trail(
    source: &dyn ArchiveSource,
    layout: &Layout,
    keys: &PublicKeys,
    window: &Window,
    accounts: &[String],
) -> Result<TrailCheck> {
    let accounts: Vec<String> = if accounts.is_empty() { source.list_dirs(&layout.trail_accounts())? } else { accounts.to_vec() };
    let mut places = Vec::new();
    for r in scan::each(&accounts, "regions", |a| {
        source.list_dirs(&layout.digest_regions(a)).map(|rs| rs.into_iter().map(|r| (a.clone(), r)).collect::<Vec<_>>())
    }) {
        places.extend(r?);
    }
    let chains = scan::each(&places, "digest chains", |(a, r)| check_chain(source, layout, keys, window, a, r));
    let mut out = TrailCheck::default();
    for c in chains {
        let c = c?;
        out.digests_valid += c.digests_valid;
        out.logs_valid += c.logs_valid;
        out.findings.extend(c.findings);
        out.unverifiable.extend(c.unverifiable);
    }
    out.findings.sort();
    out.unverifiable.sort();
    Ok(out)
}

fn check_chain(
    source: &dyn ArchiveSource,
    layout: &Layout,
    keys: &PublicKeys,
    window: &Window,
    account: &str,
    region: &str,
) -> Result<TrailCheck> {
    let mut out = TrailCheck::default();
    let mut loaded: Vec<Loaded> = Vec::new();
    for day in window.days() {
        for o in source.list(&layout.digest_day(account, region, day))? {
            if !o.key.ends_with(".json.gz") {
                continue;
            }
            let uri = source.uri(&o.key);
            let Some(bytes) = source.get(&o.key)? else { continue };
            let uncompressed = match gunzip(&bytes) {
                Ok(u) => u,
                Err(e) => {
                    out.findings.push(Finding::DigestInvalid { uri, why: format!("{e}") });
                    continue;
                }
            };
            let digest: DigestFile = match serde_json::from_slice(&uncompressed) {
                Ok(d) => d,
                Err(e) => {
                    out.findings.push(Finding::DigestInvalid { uri, why: format!("not a digest file: {e}") });
                    continue;
                }
            };
            let signature = source.signature(&o.key)?;
            loaded.push(Loaded { key: o.key, digest, uncompressed, signature });
        }
    }
    loaded.sort_by(|a, b| a.digest.digest_end_time.cmp(&b.digest.digest_end_time));
    let by_key: BTreeMap<&str, usize> = loaded.iter().enumerate().map(|(i, l)| (l.key.as_str(), i)).collect();
    // Offline: each digest's signature as the next digest records it.
    let mut recorded: BTreeMap<&str, &str> = BTreeMap::new();
    for l in &loaded {
        if let (Some(prev), Some(sig)) = (&l.digest.previous_digest_s3_object, &l.digest.previous_digest_signature) {
            recorded.insert(prev.as_str(), sig.as_str());
        }
    }
    let mut listed: HashSet<String> = HashSet::new();
    let first_day = window.days().first().map(|d| layout.digest_day(account, region, *d)).unwrap_or_default();
    for l in &loaded {
        let uri = source.uri(&l.key);
        let d = &l.digest;
        let mut invalid = Vec::new();
        if d.digest_s3_bucket != layout.bucket || d.digest_s3_object != l.key {
            invalid.push(format!("it says it is s3://{}/{}", d.digest_s3_bucket, d.digest_s3_object));
        }
        if d.digest_signature_algorithm != "SHA256withRSA" {
            invalid.push(format!("unknown signature algorithm `{}`", d.digest_signature_algorithm));
        }
        let signature = l.signature.as_deref().or_else(|| if source.is_bucket() { None } else { recorded.get(l.key.as_str()).copied() });
        match signature {
            None if source.is_bucket() => invalid.push("the object has no `signature` metadata".into()),
            None => out.unverifiable.push(uri.clone()),
            Some(sig) => match keys.get(&d.digest_public_key_fingerprint) {
                None => invalid.push(format!("no public key with fingerprint {}", d.digest_public_key_fingerprint)),
                Some(pk) => {
                    let ok = hex::decode(sig)
                        .ok()
                        .and_then(|b| Signature::try_from(b.as_slice()).ok())
                        .map(|s| VerifyingKey::<Sha256>::new(pk.clone()).verify(string_to_sign(d, &l.uncompressed).as_bytes(), &s).is_ok())
                        .unwrap_or(false);
                    if !ok {
                        invalid.push("signature verification failed".into());
                    }
                }
            },
        }
        // The chain: the previous digest exists and its signature is the one recorded here.
        if let Some(prev) = &d.previous_digest_s3_object {
            match by_key.get(prev.as_str()) {
                Some(&i) => {
                    let p = &loaded[i];
                    if let (Some(have), Some(want)) = (&p.signature, &d.previous_digest_signature) {
                        if have != want {
                            invalid.push(format!("its previousDigestSignature is not the signature of {}", source.uri(prev)));
                        }
                    }
                }
                // Before the window: not loaded, not a finding.
                None if prev.as_str() < first_day.as_str() => {}
                None => match source.get(prev)? {
                    Some(_) => {}
                    None => out.findings.push(Finding::DigestMissing { uri: source.uri(prev), referenced_by: uri.clone() }),
                },
            }
        }
        if invalid.is_empty() {
            out.digests_valid += 1;
        } else {
            out.findings.push(Finding::DigestInvalid { uri: uri.clone(), why: invalid.join("; ") });
        }
        for f in &d.log_files {
            listed.insert(f.s3_object.clone());
        }
        let checked = scan_logs(source, &d.log_files);
        for (f, state) in d.log_files.iter().zip(checked) {
            let uri = format!("s3://{}/{}", f.s3_bucket, f.s3_object);
            match state? {
                LogState::Valid => out.logs_valid += 1,
                LogState::Missing => out.findings.push(Finding::LogMissing { uri }),
                LogState::Altered => out.findings.push(Finding::LogAltered { uri }),
            }
        }
    }
    // Log files delivered an hour or more before the newest digest closed,
    // in no digest (a file delivered late in an hour may be in the next).
    if let Some(newest) = loaded.last() {
        let end = time::OffsetDateTime::parse(&newest.digest.digest_end_time, &time::format_description::well_known::Rfc3339)
            .map(|t| super::window::rfc3339(t - time::Duration::hours(1)))
            .unwrap_or_default();
        for day in window.days() {
            for o in source.list(&layout.trail_day(account, region, day))? {
                let stamp = o.key.rsplit('_').nth(1).map(compact_to_rfc3339).unwrap_or_default();
                if !listed.contains(&o.key) && !stamp.is_empty() && stamp < end {
                    out.findings.push(Finding::LogNotInDigest { uri: source.uri(&o.key) });
                }
            }
        }
    }
    Ok(out)
}

/// `20261201T1005Z` (a log file name's time) as `2026-12-01T10:05:00Z`.
fn compact_to_rfc3339(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() < 14 || b[8] != b'T' {
        return String::new();
    }
    format!("{}-{}-{}T{}:{}:00Z", &s[0..4], &s[4..6], &s[6..8], &s[9..11], &s[11..13])
}

enum LogState {
    Valid,
    Missing,
    Altered,
}

fn scan_logs(source: &dyn ArchiveSource, files: &[LogFileRef]) -> Vec<Result<LogState>> {
    files
        .iter()
        .map(|f| {
            let Some(bytes) = source.get(&f.s3_object)? else { return Ok(LogState::Missing) };
            let ok = gunzip(&bytes).map(|u| hex::encode(Sha256::digest(&u)) == f.hash_value).unwrap_or(false);
            Ok(if ok { LogState::Valid } else { LogState::Altered })
        })
        .collect()
}
