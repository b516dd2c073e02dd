//! KMS: a rotating customer-managed [`Key`] with a typed key policy, and its [`Alias`].
//!
//! CloudFormation: [`AWS::KMS::Key`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html),
//! [`AWS::KMS::Alias`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-alias.html).
//!
//! ```
//! use formwork_constructs::core::{Env, Expr, Stack};
//! use formwork_constructs::kms::{Alias, Key, KeyProps, KeyServiceGrant};
//! let mut stack = Stack::new("Keys", Env::region("eu-west-1")).unwrap();
//! let mut root = stack.root();
//! let props = KeyProps {
//!     service_grants: vec![KeyServiceGrant::CloudWatchLogs {
//!         log_group_arn: Expr::sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/eks/*"),
//!     }],
//!     ..KeyProps::default()
//! };
//! let key = Key::new(&mut root, "Platform", props).unwrap();
//! Alias::new(&mut root, "PlatformAlias", "alias/platform", &key).unwrap();
//! assert!(stack.to_yaml().unwrap().contains("EnableKeyRotation: true"));
//! ```

mod alias;
mod key;

pub use alias::{Alias, AliasHandle};
pub use key::{Key, KeyArn, KeyHandle, KeyProps, KeyServiceGrant};
