//! Test support: moto's server and the fault proxy as child processes on
//! 127.0.0.1 (killed on drop), a moto organization, hand-made templates and
//! the `Rollout` that deploys them.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Once};
use std::time::Duration;

use serde_json::Value;
use sessionlog::bundle::*;
use sessionlog::deploy::{DeployOptions, OutputFormat, PlainStack, Rollout, SetDef};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

static SETUP: Once = Once::new();

/// The Python with moto: the project's .venv (`make setup`) when there is one.
pub fn python() -> PathBuf {
    let venv = root().join(".venv/bin/python");
    if venv.exists() { venv } else { PathBuf::from("python3") }
}

/// The AWS CLI: the project's .venv when there is one.
fn aws_bin() -> PathBuf {
    let venv = root().join(".venv/bin/aws");
    if venv.exists() { venv } else { PathBuf::from("aws") }
}

/// Install pinned moto (and the AWS CLI) if missing; set fake credentials.
pub fn setup() {
    SETUP.call_once(|| {
        let st = Command::new("bash").arg(root().join("scripts/moto-setup.sh")).env("PYTHON", python()).status().expect("bash");
        assert!(st.success(), "scripts/moto-setup.sh failed");
    });
    for (k, v) in [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ] {
        std::env::set_var(k, v);
    }
    std::env::remove_var("AWS_PROFILE");
    std::env::remove_var("AWS_SESSION_TOKEN");
}

/// A child process that printed `READY <port>`; killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_ready(mut cmd: Command) -> Server {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("spawn server");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let mut line = String::new();
        if r.read_line(&mut line).is_ok() {
            let _ = tx.send(line);
        }
        // keep draining so the child never blocks on a full pipe
        let mut sink = String::new();
        while r.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
            sink.clear();
        }
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(line) if line.starts_with("READY ") => {
            let port = line.trim()[6..].parse().unwrap();
            Server { child, port }
        }
        other => {
            let _ = child.kill();
            panic!("server did not start: {other:?}");
        }
    }
}

pub fn moto() -> Server {
    setup();
    let mut c = Command::new(python());
    c.arg(root().join("scripts/moto-server.py")).args(["--port", "0", "--max-seconds", "1200"]);
    spawn_ready(c)
}

/// The fault proxy in front of `upstream`, logging every call to `log`.
pub fn proxy(upstream: &Server, log: &Path, extra: &[&str]) -> Server {
    let mut c = Command::new(python());
    c.arg(root().join("scripts/fault_proxy.py"))
        .args(["--upstream", &upstream.url(), "--port", "0", "--max-seconds", "1200", "--log"])
        .arg(log)
        .args(extra);
    spawn_ready(c)
}

/// One line per call the proxy saw.
pub fn proxy_calls(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Calls of `action` that reached moto (not answered by an injected fault).
pub fn reached(calls: &[Value], action: &str) -> usize {
    calls
        .iter()
        .filter(|c| c["action"] == action && matches!(c["fault"].as_str(), None | Some("lost") | Some("delay") | Some("rewritten")))
        .count()
}

#[derive(Debug, Clone)]
pub struct Org {
    pub management: String,
    pub org_id: String,
    pub archive: String,
    pub security: String,
    pub workloads: String,
    pub members: Vec<String>,
    pub excluded: String,
    pub json: String,
}

pub fn org(endpoint: &str, members: usize) -> Org {
    let out = Command::new(python())
        .arg(root().join("tests/deploy/org_setup.py"))
        .args([endpoint, &members.to_string()])
        .output()
        .expect("org_setup.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json = String::from_utf8(out.stdout).unwrap();
    let v: Value = serde_json::from_str(&json).unwrap();
    let s = |k: &str| v[k].as_str().unwrap().to_string();
    Org {
        management: s("management"),
        org_id: s("org_id"),
        archive: s("archive"),
        security: s("security"),
        workloads: s("workloads"),
        members: v["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect(),
        excluded: s("excluded"),
        json: json.trim().to_string(),
    }
}

pub fn inspect(endpoint: &str, org: &Org, regions: &[&str]) -> Value {
    let out = Command::new(python())
        .arg(root().join("tests/deploy/moto_state.py"))
        .args([endpoint, &org.json])
        .args(regions)
        .output()
        .expect("moto_state.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

pub const HOME: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Description: sessionlog log archive, home region (test template)
Resources:
  ArchiveKey:
    Type: AWS::KMS::Key
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      MultiRegion: true
      EnableKeyRotation: true
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
            Action: "kms:*"
            Resource: "*"
      Tags:
        - Key: sessionlog:component
          Value: archive-key
  LogBucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      BucketName: !Sub "sessionlog-${AWS::AccountId}-${AWS::Region}"
      VersioningConfiguration:
        Status: Enabled
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt ArchiveKey.Arn
  LogBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref LogBucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource: !Sub "${LogBucket.Arn}/*"
            Condition:
              Bool:
                aws:SecureTransport: "false"
  ArchiveKeyAlias:
    Type: AWS::KMS::Alias
    Properties:
      AliasName: alias/sessionlog
      TargetKeyId: !Ref ArchiveKey
Outputs:
  KeyArn:
    Value: !GetAtt ArchiveKey.Arn
  BucketName:
    Value: !Ref LogBucket
"#;

pub const REPLICA: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Description: sessionlog log archive, replica key (test template)
Parameters:
  PrimaryKeyArn:
    Type: String
Resources:
  ReplicaKey:
    Type: AWS::KMS::ReplicaKey
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      PrimaryKeyArn: !Ref PrimaryKeyArn
      Tags:
        - Key: sessionlog:component
          Value: archive-key
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
            Action: "kms:*"
            Resource: "*"
  ReplicaKeyAlias:
    Type: AWS::KMS::Alias
    Properties:
      AliasName: alias/sessionlog
      TargetKeyId: !Ref ReplicaKey
Outputs:
  KeyArn:
    Value: !GetAtt ReplicaKey.Arn
"#;

pub const MEMBER: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Description: sessionlog member account (test template)
Parameters:
  KeyArn:
    Type: String
  BucketName:
    Type: String
  RetentionDays:
    Type: Number
    Default: 30
Resources:
  SessionLogGroup:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      LogGroupName: /sessionlog/sessions
      RetentionInDays: !Ref RetentionDays
      KmsKeyId: !Ref KeyArn
  InstancePolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: !Sub "sessionlog-instance-${AWS::Region}"
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: ["logs:DescribeLogGroups", "s3:GetEncryptionConfiguration"]
            Resource: "*"
  SessionPreferences:
    Type: AWS::SSM::Document
    Properties:
      Name: SSM-SessionManagerRunShell
      DocumentType: Session
      DocumentFormat: JSON
      Content:
        schemaVersion: "1.0"
        description: sessionlog session preferences
        sessionType: Standard_Stream
        inputs:
          s3BucketName: !Ref BucketName
          s3EncryptionEnabled: true
          cloudWatchLogGroupName: /sessionlog/sessions
          cloudWatchEncryptionEnabled: true
          cloudWatchStreamingEnabled: true
          kmsKeyId: !Ref KeyArn
          runAsEnabled: false
          idleSessionTimeout: "20"
  RdpRecording:
    Type: AWS::SSMGuiConnect::Preferences
    Properties:
      ConnectionRecordingPreferences:
        KMSKeyArn: !Ref KeyArn
        RecordingDestinations:
          S3Buckets:
            - BucketName: !Ref BucketName
              BucketOwner: !Ref AWS::AccountId
"#;

pub struct Cfg {
    pub retention: u32,
    pub regions: Vec<String>,
}

impl Default for Cfg {
    fn default() -> Self {
        Cfg { retention: 30, regions: vec!["us-east-1".into(), "eu-west-1".into()] }
    }
}

pub fn rollout(org: &Org, cfg: &Cfg) -> Rollout {
    let out = |key: &str, output: &str| ParameterValue::StackOutput {
        key: key.into(),
        stack_name: "sessionlog-archive".into(),
        region: "us-east-1".into(),
        output_key: output.into(),
    };
    let mut archive_stacks = vec![PlainStack {
        stack_name: "sessionlog-archive".into(),
        account: org.archive.clone(),
        region: "us-east-1".into(),
        body: HOME.into(),
        parameters: vec![],
        capabilities: vec![],
        tags: vec![("sessionlog".into(), "true".into())],
    }];
    for r in cfg.regions.iter().filter(|r| *r != "us-east-1") {
        archive_stacks.push(PlainStack {
            stack_name: "sessionlog-archive-replica".into(),
            account: org.archive.clone(),
            region: r.clone(),
            body: REPLICA.into(),
            parameters: vec![out("PrimaryKeyArn", "KeyArn")],
            capabilities: vec![],
            tags: vec![("sessionlog".into(), "true".into())],
        });
    }
    Rollout {
        archive_account: org.archive.clone(),
        archive_access_role: "OrganizationAccountAccessRole".into(),
        management_account: org.management.clone(),
        stack_set_region: "us-east-1".into(),
        archive_stacks,
        management_stacks: vec![],
        requirements: vec![],
        stack_sets: vec![SetDef {
            name: "sessionlog-members".into(),
            description: "sessionlog: Session Manager logging in member accounts".into(),
            body: MEMBER.into(),
            parameters: vec![
                out("KeyArn", "KeyArn"),
                out("BucketName", "BucketName"),
                ParameterValue::Literal { key: "RetentionDays".into(), value: cfg.retention.to_string() },
            ],
            capabilities: vec!["CAPABILITY_NAMED_IAM".into()],
            auto_deployment: AutoDeployment { enabled: true, retain_stacks_on_account_removal: false },
            call_as: CallAs::SelfAccount,
            targets: DeploymentTargets {
                organizational_units: vec![org.workloads.clone()],
                exclude_accounts: vec![org.excluded.clone()],
            },
            regions: cfg.regions.clone(),
            operation_preferences: OperationPreferences {
                region_concurrency: "PARALLEL".into(),
                max_concurrent: Amount::Percentage(100),
                failure_tolerance: Amount::Percentage(10),
                concurrency_mode: "SOFT_FAILURE_TOLERANCE".into(),
            },
            tags: vec![],
            depends_on: vec![],
        }],
    }
}

pub fn opts(endpoint: &str) -> DeployOptions {
    DeployOptions {
        endpoint_url: Some(endpoint.to_string()),
        region: Some("us-east-1".into()),
        yes: true,
        output: OutputFormat::Json,
        retry_initial_backoff: Duration::from_millis(20),
        poll_interval: Duration::from_millis(50),
        timeout: Duration::from_secs(120),
        max_attempts: 10,
        ..DeployOptions::default()
    }
}

/// What a command printed: its JSON events.
pub struct Run {
    pub code: i32,
    pub events: Vec<Value>,
    pub text: String,
}

impl Run {
    pub fn summary(&self) -> &Value {
        self.events.iter().rev().find(|e| e["event"] == "summary").expect("a summary event")
    }
    pub fn writes(&self) -> u64 {
        self.summary()["write_calls"].as_u64().unwrap()
    }
    pub fn changes(&self) -> Vec<String> {
        self.events.iter().filter(|e| e["event"] == "change").map(|e| e["line"].as_str().unwrap().to_string()).collect()
    }
}

pub fn parse(code: i32, buf: Vec<u8>) -> Run {
    let text = String::from_utf8(buf).unwrap();
    let events = text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    Run { code, events, text }
}

/// `stacksets/<name>.stack-set.json` and `<name>.stack-instances.json` as
/// `sessionlog render` writes them (CreateStackSet / CreateStackInstances
/// input; deploy-time values as `{{output:<stack>:<OutputKey>}}`).
pub fn stackset_files(s: &SetDef, dir: &Path) -> (PathBuf, PathBuf) {
    use serde_json::json;
    let amount = |a: &Amount, count: &str, pct: &str| match a {
        Amount::Count(n) => (count.to_string(), json!(n)),
        Amount::Percentage(n) => (pct.to_string(), json!(n)),
    };
    let p = &s.operation_preferences;
    let (mk, mv) = amount(&p.max_concurrent, "MaxConcurrentCount", "MaxConcurrentPercentage");
    let (fk, fv) = amount(&p.failure_tolerance, "FailureToleranceCount", "FailureTolerancePercentage");
    let mut prefs = serde_json::Map::new();
    prefs.insert("RegionConcurrencyType".into(), json!(p.region_concurrency));
    prefs.insert(mk, mv);
    prefs.insert(fk, fv);
    prefs.insert("ConcurrencyMode".into(), json!(p.concurrency_mode));
    let set = json!({
        "StackSetName": s.name,
        "Description": s.description,
        "TemplateBody": s.body,
        "Parameters": s.parameters.iter().map(|p| json!({"ParameterKey": p.key(), "ParameterValue": p.placeholder()})).collect::<Vec<_>>(),
        "Capabilities": s.capabilities,
        "PermissionModel": "SERVICE_MANAGED",
        "AutoDeployment": {"Enabled": s.auto_deployment.enabled, "RetainStacksOnAccountRemoval": s.auto_deployment.retain_stacks_on_account_removal},
        "CallAs": s.call_as.as_str(),
    });
    let mut targets = json!({"OrganizationalUnitIds": s.targets.organizational_units});
    if !s.targets.exclude_accounts.is_empty() {
        targets["Accounts"] = json!(s.targets.exclude_accounts);
        targets["AccountFilterType"] = json!("DIFFERENCE");
    }
    let inst = json!({
        "StackSetName": s.name,
        "DeploymentTargets": targets,
        "Regions": s.regions,
        "OperationPreferences": prefs,
        "CallAs": s.call_as.as_str(),
    });
    let a = dir.join(format!("{}.stack-set.json", s.name));
    let b = dir.join(format!("{}.stack-instances.json", s.name));
    std::fs::write(&a, serde_json::to_string_pretty(&set).unwrap()).unwrap();
    std::fs::write(&b, serde_json::to_string_pretty(&inst).unwrap()).unwrap();
    (a, b)
}

/// Run the AWS CLI against `endpoint` with the test credentials (or others in `env`).
pub fn aws_cli(endpoint: &str, args: &[&str], env: &[(&str, &str)]) -> Value {
    let mut c = Command::new(aws_bin());
    c.args(["--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json"]).args(args);
    c.env("AWS_ACCESS_KEY_ID", "testing").env("AWS_SECRET_ACCESS_KEY", "testing").env_remove("AWS_SESSION_TOKEN");
    c.env("AWS_CONFIG_FILE", "/dev/null").env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null").env("AWS_PAGER", "");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("aws CLI");
    assert!(out.status.success(), "aws {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    if out.stdout.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    }
}

/// Credentials for the log-archive account, for the AWS CLI.
pub fn assumed_env(endpoint: &str, account: &str) -> Vec<(String, String)> {
    let v = aws_cli(
        endpoint,
        &["sts", "assume-role", "--role-arn", &format!("arn:aws:iam::{account}:role/OrganizationAccountAccessRole"), "--role-session-name", "cli"],
        &[],
    );
    let c = &v["Credentials"];
    vec![
        ("AWS_ACCESS_KEY_ID".into(), c["AccessKeyId"].as_str().unwrap().into()),
        ("AWS_SECRET_ACCESS_KEY".into(), c["SecretAccessKey"].as_str().unwrap().into()),
        ("AWS_SESSION_TOKEN".into(), c["SessionToken"].as_str().unwrap().into()),
    ]
}

/// The whole rollout by hand with the AWS CLI, as the README describes:
/// `cloudformation deploy` of the log-archive stacks, then
/// `create-stack-set` / `create-stack-instances` from the stacksets/ files
/// with the placeholders given by `--parameters`, waiting on the operation.
pub fn cli_rollout(endpoint: &str, r: &Rollout, dir: &Path) {
    let env_owned = assumed_env(endpoint, &r.archive_account);
    let env: Vec<(&str, &str)> = env_owned.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut outputs: std::collections::BTreeMap<String, String> = Default::default();
    for s in &r.archive_stacks {
        let t = dir.join(format!("{}-{}.yaml", s.stack_name, s.region));
        std::fs::write(&t, &s.body).unwrap();
        let mut args: Vec<String> = vec!["cloudformation".into(), "deploy".into(), "--region".into(), s.region.clone(), "--stack-name".into(), s.stack_name.clone(), "--template-file".into(), t.to_string_lossy().into()];
        let overrides: Vec<String> = s.parameters.iter().map(|p| format!("{}={}", p.key(), outputs[&placeholder_key(p)])).collect();
        if !overrides.is_empty() {
            args.push("--parameter-overrides".into());
            args.extend(overrides);
        }
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        aws_cli(endpoint, &a, &env);
        let d = aws_cli(endpoint, &["cloudformation", "describe-stacks", "--region", &s.region, "--stack-name", &s.stack_name], &env);
        for o in d["Stacks"][0]["Outputs"].as_array().cloned().unwrap_or_default() {
            outputs.insert(format!("{}:{}:{}", s.stack_name, s.region, o["OutputKey"].as_str().unwrap()), o["OutputValue"].as_str().unwrap().to_string());
        }
    }
    for s in &r.stack_sets {
        let (set, inst) = stackset_files(s, dir);
        let mut args: Vec<String> = vec!["cloudformation".into(), "create-stack-set".into(), "--cli-input-json".into(), format!("file://{}", set.display())];
        let params: Vec<String> = s
            .parameters
            .iter()
            .map(|p| match p {
                ParameterValue::Literal { key, value } => format!("ParameterKey={key},ParameterValue={value}"),
                ParameterValue::StackOutput { key, .. } => format!("ParameterKey={key},ParameterValue={}", outputs[&placeholder_key(p)]),
            })
            .collect();
        args.push("--parameters".into());
        args.extend(params);
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        aws_cli(endpoint, &a, &[]);
        let op = aws_cli(endpoint, &["cloudformation", "create-stack-instances", "--cli-input-json", &format!("file://{}", inst.display())], &[]);
        let id = op["OperationId"].as_str().unwrap().to_string();
        for _ in 0..600 {
            let d = aws_cli(endpoint, &["cloudformation", "describe-stack-set-operation", "--stack-set-name", &s.name, "--operation-id", &id], &[]);
            let st = d["StackSetOperation"]["Status"].as_str().unwrap().to_string();
            if st == "SUCCEEDED" {
                break;
            }
            assert!(st == "RUNNING" || st == "QUEUED", "operation {st}");
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}

fn placeholder_key(p: &ParameterValue) -> String {
    match p {
        ParameterValue::StackOutput { stack_name, region, output_key, .. } => format!("{stack_name}:{region}:{output_key}"),
        ParameterValue::Literal { key, .. } => key.clone(),
    }
}

/// The example configuration, pointed at the moto organization: the real
/// compiler output (`config::load` → `stacks::build`), not test templates.
/// The session document is created plainly (`document: create`); the
/// upsert function's own end-to-end test (tests/deploy.rs) switches back.
pub fn example_config(org: &Org, regions: &[&str], retention: u32) -> String {
    let text = sessionlog::config::load::EXAMPLE
        .replace("o-a1b2c3d4e5", &org.org_id)
        .replace("\"111111111111\"", &format!("\"{}\"", org.management))
        .replace("\"222222222222\"", &format!("\"{}\"", org.archive))
        .replace("ou-ab12-cd34ef56", &org.workloads)
        .replace("exclude_accounts: []", &format!("exclude_accounts: [\"{}\"]", org.excluded))
        .replace("regions: [us-east-1, eu-west-1, eu-south-1]", &format!("regions: [{}]", regions.join(", ")))
        .replace("document: upsert ", "document: create ")
        // The watch re-applies through the upsert function.
        .replace("preferences_watch: true ", "preferences_watch: false ")
        .replace("retention_days: 365", &format!("retention_days: {retention}"));
    assert!(text.contains(&org.org_id) && text.contains("document: create"), "example changed: {text}");
    text
}

pub fn example_bundle(org: &Org, regions: &[&str], retention: u32) -> Bundle {
    let source = sessionlog::config::Source { name: "test.sessionlog.yaml".into(), text: example_config(org, regions, retention) };
    let config = sessionlog::config::load(&source).unwrap_or_else(|e| panic!("{e}"));
    sessionlog::stacks::build(&config)
}

/// Roll out a bundle by hand from the files `sessionlog render` writes, as
/// a user with only the AWS CLI would: `cloudformation deploy` of
/// templates/ for the log-archive stacks (in the log-archive account), then
/// for each StackSet `create-stack-set --cli-input-json
/// file://stacksets/<x>.stack-set.json --parameters …` (the
/// `{{output:<stack>:<OutputKey>}}` placeholders replaced by the stack's
/// outputs) and `create-stack-instances --cli-input-json
/// file://stacksets/<x>.stack-instances.json`, waiting on each operation;
/// then `cloudformation deploy` of the management-account stacks.
/// Returns the number of CLI invocations.
pub fn cli_rollout_rendered(endpoint: &str, bundle: &Bundle, dir: &Path) -> usize {
    let files = sessionlog::render::files(bundle, sessionlog::render::Format::Yaml);
    files.write(dir).expect("write rendered files");
    let mut invocations = 1;
    let env_owned = assumed_env(endpoint, &bundle.archive_account);
    let env: Vec<(&str, &str)> = env_owned.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut outputs: std::collections::BTreeMap<String, String> = Default::default();
    for s in &bundle.archive_stacks {
        let t = dir.join(format!("templates/{}.yaml", s.template.file_stem));
        let mut args: Vec<String> = vec!["cloudformation".into(), "deploy".into(), "--region".into(), s.region.clone(), "--stack-name".into(), s.stack_name.clone(), "--template-file".into(), t.to_string_lossy().into()];
        if !s.parameters.is_empty() {
            args.push("--parameter-overrides".into());
            for p in &s.parameters {
                args.push(format!("{}={}", p.key(), outputs[&p.placeholder()]));
            }
        }
        if !s.capabilities.is_empty() {
            args.push("--capabilities".into());
            args.extend(s.capabilities.iter().cloned());
        }
        if !s.tags.is_empty() {
            args.push("--tags".into());
            args.extend(s.tags.iter().map(|(k, v)| format!("{k}={v}")));
        }
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        aws_cli(endpoint, &a, &env);
        let d = aws_cli(endpoint, &["cloudformation", "describe-stacks", "--region", &s.region, "--stack-name", &s.stack_name], &env);
        invocations += 2;
        if s.region == bundle.archive_stacks[0].region {
            for o in d["Stacks"][0]["Outputs"].as_array().cloned().unwrap_or_default() {
                let key = format!("{{{{output:{}:{}}}}}", s.stack_name, o["OutputKey"].as_str().unwrap());
                outputs.insert(key, o["OutputValue"].as_str().unwrap().to_string());
            }
        }
    }
    for s in &bundle.stack_sets {
        let set = dir.join(format!("stacksets/{}.stack-set.json", s.template.file_stem));
        let inst = dir.join(format!("stacksets/{}.stack-instances.json", s.template.file_stem));
        let input: Value = serde_json::from_str(&std::fs::read_to_string(&set).unwrap()).unwrap();
        let mut args: Vec<String> = vec!["cloudformation".into(), "create-stack-set".into(), "--cli-input-json".into(), format!("file://{}", set.display())];
        let params = input["Parameters"].as_array().cloned().unwrap_or_default();
        if !params.is_empty() {
            args.push("--parameters".into());
            for p in params {
                let v = p["ParameterValue"].as_str().unwrap();
                let v = if v.starts_with("{{output:") { outputs.get(v).unwrap_or_else(|| panic!("no value for {v}")).clone() } else { v.to_string() };
                args.push(format!("ParameterKey={},ParameterValue={v}", p["ParameterKey"].as_str().unwrap()));
            }
        }
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        aws_cli(endpoint, &a, &[]);
        let op = aws_cli(endpoint, &["cloudformation", "create-stack-instances", "--cli-input-json", &format!("file://{}", inst.display())], &[]);
        invocations += 2;
        let id = op["OperationId"].as_str().unwrap().to_string();
        for _ in 0..600 {
            let d = aws_cli(endpoint, &["cloudformation", "describe-stack-set-operation", "--stack-set-name", &s.name, "--operation-id", &id], &[]);
            invocations += 1;
            let st = d["StackSetOperation"]["Status"].as_str().unwrap().to_string();
            if st == "SUCCEEDED" {
                break;
            }
            assert!(st == "RUNNING" || st == "QUEUED", "operation {st}");
            std::thread::sleep(Duration::from_secs(1));
        }
    }
    // Then the management-account stacks, with the caller's credentials.
    for s in &bundle.management_stacks {
        let t = dir.join(format!("templates/{}.yaml", s.template.file_stem));
        let mut args: Vec<String> = vec!["cloudformation".into(), "deploy".into(), "--region".into(), s.region.clone(), "--stack-name".into(), s.stack_name.clone(), "--template-file".into(), t.to_string_lossy().into()];
        if !s.tags.is_empty() {
            args.push("--tags".into());
            args.extend(s.tags.iter().map(|(k, v)| format!("{k}={v}")));
        }
        if !s.capabilities.is_empty() {
            args.push("--capabilities".into());
            args.extend(s.capabilities.iter().cloned());
        }
        if !s.parameters.is_empty() {
            // The guardrails' archive key id, from the log-archive stack's outputs.
            args.push("--parameter-overrides".into());
            for p in &s.parameters {
                args.push(format!("{}={}", p.key(), outputs.get(&p.placeholder()).unwrap_or_else(|| panic!("no value for {}", p.placeholder()))));
            }
        }
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        aws_cli(endpoint, &a, &[]);
        invocations += 1;
    }
    invocations
}

/// `tests/deploy/retained.py seed|fingerprint`: data written into the
/// retained bucket and log groups, and what identifies every retained object.
pub fn retained(endpoint: &str, org: &Org, command: &str, bucket: &str, regions: &[&str]) -> Value {
    let out = Command::new(python())
        .arg(root().join("tests/deploy/retained.py"))
        .args([endpoint, &org.json, command, bucket])
        .args(regions)
        .output()
        .expect("retained.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    if out.stdout.is_empty() { Value::Null } else { serde_json::from_slice(&out.stdout).unwrap() }
}
