//! Facts about AWS that do not change per user: the CloudFormation registry
//! (resource schemas), which types exist in which region, regions and
//! partitions. Shared by `config`, `stacks` and `validate`; depends on none
//! of them.

pub mod availability;
pub mod lambda;
pub mod regions;
pub mod registry;
pub mod resources;
