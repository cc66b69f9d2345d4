//! The archive read from the bucket itself, through the AWS SDK for Rust.
//! Calls block on a Tokio runtime so the report's worker threads can use it.

use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};
use aws_sdk_s3::Client;
use time::OffsetDateTime;
use tokio::runtime::Handle;

use super::archive::{ArchiveSource, Object, Version};

pub struct S3Source {
    client: Client,
    bucket: String,
    handle: Handle,
    read: AtomicU64,
}

fn when(t: Option<&aws_smithy_types::DateTime>) -> OffsetDateTime {
    t.and_then(|t| OffsetDateTime::from_unix_timestamp(t.secs()).ok()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl S3Source {
    pub fn new(client: Client, bucket: &str, handle: Handle) -> S3Source {
        S3Source { client, bucket: bucket.to_string(), handle, read: AtomicU64::new(0) }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl ArchiveSource for S3Source {
    fn uri(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    fn list_dirs(&self, prefix: &str) -> Result<Vec<String>> {
        self.handle.block_on(async {
            let mut out = Vec::new();
            let mut pages = self.client.list_objects_v2().bucket(&self.bucket).prefix(prefix).delimiter("/").into_paginator().send();
            while let Some(page) = pages.next().await {
                let page = page.with_context(|| format!("listing s3://{}/{prefix}", self.bucket))?;
                for p in page.common_prefixes() {
                    if let Some(name) = p.prefix().and_then(|p| p.strip_prefix(prefix)) {
                        out.push(name.trim_end_matches('/').to_string());
                    }
                }
            }
            out.sort();
            Ok(out)
        })
    }

    fn list(&self, prefix: &str) -> Result<Vec<Object>> {
        self.handle.block_on(async {
            let mut out = Vec::new();
            let mut pages = self.client.list_objects_v2().bucket(&self.bucket).prefix(prefix).into_paginator().send();
            while let Some(page) = pages.next().await {
                let page = page.with_context(|| format!("listing s3://{}/{prefix}", self.bucket))?;
                for o in page.contents() {
                    out.push(Object {
                        key: o.key().unwrap_or_default().to_string(),
                        size: o.size().unwrap_or(0) as u64,
                        last_modified: when(o.last_modified()),
                    });
                }
            }
            Ok(out)
        })
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.handle.block_on(async {
            match self.client.get_object().bucket(&self.bucket).key(key).send().await {
                Ok(o) => {
                    let bytes = o.body.collect().await.with_context(|| format!("reading {}", self.uri(key)))?.to_vec();
                    self.read.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                    Ok(Some(bytes))
                }
                Err(e) if e.as_service_error().map(|s| s.is_no_such_key()).unwrap_or(false) => Ok(None),
                Err(e) => Err(anyhow::Error::new(e).context(format!("reading {}", self.uri(key)))),
            }
        })
    }

    fn signature(&self, key: &str) -> Result<Option<String>> {
        self.handle.block_on(async {
            match self.client.head_object().bucket(&self.bucket).key(key).send().await {
                Ok(o) => Ok(o.metadata().and_then(|m| m.get("signature")).cloned()),
                Err(e) if e.as_service_error().map(|s| s.is_not_found()).unwrap_or(false) => Ok(None),
                Err(e) => Err(anyhow::Error::new(e).context(format!("reading the metadata of {}", self.uri(key)))),
            }
        })
    }

    fn noncurrent_versions(&self, key: &str) -> Result<Option<Vec<Version>>> {
        self.handle.block_on(async {
            let mut out = Vec::new();
            let (mut key_marker, mut version_marker): (Option<String>, Option<String>) = (None, None);
            loop {
                let page = self
                    .client
                    .list_object_versions()
                    .bucket(&self.bucket)
                    .prefix(key)
                    .set_key_marker(key_marker.take())
                    .set_version_id_marker(version_marker.take())
                    .send()
                    .await
                    .with_context(|| format!("listing the versions of {}", self.uri(key)))?;
                for v in page.versions() {
                    if v.key() == Some(key) && v.is_latest() == Some(false) {
                        out.push(Version {
                            key: key.to_string(),
                            version_id: v.version_id().unwrap_or_default().to_string(),
                            last_modified: when(v.last_modified()),
                        });
                    }
                }
                if page.is_truncated() != Some(true) {
                    break;
                }
                key_marker = page.next_key_marker().map(str::to_string);
                version_marker = page.next_version_id_marker().map(str::to_string);
            }
            out.sort_by_key(|v| v.last_modified);
            Ok(Some(out))
        })
    }

    fn bytes_read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }

    fn describe(&self) -> String {
        format!("s3://{}", self.bucket)
    }

    fn is_bucket(&self) -> bool {
        true
    }
}
