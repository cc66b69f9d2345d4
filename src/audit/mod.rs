//! Who did what, where and when: the sessions report and the archive's
//! integrity, read back from the archive sessionlog's stacks write.
//!
//! `layout` says where things are; `archive` (a local copy) and `s3` (the
//! bucket) read them; `trail` and `copy` parse the organization trail and
//! the tamper-proof copy; `join` gives each session its verdict; `engine`
//! runs the report (`Direct`, or an Athena engine implementing
//! `engine::Engine`); `report` prints it; `verify` checks the trail's
//! digest chain and `guarantees` the bucket's settings as deployed.

pub mod archive;
pub mod athena_engine;
pub mod copy;
pub mod engine;
pub mod fingerprint;
pub mod guarantees;
pub mod join;
pub mod keys;
pub mod layout;
pub mod report;
pub mod row;
pub mod s3;
pub mod scan;
pub mod trail;
pub mod verify;
pub mod window;
