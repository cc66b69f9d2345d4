//! AWS clients: the standard credential chain, `--endpoint-url`, retries
//! with backoff and jitter for throttling and 5xx, a role assumed in the
//! log-archive account, and a counter of every API call made.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudformation::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::DeployOptions;

/// Counts API calls by operation (one per call, retries not included).
#[derive(Debug, Clone, Default)]
pub struct CallCounter(Arc<Mutex<BTreeMap<String, u64>>>);

impl CallCounter {
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.0.lock().unwrap().clone()
    }
    pub fn total(&self) -> u64 {
        self.0.lock().unwrap().values().sum()
    }
    /// Calls that change something (anything but Describe*/List*/Get*/Head*).
    pub fn writes(&self) -> u64 {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(k, _)| is_write(k))
            .map(|(_, v)| v)
            .sum()
    }
}

/// `service:Operation` names that change state. STS AssumeRole only issues
/// credentials and is not counted as a write.
pub fn is_write(name: &str) -> bool {
    let op = name.rsplit(':').next().unwrap_or(name);
    !(op.starts_with("Describe")
        || op.starts_with("List")
        || op.starts_with("Get")
        || op.starts_with("Head")
        || op == "AssumeRole"
        || op == "ValidateTemplate")
}

#[derive(Debug)]
struct Counting(CallCounter);

impl Intercept for Counting {
    fn name(&self) -> &'static str {
        "sessionlog::CallCounter"
    }
    // Not `read_before_execution`: for client-level interceptors it runs
    // before the operation's plugin stores its `Metadata`.
    fn read_before_serialization(
        &self,
        _ctx: &BeforeSerializationInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(m) = cfg.load::<Metadata>() {
            let key = format!("{}:{}", m.service(), m.name());
            *self.0 .0.lock().unwrap().entry(key).or_default() += 1;
        }
        Ok(())
    }
}

/// Everything needed to talk to AWS for one command.
#[derive(Clone)]
pub struct Aws {
    base: SdkConfig,
    /// Credentials for the log-archive account (the base ones when the
    /// caller already is that account).
    archive: Option<SdkConfig>,
    /// The account `archive` is for.
    archive_account: Option<String>,
    pub counter: CallCounter,
    pub caller_account: String,
    pub partition: String,
    endpoint_url: Option<String>,
}

impl Aws {
    /// `default_region` is used when neither `--region` nor the
    /// environment/profile names one (the StackSet administrator region).
    pub async fn connect(opts: &DeployOptions, default_region: &str) -> Result<Aws> {
        let retry = RetryConfig::standard()
            .with_max_attempts(opts.max_attempts)
            .with_initial_backoff(opts.retry_initial_backoff)
            .with_max_backoff(Duration::from_secs(20));
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(retry);
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &opts.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(e) = &opts.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        let mut base = loader.load().await;
        if base.region().is_none() {
            base = base.to_builder().region(Region::new(default_region.to_string())).build();
        }
        let counter = CallCounter::default();
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(&base)
                .interceptor(Counting(counter.clone()))
                .build(),
        );
        let who = sts
            .get_caller_identity()
            .send()
            .await
            .context("reading the caller's identity (are AWS credentials configured?)")?;
        let caller_account = who.account().unwrap_or_default().to_string();
        let partition = who
            .arn()
            .and_then(|a| a.split(':').nth(1))
            .unwrap_or("aws")
            .to_string();
        Ok(Aws { base, archive: None, archive_account: None, counter, caller_account, partition, endpoint_url: opts.endpoint_url.clone() })
    }

    /// Assume `role` in `account` for the log-archive stacks (skipped when
    /// the caller already is that account).
    pub async fn assume_archive_role(&mut self, account: &str, role: &str) -> Result<()> {
        if account == self.caller_account || self.archive.is_some() {
            return Ok(());
        }
        let cfg = self
            .assumed(account, role, "sessionlog-deploy", 3600)
            .await
            .context("in the log-archive account")?;
        self.archive = Some(cfg);
        self.archive_account = Some(account.to_string());
        Ok(())
    }

    /// The caller's configuration with the credentials of `role` in
    /// `account` (STS AssumeRole, `seconds` long).
    pub async fn assumed(&self, account: &str, role: &str, session: &str, seconds: i32) -> Result<SdkConfig> {
        let arn = format!("arn:{}:iam::{account}:role/{role}", self.partition);
        let c = self
            .sts()
            .assume_role()
            .role_arn(&arn)
            .role_session_name(session)
            .duration_seconds(seconds)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("{}", aws_smithy_types::error::display::DisplayErrorContext(&e)))
            .with_context(|| format!("assuming {arn}"))?;
        let c = c.credentials().context("AssumeRole returned no credentials")?;
        let creds = Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            None,
            "sessionlog-assumed-role",
        );
        Ok(self
            .base
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(creds))
            .build())
    }

    fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(&self.base)
                .interceptor(Counting(self.counter.clone()))
                .build(),
        )
    }

    /// CloudFormation in the management (or delegated admin) account.
    pub fn cfn(&self, region: &str) -> aws_sdk_cloudformation::Client {
        self.cfn_with(&self.base, region)
    }

    /// CloudFormation in the log-archive account.
    pub fn archive_cfn(&self, region: &str) -> aws_sdk_cloudformation::Client {
        self.cfn_with(self.archive.as_ref().unwrap_or(&self.base), region)
    }

    /// CloudFormation in `account`: the log-archive account through its
    /// assumed role, any other (the management account) with the caller's
    /// own credentials.
    pub fn cfn_in(&self, account: &str, region: &str) -> aws_sdk_cloudformation::Client {
        match (&self.archive, &self.archive_account) {
            (Some(cfg), Some(a)) if a == account => self.cfn_with(cfg, region),
            _ => self.cfn_with(&self.base, region),
        }
    }

    fn cfn_with(&self, cfg: &SdkConfig, region: &str) -> aws_sdk_cloudformation::Client {
        aws_sdk_cloudformation::Client::from_conf(
            aws_sdk_cloudformation::config::Builder::from(cfg)
                .region(Region::new(region.to_string()))
                .interceptor(Counting(self.counter.clone()))
                .build(),
        )
    }

    /// S3 in the log-archive account (path-style addressing with an emulator's endpoint).
    pub fn archive_s3(&self, region: &str) -> aws_sdk_s3::Client {
        let cfg = self.archive.as_ref().unwrap_or(&self.base);
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(cfg)
                .region(Region::new(region.to_string()))
                .force_path_style(self.endpoint_url.is_some())
                .interceptor(Counting(self.counter.clone()))
                .build(),
        )
    }

    /// KMS in the log-archive account.
    /// Athena in the log-archive account (the sessions report's `--engine athena`).
    pub fn archive_athena(&self, region: &str) -> aws_sdk_athena::Client {
        let cfg = self.archive.as_ref().unwrap_or(&self.base);
        aws_sdk_athena::Client::from_conf(
            aws_sdk_athena::config::Builder::from(cfg)
                .region(Region::new(region.to_string()))
                .interceptor(Counting(self.counter.clone()))
                .build(),
        )
    }

    pub fn archive_kms(&self, region: &str) -> aws_sdk_kms::Client {
        let cfg = self.archive.as_ref().unwrap_or(&self.base);
        aws_sdk_kms::Client::from_conf(
            aws_sdk_kms::config::Builder::from(cfg)
                .region(Region::new(region.to_string()))
                .interceptor(Counting(self.counter.clone()))
                .build(),
        )
    }

    /// CloudTrail in `account` (the log-archive account's credentials for it,
    /// else the caller's, like [`Aws::cfn_in`]).
    pub fn cloudtrail_in(&self, account: &str, region: &str) -> aws_sdk_cloudtrail::Client {
        let cfg = match (&self.archive, &self.archive_account) {
            (Some(cfg), Some(a)) if a == account => cfg,
            _ => &self.base,
        };
        aws_sdk_cloudtrail::Client::from_conf(
            aws_sdk_cloudtrail::config::Builder::from(cfg)
                .region(Region::new(region.to_string()))
                .interceptor(Counting(self.counter.clone()))
                .build(),
        )
    }

    /// AWS Config in the management (caller's) account.
    pub fn config(&self, region: &str) -> aws_sdk_config::Client {
        self.config_with(&self.base, region)
    }

    /// AWS Config with the credentials of `cfg` (an assumed role's).
    pub fn config_with(&self, cfg: &SdkConfig, region: &str) -> aws_sdk_config::Client {
        aws_sdk_config::Client::from_conf(
            aws_sdk_config::config::Builder::from(cfg)
                .region(Region::new(region.to_string()))
                .interceptor(Counting(self.counter.clone()))
                .build(),
        )
    }

    /// The caller's own configuration in `account`, else `role` assumed there.
    pub async fn config_in(&self, account: &str, role: &str, session: &str) -> Result<SdkConfig> {
        if account == self.caller_account {
            return Ok(self.base.clone());
        }
        self.assumed(account, role, session, 900).await
    }

    /// IAM with the credentials of `cfg` (an assumed role's).
    pub fn iam_with(&self, cfg: &SdkConfig) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::from_conf(
            aws_sdk_iam::config::Builder::from(cfg)
                .interceptor(Counting(self.counter.clone()))
                .build(),
        )
    }

    /// CloudFormation in `region` with the credentials of `cfg`.
    pub fn cfn_with_config(&self, cfg: &SdkConfig, region: &str) -> aws_sdk_cloudformation::Client {
        self.cfn_with(cfg, region)
    }

    /// The Account Management API, in the management account.
    pub fn account(&self) -> aws_sdk_account::Client {
        aws_sdk_account::Client::from_conf(
            aws_sdk_account::config::Builder::from(&self.base)
                .interceptor(Counting(self.counter.clone()))
                .build(),
        )
    }

    pub fn organizations(&self) -> aws_sdk_organizations::Client {
        aws_sdk_organizations::Client::from_conf(
            aws_sdk_organizations::config::Builder::from(&self.base)
                .interceptor(Counting(self.counter.clone()))
                .build(),
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn writes_are_everything_but_reads() {
        assert!(super::is_write("CloudFormation:CreateChangeSet"));
        assert!(super::is_write("CloudFormation:UpdateStackSet"));
        assert!(!super::is_write("CloudFormation:DescribeStacks"));
        assert!(!super::is_write("STS:AssumeRole"));
        assert!(!super::is_write("Organizations:ListAccountsForParent"));
        assert!(!super::is_write("S3:HeadBucket"));
    }
}
