//! [`Bucket`]: a private, TLS-only, versioned S3 bucket for access logs, with helpers that
//! grant ALB and CloudFront log delivery in the one bucket policy the construct owns.

use crate::core::{Attr, Error, Expr, Pseudo, RemovalPolicy, ResourceRef, Scope, Val, list};
use crate::iam::{ConditionOperator, PolicyDocument, Principal, Statement};
use crate::kms::KeyArn;
use crate::l1::s3::bucket as l1;
use crate::l1::s3::bucket_policy as l1p;

/// Server-side encryption of new objects.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum BucketEncryption {
    /// SSE-S3 (`AES256`). The default, and the only option ALB access logs support.
    #[default]
    S3Managed,
    /// SSE-KMS with a customer-managed key (bucket keys on).
    Kms(Attr<KeyArn>),
}

/// Who may write CloudFront standard logs into the bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloudFrontLogging {
    /// Standard logging (legacy): CloudFront writes with an ACL grant to the `awslogsdelivery`
    /// account, so the bucket must accept ACLs: object ownership becomes `BucketOwnerPreferred`
    /// (instead of `BucketOwnerEnforced`, which disables ACLs). No policy statement is needed.
    Legacy,
    /// Standard logging v2 (CloudWatch Logs vended delivery to S3): the
    /// `delivery.logs.amazonaws.com` principal writes under the prefix, limited to this account's
    /// delivery sources. ACLs stay disabled.
    V2,
}

/// Who delivers ALB access logs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AlbLogPrincipal {
    /// The `logdelivery.elasticloadbalancing.amazonaws.com` service principal. The default.
    #[default]
    ServicePrincipal,
    /// The regional Elastic Load Balancing account id, which Regions opened before August 2022
    /// documented first (e.g. `156460612806` for eu-west-1).
    ElbAccount(String),
}

/// Optional settings of a [`Bucket`].
#[derive(Debug, Clone, PartialEq)]
pub struct BucketProps {
    /// Bucket name (global, 3–63 lowercase). Default: generated.
    pub bucket_name: Option<String>,
    /// Default: [`BucketEncryption::S3Managed`].
    pub encryption: BucketEncryption,
    /// Keep old object versions (the log trail cannot be silently overwritten). Default: true.
    pub versioning: bool,
    /// Objects expire after this many days. Default: `Some(365)`; `None` keeps them forever.
    pub expiration_days: Option<u32>,
    /// Non-current versions expire after this many days. Default: 30.
    pub noncurrent_expiration_days: u32,
    /// What happens to the bucket when it leaves the stack. Default: `Retain` (logs are evidence).
    pub removal_policy: RemovalPolicy,
}

impl Default for BucketProps {
    fn default() -> Self {
        BucketProps {
            bucket_name: None,
            encryption: BucketEncryption::S3Managed,
            versioning: true,
            expiration_days: Some(365),
            noncurrent_expiration_days: 30,
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

/// Marker for a bucket name.
pub enum BucketName {}
/// Marker for a bucket ARN.
pub enum BucketArn {}
/// Marker for a bucket's domain name (`<bucket>.s3.amazonaws.com`).
pub type BucketDomainName = l1::attr::DomainName;

/// What [`Bucket::new`] returns; its methods add log-delivery grants.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`); `None` when imported.
    pub resource: Option<crate::core::ResourceRef<l1::Bucket>>,
    /// `Ref`: the bucket name (what ALB's `access_logs.s3.bucket` takes).
    pub name: Attr<BucketName>,
    /// `Fn::GetAtt Arn`.
    pub arn: Attr<BucketArn>,
    /// `Fn::GetAtt DomainName` (`<name>.s3.amazonaws.com`, what CloudFront logging takes).
    pub domain_name: Attr<BucketDomainName>,
    /// Logical id of the bucket policy (things that write logs should `DependsOn` it); `None`
    /// for an imported bucket, whose policy is managed where the bucket is.
    pub policy_logical_id: Option<String>,
    path: String,
    encryption: BucketEncryption,
    policy: Option<ResourceRef<l1p::BucketPolicy>>,
}

crate::l1_handle!(imported BucketHandle, l1::Bucket);

/// A bucket for access logs: all public access blocked, ACLs disabled (`BucketOwnerEnforced`),
/// encrypted, versioned, expiring, with a bucket policy that denies non-TLS requests.
///
/// CloudFormation: [`AWS::S3::Bucket`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html)
/// and [`AWS::S3::BucketPolicy`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucketpolicy.html).
///
/// ```
/// use formwork_constructs::core::{Env, Stack};
/// use formwork_constructs::s3::{AlbLogPrincipal, Bucket, BucketProps};
/// let mut stack = Stack::new("Logs", Env::region("eu-west-1")).unwrap();
/// let mut root = stack.root();
/// let logs = Bucket::new(&mut root, "AccessLogs", BucketProps::default()).unwrap();
/// logs.allow_alb_access_logs(&mut root, "alb", AlbLogPrincipal::ServicePrincipal).unwrap();
/// assert!(stack.to_yaml().unwrap().contains("logdelivery.elasticloadbalancing.amazonaws.com"));
/// ```
pub struct Bucket;

impl Bucket {
    /// An existing bucket, by name, to send logs to (its policy must already allow the
    /// delivery; the grants of [`BucketHandle`] refuse to change an imported bucket). Creates
    /// nothing.
    pub fn import(name: &str) -> Result<BucketHandle, Error> {
        if !valid_bucket_name(name) {
            return Err(Error::Construct {
                path: format!("imported bucket {name}"),
                message: format!(
                    "`{name}` is not an S3 bucket name (3–63 lowercase letters, digits, `.` and `-`)"
                ),
            });
        }
        Ok(BucketHandle {
            resource: None,
            name: Attr::new(Expr::str(name)),
            arn: Attr::new(Expr::sub(format!("arn:${{AWS::Partition}}:s3:::{name}"))),
            domain_name: Attr::new(Expr::str(format!("{name}.s3.amazonaws.com"))),
            policy_logical_id: None,
            path: format!("imported bucket {name}"),
            encryption: BucketEncryption::S3Managed,
            policy: None,
        })
    }

    /// Adds the bucket and its policy as `scope/id`.
    pub fn new(scope: &mut Scope<'_>, id: &str, props: BucketProps) -> Result<BucketHandle, Error> {
        let mut s = scope.child(id)?;
        if let Some(n) = &props.bucket_name
            && !valid_bucket_name(n)
        {
            return Err(s.error(format!(
                "bucket name `{n}` must be 3–63 lowercase letters, digits, `.` and `-`, starting and ending with a letter or digit"
            )));
        }
        if props.expiration_days == Some(0) || props.noncurrent_expiration_days == 0 {
            return Err(s.error("expiration days must be at least 1"));
        }
        let sse = match &props.encryption {
            BucketEncryption::S3Managed => l1::ServerSideEncryptionRule {
                server_side_encryption_by_default: Some(
                    l1::ServerSideEncryptionByDefault::new(
                        l1::ServerSideEncryptionByDefaultSseAlgorithm::Aes256,
                    )
                    .into(),
                ),
                ..l1::ServerSideEncryptionRule::new()
            },
            BucketEncryption::Kms(key) => l1::ServerSideEncryptionRule {
                server_side_encryption_by_default: Some(
                    l1::ServerSideEncryptionByDefault {
                        kms_master_key_id: Some(key.into()),
                        ..l1::ServerSideEncryptionByDefault::new(
                            l1::ServerSideEncryptionByDefaultSseAlgorithm::AwsKms,
                        )
                    }
                    .into(),
                ),
                bucket_key_enabled: Some(true.into()),
                ..l1::ServerSideEncryptionRule::new()
            },
        };
        let rule = l1::Rule {
            id: Some("expire-logs".into()),
            expiration_in_days: props.expiration_days.map(Val::from),
            noncurrent_version_expiration: if props.versioning {
                Some(l1::NoncurrentVersionExpiration::new(props.noncurrent_expiration_days).into())
            } else {
                None
            },
            abort_incomplete_multipart_upload: Some(
                l1::AbortIncompleteMultipartUpload::new(7).into(),
            ),
            ..l1::Rule::new(l1::RuleStatus::Enabled)
        };
        let bucket = s.add(
            "Resource",
            l1::Bucket {
                bucket_name: props.bucket_name.clone().map(Val::from),
                bucket_encryption: Some(l1::BucketEncryption::new(list([sse])).into()),
                public_access_block_configuration: Some(
                    l1::PublicAccessBlockConfiguration {
                        block_public_acls: Some(true.into()),
                        block_public_policy: Some(true.into()),
                        ignore_public_acls: Some(true.into()),
                        restrict_public_buckets: Some(true.into()),
                    }
                    .into(),
                ),
                ownership_controls: Some(ownership(l1::ObjectOwnership::BucketOwnerEnforced)),
                versioning_configuration: if props.versioning {
                    Some(
                        l1::VersioningConfiguration::new(
                            l1::VersioningConfigurationStatus::Enabled,
                        )
                        .into(),
                    )
                } else {
                    None
                },
                lifecycle_configuration: Some(l1::LifecycleConfiguration::new(list([rule])).into()),
                ..l1::Bucket::new()
            },
        )?;
        s.entry_mut(&bucket)
            .set_removal_policy(props.removal_policy)
            .add_checkov_skip(
                "CKV_AWS_18",
                "This is the access-log destination bucket; logging it into itself would loop.",
            );
        let arn = bucket.attr_arn();
        let doc = PolicyDocument::new(vec![
            Statement::deny(
                ["s3:*"],
                vec![arn.expr().clone(), objects_under(arn.expr(), "*")],
            )
            .with_sid("DenyInsecureTransport")
            .with_principal(Principal::Any)
            .with_condition(ConditionOperator::Bool, "aws:SecureTransport", "false"),
        ]);
        let policy = s.add(
            "Policy",
            l1p::BucketPolicy::new(bucket.ref_(), doc.to_value()),
        )?;
        Ok(BucketHandle {
            resource: Some(bucket.clone()),
            name: bucket.ref_().cast(),
            arn: bucket.attr_arn().cast(),
            domain_name: bucket.attr_domain_name(),
            policy_logical_id: Some(policy.logical_id().to_owned()),
            path: s.full_path(),
            encryption: props.encryption.clone(),
            policy: Some(policy),
        })
    }
}

fn ownership(o: l1::ObjectOwnership) -> Val<l1::OwnershipControls> {
    l1::OwnershipControls::new(list([l1::OwnershipControlsRule {
        object_ownership: Some(o.into()),
    }]))
    .into()
}

fn check_prefix(prefix: &str) -> Result<(), String> {
    let ok = prefix.is_empty()
        || (!prefix.starts_with('/')
            && !prefix.ends_with('/')
            && !prefix.contains("AWSLogs")
            && prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c)));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "log prefix `{prefix}` must be letters, digits and -_./, without leading/trailing `/` or `AWSLogs`"
        ))
    }
}

impl BucketHandle {
    fn error(&self, message: impl Into<String>) -> Error {
        Error::Construct {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    fn object_arn(&self, prefix: &str, rest: &str) -> Expr {
        let p = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/")
        };
        objects_under(self.arn.expr(), &format!("{p}{rest}"))
    }

    fn push_statement(&self, scope: &mut Scope<'_>, st: Statement) -> Result<(), Error> {
        let Some(policy) = &self.policy else {
            return Err(self.error(
                "an imported bucket: grant log delivery in its own bucket policy, where the bucket is managed",
            ));
        };
        let policy = scope
            .stack()
            .l1_mut(policy)
            .map_err(|e| self.error(format!("bucket policy: {e}")))?;
        if let Val::Lit(doc) = &mut policy.policy_document
            && let Some(list) = doc
                .get_mut("Statement")
                .and_then(serde_json::Value::as_array_mut)
        {
            if let Some(sid) = &st.sid
                && list
                    .iter()
                    .any(|v| v.get("Sid").and_then(serde_json::Value::as_str) == Some(sid))
            {
                return Err(self.error(format!("the bucket policy already has statement `{sid}`")));
            }
            list.push(st.to_value());
            return Ok(());
        }
        Err(self.error("bucket policy document was replaced by an expression"))
    }

    /// Lets the ALB write access logs under `<prefix>/AWSLogs/<account>/` (`prefix` is the
    /// load balancer's `access_logs.s3.prefix`; empty for none). Refused for SSE-KMS buckets:
    /// ALB access-log delivery supports only SSE-S3.
    pub fn allow_alb_access_logs(
        &self,
        scope: &mut Scope<'_>,
        prefix: &str,
        principal: AlbLogPrincipal,
    ) -> Result<(), Error> {
        check_prefix(prefix).map_err(|m| self.error(m))?;
        if self.encryption != BucketEncryption::S3Managed {
            return Err(self.error("ALB access logs need SSE-S3; this bucket uses SSE-KMS"));
        }
        let p = match principal {
            AlbLogPrincipal::ServicePrincipal => {
                Principal::Service("logdelivery.elasticloadbalancing.amazonaws.com")
            }
            AlbLogPrincipal::ElbAccount(acct) => {
                if acct.len() != 12 || !acct.chars().all(|c| c.is_ascii_digit()) {
                    return Err(self.error(format!("ELB account id `{acct}` must be 12 digits")));
                }
                Principal::Aws(Expr::sub(format!(
                    "arn:${{AWS::Partition}}:iam::{acct}:root"
                )))
            }
        };
        let st = Statement::allow(
            ["s3:PutObject"],
            vec![self.object_arn(prefix, "AWSLogs/${AWS::AccountId}/*")],
        )
        .with_sid("AllowAlbAccessLogs")
        .with_principal(p);
        self.push_statement(scope, st)
    }

    /// Lets CloudFront standard logging write under `prefix`; see [`CloudFrontLogging`] for
    /// what each mode changes (legacy logging switches object ownership to
    /// `BucketOwnerPreferred`, because it writes through ACLs).
    pub fn allow_cloudfront_logs(
        &self,
        scope: &mut Scope<'_>,
        prefix: &str,
        mode: CloudFrontLogging,
    ) -> Result<(), Error> {
        check_prefix(prefix).map_err(|m| self.error(m))?;
        match mode {
            CloudFrontLogging::Legacy => {
                let b = scope
                    .stack()
                    .l1_mut(self)
                    .map_err(|e| self.error(format!("bucket: {e}")))?;
                b.ownership_controls = Some(ownership(l1::ObjectOwnership::BucketOwnerPreferred));
                Ok(())
            }
            CloudFrontLogging::V2 => {
                let st = Statement::allow(["s3:PutObject"], vec![self.object_arn(prefix, "*")])
                    .with_sid("AllowCloudFrontLogDelivery")
                    .with_principal(Principal::Service("delivery.logs.amazonaws.com"))
                    .with_condition(ConditionOperator::StringEquals, "aws:SourceAccount", Expr::Pseudo(Pseudo::AccountId))
                    .with_condition(
                        ConditionOperator::ArnLike,
                        "aws:SourceArn",
                        Expr::sub("arn:${AWS::Partition}:logs:us-east-1:${AWS::AccountId}:delivery-source:*"),
                    );
                self.push_statement(scope, st)
            }
        }
    }
}

/// S3's general-purpose bucket naming rule (no IP-address check).
pub fn valid_bucket_name(n: &str) -> bool {
    (3..=63).contains(&n.len())
        && n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && n.starts_with(|c: char| c.is_ascii_alphanumeric())
        && n.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !n.contains("..")
}

/// `<bucket ARN>/<key pattern>`: the bucket's ARN as a typed attribute in an `Fn::Sub` variable.
fn objects_under(bucket_arn: &Expr, key: &str) -> Expr {
    Expr::sub_with(
        format!("${{BucketArn}}/{key}"),
        vec![("BucketArn".to_owned(), bucket_arn.clone())],
    )
}
