//! # formwork-constructs
//!
//! Typed Rust constructs that emit AWS CloudFormation, expert in gRPC on AWS.
//!
//! * [`core`]: expressions, typed attributes, the stack arena, logical ids, rendering.
//! * [`l1`]: generated, faithful structs for every vendored CloudFormation type.
//! * L2 constructs with secure, gRPC-correct defaults: [`ec2`], [`ecr`], [`elbv2`],
//!   [`iam`], [`kms`], [`logs`], [`s3`], [`eks`], [`ecs`] (Fargate) and
//!   [`applicationautoscaling`].
//! * Observability: [`sns`] (encrypted notification topic) and [`cloudwatch`] (alarms,
//!   dashboards, gRPC alarm presets).
//! * Edge constructs: [`wafv2`], [`cloudfront`], and the optional [`lattice`].
//! * [`validate`]: registry-schema validation and the gRPC rule set, for any template.
//! * [`assertions`]: CDK-style assertions on synthesized templates, for tests.
//!
//! ```
//! use formwork_constructs::core::{Env, Stack};
//! use formwork_constructs::ecr::{Repository, RepositoryProps};
//! let mut stack = Stack::new("Images", Env::region("eu-west-1")).unwrap();
//! Repository::new(&mut stack.root(), "Greeter", RepositoryProps::default()).unwrap();
//! let yaml = stack.to_yaml().unwrap();
//! assert!(yaml.contains("ImageTagMutability: IMMUTABLE"));
//! ```

// Constructs follow the CDK shape `Foo::new(scope, id, props) -> FooHandle`: the construct
// writes its resources into the stack and hands back a small handle, not `Self`.
#![allow(clippy::new_ret_no_self)]

pub mod acm;
pub mod applicationautoscaling;
pub mod assertions;
pub mod cloudfront;
pub mod cloudwatch;
pub mod core;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod eks;
pub mod elbv2;
pub mod iam;
pub mod kms;
pub mod l1;
pub mod lattice;
pub mod logs;
pub mod route53;
pub mod s3;
pub mod sns;
pub mod validate;
pub mod wafv2;
