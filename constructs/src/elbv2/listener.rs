//! [`HttpsListener`] with an explicit modern TLS policy, and [`GrpcRoute`] listener rules that
//! send `/package.Service/*` to a service's target group.

use crate::acm::CertificateHandle;
use crate::core::arn::Arn;
use crate::core::{Attr, Error, Expr, Scope, Val, list};
use crate::l1::elbv2::{listener as l1, listener_rule as rule};

use super::load_balancer::LoadBalancerHandle;
use super::target_group::TargetGroupHandle;

/// TLS policies formwork offers. CloudFormation's default when `SslPolicy` is omitted is
/// `ELBSecurityPolicy-2016-08` (TLS 1.0–1.2), so formwork always writes one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SslPolicy {
    /// `ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09`: TLS 1.3 + 1.2, restricted ciphers,
    /// post-quantum hybrid key exchange; AWS's recommended policy. The default.
    #[default]
    Tls13Tls12RestrictedPq,
    /// `ELBSecurityPolicy-TLS13-1-2-Res-2021-06`: TLS 1.3 + 1.2, restricted ciphers.
    Tls13Tls12Restricted,
    /// `ELBSecurityPolicy-TLS13-1-2-2021-06`: TLS 1.3 + 1.2, wider cipher set.
    Tls13Tls12,
    /// `ELBSecurityPolicy-TLS13-1-3-2021-06`: TLS 1.3 only.
    Tls13Only,
    /// `ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09`: FIPS, TLS 1.3 + 1.2, post-quantum.
    FipsPq,
}

impl SslPolicy {
    /// The policy name.
    pub fn as_str(self) -> &'static str {
        match self {
            SslPolicy::Tls13Tls12RestrictedPq => "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            SslPolicy::Tls13Tls12Restricted => "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            SslPolicy::Tls13Tls12 => "ELBSecurityPolicy-TLS13-1-2-2021-06",
            SslPolicy::Tls13Only => "ELBSecurityPolicy-TLS13-1-3-2021-06",
            SslPolicy::FipsPq => "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
        }
    }
}

/// What the listener does with a request no rule matched.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultAction {
    /// A fixed response (status code and body). For gRPC clients a 404 surfaces as
    /// `UNIMPLEMENTED`.
    Fixed {
        /// HTTP status code, 2XX/4XX/5XX.
        status: u16,
        /// Body text.
        body: String,
    },
    /// Forward to one target group.
    Forward(Attr<super::TargetGroupArn>),
}

/// Optional settings of an [`HttpsListener`].
#[derive(Debug, Clone, PartialEq)]
pub struct HttpsListenerProps {
    /// Default: port 443.
    pub port: u16,
    /// Default: [`SslPolicy::Tls13Tls12RestrictedPq`].
    pub ssl_policy: SslPolicy,
    /// Default: a fixed 404 with body `no route for this gRPC service`.
    pub default_action: DefaultAction,
}

impl Default for HttpsListenerProps {
    fn default() -> Self {
        HttpsListenerProps {
            port: 443,
            ssl_policy: SslPolicy::default(),
            default_action: DefaultAction::Fixed {
                status: 404,
                body: "no route for this gRPC service".to_owned(),
            },
        }
    }
}

/// Marker for a listener ARN.
pub enum ListenerArn {}

/// What [`HttpsListener::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct ListenerHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`); `None` when imported.
    pub resource: Option<crate::core::ResourceRef<l1::Listener>>,
    /// `Ref`: the ARN.
    pub arn: Attr<ListenerArn>,
    /// The port.
    pub port: u16,
}

crate::l1_handle!(imported ListenerHandle, l1::Listener);

pub(crate) fn action(a: &DefaultAction) -> Result<Val<l1::Action>, String> {
    Ok(match a {
        DefaultAction::Fixed { status, body } => {
            if !matches!(status / 100, 2 | 4 | 5) {
                return Err(format!(
                    "fixed-response status {status} must be 2XX, 4XX or 5XX"
                ));
            }
            if body.len() > 1024 {
                return Err("a fixed-response body is at most 1024 characters".to_owned());
            }
            l1::Action {
                fixed_response_config: Some(
                    l1::FixedResponseConfig {
                        content_type: Some("text/plain".into()),
                        message_body: Some(body.clone().into()),
                        ..l1::FixedResponseConfig::new(status.to_string())
                    }
                    .into(),
                ),
                ..l1::Action::new(l1::Type::FixedResponse)
            }
            .into()
        }
        DefaultAction::Forward(tg) => l1::Action {
            target_group_arn: Some(tg.into()),
            ..l1::Action::new(l1::Type::Forward)
        }
        .into(),
    })
}

/// An HTTPS listener with an ACM certificate and an explicit modern TLS policy; ALPN lets
/// clients negotiate HTTP/2, which gRPC needs.
///
/// CloudFormation: [`AWS::ElasticLoadBalancingV2::Listener`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-listener.html).
pub struct HttpsListener;

impl HttpsListener {
    /// Adds the listener as `scope/id` on `lb` with `certificate` (of the stack's Region).
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        lb: &LoadBalancerHandle,
        certificate: &CertificateHandle,
        props: HttpsListenerProps,
    ) -> Result<ListenerHandle, Error> {
        let mut s = scope.child(id)?;
        if props.port == 0 {
            return Err(s.error("the listener port must be 1–65535"));
        }
        let region = s.region().map(str::to_owned);
        certificate.check_region(&s, region.as_deref(), "an HTTPS listener of this stack")?;
        let default_action = action(&props.default_action).map_err(|m| s.error(m))?;
        let l = s.add(
            "Resource",
            l1::Listener {
                port: Some(i64::from(props.port).into()),
                protocol: Some(l1::Protocol::Https.into()),
                ssl_policy: Some(props.ssl_policy.as_str().into()),
                certificates: Some(list([Val::from(l1::Certificate {
                    certificate_arn: Some((&certificate.arn).into()),
                })])),
                ..l1::Listener::new(list([default_action]), &lb.arn)
            },
        )?;
        Ok(ListenerHandle {
            resource: Some(l.clone()),
            arn: l.ref_().cast(),
            port: props.port,
        })
    }

    /// An existing HTTPS listener, by ARN
    /// (`arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<lb>/<id>/<id>`), to add
    /// [`GrpcRoute`]s to. Creates nothing.
    pub fn import(arn: &str, port: u16) -> Result<ListenerHandle, Error> {
        Arn::parse_of(arn, "elasticloadbalancing", "listener/app/").map_err(|m| {
            Error::Construct {
                path: "elbv2::HttpsListener::import".to_owned(),
                message: format!("{m} (an Application Load Balancer listener)"),
            }
        })?;
        Ok(ListenerHandle {
            resource: None,
            arn: Attr::new(Expr::str(arn)),
            port,
        })
    }
}

/// A condition a [`GrpcRoute`] adds beside the path match.
#[derive(Debug, Clone, PartialEq)]
pub enum ExtraCondition {
    /// The request must carry this header with this value (e.g. CloudFront's secret origin header).
    Header {
        /// Header name.
        name: String,
        /// Expected value.
        value: Val<String>,
    },
}

/// A listener rule that forwards gRPC calls of the given services (`/package.Service/*`) to a
/// target group.
///
/// CloudFormation: [`AWS::ElasticLoadBalancingV2::ListenerRule`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-listenerrule.html).
pub struct GrpcRoute;

impl GrpcRoute {
    /// At most this many path patterns per rule condition (the ALB allows 3 comparison strings
    /// per condition and 5 per rule).
    pub const SERVICES_PER_RULE: usize = 3;
    /// At most this many gRPC services per route (split over consecutive priorities).
    pub const MAX_SERVICES: usize = 9;

    /// Adds the route as `scope/id`: one listener rule per 3 gRPC services (fully qualified
    /// names such as `helloworld.Greeter`), at priorities `priority`, `priority + 1`, …; the
    /// first rule is `scope/id`'s own resource, the others `Part2`, `Part3`. Each rule also
    /// carries the `extra` conditions. Returns the rules' logical ids.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        listener: &ListenerHandle,
        priority: u32,
        grpc_services: &[String],
        target: &TargetGroupHandle,
        extra: &[ExtraCondition],
    ) -> Result<Vec<String>, Error> {
        let mut s = scope.child(id)?;
        if grpc_services.is_empty() || grpc_services.len() > Self::MAX_SERVICES {
            return Err(s.error(format!(
                "a gRPC route matches 1–{} services (3 per listener rule: the ALB allows 3 comparison strings per condition)",
                Self::MAX_SERVICES
            )));
        }
        let rules = grpc_services.len().div_ceil(Self::SERVICES_PER_RULE) as u32;
        if priority == 0 || priority + rules - 1 > 50000 {
            return Err(s.error(format!(
                "rule priority {priority} must be 1–50000 (this route needs {rules})"
            )));
        }
        if extra.len() > 2 {
            return Err(
                s.error("at most 2 extra conditions: a rule allows 5 comparison strings in all")
            );
        }
        for g in grpc_services {
            check_grpc_service_name(g).map_err(|m| s.error(m))?;
        }
        let wanted = i64::from(priority)..i64::from(priority + rules);
        if let Some((other, p)) = rule_with_priority(s.stack_ref(), listener, &wanted) {
            return Err(s.error(format!(
                "priority {p} is taken on this listener by rule `{other}`; every rule of a listener needs its own priority (this route needs {}–{})",
                wanted.start,
                wanted.end - 1
            )));
        }
        let mut ids = Vec::new();
        for (n, chunk) in grpc_services.chunks(Self::SERVICES_PER_RULE).enumerate() {
            let mut conditions: Vec<Val<rule::RuleCondition>> = vec![
                rule::RuleCondition {
                    field: Some("path-pattern".into()),
                    path_pattern_config: Some(
                        rule::PathPatternConfig {
                            values: Some(list(chunk.iter().map(|g| format!("/{g}/*")))),
                            ..Default::default()
                        }
                        .into(),
                    ),
                    ..Default::default()
                }
                .into(),
            ];
            for e in extra {
                match e {
                    ExtraCondition::Header { name, value } => conditions.push(
                        rule::RuleCondition {
                            field: Some("http-header".into()),
                            http_header_config: Some(
                                rule::HttpHeaderConfig {
                                    http_header_name: Some(name.clone().into()),
                                    values: Some(Val::Lit(vec![value.clone()])),
                                    ..Default::default()
                                }
                                .into(),
                            ),
                            ..Default::default()
                        }
                        .into(),
                    ),
                }
            }
            let child = if n == 0 {
                "Resource".to_owned()
            } else {
                format!("Part{}", n + 1)
            };
            let r = s.add(
                &child,
                rule::ListenerRule {
                    listener_arn: Some((&listener.arn).into()),
                    ..rule::ListenerRule::new(
                        list([Val::from(rule::Action {
                            target_group_arn: Some((&target.arn).into()),
                            ..rule::Action::new(rule::ActionType::Forward)
                        })]),
                        Val::Lit(conditions),
                        i64::from(priority + n as u32),
                    )
                },
            )?;
            ids.push(r.logical_id().to_owned());
        }
        Ok(ids)
    }
}

/// A listener rule of `stack` on `listener` whose priority is in `wanted`: `(logical id,
/// priority)`.
fn rule_with_priority(
    stack: &crate::core::Stack,
    listener: &ListenerHandle,
    wanted: &std::ops::Range<i64>,
) -> Option<(String, i64)> {
    let arn: Val<String> = (&listener.arn).into();
    stack.resources().iter().find_map(|e| {
        let r = e.l1::<rule::ListenerRule>()?;
        let p = *r.priority.as_lit()?;
        (r.listener_arn.as_ref() == Some(&arn) && wanted.contains(&p))
            .then(|| (e.logical_id().to_owned(), p))
    })
}

/// Checks a fully qualified gRPC service name such as `helloworld.Greeter`.
pub fn check_grpc_service_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 120
        && name.split('.').all(|p| {
            !p.is_empty()
                && p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a fully qualified gRPC service name such as `helloworld.Greeter`"
        ))
    }
}
