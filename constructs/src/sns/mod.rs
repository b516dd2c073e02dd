//! SNS: a KMS-encrypted [`Topic`] for notifications, with email subscriptions and a topic policy
//! that lets CloudWatch alarms of this account publish.
//!
//! CloudFormation: [`AWS::SNS::Topic`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-topic.html),
//! [`AWS::SNS::Subscription`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-subscription.html),
//! [`AWS::SNS::TopicPolicy`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-topicpolicy.html).
//!
//! ```
//! use formwork_constructs::core::{Env, Stack};
//! use formwork_constructs::kms::{Key, KeyProps, KeyServiceGrant};
//! use formwork_constructs::sns::{Topic, TopicProps};
//! let mut stack = Stack::new("Alarms", Env::region("eu-west-1")).unwrap();
//! let mut root = stack.root();
//! let key = Key::new(&mut root, "AlarmKey", KeyProps {
//!     service_grants: vec![KeyServiceGrant::CloudWatchAlarms],
//!     ..KeyProps::default()
//! }).unwrap();
//! let props = TopicProps {
//!     email_subscriptions: vec!["oncall@example.com".into()],
//!     ..TopicProps::new(key.arn.clone())
//! };
//! Topic::new(&mut root, "Alarms", props).unwrap();
//! assert!(stack.to_yaml().unwrap().contains("Protocol: email"));
//! ```

mod topic;

pub use topic::{Topic, TopicArn, TopicHandle, TopicProps, check_email};
