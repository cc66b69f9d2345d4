//! The typed CloudFormation model: a generic template/resource envelope, a
//! properties struct per resource type, intrinsics and IAM policy documents.
//! Nothing here knows about Session Manager.

pub mod iam;
pub mod intrinsic;
pub mod resources;
pub mod template;

pub use intrinsic::Expr;
pub use template::{DeletionPolicy, Output, Parameter, ParameterType, Resource, Template};
