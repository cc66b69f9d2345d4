//! Where the archive is read from: a local copy laid out as `aws s3 sync`
//! lays it out (`--archive DIR`: the key is the path below DIR, and
//! `aws s3 sync` sets each file's modification time to the object's
//! `LastModified`), or the bucket itself (`s3.rs`).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};
use time::OffsetDateTime;

/// One object of a listing.
#[derive(Debug, Clone)]
pub struct Object {
    pub key: String,
    pub size: u64,
    pub last_modified: OffsetDateTime,
}

/// An earlier (noncurrent) version of an object.
#[derive(Debug, Clone)]
pub struct Version {
    pub key: String,
    pub version_id: String,
    pub last_modified: OffsetDateTime,
}

/// Read access to the archive. Implementations are called from several
/// worker threads at once.
pub trait ArchiveSource: Send + Sync {
    /// `s3://bucket/key` of a key (the bucket's URI even for a local copy).
    fn uri(&self, key: &str) -> String;
    /// The child "directories" of `prefix` (which ends in `/`), as names
    /// without the prefix or the trailing slash.
    fn list_dirs(&self, prefix: &str) -> Result<Vec<String>>;
    /// Every object under `prefix`.
    fn list(&self, prefix: &str) -> Result<Vec<Object>>;
    /// An object's bytes; `None` when it does not exist.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>>;
    /// The object's user metadata `signature` (CloudTrail digest files); a
    /// local copy has none (`aws s3 sync` does not keep metadata).
    fn signature(&self, key: &str) -> Result<Option<String>>;
    /// Noncurrent versions of the object, oldest first. `None` when the
    /// source cannot tell (a local copy).
    fn noncurrent_versions(&self, key: &str) -> Result<Option<Vec<Version>>>;
    /// Bytes read so far (objects fetched).
    fn bytes_read(&self) -> u64;
    /// A short description for messages: `s3://bucket` or the directory.
    fn describe(&self) -> String;
    /// True for the bucket itself (S3), false for a local copy.
    fn is_bucket(&self) -> bool;
}

/// A local copy of the bucket.
pub struct LocalDir {
    root: PathBuf,
    bucket: String,
    read: AtomicU64,
}

impl LocalDir {
    pub fn new(root: &Path, bucket: &str) -> Result<LocalDir> {
        if !root.is_dir() {
            anyhow::bail!("--archive {}: not a directory", root.display());
        }
        Ok(LocalDir { root: root.to_path_buf(), bucket: bucket.to_string(), read: AtomicU64::new(0) })
    }

    fn path(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }

    fn walk(&self, dir: &Path, out: &mut Vec<Object>) -> Result<()> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
        };
        for e in entries {
            let e = e?;
            let meta = e.metadata()?;
            if meta.is_dir() {
                self.walk(&e.path(), out)?;
            } else {
                let rel = e.path().strip_prefix(&self.root).expect("below root").to_string_lossy().replace('\\', "/");
                let modified = meta.modified().map(OffsetDateTime::from).unwrap_or(OffsetDateTime::UNIX_EPOCH);
                out.push(Object { key: rel, size: meta.len(), last_modified: modified });
            }
        }
        Ok(())
    }
}

impl ArchiveSource for LocalDir {
    fn uri(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    fn list_dirs(&self, prefix: &str) -> Result<Vec<String>> {
        let dir = self.path(prefix);
        let mut out = Vec::new();
        match std::fs::read_dir(&dir) {
            Ok(entries) => {
                for e in entries {
                    let e = e?;
                    if e.file_type()?.is_dir() {
                        out.push(e.file_name().to_string_lossy().into_owned());
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
        }
        out.sort();
        Ok(out)
    }

    fn list(&self, prefix: &str) -> Result<Vec<Object>> {
        let mut out = Vec::new();
        self.walk(&self.path(prefix), &mut out)?;
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        match std::fs::read(self.path(key)) {
            Ok(b) => {
                self.read.fetch_add(b.len() as u64, Ordering::Relaxed);
                Ok(Some(b))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", self.path(key).display())),
        }
    }

    fn signature(&self, _key: &str) -> Result<Option<String>> {
        Ok(None)
    }

    fn noncurrent_versions(&self, _key: &str) -> Result<Option<Vec<Version>>> {
        Ok(None)
    }

    fn bytes_read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    fn is_bucket(&self) -> bool {
        false
    }
}

/// Gunzip `bytes` (several gzip members, as Firehose and CloudTrail may
/// write, are read to the end).
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::with_capacity(bytes.len() * 4);
    flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out).context("not a gzip file")?;
    Ok(out)
}
