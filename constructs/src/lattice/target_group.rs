//! [`GrpcTargetGroup`]: a VPC Lattice target group of pod IPs spoken to with gRPC.

use crate::core::{Attr, Error, Scope, Val};
use crate::ec2::VpcId;
use crate::l1::lattice::target_group as l1;

/// A Lattice health check. Lattice has no gRPC health checks: on a gRPC target group the check
/// is plain HTTP/1.1 or HTTP/2, so the pod must serve an HTTP endpoint for it. There is
/// deliberately no gRPC variant.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum LatticeHealthCheck {
    /// No health check: every registered target receives traffic. The default, because a gRPC
    /// server does not answer plain HTTP health checks unless it is built to.
    #[default]
    Disabled,
    /// An HTTP/1.1 check.
    Http1(HttpHealthCheck),
    /// An HTTP/2 check.
    Http2(HttpHealthCheck),
}

/// Settings of an HTTP health check.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpHealthCheck {
    /// Path, starting with `/`.
    pub path: String,
    /// Port. `None` means the traffic port.
    pub port: Option<u16>,
    /// Status codes counted healthy (`200`, `200-299`), within 200–599.
    pub healthy_http_codes: String,
    /// Seconds between checks (5–300).
    pub interval_seconds: u32,
    /// Seconds before a check times out (1–120).
    pub timeout_seconds: u32,
}

impl HttpHealthCheck {
    /// A check of `path` on the traffic port every 30 s, timeout 5 s, healthy on 200.
    pub fn new(path: &str) -> HttpHealthCheck {
        HttpHealthCheck {
            path: path.to_owned(),
            port: None,
            healthy_http_codes: "200".to_owned(),
            interval_seconds: 30,
            timeout_seconds: 5,
        }
    }
}

/// Optional settings of a [`GrpcTargetGroup`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GrpcTargetGroupProps {
    /// Default: [`LatticeHealthCheck::Disabled`].
    pub health_check: LatticeHealthCheck,
    /// Re-encrypt to the pods (HTTPS) instead of cleartext HTTP/2. Default: false.
    pub tls_to_targets: bool,
    /// Name (3–63 lowercase letters, digits, hyphens). Default: generated.
    pub name: Option<String>,
}

/// What [`GrpcTargetGroup::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct LatticeTargetGroupHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::TargetGroup>,
    /// `Fn::GetAtt Id` (what listeners forward to).
    pub id: Attr<l1::attr::Id>,
    /// `Fn::GetAtt Arn`.
    pub arn: Attr<l1::attr::Arn>,
}

crate::l1_handle!(LatticeTargetGroupHandle, l1::TargetGroup);

/// A Lattice target group with `Type: IP` and `Config.ProtocolVersion: GRPC`.
///
/// CloudFormation: [`AWS::VpcLattice::TargetGroup`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-vpclattice-targetgroup.html).
pub struct GrpcTargetGroup;

impl GrpcTargetGroup {
    /// Adds the target group as `scope/id` for pods listening on `port` in `vpc_id`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        vpc_id: &Attr<VpcId>,
        port: u16,
        props: GrpcTargetGroupProps,
    ) -> Result<LatticeTargetGroupHandle, Error> {
        let mut s = scope.child(id)?;
        if port == 0 {
            return Err(s.error("the target port must be 1–65535"));
        }
        if let Some(n) = &props.name {
            super::service_network::check_lattice_name(n).map_err(|m| s.error(m))?;
        }
        let health_check = match &props.health_check {
            LatticeHealthCheck::Disabled => l1::HealthCheckConfig {
                enabled: Some(false.into()),
                ..Default::default()
            },
            LatticeHealthCheck::Http1(h) | LatticeHealthCheck::Http2(h) => {
                if !h.path.starts_with('/') || h.path.len() > 2048 {
                    return Err(s.error(format!(
                        "health check path `{}` must start with `/` (≤2048 characters)",
                        h.path
                    )));
                }
                if !(5..=300).contains(&h.interval_seconds) {
                    return Err(s.error("health check interval_seconds must be 5–300"));
                }
                if !(1..=120).contains(&h.timeout_seconds) {
                    return Err(s.error("health check timeout_seconds must be 1–120"));
                }
                check_http_codes(&h.healthy_http_codes).map_err(|m| s.error(m))?;
                let version = if matches!(props.health_check, LatticeHealthCheck::Http1(_)) {
                    l1::HealthCheckConfigProtocolVersion::Http1
                } else {
                    l1::HealthCheckConfigProtocolVersion::Http2
                };
                l1::HealthCheckConfig {
                    enabled: Some(true.into()),
                    path: Some(h.path.clone().into()),
                    port: h.port.map(|p| i64::from(p).into()),
                    protocol: Some(
                        if props.tls_to_targets {
                            l1::HealthCheckConfigProtocol::Https
                        } else {
                            l1::HealthCheckConfigProtocol::Http
                        }
                        .into(),
                    ),
                    protocol_version: Some(version.into()),
                    health_check_interval_seconds: Some(i64::from(h.interval_seconds).into()),
                    health_check_timeout_seconds: Some(i64::from(h.timeout_seconds).into()),
                    matcher: Some(l1::Matcher::new(h.healthy_http_codes.as_str()).into()),
                    ..Default::default()
                }
            }
        };
        let tg = s.add(
            "Resource",
            l1::TargetGroup {
                name: props.name.clone().map(Val::from),
                config: Some(
                    l1::TargetGroupConfig {
                        port: Some(i64::from(port).into()),
                        protocol: Some(
                            if props.tls_to_targets {
                                l1::TargetGroupConfigProtocol::Https
                            } else {
                                l1::TargetGroupConfigProtocol::Http
                            }
                            .into(),
                        ),
                        protocol_version: Some(l1::TargetGroupConfigProtocolVersion::Grpc.into()),
                        vpc_identifier: Some(vpc_id.into()),
                        ip_address_type: Some(l1::IpAddressType::Ipv4.into()),
                        health_check: Some(health_check.into()),
                        ..Default::default()
                    }
                    .into(),
                ),
                ..l1::TargetGroup::new(l1::Type::Ip)
            },
        )?;
        Ok(LatticeTargetGroupHandle {
            resource: tg.clone(),
            id: tg.attr_id(),
            arn: tg.attr_arn(),
        })
    }
}

fn check_http_codes(codes: &str) -> Result<(), String> {
    let bad =
        || format!("healthy HTTP codes `{codes}` must be codes 200–599 as `200` or `200-299`");
    let (a, b) = codes.split_once('-').unwrap_or((codes, codes));
    let a: u32 = a.trim().parse().map_err(|_| bad())?;
    let b: u32 = b.trim().parse().map_err(|_| bad())?;
    if (200..=599).contains(&a) && (200..=599).contains(&b) && a <= b {
        Ok(())
    } else {
        Err(bad())
    }
}
