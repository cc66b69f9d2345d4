//! `sessionlog verify`: the organization trail's log-file integrity (the
//! way `aws cloudtrail validate-logs` checks it) and, over S3, the
//! archive's guarantees as deployed against the rendered templates.

use std::io::Write;
use std::path::PathBuf;

use time::OffsetDateTime;

use crate::audit::guarantees;
use crate::audit::keys::PublicKeys;
use crate::audit::layout::Layout;
use crate::audit::verify::check_trail;
use crate::audit::window::Window;
use crate::exit;

use super::archive_args::{self, ArchiveArgs};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub archive: ArchiveArgs,
    /// Check digests from this ISO 8601 date or time on (default: 7 days ago).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// ... up to this one (default: now).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Only these accounts' digest chains (repeat the flag).
    #[arg(long, value_name = "ID")]
    pub account: Vec<String>,
    /// CloudTrail's public keys as `aws cloudtrail list-public-keys` prints
    /// them (default over S3: cloudtrail:ListPublicKeys; required with --archive).
    #[arg(long, value_name = "FILE")]
    pub public_keys: Option<PathBuf>,
    /// Check the trail only, not the bucket's settings.
    #[arg(long)]
    pub trail_only: bool,
}

pub fn execute(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let (config, bundle) = match archive_args::config(&args.archive.config, err) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let window = match Window::new(args.since.as_deref(), args.until.as_deref(), OffsetDateTime::now_utc()) {
        Ok(w) => w,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::INVALID_INPUT;
        }
    };
    if args.archive.archive.is_some() && args.public_keys.is_none() {
        let _ = writeln!(
            err,
            "error: --archive needs --public-keys FILE (the output of `aws cloudtrail list-public-keys --start-time … --end-time …`)"
        );
        return exit::INVALID_INPUT;
    }
    let layout = Layout::new(&config);
    match run(args, &config, &bundle, &layout, &window, out, err) {
        Ok(code) => code,
        Err(e) => {
            super::report_error(err, &e);
            exit::RUNTIME
        }
    }
}

fn run(
    args: &Args,
    config: &crate::config::model::Config,
    bundle: &crate::bundle::Bundle,
    layout: &Layout,
    window: &Window,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let opened = archive_args::open(&args.archive, config, layout)?;
    let keys = match (&args.public_keys, &opened.aws) {
        (Some(f), _) => PublicKeys::from_file(f)?,
        (None, Some(aws)) => {
            // Each region signs its digests with its own keys.
            let mut regions = config.regions.clone();
            regions.push(config.guardrails.region(&config.log_archive.region));
            regions.sort();
            regions.dedup();
            opened.runtime.block_on(list_public_keys(aws, &regions, window))?
        }
        (None, None) => unreachable!("checked: --archive needs --public-keys"),
    };
    let trail = check_trail(opened.source.as_ref(), layout, &keys, window, &args.account)?;
    writeln!(out, "trail: {} digest files valid, {} log files valid", trail.digests_valid, trail.logs_valid)?;
    for f in &trail.findings {
        writeln!(out, "  {f}")?;
    }
    if !trail.unverifiable.is_empty() {
        writeln!(
            out,
            "  {} newest digest file(s) not signature-checked: a local copy has no S3 metadata (`signature`); verify over S3 for them:",
            trail.unverifiable.len()
        )?;
        for u in &trail.unverifiable {
            writeln!(out, "    {u}")?;
        }
    }
    let mut gaps = Vec::new();
    if args.trail_only {
        writeln!(out, "guarantees: not checked (--trail-only)")?;
    } else if let Some(aws) = &opened.aws {
        let template = bundle.archive_stacks.first().map(|s| s.template.template.to_value()).unwrap_or_default();
        let names = crate::stacks::names::Names::new(config);
        let alias = names.alias(crate::stacks::names::KeyRole::Archive);
        gaps = guarantees::check(
            opened.runtime.handle(),
            &aws.archive_s3(&config.log_archive.region),
            &aws.archive_kms(&config.log_archive.region),
            &layout.bucket,
            &alias,
            &template,
        )?;
        writeln!(out, "guarantees: {} difference(s) from the rendered log-archive template", gaps.len())?;
        for g in &gaps {
            writeln!(out, "  {}: {}", g.what, g.why)?;
        }
    } else {
        writeln!(out, "guarantees: skipped — a local copy (--archive) has no bucket settings; run verify against the bucket for them")?;
    }
    let _ = writeln!(err, "{} bytes read from {}", opened.source.bytes_read(), opened.source.describe());
    Ok(if trail.findings.is_empty() && gaps.is_empty() && trail.digests_valid > 0 { exit::OK } else { exit::FINDINGS })
}

/// `cloudtrail:ListPublicKeys` in every region, for the window.
async fn list_public_keys(aws: &crate::deploy::client::Aws, regions: &[String], w: &Window) -> anyhow::Result<PublicKeys> {
    let to_dt = |t: OffsetDateTime| aws_smithy_types::DateTime::from_secs(t.unix_timestamp());
    let mut keys = PublicKeys::default();
    for region in regions {
        let ct = aws.cloudtrail_in(&aws.caller_account, region);
        let resp = ct
            .list_public_keys()
            .start_time(to_dt(w.since))
            .end_time(to_dt(w.until))
            .send()
            .await
            .map_err(|e| anyhow::Error::new(e).context(format!("cloudtrail:ListPublicKeys in {region}")))?;
        for k in resp.public_key_list() {
            if let (Some(v), Some(f)) = (k.value(), k.fingerprint()) {
                keys.insert_der(f, v.as_ref())?;
            }
        }
    }
    Ok(keys)
}
