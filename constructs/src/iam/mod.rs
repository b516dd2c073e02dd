//! IAM: typed [`PolicyDocument`]s, [`Role`], [`Policy`] and [`AwsManagedPolicy`] constants.
//!
//! CloudFormation: [`AWS::IAM::Role`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html),
//! [`AWS::IAM::Policy`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-policy.html).
//!
//! ```
//! use formwork_constructs::core::{Env, Stack};
//! use formwork_constructs::iam::{AwsManagedPolicy, Principal, Role, RoleProps};
//! let mut stack = Stack::new("Iam", Env::region("eu-west-1")).unwrap();
//! let props = RoleProps {
//!     managed_policies: vec![AwsManagedPolicy::AmazonEKSWorkerNodePolicy, AwsManagedPolicy::AmazonEC2ContainerRegistryPullOnly],
//!     ..RoleProps::default()
//! };
//! let role = Role::new(&mut stack.root(), "NodeRole", Principal::Service("ec2.amazonaws.com"), props).unwrap();
//! assert!(stack.to_yaml().unwrap().contains("AmazonEKSWorkerNodePolicy"));
//! # let _ = role;
//! ```

mod managed_policy;
mod policy;
mod policy_document;
mod role;

pub use managed_policy::AwsManagedPolicy;
pub use policy::{Policy, PolicyHandle, PolicyProps};
pub use policy_document::{
    Condition, ConditionOperator, DocumentKind, Effect, POLICY_VERSION, PolicyDocument, Principal,
    Statement, arn,
};
pub use role::{Role, RoleArn, RoleHandle, RoleName, RoleProps};
