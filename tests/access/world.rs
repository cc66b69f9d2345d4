//! A concrete organization with one configuration deployed into it, the way
//! `sessionlog deploy` does it: the log-archive stacks in the log-archive
//! account (home region first; the replica stacks get the key ids from the
//! home stack's outputs), then every StackSet in each of its regions for two
//! member accounts (the `member-guard` StackSet included), then the
//! management-account stacks (guardrails, Identity Center) in the
//! management account. Each template is the rendered JSON, resolved by
//! `resolve.rs`. The world also collects every policy document the templates
//! contain, as deployed (one instance per stack), and refuses a policy it
//! cannot attribute to a principal or resource.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;
use sessionlog::bundle::{Bundle, ParameterValue};
use sessionlog::config::model::{Config, DocumentMode, KeyLayout};

use super::resolve::{fake_hex, resolve, url_suffix, Resolved, ResolvedResource, StackContext};

/// The accounts of the world. Members A and B are targets of the StackSets;
/// the outsider belongs to another organization.
#[derive(Debug, Clone)]
pub struct Accounts {
    pub management: String,
    pub archive: String,
    pub member_a: String,
    pub member_b: String,
    pub outsider: String,
}

pub const MEMBER_A: &str = "444455556666";
pub const MEMBER_B: &str = "777788889999";
pub const OUTSIDER: &str = "999900001111";
pub const OUTSIDER_ORG: &str = "o-zz9yy8xx7w";

/// Where a policy document sits in a rendered template: the unit the
/// non-vacuity test removes statements from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Site {
    pub stem: String,
    pub logical_id: String,
    /// JSON pointer under the resource's `Properties`.
    pub path: String,
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}{}", self.stem, self.logical_id, self.path)
    }
}

/// What a policy document governs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyKind {
    /// The key policy of the key with this ARN.
    Key { key_arn: String },
    /// The bucket policy of the bucket with this name.
    Bucket { bucket: String },
    /// A managed policy (identity), by its ARN.
    Managed { arn: String },
    /// The trust policy of a role.
    Trust { role_arn: String },
    /// An inline policy of a role (identity).
    Inline { role_arn: String },
    /// The access policy of a CloudWatch Logs destination (JSON text in the
    /// template), by the destination's ARN.
    Destination { arn: String },
    /// A Lambda function's resource-based policy: one statement per
    /// `AWS::Lambda::Permission` of the stack that names it, as Lambda's
    /// AddPermission writes it.
    Function { arn: String },
    /// A service control policy (`AWS::Organizations::Policy`), by its id:
    /// applied to the principals of members A and B. Its statements are
    /// removed one by one in its own proof, tests/scp.rs.
    ServiceControl { id: String, targets: Vec<String> },
    /// An SNS topic's access policy (`AWS::SNS::TopicPolicy`), by the topic's ARN.
    Topic { arn: String },
}

/// One deployed policy document.
#[derive(Debug, Clone)]
pub struct PolicyInstance {
    /// `<stem>@<account>/<region>:<LogicalId><path>`.
    pub id: String,
    pub site: Site,
    pub kind: PolicyKind,
    /// `None` when no statement is left (a mutant): no policy at all.
    pub doc: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct Deployed {
    pub account: String,
    pub region: String,
    pub resolved: Resolved,
}

pub struct World<'c> {
    pub config: &'c Config,
    pub org: String,
    pub accounts: Accounts,
    pub home: String,
    /// The member regions, in configuration order.
    pub regions: Vec<String>,
    pub partition: String,
    pub stacks: Vec<Deployed>,
    pub policies: BTreeMap<String, PolicyInstance>,
}

/// The partition of a region, independently of the code under test.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso")
        || region.starts_with("eu-isoe")
        || region.starts_with("eusc-")
    {
        panic!("the access proof has no accounts in the partition of {region}")
    } else {
        "aws"
    }
}

/// Every template of the bundle, rendered as the JSON users deploy.
pub fn rendered(bundle: &Bundle) -> BTreeMap<String, Value> {
    bundle
        .templates()
        .into_iter()
        .map(|t| {
            let text =
                sessionlog::render::template_text(&t.template, sessionlog::render::Format::Json);
            (
                t.file_stem.clone(),
                serde_json::from_str(&text).expect("rendered JSON parses"),
            )
        })
        .collect()
}

impl<'c> World<'c> {
    pub fn deploy(
        config: &'c Config,
        bundle: &Bundle,
        templates: &BTreeMap<String, Value>,
    ) -> Result<World<'c>, String> {
        let accounts = Accounts {
            management: config.organization.management_account.clone(),
            archive: config.log_archive.account.clone(),
            member_a: MEMBER_A.into(),
            member_b: MEMBER_B.into(),
            outsider: OUTSIDER.into(),
        };
        for m in [MEMBER_A, MEMBER_B] {
            if m == accounts.management
                || m == accounts.archive
                || config.targets.exclude_accounts.iter().any(|a| a == m)
            {
                return Err(format!(
                    "member account {m} of the proof collides with the configuration's accounts"
                ));
            }
        }
        let home = config.log_archive.region.clone();
        let partition = partition_of(&home).to_string();
        let mut world = World {
            config,
            org: config.organization.id.clone(),
            accounts,
            home,
            regions: config.regions.clone(),
            partition,
            stacks: Vec::new(),
            policies: BTreeMap::new(),
        };
        let template = |stem: &str| {
            templates
                .get(stem)
                .ok_or_else(|| format!("no rendered template {stem}"))
        };
        for spec in &bundle.archive_stacks {
            let parameters = world.parameters(&spec.parameters)?;
            world.deploy_one(
                template(&spec.template.file_stem)?,
                &spec.template.file_stem,
                &spec.stack_name,
                &spec.account,
                &spec.region,
                parameters,
            )?;
        }
        for set in &bundle.stack_sets {
            let parameters = world.parameters(&set.parameters)?;
            for region in &set.regions {
                for account in [MEMBER_A, MEMBER_B] {
                    let name = format!(
                        "StackSet-{}-{}",
                        set.name,
                        &fake_hex(&format!("{}/{account}/{region}", set.name))[..12]
                    );
                    world.deploy_one(
                        template(&set.template.file_stem)?,
                        &set.template.file_stem,
                        &name,
                        account,
                        region,
                        parameters.clone(),
                    )?;
                }
            }
        }
        // The management-account stacks (Identity Center, guardrails), with
        // the caller's management-account credentials, after the StackSets
        // (deploy's order); parameters from the log-archive stacks' outputs.
        for spec in &bundle.management_stacks {
            let parameters = world.parameters(&spec.parameters)?;
            world.deploy_one(
                template(&spec.template.file_stem)?,
                &spec.template.file_stem,
                &spec.stack_name,
                &spec.account,
                &spec.region,
                parameters,
            )?;
        }
        Ok(world)
    }

    /// Parameter values as deploy passes them: stack outputs read from the
    /// deployed log-archive stacks.
    fn parameters(&self, values: &[ParameterValue]) -> Result<BTreeMap<String, String>, String> {
        let mut out = BTreeMap::new();
        for v in values {
            let value = match v {
                ParameterValue::Literal { value, .. } => value.clone(),
                ParameterValue::StackOutput {
                    stack_name,
                    region,
                    output_key,
                    ..
                } => {
                    let stack = self
                        .stacks
                        .iter()
                        .find(|s| s.resolved.context.stack_name == *stack_name && s.region == *region && s.account == self.accounts.archive)
                        .ok_or_else(|| format!("parameter {}: stack {stack_name} in {region} is not deployed (yet)", v.key()))?;
                    let o =
                        stack.resolved.outputs.get(output_key).ok_or_else(|| {
                            format!("stack {stack_name} has no output {output_key}")
                        })?;
                    o.as_str()
                        .ok_or_else(|| format!("output {output_key} is not a string"))?
                        .to_string()
                }
            };
            out.insert(v.key().to_string(), value);
        }
        Ok(out)
    }

    fn deploy_one(
        &mut self,
        template: &Value,
        stem: &str,
        name: &str,
        account: &str,
        region: &str,
        parameters: BTreeMap<String, String>,
    ) -> Result<(), String> {
        if partition_of(region) != self.partition {
            return Err(format!(
                "{stem} deployed to {region}, outside partition {}",
                self.partition
            ));
        }
        let ctx = StackContext {
            stack_name: name.into(),
            account: account.into(),
            region: region.into(),
            partition: self.partition.clone(),
            parameters,
        };
        let resolved =
            resolve(template, &ctx).map_err(|e| format!("{stem} in {account}/{region}: {e}"))?;
        for (logical_id, resource) in &resolved.resources {
            let mut found = Vec::new();
            find_policies(&resource.properties, String::new(), &mut found);
            if let Some(doc) = text_policy(resource)? {
                found.push((TEXT_POLICY_PATH.to_string(), doc));
            }
            for (path, doc) in found {
                let site = Site {
                    stem: stem.into(),
                    logical_id: logical_id.clone(),
                    path: path.clone(),
                };
                let kind = classify(resource, &path).ok_or_else(|| {
                    format!("{site}: a {} policy document the access proof does not attribute to a principal or resource; teach world.rs what it governs", resource.resource_type)
                })?;
                let empty = doc
                    .get("Statement")
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.is_empty());
                let id = format!("{stem}@{account}/{region}:{logical_id}{path}");
                self.policies.insert(
                    id.clone(),
                    PolicyInstance {
                        id,
                        site,
                        kind,
                        doc: (!empty).then(|| doc.clone()),
                    },
                );
            }
        }
        for (function_id, doc) in function_policies(&resolved)? {
            let site = Site {
                stem: stem.into(),
                logical_id: function_id.clone(),
                path: FUNCTION_POLICY_PATH.into(),
            };
            let arn = resolved.resources[&function_id]
                .arn
                .clone()
                .expect("functions have an ARN");
            let id = format!("{stem}@{account}/{region}:{function_id}{FUNCTION_POLICY_PATH}");
            self.policies.insert(
                id.clone(),
                PolicyInstance {
                    id,
                    site,
                    kind: PolicyKind::Function { arn },
                    doc,
                },
            );
        }
        self.stacks.push(Deployed {
            account: account.into(),
            region: region.into(),
            resolved,
        });
        Ok(())
    }

    /// A role of the log copy (`LogCopyDestinationRole`, `LogCopyFirehoseRole`)
    /// in the log-archive account and a region: ARN, trust policy, inline policies.
    pub fn log_copy_role(
        &self,
        region: &str,
        logical_id: &str,
    ) -> Result<(String, Option<&PolicyInstance>, Vec<&PolicyInstance>), String> {
        let archive = &self.accounts.archive;
        let role = self
            .resources(archive, Some(region), "AWS::IAM::Role")
            .into_iter()
            .find(|(_, id, _)| *id == logical_id)
            .map(|(_, _, r)| r)
            .ok_or_else(|| format!("no {logical_id} in {archive}/{region}"))?;
        let arn = role.arn.clone().expect("roles have an ARN");
        let trust = self.policies.values().find(|p| p.kind == PolicyKind::Trust { role_arn: arn.clone() });
        let inline = self.policies.values().filter(|p| p.kind == PolicyKind::Inline { role_arn: arn.clone() }).collect();
        Ok((arn, trust, inline))
    }

    /// A role of the log-archive account by logical id, in whichever stack
    /// has it (the Athena auditor role is in the home region's): ARN, trust
    /// policy, inline policies.
    pub fn archive_role(
        &self,
        logical_id: &str,
    ) -> Result<(String, Option<&PolicyInstance>, Vec<&PolicyInstance>), String> {
        let archive = &self.accounts.archive;
        let role = self
            .resources(archive, None, "AWS::IAM::Role")
            .into_iter()
            .find(|(_, id, _)| *id == logical_id)
            .map(|(_, _, r)| r)
            .ok_or_else(|| format!("no {logical_id} in {archive}"))?;
        let arn = role.arn.clone().expect("roles have an ARN");
        let trust = self.policies.values().find(|p| p.kind == PolicyKind::Trust { role_arn: arn.clone() });
        let inline = self.policies.values().filter(|p| p.kind == PolicyKind::Inline { role_arn: arn.clone() }).collect();
        Ok((arn, trust, inline))
    }

    /// A resource's properties in the log-archive account, with the
    /// region of its stack.
    pub fn archive_resource(&self, ty: &str) -> Result<(String, &Value), String> {
        let archive = &self.accounts.archive;
        self.resources(archive, None, ty)
            .into_iter()
            .next()
            .map(|(stack, _, r)| (stack.region.clone(), &r.properties))
            .ok_or_else(|| format!("no {ty} in {archive}"))
    }

    /// The log copy's destination of a region: ARN and access policy.
    pub fn destination(&self, region: &str) -> Result<(String, Option<&PolicyInstance>), String> {
        let d = self
            .one(&self.accounts.archive, Some(region), "AWS::Logs::Destination")?
            .ok_or_else(|| format!("no destination in the log-archive account in {region}"))?;
        let arn = d.arn.clone().expect("destinations have an ARN");
        let policy = self.policies.values().find(|p| p.kind == PolicyKind::Destination { arn: arn.clone() });
        Ok((arn, policy))
    }

    /// The log copy's Firehose stream of a region.
    pub fn delivery_stream(&self, region: &str) -> Result<String, String> {
        Ok(self
            .one(&self.accounts.archive, Some(region), "AWS::KinesisFirehose::DeliveryStream")?
            .ok_or_else(|| format!("no Firehose stream in the log-archive account in {region}"))?
            .arn
            .clone()
            .expect("streams have an ARN"))
    }

    /// The log copy's delivery-error log group of a region (its generated name).
    pub fn log_copy_error_log_group(&self, region: &str) -> Result<String, String> {
        Ok(self
            .one(&self.accounts.archive, Some(region), "AWS::Logs::LogGroup")?
            .ok_or_else(|| format!("no error log group in the log-archive account in {region}"))?
            .physical_id
            .clone())
    }

    pub fn url_suffix(&self) -> &'static str {
        url_suffix(&self.partition)
    }

    /// The organization an account belongs to.
    pub fn org_of(&self, account: &str) -> Option<String> {
        if account == self.accounts.outsider {
            Some(OUTSIDER_ORG.into())
        } else {
            Some(self.org.clone())
        }
    }

    pub fn account(&self, name: &str) -> Option<&str> {
        let a = &self.accounts;
        Some(match name {
            "management" => &a.management,
            "archive" => &a.archive,
            "member_a" => &a.member_a,
            "member_b" => &a.member_b,
            "outsider" => &a.outsider,
            _ => return None,
        })
    }

    /// Resources of a type deployed in an account and region.
    pub fn resources(
        &self,
        account: &str,
        region: Option<&str>,
        ty: &str,
    ) -> Vec<(&Deployed, &str, &ResolvedResource)> {
        let mut out = Vec::new();
        for s in &self.stacks {
            if s.account != account || region.is_some_and(|r| r != s.region) {
                continue;
            }
            for (id, r) in &s.resolved.resources {
                if r.resource_type == ty {
                    out.push((s, id.as_str(), r));
                }
            }
        }
        out
    }

    fn one(
        &self,
        account: &str,
        region: Option<&str>,
        ty: &str,
    ) -> Result<Option<&ResolvedResource>, String> {
        let found = self.resources(account, region, ty);
        match found.len() {
            0 => Ok(None),
            1 => Ok(Some(found[0].2)),
            n => Err(format!(
                "{n} resources of type {ty} in {account}/{region:?}"
            )),
        }
    }

    /// The central bucket: name and ARN.
    pub fn bucket(&self) -> Result<(String, String), String> {
        let b = self
            .one(&self.accounts.archive, Some(&self.home), "AWS::S3::Bucket")?
            .ok_or("no bucket in the home region")?;
        Ok((
            b.physical_id.clone(),
            b.arn.clone().expect("buckets have an ARN"),
        ))
    }

    /// The key that encrypts the bucket by default.
    pub fn bucket_key(&self) -> Result<String, String> {
        let b = self
            .one(&self.accounts.archive, Some(&self.home), "AWS::S3::Bucket")?
            .ok_or("no bucket")?;
        b.properties
            .pointer("/BucketEncryption/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault/KMSMasterKeyID")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| "the bucket has no default KMS key".into())
    }

    /// The `inputs` of the Session Manager preferences document of an
    /// account and region (`AWS::SSM::Document` or the upsert custom resource).
    pub fn session_inputs(&self, account: &str, region: &str) -> Result<Value, String> {
        for s in self
            .stacks
            .iter()
            .filter(|s| s.account == account && s.region == region)
        {
            for r in s.resolved.resources.values() {
                let Some(content) = r.properties.get("Content") else {
                    continue;
                };
                // Cedar text (just-in-time approval policies), not JSON.
                if r.properties.get("DocumentFormat").and_then(Value::as_str) == Some("TEXT") {
                    continue;
                }
                let content = match content {
                    Value::String(text) => {
                        serde_json::from_str(text).map_err(|e| format!("document content: {e}"))?
                    }
                    other => other.clone(),
                };
                if content.get("sessionType").and_then(Value::as_str) == Some("Standard_Stream") {
                    return content
                        .get("inputs")
                        .cloned()
                        .ok_or_else(|| "session document without inputs".into());
                }
            }
        }
        Err(format!(
            "no Session Manager preferences document in {account}/{region}"
        ))
    }

    pub fn session_input(
        &self,
        account: &str,
        region: &str,
        input: &str,
    ) -> Result<String, String> {
        let v = self.session_inputs(account, region)?;
        let s = v.get(input).and_then(Value::as_str).unwrap_or_default();
        if s.is_empty() {
            Err(format!(
                "the session document of {account}/{region} has no {input}"
            ))
        } else {
            Ok(s.to_string())
        }
    }

    /// The session log group of an account and region: name and key.
    pub fn log_group(&self, account: &str, region: &str) -> Result<(String, String), String> {
        // Member templates create the session log group through the
        // create-or-adopt custom resource (same properties as the AWS type).
        let g = match self.one(account, Some(region), "Custom::SessionLogGroup")? {
            Some(g) => g,
            None => self
                .one(account, Some(region), "AWS::Logs::LogGroup")?
                .ok_or_else(|| format!("no log group in {account}/{region}"))?,
        };
        let key = g
            .properties
            .get("KmsKeyId")
            .and_then(Value::as_str)
            .ok_or("log group without KmsKeyId")?;
        Ok((g.physical_id.clone(), key.to_string()))
    }

    /// The RDP recording key of an account and region.
    pub fn rdp_key(&self, account: &str, region: &str) -> Result<String, String> {
        let p = self
            .one(account, Some(region), "AWS::SSMGuiConnect::Preferences")?
            .ok_or_else(|| format!("no RDP recording preferences in {account}/{region}"))?;
        p.properties
            .pointer("/ConnectionRecordingPreferences/KMSKeyArn")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| "RDP preferences without KMSKeyArn".into())
    }

    /// The instances' managed policy of an account (IAM is global: one).
    pub fn instance_policy(&self, account: &str) -> Result<Option<&PolicyInstance>, String> {
        self.managed_policy(account, &self.config.instance_policy.name)
    }

    /// The managed policy of an operator profile in an account.
    pub fn operator_policy(&self, account: &str, profile: &str) -> Result<Option<&PolicyInstance>, String> {
        let p = self
            .config
            .operators
            .profiles
            .iter()
            .find(|p| p.name == profile)
            .ok_or_else(|| format!("no operator profile {profile}"))?;
        self.managed_policy(account, &sessionlog::stacks::names::Names::new(self.config).operator_policy(p))
    }

    /// The managed policy named `name` in an account (IAM is global: one).
    fn managed_policy(&self, account: &str, name: &str) -> Result<Option<&PolicyInstance>, String> {
        let found: Vec<&PolicyInstance> = self
            .policies
            .values()
            .filter(|p| {
                matches!(&p.kind, PolicyKind::Managed { arn } if arn.ends_with(&format!(":policy/{name}")))
                    && p.id.contains(&format!("@{account}/"))
            })
            .collect();
        match found.len() {
            0 => Ok(None),
            1 => Ok(Some(found[0])),
            n => Err(format!(
                "{n} managed policies named {name} in account {account}: IAM is global, one is expected"
            )),
        }
    }

    /// The upsert function's role in an account and region: ARN, trust
    /// policy, inline policies.
    pub fn function_role(
        &self,
        account: &str,
        region: &str,
    ) -> Result<(String, Option<&PolicyInstance>, Vec<&PolicyInstance>), String> {
        self.function_role_by_id(account, region, "SessionPreferencesFunctionRole")
    }

    /// A member template's function role by logical id: ARN, trust policy,
    /// inline policies.
    pub fn function_role_by_id(
        &self,
        account: &str,
        region: &str,
        logical_id: &str,
    ) -> Result<(String, Option<&PolicyInstance>, Vec<&PolicyInstance>), String> {
        // The preferences (upsert) function's role; the member template also
        // has the log group function's role.
        let roles: Vec<_> = self
            .resources(account, Some(region), "AWS::IAM::Role")
            .into_iter()
            .filter(|(_, id, _)| *id == logical_id)
            .collect();
        let [(_, _, role)] = roles.as_slice() else {
            return Err(format!(
                "{} roles {logical_id} in {account}/{region}, expected one",
                roles.len()
            ));
        };
        let arn = role.arn.clone().expect("roles have an ARN");
        let trust = self.policies.values().find(|p| {
            p.kind
                == PolicyKind::Trust {
                    role_arn: arn.clone(),
                }
        });
        let inline = self
            .policies
            .values()
            .filter(|p| {
                p.kind
                    == PolicyKind::Inline {
                        role_arn: arn.clone(),
                    }
            })
            .collect();
        Ok((arn, trust, inline))
    }

    pub fn policy_of_key(&self, key_arn: &str) -> Result<&PolicyInstance, String> {
        self.policies
            .values()
            .find(|p| {
                p.kind
                    == PolicyKind::Key {
                        key_arn: key_arn.into(),
                    }
            })
            .ok_or_else(|| format!("no stack creates the key {key_arn}"))
    }

    /// The tags of the key with this ARN, as `aws:ResourceTag/<key>` request
    /// context (what AWS adds for a tagged resource).
    pub fn key_tags(&self, key_arn: &str) -> Vec<(String, String)> {
        self.stacks
            .iter()
            .flat_map(|s| s.resolved.resources.values())
            .filter(|r| {
                matches!(r.resource_type.as_str(), "AWS::KMS::Key" | "AWS::KMS::ReplicaKey")
                    && r.arn.as_deref() == Some(key_arn)
            })
            .flat_map(|r| r.properties.get("Tags").and_then(Value::as_array).cloned().unwrap_or_default())
            .filter_map(|t| {
                Some((
                    format!("aws:ResourceTag/{}", t.get("Key")?.as_str()?),
                    t.get("Value")?.as_str()?.to_string(),
                ))
            })
            .collect()
    }

    pub fn policy_of_bucket(&self, bucket: &str) -> Option<&PolicyInstance> {
        self.policies.values().find(|p| {
            p.kind
                == PolicyKind::Bucket {
                    bucket: bucket.into(),
                }
        })
    }

    /// The organization trail sessionlog created in the management account:
    /// the deployed `AWS::CloudTrail::Trail`.
    pub fn organization_trail(&self) -> Result<&ResolvedResource, String> {
        self.one(&self.accounts.management, None, "AWS::CloudTrail::Trail")?
            .ok_or_else(|| "no trail in the management account (requires: [organization_trail])".into())
    }

    /// The CloudTrail guard (seed 004) of an account: the stack that has its
    /// Config rule, and the ARN of the trail its remediation restores (the
    /// runbook's `TrailName` parameter, in the guard's account and region:
    /// CloudTrail's API calls name a trail of the caller's region).
    pub fn guard(&self, account: &str) -> Result<(&Deployed, String), String> {
        let found = self.resources(account, None, "AWS::Config::RemediationConfiguration");
        let [(stack, _, remediation)] = found.as_slice() else {
            return Err(format!(
                "{} CloudTrail guards in account {account}, expected one (requires: [guard_in_management] or [guard_in_members])",
                found.len()
            ));
        };
        let trail = remediation
            .properties
            .pointer("/Parameters/TrailName/StaticValue/Values/0")
            .and_then(Value::as_str)
            .ok_or("the remediation has no TrailName")?;
        let arn = format!(
            "arn:{}:cloudtrail:{}:{account}:trail/{trail}",
            self.partition, stack.region
        );
        Ok((stack, arn))
    }

    /// The guard's assume role in an account: ARN, trust policy, inline policies.
    pub fn guard_role(
        &self,
        account: &str,
    ) -> Result<(String, Option<&PolicyInstance>, Vec<&PolicyInstance>), String> {
        let (stack, _) = self.guard(account)?;
        let role = stack
            .resolved
            .resources
            .get("CloudTrailGuardRole")
            .filter(|r| r.resource_type == "AWS::IAM::Role")
            .ok_or_else(|| format!("no CloudTrailGuardRole beside the guard of {account}"))?;
        let arn = role.arn.clone().expect("roles have an ARN");
        let trust = self.policies.values().find(|p| p.kind == PolicyKind::Trust { role_arn: arn.clone() });
        let inline = self.policies.values().filter(|p| p.kind == PolicyKind::Inline { role_arn: arn.clone() }).collect();
        Ok((arn, trust, inline))
    }

    /// The preferences watch's rule of an account and region for events of
    /// `source` (`aws.ssm`, `aws.ssm-guiconnect`): its ARN.
    pub fn watch_rule(&self, account: &str, region: &str, source: &str) -> Result<String, String> {
        let found: Vec<_> = self
            .resources(account, Some(region), "AWS::Events::Rule")
            .into_iter()
            .filter(|(_, _, r)| {
                r.properties.pointer("/EventPattern/source/0").and_then(Value::as_str) == Some(source)
            })
            .collect();
        match found.as_slice() {
            [(_, _, r)] => Ok(r.arn.clone().expect("rules have an ARN")),
            _ => Err(format!(
                "{} watch rules for {source} in {account}/{region}, expected one",
                found.len()
            )),
        }
    }

    /// The ARN of the stack (in `account` and `region`) that holds the
    /// resource `logical_id` — what `!Ref AWS::StackId` is in its template.
    pub fn stack_holding(&self, account: &str, region: &str, logical_id: &str) -> Result<String, String> {
        self.stacks
            .iter()
            .find(|s| s.account == account && s.region == region && s.resolved.resources.contains_key(logical_id))
            .map(|s| super::resolve::stack_id(&s.resolved.context))
            .ok_or_else(|| format!("no stack with {logical_id} in {account}/{region}"))
    }

    /// The log archive's alarm topic of the region: ARN and access policy.
    pub fn alarm_topic(&self, region: &str) -> Result<(String, Option<&PolicyInstance>), String> {
        let topic = self
            .one(&self.accounts.archive, Some(region), "AWS::SNS::Topic")?
            .ok_or_else(|| format!("no alarm topic in the log archive's {region}"))?;
        let arn = topic.physical_id.clone();
        let policy = self.policies.values().find(|p| p.kind == PolicyKind::Topic { arn: arn.clone() });
        Ok((arn, policy))
    }

    /// The log archive's alarm rule of the region for `source` (`aws.kms`, `aws.s3`).
    pub fn alarm_rule(&self, region: &str, source: &str) -> Result<String, String> {
        self.watch_rule(&self.accounts.archive, region, source)
    }

    /// A member template's function by logical id (the upsert function is
    /// the target of the watch's rules): ARN and its resource-based policy.
    pub fn function(
        &self,
        account: &str,
        region: &str,
        logical_id: &str,
    ) -> Result<(String, Option<&PolicyInstance>), String> {
        let f = self
            .resources(account, Some(region), "AWS::Lambda::Function")
            .into_iter()
            .find(|(_, id, _)| *id == logical_id)
            .map(|(_, _, r)| r)
            .ok_or_else(|| format!("no function {logical_id} in {account}/{region}"))?;
        let arn = f.arn.clone().expect("functions have an ARN");
        let policy = self
            .policies
            .values()
            .find(|p| p.kind == PolicyKind::Function { arn: arn.clone() });
        Ok((arn, policy))
    }

    /// The service control policies sessionlog deployed (attached to the
    /// targeted OUs, so to members A and B, or to the log-archive account).
    pub fn service_control_policies(&self) -> Vec<&PolicyInstance> {
        self.policies
            .values()
            .filter(|p| matches!(p.kind, PolicyKind::ServiceControl { .. }))
            .collect()
    }

    /// The service control policies that restrict the principals of `account`:
    /// those attached to an OU or root (members A and B are in the targeted
    /// OUs) or to the account itself. Never the management account's.
    pub fn service_control_policies_of(&self, account: &str) -> Vec<&PolicyInstance> {
        let in_targeted_ou = [&self.accounts.member_a, &self.accounts.member_b]
            .iter()
            .any(|a| a.as_str() == account);
        self.service_control_policies()
            .into_iter()
            .filter(|p| match &p.kind {
                PolicyKind::ServiceControl { targets, .. } => targets.iter().any(|t| {
                    t == account || (in_targeted_ou && (t.starts_with("ou-") || t.starts_with("r-")))
                }),
                _ => false,
            })
            .collect()
    }

    /// Facts of the configuration a scenario may depend on (`requires`).
    pub fn feature(&self, name: &str, region: &str) -> Result<bool, String> {
        let c = self.config;
        Ok(match name {
            "s3" => c.session_manager.s3.enabled,
            "cloudwatch" => c.session_manager.cloudwatch.enabled,
            "encrypt_sessions" => c.session_manager.encrypt_sessions,
            "rdp" => {
                c.rdp_recording.enabled && sessionlog::aws::regions::supports_rdp_recording(region)
            }
            "upsert" => c.session_manager.document == DocumentMode::Upsert,
            "split_keys" => c.log_archive.keys == KeyLayout::Split,
            "several_regions" => c.regions.len() > 1,
            "home_is_member" => c.regions.contains(&c.log_archive.region),
            "organization_trail" => {
                c.guardrails.cloudtrail.mode == sessionlog::config::model::TrailMode::Organization
            }
            "scp" => c.guardrails.scp.enabled,
            "archive_scp" => c.guardrails.log_archive.scp,
            "guard_in_management" => self.guard(&self.accounts.management).is_ok(),
            "guard_in_members" => self.guard(&self.accounts.member_a).is_ok(),
            "alarm" => {
                c.guardrails.log_archive.alarm
                    && self.one(&self.accounts.archive, Some(region), "AWS::SNS::Topic")?.is_some()
            }
            "alarm_on" => c.guardrails.log_archive.alarm,
            "watch" => {
                c.guardrails.preferences_watch && c.session_manager.document == DocumentMode::Upsert
            }
            f if f.starts_with("profile:") => {
                let name = &f["profile:".len()..];
                c.operators.profiles.iter().any(|p| p.name == name)
            }
            "log_copy" => {
                c.log_copy.enabled
                    && c.session_manager.cloudwatch.enabled
                    && sessionlog::aws::regions::supports_log_copy(region)
            }
            "athena" => c.log_archive.athena.enabled,
            // The auditor role trusts principals outside the log-archive account.
            "athena_external_auditors" => {
                c.log_archive.athena.enabled && !c.log_archive.athena.auditor_role.trusted_principals.is_empty()
            }
            _ => return Err(format!("unknown feature `{name}`")),
        })
    }
}

/// Every policy document (an object with `Statement`) under a value.
pub fn find_policies(v: &Value, path: String, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) if m.contains_key("Statement") => out.push((path, v.clone())),
        Value::Object(m) => {
            for (k, x) in m {
                find_policies(x, format!("{path}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                find_policies(x, format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Where a policy held as JSON text sits, under the resource's `Properties`.
pub const TEXT_POLICY_PATH: &str = "/DestinationPolicy";

/// A policy CloudFormation takes as JSON text: a CloudWatch Logs
/// destination's access policy.
fn text_policy(r: &ResolvedResource) -> Result<Option<Value>, String> {
    if r.resource_type != "AWS::Logs::Destination" {
        return Ok(None);
    }
    let Some(text) = r.properties.get("DestinationPolicy") else {
        return Ok(None);
    };
    let text = text.as_str().ok_or("DestinationPolicy is not a string")?;
    serde_json::from_str(text)
        .map(Some)
        .map_err(|e| format!("DestinationPolicy is not JSON: {e}"))
}

fn classify(r: &ResolvedResource, path: &str) -> Option<PolicyKind> {
    let inline = path
        .strip_prefix("/Policies/")
        .and_then(|rest| rest.strip_suffix("/PolicyDocument"))
        .is_some_and(|i| i.parse::<usize>().is_ok());
    Some(match (r.resource_type.as_str(), path) {
        ("AWS::KMS::Key" | "AWS::KMS::ReplicaKey", "/KeyPolicy") => PolicyKind::Key {
            key_arn: r.arn.clone()?,
        },
        ("AWS::S3::BucketPolicy", "/PolicyDocument") => PolicyKind::Bucket {
            bucket: r.properties.get("Bucket")?.as_str()?.into(),
        },
        ("AWS::IAM::ManagedPolicy", "/PolicyDocument") => PolicyKind::Managed {
            arn: r.physical_id.clone(),
        },
        ("AWS::IAM::Role", "/AssumeRolePolicyDocument") => PolicyKind::Trust {
            role_arn: r.arn.clone()?,
        },
        ("AWS::IAM::Role", _) if inline => PolicyKind::Inline {
            role_arn: r.arn.clone()?,
        },
        ("AWS::Logs::Destination", TEXT_POLICY_PATH) => PolicyKind::Destination {
            arn: r.arn.clone()?,
        },
        ("AWS::SNS::TopicPolicy", "/PolicyDocument") => PolicyKind::Topic {
            arn: r.properties.get("Topics")?.as_array()?.first()?.as_str()?.into(),
        },
        ("AWS::Organizations::Policy", "/Content")
            if r.properties.get("Type").and_then(Value::as_str) == Some("SERVICE_CONTROL_POLICY") =>
        {
            PolicyKind::ServiceControl {
                id: r.physical_id.clone(),
                targets: r
                    .properties
                    .get("TargetIds")?
                    .as_array()?
                    .iter()
                    .filter_map(|t| t.as_str().map(String::from))
                    .collect(),
            }
        }
        _ => return None,
    })
}

/// Where a function's resource-based policy sits: not in the template, but
/// made by Lambda from the stack's `AWS::Lambda::Permission` resources. Its
/// site is the function's logical id with this path; its statements are the
/// permissions, by logical id (removing one removes that resource).
pub const FUNCTION_POLICY_PATH: &str = "/(Lambda permissions)";

/// The `AWS::Lambda::Permission` resources of a template by the logical id
/// of the function they name (`Fn::GetAtt <function>.Arn` or `Ref`), each
/// list sorted: the statements of that function's policy, in order.
pub fn permissions_by_function(template: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, r) in template["Resources"].as_object().into_iter().flatten() {
        if r["Type"] != "AWS::Lambda::Permission" {
            continue;
        }
        let name = &r["Properties"]["FunctionName"];
        let function = name
            .pointer("/Fn::GetAtt/0")
            .or_else(|| name.get("Ref"))
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{id}: FunctionName names no function of the template: {name}"));
        out.entry(function.to_string()).or_default().push(id.clone());
    }
    for ids in out.values_mut() {
        ids.sort();
    }
    out
}

/// The resource-based policy Lambda keeps for each function of a resolved
/// stack that has permissions, by the function's logical id: the statement
/// AddPermission writes for each (`Principal` a service or an account,
/// `AWS:SourceArn` as ArnLike, `AWS:SourceAccount` as StringEquals).
/// A function without permissions has no policy (`None`): it is listed all
/// the same, so a mutant without its only permission is still decided.
fn function_policies(resolved: &Resolved) -> Result<Vec<(String, Option<Value>)>, String> {
    let mut by_function: BTreeMap<String, Vec<Value>> = resolved
        .resources
        .iter()
        .filter(|(_, r)| r.resource_type == "AWS::Lambda::Function")
        .map(|(id, _)| (id.clone(), Vec::new()))
        .collect();
    for (id, r) in &resolved.resources {
        if r.resource_type != "AWS::Lambda::Permission" {
            continue;
        }
        let p = &r.properties;
        let text = |k: &str| p.get(k).and_then(Value::as_str);
        let name = text("FunctionName").ok_or(format!("{id}: no FunctionName"))?;
        let (function_id, function) = resolved
            .resources
            .iter()
            .find(|(_, f)| {
                f.resource_type == "AWS::Lambda::Function"
                    && (f.arn.as_deref() == Some(name) || f.physical_id == name)
            })
            .ok_or(format!("{id}: FunctionName {name} is no function of the stack"))?;
        let principal = text("Principal").ok_or(format!("{id}: no Principal"))?;
        let principal = if principal.ends_with(".amazonaws.com") || principal.ends_with(".amazonaws.com.cn") {
            serde_json::json!({"Service": principal})
        } else {
            serde_json::json!({"AWS": principal})
        };
        let mut condition = serde_json::Map::new();
        if let Some(account) = text("SourceAccount") {
            condition.insert("StringEquals".into(), serde_json::json!({"AWS:SourceAccount": account}));
        }
        if let Some(arn) = text("SourceArn") {
            condition.insert("ArnLike".into(), serde_json::json!({"AWS:SourceArn": arn}));
        }
        for unsupported in ["EventSourceToken", "FunctionUrlAuthType", "PrincipalOrgID"] {
            if p.get(unsupported).is_some() {
                return Err(format!("{id}: {unsupported} is not modelled by the access proof"));
            }
        }
        let mut statement = serde_json::json!({
            "Sid": id,
            "Effect": "Allow",
            "Principal": principal,
            "Action": text("Action").ok_or(format!("{id}: no Action"))?,
            "Resource": function.arn.clone().expect("functions have an ARN"),
        });
        if !condition.is_empty() {
            statement["Condition"] = Value::Object(condition);
        }
        by_function.entry(function_id.clone()).or_default().push(statement);
    }
    Ok(by_function
        .into_iter()
        .map(|(f, statements)| {
            let doc = (!statements.is_empty())
                .then(|| serde_json::json!({"Version": "2012-10-17", "Statement": statements}));
            (f, doc)
        })
        .collect())
}
