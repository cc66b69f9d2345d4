//! Process exit codes. "Your input breaks a rule" is kept apart from
//! "the tool failed" so CI can tell them apart.

/// Everything went as asked.
pub const OK: i32 = 0;
/// A runtime error: I/O, AWS access, anything that is not the user's input.
pub const RUNTIME: i32 = 1;
/// The configuration or the command line is invalid.
pub const INVALID_INPUT: i32 = 2;
/// `render --check` found stale files, `validate` found errors, `verify`
/// found the trail or the archive broken, `sessions show` no such session.
pub const FINDINGS: i32 = 3;
/// A deployment operation failed (stack or stack instance failures).
pub const DEPLOY_FAILED: i32 = 4;
