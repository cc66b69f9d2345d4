//! The operator access proof: the generated operator policies, resolved for
//! a concrete member account (and the generated key policies for the
//! log-archive account), decided by an independent IAM evaluator
//! (`@cloud-copilot/iam-simulate` 0.1.173, pinned in
//! tests/access/package-lock.json, driven through tests/access/simulate.mjs,
//! the access proof's script). The example's profile is also in the access
//! proof's table (tests/access/scenarios.yaml); this test has every profile
//! of its configurations: windows, RDP, documents.
//!
//! - A hand-written scenario table: sessions on tagged instances inside the
//!   window through allowed documents are allowed; untagged instances,
//!   outside the window, other documents, other regions are denied; ending
//!   one's own session is allowed, someone else's denied (federated/IAM
//!   Identity Center and IAM-user callers); the session key is usable by the
//!   operator (identity and key policy together); RDP only through GUI
//!   Connect.
//! - Per profile of every configuration, the cases each statement exists
//!   for, so that:
//! - removing any statement of any generated operator policy changes at
//!   least one decision (the proof is not vacuous);
//! - the evaluator accepts every request (actions, ARNs, context keys): an
//!   error or a dropped context key fails the test.
//!
//! Needs Node.js and `npm ci` in tests/access: `make setup` does both.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use sessionlog::config::model::Config;
use sessionlog::config::operators::OperatorProfile;
use sessionlog::config::{load, Source};
use sessionlog::stacks::names::{KeyRole, Names};

use common::*;

const PARTITION: &str = "aws";
const MEMBER: &str = "333333333333";
const ARCHIVE_KEY_ID: &str = "mrk-1111111111111111111111111111aaaa";
const SESSION_KEY_ID: &str = "mrk-2222222222222222222222222222bbbb";
const INSTANCE: &str = "i-0123456789abcdef0";
/// `aws:CurrentTime` when a case does not say.
const NOW: &str = "2026-03-15T12:00:00Z";

/// A configuration of the proof.
struct Setup {
    name: &'static str,
    config: Config,
    templates: BTreeMap<String, Value>,
}

fn several_profiles() -> String {
    edited(&[
        ("keys: single", "keys: split"),
        (
            "  profiles:\n    - name: web-operators\n      instance_tags:                # every key must match one of its values (* and ? are wildcards)\n        Team: [web]\n        Environment: [staging, production]\n      # window: {start: 2026-03-01T08:00:00Z, end: 2026-03-01T18:00:00Z}   # UTC\n      rdp: false                    # RDP through Fleet Manager (recorded with rdp_recording)\n      documents: []  ",
            r#"  profiles:
    - name: web-operators
      instance_tags: {Team: [web], Environment: ["prod-*", staging]}
      window: {start: 2026-03-01T08:00:00Z, end: 2026-03-31T18:00:00Z}
      documents: [AWS-StartSSHSession, AWS-StartInteractiveCommand]
    - name: windows-admins
      instance_tags: {OS: [windows]}
      rdp: true
      console: false
    - name: night-shift
      instance_tags: {"aws:autoscaling:groupName": ["batch-*"]}
      window: {end: 2027-01-01T00:00:00Z}
      documents: [CustomShell]
    - name: unused-old
      instance_tags: {Team: [legacy]}
      rdp: false
      documents: []  "#,
        ),
        // The remote-access SCP denies unlogged documents unless allowed.
        (
            "      session_documents: []",
            "      session_documents: [AWS-StartSSHSession, AWS-StartInteractiveCommand, CustomShell]",
        ),
    ])
}

fn setups() -> Vec<Setup> {
    let configs = [
        ("example", example().to_string()),
        ("several profiles, split keys", several_profiles()),
        (
            "sessions not encrypted",
            edited(&[("encrypt_sessions: true", "encrypt_sessions: false")]),
        ),
    ];
    configs
        .into_iter()
        .map(|(name, text)| {
            let config = load(&Source {
                name: name.into(),
                text,
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            let bundle = sessionlog::stacks::build(&config);
            let templates = bundle
                .templates()
                .iter()
                .map(|t| (t.file_stem.clone(), t.template.to_value()))
                .collect();
            Setup {
                name,
                config,
                templates,
            }
        })
        .collect()
}

/// Resolve `Fn::Sub` and `Ref` with concrete values, as CloudFormation
/// would in one account and region.
fn resolve(v: &Value, vars: &BTreeMap<&str, String>) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 && m.contains_key("Fn::Sub") => {
            let text = m["Fn::Sub"].as_str().expect("Sub of a string");
            let mut out = String::new();
            let mut rest = text;
            while let Some(at) = rest.find("${") {
                out.push_str(&rest[..at]);
                let end = rest[at..].find('}').expect("closed ${") + at;
                let name = &rest[at + 2..end];
                match name.strip_prefix('!') {
                    Some(literal) => out.push_str(&format!("${{{literal}}}")),
                    None => out.push_str(
                        vars.get(name)
                            .unwrap_or_else(|| panic!("no value for ${{{name}}} in {text}")),
                    ),
                }
                rest = &rest[end + 1..];
            }
            out.push_str(rest);
            Value::String(out)
        }
        Value::Object(m) if m.len() == 1 && m.contains_key("Ref") => {
            let name = m["Ref"].as_str().unwrap();
            Value::String(
                vars.get(name)
                    .unwrap_or_else(|| panic!("no value for Ref {name}"))
                    .clone(),
            )
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), resolve(v, vars)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| resolve(v, vars)).collect()),
        other => other.clone(),
    }
}

fn vars(account: &str, region: &str) -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("AWS::Partition", PARTITION.to_string()),
        ("AWS::AccountId", account.to_string()),
        ("AWS::Region", region.to_string()),
        ("AWS::URLSuffix", "amazonaws.com".to_string()),
        ("ArchiveKeyId", ARCHIVE_KEY_ID.to_string()),
        ("SessionKeyId", SESSION_KEY_ID.to_string()),
    ])
}

impl Setup {
    fn profile(&self, name: &str) -> &OperatorProfile {
        self.config
            .operators
            .profiles
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{}: no profile {name}", self.name))
    }

    /// The operator policy of a profile as deployed in the member account.
    fn operator_policy(&self, profile: &str) -> Value {
        let id = Names::new(&self.config).operator_policy_logical_id(self.profile(profile));
        let doc = &self.templates["member-iam"]["Resources"][&id]["Properties"]["PolicyDocument"];
        assert!(doc.is_object(), "{}: no {id} in member-iam", self.name);
        resolve(doc, &vars(MEMBER, &Names::new(&self.config).iam_region()))
    }

    /// The key policy of a key in a region: the primary's in the home
    /// region, the replica's elsewhere.
    fn key_policy(&self, key: KeyRole, region: &str) -> Value {
        let c = &self.config;
        let (stem, id) = if region == c.log_archive.region {
            ("log-archive", key.logical_id().to_string())
        } else {
            (
                "log-archive-replica",
                format!("{}Replica", key.logical_id()),
            )
        };
        let doc = &self.templates[stem]["Resources"][&id]["Properties"]["KeyPolicy"];
        assert!(doc.is_object(), "{}: no {id} in {stem}", self.name);
        resolve(doc, &vars(&c.log_archive.account, region))
    }

    fn key_id(&self, key: KeyRole) -> &'static str {
        match key {
            KeyRole::Archive => ARCHIVE_KEY_ID,
            KeyRole::Session => SESSION_KEY_ID,
        }
    }

    fn key_arn(&self, key: KeyRole, region: &str) -> String {
        format!(
            "arn:{PARTITION}:kms:{region}:{}:key/{}",
            self.config.log_archive.account,
            self.key_id(key)
        )
    }
}

/// Who calls.
#[derive(Clone, Copy, Debug)]
enum Caller {
    /// Alice, through an IAM Identity Center permission set (an assumed role).
    Alice,
    /// Bob, an IAM user.
    Bob,
}

impl Caller {
    /// What Session Manager starts the caller's session ids with: the IAM
    /// user name, or the role session name.
    fn session_name(self) -> &'static str {
        match self {
            Caller::Alice => "alice@example.com",
            Caller::Bob => "bob",
        }
    }
    fn userid(self) -> &'static str {
        match self {
            Caller::Alice => "AROAEXAMPLEOPERATOR:alice@example.com",
            Caller::Bob => "AIDAEXAMPLEBOB",
        }
    }
    /// Principal ARN and the keys AWS puts in every request of this caller.
    fn principal(self, c: &Config, region: &str, now: &str) -> (String, BTreeMap<String, Value>) {
        let mut ctx = BTreeMap::new();
        let (principal, principal_arn) = match self {
            Caller::Alice => (
                format!("arn:{PARTITION}:sts::{MEMBER}:assumed-role/AWSReservedSSO_WebOperators_0123456789abcdef/alice@example.com"),
                format!("arn:{PARTITION}:iam::{MEMBER}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_WebOperators_0123456789abcdef"),
            ),
            Caller::Bob => {
                ctx.insert("aws:username".into(), json!("bob"));
                (format!("arn:{PARTITION}:iam::{MEMBER}:user/bob"), format!("arn:{PARTITION}:iam::{MEMBER}:user/bob"))
            }
        };
        ctx.insert("aws:PrincipalArn".into(), json!(principal_arn));
        ctx.insert("aws:PrincipalAccount".into(), json!(MEMBER));
        ctx.insert("aws:PrincipalOrgID".into(), json!(c.organization.id));
        ctx.insert("aws:userid".into(), json!(self.userid()));
        ctx.insert("aws:SecureTransport".into(), json!("true"));
        ctx.insert("aws:CurrentTime".into(), json!(now));
        ctx.insert("aws:RequestedRegion".into(), json!(region));
        (principal, ctx)
    }
}

/// What is asked for.
#[derive(Clone, Debug)]
enum Ask {
    /// `ssm:StartSession`: the instance (with these tags) and the document
    /// are both authorized. `via_gui_connect` adds
    /// `aws:CalledViaFirst: ssm-guiconnect.amazonaws.com`.
    Start {
        tags: Vec<(String, String)>,
        document: String,
        via_gui_connect: bool,
    },
    /// `ssm:TerminateSession` / `ssm:ResumeSession` of a session started by
    /// `owner` (its `aws:ssmmessages:session-id` tag).
    Session { action: &'static str, owner: Caller },
    /// A KMS action on a key of the log-archive account, with its generated
    /// key policy (or, `trusting_key`, a key policy that trusts every
    /// principal of the organization: the identity side alone decides).
    Key {
        action: &'static str,
        key: KeyRole,
        extra: Vec<(&'static str, &'static str)>,
        trusting_key: bool,
    },
    /// An action on `*` (console reads, GUI Connect).
    Star { action: &'static str },
    /// `ec2:GetPasswordData` of an instance with these tags.
    Password { tags: Vec<(String, String)> },
    /// Just-in-time node access: `ssm:StartAccessRequest` for the instance,
    /// `ssm:GetAccessToken` of the request (an OpsItem).
    Request { action: &'static str },
}

#[derive(Clone, Debug)]
struct Case {
    setup: usize,
    profile: String,
    what: String,
    caller: Caller,
    region: String,
    now: String,
    ask: Ask,
    allowed: bool,
    /// Where the call comes from.
    from: From,
}

/// Where a call comes from, and so which keys carry its address (IAM global
/// condition keys): a public endpoint sees `aws:SourceIp`; a VPC endpoint
/// `aws:SourceVpce` and `aws:VpcSourceIp`, and no `aws:SourceIp`.
#[derive(Clone, Copy, Debug)]
enum From {
    /// A public endpoint, from inside the example's `198.51.100.0/24`.
    Office,
    /// A public endpoint, from an address in no profile's range.
    Outside,
    /// Through a VPC endpoint, from a private address.
    Endpoint(&'static str),
}

const OFFICE_IP: &str = "198.51.100.7";
const OUTSIDE_IP: &str = "192.0.2.44";
const NAMED_ENDPOINT: &str = "vpce-0123456789abcdef0";
const OTHER_ENDPOINT: &str = "vpce-0fedcba9876543210";

impl From {
    fn context(self) -> Vec<(String, Value)> {
        match self {
            From::Office => vec![("aws:SourceIp".into(), json!(OFFICE_IP))],
            From::Outside => vec![("aws:SourceIp".into(), json!(OUTSIDE_IP))],
            From::Endpoint(id) => vec![
                ("aws:SourceVpce".into(), json!(id)),
                ("aws:VpcSourceIp".into(), json!("10.20.30.40")),
            ],
        }
    }
}

/// One evaluator request, and the policies it needs.
fn requests(
    s: &Setup,
    case: &Case,
    policy_id: &str,
    policies: &mut BTreeMap<String, Value>,
) -> Vec<Value> {
    let c = &s.config;
    let (principal, mut base) = case.caller.principal(c, &case.region, &case.now);
    base.extend(case.from.context());
    let req = |action: &str,
               resource: String,
               account: &str,
               extra: Vec<(String, Value)>,
               resource_policy: Option<String>| {
        let mut ctx = base.clone();
        ctx.extend(extra);
        json!({
            "principal": principal, "action": action, "resource": resource, "resource_account": account,
            "context": ctx, "identity": [policy_id], "resource_policy": resource_policy,
        })
    };
    let region = &case.region;
    match &case.ask {
        Ask::Start {
            tags,
            document,
            via_gui_connect,
        } => {
            let mut extra: Vec<(String, Value)> = tags
                .iter()
                .map(|(k, v)| (format!("ssm:resourceTag/{k}"), json!(v)))
                .collect();
            extra.push(("ssm:SessionDocumentAccessCheck".into(), json!("true")));
            if *via_gui_connect {
                extra.push((
                    "aws:CalledViaFirst".into(),
                    json!("ssm-guiconnect.amazonaws.com"),
                ));
                extra.push(("aws:ViaAWSService".into(), json!("true")));
            }
            // AWS's own documents have no account in their ARN; the
            // evaluator's ARN patterns need one, and the policy's `*`
            // account matches both.
            let doc_extra: Vec<(String, Value)> = extra
                .iter()
                .filter(|(k, _)| !k.starts_with("ssm:resourceTag/"))
                .cloned()
                .collect();
            vec![
                req(
                    "ssm:StartSession",
                    format!("arn:{PARTITION}:ec2:{region}:{MEMBER}:instance/{INSTANCE}"),
                    MEMBER,
                    extra,
                    None,
                ),
                req(
                    "ssm:StartSession",
                    format!("arn:{PARTITION}:ssm:{region}:{MEMBER}:document/{document}"),
                    MEMBER,
                    doc_extra,
                    None,
                ),
            ]
        }
        Ask::Session { action, owner } => {
            let session = format!(
                "arn:{PARTITION}:ssm:{region}:{MEMBER}:session/{}-0123456789abcdef0",
                owner.session_name()
            );
            vec![req(
                action,
                session,
                MEMBER,
                vec![(
                    "ssm:resourceTag/aws:ssmmessages:session-id".into(),
                    json!(owner.userid()),
                )],
                None,
            )]
        }
        Ask::Key {
            action,
            key,
            extra,
            trusting_key,
        } => {
            let kp_id = if *trusting_key {
                policies.insert(
                    "trusting-key-policy".into(),
                    json!({"Version": "2012-10-17", "Statement": [{"Sid": "OrganizationMayAsk", "Effect": "Allow", "Principal": {"AWS": "*"},
                        "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": c.organization.id}}}]}),
                );
                "trusting-key-policy".to_string()
            } else {
                let id = format!("{}#{}-key-policy-{region}", s.name, key.word());
                policies.insert(id.clone(), s.key_policy(*key, region));
                id
            };
            let extra = extra
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v.replace("${region}", region))))
                .collect();
            vec![req(
                action,
                s.key_arn(*key, region),
                &c.log_archive.account,
                extra,
                Some(kp_id),
            )]
        }
        Ask::Star { action } => vec![req(action, "*".into(), MEMBER, vec![], None)],
        Ask::Request { action } => {
            let resource = if *action == "ssm:StartAccessRequest" {
                format!("arn:{PARTITION}:ec2:{region}:{MEMBER}:instance/{INSTANCE}")
            } else {
                format!("arn:{PARTITION}:ssm:{region}:{MEMBER}:opsitem/oi-0123456789ab")
            };
            vec![req(action, resource, MEMBER, vec![], None)]
        }
        Ask::Password { tags } => {
            let extra = tags
                .iter()
                .map(|(k, v)| (format!("aws:ResourceTag/{k}"), json!(v)))
                .collect();
            vec![req(
                "ec2:GetPasswordData",
                format!("arn:{PARTITION}:ec2:{region}:{MEMBER}:instance/{INSTANCE}"),
                MEMBER,
                extra,
                None,
            )]
        }
    }
}

fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn start(tags: Vec<(String, String)>, document: &str) -> Ask {
    Ask::Start {
        tags,
        document: document.into(),
        via_gui_connect: false,
    }
}

/// The hand-written table. Setups: 0 example, 1 several profiles (split
/// keys), 2 sessions not encrypted.
fn table() -> Vec<Case> {
    let web = tags(&[("Team", "web"), ("Environment", "production")]);
    let c = |setup: usize,
             profile: &str,
             what: &str,
             region: &str,
             now: &str,
             ask: Ask,
             allowed: bool| Case {
        setup,
        profile: profile.into(),
        what: what.into(),
        caller: Caller::Alice,
        region: region.into(),
        now: now.into(),
        ask,
        allowed,
        from: From::Office,
    };
    let shell = "SSM-SessionManagerRunShell";
    let mut t = vec![
        c(
            0,
            "web-operators",
            "shell on a tagged instance, home region",
            "us-east-1",
            NOW,
            start(web.clone(), shell),
            true,
        ),
        c(
            0,
            "web-operators",
            "shell on a tagged instance, replica region",
            "eu-west-1",
            NOW,
            start(web.clone(), shell),
            true,
        ),
        c(
            0,
            "web-operators",
            "instance with only one of the two tags",
            "us-east-1",
            NOW,
            start(tags(&[("Team", "web")]), shell),
            false,
        ),
        c(
            0,
            "web-operators",
            "instance with another tag value",
            "us-east-1",
            NOW,
            start(tags(&[("Team", "web"), ("Environment", "dev")]), shell),
            false,
        ),
        c(
            0,
            "web-operators",
            "untagged instance",
            "us-east-1",
            NOW,
            start(vec![], shell),
            false,
        ),
        c(
            0,
            "web-operators",
            "tagged instance in a region that is not a member region",
            "ap-southeast-2",
            NOW,
            start(web.clone(), shell),
            false,
        ),
        c(
            0,
            "web-operators",
            "through AWS-StartSSHSession (not allowed: unlogged)",
            "us-east-1",
            NOW,
            start(web.clone(), "AWS-StartSSHSession"),
            false,
        ),
        c(
            0,
            "web-operators",
            "port forwarding (not allowed: unlogged)",
            "us-east-1",
            NOW,
            start(web.clone(), "AWS-StartPortForwardingSession"),
            false,
        ),
        c(
            0,
            "web-operators",
            "end own session",
            "us-east-1",
            NOW,
            Ask::Session {
                action: "ssm:TerminateSession",
                owner: Caller::Alice,
            },
            true,
        ),
        c(
            0,
            "web-operators",
            "end someone else's session",
            "us-east-1",
            NOW,
            Ask::Session {
                action: "ssm:TerminateSession",
                owner: Caller::Bob,
            },
            false,
        ),
        c(
            0,
            "web-operators",
            "resume own session",
            "eu-west-1",
            NOW,
            Ask::Session {
                action: "ssm:ResumeSession",
                owner: Caller::Alice,
            },
            true,
        ),
        c(
            0,
            "web-operators",
            "resume someone else's session",
            "eu-west-1",
            NOW,
            Ask::Session {
                action: "ssm:ResumeSession",
                owner: Caller::Bob,
            },
            false,
        ),
        c(
            0,
            "web-operators",
            "encrypt the session: session key, home region (identity and key policy)",
            "us-east-1",
            NOW,
            Ask::Key {
                action: "kms:GenerateDataKey",
                key: KeyRole::Archive,
                extra: vec![],
                trusting_key: false,
            },
            true,
        ),
        c(
            0,
            "web-operators",
            "encrypt the session: session key, replica region (identity and key policy)",
            "eu-south-1",
            NOW,
            Ask::Key {
                action: "kms:GenerateDataKey",
                key: KeyRole::Archive,
                extra: vec![],
                trusting_key: false,
            },
            true,
        ),
        c(
            0,
            "web-operators",
            "decrypt with the session key (never granted)",
            "us-east-1",
            NOW,
            Ask::Key {
                action: "kms:Decrypt",
                key: KeyRole::Archive,
                extra: vec![],
                trusting_key: true,
            },
            false,
        ),
        c(
            0,
            "web-operators",
            "console: list sessions",
            "us-east-1",
            NOW,
            Ask::Star {
                action: "ssm:DescribeSessions",
            },
            true,
        ),
        c(
            0,
            "web-operators",
            "RDP is not granted",
            "us-east-1",
            NOW,
            Ask::Star {
                action: "ssm-guiconnect:StartConnection",
            },
            false,
        ),
        // Several profiles, split keys.
        c(
            1,
            "web-operators",
            "inside the window, wildcard tag value",
            "us-east-1",
            NOW,
            start(tags(&[("Team", "web"), ("Environment", "prod-eu")]), shell),
            true,
        ),
        c(
            1,
            "web-operators",
            "before the window",
            "us-east-1",
            "2026-03-01T07:59:59Z",
            start(tags(&[("Team", "web"), ("Environment", "staging")]), shell),
            false,
        ),
        c(
            1,
            "web-operators",
            "after the window",
            "us-east-1",
            "2026-03-31T18:00:01Z",
            start(tags(&[("Team", "web"), ("Environment", "staging")]), shell),
            false,
        ),
        c(
            1,
            "web-operators",
            "through an unlogged document the profile allows",
            "us-east-1",
            NOW,
            start(
                tags(&[("Team", "web"), ("Environment", "staging")]),
                "AWS-StartSSHSession",
            ),
            true,
        ),
        c(
            1,
            "web-operators",
            "through a document the profile does not allow",
            "us-east-1",
            NOW,
            start(
                tags(&[("Team", "web"), ("Environment", "staging")]),
                "AWS-StartPortForwardingSession",
            ),
            false,
        ),
        c(
            1,
            "web-operators",
            "resume own session after the window",
            "us-east-1",
            "2026-04-01T00:00:00Z",
            Ask::Session {
                action: "ssm:ResumeSession",
                owner: Caller::Alice,
            },
            false,
        ),
        c(
            1,
            "web-operators",
            "end own session after the window",
            "us-east-1",
            "2026-04-01T00:00:00Z",
            Ask::Session {
                action: "ssm:TerminateSession",
                owner: Caller::Alice,
            },
            true,
        ),
        c(
            1,
            "web-operators",
            "session key of the split layout (identity and key policy)",
            "eu-west-1",
            NOW,
            Ask::Key {
                action: "kms:GenerateDataKey",
                key: KeyRole::Session,
                extra: vec![],
                trusting_key: false,
            },
            true,
        ),
        c(
            1,
            "web-operators",
            "the archive key is not the session key",
            "eu-west-1",
            NOW,
            Ask::Key {
                action: "kms:GenerateDataKey",
                key: KeyRole::Archive,
                extra: vec![],
                trusting_key: true,
            },
            false,
        ),
        c(
            1,
            "windows-admins",
            "RDP: GUI Connect connection",
            "us-east-1",
            NOW,
            Ask::Star {
                action: "ssm-guiconnect:StartConnection",
            },
            true,
        ),
        c(
            1,
            "windows-admins",
            "RDP: port forwarding through GUI Connect",
            "us-east-1",
            NOW,
            Ask::Start {
                tags: tags(&[("OS", "windows")]),
                document: "AWS-StartPortForwardingSession".into(),
                via_gui_connect: true,
            },
            true,
        ),
        c(
            1,
            "windows-admins",
            "RDP's port-forwarding document from the CLI (unlogged)",
            "us-east-1",
            NOW,
            start(tags(&[("OS", "windows")]), "AWS-StartPortForwardingSession"),
            false,
        ),
        c(
            1,
            "windows-admins",
            "RDP recording: grant on the recording key through GUI Connect (identity and key policy)",
            "eu-west-1",
            NOW,
            Ask::Key {
                action: "kms:CreateGrant",
                key: KeyRole::Archive,
                extra: vec![
                    ("kms:ViaService", "ssm-guiconnect.${region}.amazonaws.com"),
                    ("aws:ViaAWSService", "true"),
                    ("kms:GrantIsForAWSResource", "true"),
                ],
                trusting_key: false,
            },
            true,
        ),
        c(
            1,
            "windows-admins",
            "a grant on the recording key made directly",
            "eu-west-1",
            NOW,
            Ask::Key {
                action: "kms:CreateGrant",
                key: KeyRole::Archive,
                extra: vec![],
                trusting_key: true,
            },
            false,
        ),
        c(
            1,
            "windows-admins",
            "Windows password of a tagged instance",
            "us-east-1",
            NOW,
            Ask::Password {
                tags: tags(&[("OS", "windows")]),
            },
            true,
        ),
        c(
            1,
            "windows-admins",
            "Windows password of an untagged instance",
            "us-east-1",
            NOW,
            Ask::Password { tags: vec![] },
            false,
        ),
        c(
            1,
            "windows-admins",
            "no console reads when console is off",
            "us-east-1",
            NOW,
            Ask::Star {
                action: "ssm:DescribeSessions",
            },
            false,
        ),
        c(
            1,
            "night-shift",
            "open-start window, before its end, Auto Scaling tag",
            "us-east-1",
            NOW,
            start(
                tags(&[("aws:autoscaling:groupName", "batch-7")]),
                "CustomShell",
            ),
            true,
        ),
        c(
            1,
            "night-shift",
            "after the window's end",
            "us-east-1",
            "2027-01-01T00:00:01Z",
            start(tags(&[("aws:autoscaling:groupName", "batch-7")]), shell),
            false,
        ),
        c(
            2,
            "web-operators",
            "no session key when sessions are not encrypted",
            "us-east-1",
            NOW,
            Ask::Key {
                action: "kms:GenerateDataKey",
                key: KeyRole::Archive,
                extra: vec![],
                trusting_key: true,
            },
            false,
        ),
    ];
    for (allowed, owner, what) in [
        (true, Caller::Bob, "IAM user ends own session"),
        (false, Caller::Alice, "IAM user ends someone else's session"),
    ] {
        t.push(Case {
            caller: Caller::Bob,
            ..c(
                0,
                "web-operators",
                what,
                "us-east-1",
                NOW,
                Ask::Session {
                    action: "ssm:TerminateSession",
                    owner,
                },
                allowed,
            )
        });
    }
    t
}

/// A value the profile's tag patterns accept (`prod-*` → `prod-1`).
fn matching(value: &str) -> String {
    value.replace('*', "1").replace('?', "x")
}

/// An instant inside the profile's window.
fn inside(p: &OperatorProfile) -> String {
    match p.window.as_ref() {
        Some(w) => match (&w.start, &w.end) {
            (Some(s), _) => bump(s),
            (None, Some(_)) => NOW.to_string(),
            (None, None) => NOW.to_string(),
        },
        None => NOW.to_string(),
    }
}

/// One minute after a `…T08:00:00Z` instant.
fn bump(t: &str) -> String {
    let minute: u32 = t[14..16].parse().unwrap();
    format!("{}{:02}{}", &t[..14], (minute + 1) % 60, &t[16..])
}

/// For every profile of every setup: the cases its statements exist for,
/// so that removing any statement changes a decision.
fn per_profile(setups: &[Setup]) -> Vec<Case> {
    let mut out = Vec::new();
    for (i, s) in setups.iter().enumerate() {
        let region = s.config.regions[0].clone();
        for p in &s.config.operators.profiles {
            let now = inside(p);
            let own_tags: Vec<(String, String)> = p
                .instance_tags
                .iter()
                .map(|(k, v)| (k.clone(), matching(&v.0[0])))
                .collect();
            let c = |what: &str, ask: Ask, allowed: bool| Case {
                setup: i,
                profile: p.name.clone(),
                what: format!("{} (every profile)", what),
                caller: Caller::Alice,
                region: region.clone(),
                now: now.clone(),
                ask,
                allowed,
                from: From::Office,
            };
            let standing = p.access.standing();
            out.push(c(
                "shell on an instance with the profile's tags",
                start(own_tags.clone(), "SSM-SessionManagerRunShell"),
                standing,
            ));
            for d in &p.documents {
                out.push(c(&format!("through {d}"), start(own_tags.clone(), d), standing));
            }
            out.push(c(
                "end own session",
                Ask::Session {
                    action: "ssm:TerminateSession",
                    owner: Caller::Alice,
                },
                true,
            ));
            out.push(c(
                "resume own session",
                Ask::Session {
                    action: "ssm:ResumeSession",
                    owner: Caller::Alice,
                },
                standing,
            ));
            let session_key = Names::new(&s.config).session_key();
            out.push(c(
                "session key",
                Ask::Key {
                    action: "kms:GenerateDataKey",
                    key: session_key,
                    extra: vec![],
                    trusting_key: false,
                },
                standing && s.config.session_manager.encrypt_sessions,
            ));
            out.push(c(
                "console reads",
                Ask::Star {
                    action: "ssm:DescribeSessions",
                },
                p.console,
            ));
            out.push(c(
                "GUI Connect",
                Ask::Star {
                    action: "ssm-guiconnect:StartConnection",
                },
                standing && p.rdp,
            ));
            out.push(c(
                "RDP through GUI Connect",
                Ask::Start {
                    tags: own_tags.clone(),
                    document: "AWS-StartPortForwardingSession".into(),
                    via_gui_connect: true,
                },
                standing
                    && (p.rdp
                        || p.documents
                            .iter()
                            .any(|d| d == "AWS-StartPortForwardingSession")),
            ));
            out.push(c(
                "recording grant through GUI Connect",
                Ask::Key {
                    action: "kms:CreateGrant",
                    key: KeyRole::Archive,
                    extra: vec![
                        ("kms:ViaService", "ssm-guiconnect.${region}.amazonaws.com"),
                        ("aws:ViaAWSService", "true"),
                        ("kms:GrantIsForAWSResource", "true"),
                    ],
                    trusting_key: false,
                },
                standing && p.rdp && s.config.rdp_recording.enabled,
            ));
            out.push(c(
                "Windows password of a tagged instance",
                Ask::Password {
                    tags: own_tags.clone(),
                },
                standing && p.rdp,
            ));
            out.push(c(
                "Fleet Manager console reads",
                Ask::Star {
                    action: "ssm:GetInventorySchema",
                },
                standing && p.rdp && p.console,
            ));
            out.push(c(
                "request just-in-time access to a node",
                Ask::Request { action: "ssm:StartAccessRequest" },
                p.access.jit(),
            ));
            out.push(c(
                "get the token of an approved request",
                Ask::Request { action: "ssm:GetAccessToken" },
                p.access.jit(),
            ));
            if !p.source_networks.is_empty() {
                // What starts a session: the standing StartSession, or the
                // just-in-time request.
                let first = |what: &str| {
                    if standing {
                        (format!("shell {what}"), start(own_tags.clone(), "SSM-SessionManagerRunShell"))
                    } else {
                        (format!("just-in-time request {what}"), Ask::Request { action: "ssm:StartAccessRequest" })
                    }
                };
                let named = p.source_networks.iter().any(|n| n == NAMED_ENDPOINT);
                for (from, what, allowed) in [
                    (From::Outside, "from outside the source networks", false),
                    (From::Endpoint(NAMED_ENDPOINT), "through the named VPC endpoint", named),
                    (From::Endpoint(OTHER_ENDPOINT), "through a VPC endpoint not named", false),
                ] {
                    let (what, ask) = first(what);
                    out.push(Case { from, ..c(&what, ask, allowed) });
                }
                if standing {
                    out.push(Case { from: From::Outside, ..c("resume own session from outside the source networks", Ask::Session { action: "ssm:ResumeSession", owner: Caller::Alice }, false) });
                }
                if p.access.jit() {
                    out.push(Case { from: From::Outside, ..c("token from outside the source networks", Ask::Request { action: "ssm:GetAccessToken" }, false) });
                }
            }
        }
    }
    out
}

/// Statements no request can tell apart from their absence, and why.
const NOT_DECIDABLE: &[(&str, &str)] = &[(
    "OpenSessionDataChannels",
    "the evaluator's service data (iam-data 0.21) lists no resource type for ssmmessages:OpenDataChannel, so it only decides it on `*`; AWS's own just-in-time node access policy grants it on `session/*`",
)];

struct Decision {
    allowed: bool,
}

/// Decide every case with the policies given per (setup, profile).
fn decide(
    setups: &[Setup],
    cases: &[Case],
    policy_of: &dyn Fn(usize, &str) -> Value,
) -> Vec<Decision> {
    let mut policies: BTreeMap<String, Value> = BTreeMap::new();
    let mut reqs = Vec::new();
    let mut owners = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let id = format!("{}#{}", setups[case.setup].name, case.profile);
        policies
            .entry(id.clone())
            .or_insert_with(|| policy_of(case.setup, &case.profile));
        for r in requests(&setups[case.setup], case, &id, &mut policies) {
            reqs.push(r);
            owners.push(n);
        }
    }
    let answers = evaluate(&policies, &reqs);
    let mut allowed = vec![true; cases.len()];
    for ((n, answer), request) in owners.iter().zip(&answers).zip(&reqs) {
        assert!(
            answer["error"].is_null(),
            "the evaluator refused {} for `{}`: {}\n{request:#}",
            cases[*n].what,
            cases[*n].profile,
            answer["error"]
        );
        let ignored = answer["ignored"].as_array().unwrap();
        assert!(
            ignored.is_empty(),
            "the evaluator dropped context keys {ignored:?} of {}: the case would not test them",
            cases[*n].what
        );
        allowed[*n] &= answer["decision"] == "Allowed";
    }
    allowed
        .into_iter()
        .map(|allowed| Decision { allowed })
        .collect()
}

/// One node process for the whole batch.
fn evaluate(policies: &BTreeMap<String, Value>, requests: &[Value]) -> Vec<Value> {
    let dir = repo_root().join("tests/access");
    assert!(
        dir.join("node_modules/@cloud-copilot/iam-simulate")
            .exists(),
        "tests/access/node_modules is missing: run `make setup` (npm ci in tests/access)"
    );
    let mut child = Command::new("node")
        .arg("simulate.mjs")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs (make setup installs it)");
    let input = serde_json::to_vec(&json!({"policies": policies, "requests": requests})).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "simulate.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answers.len(), requests.len());
    answers
}

fn without(policy: &Value, sid: &str) -> Value {
    let mut p = policy.clone();
    p["Statement"]
        .as_array_mut()
        .unwrap()
        .retain(|s| s["Sid"] != sid);
    p
}

#[test]
fn operators_may_do_what_their_profile_says_and_nothing_else() {
    let setups = setups();
    let mut cases = table();
    cases.extend(per_profile(&setups));
    let decided = decide(&setups, &cases, &|i, p| setups[i].operator_policy(p));
    let wrong: Vec<String> = cases
        .iter()
        .zip(&decided)
        .filter(|(c, d)| c.allowed != d.allowed)
        .map(|(c, d)| {
            format!(
                "[{}] {}: {} — expected {}, got {}",
                setups[c.setup].name,
                c.profile,
                c.what,
                word(c.allowed),
                word(d.allowed)
            )
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} cases decided otherwise:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
    assert!(cases.len() >= 90, "{} cases", cases.len());
}

fn word(allowed: bool) -> &'static str {
    if allowed {
        "allowed"
    } else {
        "denied"
    }
}

/// Removing any statement of any operator policy must change at least one
/// decision: otherwise the proof does not test it.
#[test]
fn every_statement_of_every_operator_policy_matters() {
    let setups = setups();
    let mut cases = table();
    cases.extend(per_profile(&setups));
    let baseline = decide(&setups, &cases, &|i, p| setups[i].operator_policy(p));
    let mut mutants: Vec<(usize, String, String)> = Vec::new();
    for (i, s) in setups.iter().enumerate() {
        for p in &s.config.operators.profiles {
            for st in s.operator_policy(&p.name)["Statement"].as_array().unwrap() {
                let sid = st["Sid"].as_str().unwrap().to_string();
                if !NOT_DECIDABLE.iter().any(|(n, _)| *n == sid) {
                    mutants.push((i, p.name.clone(), sid));
                }
            }
        }
    }
    assert!(mutants.len() >= 30, "{} statements", mutants.len());
    // One batch: each mutant's cases under a policy id of its own.
    let mut all_cases = Vec::new();
    let mut tags = Vec::new();
    for (m, (i, profile, _)) in mutants.iter().enumerate() {
        for (n, c) in cases
            .iter()
            .enumerate()
            .filter(|(_, c)| c.setup == *i && &c.profile == profile)
        {
            all_cases.push(Case {
                profile: format!("{profile}~{m}"),
                ..c.clone()
            });
            tags.push((m, n));
        }
    }
    let decided = decide(&setups, &all_cases, &|i, p| {
        let (profile, m) = p.split_once('~').unwrap();
        let sid = &mutants[m.parse::<usize>().unwrap()].2;
        without(&setups[i].operator_policy(profile), sid)
    });
    let mut changed = vec![false; mutants.len()];
    for ((m, n), d) in tags.iter().zip(&decided) {
        changed[*m] |= d.allowed != baseline[*n].allowed;
    }
    let vacuous: Vec<String> = mutants
        .iter()
        .zip(&changed)
        .filter(|(_, c)| !**c)
        .map(|((i, p, sid), _)| format!("[{}] {p}: {sid}", setups[*i].name))
        .collect();
    assert!(
        vacuous.is_empty(),
        "statements no case depends on:\n{}",
        vacuous.join("\n")
    );
}

/// Why `aws:userid` and the session's `aws:ssmmessages:session-id` tag, not
/// seed 003's `session/${aws:username}-*`: a federated or IAM Identity
/// Center caller has no `aws:username`, so that statement never lets them
/// end even their own session; it works for IAM users only.
#[test]
fn seed_003s_username_statement_fails_federated_callers() {
    let seed = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Seed003", "Effect": "Allow", "Action": "ssm:TerminateSession",
        "Resource": "arn:aws:ssm:*:*:session/${aws:username}-*"}]});
    let setups = setups();
    let c = &setups[0].config;
    let mut policies = BTreeMap::from([("seed-003".to_string(), seed)]);
    let mut reqs = Vec::new();
    for caller in [Caller::Alice, Caller::Bob] {
        let case = Case {
            setup: 0,
            profile: "web-operators".into(),
            what: "end own session".into(),
            caller,
            region: c.regions[0].clone(),
            now: NOW.into(),
            ask: Ask::Session {
                action: "ssm:TerminateSession",
                owner: caller,
            },
            allowed: true,
            from: From::Office,
        };
        reqs.extend(requests(&setups[0], &case, "seed-003", &mut policies));
    }
    let answers = evaluate(&policies, &reqs);
    assert!(answers.iter().all(|a| a["error"].is_null()), "{answers:?}");
    assert_eq!(
        answers[0]["decision"], "ImplicitlyDenied",
        "federated caller, own session: {}",
        answers[0]
    );
    assert_eq!(
        answers[1]["decision"], "Allowed",
        "IAM user, own session: {}",
        answers[1]
    );
}
