//! [`GrpcTargetGroup`]: IP targets spoken to over gRPC, checked with a gRPC health check.

use crate::core::{Attr, Error, Scope, Val};
use crate::ec2::VpcId;
use crate::l1::elbv2::target_group as l1;

/// Optional settings of a [`GrpcTargetGroup`].
#[derive(Debug, Clone, PartialEq)]
pub struct GrpcTargetGroupProps {
    /// gRPC method called by the health check, `/package.Service/Method`. Default: the standard
    /// gRPC health protocol `/grpc.health.v1.Health/Check`. Servers without a health service can
    /// use `/AWS.ALB/healthcheck` with `healthy_grpc_codes: "12"` (UNIMPLEMENTED).
    pub health_check_path: String,
    /// gRPC status codes counted healthy: `0`, `0,12`, `0-5`, each within 0–99. Default: `0`.
    pub healthy_grpc_codes: String,
    /// Seconds between health checks (5–300). Default: 10.
    pub health_check_interval_seconds: u32,
    /// Seconds before a check times out (2–120, below the interval). Default: 5.
    pub health_check_timeout_seconds: u32,
    /// Checks in a row to become healthy / unhealthy (2–10). Default: 2 / 2.
    pub healthy_threshold: u32,
    /// See `healthy_threshold`.
    pub unhealthy_threshold: u32,
    /// Seconds a deregistering pod keeps its in-flight streams. Default: 30.
    pub deregistration_delay_seconds: u32,
    /// Route each request to the target with the fewest in-flight requests (good for gRPC's
    /// uneven request costs). Default: true; false means round robin.
    pub least_outstanding_requests: bool,
    /// Re-encrypt to the pod (HTTPS to the target) instead of cleartext HTTP/2. Default: false.
    pub tls_to_targets: bool,
    /// Target group name (≤32 characters). Default: generated.
    pub name: Option<String>,
    /// Extra tags (the Auto Mode controller needs `eks:eks-cluster-name`). Default: none.
    pub tags: Vec<(String, Val<String>)>,
}

impl Default for GrpcTargetGroupProps {
    fn default() -> Self {
        GrpcTargetGroupProps {
            health_check_path: "/grpc.health.v1.Health/Check".to_owned(),
            healthy_grpc_codes: "0".to_owned(),
            health_check_interval_seconds: 10,
            health_check_timeout_seconds: 5,
            healthy_threshold: 2,
            unhealthy_threshold: 2,
            deregistration_delay_seconds: 30,
            least_outstanding_requests: true,
            tls_to_targets: false,
            name: None,
            tags: Vec::new(),
        }
    }
}

/// Marker for a target group ARN.
pub enum TargetGroupArn {}

/// What [`GrpcTargetGroup::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetGroupHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::TargetGroup>,
    /// `Ref`: the ARN (what a TargetGroupBinding names).
    pub arn: Attr<TargetGroupArn>,
    /// `Fn::GetAtt TargetGroupFullName` (CloudWatch dimension).
    pub full_name: Attr<l1::attr::TargetGroupFullName>,
    /// The target port.
    pub port: u16,
}

crate::l1_handle!(TargetGroupHandle, l1::TargetGroup);

/// A target group of pod IPs spoken to with gRPC (`ProtocolVersion: GRPC`).
///
/// CloudFormation: [`AWS::ElasticLoadBalancingV2::TargetGroup`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-targetgroup.html).
/// It can only be attached to an HTTPS listener (CloudFormation rejects an HTTP one).
pub struct GrpcTargetGroup;

impl GrpcTargetGroup {
    /// Adds the target group as `scope/id` for targets listening on `port`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        vpc_id: &Attr<VpcId>,
        port: u16,
        props: GrpcTargetGroupProps,
    ) -> Result<TargetGroupHandle, Error> {
        let mut s = scope.child(id)?;
        if port == 0 {
            return Err(s.error("the target port must be 1–65535"));
        }
        check_grpc_path(&props.health_check_path).map_err(|m| s.error(m))?;
        check_grpc_codes(&props.healthy_grpc_codes).map_err(|m| s.error(m))?;
        if !(5..=300).contains(&props.health_check_interval_seconds) {
            return Err(s.error("health_check_interval_seconds must be 5–300"));
        }
        if !(2..=120).contains(&props.health_check_timeout_seconds)
            || props.health_check_timeout_seconds >= props.health_check_interval_seconds
        {
            return Err(
                s.error("health_check_timeout_seconds must be 2–120 and below the interval")
            );
        }
        for (n, v) in [
            ("healthy_threshold", props.healthy_threshold),
            ("unhealthy_threshold", props.unhealthy_threshold),
        ] {
            if !(2..=10).contains(&v) {
                return Err(s.error(format!("{n} must be 2–10")));
            }
        }
        if props.deregistration_delay_seconds > 3600 {
            return Err(s.error("deregistration_delay_seconds must be 0–3600"));
        }
        if let Some(n) = &props.name
            && (n.is_empty()
                || n.len() > 32
                || n.starts_with('-')
                || n.ends_with('-')
                || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        {
            return Err(s.error(format!(
                "target group name `{n}` must be 1–32 letters, digits and inner hyphens"
            )));
        }
        let attr = |k: &str, v: &str| -> Val<l1::TargetGroupAttribute> {
            l1::TargetGroupAttribute {
                key: Some(k.into()),
                value: Some(v.into()),
            }
            .into()
        };
        let attrs = vec![
            attr(
                "deregistration_delay.timeout_seconds",
                &props.deregistration_delay_seconds.to_string(),
            ),
            attr(
                "load_balancing.algorithm.type",
                if props.least_outstanding_requests {
                    "least_outstanding_requests"
                } else {
                    "round_robin"
                },
            ),
        ];
        let (protocol, hc_protocol) = if props.tls_to_targets {
            (l1::Protocol::Https, l1::HealthCheckProtocol::Https)
        } else {
            (l1::Protocol::Http, l1::HealthCheckProtocol::Http)
        };
        let tags: Vec<Val<l1::Tag>> = props
            .tags
            .iter()
            .map(|(k, v)| l1::Tag::new(k.as_str(), v.clone()).into())
            .collect();
        let tg = s.add(
            "Resource",
            l1::TargetGroup {
                name: props.name.clone().map(Val::from),
                target_type: Some(l1::TargetType::Ip.into()),
                protocol: Some(protocol.into()),
                protocol_version: Some("GRPC".into()),
                port: Some(i64::from(port).into()),
                vpc_id: Some(vpc_id.into()),
                health_check_enabled: Some(true.into()),
                health_check_protocol: Some(hc_protocol.into()),
                health_check_path: Some(props.health_check_path.clone().into()),
                health_check_interval_seconds: Some(
                    i64::from(props.health_check_interval_seconds).into(),
                ),
                health_check_timeout_seconds: Some(
                    i64::from(props.health_check_timeout_seconds).into(),
                ),
                healthy_threshold_count: Some(i64::from(props.healthy_threshold).into()),
                unhealthy_threshold_count: Some(i64::from(props.unhealthy_threshold).into()),
                matcher: Some(
                    l1::Matcher {
                        grpc_code: Some(props.healthy_grpc_codes.clone().into()),
                        http_code: None,
                    }
                    .into(),
                ),
                target_group_attributes: Some(Val::Lit(attrs)),
                tags: if tags.is_empty() {
                    None
                } else {
                    Some(Val::Lit(tags))
                },
                ..Default::default()
            },
        )?;
        Ok(TargetGroupHandle {
            resource: tg.clone(),
            arn: tg.ref_().cast(),
            full_name: tg.attr_target_group_full_name(),
            port,
        })
    }
}

/// Checks a gRPC method path `/package.Service/Method`.
pub fn check_grpc_path(path: &str) -> Result<(), String> {
    let parts: Vec<&str> = path.split('/').collect();
    let ok = parts.len() == 3
        && parts[0].is_empty()
        && parts[1..].iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "health check path `{path}` is not a gRPC method path `/package.Service/Method` (e.g. /grpc.health.v1.Health/Check)"
        ))
    }
}

/// Checks a gRPC matcher: codes or ranges within 0–99, comma separated.
pub fn check_grpc_codes(codes: &str) -> Result<(), String> {
    let bad = || format!("healthy gRPC codes `{codes}` must be codes 0–99 as `0`, `0,12` or `0-5`");
    if codes.is_empty() {
        return Err(bad());
    }
    for part in codes.split(',') {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a, b),
            None => (part, part),
        };
        let a: u32 = a.trim().parse().map_err(|_| bad())?;
        let b: u32 = b.trim().parse().map_err(|_| bad())?;
        if a > 99 || b > 99 || a > b {
            return Err(bad());
        }
    }
    Ok(())
}
