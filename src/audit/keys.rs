//! CloudTrail's public keys for digest signatures, by fingerprint: from
//! `cloudtrail:ListPublicKeys` (over S3), or from a file for offline use
//! (`--public-keys FILE`): the JSON `aws cloudtrail list-public-keys`
//! prints (`{"PublicKeyList": [{"Value": "<base64 DER>", "Fingerprint": …}]}`),
//! where `Value` is the DER-encoded PKCS #1 RSA public key.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::RsaPublicKey;
use serde::Deserialize;

#[derive(Debug, Default, Clone)]
pub struct PublicKeys {
    by_fingerprint: HashMap<String, RsaPublicKey>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListFile {
    public_key_list: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    value: String,
    fingerprint: String,
}

impl PublicKeys {
    pub fn insert_der(&mut self, fingerprint: &str, der: &[u8]) -> Result<()> {
        let key = RsaPublicKey::from_pkcs1_der(der).with_context(|| format!("public key {fingerprint}: not a PKCS #1 DER RSA key"))?;
        self.by_fingerprint.insert(fingerprint.to_string(), key);
        Ok(())
    }

    pub fn get(&self, fingerprint: &str) -> Option<&RsaPublicKey> {
        self.by_fingerprint.get(fingerprint)
    }

    pub fn len(&self) -> usize {
        self.by_fingerprint.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_fingerprint.is_empty()
    }

    pub fn from_file(path: &Path) -> Result<PublicKeys> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let list: ListFile = serde_json::from_str(&text)
            .with_context(|| format!("{}: expected the JSON of `aws cloudtrail list-public-keys`", path.display()))?;
        let mut keys = PublicKeys::default();
        for e in list.public_key_list {
            let der = aws_smithy_types::base64::decode(e.value.trim())
                .with_context(|| format!("{}: key {} is not base64", path.display(), e.fingerprint))?;
            keys.insert_der(&e.fingerprint, &der)?;
        }
        Ok(keys)
    }
}
