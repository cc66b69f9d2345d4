//! Checking values against JSON Schemas: the intrinsic-aware [`walker`]
//! over parsed templates. The registry schemas and region availability it
//! checks against are AWS facts in [`crate::aws`], re-exported here.

pub(crate) mod regex_cache;
pub mod walker;

pub use crate::aws::availability::{availability, Availability};
pub use crate::aws::registry::{is_custom, schema_for, ResourceSchema, SOURCE_VERSION};
