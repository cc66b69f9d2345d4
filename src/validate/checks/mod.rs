//! The checks, one module per concern. Each is a plain function over the
//! parsed template that adds findings to a [`Sink`].

mod intrinsics;
mod key_region;
mod limits;
mod properties;
mod references;
mod regions;
mod scp_size;
pub mod security;
mod session_document;
mod structure;

use super::finding::Sink;
use super::source_map::SourceMap;
use super::template::Template;

pub struct Context<'a> {
    pub template: Template<'a>,
    pub source: &'a SourceMap<'a>,
    /// Size of the template body in bytes.
    pub size: usize,
    pub regions: &'a [String],
}

type Check = fn(&Context, &mut Sink);

/// Every check. Findings are sorted by position afterwards, so the order
/// only matters for reading this list.
const CHECKS: &[Check] = &[
    structure::run,
    limits::run,
    intrinsics::run,
    references::run,
    properties::run,
    regions::run,
    key_region::run,
    session_document::run,
    security::run,
    scp_size::run,
];

pub use regions::unknown_regions as regions_unknown;

pub fn run_all(ctx: &Context, sink: &mut Sink) {
    for check in CHECKS {
        check(ctx, sink);
    }
}
