//! CloudFormation's side of a deployment, for the access proof: a rendered
//! template (the JSON users deploy) resolved for one concrete stack — account,
//! region, partition, parameter values — into the plain values AWS would
//! store: every `Ref`, `Fn::GetAtt`, `Fn::Sub` (both forms, `${!Literal}`),
//! `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If` with `Conditions`,
//! `Fn::FindInMap`, `Fn::Base64` and the pseudo parameters. Physical ids and
//! attributes follow each resource type's documented return values, with
//! deterministic fake ids. Anything this module does not know is an error,
//! never a guess: a proof must not silently evaluate something else.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

/// One stack instance: where the template is deployed and with what.
#[derive(Debug, Clone)]
pub struct StackContext {
    pub stack_name: String,
    pub account: String,
    pub region: String,
    pub partition: String,
    pub parameters: BTreeMap<String, String>,
}

/// A resolved stack: its resources' types, properties and physical ids, and
/// its outputs.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub context: StackContext,
    /// Logical id → resource (only those whose `Condition` holds).
    pub resources: BTreeMap<String, ResolvedResource>,
    pub outputs: BTreeMap<String, Value>,
}

#[derive(Debug, Clone)]
pub struct ResolvedResource {
    pub resource_type: String,
    pub properties: Value,
    /// What `Ref` returns.
    pub physical_id: String,
    /// `Arn`, where the type has one.
    pub arn: Option<String>,
}

pub fn url_suffix(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "amazonaws.com.cn",
        "aws-iso" => "c2s.ic.gov",
        "aws-iso-b" => "sc2s.sgov.gov",
        _ => "amazonaws.com",
    }
}

/// 32 hex digits derived from `seed` (FNV-1a, twice): stable fake ids.
/// The stack's ARN (`!Ref AWS::StackId`): its name and an id made from it.
pub fn stack_id(c: &StackContext) -> String {
    let h = fake_hex(&c.stack_name);
    format!(
        "arn:{}:cloudformation:{}:{}:stack/{}/{}-{}-{}-{}-{}",
        c.partition,
        c.region,
        c.account,
        c.stack_name,
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

pub fn fake_hex(seed: &str) -> String {
    let mut out = String::new();
    for salt in ["a", "b"] {
        let mut h: u64 = 0xcbf29ce484222325;
        for b in salt.bytes().chain(seed.bytes()) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out
}

pub fn resolve(template: &Value, ctx: &StackContext) -> Result<Resolved, String> {
    let mut r = Resolver::new(template, ctx)?;
    let ids: Vec<String> = r.resource_ids();
    let mut resources = BTreeMap::new();
    for id in ids {
        if !r.resource_exists(&id)? {
            continue;
        }
        let properties = r.properties(&id)?;
        let physical_id = r.physical_id(&id)?;
        let arn = r.arn(&id)?;
        resources.insert(
            id.clone(),
            ResolvedResource {
                resource_type: r.resource_type(&id)?,
                properties,
                physical_id,
                arn,
            },
        );
    }
    let mut outputs = BTreeMap::new();
    if let Some(Value::Object(outs)) = template.get("Outputs") {
        for (name, out) in outs {
            if let Some(cond) = out.get("Condition").and_then(Value::as_str) {
                if !r.condition(cond)? {
                    continue;
                }
            }
            let value = out
                .get("Value")
                .ok_or(format!("output {name} has no Value"))?;
            if let Some(v) = r.eval(value, &format!("/Outputs/{name}/Value"))? {
                outputs.insert(name.clone(), v);
            }
        }
    }
    Ok(Resolved {
        context: ctx.clone(),
        resources,
        outputs,
    })
}

struct Resolver<'a> {
    template: &'a Value,
    ctx: &'a StackContext,
    parameters: BTreeMap<String, Value>,
    conditions: BTreeMap<String, bool>,
    properties: BTreeMap<String, Value>,
    in_progress: BTreeSet<String>,
}

fn intrinsic(v: &Value) -> Option<(&str, &Value)> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    let (k, arg) = m.iter().next()?;
    (k == "Ref" || k.starts_with("Fn::") || k == "Condition").then_some((k.as_str(), arg))
}

fn as_text(v: &Value, at: &str) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("{at}: expected a string, found {other}")),
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl<'a> Resolver<'a> {
    fn new(template: &'a Value, ctx: &'a StackContext) -> Result<Self, String> {
        let mut parameters = BTreeMap::new();
        let declared = template
            .get("Parameters")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (name, decl) in &declared {
            let given = ctx.parameters.get(name).cloned();
            let value = match (given, decl.get("Default")) {
                (Some(v), _) => v,
                (None, Some(d)) => as_text(d, &format!("/Parameters/{name}/Default"))?,
                (None, None) => {
                    return Err(format!(
                        "stack {}: parameter {name} has no value and no default",
                        ctx.stack_name
                    ))
                }
            };
            if let Some(pattern) = decl.get("AllowedPattern").and_then(Value::as_str) {
                let re = regex::Regex::new(&format!("^(?:{pattern})$"))
                    .map_err(|e| format!("{name}: {e}"))?;
                if !re.is_match(&value) {
                    return Err(format!("stack {}: parameter {name} = {value:?} does not match AllowedPattern {pattern}", ctx.stack_name));
                }
            }
            if let Some(Value::Array(allowed)) = decl.get("AllowedValues") {
                if !allowed
                    .iter()
                    .any(|a| as_text(a, "").ok().as_deref() == Some(value.as_str()))
                {
                    return Err(format!(
                        "stack {}: parameter {name} = {value:?} is not an allowed value",
                        ctx.stack_name
                    ));
                }
            }
            let ty = decl.get("Type").and_then(Value::as_str).unwrap_or("String");
            let v = if ty == "CommaDelimitedList" || ty.starts_with("List<") {
                Value::Array(
                    value
                        .split(',')
                        .map(|s| Value::String(s.trim().to_string()))
                        .collect(),
                )
            } else {
                Value::String(value)
            };
            parameters.insert(name.clone(), v);
        }
        for name in ctx.parameters.keys() {
            if !declared.contains_key(name) {
                return Err(format!(
                    "stack {}: parameter {name} is passed but the template does not declare it",
                    ctx.stack_name
                ));
            }
        }
        Ok(Resolver {
            template,
            ctx,
            parameters,
            conditions: BTreeMap::new(),
            properties: BTreeMap::new(),
            in_progress: BTreeSet::new(),
        })
    }

    fn resource_ids(&self) -> Vec<String> {
        self.template
            .get("Resources")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn resource(&self, id: &str) -> Result<&'a Value, String> {
        self.template
            .get("Resources")
            .and_then(|r| r.get(id))
            .ok_or_else(|| format!("no resource {id}"))
    }

    fn resource_type(&self, id: &str) -> Result<String, String> {
        self.resource(id)?
            .get("Type")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or(format!("resource {id} has no Type"))
    }

    fn resource_exists(&mut self, id: &str) -> Result<bool, String> {
        match self.resource(id)?.get("Condition").and_then(Value::as_str) {
            Some(c) => self.condition(c),
            None => Ok(true),
        }
    }

    fn condition(&mut self, name: &str) -> Result<bool, String> {
        if let Some(v) = self.conditions.get(name) {
            return Ok(*v);
        }
        let key = format!("condition {name}");
        if !self.in_progress.insert(key.clone()) {
            return Err(format!("condition {name} depends on itself"));
        }
        let def = self
            .template
            .get("Conditions")
            .and_then(|c| c.get(name))
            .ok_or_else(|| format!("no condition {name}"))?;
        let v = self.boolean(def, &format!("/Conditions/{name}"))?;
        self.in_progress.remove(&key);
        self.conditions.insert(name.to_string(), v);
        Ok(v)
    }

    fn boolean(&mut self, v: &Value, at: &str) -> Result<bool, String> {
        match intrinsic(v) {
            Some(("Fn::Equals", Value::Array(a))) if a.len() == 2 => {
                let l = self.eval(&a[0], at)?;
                let r = self.eval(&a[1], at)?;
                Ok(l.map(|v| as_text(&v, at)).transpose()?
                    == r.map(|v| as_text(&v, at)).transpose()?)
            }
            Some(("Fn::And", Value::Array(a))) => {
                let mut all = true;
                for x in a {
                    all &= self.boolean(x, at)?;
                }
                Ok(all)
            }
            Some(("Fn::Or", Value::Array(a))) => {
                let mut any = false;
                for x in a {
                    any |= self.boolean(x, at)?;
                }
                Ok(any)
            }
            Some(("Fn::Not", Value::Array(a))) if a.len() == 1 => Ok(!self.boolean(&a[0], at)?),
            Some(("Condition", Value::String(c))) => self.condition(c),
            _ => Err(format!("{at}: not a condition function: {v}")),
        }
    }

    fn properties(&mut self, id: &str) -> Result<Value, String> {
        if let Some(p) = self.properties.get(id) {
            return Ok(p.clone());
        }
        if !self.in_progress.insert(id.to_string()) {
            return Err(format!("resource {id} depends on itself"));
        }
        let raw = self
            .resource(id)?
            .get("Properties")
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        let v = self
            .eval(&raw, &format!("/Resources/{id}/Properties"))?
            .unwrap_or(Value::Object(Map::new()));
        self.in_progress.remove(id);
        self.properties.insert(id.to_string(), v.clone());
        Ok(v)
    }

    fn prop(&mut self, id: &str, name: &str) -> Result<Option<String>, String> {
        let p = self.properties(id)?;
        p.get(name)
            .map(|v| as_text(v, &format!("{id}.{name}")))
            .transpose()
    }

    /// CloudFormation's generated names: `<stack>-<LogicalId>-<SUFFIX>`.
    fn generated_name(&self, id: &str, max: usize) -> String {
        let suffix = fake_hex(&format!(
            "{}/{}/{}/{id}",
            self.ctx.account, self.ctx.region, self.ctx.stack_name
        ))[..12]
            .to_ascii_uppercase();
        let mut head = format!("{}-{id}", self.ctx.stack_name);
        head.truncate(max.saturating_sub(suffix.len() + 1));
        format!("{head}-{suffix}")
    }

    fn physical_id(&mut self, id: &str) -> Result<String, String> {
        let c = self.ctx;
        let ty = self.resource_type(id)?;
        Ok(match ty.as_str() {
            "AWS::KMS::Key" => {
                let multi = self
                    .properties(id)?
                    .get("MultiRegion")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let hex = fake_hex(&format!(
                    "key/{}/{}/{}/{id}",
                    c.account, c.region, c.stack_name
                ));
                if multi {
                    format!("mrk-{hex}")
                } else {
                    format!(
                        "{}-{}-{}-{}-{}",
                        &hex[..8],
                        &hex[8..12],
                        &hex[12..16],
                        &hex[16..20],
                        &hex[20..32]
                    )
                }
            }
            "AWS::KMS::ReplicaKey" => {
                // A replica has the id of its primary key (multi-region keys).
                let primary = self
                    .prop(id, "PrimaryKeyArn")?
                    .ok_or(format!("{id}: no PrimaryKeyArn"))?;
                let parts: Vec<&str> = primary.splitn(6, ':').collect();
                let key_id = primary.rsplit_once(":key/").map(|(_, k)| k.to_string());
                match (parts.as_slice(), key_id) {
                    ([_, p, "kms", _, account, _], Some(k)) if *p == c.partition && *account == c.account && k.starts_with("mrk-") => k,
                    _ => return Err(format!("{id}: PrimaryKeyArn {primary} is not a multi-region key of account {} in {}", c.account, c.partition)),
                }
            }
            "AWS::KMS::Alias" => self
                .prop(id, "AliasName")?
                .ok_or(format!("{id}: no AliasName"))?,
            "AWS::S3::Bucket" => match self.prop(id, "BucketName")? {
                Some(n) => n,
                None => self.generated_name(id, 63).to_ascii_lowercase(),
            },
            "AWS::IAM::ManagedPolicy" => {
                let name = self
                    .prop(id, "ManagedPolicyName")?
                    .unwrap_or_else(|| self.generated_name(id, 128));
                let path = self.prop(id, "Path")?.unwrap_or_else(|| "/".into());
                format!("arn:{}:iam::{}:policy{path}{name}", c.partition, c.account)
            }
            "AWS::IAM::Role" => match self.prop(id, "RoleName")? {
                Some(n) => n,
                None => self.generated_name(id, 64),
            },
            "AWS::Lambda::Function" => match self.prop(id, "FunctionName")? {
                Some(n) => n,
                None => self.generated_name(id, 64),
            },
            // The create-or-adopt log group's function answers with the group's name.
            "AWS::Logs::LogGroup" | "Custom::SessionLogGroup" => match self.prop(id, "LogGroupName")? {
                Some(n) => n,
                None => self.generated_name(id, 512),
            },
            "AWS::SSM::Document" => match self.prop(id, "Name")? {
                Some(n) => n,
                None => self.generated_name(id, 128),
            },
            "AWS::Logs::Destination" => self
                .prop(id, "DestinationName")?
                .ok_or(format!("{id}: no DestinationName"))?,
            "AWS::KinesisFirehose::DeliveryStream" => match self.prop(id, "DeliveryStreamName")? {
                Some(n) => n,
                None => self.generated_name(id, 64),
            },
            "AWS::CloudTrail::Trail" => match self.prop(id, "TrailName")? {
                Some(n) => n,
                None => self.generated_name(id, 128),
            },
            // Rules of the default event bus: Ref is the rule's name.
            "AWS::Events::Rule" => match self.prop(id, "Name")? {
                Some(n) => n,
                None => self.generated_name(id, 64),
            },
            "AWS::Config::ConfigRule" => match self.prop(id, "ConfigRuleName")? {
                Some(n) => n,
                None => self.generated_name(id, 128),
            },
            // Ref of a topic is its ARN.
            "AWS::SNS::Topic" => format!(
                "arn:{}:sns:{}:{}:{}",
                c.partition,
                c.region,
                c.account,
                match self.prop(id, "TopicName")? {
                    Some(n) => n,
                    None => self.generated_name(id, 256),
                }
            ),
            // Ref is the policy's id (`p-` and 8 or more characters).
            "AWS::Organizations::Policy" => format!(
                "p-{}",
                &fake_hex(&format!("policy/{}/{}/{id}", c.account, c.stack_name))[..10]
            ),
            "AWS::Logs::LogStream" => match self.prop(id, "LogStreamName")? {
                Some(n) => n,
                None => self.generated_name(id, 512),
            },
            _ => self.generated_name(id, 128),
        })
    }

    /// The `Arn` attribute, for types that have one.
    fn arn(&mut self, id: &str) -> Result<Option<String>, String> {
        let c = self.ctx;
        let ty = self.resource_type(id)?;
        Ok(match ty.as_str() {
            "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => Some(format!(
                "arn:{}:kms:{}:{}:key/{}",
                c.partition,
                c.region,
                c.account,
                self.physical_id(id)?
            )),
            "AWS::S3::Bucket" => Some(format!(
                "arn:{}:s3:::{}",
                c.partition,
                self.physical_id(id)?
            )),
            "AWS::IAM::Role" => {
                let path = self.prop(id, "Path")?.unwrap_or_else(|| "/".into());
                Some(format!(
                    "arn:{}:iam::{}:role{path}{}",
                    c.partition,
                    c.account,
                    self.physical_id(id)?
                ))
            }
            "AWS::Lambda::Function" => Some(format!(
                "arn:{}:lambda:{}:{}:function:{}",
                c.partition,
                c.region,
                c.account,
                self.physical_id(id)?
            )),
            // GetAtt LogGroup.Arn ends in `:*` (CloudFormation's documented return value).
            "AWS::Logs::LogGroup" | "Custom::SessionLogGroup" => Some(format!(
                "arn:{}:logs:{}:{}:log-group:{}:*",
                c.partition,
                c.region,
                c.account,
                self.physical_id(id)?
            )),
            "AWS::IAM::ManagedPolicy" => Some(self.physical_id(id)?),
            "AWS::Logs::Destination" => Some(format!(
                "arn:{}:logs:{}:{}:destination:{}",
                c.partition,
                c.region,
                c.account,
                self.physical_id(id)?
            )),
            "AWS::CloudTrail::Trail" => Some(format!(
                "arn:{}:cloudtrail:{}:{}:trail/{}",
                c.partition,
                c.region,
                c.account,
                self.physical_id(id)?
            )),
            "AWS::Events::Rule" => Some(format!(
                "arn:{}:events:{}:{}:rule/{}",
                c.partition,
                c.region,
                c.account,
                self.physical_id(id)?
            )),
            "AWS::SNS::Topic" => Some(self.physical_id(id)?),
            "AWS::KinesisFirehose::DeliveryStream" => Some(format!(
                "arn:{}:firehose:{}:{}:deliverystream/{}",
                c.partition,
                c.region,
                c.account,
                self.physical_id(id)?
            )),
            _ => None,
        })
    }

    fn get_att(&mut self, id: &str, attr: &str, at: &str) -> Result<Value, String> {
        if !self.resource_exists(id)? {
            return Err(format!(
                "{at}: GetAtt {id}.{attr} of a resource whose condition is false"
            ));
        }
        let ty = self.resource_type(id)?;
        let v = match (ty.as_str(), attr) {
            (_, "Arn") => self.arn(id)?,
            ("AWS::KMS::Key" | "AWS::KMS::ReplicaKey", "KeyId") => Some(self.physical_id(id)?),
            ("AWS::IAM::ManagedPolicy", "PolicyArn") => Some(self.physical_id(id)?),
            ("AWS::SSO::PermissionSet", "PermissionSetArn") => {
                let instance = self
                    .prop(id, "InstanceArn")?
                    .ok_or(format!("{id}: no InstanceArn"))?;
                let instance_id = instance
                    .rsplit_once(":instance/")
                    .map(|(_, i)| i.to_string())
                    .ok_or(format!("{id}: InstanceArn {instance} is not an instance ARN"))?;
                Some(format!(
                    "arn:{}:sso:::permissionSet/{instance_id}/ps-{}",
                    self.ctx.partition,
                    &fake_hex(&format!("{}/{id}", self.ctx.stack_name))[..16]
                ))
            }
            ("AWS::IAM::Role", "RoleId") => {
                Some(format!("AROA{}", &fake_hex(id)[..17].to_ascii_uppercase()))
            }
            _ => None,
        };
        v.map(Value::String).ok_or_else(|| {
            format!(
                "{at}: GetAtt {id}.{attr} ({ty}) is not modelled by the access proof's resolver"
            )
        })
    }

    fn reference(&mut self, name: &str, at: &str) -> Result<Option<Value>, String> {
        let c = self.ctx;
        let s = |v: String| Ok(Some(Value::String(v)));
        match name {
            "AWS::AccountId" => s(c.account.clone()),
            "AWS::Region" => s(c.region.clone()),
            "AWS::Partition" => s(c.partition.clone()),
            "AWS::URLSuffix" => s(url_suffix(&c.partition).to_string()),
            "AWS::StackName" => s(c.stack_name.clone()),
            "AWS::StackId" => s(stack_id(c)),
            "AWS::NotificationARNs" => Ok(Some(Value::Array(Vec::new()))),
            "AWS::NoValue" => Ok(None),
            _ if self.parameters.contains_key(name) => Ok(Some(self.parameters[name].clone())),
            _ if self
                .template
                .get("Resources")
                .and_then(|r| r.get(name))
                .is_some() =>
            {
                if !self.resource_exists(name)? {
                    return Err(format!(
                        "{at}: Ref {name}, a resource whose condition is false"
                    ));
                }
                s(self.physical_id(name)?)
            }
            _ => Err(format!("{at}: Ref to unknown {name}")),
        }
    }

    fn sub(&mut self, text: &str, vars: &Map<String, Value>, at: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| format!("{at}: unterminated ${{ in Fn::Sub"))?;
            let var = &after[..end];
            if let Some(literal) = var.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(v) = vars.get(var) {
                let v = self
                    .eval(v, at)?
                    .ok_or(format!("{at}: ${{{var}}} is AWS::NoValue"))?;
                out.push_str(&as_text(&v, at)?);
            } else if let Some((res, attr)) = var.split_once('.') {
                out.push_str(&as_text(&self.get_att(res, attr, at)?, at)?);
            } else {
                let v = self
                    .reference(var, at)?
                    .ok_or(format!("{at}: ${{{var}}} is AWS::NoValue"))?;
                out.push_str(&as_text(&v, at)?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `None` is `AWS::NoValue`: the key or item disappears.
    fn eval(&mut self, v: &Value, at: &str) -> Result<Option<Value>, String> {
        if let Some((f, arg)) = intrinsic(v) {
            return self.function(f, arg, at);
        }
        Ok(Some(match v {
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, x) in m {
                    if let Some(x) = self.eval(x, &format!("{at}/{k}"))? {
                        out.insert(k.clone(), x);
                    }
                }
                Value::Object(out)
            }
            Value::Array(a) => {
                let mut out = Vec::new();
                for (i, x) in a.iter().enumerate() {
                    if let Some(x) = self.eval(x, &format!("{at}/{i}"))? {
                        out.push(x);
                    }
                }
                Value::Array(out)
            }
            other => other.clone(),
        }))
    }

    fn list(&mut self, v: &Value, at: &str) -> Result<Vec<Value>, String> {
        match self.eval(v, at)? {
            Some(Value::Array(a)) => Ok(a),
            other => Err(format!("{at}: expected a list, found {other:?}")),
        }
    }

    fn function(&mut self, f: &str, arg: &Value, at: &str) -> Result<Option<Value>, String> {
        let at = &format!("{at}/{f}");
        let text = |v: Option<Value>| -> Result<String, String> {
            as_text(&v.ok_or(format!("{at}: AWS::NoValue"))?, at)
        };
        match (f, arg) {
            ("Ref", Value::String(name)) => self.reference(name, at),
            ("Fn::GetAtt", Value::Array(a)) if a.len() == 2 => {
                let res = a[0].as_str().ok_or(format!("{at}: resource name"))?;
                let attr = text(self.eval(&a[1], at)?)?;
                Ok(Some(self.get_att(res, &attr, at)?))
            }
            ("Fn::GetAtt", Value::String(s)) => {
                let (res, attr) = s
                    .split_once('.')
                    .ok_or(format!("{at}: {s} is not Resource.Attribute"))?;
                Ok(Some(self.get_att(res, attr, at)?))
            }
            ("Fn::Sub", Value::String(s)) => {
                Ok(Some(Value::String(self.sub(s, &Map::new(), at)?)))
            }
            ("Fn::Sub", Value::Array(a)) if a.len() == 2 => {
                let s = a[0]
                    .as_str()
                    .ok_or(format!("{at}: the Fn::Sub text must be a string"))?;
                let vars = a[1]
                    .as_object()
                    .ok_or(format!("{at}: the Fn::Sub variables must be a map"))?
                    .clone();
                Ok(Some(Value::String(self.sub(s, &vars, at)?)))
            }
            ("Fn::Join", Value::Array(a)) if a.len() == 2 => {
                let delim = a[0].as_str().ok_or(format!("{at}: delimiter"))?.to_string();
                let items = self.list(&a[1], at)?;
                let parts: Result<Vec<String>, String> =
                    items.iter().map(|v| as_text(v, at)).collect();
                Ok(Some(Value::String(parts?.join(&delim))))
            }
            ("Fn::Select", Value::Array(a)) if a.len() == 2 => {
                let i: usize = text(self.eval(&a[0], at)?)?
                    .parse()
                    .map_err(|_| format!("{at}: index"))?;
                let items = self.list(&a[1], at)?;
                items
                    .get(i)
                    .cloned()
                    .map(Some)
                    .ok_or(format!("{at}: index {i} out of range"))
            }
            ("Fn::Split", Value::Array(a)) if a.len() == 2 => {
                let delim = a[0].as_str().ok_or(format!("{at}: delimiter"))?.to_string();
                let s = text(self.eval(&a[1], at)?)?;
                Ok(Some(Value::Array(
                    s.split(delim.as_str())
                        .map(|p| Value::String(p.into()))
                        .collect(),
                )))
            }
            ("Fn::If", Value::Array(a)) if a.len() == 3 => {
                let c = a[0].as_str().ok_or(format!("{at}: condition name"))?;
                if self.condition(c)? {
                    self.eval(&a[1], at)
                } else {
                    self.eval(&a[2], at)
                }
            }
            ("Fn::FindInMap", Value::Array(a)) if a.len() == 3 => {
                let keys: Result<Vec<String>, String> =
                    a.iter().map(|k| text(self.eval(k, at)?)).collect();
                let keys = keys?;
                let v = self
                    .template
                    .get("Mappings")
                    .and_then(|m| m.get(&keys[0]))
                    .and_then(|m| m.get(&keys[1]))
                    .and_then(|m| m.get(&keys[2]))
                    .ok_or(format!("{at}: no mapping {keys:?}"))?;
                Ok(Some(v.clone()))
            }
            ("Fn::Base64", v) => {
                let s = text(self.eval(v, at)?)?;
                Ok(Some(Value::String(base64(s.as_bytes()))))
            }
            _ => Err(format!(
                "{at}: {f} is not supported by the access proof's resolver: {arg}"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> StackContext {
        StackContext {
            stack_name: "s".into(),
            account: "123456789012".into(),
            region: "eu-west-1".into(),
            partition: "aws".into(),
            parameters: BTreeMap::from([("KeyId".to_string(), "mrk-00".to_string())]),
        }
    }

    #[test]
    fn sub_ref_getatt_and_literals() {
        let t = json!({
            "Parameters": {"KeyId": {"Type": "String", "AllowedPattern": "^mrk-[0-9]+$"}},
            "Conditions": {"IsEu": {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]}},
            "Resources": {
                "B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Join": ["-", ["b", {"Ref": "AWS::AccountId"}]]}}},
                "P": {"Type": "AWS::S3::BucketPolicy", "Properties": {
                    "Bucket": {"Ref": "B"},
                    "X": {"Fn::Sub": "${B.Arn}/${!aws:PrincipalAccount}/${AWS::URLSuffix}"},
                    "Y": {"Fn::Sub": ["${a}:${KeyId}", {"a": {"Fn::Select": [1, {"Fn::Split": [",", "p,q"]}]}}]},
                    "Z": {"Fn::If": ["IsEu", {"Ref": "AWS::NoValue"}, "no"]},
                    "L": ["x", {"Ref": "AWS::NoValue"}]
                }}
            },
            "Outputs": {"O": {"Value": {"Fn::GetAtt": ["B", "Arn"]}}}
        });
        let r = resolve(&t, &ctx()).unwrap();
        let p = &r.resources["P"].properties;
        assert_eq!(p["Bucket"], json!("b-123456789012"));
        assert_eq!(
            p["X"],
            json!("arn:aws:s3:::b-123456789012/${aws:PrincipalAccount}/amazonaws.com")
        );
        assert_eq!(p["Y"], json!("q:mrk-00"));
        assert!(p.get("Z").is_none());
        assert_eq!(p["L"], json!(["x"]));
        assert_eq!(r.outputs["O"], json!("arn:aws:s3:::b-123456789012"));
    }

    #[test]
    fn unknown_functions_attributes_and_bad_parameters_are_errors() {
        let t = |props: Value| json!({"Parameters": {"KeyId": {"Type": "String", "AllowedPattern": "^mrk-[0-9]+$"}}, "Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": props}}});
        assert!(resolve(&t(json!({"X": {"Fn::ImportValue": "x"}})), &ctx())
            .unwrap_err()
            .contains("not supported"));
        assert!(resolve(
            &t(json!({"X": {"Fn::GetAtt": ["B", "WebsiteURL"]}})),
            &ctx()
        )
        .unwrap_err()
        .contains("not modelled"));
        assert!(resolve(&t(json!({"X": {"Ref": "Nope"}})), &ctx())
            .unwrap_err()
            .contains("unknown"));
        let mut bad = ctx();
        bad.parameters.insert("KeyId".into(), "{{output:x}}".into());
        assert!(resolve(&t(json!({})), &bad)
            .unwrap_err()
            .contains("AllowedPattern"));
    }

    #[test]
    fn guardrail_types_have_their_documented_return_values() {
        let t = json!({"Resources": {
            "T": {"Type": "AWS::CloudTrail::Trail", "Properties": {"TrailName": "org"}},
            "R": {"Type": "AWS::Events::Rule", "Properties": {}},
            "C": {"Type": "AWS::Config::ConfigRule", "Properties": {"ConfigRuleName": "rule"}},
            "P": {"Type": "AWS::Organizations::Policy", "Properties": {}},
            "S": {"Type": "AWS::SSO::PermissionSet", "Properties": {"InstanceArn": "arn:aws:sso:::instance/ssoins-1"}},
            "X": {"Type": "AWS::Lambda::Permission", "Properties": {
                "SourceArn": {"Fn::GetAtt": ["R", "Arn"]},
                "Trail": {"Fn::GetAtt": ["T", "Arn"]},
                "Rule": {"Ref": "C"},
                "Policy": {"Ref": "P"},
                "Set": {"Fn::GetAtt": ["S", "PermissionSetArn"]}}}
        }});
        let mut c = ctx();
        c.parameters.clear();
        let r = resolve(&t, &c).unwrap();
        let x = &r.resources["X"].properties;
        assert_eq!(x["Trail"], json!("arn:aws:cloudtrail:eu-west-1:123456789012:trail/org"));
        let rule = x["SourceArn"].as_str().unwrap();
        assert!(rule.starts_with("arn:aws:events:eu-west-1:123456789012:rule/s-R-"), "{rule}");
        assert!(rule.len() - "arn:aws:events:eu-west-1:123456789012:rule/".len() <= 64);
        assert_eq!(x["Rule"], json!("rule"));
        assert!(regex::Regex::new("^p-[0-9a-f]{10}$").unwrap().is_match(x["Policy"].as_str().unwrap()));
        assert!(x["Set"].as_str().unwrap().starts_with("arn:aws:sso:::permissionSet/ssoins-1/ps-"));
        // A document has no Arn attribute in CloudFormation: not made up.
        let d = json!({"Resources": {"D": {"Type": "AWS::SSM::Document", "Properties": {"Name": "d"}},
            "X": {"Type": "AWS::Lambda::Permission", "Properties": {"A": {"Fn::GetAtt": ["D", "Arn"]}}}}});
        assert!(resolve(&d, &c).unwrap_err().contains("not modelled"));
    }

    #[test]
    fn replica_keys_share_the_primary_id() {
        let t = json!({"Resources": {"R": {"Type": "AWS::KMS::ReplicaKey", "Properties": {
            "PrimaryKeyArn": "arn:aws:kms:us-east-1:123456789012:key/mrk-abc"}}}});
        let mut c = ctx();
        c.parameters.clear();
        let r = resolve(&t, &c).unwrap();
        assert_eq!(r.resources["R"].physical_id, "mrk-abc");
        assert_eq!(
            r.resources["R"].arn.as_deref(),
            Some("arn:aws:kms:eu-west-1:123456789012:key/mrk-abc")
        );
    }
}
