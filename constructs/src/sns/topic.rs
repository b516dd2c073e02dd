//! [`Topic`]: a KMS-encrypted SNS topic, its email subscriptions and its topic policy.

use crate::core::{Attr, Error, Expr, Pseudo, Scope, Val};
use crate::iam::{ConditionOperator, DocumentKind, PolicyDocument, Principal, Statement};
use crate::kms::KeyArn;
use crate::l1::sns::{subscription as l1_sub, topic as l1, topic_policy as l1_policy};

/// Settings of a [`Topic`]; [`TopicProps::new`] takes the one required value, the key.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicProps {
    /// Customer-managed KMS key encrypting messages at rest (CKV_AWS_26). When CloudWatch alarms
    /// publish, its policy needs `kms::KeyServiceGrant::CloudWatchAlarms`.
    pub kms_key: Attr<KeyArn>,
    /// Shown as the sender of email notifications, ≤ 100 characters. Default: none.
    pub display_name: Option<String>,
    /// Email addresses subscribed to the topic (each must confirm by mail). Default: none.
    pub email_subscriptions: Vec<String>,
    /// A topic policy allowing CloudWatch alarms of this account and Region to publish, and
    /// denying publishing without TLS. Default: true.
    pub allow_cloudwatch_alarms: bool,
}

impl TopicProps {
    /// Defaults with `kms_key`.
    pub fn new(kms_key: Attr<KeyArn>) -> TopicProps {
        TopicProps {
            kms_key,
            display_name: None,
            email_subscriptions: Vec::new(),
            allow_cloudwatch_alarms: true,
        }
    }
}

/// Marker for an SNS topic ARN (the topic's `Ref`).
pub enum TopicArn {}

/// What [`Topic::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::Topic>,
    /// `Ref`: the topic ARN.
    pub arn: Attr<TopicArn>,
}

crate::l1_handle!(TopicHandle, l1::Topic);

/// A KMS-encrypted standard SNS topic for operators' notifications.
///
/// CloudFormation: [`AWS::SNS::Topic`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-topic.html).
///
/// ```
/// use formwork_constructs::core::{Env, Stack};
/// use formwork_constructs::kms::{Key, KeyProps};
/// use formwork_constructs::sns::{Topic, TopicProps};
/// let mut stack = Stack::new("Alarms", Env::region("eu-west-1")).unwrap();
/// let key = Key::new(&mut stack.root(), "Key", KeyProps::default()).unwrap();
/// let t = Topic::new(&mut stack.root(), "Alarms", TopicProps::new(key.arn.clone())).unwrap();
/// assert_eq!(t.logical_id(), "Alarms");
/// ```
pub struct Topic;

impl Topic {
    /// Adds the topic as `scope/id`, one `AWS::SNS::Subscription` per email (`Email<n>`) and,
    /// unless turned off, its policy (`Policy`).
    pub fn new(scope: &mut Scope<'_>, id: &str, props: TopicProps) -> Result<TopicHandle, Error> {
        let mut s = scope.child(id)?;
        if let Some(d) = &props.display_name
            && (d.is_empty() || d.chars().count() > 100)
        {
            return Err(s.error(format!("display_name `{d}` must be 1–100 characters")));
        }
        for e in &props.email_subscriptions {
            check_email(e).map_err(|m| s.error(m))?;
        }
        let topic = s.add(
            "Resource",
            l1::Topic {
                display_name: props.display_name.clone().map(Val::from),
                kms_master_key_id: Some(Val::from(&props.kms_key)),
                ..l1::Topic::new()
            },
        )?;
        let arn: Attr<TopicArn> = topic.ref_().cast();
        for (i, e) in props.email_subscriptions.iter().enumerate() {
            let mut sub = l1_sub::Subscription::new("email", &arn);
            sub.endpoint = Some(e.as_str().into());
            s.add(&format!("Email{}", i + 1), sub)?;
        }
        if props.allow_cloudwatch_alarms {
            let doc = publish_policy(arn.expr());
            doc.check(DocumentKind::Resource)
                .map_err(|m| s.error(format!("topic policy: {m}")))?;
            s.add(
                "Policy",
                l1_policy::TopicPolicy::new(doc.to_value(), vec![Val::from(&arn)]),
            )?;
        }
        Ok(TopicHandle {
            resource: topic,
            arn,
        })
    }
}

/// CloudWatch of this account may publish (confused-deputy conditions); nobody may publish or
/// subscribe without TLS.
fn publish_policy(topic: &Expr) -> PolicyDocument {
    PolicyDocument::new(vec![
        Statement::allow(["sns:Publish"], vec![topic.clone()])
            .with_sid("CloudWatchAlarms")
            .with_principal(Principal::Service("cloudwatch.amazonaws.com"))
            .with_condition(
                ConditionOperator::ArnLike,
                "aws:SourceArn",
                Expr::sub("arn:${AWS::Partition}:cloudwatch:*:${AWS::AccountId}:alarm:*"),
            )
            .with_condition(
                ConditionOperator::StringEquals,
                "aws:SourceAccount",
                Expr::from(Pseudo::AccountId),
            ),
        Statement::deny(["sns:Publish", "sns:Subscribe"], vec![topic.clone()])
            .with_sid("DenyInsecureTransport")
            .with_principal(Principal::Any)
            .with_condition(ConditionOperator::Bool, "aws:SecureTransport", "false"),
    ])
}

/// A plausible address: one `@`, a dotted domain, no spaces. The message names the address
/// and the expected form.
pub fn check_email(e: &str) -> Result<(), String> {
    let ok = match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "email subscription `{e}` is not an email address (write it as name@example.com)"
        ))
    }
}
