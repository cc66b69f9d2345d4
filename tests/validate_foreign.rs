//! `sessionlog validate` on templates written for other tools and set-ups:
//! what is not wrong is not an error (issue 21), and the true findings
//! cfn-lint misses stay errors. Each class is shown both ways: the value
//! that is fine passes, the one that is wrong is still found.

use sessionlog::validate::{validate_sources, Options, Report, Severity, Source};

fn run(text: &str) -> Report {
    let options = Options { regions: vec!["us-east-1".into()], ..Default::default() };
    validate_sources(&[Source::new("t.yaml", text)], &options)
}

/// `(rule, severity)` of every finding but the security invariants'
/// warnings (the examples are not sessionlog's templates).
fn graded(report: &Report) -> Vec<(&'static str, Severity)> {
    report.findings.iter().filter(|f| !f.rule.id.starts_with("SL5")).map(|f| (f.rule.id, f.severity)).collect()
}

fn errors(report: &Report) -> Vec<&'static str> {
    report.findings.iter().filter(|f| f.severity == Severity::Error).map(|f| f.rule.id).collect()
}

const RAIN: &str = "Resources:
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code:
        ZipFile: !Rain::Embed handler.py
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Rain::S3Http site/
";

#[test]
fn a_preprocessor_tag_is_reported_not_checked_never_an_error() {
    let report = run(RAIN);
    assert_eq!(graded(&report), [("SL108", Severity::Info), ("SL108", Severity::Info)], "{:#?}", report.findings);
    let note = &report.findings[0];
    assert!(note.message.contains("`!Rain::Embed` is a tag of rain's pre-processor") && note.message.contains("not checked"), "{}", note.message);
    assert_eq!((note.location.line, note.location.pointer.as_str()), (9, "/Resources/Function/Properties/Code/ZipFile"));
    // rain's own section and a module type it fills in are rain's too.
    let module = format!("Rain:\n  Constants:\n    Name: x\n{RAIN}  Module:\n    Type: !Rain::Module ./module.yaml\n    Properties:\n      Name: !Rain::Constant Name\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub \"${{Rain::Name}}-queue\"\n");
    let report = run(&module);
    assert!(errors(&report).is_empty(), "{:#?}", report.findings);
    assert_eq!(graded(&report).iter().filter(|(r, _)| *r == "SL108").count(), 5, "{:#?}", report.findings);
    assert!(report.findings.iter().any(|f| f.rule.id == "SL108" && f.message.contains("the `Rain` section")));
    // Without the section, neither the section nor its constant is rain's.
    assert_eq!(errors(&run(&module.replace("Rain:\n", "Rainn:\n"))), ["SL103", "SL113"]);
    // A tag that is neither CloudFormation's nor namespaced stays an error.
    let report = run(&RAIN.replace("!Rain::Embed", "!Embed"));
    assert_eq!(errors(&report), ["SL102"]);
    // The value under the tag is not checked; the same value without it is.
    let report = run(&RAIN.replace("!Rain::S3Http site/", "site/").replace("!Rain::Embed handler.py", "x"));
    assert_eq!(errors(&report), ["SL204"], "{:#?}", report.findings);
}

const STACK_SET: &str = "Resources:
  StackSet:
    Type: AWS::CloudFormation::StackSet
    Properties:
      StackSetName: example
      PermissionModel: SERVICE_MANAGED
      AutoDeployment: {Enabled: true, RetainStacksOnAccountRemoval: false}
      TemplateBody: |
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: !Sub \"${AWS::AccountId}-alerts\"
      StackInstancesGroup:
        - DeploymentTargets: {OrganizationalUnitIds: [ou-ab12-cd34ef56]}
          Regions: [us-east-1]
";

#[test]
fn a_nested_template_body_is_not_this_templates_sub() {
    assert_eq!(graded(&run(STACK_SET)), []);
    // The same `${…}` in one of the StackSet's own strings is still SL122.
    let report = run(&STACK_SET.replace("StackSetName: example", "StackSetName: example\n      Description: \"${AWS::AccountId} alerts\""));
    assert_eq!(errors(&report), ["SL122"]);
    assert_eq!(report.findings[0].location.line, 6);
}

const LIST_PARAMETER: &str = "Parameters:
  Subnets:
    Type: CommaDelimitedList
    Default: \"subnet-0123456789abcdef0, subnet-0123456789abcdef1\"
  Zones:
    Type: CommaDelimitedList
    Default: us-east-1a,us-east-1b
    AllowedValues: [us-east-1a, us-east-1b, us-east-1c]
  Domains:
    Type: CommaDelimitedList
    Default: \"example.com, docs.example.com\"
Resources:
  Stack:
    Type: AWS::AppStream::Stack
    Properties:
      EmbedHostDomains: !Ref Domains
  Group:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: d
      SubnetIds: !Ref Subnets
  Cache:
    Type: AWS::ElastiCache::CacheCluster
    Properties:
      CacheNodeType: cache.t3.micro
      Engine: redis
      NumCacheNodes: 1
      PreferredAvailabilityZones: !Ref Zones
";

#[test]
fn a_comma_delimited_list_default_is_a_list() {
    assert_eq!(graded(&run(LIST_PARAMETER)), [], "{:#?}", run(LIST_PARAMETER).findings);
    // Each item is checked against the property's items.
    let report = run(&LIST_PARAMETER.replace("docs.example.com", "not a domain"));
    assert_eq!(errors(&report), ["SL204"], "{:#?}", report.findings);
    assert!(report.findings[0].message.contains("not a domain"), "{}", report.findings[0].message);
    // A String parameter holding the same text is still a string where a list is wanted.
    let report = run(&LIST_PARAMETER.replacen("Type: CommaDelimitedList", "Type: String", 1));
    assert_eq!(errors(&report), ["SL202"], "{:#?}", report.findings);
}

const PATTERN: &str = "Parameters:
  Env:
    Type: String
    Default: production
    AllowedPattern: \"[a-z]+\"
  Names:
    Type: CommaDelimitedList
    Default: \"alpha, beta\"
    AllowedPattern: \"[a-z]+\"
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Ref Env
      DisplayName: !Join [\",\", !Ref Names]
";

#[test]
fn a_default_its_own_allowed_pattern_refuses_is_an_error() {
    assert_eq!(graded(&run(PATTERN)), []);
    let report = run(&PATTERN.replace("Default: production", "Default: Production"));
    assert_eq!(errors(&report), ["SL117"]);
    assert!(report.findings[0].message.contains("\"Production\" does not match the parameter's own AllowedPattern"), "{}", report.findings[0].message);
    assert_eq!(report.findings[0].location.line, 4);
    // The whole value must match, not a part of it; each item of a list.
    let report = run(&PATTERN.replace("Default: \"alpha, beta\"", "Default: \"alpha, beta2\""));
    assert_eq!(errors(&report), ["SL117"]);
    assert!(report.findings[0].message.contains("\"beta2\""), "{}", report.findings[0].message);
}

#[test]
fn a_policy_with_one_sid_twice_is_still_an_error() {
    let text = "Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: \"2012-10-17\"
        Statement:
          - {Sid: Same, Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
          - {Sid: Same, Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}
";
    assert!(errors(&run(text)).contains(&"SL701"), "{:#?}", run(text).findings);
}

#[test]
fn an_s3_url_where_package_rewrites_it_is_a_warning() {
    let text = "Resources:
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code: s3://bucket/code.zip
";
    assert_eq!(graded(&run(text)), [("SL211", Severity::Warning)]);
    // Any other string there is still the wrong type.
    assert_eq!(errors(&run(&text.replace("s3://bucket/code.zip", "https://example.com/code.zip"))), ["SL202"]);
}
