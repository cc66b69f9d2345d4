//! sessionlog: compiles one YAML description of an AWS Organization into
//! CloudFormation templates and StackSet definitions for centralized,
//! encrypted Session Manager and RDP recording logging, and deploys them.
//!
//! Data flows through one module per stage:
//! `config` (read + validate the YAML) → `stacks` (build the typed `model`)
//! → `render` (text, files, check) → `validate` → `deploy`; `export` writes
//! the bundle in other tools' formats (CfCT). `cli` sits on top.

pub mod audit;
pub mod audit_athena;
pub mod audit_sql;
pub mod aws;
pub mod bundle;
pub mod cli;
pub mod config;
pub mod deploy;
pub mod exit;
pub mod export;
pub mod model;
pub mod render;
pub mod stacks;
pub mod syntax;
pub mod validate;
