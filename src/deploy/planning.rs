//! Pure planning: what differs between what is deployed and what the bundle
//! wants. No AWS calls here; `archive` and `stackset` feed it what they read.

use std::collections::{BTreeMap, BTreeSet};

/// Resource types whose replacement or deletion puts logs at risk.
pub const PROTECTED_TYPES: &[&str] = &[
    "AWS::S3::Bucket",
    "AWS::KMS::Key",
    "AWS::KMS::ReplicaKey",
    "AWS::Logs::LogGroup",
    "Custom::SessionLogGroup",
];

pub fn is_protected(resource_type: &str) -> bool {
    PROTECTED_TYPES.contains(&resource_type)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Action {
    Add,
    Modify,
    Remove,
    Import,
    Dynamic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Replacement {
    True,
    Conditional,
    False,
}

impl Replacement {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "True" => Some(Replacement::True),
            "Conditional" => Some(Replacement::Conditional),
            "False" => Some(Replacement::False),
            _ => None,
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Replacement::True => "True",
            Replacement::Conditional => "Conditional",
            Replacement::False => "False",
        }
    }
}

/// One resource line of a change set (or of a StackSet template diff).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ResourceChange {
    pub action: Action,
    pub logical_id: String,
    pub resource_type: String,
    pub replacement: Option<Replacement>,
    /// A removed resource whose `DeletionPolicy` is `Retain`: it leaves the
    /// stack and stays (known from a template diff; change sets do not say).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub retained: bool,
}

impl ResourceChange {
    /// `+ Type LogicalId`, `> Type LogicalId (replacement: True)`, `- Type LogicalId`.
    pub fn line(&self) -> String {
        let mark = match self.action {
            Action::Add | Action::Import => "+",
            Action::Modify | Action::Dynamic => ">",
            Action::Remove => "-",
        };
        let mut s = format!("{mark} {} {}", self.resource_type, self.logical_id);
        if let Some(r) = self.replacement {
            if matches!(self.action, Action::Modify) && r != Replacement::False {
                s.push_str(&format!(" (replacement: {})", r.as_str()));
            }
        }
        if self.retained {
            s.push_str(" (kept: DeletionPolicy Retain)");
        }
        if self.is_risky() {
            s.push_str("  !! puts logs at risk");
        }
        s
    }

    /// Replacing or deleting a bucket, key or log group.
    pub fn is_risky(&self) -> bool {
        is_protected(&self.resource_type)
            && match self.action {
                Action::Remove => !self.retained,
                Action::Modify | Action::Dynamic => {
                    matches!(self.replacement, Some(Replacement::True | Replacement::Conditional))
                }
                Action::Add | Action::Import => false,
            }
    }
}

/// Properties whose change makes CloudFormation replace the resource
/// (from the resource type references), for the protected types.
fn replacing_properties(resource_type: &str) -> &'static [&'static str] {
    match resource_type {
        "AWS::S3::Bucket" => &["BucketName", "ObjectLockEnabled"],
        "AWS::Logs::LogGroup" | "Custom::SessionLogGroup" => &["LogGroupName"],
        "AWS::KMS::Key" => &["KeySpec", "KeyUsage", "MultiRegion"],
        "AWS::KMS::ReplicaKey" => &["PrimaryKeyArn"],
        _ => &[],
    }
}

#[derive(Debug, Clone, PartialEq)]
struct ResourceDef {
    resource_type: String,
    properties: serde_yaml::Value,
    rest: serde_yaml::Value,
}

fn resources(body: &str) -> Result<BTreeMap<String, ResourceDef>, String> {
    let doc: serde_yaml::Value = serde_yaml::from_str(body).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    let Some(res) = doc.get("Resources").and_then(|r| r.as_mapping()) else {
        return Ok(out);
    };
    for (k, v) in res {
        let Some(id) = k.as_str() else { continue };
        let resource_type = v.get("Type").and_then(|t| t.as_str()).unwrap_or("?").to_string();
        let properties = v.get("Properties").cloned().unwrap_or(serde_yaml::Value::Null);
        let mut rest = v.clone();
        if let Some(m) = rest.as_mapping_mut() {
            m.remove("Properties");
        }
        out.insert(id.to_string(), ResourceDef { resource_type, properties, rest });
    }
    Ok(out)
}

/// Resource-level differences between two template bodies (YAML or JSON),
/// with replacement inferred from the properties that force it. Used for
/// StackSets, which have no change sets.
pub fn template_diff(old: &str, new: &str) -> Result<Vec<ResourceChange>, String> {
    let old = resources(old)?;
    let new = resources(new)?;
    let mut out = Vec::new();
    for (id, n) in &new {
        match old.get(id) {
            None => out.push(ResourceChange {
                action: Action::Add,
                logical_id: id.clone(),
                resource_type: n.resource_type.clone(),
                replacement: None,
                retained: false,
            }),
            Some(o) if o == n => {}
            Some(o) => {
                let replacement = if o.resource_type != n.resource_type
                    || replacing_properties(&n.resource_type)
                        .iter()
                        .any(|p| o.properties.get(p) != n.properties.get(p))
                {
                    Replacement::True
                } else {
                    Replacement::False
                };
                out.push(ResourceChange {
                    action: Action::Modify,
                    logical_id: id.clone(),
                    resource_type: n.resource_type.clone(),
                    replacement: Some(replacement),
                    retained: false,
                });
            }
        }
    }
    for (id, o) in &old {
        if !new.contains_key(id) {
            out.push(ResourceChange {
                action: Action::Remove,
                logical_id: id.clone(),
                resource_type: o.resource_type.clone(),
                replacement: None,
                retained: matches!(
                    o.rest.get("DeletionPolicy").and_then(|d| d.as_str()),
                    Some("Retain" | "RetainExceptOnCreate")
                ),
            });
        }
    }
    Ok(out)
}

/// A parameter whose deployed value differs from the wanted one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ParameterChange {
    pub key: String,
    pub old: Option<String>,
    /// `None` = known only after an earlier stack is deployed.
    pub new: Option<String>,
}

impl ParameterChange {
    pub fn line(&self) -> String {
        let new = self.new.as_deref().unwrap_or("(known after deploy)");
        match &self.old {
            None => format!("+ parameter {} = {new}", self.key),
            Some(old) => format!("> parameter {}: {old} -> {new}", self.key),
        }
    }
}

pub fn parameter_diff(
    deployed: &BTreeMap<String, String>,
    wanted: &BTreeMap<String, Option<String>>,
) -> Vec<ParameterChange> {
    let mut out = Vec::new();
    for (k, v) in wanted {
        let old = deployed.get(k);
        if old.map(|o| Some(o) != v.as_ref()).unwrap_or(true) {
            out.push(ParameterChange { key: k.clone(), old: old.cloned(), new: v.clone() });
        }
    }
    for (k, v) in deployed {
        if !wanted.contains_key(k) {
            out.push(ParameterChange { key: k.clone(), old: Some(v.clone()), new: Some(String::new()) });
        }
    }
    out
}

pub type InstanceKey = (String, String); // (account, region)

/// One CreateStackInstances / DeleteStackInstances call.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InstanceBatch {
    /// `None`: every account of the target OUs (minus exclusions);
    /// `Some`: only these accounts of the OUs (AccountFilterType INTERSECTION).
    pub accounts: Option<Vec<String>>,
    pub regions: Vec<String>,
}

/// Instances to add and remove, grouped into as few operations as possible:
/// a region missing everywhere is one OU-wide batch; the rest are grouped by
/// the exact set of accounts they concern.
pub fn instance_batches(
    wanted: &BTreeSet<InstanceKey>,
    existing: &BTreeSet<InstanceKey>,
) -> (Vec<InstanceBatch>, Vec<InstanceBatch>) {
    let add: BTreeSet<_> = wanted.difference(existing).cloned().collect();
    let remove: BTreeSet<_> = existing.difference(wanted).cloned().collect();
    let wanted_accounts: BTreeSet<&String> = wanted.iter().map(|(a, _)| a).collect();

    let mut adds = Vec::new();
    let mut by_region: BTreeMap<&String, BTreeSet<String>> = BTreeMap::new();
    for (a, r) in &add {
        by_region.entry(r).or_default().insert(a.clone());
    }
    let mut whole = Vec::new();
    let mut partial: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (region, accounts) in by_region {
        let all = accounts.len() == wanted_accounts.len()
            && !existing.iter().any(|(_, r)| r == region);
        if all {
            whole.push(region.clone());
        } else {
            partial.entry(accounts.into_iter().collect()).or_default().push(region.clone());
        }
    }
    if !whole.is_empty() {
        adds.push(InstanceBatch { accounts: None, regions: whole });
    }
    for (accounts, regions) in partial {
        adds.push(InstanceBatch { accounts: Some(accounts), regions });
    }

    let mut removes: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    let mut by_region: BTreeMap<&String, BTreeSet<String>> = BTreeMap::new();
    for (a, r) in &remove {
        by_region.entry(r).or_default().insert(a.clone());
    }
    for (region, accounts) in by_region {
        removes.entry(accounts.into_iter().collect()).or_default().push(region.clone());
    }
    let removes = removes
        .into_iter()
        .map(|(accounts, regions)| InstanceBatch { accounts: Some(accounts), regions })
        .collect();
    (adds, removes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(a: &str, r: &str) -> InstanceKey {
        (a.into(), r.into())
    }

    #[test]
    fn change_lines() {
        let c = ResourceChange {
            action: Action::Modify,
            logical_id: "Bucket".into(),
            resource_type: "AWS::S3::Bucket".into(),
            replacement: Some(Replacement::True),
            retained: false,
        };
        assert_eq!(c.line(), "> AWS::S3::Bucket Bucket (replacement: True)  !! puts logs at risk");
        assert!(c.is_risky());
        let c = ResourceChange {
            action: Action::Add,
            logical_id: "Doc".into(),
            resource_type: "AWS::SSM::Document".into(),
            replacement: None,
            retained: false,
        };
        assert_eq!(c.line(), "+ AWS::SSM::Document Doc");
        let c = ResourceChange { action: Action::Remove, ..c };
        assert!(!c.is_risky());
        assert_eq!(c.line(), "- AWS::SSM::Document Doc");
    }

    #[test]
    fn template_diff_flags_log_group_rename_not_retention() {
        let old = "Resources:\n  G:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: a\n      RetentionInDays: 30\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties: {}\n";
        let retention = old.replace("30", "90");
        let d = template_diff(old, &retention).unwrap();
        assert_eq!(d.len(), 1);
        assert!(!d[0].is_risky());
        let renamed = old.replace("LogGroupName: a", "LogGroupName: b");
        assert!(template_diff(old, &renamed).unwrap()[0].is_risky());
        let removed = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties: {}\n";
        let d = template_diff(old, removed).unwrap();
        assert_eq!(d[0].action, Action::Remove);
        assert!(d[0].is_risky());
        // removing a retained group keeps it: not a risk (the upgrade to the
        // create-or-adopt log group does exactly that)
        let retained = old.replace("    Type: AWS::Logs::LogGroup\n", "    Type: AWS::Logs::LogGroup\n    DeletionPolicy: Retain\n");
        let d = template_diff(&retained, removed).unwrap();
        assert!(!d[0].is_risky());
        assert_eq!(d[0].line(), "- AWS::Logs::LogGroup G (kept: DeletionPolicy Retain)");
        assert!(template_diff(old, old).unwrap().is_empty());
    }

    #[test]
    fn batches_group_new_regions_and_new_accounts() {
        let existing: BTreeSet<_> = [k("1", "us-east-1"), k("2", "us-east-1"), k("9", "us-east-1")].into();
        let wanted: BTreeSet<_> = [
            k("1", "us-east-1"),
            k("2", "us-east-1"),
            k("3", "us-east-1"),
            k("1", "eu-west-1"),
            k("2", "eu-west-1"),
            k("3", "eu-west-1"),
        ]
        .into();
        let (add, remove) = instance_batches(&wanted, &existing);
        assert_eq!(
            add,
            vec![
                InstanceBatch { accounts: None, regions: vec!["eu-west-1".into()] },
                InstanceBatch { accounts: Some(vec!["3".into()]), regions: vec!["us-east-1".into()] },
            ]
        );
        assert_eq!(remove, vec![InstanceBatch { accounts: Some(vec!["9".into()]), regions: vec!["us-east-1".into()] }]);
        let (add, remove) = instance_batches(&wanted, &wanted);
        assert!(add.is_empty() && remove.is_empty());
    }

    #[test]
    fn parameters() {
        let deployed: BTreeMap<_, _> = [("A".to_string(), "1".to_string())].into();
        let wanted: BTreeMap<_, _> = [("A".to_string(), Some("1".to_string()))].into();
        assert!(parameter_diff(&deployed, &wanted).is_empty());
        let wanted: BTreeMap<_, _> =
            [("A".to_string(), Some("2".to_string())), ("B".to_string(), None)].into();
        let d = parameter_diff(&deployed, &wanted);
        assert_eq!(d[0].line(), "> parameter A: 1 -> 2");
        assert_eq!(d[1].line(), "+ parameter B = (known after deploy)");
    }
}
