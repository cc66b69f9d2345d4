//! The key policy of the archive and session keys, shared by the primary
//! (home region) and each replica: a replica has its own policy, so the
//! region-specific parts use `${AWS::Region}`.
//!
//! The key lives in the log-archive account, so every use from a member
//! account needs an allow here as well as in the caller's own IAM policy
//! (cross-account evaluation). `tests/access.rs` proves each statement with
//! an independent IAM evaluator.

use crate::config::model::Config;
use crate::model::iam::{PolicyDocument, Principal, Statement};
use crate::model::Expr;

use super::names::{KeyRole, Names, GUI_CONNECT_PRINCIPAL, GUI_CONNECT_VIA_SERVICE};

/// Sid of the statement that lets every principal of the organization use the key.
pub const ORGANIZATION_USE: &str = "OrganizationPrincipalsUse";

/// Where a key policy is deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// The multi-region primary, in the home region (which need not be a member region).
    Primary,
    /// The replicas, one template for every other member region.
    Replica,
}

/// The key policy: administration by the log-archive account, and exactly
/// the uses the configuration has for this key where it is deployed —
/// instances and operators of the organization (bucket uploads, session
/// data), CloudWatch Logs of the region for the member log groups, and RDP
/// recording (the service for the bucket's encryption and its grants,
/// organization principals for grants through it).
pub fn key_policy(c: &Config, key: KeyRole, placement: Placement) -> PolicyDocument {
    let names = Names::new(c);
    let sm = &c.session_manager;
    let org = Expr::lit(&c.organization.id);
    let rdp_regions = names.rdp_regions();
    let home = &c.log_archive.region;
    // Whether member accounts use this key in its region(s).
    let member_region = placement == Placement::Replica || c.regions.contains(home);
    let bucket_key = key == KeyRole::Archive && placement == Placement::Primary;
    let recording_key = key == KeyRole::Archive
        && match placement {
            Placement::Primary => rdp_regions.contains(home),
            Placement::Replica => rdp_regions.iter().any(|r| r != home),
        };
    let session_key = member_region && key == names.session_key();

    let mut statements = vec![Statement::allow("EnableAccountAdministration")
        .principal(Principal::Aws(vec![Expr::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")]))
        .actions(&["kms:*"])
        .resource(Expr::lit("*"))];
    let organization_use = (bucket_key && sm.s3.enabled) || (session_key && sm.encrypt_sessions) || recording_key;
    if organization_use {
        statements.push(
            Statement::allow(ORGANIZATION_USE)
                .principal(Principal::Aws(vec![Expr::lit("*")]))
                .actions(&["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"])
                .resource(Expr::lit("*"))
                .condition("StringEquals", "aws:PrincipalOrgID", org.clone()),
        );
    }
    if (bucket_key && !rdp_regions.is_empty()) || recording_key {
        statements.push(
            Statement::allow("RdpConnectionRecording")
                .principal(Principal::Service(vec![Expr::lit(GUI_CONNECT_PRINCIPAL)]))
                .actions(&["kms:GenerateDataKey", "kms:CreateGrant"])
                .resource(Expr::lit("*"))
                .condition("StringEquals", "aws:SourceOrgID", org.clone()),
        );
    }
    if recording_key {
        // AWS's connection-recording page lists kms:CreateGrant on the
        // recording key both for the principal that configures recording
        // (the StackSet execution role creating AWS::SSMGuiConnect::Preferences)
        // and for the one that opens a connection. Only as grants that
        // ssm-guiconnect of this key's region creates for an AWS resource.
        statements.push(
            Statement::allow("OrganizationPrincipalsGrantRdpRecording")
                .principal(Principal::Aws(vec![Expr::lit("*")]))
                .actions(&["kms:CreateGrant"])
                .resource(Expr::lit("*"))
                .condition("StringEquals", "aws:PrincipalOrgID", org)
                .condition("StringEquals", "kms:ViaService", Expr::sub(GUI_CONNECT_VIA_SERVICE))
                .condition("Bool", "kms:GrantIsForAWSResource", Expr::lit("true")),
        );
    }
    if session_key && sm.cloudwatch.enabled {
        statements.push(
            Statement::allow("CloudWatchLogsEncryptMemberLogGroups")
                .principal(Principal::Service(vec![Expr::sub("logs.${AWS::Region}.amazonaws.com")]))
                .actions(&["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"])
                .resource(Expr::lit("*"))
                .condition(
                    "ArnLike",
                    "kms:EncryptionContext:aws:logs:arn",
                    Expr::sub(format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:*:log-group:{}", names.log_group())),
                ),
        );
    }
    // The log copy's Firehose roles are organization principals too: they
    // need a statement of their own only where organization principals may
    // not use this key.
    if !organization_use {
        statements.extend(super::log_copy::key_policy_statements(c, key, placement));
    }
    // The organization trail writes to the bucket in the home region, with
    // the primary key: its statements belong there only.
    if placement == Placement::Primary {
        statements.extend(super::guardrails::trail::key_statements(c, key));
        // The guard's runbook role decrypts with the trail's key when it
        // updates the trail (see guard::Target::bucket_key_decrypt): an
        // organization principal, with a statement of its own only where
        // organization principals may not use this key.
        if !organization_use {
            statements.extend(super::guardrails::trail::guard_key_statements(c, key));
        }
    }
    PolicyDocument::new(statements)
}
