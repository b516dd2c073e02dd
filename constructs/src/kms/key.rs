//! [`Key`]: a customer-managed symmetric KMS key with rotation and a typed key policy.

use crate::core::{Attr, Error, Expr, RemovalPolicy, Scope, Val};
use crate::iam::{ConditionOperator, DocumentKind, PolicyDocument, Principal, Statement};
use crate::l1::kms::key as l1;

/// A service that may use the key, with the least-privilege statement it needs.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyServiceGrant {
    /// CloudWatch Logs (`logs.${AWS::Region}.amazonaws.com`) encrypting the log groups whose ARN
    /// matches `log_group_arn` (an `ArnLike` on `kms:EncryptionContext:aws:logs:arn`; wildcards
    /// allowed, e.g. `arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/eks/*`).
    CloudWatchLogs {
        /// The log group ARN pattern.
        log_group_arn: Expr,
    },
    /// CloudWatch alarms (`cloudwatch.amazonaws.com`) of this account publishing to an SNS topic
    /// encrypted with the key: `kms:Decrypt` and `kms:GenerateDataKey*`, only on behalf of this
    /// account's alarms (`aws:SourceAccount`, `aws:SourceArn` conditions). Without it CloudWatch
    /// cannot publish to the topic and alarm notifications are dropped. See
    /// <https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services>.
    CloudWatchAlarms,
    /// Any other statement (it must name a principal).
    Custom(Statement),
}

impl KeyServiceGrant {
    fn statement(&self) -> Statement {
        match self {
            KeyServiceGrant::CloudWatchLogs { log_group_arn } => Statement::allow_all_resources([
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ])
            .with_sid("CloudWatchLogs")
            .with_principal(Principal::ServiceExpr(Expr::sub(
                "logs.${AWS::Region}.amazonaws.com",
            )))
            .with_condition(
                ConditionOperator::ArnLike,
                "kms:EncryptionContext:aws:logs:arn",
                log_group_arn.clone(),
            ),
            KeyServiceGrant::CloudWatchAlarms => {
                Statement::allow_all_resources(["kms:Decrypt", "kms:GenerateDataKey*"])
                    .with_sid("CloudWatchAlarms")
                    .with_principal(Principal::Service("cloudwatch.amazonaws.com"))
                    .with_condition(
                        ConditionOperator::StringEquals,
                        "aws:SourceAccount",
                        Expr::from(crate::core::Pseudo::AccountId),
                    )
                    .with_condition(
                        ConditionOperator::ArnLike,
                        "aws:SourceArn",
                        Expr::sub("arn:${AWS::Partition}:cloudwatch:*:${AWS::AccountId}:alarm:*"),
                    )
            }
            KeyServiceGrant::Custom(s) => s.clone(),
        }
    }
}

/// Optional settings of a [`Key`].
#[derive(Debug, Clone, PartialEq)]
pub struct KeyProps {
    /// Shown in the console. Default: none.
    pub description: Option<String>,
    /// Automatic yearly rotation of the key material. Default: true (refused when false: a
    /// platform key without rotation fails CKV_AWS_7).
    pub rotation: bool,
    /// Rotation period, 90–2560 days. Default: unset (365).
    pub rotation_period_days: Option<u32>,
    /// Days KMS waits before deleting a key removed from the stack, 7–30. Default: 30.
    pub pending_window_days: u32,
    /// Services allowed to use the key besides IAM principals of the account. Default: none.
    pub service_grants: Vec<KeyServiceGrant>,
    /// What happens when the key leaves the stack. Default: `Retain` (data encrypted with it
    /// would become unreadable).
    pub removal_policy: RemovalPolicy,
}

impl Default for KeyProps {
    fn default() -> Self {
        KeyProps {
            description: None,
            rotation: true,
            rotation_period_days: None,
            pending_window_days: 30,
            service_grants: Vec::new(),
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

/// Marker for a KMS key ARN.
pub enum KeyArn {}

/// What [`Key::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::Key>,
    /// `Ref`: the key id.
    pub key_id: Attr<l1::attr::Ref>,
    /// `Fn::GetAtt Arn`.
    pub arn: Attr<KeyArn>,
}

crate::l1_handle!(KeyHandle, l1::Key);

/// A symmetric encryption KMS key. Its policy gives the account root full administration (so
/// IAM policies decide who may use it) plus the listed service grants.
///
/// CloudFormation: [`AWS::KMS::Key`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html).
///
/// ```
/// use formwork_constructs::core::{Env, Stack};
/// use formwork_constructs::kms::{Key, KeyProps};
/// let mut stack = Stack::new("Keys", Env::region("eu-west-1")).unwrap();
/// let key = Key::new(&mut stack.root(), "Platform", KeyProps::default()).unwrap();
/// assert_eq!(key.logical_id(), "Platform");
/// ```
pub struct Key;

impl Key {
    /// Adds the key as `scope/id`.
    pub fn new(scope: &mut Scope<'_>, id: &str, props: KeyProps) -> Result<KeyHandle, Error> {
        let mut s = scope.child(id)?;
        if !props.rotation {
            return Err(s.error("key rotation must stay on for a symmetric platform key"));
        }
        if !(7..=30).contains(&props.pending_window_days) {
            return Err(s.error(format!(
                "pending_window_days is {}; use 7–30",
                props.pending_window_days
            )));
        }
        if let Some(d) = props.rotation_period_days
            && !(90..=2560).contains(&d)
        {
            return Err(s.error(format!("rotation_period_days is {d}; use 90–2560")));
        }
        let mut doc = PolicyDocument::new(vec![
            Statement::allow_all_resources(["kms:*"])
                .with_sid("AccountAdministration")
                .with_principal(Principal::AccountRoot),
        ]);
        for g in &props.service_grants {
            doc.push(g.statement());
        }
        doc.check(DocumentKind::Resource)
            .map_err(|m| s.error(format!("key policy: {m}")))?;
        let key = s.add(
            "Resource",
            l1::Key {
                description: props.description.clone().map(Val::from),
                enable_key_rotation: Some(true.into()),
                rotation_period_in_days: props.rotation_period_days.map(Val::from),
                pending_window_in_days: Some(props.pending_window_days.into()),
                key_spec: Some(l1::KeySpec::SymmetricDefault.into()),
                key_usage: Some(l1::KeyUsage::EncryptDecrypt.into()),
                key_policy: Some(doc.to_value().into()),
                ..l1::Key::new()
            },
        )?;
        s.entry_mut(&key).set_removal_policy(props.removal_policy);
        Ok(KeyHandle {
            resource: key.clone(),
            key_id: key.ref_(),
            arn: key.attr_arn().cast(),
        })
    }
}
