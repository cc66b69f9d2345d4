//! Amazon Athena over the archive (issue 18), in the log-archive stack of the
//! home region (the bucket's): a Glue database, one external table per kind
//! of log, an Athena workgroup whose results stay in the bucket, and the
//! auditor role that may query them.
//!
//! Every table is partitioned by projection (Athena computes the partitions
//! from the table properties; nothing is stored in the catalog, no crawler,
//! no `MSCK REPAIR`):
//! - `cloudtrail`: the organization trail, `<trail prefix>/AWSLogs/<org id>/<account>/CloudTrail/<region>/yyyy/MM/dd/`;
//! - `transcripts`: what the agent uploads, `<key prefix>/<account>/<region>/<s3 prefix>/<session id>.log` (no day in the key);
//! - `log_copy`: the copy Firehose writes, `<key prefix>/<account>/<region>/<copy prefix>/yyyy/MM/dd/`.
//!
//! Replacement: the database and the tables are metadata only (external
//! tables: dropping one never deletes an object); renaming one replaces it
//! and saved queries naming the old name stop working. The workgroup holds
//! query history and saved queries; its results are objects of the retained
//! bucket and outlive it.

use indexmap::IndexMap;

use crate::config::model::{Config, TrailMode};
use crate::model::iam::{PolicyDocument, Principal, Statement};
use crate::model::resources::athena::*;
use crate::model::resources::glue::*;
use crate::model::resources::iam::{InlinePolicy, NamedRole};
use crate::model::{Expr, Resource, Template};

use super::archive::BUCKET;
use super::key_policy::Placement;
use super::names::{KeyRole, Names};
use super::tags::resource_tags;

pub const DATABASE: &str = "AthenaDatabase";
pub const WORKGROUP: &str = "AthenaWorkGroup";
pub const AUDITOR_ROLE: &str = "AthenaAuditorRole";
/// Table names, shared with the SQL (`audit_sql`).
pub const CLOUDTRAIL_TABLE: &str = "cloudtrail";
pub const TRANSCRIPTS_TABLE: &str = "transcripts";
pub const LOG_COPY_TABLE: &str = "log_copy";
/// The date partition: `yyyy/MM/dd`, as the keys spell it.
pub const DAY_PARTITION: &str = "dt";

/// Whether the configuration asks for Athena.
pub fn enabled(c: &Config) -> bool {
    c.log_archive.athena.enabled
}

fn organization_trail(c: &Config) -> bool {
    c.guardrails.cloudtrail.mode == TrailMode::Organization
}

fn log_copy(c: &Config) -> bool {
    super::log_copy::enabled(c)
}

/// The tables this configuration has, by name.
pub fn tables(c: &Config) -> Vec<&'static str> {
    let mut out = Vec::new();
    if organization_trail(c) {
        out.push(CLOUDTRAIL_TABLE);
    }
    if c.session_manager.s3.enabled {
        out.push(TRANSCRIPTS_TABLE);
    }
    if log_copy(c) {
        out.push(LOG_COPY_TABLE);
    }
    out
}

/// Key prefixes (no trailing `/`) the tables read, and where results go.
pub struct Prefixes {
    pub trail: Option<String>,
    pub accounts: String,
    pub results: String,
}

pub fn prefixes(c: &Config) -> Prefixes {
    let names = Names::new(c);
    Prefixes {
        trail: organization_trail(c).then(|| {
            format!(
                "{}/AWSLogs/{}",
                c.guardrails.cloudtrail.organization_prefix(),
                c.organization.id
            )
        }),
        accounts: names.bucket_prefix().to_string(),
        results: c.log_archive.athena.results_prefix.clone(),
    }
}

pub fn add(t: &mut Template, c: &Config) {
    if !enabled(c) {
        return;
    }
    let a = &c.log_archive.athena;
    let names = Names::new(c);
    let bucket = names.bucket();
    let tags = resource_tags(c, "athena");
    let catalog = || Expr::reference("AWS::AccountId");

    t.add(
        DATABASE,
        Resource::new(Database {
            catalog_id: catalog(),
            database_input: DatabaseInput {
                name: a.database.clone(),
                description: format!(
                    "sessionlog: tables over the log archive s3://{bucket}/ (partition projection)"
                ),
            },
        }),
    );
    for (logical_id, input) in table_inputs(c) {
        t.add(
            &logical_id,
            Resource::new(Table {
                catalog_id: catalog(),
                database_name: Expr::reference(DATABASE),
                table_input: input,
            }),
        );
    }
    t.add(
        WORKGROUP,
        Resource::new(WorkGroup {
            name: a.workgroup.clone(),
            description: format!(
                "sessionlog: queries over the log archive; results in s3://{bucket}/{}/",
                a.results_prefix
            ),
            state: "ENABLED",
            recursive_delete_option: false,
            work_group_configuration: WorkGroupConfiguration {
                enforce_work_group_configuration: true,
                publish_cloud_watch_metrics_enabled: true,
                result_configuration: ResultConfiguration {
                    output_location: format!("s3://{bucket}/{}/", a.results_prefix),
                    encryption_configuration: EncryptionConfiguration {
                        encryption_option: "SSE_KMS",
                        kms_key: Expr::get_att(KeyRole::Archive.logical_id(), "Arn"),
                    },
                    expected_bucket_owner: Expr::reference("AWS::AccountId"),
                },
            },
            tags: tags.clone(),
        }),
    );
    t.add(
        AUDITOR_ROLE,
        Resource::new(auditor_role(c)).depends_on(BUCKET),
    );
    t.output(
        "AthenaWorkGroup",
        "Athena workgroup of the archive",
        Expr::reference(WORKGROUP),
    );
    t.output(
        "AthenaDatabase",
        "Glue database of the archive's tables",
        Expr::reference(DATABASE),
    );
    t.output(
        "AthenaAuditorRoleArn",
        "Role that may query the archive",
        Expr::get_att(AUDITOR_ROLE, "Arn"),
    );
}

/// `(logical id, table)` for every table of the configuration.
pub fn table_inputs(c: &Config) -> Vec<(String, TableInput)> {
    let names = Names::new(c);
    let bucket = names.bucket();
    let p = prefixes(c);
    let root = format!("s3://{bucket}/{}", p.accounts);
    let mut out = Vec::new();
    if let Some(trail) = &p.trail {
        let base = format!("s3://{bucket}/{trail}");
        out.push((
            "AthenaCloudTrailTable".to_string(),
            TableInput {
                name: CLOUDTRAIL_TABLE.into(),
                description:
                    "The organization trail's log files (AWS's CloudTrail table for Athena)".into(),
                table_type: "EXTERNAL_TABLE",
                parameters: projection(
                    c,
                    true,
                    &format!("{base}/${{account}}/CloudTrail/${{region}}/${{{DAY_PARTITION}}}/"),
                ),
                partition_keys: partition_keys(true),
                storage_descriptor: StorageDescriptor {
                    columns: cloudtrail_columns(),
                    location: format!("{base}/"),
                    input_format: "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
                    output_format: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    serde_info: SerdeInfo {
                        serialization_library: "com.amazon.emr.hive.serde.CloudTrailSerde",
                        parameters: IndexMap::new(),
                    },
                },
            },
        ));
    }
    if c.session_manager.s3.enabled {
        let s3 = &c.session_manager.s3.key_prefix;
        out.push((
            "AthenaTranscriptsTable".to_string(),
            TableInput {
                name: TRANSCRIPTS_TABLE.into(),
                description: "Session transcripts the SSM Agent uploads, one row per line; the session id is the object's name (\"$path\")".into(),
                table_type: "EXTERNAL_TABLE",
                parameters: projection(c, false, &format!("{root}/${{account}}/${{region}}/{s3}/")),
                partition_keys: partition_keys(false),
                storage_descriptor: StorageDescriptor {
                    columns: vec![Column::new("line", "string")],
                    location: format!("{root}/"),
                    input_format: "org.apache.hadoop.mapred.TextInputFormat",
                    output_format: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    serde_info: SerdeInfo {
                        serialization_library: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                        // No field delimiter a transcript can contain: a line is one column.
                        parameters: IndexMap::from([("field.delim".to_string(), "\u{1}".to_string())]),
                    },
                },
            },
        ));
    }
    if log_copy(c) {
        let (copy, _) = names.log_copy_segments();
        out.push((
            "AthenaLogCopyTable".to_string(),
            TableInput {
                name: LOG_COPY_TABLE.into(),
                description: "The tamper-proof copy: CloudWatch Logs subscription records Firehose writes, one JSON record per line (gzip); logstream is the session id".into(),
                table_type: "EXTERNAL_TABLE",
                parameters: projection(c, true, &format!("{root}/${{account}}/${{region}}/{copy}/${{{DAY_PARTITION}}}/")),
                partition_keys: partition_keys(true),
                storage_descriptor: StorageDescriptor {
                    columns: vec![
                        Column::new("messagetype", "string"),
                        Column::new("owner", "string"),
                        Column::new("loggroup", "string"),
                        Column::new("logstream", "string"),
                        Column::new("subscriptionfilters", "array<string>"),
                        Column::new("logevents", "array<struct<id:string,timestamp:bigint,message:string>>"),
                    ],
                    location: format!("{root}/"),
                    input_format: "org.apache.hadoop.mapred.TextInputFormat",
                    output_format: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    serde_info: SerdeInfo {
                        serialization_library: "org.openx.data.jsonserde.JsonSerDe",
                        parameters: IndexMap::new(),
                    },
                },
            },
        ));
    }
    out
}

fn partition_keys(day: bool) -> Vec<Column> {
    let mut keys = vec![
        Column::new("account", "string"),
        Column::new("region", "string"),
    ];
    if day {
        keys.push(Column::new(DAY_PARTITION, "string"));
    }
    keys
}

/// The projection of account (enumerated when the configuration lists the
/// accounts, else injected), region (the member regions) and day.
fn projection(c: &Config, day: bool, template: &str) -> IndexMap<String, String> {
    let a = &c.log_archive.athena;
    let mut p = IndexMap::new();
    let mut set = |k: &str, v: String| {
        p.insert(k.to_string(), v);
    };
    set("EXTERNAL", "TRUE".into());
    set("projection.enabled", "true".into());
    if a.accounts.is_empty() {
        set("projection.account.type", "injected".into());
    } else {
        set("projection.account.type", "enum".into());
        set("projection.account.values", a.accounts.join(","));
    }
    set("projection.region.type", "enum".into());
    set("projection.region.values", c.regions.join(","));
    if day {
        set(&format!("projection.{DAY_PARTITION}.type"), "date".into());
        set(
            &format!("projection.{DAY_PARTITION}.format"),
            "yyyy/MM/dd".into(),
        );
        set(
            &format!("projection.{DAY_PARTITION}.range"),
            format!("{},NOW", a.start_day()),
        );
        set(&format!("projection.{DAY_PARTITION}.interval"), "1".into());
        set(
            &format!("projection.{DAY_PARTITION}.interval.unit"),
            "DAYS".into(),
        );
    }
    set("storage.location.template", template.into());
    p
}

/// The columns of AWS's CloudTrail table for Athena.
fn cloudtrail_columns() -> Vec<Column> {
    let identity = "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,username:string,onbehalfof:struct<userid:string,identitystorearn:string>,sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>,ec2roledelivery:string,webidfederationdata:struct<federatedprovider:string,attributes:map<string,string>>>>";
    [
        ("eventversion", "string"),
        ("useridentity", identity),
        ("eventtime", "string"),
        ("eventsource", "string"),
        ("eventname", "string"),
        ("awsregion", "string"),
        ("sourceipaddress", "string"),
        ("useragent", "string"),
        ("errorcode", "string"),
        ("errormessage", "string"),
        ("requestparameters", "string"),
        ("responseelements", "string"),
        ("additionaleventdata", "string"),
        ("requestid", "string"),
        ("eventid", "string"),
        ("readonly", "string"),
        ("resources", "array<struct<arn:string,accountid:string,type:string>>"),
        ("eventtype", "string"),
        ("apiversion", "string"),
        ("recipientaccountid", "string"),
        ("serviceeventdetails", "string"),
        ("sharedeventid", "string"),
        ("vpcendpointid", "string"),
        ("vpcendpointaccountid", "string"),
        ("eventcategory", "string"),
        ("addendum", "struct<reason:string,updatedfields:string,originalrequestid:string,originaleventid:string>"),
        ("sessioncredentialfromconsole", "string"),
        ("edgedevicedetails", "string"),
        ("tlsdetails", "struct<tlsversion:string,ciphersuite:string,clienthostheader:string>"),
    ]
    .into_iter()
    .map(|(n, t)| Column::new(n, t))
    .collect()
}

/// The auditor role: reads the tables' prefixes and the results, writes
/// the results, queries in the workgroup; nothing else. It is a role of
/// the log-archive account, like the bucket and the key: the account's own
/// IAM policy is enough (the key policy lets the account's IAM policies
/// decide; the bucket policy denies deletes to other accounts only).
fn auditor_role(c: &Config) -> NamedRole {
    let a = &c.log_archive.athena;
    let names = Names::new(c);
    let bucket = names.bucket();
    let p = prefixes(c);
    let s3 = |key: &str| Expr::sub(format!("arn:${{AWS::Partition}}:s3:::{bucket}/{key}"));
    let mut read = Vec::new();
    let mut listed = Vec::new();
    if let Some(trail) = &p.trail {
        read.push(s3(&format!("{trail}/*")));
        listed.push(Expr::lit(format!("{trail}/*")));
    }
    if c.session_manager.s3.enabled || log_copy(c) {
        read.push(s3(&format!("{}/*", p.accounts)));
        listed.push(Expr::lit(format!("{}/*", p.accounts)));
    }
    read.push(s3(&format!("{}/*", p.results)));
    listed.push(Expr::lit(format!("{}/*", p.results)));

    // Default: the role `sessionlog deploy` assumes in the log-archive
    // account, whose holders administer the archive already.
    let trusted: Vec<Expr> = if a.auditor_role.trusted_principals.is_empty() {
        vec![Expr::sub(format!(
            "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{}",
            c.log_archive.access_role
        ))]
    } else {
        a.auditor_role
            .trusted_principals
            .iter()
            .map(|t| {
                if t.starts_with("arn:") {
                    Expr::lit(t)
                } else {
                    Expr::sub(format!("arn:${{AWS::Partition}}:iam::{t}:root"))
                }
            })
            .collect()
    };
    let glue = |r: &str| {
        Expr::sub(format!(
            "arn:${{AWS::Partition}}:glue:${{AWS::Region}}:${{AWS::AccountId}}:{r}"
        ))
    };
    NamedRole {
        role_name: a.auditor_role.name.clone(),
        description: format!("sessionlog: queries the log archive in Athena workgroup {} (read only)", a.workgroup),
        assume_role_policy_document: PolicyDocument::new(vec![Statement::allow("AuditorsAssume")
            .principal(Principal::Aws(trusted))
            .actions(&["sts:AssumeRole"])]),
        max_session_duration: 3600,
        policies: vec![InlinePolicy {
            policy_name: "sessionlog-athena-query".into(),
            policy_document: PolicyDocument::new([
                Statement::allow("QueryInTheWorkGroup")
                    .actions(&[
                        "athena:StartQueryExecution",
                        "athena:GetQueryExecution",
                        "athena:GetQueryResults",
                        "athena:StopQueryExecution",
                        "athena:GetWorkGroup",
                    ])
                    .resource(Expr::sub(format!(
                        "arn:${{AWS::Partition}}:athena:${{AWS::Region}}:${{AWS::AccountId}}:workgroup/{}",
                        a.workgroup
                    ))),
                Statement::allow("ReadTheTables")
                    .actions(&["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions"])
                    .resources([
                        glue("catalog"),
                        glue(&format!("database/{}", a.database)),
                        glue(&format!("table/{}/*", a.database)),
                    ]),
                Statement::allow("ReadTheLogsAndResults").actions(&["s3:GetObject"]).resources(read),
                Statement::allow("ListTheLogsAndResults")
                    .actions(&["s3:ListBucket"])
                    .resource(Expr::sub(format!("arn:${{AWS::Partition}}:s3:::{bucket}")))
                    .condition_any("StringLike", "s3:prefix", listed),
                Statement::allow("LocateTheBucket")
                    .actions(&["s3:GetBucketLocation"])
                    .resource(Expr::sub(format!("arn:${{AWS::Partition}}:s3:::{bucket}"))),
                Statement::allow("WriteResults")
                    .actions(&["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"])
                    .resource(s3(&format!("{}/*", p.results))),
            ]
            .into_iter()
            .chain(key_statement(c))
            .collect()),
        }],
        tags: resource_tags(c, "athena-auditor"),
    }
}

/// The archive key for reading the logs and encrypting the results: only
/// where the key policy does not already let every principal of the
/// organization use it (the auditor role is one of them).
fn key_statement(c: &Config) -> Option<Statement> {
    let policy = super::key_policy::key_policy(c, KeyRole::Archive, Placement::Primary);
    let organization_use = policy
        .statements
        .iter()
        .any(|s| s.sid == super::key_policy::ORGANIZATION_USE);
    (!organization_use).then(|| {
        Statement::allow("DecryptLogsEncryptResults")
            .actions(&["kms:Decrypt", "kms:GenerateDataKey"])
            .resource(Expr::get_att(KeyRole::Archive.logical_id(), "Arn"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stacks::build;

    fn config(edits: &[(&str, &str)]) -> Config {
        crate::config::load::edited_example(edits)
    }

    const ON: &str = "    enabled: true                   # Glue tables";

    #[test]
    fn off_adds_nothing() {
        let c = config(&[(ON, "    enabled: false                  # Glue tables")]);
        let b = build(&c);
        let home = &b.archive_stacks[0];
        let types = home.template.template.resource_types();
        assert!(
            !types
                .iter()
                .any(|t| t.starts_with("AWS::Glue") || t.starts_with("AWS::Athena")),
            "{types:?}"
        );
        assert!(!home.template.template.resources.contains_key(AUDITOR_ROLE));
        assert!(!home
            .capabilities
            .contains(&"CAPABILITY_NAMED_IAM".to_string()));
    }

    #[test]
    fn the_home_stack_gets_the_tables_of_what_is_logged() {
        let c = config(&[]);
        let b = build(&c);
        let home = &b.archive_stacks[0];
        assert!(home
            .capabilities
            .contains(&"CAPABILITY_NAMED_IAM".to_string()));
        assert!(b.archive_stacks[1..].iter().all(|s| !s
            .template
            .template
            .resources
            .contains_key(WORKGROUP)));
        assert_eq!(
            tables(&c),
            [CLOUDTRAIL_TABLE, TRANSCRIPTS_TABLE, LOG_COPY_TABLE]
        );
        let t = table_inputs(&c);
        let trail = &t[0].1.parameters;
        assert_eq!(
            trail["storage.location.template"],
            "s3://sessionlog-222222222222-us-east-1/cloudtrail/AWSLogs/o-a1b2c3d4e5/${account}/CloudTrail/${region}/${dt}/"
        );
        assert_eq!(trail["projection.account.type"], "injected");
        assert_eq!(trail["projection.dt.range"], "2026/01/01,NOW");
        assert_eq!(
            trail["projection.region.values"],
            "us-east-1,eu-west-1,eu-south-1"
        );

        let c = config(&[
            ("s3:\n    enabled: true", "s3:\n    enabled: false"),
            ("accounts: []  ", "accounts: [\"444455556666\"]  "),
        ]);
        assert_eq!(tables(&c), [CLOUDTRAIL_TABLE, LOG_COPY_TABLE]);
        let copy = &table_inputs(&c)[1].1.parameters;
        assert_eq!(copy["projection.account.type"], "enum");
        assert_eq!(copy["projection.account.values"], "444455556666");
    }

    #[test]
    fn the_key_statement_only_where_the_organization_may_not_use_the_key() {
        let statement = |c: &Config| {
            serde_json::to_string(&auditor_role(c).policies[0].policy_document).unwrap()
        };
        assert!(!statement(&config(&[])).contains("DecryptLogsEncryptResults"));
        let c = config(&[
            ("keys: single", "keys: split"),
            ("s3:\n    enabled: true", "s3:\n    enabled: false"),
            (
                "rdp_recording:\n  enabled: true",
                "rdp_recording:\n  enabled: false",
            ),
        ]);
        assert!(statement(&c).contains("DecryptLogsEncryptResults"));
    }
}
