//! Command-line arguments of `plan`, `deploy`, `status` and `destroy`, for
//! the CLI to flatten into its subcommands.

use std::time::Duration;

use clap::{Args, ValueEnum};

use super::{DeployOptions, OutputFormat};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputArg {
    Human,
    Json,
}

/// Where and how to reach AWS (all four commands).
#[derive(Debug, Clone, Args)]
pub struct AwsArgs {
    /// Named profile from the AWS config files (default: the standard chain).
    #[arg(long)]
    pub profile: Option<String>,
    /// Region for the SDK's own calls (default: from the profile/environment).
    #[arg(long)]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint (an emulator such as moto).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// `human` (progress and a table) or `json` (one JSON event per line).
    #[arg(long, value_enum, default_value = "human")]
    pub output: OutputArg,
    /// Seconds between two status polls.
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    pub poll_interval: u64,
    /// Longest wait for one stack or StackSet operation, in minutes.
    #[arg(long, default_value_t = 180, value_name = "MINUTES")]
    pub timeout: u64,
}

/// `sessionlog plan`.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// `sessionlog deploy`.
#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Deploy without asking for confirmation (required without a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Allow changes that replace or delete the log bucket, a KMS key or a log group.
    #[arg(long)]
    pub allow_replacement: bool,
}

/// `sessionlog status`.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// `sessionlog destroy`.
#[derive(Debug, Clone, Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Destroy without asking for confirmation (required without a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

impl AwsArgs {
    pub fn options(&self) -> DeployOptions {
        DeployOptions {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            output: match self.output {
                OutputArg::Human => OutputFormat::Human,
                OutputArg::Json => OutputFormat::Json,
            },
            poll_interval: Duration::from_secs(self.poll_interval.max(1)),
            timeout: Duration::from_secs(self.timeout.max(1) * 60),
            ..DeployOptions::default()
        }
    }
}

impl PlanArgs {
    pub fn options(&self) -> DeployOptions {
        self.aws.options()
    }
}

impl StatusArgs {
    pub fn options(&self) -> DeployOptions {
        self.aws.options()
    }
}

impl DeployArgs {
    pub fn options(&self) -> DeployOptions {
        DeployOptions { yes: self.yes, allow_replacement: self.allow_replacement, ..self.aws.options() }
    }
}

impl DestroyArgs {
    pub fn options(&self) -> DeployOptions {
        DeployOptions { yes: self.yes, ..self.aws.options() }
    }
}

/// Which of the four commands to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Plan,
    Deploy,
    Status,
    Destroy,
}

/// Run one command to its exit code, for the synchronous CLI: its own tokio
/// runtime, errors printed the cargo way on `err`, and Ctrl-C ending it
/// cleanly (nothing is rolled back; the next `deploy` resumes from where
/// things stand).
pub fn execute(
    which: Which,
    bundle: &crate::bundle::Bundle,
    opts: &DeployOptions,
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
) -> i32 {
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            let _ = writeln!(err, "error: cannot start the async runtime\nCaused by:\n    {e}");
            return crate::exit::RUNTIME;
        }
    };
    let result = rt.block_on(async {
        let work = async {
            match which {
                Which::Plan => super::plan(bundle, opts, out).await,
                Which::Deploy => super::deploy(bundle, opts, out).await,
                Which::Status => super::status(bundle, opts, out).await,
                Which::Destroy => super::destroy(bundle, opts, out).await,
            }
        };
        tokio::select! {
            r = work => Some(r),
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    match result {
        Some(Ok(code)) => code,
        Some(Err(e)) => {
            let _ = writeln!(err, "error: {e}");
            for cause in e.chain().skip(1) {
                let _ = writeln!(err, "Caused by:\n    {cause}");
            }
            crate::exit::RUNTIME
        }
        None => {
            let _ = writeln!(
                err,
                "interrupted: operations already started keep running in AWS; run the same command again to pick up where things stand"
            );
            crate::exit::RUNTIME
        }
    }
}

impl PlanArgs {
    pub fn execute(&self, bundle: &crate::bundle::Bundle, out: &mut dyn std::io::Write, err: &mut dyn std::io::Write) -> i32 {
        execute(Which::Plan, bundle, &self.options(), out, err)
    }
}

impl DeployArgs {
    pub fn execute(&self, bundle: &crate::bundle::Bundle, out: &mut dyn std::io::Write, err: &mut dyn std::io::Write) -> i32 {
        execute(Which::Deploy, bundle, &self.options(), out, err)
    }
}

impl StatusArgs {
    pub fn execute(&self, bundle: &crate::bundle::Bundle, out: &mut dyn std::io::Write, err: &mut dyn std::io::Write) -> i32 {
        execute(Which::Status, bundle, &self.options(), out, err)
    }
}

impl DestroyArgs {
    pub fn execute(&self, bundle: &crate::bundle::Bundle, out: &mut dyn std::io::Write, err: &mut dyn std::io::Write) -> i32 {
        execute(Which::Destroy, bundle, &self.options(), out, err)
    }
}
