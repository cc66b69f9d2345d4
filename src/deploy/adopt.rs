//! Finding the retained resources a plain stack will adopt (fact 11): in the
//! log-archive stacks a bucket by its name, a key by the
//! `sessionlog:component` tag sessionlog puts on it (the one that encrypts
//! the bucket when there are several), a replica key by its primary's key
//! id; in the management account's guardrails stack, the organization trail
//! by its name, in its home region. Only for a stack that does not exist
//! (never created, deleted by `destroy`, or a first create that rolled back):
//! an existing stack already holds its resources.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use serde_json::Value;

use super::client::Aws;
use super::import_template::{references, resolve, retained_resources, Place, Retained, ToImport};
use super::PlainStack;
use crate::stacks::tags::COMPONENT_TAG;

/// A resource to adopt, and how it was recognized.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Found {
    #[serde(flatten)]
    pub import: ToImport,
    pub why: String,
}

/// What a stack will adopt, what could not be, and what the import template
/// needs in place of resources that are gone.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    pub found: Vec<Found>,
    /// Retained resources that exist but cannot be adopted, with what to do.
    pub notes: Vec<String>,
    /// `logical id → value` for references the import template cannot keep.
    pub substitutes: BTreeMap<String, String>,
}

impl Discovery {
    pub fn imports(&self) -> Vec<ToImport> {
        self.found.iter().map(|f| f.import.clone()).collect()
    }
}

/// A customer managed key of the log-archive account, as KMS describes it.
#[derive(Debug, Clone)]
struct KmsKey {
    id: String,
    state: String,
    multi_region_primary: bool,
    created: i64,
    tags: BTreeMap<String, String>,
}

/// The retained resources of `stack` that exist in its account and region.
pub async fn discover(
    aws: &Aws,
    stack: &PlainStack,
    template: &Value,
    params: &BTreeMap<String, String>,
) -> Result<Discovery> {
    let at = Place {
        account: &stack.account,
        region: &stack.region,
        partition: &aws.partition,
        parameters: params,
    };
    let retained = retained_resources(template);
    let mut d = Discovery::default();
    // the bucket's current encryption key id, by bucket logical id
    let mut bucket_keys: BTreeMap<String, String> = BTreeMap::new();
    for r in retained
        .iter()
        .filter(|r| r.resource_type == "AWS::S3::Bucket")
    {
        let Some(name) = resolve(&r.properties["BucketName"], &at) else {
            d.notes.push(format!(
                "{}: its name is not known before deployment; it is not looked for",
                r.logical_id
            ));
            continue;
        };
        if let Some(key) = bucket(aws, &stack.region, &name).await? {
            bucket_keys.insert(r.logical_id.clone(), key);
            d.found.push(found(
                r,
                &name,
                "a bucket of that name exists in the log-archive account",
            ));
        }
    }
    let key_resources: Vec<&Retained> = retained
        .iter()
        .filter(|r| r.resource_type == "AWS::KMS::Key")
        .collect();
    if !key_resources.is_empty() {
        let keys = customer_keys(aws, &stack.region).await?;
        for r in key_resources {
            adopt_key(r, &keys, stack, &retained, &bucket_keys, &mut d);
        }
    }
    for r in retained
        .iter()
        .filter(|r| r.resource_type == "AWS::KMS::ReplicaKey")
    {
        let Some(primary) = resolve(&r.properties["PrimaryKeyArn"], &at) else {
            continue;
        };
        let Some(id) = primary.rsplit_once("key/").map(|(_, id)| id.to_string()) else {
            continue;
        };
        match describe(aws, &stack.region, &id).await? {
            Some(k) if k.state == "Enabled" && !k.multi_region_primary => {
                d.found.push(found(
                    r,
                    &k.id,
                    &format!("the replica of primary key {id} exists in {}", stack.region),
                ));
            }
            Some(k) => d.notes.push(unusable(r, &k)),
            None => {}
        }
    }
    for r in retained
        .iter()
        .filter(|r| r.resource_type == "AWS::CloudTrail::Trail")
    {
        let Some(name) = resolve(&r.properties["TrailName"], &at) else {
            continue;
        };
        match trail(aws, stack, &name).await? {
            Some(home) if home == stack.region => d.found.push(found(
                r,
                &name,
                "a trail of that name exists in this account and region (a retained trail outlives its stack)",
            )),
            Some(home) => d.notes.push(format!(
                "{}: trail {name} exists with its home region in {home}, not {}: it cannot be adopted here. \
                 Guard it with `guardrails.cloudtrail.mode: existing`, or set `guardrails.region: {home}`",
                r.logical_id, stack.region
            )),
            None => {}
        }
    }
    Ok(d)
}

/// The home region of the trail `name` in the stack's account, if it exists.
async fn trail(aws: &Aws, stack: &PlainStack, name: &str) -> Result<Option<String>> {
    let ct = aws.cloudtrail_in(&stack.account, &stack.region);
    match ct.get_trail().name(name).send().await {
        Ok(out) => Ok(out.trail.map(|t| t.home_region.unwrap_or_else(|| stack.region.clone()))),
        Err(e)
            if e
                .as_service_error()
                .is_some_and(|se| se.is_trail_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => bail!(
            "looking for the retained trail {name} in {}/{}: {}",
            stack.account,
            stack.region,
            aws_smithy_types::error::display::DisplayErrorContext(&e)
        ),
    }
}

fn found(r: &Retained, identifier: &str, why: &str) -> Found {
    Found {
        import: ToImport {
            logical_id: r.logical_id.clone(),
            resource_type: r.resource_type.clone(),
            identifier: identifier.to_string(),
        },
        why: why.to_string(),
    }
}

/// Why a key that looks like ours is not adopted, and what to do.
fn unusable(r: &Retained, k: &KmsKey) -> String {
    match k.state.as_str() {
        "PendingDeletion" | "PendingReplicaDeletion" => format!(
            "{}: key {} is pending deletion; what it encrypted becomes unreadable when it is deleted. To adopt it \
             instead of creating a new key: `aws kms cancel-key-deletion --key-id {}` (then `aws kms enable-key`), \
             and deploy again",
            r.logical_id, k.id, k.id
        ),
        state => format!(
            "{}: key {} is {state}, not adopted (a new key is created); to adopt it: `aws kms enable-key --key-id {}` and deploy again",
            r.logical_id, k.id, k.id
        ),
    }
}

/// Pick the key for template key `r`: tagged like it, multi-region primary
/// when it is one, not owned by another stack; the one encrypting the
/// adopted bucket when that bucket refers to `r`; else the oldest.
fn adopt_key(
    r: &Retained,
    keys: &[KmsKey],
    stack: &PlainStack,
    retained: &[Retained],
    bucket_keys: &BTreeMap<String, String>,
    d: &mut Discovery,
) {
    let Some(component) = r.tag(COMPONENT_TAG) else {
        d.notes.push(format!(
            "{}: no `{COMPONENT_TAG}` tag in the template to find it by; it is not looked for",
            r.logical_id
        ));
        return;
    };
    let multi_region =
        r.properties["MultiRegion"] == Value::Bool(true) || r.properties["MultiRegion"] == "true";
    let ours = |k: &&KmsKey| {
        k.tags.get(COMPONENT_TAG).map(String::as_str) == Some(component)
            && k.multi_region_primary == multi_region
            && k.tags
                .get("aws:cloudformation:stack-name")
                .map_or(true, |s| *s == stack.stack_name)
    };
    let (mut usable, unusable_keys): (Vec<&KmsKey>, Vec<&KmsKey>) =
        keys.iter().filter(ours).partition(|k| k.state == "Enabled");
    usable.sort_by_key(|k| k.created);
    // A bucket of this stack that refers to this key and already exists says which key it is.
    let referring: Vec<&String> = retained
        .iter()
        .filter(|b| b.resource_type == "AWS::S3::Bucket")
        .filter(|b| {
            references(&b.properties, &[r.logical_id.clone()].into()).contains(&r.logical_id)
        })
        .filter_map(|b| bucket_keys.get(&b.logical_id))
        .collect();
    let by_bucket = referring
        .iter()
        .find_map(|id| usable.iter().find(|k| &&k.id == id));
    let (chosen, why) = match (by_bucket, usable.first()) {
        (Some(k), _) => (*k, format!("tagged {COMPONENT_TAG}={component}; encrypts the adopted bucket")),
        (None, Some(k)) if usable.len() == 1 => (*k, format!("the one key tagged {COMPONENT_TAG}={component}")),
        (None, Some(k)) => (
            *k,
            format!(
                "the oldest of {} keys tagged {COMPONENT_TAG}={component} (the others, {}, stay as they are)",
                usable.len(),
                usable.iter().skip(1).map(|k| k.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
        ),
        (None, None) => {
            d.notes.extend(unusable_keys.iter().map(|k| unusable(r, k)));
            // A bucket that is adopted without its key keeps the key it has
            // until the update that follows the import.
            for b in retained.iter().filter(|b| b.resource_type == "AWS::S3::Bucket") {
                if let Some(current) = bucket_keys.get(&b.logical_id).filter(|_| d.found.iter().any(|f| f.import.logical_id == b.logical_id)) {
                    d.substitutes.insert(r.logical_id.clone(), current.clone());
                }
            }
            return;
        }
    };
    d.notes.extend(unusable_keys.iter().map(|k| unusable(r, k)));
    d.found.push(found(r, &chosen.id, &why));
}

/// `Some(its encryption key, or "")` when the bucket exists and is ours.
async fn bucket(aws: &Aws, region: &str, name: &str) -> Result<Option<String>> {
    let s3 = aws.archive_s3(region);
    match s3.head_bucket().bucket(name).send().await {
        Ok(_) => {}
        Err(e) => {
            let status = e.raw_response().map(|r| r.status().as_u16());
            match status {
                Some(404) => return Ok(None),
                Some(403) => bail!(
                    "bucket {name} exists and belongs to another AWS account: it can be neither adopted nor created. \
                     Choose another name (`log_archive.bucket.name`)"
                ),
                _ => bail!("looking for bucket {name}: {}", aws_smithy_types::error::display::DisplayErrorContext(&e)),
            }
        }
    }
    let key = match s3.get_bucket_encryption().bucket(name).send().await {
        Ok(r) => r
            .server_side_encryption_configuration()
            .and_then(|c| c.rules().first())
            .and_then(|rule| rule.apply_server_side_encryption_by_default())
            .and_then(|d| d.kms_master_key_id())
            .unwrap_or("")
            .to_string(),
        Err(_) => String::new(),
    };
    Ok(Some(key))
}

/// The key id of a key id or key ARN.
fn key_id(id_or_arn: &str) -> &str {
    id_or_arn
        .rsplit_once("key/")
        .map(|(_, id)| id)
        .unwrap_or(id_or_arn)
}

async fn describe(aws: &Aws, region: &str, id: &str) -> Result<Option<KmsKey>> {
    let kms = aws.archive_kms(region);
    let meta = match kms.describe_key().key_id(id).send().await {
        Ok(r) => r.key_metadata().cloned(),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_not_found_exception()) =>
        {
            return Ok(None)
        }
        Err(e) => bail!(
            "describing key {id} in {region}: {}",
            aws_smithy_types::error::display::DisplayErrorContext(&e)
        ),
    };
    let Some(m) = meta else { return Ok(None) };
    if m.key_manager().map(|k| k.as_str()) != Some("CUSTOMER") {
        return Ok(None);
    }
    let tags = match kms.list_resource_tags().key_id(m.key_id()).send().await {
        Ok(r) => r
            .tags()
            .iter()
            .map(|t| (t.tag_key().to_string(), t.tag_value().to_string()))
            .collect(),
        Err(_) => BTreeMap::new(),
    };
    Ok(Some(KmsKey {
        id: m.key_id().to_string(),
        state: m
            .key_state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        multi_region_primary: m
            .multi_region_configuration()
            .and_then(|c| c.multi_region_key_type())
            .map(|t| t.as_str() == "PRIMARY")
            .unwrap_or(false),
        created: m.creation_date().map(|d| d.secs()).unwrap_or(0),
        tags,
    }))
}

/// Every customer managed key of the log-archive account in `region`.
async fn customer_keys(aws: &Aws, region: &str) -> Result<Vec<KmsKey>> {
    let kms = aws.archive_kms(region);
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let r = kms
            .list_keys()
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "listing the keys in {region}: {}",
                    aws_smithy_types::error::display::DisplayErrorContext(&e)
                )
            })?;
        for k in r.keys() {
            if let Some(id) = k.key_id() {
                if let Some(key) = describe(aws, region, key_id(id)).await? {
                    out.push(key);
                }
            }
        }
        marker = r.next_marker().map(str::to_string);
        if !r.truncated() || marker.is_none() {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_from_arns() {
        assert_eq!(key_id("arn:aws:kms:us-east-1:2:key/mrk-1"), "mrk-1");
        assert_eq!(key_id("mrk-1"), "mrk-1");
    }
}
