//! [`Distribution`]: a CloudFront distribution in front of a gRPC ALB (custom origin,
//! HTTPS end to end, gRPC enabled on every behaviour, caching off).

use crate::acm::CertificateHandle;
use crate::core::{Attr, Error, Expr, Scope, Val, list};
use crate::elbv2::check_grpc_service_name;
use crate::l1::cloudfront::distribution as l1;
use crate::s3::BucketDomainName;
use crate::wafv2::{WafScope, WebAclHandle};

use super::origin_protection::OriginVerifyHeader;

/// Per-service behaviours at most: CloudFront allows 75 cache behaviours per distribution by
/// default (an adjustable quota, FACTS §11); the default behaviour is counted too, to be safe.
pub const MAX_BEHAVIOURS: usize = 74;

/// Managed-CachingDisabled: gRPC is never cached, so every gRPC behaviour uses it.
pub const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";

/// The 7 methods: the only `AllowedMethods` set CloudFront accepts that contains POST, which
/// gRPC requires.
const ALL_METHODS: [&str; 7] = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"];

/// Managed origin request policies suitable for gRPC behaviours.
///
/// See [managed origin request policies](https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OriginRequestPolicy {
    /// `Managed-AllViewerExceptHostHeader` (`b689b0a8-53d0-40ab-baf2-68738e2966ac`): all viewer
    /// headers (gRPC metadata) except `Host`, so the origin is reached by its own name and the
    /// ALB certificate must cover the origin domain name. The default.
    #[default]
    AllViewerExceptHostHeader,
    /// `Managed-AllViewer` (`216adef6-5c7f-47e4-b989-5492eafa07d3`): forwards `Host` too, so the
    /// ALB certificate must cover the viewer alias.
    AllViewer,
    /// `Managed-AllViewerAndCloudFrontHeaders-2022-06` (`33f36d7e-f396-46d9-90e0-52428a34d9dc`).
    AllViewerAndCloudFrontHeaders,
}

impl OriginRequestPolicy {
    /// The managed policy id.
    pub fn id(self) -> &'static str {
        match self {
            OriginRequestPolicy::AllViewerExceptHostHeader => {
                "b689b0a8-53d0-40ab-baf2-68738e2966ac"
            }
            OriginRequestPolicy::AllViewer => "216adef6-5c7f-47e4-b989-5492eafa07d3",
            OriginRequestPolicy::AllViewerAndCloudFrontHeaders => {
                "33f36d7e-f396-46d9-90e0-52428a34d9dc"
            }
        }
    }
}

/// Viewer HTTP versions that include HTTP/2 (gRPC needs it; `http1.1` and `http3` alone are not
/// offered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GrpcHttpVersion {
    /// `http2`.
    Http2,
    /// `http2and3`. The default.
    #[default]
    Http2And3,
}

/// Minimum viewer TLS policy with a custom certificate (TLS 1.2 or newer only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MinimumTls {
    /// `TLSv1.2_2021`. The default.
    #[default]
    Tls12_2021,
    /// `TLSv1.2_2025`.
    Tls12_2025,
    /// `TLSv1.3_2025`.
    Tls13_2025,
}

/// CloudFront price classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PriceClass {
    /// North America, Europe, Israel. The default (cheapest).
    #[default]
    PriceClass100,
    /// Adds most of Asia, Middle East, Africa.
    PriceClass200,
    /// All edge locations.
    PriceClassAll,
}

/// The viewer certificate.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ViewerCertificate {
    /// `*.cloudfront.net` (CloudFront then forces the TLSv1 policy). The default.
    #[default]
    CloudFrontDefault,
    /// An ACM certificate, which must be in `us-east-1`, with the aliases it covers.
    Acm {
        /// The certificate (created in a `us-east-1` stack, or imported by ARN).
        certificate: CertificateHandle,
        /// Viewer hostnames (at least one).
        aliases: Vec<String>,
    },
}

/// Standard (legacy) access logging to an S3 bucket with ACLs enabled.
#[derive(Debug, Clone, PartialEq)]
pub struct DistributionLogging {
    /// The bucket's domain name (`BucketHandle::domain_name`: `<bucket>.s3.amazonaws.com`).
    pub bucket_domain_name: Attr<BucketDomainName>,
    /// Key prefix. Default in [`DistributionLogging::new`]: `cloudfront/`.
    pub prefix: String,
}

impl DistributionLogging {
    /// Logging to a bucket (its `domain_name`) under `cloudfront/`.
    pub fn new(bucket_domain_name: &Attr<BucketDomainName>) -> DistributionLogging {
        DistributionLogging {
            bucket_domain_name: bucket_domain_name.clone(),
            prefix: "cloudfront/".to_owned(),
        }
    }
}

/// How the origin is protected against requests that bypass CloudFront.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum OriginProtection {
    /// Add a `NoEcho` stack parameter `<logical id>OriginSecret` and send its value as
    /// `X-Origin-Verify`. The default.
    #[default]
    SecretHeaderParameter,
    /// Send this header (e.g. from [`OriginVerifyHeader::from_new_parameter`]).
    SecretHeader(OriginVerifyHeader),
    /// No header. The ALB must then be protected some other way (prefix-list ingress alone
    /// admits every CloudFront distribution, including other accounts').
    None,
}

/// Optional settings of a [`Distribution`].
#[derive(Debug, Clone, PartialEq)]
pub struct DistributionProps {
    /// Fully qualified gRPC services (`helloworld.Greeter`) that get their own
    /// `/helloworld.Greeter/*` cache behaviour; the default behaviour serves gRPC too.
    /// Default: none.
    pub grpc_services: Vec<String>,
    /// Default: [`OriginRequestPolicy::AllViewerExceptHostHeader`].
    pub origin_request_policy: OriginRequestPolicy,
    /// Default: [`GrpcHttpVersion::Http2And3`].
    pub http_version: GrpcHttpVersion,
    /// Default: [`ViewerCertificate::CloudFrontDefault`].
    pub certificate: ViewerCertificate,
    /// Used with an ACM certificate. Default: [`MinimumTls::Tls12_2021`].
    pub minimum_tls: MinimumTls,
    /// Default: none.
    pub logging: Option<DistributionLogging>,
    /// A `CLOUDFRONT`-scope web ACL (created in a `us-east-1` stack, or imported). Default: none.
    pub web_acl: Option<WebAclHandle>,
    /// Default: [`PriceClass::PriceClass100`].
    pub price_class: PriceClass,
    /// Seconds CloudFront waits for origin response bytes (1–120 without a quota increase).
    /// Default: 60.
    pub origin_read_timeout_seconds: u32,
    /// Seconds an idle origin connection is kept (1–120). Default: 60.
    pub origin_keepalive_timeout_seconds: u32,
    /// Origin HTTPS port. Default: 443.
    pub origin_https_port: u16,
    /// Default: [`OriginProtection::SecretHeaderParameter`].
    pub origin_protection: OriginProtection,
    /// Comment (≤128 characters). Default: none.
    pub comment: Option<String>,
}

impl Default for DistributionProps {
    fn default() -> Self {
        DistributionProps {
            grpc_services: Vec::new(),
            origin_request_policy: OriginRequestPolicy::default(),
            http_version: GrpcHttpVersion::default(),
            certificate: ViewerCertificate::default(),
            minimum_tls: MinimumTls::default(),
            logging: None,
            web_acl: None,
            price_class: PriceClass::default(),
            origin_read_timeout_seconds: 60,
            origin_keepalive_timeout_seconds: 60,
            origin_https_port: 443,
            origin_protection: OriginProtection::default(),
            comment: None,
        }
    }
}

/// Marker for a distribution id.
pub enum DistributionId {}
/// Marker for a distribution domain name (`d111111abcdef8.cloudfront.net`).
pub enum DistributionDomainName {}

/// What [`Distribution::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct DistributionHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::Distribution>,
    /// `Ref`: the distribution id.
    pub id: Attr<DistributionId>,
    /// `Fn::GetAtt DomainName`.
    pub domain_name: Attr<DistributionDomainName>,
    /// The secret header CloudFront sends to the origin, if any: give its
    /// [`OriginVerifyHeader::condition`] to the ALB's routes.
    pub origin_verify: Option<OriginVerifyHeader>,
}

crate::l1_handle!(DistributionHandle, l1::Distribution);

/// A CloudFront distribution for gRPC.
///
/// CloudFormation: [`AWS::CloudFront::Distribution`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudfront-distribution.html).
///
/// Every behaviour has `GrpcConfig.Enabled: true`, all 7 methods (gRPC needs POST), `CachedMethods`
/// GET/HEAD, Managed-CachingDisabled, the chosen managed origin request policy and
/// `ViewerProtocolPolicy: https-only`; the origin is a custom origin with `https-only` and TLS 1.2
/// (gRPC is HTTPS end to end). What gRPC behaviours do not support is not offered at all: Lambda@Edge
/// associations, origin groups / failover, Origin Shield, custom error responses, VPC origins,
/// `http1.1`-only and `allow-all` viewer policies.
pub struct Distribution;

impl Distribution {
    /// Adds the distribution as `scope/id` with a custom origin at `origin_domain_name` (a DNS name
    /// on the ALB's certificate, or the ALB's DNS name with [`OriginRequestPolicy::AllViewer`]).
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        origin_domain_name: impl Into<Val<String>>,
        props: DistributionProps,
    ) -> Result<DistributionHandle, Error> {
        let origin_domain_name = origin_domain_name.into();
        let mut s = scope.child(id)?;
        check_props(&s, &origin_domain_name, &props)?;
        let viewer_certificate = viewer_certificate(&s, &props)?;
        let aliases = match &props.certificate {
            ViewerCertificate::Acm { aliases, .. } => Some(list(aliases.iter().cloned())),
            ViewerCertificate::CloudFrontDefault => None,
        };
        let origin_verify = origin_verify(&mut s, &props)?;
        let origin = origin(origin_domain_name, &props, origin_verify.as_ref());
        let (behaviors, default_behavior) = behaviors(&props);
        let config = l1::DistributionConfig {
            aliases,
            comment: props.comment.clone().map(Val::from),
            cache_behaviors: if behaviors.is_empty() {
                None
            } else {
                Some(Val::Lit(behaviors))
            },
            http_version: Some(
                match props.http_version {
                    GrpcHttpVersion::Http2 => l1::HttpVersion::Http2,
                    GrpcHttpVersion::Http2And3 => l1::HttpVersion::Http2and3,
                }
                .into(),
            ),
            ipv6_enabled: Some(true.into()),
            logging: props.logging.as_ref().map(|l| {
                l1::Logging {
                    bucket: Some((&l.bucket_domain_name).into()),
                    prefix: Some(l.prefix.clone().into()),
                    include_cookies: Some(false.into()),
                }
                .into()
            }),
            origins: Some(list([Val::from(origin)])),
            price_class: Some(
                match props.price_class {
                    PriceClass::PriceClass100 => l1::PriceClass::PriceClass100,
                    PriceClass::PriceClass200 => l1::PriceClass::PriceClass200,
                    PriceClass::PriceClassAll => l1::PriceClass::PriceClassAll,
                }
                .into(),
            ),
            viewer_certificate: Some(viewer_certificate.into()),
            web_acl_id: props.web_acl.as_ref().map(|a| (&a.arn).into()),
            ..l1::DistributionConfig::new(default_behavior, true)
        };
        let d = s.add("Resource", l1::Distribution::new(config))?;
        Ok(DistributionHandle {
            resource: d.clone(),
            id: d.ref_().cast(),
            domain_name: d.attr_domain_name().cast(),
            origin_verify,
        })
    }
}

/// The origin's id in the distribution (one origin: the ALB).
const ORIGIN_ID: &str = "grpc-origin";

/// Refuses what CloudFront would reject, or what would break gRPC: a URL or the load
/// balancer's own name as the origin, bad gRPC service names, too many behaviours, a REGIONAL
/// web ACL, timeouts, port and comment outside CloudFront's ranges.
fn check_props(
    s: &Scope<'_>,
    origin_domain_name: &Val<String>,
    props: &DistributionProps,
) -> Result<(), Error> {
    if let Val::Lit(d) = &origin_domain_name
        && (d.is_empty() || d.contains("://") || d.contains('/'))
    {
        return Err(s.error(format!(
            "origin domain name `{d}` must be a bare DNS name (no scheme, no path)"
        )));
    }
    let load_balancer_name = match &origin_domain_name {
        Val::Lit(d) => d.ends_with(".elb.amazonaws.com").then(|| format!("`{d}`")),
        Val::Expr(e) => matches!(e.local(), Expr::GetAtt(_, a) if a == "DNSName")
            .then(|| "a load balancer's DNSName attribute".to_owned()),
    };
    if let Some(what) = load_balancer_name
        && props.origin_request_policy == OriginRequestPolicy::AllViewerExceptHostHeader
    {
        return Err(s.error(format!(
            "the origin is {what}, the load balancer's own DNS name, which no ACM certificate covers: CloudFront checks the origin certificate against it and answers 502. Give the origin a DNS name on the ALB's certificate (a CNAME or alias record to the ALB), or use OriginRequestPolicy::AllViewer with an alias on that certificate"
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    for g in &props.grpc_services {
        check_grpc_service_name(g).map_err(|m| s.error(m))?;
        if !seen.insert(g.as_str()) {
            return Err(s.error(format!("gRPC service `{g}` is listed twice")));
        }
    }
    if props.grpc_services.len() > MAX_BEHAVIOURS {
        return Err(s.error(format!(
            "at most {MAX_BEHAVIOURS} per-service behaviours (CloudFront's default cache-behaviour quota, adjustable)"
        )));
    }
    if let Some(acl) = &props.web_acl
        && acl.scope != WafScope::CloudFront
    {
        return Err(s.error(
            "the web ACL is REGIONAL; a distribution takes a CLOUDFRONT-scope ACL (WebAcl::for_cloudfront in a us-east-1 stack)",
        ));
    }
    for (n, v) in [
        (
            "origin_read_timeout_seconds",
            props.origin_read_timeout_seconds,
        ),
        (
            "origin_keepalive_timeout_seconds",
            props.origin_keepalive_timeout_seconds,
        ),
    ] {
        if !(1..=120).contains(&v) {
            return Err(s.error(format!(
                "{n} is {v}; CloudFront accepts 1–120 without a quota increase"
            )));
        }
    }
    if props.origin_https_port == 0 {
        return Err(s.error("the origin HTTPS port must be 1–65535"));
    }
    if let Some(c) = &props.comment
        && c.len() > 128
    {
        return Err(s.error("a distribution comment is at most 128 characters"));
    }
    Ok(())
}

/// The viewer certificate: CloudFront's default, or an ACM one from us-east-1 with its aliases.
fn viewer_certificate(
    s: &Scope<'_>,
    props: &DistributionProps,
) -> Result<l1::ViewerCertificate, Error> {
    Ok(match &props.certificate {
        ViewerCertificate::CloudFrontDefault => l1::ViewerCertificate {
            cloud_front_default_certificate: Some(true.into()),
            ..Default::default()
        },
        ViewerCertificate::Acm {
            certificate,
            aliases,
        } => {
            certificate.check_region(
                s,
                Some("us-east-1"),
                "CloudFront (it only uses ACM certificates from us-east-1)",
            )?;
            if aliases.is_empty() {
                return Err(s.error(
                    "a custom certificate needs at least one alias (the hostnames it covers)",
                ));
            }
            for a in aliases {
                if a.is_empty()
                    || a.len() > 253
                    || !a
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '*'))
                {
                    return Err(s.error(format!("alias `{a}` is not a DNS name")));
                }
            }
            l1::ViewerCertificate {
                acm_certificate_arn: Some((&certificate.arn).into()),
                ssl_support_method: Some(l1::SslSupportMethod::SniOnly.into()),
                minimum_protocol_version: Some(
                    match props.minimum_tls {
                        MinimumTls::Tls12_2021 => l1::MinimumProtocolVersion::Tlsv1_2_2021,
                        MinimumTls::Tls12_2025 => l1::MinimumProtocolVersion::Tlsv1_2_2025,
                        MinimumTls::Tls13_2025 => l1::MinimumProtocolVersion::Tlsv1_3_2025,
                    }
                    .into(),
                ),
                ..Default::default()
            }
        }
    })
}

/// The secret header CloudFront sends to the origin: a new parameter, the given header
/// (checked), or none.
fn origin_verify(
    s: &mut Scope<'_>,
    props: &DistributionProps,
) -> Result<Option<OriginVerifyHeader>, Error> {
    Ok(match &props.origin_protection {
        OriginProtection::SecretHeaderParameter => {
            let param = format!("{}OriginSecret", scope_logical_id(s));
            Some(
                OriginVerifyHeader::from_new_parameter(s.stack(), &param)
                    .map_err(|e| s.error(e.to_string()))?,
            )
        }
        OriginProtection::SecretHeader(h) => {
            if let Val::Lit(v) = &h.value
                && v.len() < 32
            {
                return Err(s.error("the origin secret must be at least 32 characters"));
            }
            if h.name.is_empty()
                || !h
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                return Err(s.error(format!(
                    "origin header name `{}` must be letters, digits and hyphens",
                    h.name
                )));
            }
            Some(h.clone())
        }
        OriginProtection::None => None,
    })
}

/// The one origin: HTTPS only, TLS 1.2, the timeouts, the secret header if any.
fn origin(
    origin_domain_name: Val<String>,
    props: &DistributionProps,
    origin_verify: Option<&OriginVerifyHeader>,
) -> l1::Origin {
    l1::Origin {
        custom_origin_config: Some(
            l1::CustomOriginConfig {
                https_port: Some(i64::from(props.origin_https_port).into()),
                origin_ssl_protocols: Some(list(["TLSv1.2"])),
                origin_read_timeout: Some(i64::from(props.origin_read_timeout_seconds).into()),
                origin_keepalive_timeout: Some(
                    i64::from(props.origin_keepalive_timeout_seconds).into(),
                ),
                ..l1::CustomOriginConfig::new("https-only")
            }
            .into(),
        ),
        origin_custom_headers: origin_verify.map(|h| {
            list([Val::from(l1::OriginCustomHeader::new(
                h.name.as_str(),
                h.value.clone(),
            ))])
        }),
        ..l1::Origin::new(origin_domain_name, ORIGIN_ID)
    }
}

/// One gRPC-enabled, uncached behaviour per gRPC service and the default behaviour.
fn behaviors(props: &DistributionProps) -> (Vec<Val<l1::CacheBehavior>>, l1::DefaultCacheBehavior) {
    let orp = props.origin_request_policy.id();
    let behaviors: Vec<Val<l1::CacheBehavior>> = props
        .grpc_services
        .iter()
        .map(|g| {
            l1::CacheBehavior {
                allowed_methods: Some(list(ALL_METHODS)),
                cached_methods: Some(list(["GET", "HEAD"])),
                cache_policy_id: Some(CACHING_DISABLED.into()),
                origin_request_policy_id: Some(orp.into()),
                compress: Some(false.into()),
                grpc_config: Some(l1::GrpcConfig::new(true).into()),
                ..l1::CacheBehavior::new(format!("/{g}/*"), ORIGIN_ID, "https-only")
            }
            .into()
        })
        .collect();
    let default_behavior = l1::DefaultCacheBehavior {
        allowed_methods: Some(list(ALL_METHODS)),
        cached_methods: Some(list(["GET", "HEAD"])),
        cache_policy_id: Some(CACHING_DISABLED.into()),
        origin_request_policy_id: Some(orp.into()),
        compress: Some(false.into()),
        grpc_config: Some(l1::GrpcConfig::new(true).into()),
        ..l1::DefaultCacheBehavior::new(ORIGIN_ID, l1::ViewerProtocolPolicy::HttpsOnly)
    };
    (behaviors, default_behavior)
}

/// The logical id this construct's main resource gets (its path without `Default` segments).
fn scope_logical_id(s: &Scope<'_>) -> String {
    let p = s.path();
    let segs: Vec<&str> = p.split('/').collect();
    crate::core::logical_id_from_path(&segs)
}
