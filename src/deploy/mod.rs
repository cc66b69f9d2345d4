//! `plan`, `deploy`, `status` and `destroy`: rolling a [`Bundle`] out to an
//! organization through the AWS SDK.
//!
//! Order: the log-archive home-region stack (in the log-archive account,
//! through an assumed role) → its replica-key stacks → each member StackSet
//! and its instances, with values known only after the log-archive stack
//! exists read from its outputs. Plain stacks go through change sets.
//! Planning is pure (`planning`), AWS calls live in `archive`, `stackset`
//! and `org`, and what the user sees in `report`. What gets deployed is
//! described in `rollout`, its parameters resolved in `params`; the steps
//! of each command are in `commands`, on top of the `engine`.

pub mod adopt;
pub mod archive;
pub mod args;
pub mod client;
mod commands;
mod engine;
pub mod estimate;
pub mod import_template;
pub mod opt_in;
mod management;
mod noop;
pub mod org;
mod params;
mod plain;
mod requirements;
pub mod planning;
pub mod remedy;
pub mod report;
mod rollout;
mod side_by_side;
pub mod stackset;
pub mod status;
pub mod wait;

use std::io::Write;

use anyhow::Result;

use crate::bundle::Bundle;
pub use commands::{deploy_rollout, destroy_rollout, plan_rollout, status_rollout};
pub use report::OutputFormat;
pub use rollout::{DeployOptions, PlainStack, Rollout, SetDef};

/// `sessionlog plan`: what `deploy` would do. Creates change sets to ask
/// CloudFormation what they would change, and deletes them again.
pub async fn plan(bundle: &Bundle, opts: &DeployOptions, out: &mut dyn Write) -> Result<i32> {
    plan_rollout(&Rollout::from_bundle(bundle), opts, out).await
}

/// `sessionlog deploy`.
pub async fn deploy(bundle: &Bundle, opts: &DeployOptions, out: &mut dyn Write) -> Result<i32> {
    deploy_rollout(&Rollout::from_bundle(bundle), opts, out).await
}

/// `sessionlog status`: exit 0, or 4 when a stack or instance is failed or outdated.
pub async fn status(bundle: &Bundle, opts: &DeployOptions, out: &mut dyn Write) -> Result<i32> {
    status_rollout(&Rollout::from_bundle(bundle), opts, out).await
}

/// `sessionlog destroy`.
pub async fn destroy(bundle: &Bundle, opts: &DeployOptions, out: &mut dyn Write) -> Result<i32> {
    destroy_rollout(&Rollout::from_bundle(bundle), opts, out).await
}
