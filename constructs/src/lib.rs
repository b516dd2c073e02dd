//! # formwork-constructs
//!
//! Typed Rust constructs that emit AWS CloudFormation, expert in gRPC on AWS.

pub mod core;
pub mod l1;
pub mod validate;
