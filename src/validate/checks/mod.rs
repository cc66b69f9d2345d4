//! The checks, one module per concern. Each is a plain function over the
//! parsed template that adds findings to a [`Sink`].

mod cycles;
mod deletion_policy;
mod deployment;
mod iam_policy;
mod intrinsics;
mod key_region;
mod limits;
mod names;
mod properties;
mod references;
mod regions;
mod runtimes;
mod scp_size;
pub mod security;
mod session_document;
mod structure;
mod sub_needed;

use super::finding::Sink;
use super::foreach::Skipped;
use super::source_map::SourceMap;
use super::template::Template;
use crate::aws::lambda::Date;

pub struct Context<'a> {
    pub template: Template<'a>,
    pub source: &'a SourceMap<'a>,
    /// Size of the template body in bytes.
    pub size: usize,
    pub regions: &'a [String],
    /// The date the date-dependent rules are evaluated on.
    pub as_of: Date,
    /// `Fn::ForEach` loops that could not be expanded.
    pub skipped_loops: &'a [Skipped],
}

type Check = fn(&Context, &mut Sink);

/// Every check. Findings are sorted by position afterwards, so the order
/// only matters for reading this list.
const CHECKS: &[Check] = &[
    structure::run,
    deletion_policy::run,
    limits::run,
    intrinsics::run,
    references::run,
    cycles::run,
    sub_needed::run,
    names::run,
    properties::run,
    runtimes::run,
    regions::run,
    key_region::run,
    deployment::run,
    session_document::run,
    iam_policy::run,
    security::run,
    scp_size::run,
];

pub use regions::unknown_regions as regions_unknown;

pub fn run_all(ctx: &Context, sink: &mut Sink) {
    for check in CHECKS {
        check(ctx, sink);
    }
}
