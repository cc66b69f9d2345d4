//! The key policy of the archive and session keys, shared by the primary
//! (home region) and each replica: a replica has its own policy, so the
//! region-specific parts use `${AWS::Region}`.

use crate::config::model::Config;
use crate::model::iam::{PolicyDocument, Principal, Statement};
use crate::model::Expr;

use super::names::{KeyRole, Names, GUI_CONNECT_PRINCIPAL};

pub fn key_policy(c: &Config, key: KeyRole) -> PolicyDocument {
    let names = Names::new(c);
    let org = Expr::lit(&c.organization.id);
    let mut statements = vec![
        Statement::allow("EnableAccountAdministration")
            .principal(Principal::Aws(vec![Expr::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")]))
            .actions(&["kms:*"])
            .resource(Expr::lit("*")),
        Statement::allow("OrganizationPrincipalsUse")
            .principal(Principal::Aws(vec![Expr::lit("*")]))
            .actions(&["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"])
            .resource(Expr::lit("*"))
            .condition("StringEquals", "aws:PrincipalOrgID", org.clone()),
    ];
    if c.rdp_recording.enabled && key == KeyRole::Archive {
        statements.push(
            Statement::allow("RdpConnectionRecording")
                .principal(Principal::Service(vec![Expr::lit(GUI_CONNECT_PRINCIPAL)]))
                .actions(&["kms:GenerateDataKey", "kms:CreateGrant"])
                .resource(Expr::lit("*"))
                .condition("StringEquals", "aws:SourceOrgID", org),
        );
    }
    if c.session_manager.cloudwatch.enabled && key == names.session_key() {
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
    statements.extend(super::guardrails::trail::key_statements(c, key));
    PolicyDocument::new(statements)
}
