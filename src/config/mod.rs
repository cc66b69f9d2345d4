//! Stage 1: the configuration file — its types, its schema, and the checks
//! that turn text into a `Config` or into precise diagnostics.

pub mod athena;
pub mod check;
pub mod check_athena;
pub mod check_guardrails;
pub mod diagnostic;
pub mod guardrails;
pub mod jit_check;
pub mod load;
pub mod locate;
pub mod model;
pub mod networks;
pub mod operators;
pub mod operators_check;
pub mod patterns;
pub mod reference;
pub mod schema;

pub use diagnostic::Diagnostic;
pub use load::{load, LoadError, Source};
pub use model::Config;
