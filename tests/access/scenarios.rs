//! The scenario table (`scenarios.yaml`) and its expansion into concrete
//! requests for one deployed world: every scenario, in every member region,
//! with the actor's identity policies and the resource's policy as deployed.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use super::world::{PolicyInstance, World};

pub const TABLE: &str = include_str!("scenarios.yaml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub actors: BTreeMap<String, Actor>,
    pub fixtures: BTreeMap<String, Value>,
    pub scenarios: Vec<Scenario>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub title: String,
    pub account: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub identity: Vec<String>,
    #[serde(default)]
    pub sends: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    Allowed,
    Denied,
    ExplicitDeny,
}

impl Expect {
    /// The simulator's word for it.
    pub fn decision(self) -> &'static str {
        match self {
            Expect::Allowed => "Allowed",
            Expect::Denied => "ImplicitlyDenied",
            Expect::ExplicitDeny => "ExplicitlyDenied",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Expect::Allowed => "**allowed**",
            Expect::Denied => "denied",
            Expect::ExplicitDeny => "denied (explicit deny)",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    pub actor: String,
    pub action: String,
    pub resource: String,
    #[serde(default)]
    pub context: BTreeMap<String, String>,
    #[serde(default)]
    pub requires: Vec<String>,
    pub expect: Expect,
    pub what: String,
}

pub fn table() -> Table {
    let t: Table = serde_yaml::from_str(TABLE).unwrap_or_else(|e| panic!("scenarios.yaml: {e}"));
    let mut ids = std::collections::BTreeSet::new();
    for s in &t.scenarios {
        assert!(ids.insert(&s.id), "scenario id {} is used twice", s.id);
        assert!(
            t.actors.contains_key(&s.actor),
            "{}: unknown actor {}",
            s.id,
            s.actor
        );
    }
    for (name, a) in &t.actors {
        assert!(
            a.role.is_some() != a.service.is_some(),
            "actor {name}: exactly one of role and service"
        );
    }
    t
}

/// A policy a request is decided with: a deployed one or a fixture.
#[derive(Debug, Clone)]
pub enum PolicyRef {
    /// The id of a deployed policy instance (`World::policies`).
    Deployed(String),
    /// A fixture, filled for this world and region.
    Fixture {
        name: String,
        region: String,
        doc: Value,
    },
}

/// One scenario in one region: the request and the policies that decide it.
#[derive(Debug, Clone)]
pub struct Case {
    pub scenario: usize,
    pub region: String,
    /// For `each-key` scenarios: the key's logical id.
    pub variant: Option<String>,
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub resource_account: String,
    pub context: BTreeMap<String, String>,
    pub identity: Vec<PolicyRef>,
    pub resource_policy: Option<PolicyRef>,
    /// Service control policies on the principal's account (its OU): the
    /// deployed SCPs, for roles of the StackSets' target accounts.
    pub scps: Vec<PolicyRef>,
}

impl Case {
    /// Stable key across worlds of the same configuration.
    pub fn key(&self, t: &Table) -> String {
        let variant = self
            .variant
            .as_ref()
            .map(|v| format!(" ({v})"))
            .unwrap_or_default();
        format!(
            "{} in {}{variant}",
            t.scenarios[self.scenario].id, self.region
        )
    }

    pub fn uses_site(&self, world: &World, site: &super::world::Site) -> bool {
        let uses = |p: &PolicyRef| matches!(p, PolicyRef::Deployed(id) if world.policies[id].site == *site);
        self.identity.iter().any(uses)
            || self.resource_policy.as_ref().is_some_and(uses)
            || self.scps.iter().any(uses)
    }
}

struct Expander<'w, 'c> {
    world: &'w World<'c>,
    region: String,
    actor_account: String,
}

impl Expander<'_, '_> {
    fn placeholder(&self, name: &str, arg: Option<&str>) -> Result<String, String> {
        let w = self.world;
        let a = &w.accounts;
        let account = |n: &str| {
            w.account(n)
                .map(str::to_string)
                .ok_or_else(|| format!("unknown account `{n}`"))
        };
        let key_id = |arn: String| {
            arn.rsplit_once(":key/")
                .map(|(_, id)| id.to_string())
                .ok_or(format!("{arn} is not a key ARN"))
        };
        Ok(match (name, arg) {
            ("partition", None) => w.partition.clone(),
            ("region", None) => self.region.clone(),
            ("home", None) => w.home.clone(),
            ("url_suffix", None) => w.url_suffix().to_string(),
            ("org", None) => w.org.clone(),
            ("account", None) => self.actor_account.clone(),
            ("account", Some(n)) => account(n)?,
            ("bucket", None) => w.bucket()?.0,
            ("bucket_arn", None) => w.bucket()?.1,
            ("session_prefix", m) => {
                let member = account(m.unwrap_or("member_a"))?;
                let prefix = w.session_input(&member, &self.region, "s3KeyPrefix")?;
                let documented = format!("{}/{member}/", w.config.log_archive.bucket.key_prefix);
                if !prefix.starts_with(&documented) {
                    return Err(format!("the session document's s3KeyPrefix {prefix} is outside the account's prefix {documented}"));
                }
                prefix
            }
            ("account_prefix", Some(n)) => {
                format!("{}/{}", w.config.log_archive.bucket.key_prefix, account(n)?)
            }
            ("log_group", None) => w.log_group(&a.member_a, &self.region)?.0,
            ("log_copy_errors", None) => w.log_copy_error_log_group(&self.region)?,
            ("key_id", Some(which)) => key_id(self.key(which)?)?,
            ("trail_arn", None) => w
                .organization_trail()?
                .arn
                .clone()
                .expect("trails have an ARN"),
            ("trail_prefix", None) => w
                .organization_trail()?
                .properties
                .get("S3KeyPrefix")
                .and_then(Value::as_str)
                .ok_or("the organization trail has no S3KeyPrefix")?
                .to_string(),
            ("guard_region", m) => w.guard(&account(m.unwrap_or("management"))?)?.0.region.clone(),
            ("watch_rule", m) => w.watch_rule(&account(m.unwrap_or("member_a"))?, &self.region, "aws.ssm")?,
            ("rdp_watch_rule", m) => {
                w.watch_rule(&account(m.unwrap_or("member_a"))?, &self.region, "aws.ssm-guiconnect")?
            }
            ("alarm_rule", Some(source)) => w.alarm_rule(&self.region, &format!("aws.{source}"))?,
            ("home_alarm_rule", Some(source)) => w.alarm_rule(&w.home, &format!("aws.{source}"))?,
            ("other_region", None) => {
                let i = w
                    .regions
                    .iter()
                    .position(|r| *r == self.region)
                    .ok_or("region")?;
                if w.regions.len() < 2 {
                    return Err(
                        "${other_region} needs several regions (requires: [several_regions])"
                            .into(),
                    );
                }
                w.regions[(i + 1) % w.regions.len()].clone()
            }
            _ => {
                return Err(format!(
                    "unknown placeholder ${{{name}{}}}",
                    arg.map(|a| format!(":{a}")).unwrap_or_default()
                ))
            }
        })
    }

    fn fill(&self, text: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| format!("unterminated placeholder in {text}"))?;
            let (name, arg) = match after[..end].split_once(':') {
                Some((n, a)) => (n, Some(a)),
                None => (&after[..end], None),
            };
            out.push_str(&self.placeholder(name, arg)?);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn fill_value(&self, v: &Value) -> Result<Value, String> {
        Ok(match v {
            Value::String(s) => Value::String(self.fill(s)?),
            Value::Array(a) => Value::Array(
                a.iter()
                    .map(|x| self.fill_value(x))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| Ok((k.clone(), self.fill_value(x)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => other.clone(),
        })
    }

    /// The key the templates use for `which`, in this region.
    fn key(&self, which: &str) -> Result<String, String> {
        let w = self.world;
        let a = &w.accounts.member_a;
        match which {
            "bucket" => w.bucket_key(),
            "session" => w.session_input(a, &self.region, "kmsKeyId"),
            "log_group" => Ok(w.log_group(a, &self.region)?.1),
            "rdp" => w.rdp_key(a, &self.region),
            // The key the organization trail encrypts its log files with.
            "trail" => w
                .organization_trail()?
                .properties
                .get("KMSKeyId")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| "the organization trail has no KMSKeyId".into()),
            _ => Err(format!("unknown key `{which}`")),
        }
    }
}

fn applies(world: &World, s: &Scenario, region: &str) -> Result<bool, String> {
    let mut applies = true;
    for r in &s.requires {
        let (negate, name) = match r.strip_prefix('!') {
            Some(n) => (true, n),
            None => (false, r.as_str()),
        };
        applies &= world.feature(name, region)? != negate;
    }
    Ok(applies)
}

/// Every scenario of the table that applies to the world, in every member
/// region; `each-key` scenarios once for every key of the log-archive
/// account, in its own region (the home region's keys included when it is
/// not a member region).
pub fn expand(t: &Table, world: &World) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for region in &world.regions {
        for (i, s) in t
            .scenarios
            .iter()
            .enumerate()
            .filter(|(_, s)| s.resource != EACH_KEY)
        {
            if applies(world, s, region)? {
                cases.push(
                    expand_one(t, world, i, region, None)
                        .map_err(|e| format!("scenario {} in {region}: {e}", s.id))?,
                );
            }
        }
    }
    for (i, s) in t
        .scenarios
        .iter()
        .enumerate()
        .filter(|(_, s)| s.resource == EACH_KEY)
    {
        for ty in ["AWS::KMS::Key", "AWS::KMS::ReplicaKey"] {
            for (stack, logical_id, key) in world.resources(&world.accounts.archive, None, ty) {
                if applies(world, s, &stack.region)? {
                    let arn = key.arn.clone().expect("keys have an ARN");
                    let case = expand_one(t, world, i, &stack.region, Some((&arn, logical_id)))
                        .map_err(|e| {
                            format!(
                                "scenario {} for {logical_id} in {}: {e}",
                                s.id, stack.region
                            )
                        })?;
                    cases.push(case);
                }
            }
        }
    }
    Ok(cases)
}

const EACH_KEY: &str = "each-key";

fn expand_one(
    t: &Table,
    world: &World,
    i: usize,
    region: &str,
    each_key: Option<(&str, &str)>,
) -> Result<Case, String> {
    let s = &t.scenarios[i];
    let actor = &t.actors[&s.actor];
    let actor_account = world
        .account(&actor.account)
        .ok_or_else(|| format!("unknown account {}", actor.account))?
        .to_string();
    let x = Expander {
        world,
        region: region.into(),
        actor_account: actor_account.clone(),
    };
    let p = &world.partition;

    // The principal, its identity policies, and what AWS puts in the request.
    let mut context = BTreeMap::new();
    let mut identity = Vec::new();
    // SCPs restrict the principals of the accounts in the OUs they are
    // attached to (the StackSets' targets); never the management account,
    // never service principals.
    let scps: Vec<PolicyRef> = if actor.role.is_some() && actor_account != world.accounts.management {
        world.service_control_policies_of(&actor_account).into_iter().map(deployed).collect()
    } else {
        Vec::new()
    };
    let principal = match (&actor.role, &actor.service) {
        (Some(role), None) => {
            let arn = match role.as_str() {
                "upsert-function" => world.function_role(&actor_account, region)?.0,
                "log-group-function" => world.function_role_by_id(&actor_account, region, "SessionLogGroupFunctionRole")?.0,
                "cloudtrail-guard" => world.guard_role(&actor_account)?.0,
                "log-copy-destination" | "log-copy-firehose" => {
                    world.log_copy_role(region, log_copy_role_id(role))?.0
                }
                "athena-auditor" => world.archive_role(ATHENA_AUDITOR)?.0,
                _ => format!("arn:{p}:iam::{actor_account}:role/{role}"),
            };
            context.insert("aws:PrincipalArn".to_string(), arn.clone());
            context.insert("aws:PrincipalAccount".to_string(), actor_account.clone());
            if let Some(org) = world.org_of(&actor_account) {
                context.insert("aws:PrincipalOrgID".to_string(), org);
            }
            arn
        }
        (None, Some(service)) => {
            for key in &actor.sends {
                match key.as_str() {
                    "aws:SourceAccount" => {
                        context.insert(key.clone(), actor_account.clone());
                    }
                    "aws:SourceOrgID" => {
                        if let Some(org) = world.org_of(&actor_account) {
                            context.insert(key.clone(), org);
                        }
                    }
                    other => return Err(format!("actor {}: cannot send {other}", s.actor)),
                }
            }
            x.fill(service)?
        }
        _ => unreachable!("checked when loading"),
    };
    context.insert("aws:SecureTransport".to_string(), "true".to_string());
    for source in &actor.identity {
        match source.as_str() {
            "instance_policy" => {
                if let Some(pi) = world.instance_policy(&actor_account)? {
                    identity.push(deployed(pi));
                }
            }
            f if f.starts_with("operator_policy:") => {
                let profile = &f["operator_policy:".len()..];
                let pi = world
                    .operator_policy(&actor_account, profile)?
                    .ok_or_else(|| format!("no policy of operator profile {profile} in {actor_account}"))?;
                identity.push(deployed(pi));
            }
            "log_group_function_policies" => {
                for pi in world.function_role_by_id(&actor_account, region, "SessionLogGroupFunctionRole")?.2 {
                    identity.push(deployed(pi));
                }
            }
            "cloudtrail_guard_policies" => {
                for pi in world.guard_role(&actor_account)?.2 {
                    identity.push(deployed(pi));
                }
            }
            "upsert_function_policies" => {
                for pi in world.function_role(&actor_account, region)?.2 {
                    identity.push(deployed(pi));
                }
            }
            "athena_auditor_policies" => {
                for pi in world.archive_role(ATHENA_AUDITOR)?.2 {
                    identity.push(deployed(pi));
                }
            }
            "log_copy_destination_policies" | "log_copy_firehose_policies" => {
                let role = if source == "log_copy_firehose_policies" { "log-copy-firehose" } else { "log-copy-destination" };
                for pi in world.log_copy_role(region, log_copy_role_id(role))?.2 {
                    identity.push(deployed(pi));
                }
            }
            f => {
                let name = f
                    .strip_prefix("fixture:")
                    .ok_or_else(|| format!("unknown identity source {f}"))?;
                let doc = t
                    .fixtures
                    .get(name)
                    .ok_or_else(|| format!("unknown fixture {name}"))?;
                identity.push(PolicyRef::Fixture {
                    name: name.into(),
                    region: region.into(),
                    doc: x.fill_value(doc)?,
                });
            }
        }
    }
    for (k, v) in &s.context {
        context.insert(k.clone(), x.fill(v)?);
    }

    // The resource, its account and its policy.
    let spec = match each_key {
        Some((arn, _)) => format!("key-arn {arn}"),
        None => x.fill(&s.resource)?,
    };
    let (spec, owner) = match spec.rsplit_once(" in ") {
        Some((r, who)) => (
            r.to_string(),
            world
                .account(who)
                .ok_or_else(|| format!("unknown account {who}"))?
                .to_string(),
        ),
        None => (spec.clone(), actor_account.clone()),
    };
    let words: Vec<&str> = spec.split(' ').collect();
    let archive = world.accounts.archive.clone();
    let bucket_policy = |name: &str| world.policy_of_bucket(name).map(deployed);
    let (resource, resource_account, resource_policy) = match words.as_slice() {
        ["bucket"] => {
            let (name, arn) = world.bucket()?;
            (arn, archive, bucket_policy(&name))
        }
        ["object", key] => {
            let (name, arn) = world.bucket()?;
            (format!("{arn}/{key}"), archive, bucket_policy(&name))
        }
        ["key" | "key-arn", which] => {
            let arn = if words[0] == "key" {
                x.key(which)?
            } else {
                which.to_string()
            };
            let policy = world.policy_of_key(&arn)?;
            for (k, v) in world.key_tags(&arn) {
                context.entry(k).or_insert(v);
            }
            let account = arn.split(':').nth(4).unwrap_or_default().to_string();
            (arn, account, Some(deployed(policy)))
        }
        ["log-group", name] => (
            format!("arn:{p}:logs:{region}:{owner}:log-group:{name}"),
            owner,
            None,
        ),
        ["log-stream", group, stream] => (
            format!("arn:{p}:logs:{region}:{owner}:log-group:{group}:log-stream:{stream}"),
            owner,
            None,
        ),
        ["instance", id] => (
            format!("arn:{p}:ec2:{region}:{owner}:instance/{id}"),
            owner,
            None,
        ),
        ["session", id] => (
            format!("arn:{p}:ssm:{region}:{owner}:session/{id}"),
            owner,
            None,
        ),
        ["document", name] => (
            format!("arn:{p}:ssm:{region}:{owner}:document/{name}"),
            owner,
            None,
        ),
        ["role", "log-group-function"] => {
            let (arn, trust, _) = world.function_role_by_id(&owner, region, "SessionLogGroupFunctionRole")?;
            (arn, owner, trust.map(deployed))
        }
        ["role", "cloudtrail-guard"] => {
            let (arn, trust, _) = world.guard_role(&owner)?;
            (arn, owner, trust.map(deployed))
        }
        ["trail"] => (world.guard(&owner)?.1, owner, None),
        ["trail", name] => {
            let (stack, _) = world.guard(&owner)?;
            (format!("arn:{p}:cloudtrail:{}:{owner}:trail/{name}", stack.region), owner, None)
        }
        ["function", which @ ("upsert-function" | "log-group-function")] => {
            let id = if *which == "upsert-function" { "SessionPreferencesFunction" } else { "SessionLogGroupFunction" };
            let (arn, policy) = world.function(&owner, region, id)?;
            (arn, owner, policy.map(deployed))
        }
        // The member stack that holds the upsert function (its own stack),
        // or another stack of the same account and region.
        ["stack", "upsert-function"] => (world.stack_holding(&owner, region, "SessionPreferencesFunction")?, owner, None),
        ["stack", name] => (format!("arn:{p}:cloudformation:{region}:{owner}:stack/{name}/00000000-0000-0000-0000-000000000000"), owner, None),
        ["role", "upsert-function"] => {
            let (arn, trust, _) = world.function_role(&owner, region)?;
            (arn, owner, trust.map(deployed))
        }
        ["role", role @ ("log-copy-destination" | "log-copy-firehose")] => {
            let (arn, trust, _) = world.log_copy_role(region, log_copy_role_id(role))?;
            (arn, archive, trust.map(deployed))
        }
        ["role", "athena-auditor"] => {
            let (arn, trust, _) = world.archive_role(ATHENA_AUDITOR)?;
            (arn, archive, trust.map(deployed))
        }
        ["workgroup"] => {
            let (home, props) = world.archive_resource("AWS::Athena::WorkGroup")?;
            let name = props["Name"].as_str().ok_or("the workgroup has no Name")?;
            (format!("arn:{p}:athena:{home}:{archive}:workgroup/{name}"), archive, None)
        }
        ["glue-database"] | ["glue-table", _] => {
            let (home, props) = world.archive_resource("AWS::Glue::Database")?;
            let db = props["DatabaseInput"]["Name"].as_str().ok_or("the database has no Name")?;
            let arn = match words.as_slice() {
                ["glue-table", table] => format!("arn:{p}:glue:{home}:{archive}:table/{db}/{table}"),
                _ => format!("arn:{p}:glue:{home}:{archive}:database/{db}"),
            };
            (arn, archive, None)
        }
        ["destination"] => {
            let (arn, policy) = world.destination(region)?;
            (arn, archive, policy.map(deployed))
        }
        ["alarm-topic"] => {
            let (arn, policy) = world.alarm_topic(region)?;
            (arn, archive, policy.map(deployed))
        }
        ["alarm-topic", "home"] => {
            let (arn, policy) = world.alarm_topic(&world.home)?;
            (arn, archive, policy.map(deployed))
        }
        ["delivery-stream"] => (world.delivery_stream(region)?, archive, None),
        ["delivery-stream", other] => (world.delivery_stream(other)?, archive, None),
        ["*"] => ("*".to_string(), owner, None),
        _ => return Err(format!("cannot read resource `{spec}`")),
    };
    Ok(Case {
        scenario: i,
        region: region.into(),
        variant: each_key.map(|(_, logical_id)| logical_id.to_string()),
        principal,
        action: s.action.clone(),
        resource,
        resource_account,
        context,
        identity,
        resource_policy,
        scps,
    })
}

/// Logical id of the Athena auditor role (log-archive home stack).
const ATHENA_AUDITOR: &str = "AthenaAuditorRole";

/// The log copy's roles, by the names the table uses.
fn log_copy_role_id(role: &str) -> &'static str {
    match role {
        "log-copy-firehose" => "LogCopyFirehoseRole",
        _ => "LogCopyDestinationRole",
    }
}

fn deployed(p: &PolicyInstance) -> PolicyRef {
    PolicyRef::Deployed(p.id.clone())
}

/// A batch for the evaluator: policies by id, and requests naming them.
#[derive(Default)]
pub struct Batch {
    pub policies: BTreeMap<String, Value>,
    pub requests: Vec<Value>,
}

impl Batch {
    /// Adds a case decided in `world`. Policy ids get `prefix` (the world's
    /// name) and, for policies of `mutated`, the suffix naming the mutation,
    /// so unchanged policies are sent once for all mutants of a world.
    pub fn add(
        &mut self,
        world: &World,
        case: &Case,
        prefix: &str,
        mutated: Option<(&super::world::Site, &str)>,
    ) {
        let mut id_of = |p: &PolicyRef| -> Option<String> {
            let (id, doc) = match p {
                PolicyRef::Deployed(id) => {
                    let pi = &world.policies[id];
                    let doc = pi.doc.clone()?;
                    let suffix = match mutated {
                        Some((site, tag)) if pi.site == *site => format!("~{tag}"),
                        _ => String::new(),
                    };
                    (format!("{prefix}|{id}{suffix}"), doc)
                }
                PolicyRef::Fixture { name, region, doc } => {
                    (format!("{prefix}|fixture:{name}@{region}"), doc.clone())
                }
            };
            self.policies.entry(id.clone()).or_insert(doc);
            Some(id)
        };
        let identity: Vec<String> = case.identity.iter().filter_map(&mut id_of).collect();
        let resource_policy = case.resource_policy.as_ref().and_then(&mut id_of);
        let scps: Vec<String> = case.scps.iter().filter_map(&mut id_of).collect();
        self.requests.push(json!({
            "principal": case.principal,
            "action": case.action,
            "resource": case.resource,
            "resource_account": case.resource_account,
            "context": case.context,
            "identity": identity,
            "resource_policy": resource_policy,
            "scps": scps,
        }));
    }
}
