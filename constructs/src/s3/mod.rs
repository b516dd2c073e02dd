//! S3: a log [`Bucket`] (private, TLS-only, versioned, expiring) with ALB and CloudFront
//! log-delivery grants in the one bucket policy it owns.
//!
//! CloudFormation: [`AWS::S3::Bucket`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html),
//! [`AWS::S3::BucketPolicy`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucketpolicy.html).
//!
//! ```
//! use formwork_constructs::core::{Env, Stack};
//! use formwork_constructs::s3::{Bucket, BucketProps, CloudFrontLogging};
//! let mut stack = Stack::new("Logs", Env::region("eu-west-1")).unwrap();
//! let mut root = stack.root();
//! let logs = Bucket::new(&mut root, "EdgeLogs", BucketProps::default()).unwrap();
//! logs.allow_cloudfront_logs(&mut root, "cloudfront", CloudFrontLogging::Legacy).unwrap();
//! assert!(stack.to_yaml().unwrap().contains("BucketOwnerPreferred"));
//! ```

mod bucket;

pub use bucket::{
    AlbLogPrincipal, Bucket, BucketArn, BucketDomainName, BucketEncryption, BucketHandle,
    BucketName, BucketProps, CloudFrontLogging, valid_bucket_name,
};
