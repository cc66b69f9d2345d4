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
//!   recording key only through GUI Connect.

use crate::config::model::Config;
use crate::config::operators::{is_aws_reserved, OperatorProfile};
use crate::model::iam::{PolicyDocument, Statement};
use crate::model::resources::iam::ManagedPolicy;
use crate::model::{Expr, Resource, Template};

use super::names::{KeyRole, Names, SESSION_DOCUMENT};

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

/// Add one managed policy per profile to the member IAM template.
pub fn add_policies(t: &mut Template, c: &Config) {
    let names = Names::new(c);
    if !c.operators.profiles.is_empty() {
        t.description = t.description.replace(
            " Deployed in one region per account.",
            " Also one operator access policy per profile (who may start sessions on which instances). Deployed in one region per account.",
        );
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

    let mut statements = vec![
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
        Statement::allow("StartSessionThroughAllowedDocuments")
            .actions(&["ssm:StartSession"])
            .resources(documents)
            .condition(
                "BoolIfExists",
                "ssm:SessionDocumentAccessCheck",
                Expr::lit("true"),
            ),
        own_session(Statement::allow("EndOwnSessions").actions(&["ssm:TerminateSession"])),
        windowed(in_regions(own_session(
            Statement::allow("ResumeOwnSessions").actions(&["ssm:ResumeSession"]),
        ))),
        in_regions(
            Statement::allow("OpenSessionDataChannels")
                .actions(&["ssmmessages:OpenDataChannel"])
                .resource(account("session/*", "ssm")),
        ),
    ];
    if c.session_manager.encrypt_sessions {
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
    if p.rdp {
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
    PolicyDocument::new(statements)
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
        let json = serde_json::to_string(&policy(&c, &c.operators.profiles[0])).unwrap();
        assert!(!json.contains("aws:username"), "federated callers have no aws:username");
        assert!(policy_size(&c, &c.operators.profiles[0]) < 2500);
    }
}
