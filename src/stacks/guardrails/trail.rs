//! The organization trail sessionlog creates in the management account, and
//! what the log archive must allow for it: the bucket policy statements and
//! the archive key's policy statements of AWS's "Amazon S3 bucket policy for
//! CloudTrail" (organization trails) and "KMS key policy for CloudTrail".

use crate::config::model::{Config, TrailMode};
use crate::model::iam::{Principal, Statement};
use crate::model::resources::cloudtrail::{EventSelector, Trail};
use crate::model::{Expr, Resource, Template};

use super::super::names::{KeyRole, Names};
use super::super::tags::resource_tags;
use super::{GuardNames, CLOUDTRAIL_PRINCIPAL, ROLE_PATH};

pub const TRAIL: &str = "OrganizationTrail";

fn organization_trail(c: &Config) -> bool {
    c.guardrails.cloudtrail.mode == TrailMode::Organization
}

/// The archive key's ARN in the log-archive home region (the bucket's
/// region: CloudTrail needs a key of the bucket's region).
pub fn archive_key_arn_sub(c: &Config) -> String {
    Names::new(c).key_arn_sub(KeyRole::Archive, &c.log_archive.region)
}

/// The trail (retained: `destroy` never stops the audit trail).
pub fn add_trail(t: &mut Template, c: &Config) {
    let g = GuardNames::new(c);
    t.add(
        TRAIL,
        Resource::new(Trail {
            trail_name: g.trail_name().to_string(),
            s3_bucket_name: Expr::lit(Names::new(c).bucket()),
            s3_key_prefix: Some(c.guardrails.cloudtrail.organization_prefix().to_string()),
            is_logging: true,
            is_multi_region_trail: true,
            is_organization_trail: true,
            enable_log_file_validation: true,
            include_global_service_events: true,
            kms_key_id: Expr::sub(archive_key_arn_sub(c)),
            // Management events, read and write: `StartSession` and
            // `TerminateSession` say who opened and closed each session.
            event_selectors: vec![EventSelector {
                read_write_type: "All",
                include_management_events: true,
            }],
            tags: resource_tags(c, "organization-trail"),
        })
        .retained(),
    );
}

/// Bucket policy statements for the organization trail: read the ACL, write
/// under `<prefix>/AWSLogs/<management account>/` and
/// `<prefix>/AWSLogs/<organization id>/`, only for this trail.
pub fn bucket_statements(c: &Config) -> Vec<Statement> {
    if !organization_trail(c) {
        return Vec::new();
    }
    let g = GuardNames::new(c);
    let bucket = Names::new(c).bucket();
    let prefix = c.guardrails.cloudtrail.organization_prefix();
    let trail = Expr::sub(g.organization_trail_arn_sub());
    let service = || Principal::Service(vec![Expr::lit(CLOUDTRAIL_PRINCIPAL)]);
    let logs = |owner: &str| {
        Expr::sub(format!(
            "arn:${{AWS::Partition}}:s3:::{bucket}/{prefix}/AWSLogs/{owner}/*"
        ))
    };
    vec![
        Statement::allow("CloudTrailAclCheck")
            .principal(service())
            .actions(&["s3:GetBucketAcl"])
            .resource(Expr::sub(format!("arn:${{AWS::Partition}}:s3:::{bucket}")))
            .condition("StringEquals", "aws:SourceArn", trail.clone()),
        Statement::allow("CloudTrailWritesOrganizationTrail")
            .principal(service())
            .actions(&["s3:PutObject"])
            .resources([
                logs(&c.organization.management_account),
                logs(&c.organization.id),
            ])
            .condition(
                "StringEquals",
                "s3:x-amz-acl",
                Expr::lit("bucket-owner-full-control"),
            )
            .condition("StringEquals", "aws:SourceArn", trail),
    ]
}

/// Archive-key statements for the organization trail: data keys only for
/// this trail's log files (encryption context of a trail of the management
/// account), and DescribeKey.
pub fn key_statements(c: &Config, key: KeyRole) -> Vec<Statement> {
    if !organization_trail(c) || key != KeyRole::Archive {
        return Vec::new();
    }
    let g = GuardNames::new(c);
    let trail = Expr::sub(g.organization_trail_arn_sub());
    let service = || Principal::Service(vec![Expr::lit(CLOUDTRAIL_PRINCIPAL)]);
    vec![
        Statement::allow("CloudTrailEncryptsOrganizationTrail")
            .principal(service())
            .actions(&["kms:GenerateDataKey*"])
            .resource(Expr::lit("*"))
            .condition("StringEquals", "aws:SourceArn", trail.clone())
            .condition(
                "StringLike",
                "kms:EncryptionContext:aws:cloudtrail:arn",
                Expr::sub(format!(
                    "arn:${{AWS::Partition}}:cloudtrail:*:{}:trail/*",
                    c.organization.management_account
                )),
            ),
        Statement::allow("CloudTrailDescribesKey")
            .principal(service())
            .actions(&["kms:DescribeKey"])
            .resource(Expr::lit("*"))
            .condition("StringEquals", "aws:SourceArn", trail),
    ]
}

/// The archive key's statement for the CloudTrail guard's role in the
/// management account (an organization trail guarded there): decrypt, as
/// updating a trail with SSE-KMS on a bucket with an S3 Bucket Key needs.
/// The role's name is CloudFormation's; it is under sessionlog's path.
pub fn guard_key_statements(c: &Config, key: KeyRole) -> Vec<Statement> {
    if !organization_trail(c)
        || key != KeyRole::Archive
        || !GuardNames::new(c).guard_in_management()
    {
        return Vec::new();
    }
    let management = &c.organization.management_account;
    vec![Statement::allow("CloudTrailGuardDecrypts")
        .principal(Principal::Aws(vec![Expr::sub(format!(
            "arn:${{AWS::Partition}}:iam::{management}:root"
        ))]))
        .actions(&["kms:Decrypt"])
        .resource(Expr::lit("*"))
        .condition(
            "ArnLike",
            "aws:PrincipalArn",
            Expr::sub(format!(
                "arn:${{AWS::Partition}}:iam::{management}:role{ROLE_PATH}*"
            )),
        )]
}
