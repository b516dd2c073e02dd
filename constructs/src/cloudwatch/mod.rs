//! CloudWatch: typed [`Metric`]s, [`Alarm`]s (one metric or metric math) notifying SNS topics,
//! [`Dashboard`]s built from typed widgets, and the [`grpc`] presets.
//!
//! CloudFormation: [`AWS::CloudWatch::Alarm`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-alarm.html),
//! [`AWS::CloudWatch::Dashboard`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-dashboard.html).
//!
//! ```
//! use formwork_constructs::cloudwatch::grpc::{GrpcThresholds, add_alarms, target_group_alarms};
//! use formwork_constructs::core::{Env, Expr, Stack};
//! let mut stack = Stack::new("Alarms", Env::region("eu-west-1")).unwrap();
//! let tg = Expr::str("targetgroup/payments/0123456789abcdef");
//! let lb = Expr::str("app/grpc/0123456789abcdef");
//! let presets = target_group_alarms("payments", &tg, &lb, &GrpcThresholds::default());
//! let alarms = add_alarms(&mut stack.root(), presets, &[]).unwrap();
//! assert_eq!(alarms.len(), 4);
//! ```

mod alarm;
mod dashboard;
pub mod grpc;
mod metric;

pub use alarm::{
    Alarm, AlarmArn, AlarmHandle, AlarmProps, AlarmSource, Comparison, TreatMissingData,
};
pub use dashboard::{Dashboard, DashboardHandle, DashboardProps, Widget};
pub use metric::{Metric, Stat};
