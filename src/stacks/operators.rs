//! The operator policies (seed 003): one customer-managed policy per access
//! profile, in every member account, deployed by the IAM StackSet next to
//! the instance policy. IAM is global, so every ARN covers all regions and
//! `aws:RequestedRegion` narrows sessions to the member regions.
//!
//! What each statement is for, and the AWS documentation it follows:
//! - sessions start only on instances with the profile's tags (Session
//!   Manager "Restrict access based on tags") and only through the allowed
//!   session documents (`ssm:SessionDocumentAccessCheck`);
//! - sessions are ended and resumed only by who started them: the
//!   `aws:ssmmessages:session-id` tag Session Manager puts on each session
//!   equals the starter's `aws:userid` for IAM users, federated and IAM
//!   Identity Center callers alike (`session/${aws:username}-*` works for IAM
//!   users only);
//! - `ssmmessages:OpenDataChannel` on the account's sessions, as AWS's own
//!   just-in-time node access policy grants it (a data channel needs the
//!   token only `StartSession`/`ResumeSession` of one's own session returns);
//! - `kms:GenerateDataKey` on the session key when sessions are encrypted;
//! - RDP as AWS's just-in-time node access policy grants it: GUI Connect,
//!   the port-forwarding document only when called through GUI Connect (not a
//!   port-forwarding loophole from the CLI), `kms:CreateGrant` on the
//!   recording key only through GUI Connect;
//! - `access: jit` (docs/jit.md): no standing `StartSession` (AWS: a caller
//!   allowed it keeps using Session Manager), `ssm:StartAccessRequest` on the
//!   account's instances and `ssm:GetAccessToken` on its access requests
//!   (OpsItems) instead;
//! - `source_networks`: one Deny of the session-starting actions from
//!   anywhere else (`source_networks_deny`).

use crate::config::model::Config;
use crate::config::Diagnostic;
use crate::config::networks::Networks;
use crate::config::operators::{is_aws_reserved, OperatorProfile};
use crate::model::iam::{PolicyDocument, Statement};
use crate::model::resources::iam::ManagedPolicy;
use crate::model::{Expr, Resource, Template};

use super::names::{KeyRole, Names, SESSION_DOCUMENT};
use super::replica::key_id_parameter;

/// The document Fleet Manager's Remote Desktop connects through.
pub const RDP_DOCUMENT: &str = "AWS-StartPortForwardingSession";
/// The service principal RDP connections are made through.
pub const GUI_CONNECT_SERVICE: &str = "ssm-guiconnect.amazonaws.com";

/// IAM's limit on a managed policy document, in characters without
/// whitespace.
pub const POLICY_SIZE_LIMIT: usize = 6144;

/// The size IAM counts for a profile's policy once deployed: `Fn::Sub`
/// placeholders at their longest (partition `aws-us-gov`, a 12-digit
/// account, a `mrk-` key id).
pub fn policy_size(c: &Config, p: &OperatorProfile) -> usize {
    let value = serde_json::to_value(policy(c, p)).expect("policies serialize");
    fn walk(v: &serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match v {
            Value::Object(m) if m.len() == 1 && m.contains_key("Fn::Sub") => {
                let text = m["Fn::Sub"].as_str().unwrap_or_default();
                let mut out = text
                    .replace("${AWS::Partition}", "aws-us-gov")
                    .replace("${AWS::AccountId}", "123456789012");
                for key in [KeyRole::Archive, KeyRole::Session] {
                    out = out.replace(
                        &format!("${{{}}}", key.parameter()),
                        "mrk-0123456789abcdef0123456789abcdef",
                    );
                }
                Value::String(out.replace("${!", "${"))
            }
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), walk(v))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(walk).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string(&walk(&value))
        .expect("json")
        .chars()
        .filter(|ch| !ch.is_whitespace())
        .count()
}

/// Profiles whose policy would be over IAM's limit, as configuration
/// problems.
pub fn size_problems(c: &Config) -> Vec<Diagnostic> {
    c.operators
        .profiles
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let size = policy_size(c, p);
            (size > POLICY_SIZE_LIMIT).then(|| {
                Diagnostic::new(
                    format!("/operators/profiles/{i}"),
                    format!("the policy of profile `{}` would be about {size} characters; IAM allows {POLICY_SIZE_LIMIT}", p.name),
                )
                .help("fewer tag values, documents or regions per profile: split it into several profiles")
            })
        })
        .collect()
}

/// Add one managed policy per profile to the member IAM template.
pub fn add_policies(t: &mut Template, c: &Config) {
    let names = Names::new(c);
    if !c.operators.profiles.is_empty() {
        t.description = t.description.replace(
            " Deployed in one region per account.",
            " Also one operator access policy per profile (who may start sessions on which instances). Deployed in one region per account.",
        );
    }
    // The key ids the operator policies name, next to the instance policy's.
    let mut keys = Vec::new();
    if c.session_manager.encrypt_sessions {
        keys.push(names.session_key());
    }
    if c.rdp_recording.enabled && c.operators.profiles.iter().any(|p| p.rdp) {
        keys.push(KeyRole::Archive);
    }
    for key in keys {
        if !t.parameters.contains_key(key.parameter()) {
            t.parameter(key.parameter(), key_id_parameter(key, &names));
        }
    }
    for p in &c.operators.profiles {
        t.add(
            &names.operator_policy_logical_id(p),
            Resource::new(ManagedPolicy {
                managed_policy_name: names.operator_policy(p),
                // Stable text: a changed description replaces the policy.
                description: format!("sessionlog operator access, profile {}", p.name),
                policy_document: policy(c, p),
                roles: Vec::new(),
            }),
        );
    }
}

/// The policy of one profile.
pub fn policy(c: &Config, p: &OperatorProfile) -> PolicyDocument {
    let names = Names::new(c);
    let account = |resource: &str, service: &str| {
        Expr::sub(format!(
            "arn:${{AWS::Partition}}:{service}:*:${{AWS::AccountId}}:{resource}"
        ))
    };
    let regions = || c.regions.iter().map(Expr::lit).collect::<Vec<_>>();
    let in_regions =
        |s: Statement| s.condition_any("StringEquals", "aws:RequestedRegion", regions());
    let windowed = |mut s: Statement| {
        if let Some(w) = &p.window {
            if let Some(start) = &w.start {
                s = s.condition("DateGreaterThan", "aws:CurrentTime", Expr::lit(start));
            }
            if let Some(end) = &w.end {
                s = s.condition("DateLessThan", "aws:CurrentTime", Expr::lit(end));
            }
        }
        s
    };
    let tagged = |mut s: Statement, prefix: &str| {
        for (key, values) in &p.instance_tags {
            s = s.condition_any(
                "StringLike",
                &format!("{prefix}/{key}"),
                values.0.iter().map(Expr::lit).collect(),
            );
        }
        s
    };
    let own_session = |s: Statement| {
        s.resource(account("session/*", "ssm")).condition(
            "StringLike",
            "ssm:resourceTag/aws:ssmmessages:session-id",
            Expr::lit("${aws:userid}"),
        )
    };
    let key_arn = |key: KeyRole| {
        Expr::sub(format!(
            "arn:${{AWS::Partition}}:kms:*:{}:key/${{{}}}",
            c.log_archive.account,
            key.parameter()
        ))
    };

    let mut documents = vec![account(&format!("document/{SESSION_DOCUMENT}"), "ssm")];
    for d in &p.documents {
        // AWS's documents have no account in their ARN.
        documents.push(if is_aws_reserved(d) {
            Expr::sub(format!("arn:${{AWS::Partition}}:ssm:*:*:document/{d}"))
        } else {
            account(&format!("document/{d}"), "ssm")
        });
    }

    let standing = p.access.standing();
    let mut statements = Vec::new();
    if standing {
        statements.push(
            windowed(in_regions(tagged(
                Statement::allow("StartSessionOnTaggedInstances")
                    .actions(&["ssm:StartSession"])
                    .resources([
                        account("instance/*", "ec2"),
                        account("managed-instance/*", "ssm"),
                    ]),
                "ssm:resourceTag",
            )))
            .condition(
                "BoolIfExists",
                "ssm:SessionDocumentAccessCheck",
                Expr::lit("true"),
            ),
        );
        statements.push(
            Statement::allow("StartSessionThroughAllowedDocuments")
                .actions(&["ssm:StartSession"])
                .resources(documents)
                .condition(
                    "BoolIfExists",
                    "ssm:SessionDocumentAccessCheck",
                    Expr::lit("true"),
                ),
        );
    }
    statements.push(own_session(Statement::allow("EndOwnSessions").actions(&["ssm:TerminateSession"])));
    if standing {
        statements.push(windowed(in_regions(own_session(
            Statement::allow("ResumeOwnSessions").actions(&["ssm:ResumeSession"]),
        ))));
        statements.push(in_regions(
            Statement::allow("OpenSessionDataChannels")
                .actions(&["ssmmessages:OpenDataChannel"])
                .resource(account("session/*", "ssm")),
        ));
    }
    if p.access.jit() {
        // Just-in-time node access (Service Authorization Reference):
        // StartAccessRequest names the node; the request is an OpsItem,
        // whose token GetAccessToken returns once approved.
        statements.push(in_regions(
            Statement::allow("RequestJustInTimeAccess")
                .actions(&["ssm:StartAccessRequest"])
                .resources([
                    account("instance/*", "ec2"),
                    account("managed-instance/*", "ssm"),
                ]),
        ));
        statements.push(in_regions(
            Statement::allow("GetJustInTimeAccessTokens")
                .actions(&["ssm:GetAccessToken"])
                .resource(account("opsitem/*", "ssm")),
        ));
    }
    if standing && c.session_manager.encrypt_sessions {
        statements.push(
            Statement::allow("EncryptSessionsWithSessionKey")
                .actions(&["kms:GenerateDataKey"])
                .resource(key_arn(names.session_key())),
        );
    }
    if p.console {
        statements.push(
            Statement::allow("SessionManagerConsoleReadOnly")
                .actions(&[
                    "ssm:DescribeSessions",
                    "ssm:DescribeInstanceProperties",
                    "ssm:DescribeInstanceInformation",
                    "ssm:GetConnectionStatus",
                    "ec2:DescribeInstances",
                ])
                .resource(Expr::lit("*")),
        );
    }
    if standing && p.rdp {
        statements.push(in_regions(
            Statement::allow("FleetManagerRemoteDesktop")
                .actions(&[
                    "ssm-guiconnect:StartConnection",
                    "ssm-guiconnect:GetConnection",
                    "ssm-guiconnect:CancelConnection",
                ])
                .resource(Expr::lit("*")),
        ));
        statements.push(
            Statement::allow("RemoteDesktopThroughGuiConnectOnly")
                .actions(&["ssm:StartSession"])
                .resource(Expr::sub(format!(
                    "arn:${{AWS::Partition}}:ssm:*:*:document/{RDP_DOCUMENT}"
                )))
                .condition(
                    "StringEquals",
                    "aws:CalledViaFirst",
                    Expr::lit(GUI_CONNECT_SERVICE),
                ),
        );
        if c.rdp_recording.enabled {
            statements.push(
                Statement::allow("RecordRemoteDesktopThroughGuiConnectOnly")
                    .actions(&["kms:CreateGrant"])
                    .resource(key_arn(KeyRole::Archive))
                    .condition(
                        "StringLike",
                        "kms:ViaService",
                        Expr::lit("ssm-guiconnect.*.amazonaws.com"),
                    )
                    .condition("Bool", "aws:ViaAWSService", Expr::lit("true")),
            );
        }
        statements.push(in_regions(tagged(
            Statement::allow("WindowsPasswordOfTaggedInstances")
                .actions(&["ec2:GetPasswordData"])
                .resource(account("instance/*", "ec2")),
            "aws:ResourceTag",
        )));
        if p.console {
            statements.push(
                Statement::allow("FleetManagerConsoleReadOnly")
                    .actions(&["ssm:GetCommandInvocation", "ssm:GetInventorySchema"])
                    .resource(Expr::lit("*")),
            );
        }
    }
    if let Some(deny) = source_networks_deny(p, &statements) {
        statements.push(deny);
    }
    PolicyDocument::new(statements)
}

/// The actions a session (or a just-in-time request) starts with, denied
/// from outside the profile's source networks. Which key carries the
/// caller's address (IAM global condition keys): `aws:SourceIp` for calls
/// to public endpoints, absent through a VPC endpoint; there,
/// `aws:SourceVpce` (the endpoint) and `aws:VpcSourceIp` (the address in
/// the VPC). The conditions are ANDed, and a missing key satisfies each
/// negated `…IfExists` one, so the Deny applies only when no key names an
/// allowed network: public calls from outside the ranges, calls through an
/// endpoint not listed from outside the ranges. Calls AWS services make on
/// the operator's behalf (`aws:ViaAWSService`, GUI Connect's
/// `StartSession`) carry the service's address and are left alone.
fn source_networks_deny(p: &OperatorProfile, statements: &[Statement]) -> Option<Statement> {
    let n = Networks::of(&p.source_networks);
    if n.is_empty() {
        return None;
    }
    let granted: Vec<&str> = statements.iter().flat_map(|s| s.actions.iter().map(String::as_str)).collect();
    let actions: Vec<&str> = ["ssm:StartSession", "ssm:ResumeSession", "ssm:StartAccessRequest", "ssm:GetAccessToken", "ssm-guiconnect:StartConnection"]
        .into_iter()
        .filter(|a| granted.contains(a))
        .collect();
    let mut deny = Statement::deny("DenyOutsideSourceNetworks").actions(&actions).resource(Expr::lit("*"));
    if !n.ranges.is_empty() {
        let ranges = || n.ranges.iter().map(Expr::lit).collect::<Vec<_>>();
        deny = deny
            .condition_any("NotIpAddressIfExists", "aws:SourceIp", ranges())
            .condition_any("NotIpAddressIfExists", "aws:VpcSourceIp", ranges());
    }
    if !n.endpoints.is_empty() {
        deny = deny.condition_any("StringNotEqualsIfExists", "aws:SourceVpce", n.endpoints.iter().map(Expr::lit).collect());
    }
    Some(deny.condition("BoolIfExists", "aws:ViaAWSService", Expr::lit("false")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{load, Source};

    fn sids(c: &Config) -> Vec<String> {
        policy(c, &c.operators.profiles[0]).statements.iter().map(|s| s.sid.clone()).collect()
    }

    #[test]
    fn statements_follow_the_profile() {
        let c = load(&Source::example()).unwrap();
        assert_eq!(
            sids(&c),
            [
                "StartSessionOnTaggedInstances",
                "StartSessionThroughAllowedDocuments",
                "EndOwnSessions",
                "ResumeOwnSessions",
                "OpenSessionDataChannels",
                "EncryptSessionsWithSessionKey",
                "SessionManagerConsoleReadOnly"
            ]
        );
        let text = crate::config::load::EXAMPLE
            .replacen("      rdp: false ", "      rdp: true ", 1)
            .replacen("      console: true ", "      console: false ", 1)
            .replacen("encrypt_sessions: true", "encrypt_sessions: false", 1);
        let rdp = load(&Source { name: "t".into(), text }).unwrap();
        let s = sids(&rdp);
        assert!(s.contains(&"RemoteDesktopThroughGuiConnectOnly".to_string()), "{s:?}");
        assert!(s.contains(&"RecordRemoteDesktopThroughGuiConnectOnly".to_string()), "{s:?}");
        assert!(!s.contains(&"EncryptSessionsWithSessionKey".to_string()), "{s:?}");
        assert!(!s.iter().any(|x| x.contains("ConsoleReadOnly")), "{s:?}");
        let on_call: Vec<String> = policy(&c, &c.operators.profiles[1]).statements.iter().map(|s| s.sid.clone()).collect();
        assert_eq!(
            on_call,
            ["EndOwnSessions", "RequestJustInTimeAccess", "GetJustInTimeAccessTokens", "SessionManagerConsoleReadOnly", "DenyOutsideSourceNetworks"],
            "just-in-time profile with source networks"
        );
        let json = serde_json::to_string(&policy(&c, &c.operators.profiles[0])).unwrap();
        assert!(!json.contains("aws:username"), "federated callers have no aws:username");
        assert!(policy_size(&c, &c.operators.profiles[0]) < 2500);
    }
}
