//! The security invariants sessionlog promises for what it generates. Each
//! module is one invariant (or a tight family) with its own rule id.

mod arns;
mod bucket_policy;
mod bucket_settings;
mod iam_actions;
mod kms;
mod log_groups;
pub mod policy;
mod principals;
mod retain;

use super::Context;
use crate::validate::finding::Sink;

pub fn run(ctx: &Context, sink: &mut Sink) {
    principals::run(ctx, sink);
    bucket_policy::run(ctx, sink);
    bucket_settings::run(ctx, sink);
    kms::run(ctx, sink);
    retain::run(ctx, sink);
    log_groups::run(ctx, sink);
    iam_actions::run(ctx, sink);
    arns::run(ctx, sink);
}
