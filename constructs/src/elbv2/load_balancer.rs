//! [`ApplicationLoadBalancer`]: internet-facing, HTTP/2 on, strict header handling.

use crate::core::{Attr, Error, Scope, Val, list};
use crate::ec2::{SecurityGroupHandle, VpcHandle};
use crate::l1::elbv2::load_balancer as l1;
use crate::s3::BucketName;

/// Optional settings of an [`ApplicationLoadBalancer`].
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationLoadBalancerProps {
    /// Internet-facing (public subnets) or internal (private subnets). Default: true.
    pub internet_facing: bool,
    /// Seconds a connection may idle; long-lived gRPC streams that pause longer are cut.
    /// 1–4000. Default: 350.
    pub idle_timeout_seconds: u32,
    /// Refuse deletion through the API (must be turned off before the stack can delete it).
    /// Default: true.
    pub deletion_protection: bool,
    /// Access logs to this bucket (`BucketHandle::name`; the bucket policy must allow ELB log
    /// delivery, `BucketHandle::allow_alb_access_logs`). Default: none.
    pub access_logs_bucket: Option<Attr<BucketName>>,
    /// Prefix inside the access-log bucket. Default: `alb`.
    pub access_logs_prefix: String,
}

impl Default for ApplicationLoadBalancerProps {
    fn default() -> Self {
        ApplicationLoadBalancerProps {
            internet_facing: true,
            idle_timeout_seconds: 350,
            deletion_protection: true,
            access_logs_bucket: None,
            access_logs_prefix: "alb".to_owned(),
        }
    }
}

/// Marker for a load balancer ARN.
pub enum LoadBalancerArn {}
/// Marker for a load balancer DNS name.
pub enum DnsName {}

/// What [`ApplicationLoadBalancer::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadBalancerHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::LoadBalancer>,
    /// `Ref`: the ARN.
    pub arn: Attr<LoadBalancerArn>,
    /// `Fn::GetAtt DNSName`.
    pub dns_name: Attr<DnsName>,
    /// `Fn::GetAtt LoadBalancerFullName` (CloudWatch dimension).
    pub full_name: Attr<l1::attr::LoadBalancerFullName>,
    /// `Fn::GetAtt CanonicalHostedZoneID`: the Route 53 zone of its DNS name (alias targets).
    pub canonical_hosted_zone_id: Attr<l1::attr::CanonicalHostedZoneId>,
}

crate::l1_handle!(LoadBalancerHandle, l1::LoadBalancer);

/// An Application Load Balancer for gRPC: HTTP/2 enabled, invalid header fields dropped,
/// defensive desync mitigation, an idle timeout suited to streams.
///
/// CloudFormation: [`AWS::ElasticLoadBalancingV2::LoadBalancer`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-loadbalancer.html).
pub struct ApplicationLoadBalancer;

impl ApplicationLoadBalancer {
    /// Adds the load balancer as `scope/id` in the VPC's public (or private) subnets.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        vpc: &VpcHandle,
        security_group: &SecurityGroupHandle,
        props: ApplicationLoadBalancerProps,
    ) -> Result<LoadBalancerHandle, Error> {
        let subnets = if props.internet_facing {
            vpc.public_subnet_ids()
        } else {
            vpc.private_subnet_ids()
        };
        let lb = Self::in_subnets(scope, id, subnets, security_group, props)?;
        // An internet-facing ALB needs the internet gateway attached first; a VPC of an earlier
        // stack is attached before this stack deploys.
        if let Some(attachment) = &vpc.gateway_attachment
            && attachment.stack_name() == scope.stack_ref().name()
            && let Some(e) = scope.stack().entry_mut(lb.logical_id())
        {
            e.add_depends_on(attachment.logical_id());
        }
        Ok(lb)
    }

    /// Adds the load balancer as `scope/id` in the given subnets (a list value, e.g. a
    /// `List<AWS::EC2::Subnet::Id>` parameter when the VPC lives in another stack).
    pub fn in_subnets(
        scope: &mut Scope<'_>,
        id: &str,
        subnets: Val<Vec<Val<String>>>,
        security_group: &SecurityGroupHandle,
        props: ApplicationLoadBalancerProps,
    ) -> Result<LoadBalancerHandle, Error> {
        let mut s = scope.child(id)?;
        if !(1..=4000).contains(&props.idle_timeout_seconds) {
            return Err(s.error(format!(
                "idle_timeout_seconds is {}; the ALB accepts 1–4000",
                props.idle_timeout_seconds
            )));
        }
        let attr = |k: &str, v: String| -> Val<l1::LoadBalancerAttribute> {
            l1::LoadBalancerAttribute {
                key: Some(k.into()),
                value: Some(v.into()),
            }
            .into()
        };
        let mut attrs = vec![
            attr("routing.http2.enabled", "true".into()),
            attr(
                "routing.http.drop_invalid_header_fields.enabled",
                "true".into(),
            ),
            attr("routing.http.desync_mitigation_mode", "defensive".into()),
            attr(
                "idle_timeout.timeout_seconds",
                props.idle_timeout_seconds.to_string(),
            ),
            attr(
                "deletion_protection.enabled",
                props.deletion_protection.to_string(),
            ),
        ];
        if let Some(bucket) = &props.access_logs_bucket {
            attrs.push(attr("access_logs.s3.enabled", "true".into()));
            attrs.push(
                l1::LoadBalancerAttribute {
                    key: Some("access_logs.s3.bucket".into()),
                    value: Some(bucket.into()),
                }
                .into(),
            );
            attrs.push(attr(
                "access_logs.s3.prefix",
                props.access_logs_prefix.clone(),
            ));
        }
        let lb = s.add(
            "Resource",
            l1::LoadBalancer {
                type_: Some(l1::Type::Application.into()),
                scheme: Some(
                    if props.internet_facing {
                        l1::Scheme::InternetFacing
                    } else {
                        l1::Scheme::Internal
                    }
                    .into(),
                ),
                subnets: Some(subnets),
                security_groups: Some(list([Val::from(&security_group.id)])),
                load_balancer_attributes: Some(Val::Lit(attrs)),
                ..Default::default()
            },
        )?;
        Ok(LoadBalancerHandle {
            resource: lb.clone(),
            arn: lb.ref_().cast(),
            dns_name: lb.attr_dns_name().cast(),
            full_name: lb.attr_load_balancer_full_name(),
            canonical_hosted_zone_id: lb.attr_canonical_hosted_zone_id(),
        })
    }
}
