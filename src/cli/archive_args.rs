//! Where `sessions` and `verify` read the archive: a local copy
//! (`--archive DIR`), or the bucket through the log-archive `access_role`
//! (assumed as `deploy` assumes it) or a given profile's credentials.

use std::path::PathBuf;

use anyhow::{Context, Result};
use tokio::runtime::Runtime;

use crate::audit::archive::{ArchiveSource, LocalDir};
use crate::audit::layout::Layout;
use crate::audit::s3::S3Source;
use crate::config::model::Config;
use crate::deploy::client::Aws;
use crate::deploy::DeployOptions;

use super::ConfigArg;

#[derive(Debug, Clone, clap::Args)]
pub struct ArchiveArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// A local copy of the bucket, laid out as `aws s3 sync s3://<bucket> DIR` lays it out.
    #[arg(long, value_name = "DIR")]
    pub archive: Option<PathBuf>,
    /// Read the bucket with this profile's credentials (default: assume
    /// log_archive.access_role in the log-archive account).
    #[arg(long)]
    pub profile: Option<String>,
    /// Send every AWS call to this endpoint (an emulator such as moto).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

/// The configuration, read like every other command reads it.
pub fn config(arg: &ConfigArg, err: &mut dyn std::io::Write) -> Result<(Config, crate::bundle::Bundle), i32> {
    let source = crate::config::Source::locate(arg.config.as_deref()).map_err(|e| {
        let _ = write!(err, "{e}");
        e.exit_code()
    })?;
    let config = crate::config::load(&source).map_err(|e| {
        let _ = write!(err, "{e}");
        e.exit_code()
    })?;
    let bundle = crate::stacks::build(&config);
    Ok((config, bundle))
}

/// The archive and, over S3, the connection (for the guarantees).
pub struct Opened {
    pub source: Box<dyn ArchiveSource>,
    pub aws: Option<Aws>,
    pub runtime: Runtime,
}

pub fn open(args: &ArchiveArgs, c: &Config, layout: &Layout) -> Result<Opened> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().context("starting the async runtime")?;
    if let Some(dir) = &args.archive {
        return Ok(Opened { source: Box::new(LocalDir::new(dir, &layout.bucket)?), aws: None, runtime });
    }
    let opts = DeployOptions {
        profile: args.profile.clone(),
        region: Some(c.log_archive.region.clone()),
        endpoint_url: args.endpoint_url.clone(),
        ..DeployOptions::default()
    };
    let aws = runtime.block_on(async {
        let mut aws = Aws::connect(&opts, &c.log_archive.region).await?;
        if args.profile.is_none() {
            aws.assume_archive_role(&c.log_archive.account, &c.log_archive.access_role).await?;
        }
        anyhow::Ok(aws)
    })?;
    let s3 = aws.archive_s3(&c.log_archive.region);
    let source = S3Source::new(s3, &layout.bucket, runtime.handle().clone());
    Ok(Opened { source: Box::new(source), aws: Some(aws), runtime })
}
