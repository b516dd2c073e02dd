//! CloudWatch Logs: [`LogGroup`] with bounded retention and optional KMS encryption.
//!
//! CloudFormation: [`AWS::Logs::LogGroup`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html).
//!
//! ```
//! use formwork_constructs::core::{Env, Stack};
//! use formwork_constructs::logs::{LogGroup, LogGroupProps};
//! let mut stack = Stack::new("Logs", Env::region("eu-west-1")).unwrap();
//! let props = LogGroupProps { retention_days: 90, ..LogGroupProps::default() };
//! let lg = LogGroup::new(&mut stack.root(), "Audit", props).unwrap();
//! assert_eq!(lg.logical_id(), "Audit");
//! ```

mod log_group;

pub use log_group::{LogGroup, LogGroupHandle, LogGroupName, LogGroupProps, RETENTION_DAYS};
