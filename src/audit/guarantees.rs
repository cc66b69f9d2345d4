//! The archive's own guarantees as deployed, compared with the rendered
//! log-archive template: versioning, Object Lock, lifecycle, the bucket
//! policy and the archive key's policy (statements compared by `Sid`,
//! `Effect` and actions; resources and conditions hold `!Sub` text the
//! template leaves to CloudFormation and are not compared). Over S3 only.

use std::collections::BTreeSet;

use anyhow::Result;
use serde_json::Value;
use tokio::runtime::Handle;

/// One guarantee that does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub what: String,
    pub why: String,
}

fn strings(v: &Value) -> BTreeSet<String> {
    match v {
        Value::String(s) => [s.clone()].into(),
        Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => BTreeSet::new(),
    }
}

/// Statements of `rendered` missing from `deployed`, or changed (effect,
/// actions), and statements `deployed` has beyond them.
pub fn compare_policies(what: &str, rendered: &Value, deployed: &Value) -> Vec<Gap> {
    let list = |p: &Value| p.get("Statement").and_then(Value::as_array).cloned().unwrap_or_default();
    let (r, d) = (list(rendered), list(deployed));
    let sid = |s: &Value| s.get("Sid").and_then(Value::as_str).unwrap_or_default().to_string();
    let mut gaps = Vec::new();
    for rs in &r {
        match d.iter().find(|ds| sid(ds) == sid(rs)) {
            None => gaps.push(Gap { what: what.into(), why: format!("statement {} is missing", sid(rs)) }),
            Some(ds) => {
                if ds.get("Effect") != rs.get("Effect") {
                    gaps.push(Gap { what: what.into(), why: format!("statement {}: effect changed", sid(rs)) });
                }
                if strings(ds.get("Action").unwrap_or(&Value::Null)) != strings(rs.get("Action").unwrap_or(&Value::Null)) {
                    gaps.push(Gap { what: what.into(), why: format!("statement {}: actions changed", sid(rs)) });
                }
            }
        }
    }
    for ds in &d {
        if !r.iter().any(|rs| sid(rs) == sid(ds)) {
            gaps.push(Gap { what: what.into(), why: format!("statement {} is not in the rendered template", sid(ds)) });
        }
    }
    gaps
}

/// The rendered resource `name`'s `Properties`.
fn props<'a>(template: &'a Value, name: &str) -> Option<&'a Value> {
    template.get("Resources")?.get(name)?.get("Properties")
}

/// Check the deployed bucket and archive key against `template` (the
/// rendered log-archive template as JSON).
pub fn check(
    handle: &Handle,
    s3: &aws_sdk_s3::Client,
    kms: &aws_sdk_kms::Client,
    bucket: &str,
    key_alias: &str,
    template: &Value,
) -> Result<Vec<Gap>> {
    handle.block_on(async {
        let mut gaps = Vec::new();
        let bucket_props = props(template, "LogBucket").cloned().unwrap_or(Value::Null);

        let versioning = s3.get_bucket_versioning().bucket(bucket).send().await?;
        if versioning.status().map(|s| s.as_str()) != Some("Enabled") {
            gaps.push(Gap { what: "versioning".into(), why: format!("is {:?}, not Enabled", versioning.status().map(|s| s.as_str())) });
        }

        if let Some(lock) = bucket_props.get("ObjectLockConfiguration") {
            let want_mode = lock.pointer("/Rule/DefaultRetention/Mode").and_then(Value::as_str).unwrap_or_default();
            let want_days = lock.pointer("/Rule/DefaultRetention/Days").and_then(Value::as_i64);
            match s3.get_object_lock_configuration().bucket(bucket).send().await {
                Ok(o) => {
                    let rule = o.object_lock_configuration().and_then(|c| c.rule()).and_then(|r| r.default_retention());
                    let mode = rule.and_then(|r| r.mode()).map(|m| m.as_str().to_string()).unwrap_or_default();
                    let days = rule.and_then(|r| r.days()).map(i64::from);
                    if mode != want_mode || days != want_days {
                        gaps.push(Gap {
                            what: "Object Lock".into(),
                            why: format!("{mode} {days:?} days, rendered {want_mode} {want_days:?} days"),
                        });
                    }
                }
                Err(_) => gaps.push(Gap { what: "Object Lock".into(), why: "not configured on the bucket".into() }),
            }
        }

        if let Some(rules) = bucket_props.pointer("/LifecycleConfiguration/Rules").and_then(Value::as_array) {
            let deployed = s3.get_bucket_lifecycle_configuration().bucket(bucket).send().await.ok();
            let have: Vec<_> = deployed.map(|d| d.rules().to_vec()).unwrap_or_default();
            for r in rules {
                let id = r.get("Id").and_then(Value::as_str).unwrap_or_default();
                let Some(h) = have.iter().find(|h| h.id() == Some(id)) else {
                    gaps.push(Gap { what: "lifecycle".into(), why: format!("rule {id} is missing") });
                    continue;
                };
                let want_exp = r.get("ExpirationInDays").and_then(Value::as_i64);
                let have_exp = h.expiration().and_then(|e| e.days()).map(i64::from);
                let want_nc = r.pointer("/NoncurrentVersionExpiration/NoncurrentDays").and_then(Value::as_i64);
                let have_nc = h.noncurrent_version_expiration().and_then(|e| e.noncurrent_days()).map(i64::from);
                if want_exp != have_exp || want_nc != have_nc || h.status().as_str() != "Enabled" {
                    gaps.push(Gap {
                        what: "lifecycle".into(),
                        why: format!("rule {id}: expiration {have_exp:?}/{have_nc:?} days (noncurrent), rendered {want_exp:?}/{want_nc:?}"),
                    });
                }
            }
        }

        if let Some(rendered) = props(template, "LogBucketPolicy").and_then(|p| p.get("PolicyDocument")) {
            match s3.get_bucket_policy().bucket(bucket).send().await {
                Ok(p) => {
                    let deployed: Value = serde_json::from_str(p.policy().unwrap_or("{}")).unwrap_or(Value::Null);
                    gaps.extend(compare_policies("bucket policy", rendered, &deployed));
                }
                Err(_) => gaps.push(Gap { what: "bucket policy".into(), why: "the bucket has no policy".into() }),
            }
        }

        if let Some(rendered) = props(template, "ArchiveKey").and_then(|p| p.get("KeyPolicy")) {
            match kms.describe_key().key_id(key_alias).send().await {
                Ok(k) => {
                    let id = k.key_metadata().map(|m| m.key_id().to_string()).unwrap_or_default();
                    let policy = kms.get_key_policy().key_id(&id).policy_name("default").send().await?;
                    let deployed: Value = serde_json::from_str(policy.policy().unwrap_or("{}")).unwrap_or(Value::Null);
                    gaps.extend(compare_policies("archive key policy", rendered, &deployed));
                }
                Err(_) => gaps.push(Gap { what: "archive key policy".into(), why: format!("no key {key_alias}") }),
            }
        }
        Ok(gaps)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn policies_by_sid() {
        let rendered = json!({"Statement": [{"Sid": "A", "Effect": "Deny", "Action": ["s3:DeleteObject"]}]});
        assert!(compare_policies("p", &rendered, &rendered).is_empty());
        let loosened = json!({"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:DeleteObject"}]});
        assert_eq!(compare_policies("p", &rendered, &loosened).len(), 1);
        let extra = json!({"Statement": [{"Sid": "A", "Effect": "Deny", "Action": "s3:DeleteObject"}, {"Sid": "B", "Effect": "Allow", "Action": "s3:*"}]});
        assert_eq!(compare_policies("p", &rendered, &extra).len(), 1);
        assert_eq!(compare_policies("p", &rendered, &json!({})).len(), 1);
    }
}
