//! Pure template work for adopting retained resources (fact 11): which
//! resources of a template outlive their stack, how to find them again, the
//! reduced template of a CloudFormation IMPORT operation, and the outputs
//! the stack will have once they are adopted. No AWS calls here.
//!
//! AWS's rules for an import ("Import AWS resources into a CloudFormation
//! stack manually"): every resource to import has a `DeletionPolicy`; the
//! operation imports and does nothing else — no other resource is created,
//! changed or deleted, and `Outputs` cannot be added or changed. So a stack
//! that does not exist is created from its retained resources alone, and a
//! normal update then adds the rest.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};

/// A resource of the template that survives its stack and can be imported.
#[derive(Debug, Clone, PartialEq)]
pub struct Retained {
    pub logical_id: String,
    pub resource_type: String,
    /// Long-form properties as written in the template.
    pub properties: Value,
}

impl Retained {
    /// The `Value` of the tag `key` when it is a literal.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.properties
            .get("Tags")?
            .as_array()?
            .iter()
            .find(|t| t["Key"] == key)?
            .get("Value")?
            .as_str()
    }
}

/// Types CloudFormation can import and sessionlog knows how to find, with
/// the property that identifies them.
pub fn identifier_property(resource_type: &str) -> Option<&'static str> {
    match resource_type {
        "AWS::S3::Bucket" => Some("BucketName"),
        "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => Some("KeyId"),
        "AWS::CloudTrail::Trail" => Some("TrailName"),
        _ => None,
    }
}

/// The template (YAML with short-form tags, or JSON) as long-form JSON.
pub fn long_form(body: &str) -> Result<Value> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(body).context("parsing the template")?;
    Ok(to_json(&yaml))
}

fn to_json(v: &serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => json!(b),
        Y::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
        Y::String(s) => json!(s),
        Y::Sequence(items) => Value::Array(items.iter().map(to_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    (
                        k.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| format!("{k:?}")),
                        to_json(v),
                    )
                })
                .collect(),
        ),
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let tag = tag.trim_start_matches('!');
            let inner = to_json(&t.value);
            match tag {
                "Ref" | "Condition" => json!({ tag: inner }),
                // `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`
                "GetAtt" => match inner.as_str().and_then(|s| s.split_once('.')) {
                    Some((a, b)) => json!({ "Fn::GetAtt": [a, b] }),
                    None => json!({ "Fn::GetAtt": inner }),
                },
                other => json!({ format!("Fn::{other}"): inner }),
            }
        }
    }
}

/// Resources kept when their stack goes (`DeletionPolicy: Retain`) whose
/// type can be imported.
pub fn retained_resources(template: &Value) -> Vec<Retained> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    resources
        .iter()
        .filter(|(_, r)| {
            matches!(
                r["DeletionPolicy"].as_str(),
                Some("Retain" | "RetainExceptOnCreate")
            )
        })
        .filter_map(|(id, r)| {
            let t = r["Type"].as_str()?;
            identifier_property(t)?;
            Some(Retained {
                logical_id: id.clone(),
                resource_type: t.to_string(),
                properties: r["Properties"].clone(),
            })
        })
        .collect()
}

/// Where a stack lives, for `${AWS::…}` pseudo parameters.
#[derive(Debug, Clone)]
pub struct Place<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub partition: &'a str,
    pub parameters: &'a BTreeMap<String, String>,
}

/// A literal, a `Ref` to a parameter or pseudo parameter, or an `Fn::Sub`
/// of those, as a string; `None` when it depends on a resource.
pub fn resolve(v: &Value, at: &Place) -> Option<String> {
    let lookup = |name: &str| -> Option<String> {
        match name {
            "AWS::AccountId" => Some(at.account.to_string()),
            "AWS::Region" => Some(at.region.to_string()),
            "AWS::Partition" => Some(at.partition.to_string()),
            "AWS::URLSuffix" => Some(
                if at.partition == "aws-cn" {
                    "amazonaws.com.cn"
                } else {
                    "amazonaws.com"
                }
                .to_string(),
            ),
            p => at.parameters.get(p).cloned(),
        }
    };
    if let Some(s) = v.as_str() {
        return Some(s.to_string());
    }
    if let Some(r) = v.get("Ref").and_then(Value::as_str) {
        return lookup(r);
    }
    let sub = v.get("Fn::Sub")?;
    let text = sub.as_str()?;
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        let name = &after[..end];
        if let Some(literal) = name.strip_prefix('!') {
            out.push_str("${");
            out.push_str(literal);
            out.push('}');
        } else {
            out.push_str(&lookup(name)?);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Every resource a value refers to: `Ref`, `Fn::GetAtt`, `${X}` / `${X.Attr}` in `Fn::Sub`.
pub fn references(v: &Value, resources: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    collect(v, resources, &mut out);
    out
}

fn collect(v: &Value, resources: &BTreeSet<String>, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get("Ref").and_then(Value::as_str) {
                if resources.contains(r) {
                    out.insert(r.to_string());
                }
            }
            if let Some(g) = m.get("Fn::GetAtt") {
                let target = g
                    .as_array()
                    .and_then(|a| a.first())
                    .and_then(Value::as_str)
                    .or_else(|| g.as_str().and_then(|s| s.split('.').next()));
                if let Some(t) = target.filter(|t| resources.contains(*t)) {
                    out.insert(t.to_string());
                }
            }
            if let Some(text) = m
                .get("Fn::Sub")
                .and_then(|s| s.as_str().or_else(|| s.get(0).and_then(Value::as_str)))
            {
                let mut rest = text;
                while let Some(start) = rest.find("${") {
                    let after = &rest[start + 2..];
                    let Some(end) = after.find('}') else { break };
                    let name = after[..end].split('.').next().unwrap_or("");
                    if resources.contains(name) {
                        out.insert(name.to_string());
                    }
                    rest = &after[end + 1..];
                }
            }
            for v in m.values() {
                collect(v, resources, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect(v, resources, out)),
        _ => {}
    }
}

/// A resource to import and the value of its identifier property.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ToImport {
    pub logical_id: String,
    pub resource_type: String,
    pub identifier: String,
}

/// The template of the IMPORT operation: the full template's parameters,
/// mappings and conditions, only the resources to import (exactly as the
/// full template writes them, so the update after the import finds them
/// unchanged), no outputs. `substitutes` replaces references to resources
/// that are not imported by the value they have today (the bucket's current
/// encryption key when its own key no longer exists); any other such
/// reference is an error, as CloudFormation would refuse the template.
pub fn import_template(
    full: &Value,
    imports: &[ToImport],
    substitutes: &BTreeMap<String, String>,
) -> Result<String> {
    let all: BTreeSet<String> = full["Resources"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut resources = Map::new();
    for i in imports {
        let Some(mut r) = full["Resources"].get(&i.logical_id).cloned() else {
            bail!("{} is not in the template", i.logical_id);
        };
        if r.get("DeletionPolicy").is_none() {
            bail!(
                "{} has no DeletionPolicy: CloudFormation imports only resources that have one",
                i.logical_id
            );
        }
        for (target, value) in substitutes {
            replace_references(&mut r, target, value);
        }
        let imported: BTreeSet<String> = imports.iter().map(|i| i.logical_id.clone()).collect();
        let dangling: Vec<String> = references(&r, &all)
            .difference(&imported)
            .cloned()
            .collect();
        if !dangling.is_empty() || r.get("DependsOn").is_some() {
            bail!(
                "{} cannot be imported alone: it refers to {:?}, which {} not exist yet",
                i.logical_id,
                if dangling.is_empty() {
                    vec!["its DependsOn".to_string()]
                } else {
                    dangling.clone()
                },
                if dangling.len() == 1 { "does" } else { "do" }
            );
        }
        resources.insert(i.logical_id.clone(), r);
    }
    let mut t = Map::new();
    for (k, v) in full.as_object().into_iter().flatten() {
        match k.as_str() {
            "Resources" => {
                t.insert(k.clone(), Value::Object(resources.clone()));
            }
            "Outputs" => {}
            _ => {
                t.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(serde_json::to_string_pretty(&Value::Object(t))?)
}

/// Replace every `Ref`/`Fn::GetAtt` of `target` in `v` by `value`.
fn replace_references(v: &mut Value, target: &str, value: &str) {
    let is_ref = |m: &Map<String, Value>| {
        m.len() == 1
            && (m.get("Ref").and_then(Value::as_str) == Some(target)
                || m.get("Fn::GetAtt")
                    .and_then(|g| g.get(0))
                    .and_then(Value::as_str)
                    == Some(target))
    };
    match v {
        Value::Object(m) if is_ref(m) => *v = json!(value),
        Value::Object(m) => m
            .values_mut()
            .for_each(|x| replace_references(x, target, value)),
        Value::Array(items) => items
            .iter_mut()
            .for_each(|x| replace_references(x, target, value)),
        _ => {}
    }
}

/// The outputs the stack will have that depend only on adopted resources
/// (`Ref`/`Fn::GetAtt … Arn` of a key or bucket), known before it exists:
/// `plan` shows the stacks after it with those values.
pub fn predicted_outputs(
    full: &Value,
    imports: &[ToImport],
    at: &Place,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let by_id: BTreeMap<&str, &ToImport> =
        imports.iter().map(|i| (i.logical_id.as_str(), i)).collect();
    for (name, o) in full["Outputs"].as_object().into_iter().flatten() {
        let v = &o["Value"];
        let (target, attribute) = if let Some(r) = v.get("Ref").and_then(Value::as_str) {
            (r, None)
        } else if let Some(g) = v.get("Fn::GetAtt").and_then(Value::as_array) {
            (
                g.first().and_then(Value::as_str).unwrap_or(""),
                g.get(1).and_then(Value::as_str),
            )
        } else {
            continue;
        };
        let Some(i) = by_id.get(target) else { continue };
        let value = match (i.resource_type.as_str(), attribute) {
            (_, None) => i.identifier.clone(),
            ("AWS::KMS::Key" | "AWS::KMS::ReplicaKey", Some("Arn")) => {
                format!(
                    "arn:{}:kms:{}:{}:key/{}",
                    at.partition, at.region, at.account, i.identifier
                )
            }
            ("AWS::KMS::Key" | "AWS::KMS::ReplicaKey", Some("KeyId")) => i.identifier.clone(),
            ("AWS::S3::Bucket", Some("Arn")) => {
                format!("arn:{}:s3:::{}", at.partition, i.identifier)
            }
            _ => continue,
        };
        out.insert(name.clone(), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: &str = r#"AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Suffix:
    Type: String
Resources:
  ArchiveKey:
    Type: AWS::KMS::Key
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      MultiRegion: true
      KeyPolicy: {Version: '2012-10-17', Statement: []}
      Tags:
        - Key: sessionlog:component
          Value: archive-key
  ArchiveKeyAlias:
    Type: AWS::KMS::Alias
    Properties:
      AliasName: alias/x
      TargetKeyId: !Ref ArchiveKey
  LogBucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    Properties:
      BucketName: !Sub sessionlog-${AWS::AccountId}-${AWS::Region}-${Suffix}
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt ArchiveKey.Arn
Outputs:
  ArchiveKeyId:
    Value: !Ref ArchiveKey
  ArchiveKeyArn:
    Value: !GetAtt ArchiveKey.Arn
  BucketName:
    Value: !Ref LogBucket
  AliasName:
    Value: !Ref ArchiveKeyAlias
"#;

    fn place(params: &BTreeMap<String, String>) -> Place<'_> {
        Place {
            account: "222222222222",
            region: "us-east-1",
            partition: "aws",
            parameters: params,
        }
    }

    fn imports(ids: &[(&str, &str, &str)]) -> Vec<ToImport> {
        ids.iter()
            .map(|(l, t, i)| ToImport {
                logical_id: l.to_string(),
                resource_type: t.to_string(),
                identifier: i.to_string(),
            })
            .collect()
    }

    #[test]
    fn short_form_tags_become_long_form() {
        let t = long_form(HOME).unwrap();
        assert_eq!(
            t["Resources"]["ArchiveKeyAlias"]["Properties"]["TargetKeyId"],
            json!({"Ref": "ArchiveKey"})
        );
        let kms = &t["Resources"]["LogBucket"]["Properties"]["BucketEncryption"]
            ["ServerSideEncryptionConfiguration"][0];
        assert_eq!(
            kms["ServerSideEncryptionByDefault"]["KMSMasterKeyID"],
            json!({"Fn::GetAtt": ["ArchiveKey", "Arn"]})
        );
        assert_eq!(
            t["Resources"]["LogBucket"]["Properties"]["BucketName"]["Fn::Sub"],
            "sessionlog-${AWS::AccountId}-${AWS::Region}-${Suffix}"
        );
    }

    #[test]
    fn retained_resources_are_the_importable_ones_with_retain() {
        let t = long_form(HOME).unwrap();
        let r = retained_resources(&t);
        let ids: Vec<_> = r.iter().map(|r| r.logical_id.as_str()).collect();
        assert_eq!(ids, ["ArchiveKey", "LogBucket"]);
        assert_eq!(r[0].tag("sessionlog:component"), Some("archive-key"));
        let without = HOME.replace(
            "    DeletionPolicy: Retain\n    Properties:\n      BucketName",
            "    Properties:\n      BucketName",
        );
        assert_eq!(retained_resources(&long_form(&without).unwrap()).len(), 1);
    }

    #[test]
    fn names_resolve_from_pseudo_parameters_and_parameters() {
        let t = long_form(HOME).unwrap();
        let params: BTreeMap<String, String> = [("Suffix".to_string(), "logs".to_string())].into();
        let name = &t["Resources"]["LogBucket"]["Properties"]["BucketName"];
        assert_eq!(
            resolve(name, &place(&params)).as_deref(),
            Some("sessionlog-222222222222-us-east-1-logs")
        );
        assert_eq!(
            resolve(name, &place(&BTreeMap::new())),
            None,
            "an unknown parameter"
        );
        assert_eq!(
            resolve(&json!({"Fn::Sub": "a-${!Literal}"}), &place(&params)).as_deref(),
            Some("a-${Literal}")
        );
        assert_eq!(
            resolve(&json!({"Fn::GetAtt": ["X", "Arn"]}), &place(&params)),
            None
        );
    }

    #[test]
    fn import_template_holds_only_the_imported_resources_and_no_outputs() {
        let t = long_form(HOME).unwrap();
        let both = imports(&[
            ("ArchiveKey", "AWS::KMS::Key", "mrk-1"),
            ("LogBucket", "AWS::S3::Bucket", "b"),
        ]);
        let text = import_template(&t, &both, &BTreeMap::new()).unwrap();
        let i: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            i["Resources"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["ArchiveKey", "LogBucket"]
        );
        assert_eq!(
            i["Resources"]["LogBucket"], t["Resources"]["LogBucket"],
            "written as the full template writes it"
        );
        assert!(i.get("Outputs").is_none());
        assert_eq!(i["Parameters"], t["Parameters"]);
    }

    #[test]
    fn a_bucket_whose_key_is_gone_keeps_its_current_key_until_the_update() {
        let t = long_form(HOME).unwrap();
        let bucket = imports(&[("LogBucket", "AWS::S3::Bucket", "b")]);
        let err = import_template(&t, &bucket, &BTreeMap::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("ArchiveKey"), "{err}");
        let current: BTreeMap<String, String> = [(
            "ArchiveKey".to_string(),
            "arn:aws:kms:us-east-1:2:key/old".to_string(),
        )]
        .into();
        let i: Value =
            serde_json::from_str(&import_template(&t, &bucket, &current).unwrap()).unwrap();
        let kms = &i["Resources"]["LogBucket"]["Properties"]["BucketEncryption"]
            ["ServerSideEncryptionConfiguration"][0];
        assert_eq!(
            kms["ServerSideEncryptionByDefault"]["KMSMasterKeyID"],
            "arn:aws:kms:us-east-1:2:key/old"
        );
        let no_policy = imports(&[("ArchiveKeyAlias", "AWS::KMS::Alias", "alias/x")]);
        assert!(import_template(&t, &no_policy, &BTreeMap::new())
            .unwrap_err()
            .to_string()
            .contains("DeletionPolicy"));
    }

    #[test]
    fn outputs_of_adopted_resources_are_known_before_the_stack_exists() {
        let t = long_form(HOME).unwrap();
        let params = BTreeMap::new();
        let both = imports(&[
            ("ArchiveKey", "AWS::KMS::Key", "mrk-1"),
            ("LogBucket", "AWS::S3::Bucket", "b"),
        ]);
        let o = predicted_outputs(&t, &both, &place(&params));
        assert_eq!(o["ArchiveKeyId"], "mrk-1");
        assert_eq!(
            o["ArchiveKeyArn"],
            "arn:aws:kms:us-east-1:222222222222:key/mrk-1"
        );
        assert_eq!(o["BucketName"], "b");
        assert!(
            !o.contains_key("AliasName"),
            "the alias is created, not adopted"
        );
    }
}
