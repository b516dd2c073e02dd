//! [`LogGroup`]: a CloudWatch Logs log group with retention and optional KMS encryption.

use crate::core::{Attr, Error, RemovalPolicy, Scope, Val};
use crate::kms::KeyArn;
use crate::l1::logs::log_group as l1;

/// Retention values CloudWatch Logs accepts.
pub const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Optional settings of a [`LogGroup`].
#[derive(Debug, Clone, PartialEq)]
pub struct LogGroupProps {
    /// Log group name (services such as EKS write to a fixed name). Default: generated.
    pub log_group_name: Option<Val<String>>,
    /// Days to keep events, one of [`RETENTION_DAYS`]. Default: 365 (a year of audit history,
    /// the minimum checkov's CKV_AWS_338 accepts).
    pub retention_days: u32,
    /// Customer-managed KMS key; its policy must grant `logs.<region>.amazonaws.com`
    /// (see `kms::KeyServiceGrant::CloudWatchLogs`). Default: none (service-owned encryption).
    pub kms_key: Option<Attr<KeyArn>>,
    /// What happens when the log group leaves the stack. Default: `Retain` (audit logs).
    pub removal_policy: RemovalPolicy,
}

impl Default for LogGroupProps {
    fn default() -> Self {
        LogGroupProps {
            log_group_name: None,
            retention_days: 365,
            kms_key: None,
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

/// Marker for a log group name.
pub enum LogGroupName {}

/// What [`LogGroup::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct LogGroupHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::LogGroup>,
    /// `Ref`: the log group name.
    pub name: Attr<LogGroupName>,
    /// `Fn::GetAtt Arn`.
    pub arn: Attr<l1::attr::Arn>,
}

crate::l1_handle!(LogGroupHandle, l1::LogGroup);

/// A log group that keeps events for a bounded time.
///
/// CloudFormation: [`AWS::Logs::LogGroup`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html).
///
/// ```
/// use formwork_constructs::core::{Env, Stack};
/// use formwork_constructs::logs::{LogGroup, LogGroupProps};
/// let mut stack = Stack::new("Logs", Env::region("eu-west-1")).unwrap();
/// LogGroup::new(&mut stack.root(), "App", LogGroupProps::default()).unwrap();
/// assert!(stack.to_yaml().unwrap().contains("RetentionInDays: 365"));
/// ```
pub struct LogGroup;

impl LogGroup {
    /// Adds the log group as `scope/id`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        props: LogGroupProps,
    ) -> Result<LogGroupHandle, Error> {
        let mut s = scope.child(id)?;
        if !RETENTION_DAYS.contains(&props.retention_days) {
            return Err(s.error(format!(
                "retention_days is {}; CloudWatch Logs accepts one of {RETENTION_DAYS:?}",
                props.retention_days
            )));
        }
        if let Some(Val::Lit(n)) = &props.log_group_name
            && (n.is_empty()
                || n.len() > 512
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-/.#".contains(c)))
        {
            return Err(s.error(format!(
                "log group name `{n}` must be 1–512 characters of letters, digits and _-/.#"
            )));
        }
        let lg = s.add(
            "Resource",
            l1::LogGroup {
                log_group_name: props.log_group_name.clone(),
                retention_in_days: Some(props.retention_days.into()),
                kms_key_id: props.kms_key.as_ref().map(Val::from),
                ..l1::LogGroup::new()
            },
        )?;
        s.entry_mut(&lg).set_removal_policy(props.removal_policy);
        Ok(LogGroupHandle {
            resource: lg.clone(),
            name: lg.ref_().cast(),
            arn: lg.attr_arn(),
        })
    }
}
