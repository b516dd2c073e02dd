//! The stacks' shared pieces in front of the compute: tagged stacks and their outputs, the
//! edge web ACL stack (us-east-1), the log bucket and the regional web ACL of the platform stack,
//! and per service stack the ALB (security group, HTTPS listener, WAF association) and, behind
//! CloudFront, the distribution with origin protection.

use formwork_assembly::OutputRef;
use formwork_constructs::acm::{Certificate, CertificateHandle};
use formwork_constructs::cloudfront::DistributionHandle;
use formwork_constructs::cloudfront::{
    CloudFrontPrefixList, Distribution, DistributionLogging, DistributionProps, OriginProtection,
    OriginVerifyHeader, PriceClass, ViewerCertificate,
};
use formwork_constructs::core::{App, Attr, Env, Error, Expr, Output, Scope, Stack};
use formwork_constructs::ec2::{
    self, Peer, SecurityGroup, SecurityGroupHandle, SecurityGroupProps, VpcHandle,
};
use formwork_constructs::elbv2::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, DefaultAction, ExtraCondition,
    HttpsListener, HttpsListenerProps, ListenerHandle, LoadBalancerHandle,
};
use formwork_constructs::route53::HostedZone;
use formwork_constructs::s3::{
    AlbLogPrincipal, Bucket, BucketHandle, BucketProps, CloudFrontLogging,
};
use formwork_constructs::sns::TopicArn;
use formwork_constructs::wafv2::{RateLimit, WebAcl, WebAclHandle, WebAclProps};

use super::{EdgeConfig, PriceClassConfig, WafConfig};
use crate::alarms::AlarmsConfig;
use crate::common::Tags;
use crate::dns::{self, StackNames};

/// The service stack's output with the ALB's DNS name (the runbook's DNS records read it too).
pub(crate) const ALB_DNS_OUTPUT: &str = "AlbDnsName";
/// The service stack's output with the distribution's domain name (`-edge` blueprints).
pub(crate) const DISTRIBUTION_DOMAIN_OUTPUT: &str = "DistributionDomainName";

/// What the shared pieces read from a blueprint's config.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Front<'a> {
    /// The blueprint's name (stack descriptions).
    pub blueprint: &'static str,
    /// The app name.
    pub name: &'a str,
    /// The workload's Region.
    pub region: &'a str,
    /// The ALB listener's regional certificate (`None`: requested in `zone`).
    pub certificate_arn: Option<&'a str>,
    /// The Route 53 zone of `dns:`: certificates not given are requested and validated there,
    /// and the stacks create the alias records.
    pub zone: Option<&'a HostedZone>,
    /// The VPC's CIDR (the ALB's egress).
    pub vpc_cidr: &'a str,
    /// The regional WAF.
    pub waf: &'a WafConfig,
    /// CloudFront, for the `-edge` blueprints.
    pub edge: Option<&'a EdgeConfig>,
    /// Tags of every stack.
    pub tags: &'a Tags,
}

impl Front<'_> {
    /// Whether the CLOUDFRONT web ACL needs its own stack (CloudFront outside us-east-1).
    pub(crate) fn needs_edge_stack(&self) -> bool {
        self.edge.is_some() && self.region != "us-east-1"
    }
}

/// Adds stack `name` with the blueprint's description and tags.
pub(crate) fn stack_with_tags<'a>(
    app: &'a mut App,
    f: &Front<'_>,
    name: &str,
    region: &str,
    what: &str,
) -> Result<&'a mut Stack, Error> {
    let st = app.add_stack(name, Env::region(region))?;
    st.set_description(format!("formwork {}: {} — {what}", f.blueprint, f.name));
    for (k, v) in f.tags {
        st.add_tag(k, v);
    }
    Ok(st)
}

/// Adds an output and returns where it is, for the readers of the out dir.
pub(crate) fn out(
    st: &mut Stack,
    id: &str,
    value: impl Into<Expr>,
    description: &str,
) -> Result<OutputRef, Error> {
    st.add_output(id, Output::new(value, description))?;
    Ok(OutputRef::new(st.name(), id))
}

fn edge_rate(f: &Front<'_>) -> u64 {
    f.edge.map(|e| e.rate_limit).unwrap_or(2000)
}

/// What the edge stack hands on: its web ACL, the us-east-1 alarm topic (with alarms) and, with
/// `dns:`, each service stack's viewer certificate.
pub(crate) type EdgeStack = (
    WebAclHandle,
    Option<Attr<TopicArn>>,
    Vec<Option<CertificateHandle>>,
);

/// `<name>-edge` in us-east-1: the CLOUDFRONT-scope web ACL, with alarms the us-east-1 alarm
/// topic (with the web ACL's alarm) and, with `dns:`, the viewer certificate of each service
/// stack (`names`, in order): CloudFront reads certificates from us-east-1 only.
pub(crate) fn edge_stack(
    app: &mut App,
    f: &Front<'_>,
    alarms: &AlarmsConfig,
    names: &[StackNames],
) -> Result<EdgeStack, Error> {
    let name = format!("{}-edge", f.name);
    let st = stack_with_tags(
        app,
        f,
        &name,
        "us-east-1",
        "CLOUDFRONT-scope web ACL and viewer certificates (must live in us-east-1)",
    )?;
    let mut root = st.root();
    let acl = edge_web_acl(&mut root, f)?;
    let topic =
        crate::alarms::add_topic_and_waf_alarms(&mut root, f.name, alarms, &[("EdgeWaf", &acl)])?;
    let mut certs = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let id = format!("ViewerCertificate{}", i + 1);
        certs.push(dns::viewer_certificate(&mut root, &id, f.edge, f.zone, n)?);
    }
    out(
        st,
        "EdgeWebAclArn",
        acl.arn.clone(),
        "CLOUDFRONT-scope web ACL for the distributions",
    )?;
    Ok((acl, topic, certs))
}

/// The CLOUDFRONT-scope web ACL (rate limit per client IP from `edge.rate_limit`).
pub(crate) fn edge_web_acl(root: &mut Scope<'_>, f: &Front<'_>) -> Result<WebAclHandle, Error> {
    WebAcl::for_cloudfront(
        root,
        "EdgeWaf",
        WebAclProps {
            rate_limit: Some(RateLimit::per_ip(edge_rate(f))),
            ..WebAclProps::default()
        },
    )
}

/// The platform's log bucket, open to ALB access logs and (edge) CloudFront standard logs.
pub(crate) fn logs_bucket(root: &mut Scope<'_>, f: &Front<'_>) -> Result<BucketHandle, Error> {
    let logs = Bucket::new(root, "Logs", BucketProps::default())?;
    logs.allow_alb_access_logs(root, "alb", AlbLogPrincipal::ServicePrincipal)?;
    if f.edge.is_some() {
        logs.allow_cloudfront_logs(root, "cloudfront", CloudFrontLogging::Legacy)?;
    }
    Ok(logs)
}

/// The ALBs' web ACL (gRPC-aware preset) and, in us-east-1, the CLOUDFRONT one (`edge_acl` is
/// the edge stack's when there is one). Behind CloudFront the ALB sees edge IPs, so rate
/// limiting keys on X-Forwarded-For there.
pub(crate) fn web_acls(
    root: &mut Scope<'_>,
    f: &Front<'_>,
    edge_acl: Option<WebAclHandle>,
) -> Result<(WebAclHandle, Option<WebAclHandle>), Error> {
    let rate_limit = if f.edge.is_some() {
        RateLimit::per_forwarded_ip(f.waf.rate_limit)
    } else {
        RateLimit::per_ip(f.waf.rate_limit)
    };
    let regional_acl = WebAcl::regional(
        root,
        "RegionalWaf",
        WebAclProps {
            rate_limit: Some(rate_limit),
            ..WebAclProps::default()
        },
    )?;
    let edge_acl = match edge_acl {
        Some(acl) => Some(acl),
        None if f.edge.is_some() => Some(edge_web_acl(root, f)?),
        None => None,
    };
    Ok((regional_acl, edge_acl))
}

/// The platform's outputs about the WAF: the regional web ACL and, when it lives here (us-east-1),
/// the CLOUDFRONT one.
pub(crate) fn web_acl_outputs(
    st: &mut Stack,
    f: &Front<'_>,
    regional_acl: &WebAclHandle,
    edge_acl: Option<&WebAclHandle>,
) -> Result<(), Error> {
    out(
        st,
        "RegionalWebAclArn",
        regional_acl.arn.clone(),
        "REGIONAL web ACL associated with every ALB",
    )?;
    if let Some(acl) = edge_acl
        && !f.needs_edge_stack()
    {
        out(
            st,
            "EdgeWebAclArn",
            acl.arn.clone(),
            "CLOUDFRONT-scope web ACL for the distributions",
        )?;
    }
    Ok(())
}

/// CloudFront in front of one service stack's ALB: the config, the web ACL and the secret
/// header the ALB's rules require.
pub(crate) struct EdgeParts<'a> {
    edge: &'a EdgeConfig,
    acl: WebAclHandle,
    header: OriginVerifyHeader,
}

impl EdgeParts<'_> {
    /// The condition every listener rule adds (the origin-verify header).
    pub(crate) fn conditions(parts: Option<&Self>) -> Vec<ExtraCondition> {
        parts
            .map(|p| vec![p.header.condition()])
            .unwrap_or_default()
    }
}

/// The service stack's parameters for CloudFront (the origin secret and the origin-facing
/// prefix list), when it has a distribution.
pub(crate) fn edge_parts<'a>(
    st: &mut Stack,
    f: &Front<'a>,
    edge_acl: Option<&WebAclHandle>,
) -> Result<Option<EdgeParts<'a>>, Error> {
    match (f.edge, edge_acl) {
        (Some(edge), Some(acl)) => {
            let header = OriginVerifyHeader::from_new_parameter(st, "OriginVerifySecret")?;
            CloudFrontPrefixList::parameter(st)?;
            Ok(Some(EdgeParts {
                edge,
                acl: acl.clone(),
                header,
            }))
        }
        _ => Ok(None),
    }
}

/// The ALB's security group: egress only to the targets' ports in the VPC; ingress on 443 from
/// CloudFront's origin-facing prefix list (edge) or from anywhere.
pub(crate) fn alb_security_group(
    root: &mut Scope<'_>,
    f: &Front<'_>,
    vpc: &VpcHandle,
    behind_cloudfront: bool,
    ports: &[u16],
    target_word: &str,
) -> Result<SecurityGroupHandle, Error> {
    let sg = SecurityGroup::new(
        root,
        "AlbSecurityGroup",
        &vpc.id,
        if behind_cloudfront {
            "gRPC ALB: HTTPS from CloudFront only"
        } else {
            "gRPC ALB: HTTPS from clients"
        },
        SecurityGroupProps {
            egress: ports
                .iter()
                .map(|&p| ec2::EgressRule {
                    cidr: f.vpc_cidr.to_owned(),
                    from_port: p,
                    to_port: p,
                    description: format!("gRPC to {target_word} on {p}"),
                })
                .collect(),
            restrict_egress: true,
        },
    )?;
    if behind_cloudfront {
        CloudFrontPrefixList::allow_ingress(root, "AlbFromCloudFront", &sg, 443)?;
    } else {
        ec2::allow_ingress(
            root,
            "AlbHttpsIngress",
            &sg,
            Peer::Cidr("0.0.0.0/0".into()),
            443,
            443,
            "HTTPS (gRPC over HTTP/2) from clients",
        )?;
    }
    Ok(sg)
}

/// The ALB (access logs to the platform bucket), its HTTPS listener (certificate given or, with
/// `dns:`, requested for `names.alb`; behind CloudFront the
/// default answer is 403, else a fixed 404) and the regional web ACL's association.
pub(crate) fn alb_with_listener(
    root: &mut Scope<'_>,
    f: &Front<'_>,
    vpc: &VpcHandle,
    sg: &SecurityGroupHandle,
    logs: &BucketHandle,
    regional_acl: &WebAclHandle,
    (behind_cloudfront, names): (bool, &StackNames),
) -> Result<(LoadBalancerHandle, ListenerHandle), Error> {
    let alb_log_prefix = format!("alb/{}", root.stack_ref().name());
    let alb = ApplicationLoadBalancer::new(
        root,
        "Alb",
        vpc,
        sg,
        ApplicationLoadBalancerProps {
            access_logs_bucket: Some(logs.name.clone()),
            access_logs_prefix: alb_log_prefix,
            ..ApplicationLoadBalancerProps::default()
        },
    )?;
    let default_action = if behind_cloudfront {
        OriginVerifyHeader::listener_default_action()
    } else {
        DefaultAction::Fixed {
            status: 404,
            body: "no route for this gRPC service".to_owned(),
        }
    };
    let certificate = dns::alb_certificate(root, f.certificate_arn, f.zone, names)?;
    let https = HttpsListener::new(
        root,
        "HttpsListener",
        &alb,
        &certificate,
        HttpsListenerProps {
            default_action,
            ..HttpsListenerProps::default()
        },
    )?;
    formwork_constructs::wafv2::associate(root, "AlbWafAssociation", &alb.arn, regional_acl)?;
    Ok((alb, https))
}

/// A service stack's endpoint outputs (the one clients call first) and its distribution.
pub(crate) type Endpoints = (Vec<NamedOutput>, Option<DistributionHandle>);

/// The endpoint outputs of a service stack, first the one clients call: without CloudFront
/// the ALB's DNS name; with it, the distribution (added here: origin `names.alb`, the viewer
/// certificate given, requested in the edge stack or here in us-east-1, the aliases, logs, web
/// ACL, secret-header origin protection) and then the ALB's name that the origin points to. With
/// `dns:` the stack's alias records too.
pub(crate) fn endpoint_outputs(
    root: &mut Scope<'_>,
    f: &Front<'_>,
    logs: &BucketHandle,
    alb: &LoadBalancerHandle,
    edge: Option<EdgeParts<'_>>,
    (names, viewer): (&StackNames, Option<CertificateHandle>),
) -> Result<Endpoints, Error> {
    let Some(EdgeParts {
        edge: e,
        acl,
        header,
    }) = edge
    else {
        dns::records(root, f.zone, names, alb, None)?;
        let alb_out = Output::new(
            alb.dns_name.clone(),
            "DNS name of the ALB (CNAME your gRPC hostname to it)",
        );
        return Ok((vec![(ALB_DNS_OUTPUT.to_owned(), alb_out)], None));
    };
    let viewer = match (&e.certificate_arn, viewer) {
        (Some(arn), _) => Some(Certificate::import(arn)?),
        (None, Some(c)) => Some(c),
        // In us-east-1 the service stack holds its own viewer certificate.
        (None, None) => dns::viewer_certificate(root, "ViewerCertificate", f.edge, f.zone, names)?,
    };
    let certificate = match viewer {
        Some(certificate) => ViewerCertificate::Acm {
            certificate,
            aliases: names.aliases.clone(),
        },
        None => ViewerCertificate::CloudFrontDefault,
    };
    let stack_name = root.stack_ref().name().to_owned();
    let Some(origin) = names.alb.clone() else {
        return Err(
            root.error("CloudFront needs `edge.origin_domain` or a `dns:` section".to_owned())
        );
    };
    let dist = Distribution::new(
        root,
        "Cdn",
        origin,
        DistributionProps {
            certificate,
            logging: Some(DistributionLogging::new(&logs.domain_name)),
            web_acl: Some(acl),
            price_class: match e.price_class {
                PriceClassConfig::PriceClass100 => PriceClass::PriceClass100,
                PriceClassConfig::PriceClass200 => PriceClass::PriceClass200,
                PriceClassConfig::PriceClassAll => PriceClass::PriceClassAll,
            },
            origin_protection: OriginProtection::SecretHeader(header),
            comment: Some(format!("{stack_name}: gRPC")),
            ..DistributionProps::default()
        },
    )?;
    dns::records(root, f.zone, names, alb, Some(&dist))?;
    let outputs = vec![
        (
            DISTRIBUTION_DOMAIN_OUTPUT.to_owned(),
            Output::new(
                dist.domain_name.clone(),
                "CloudFront domain name (CNAME your aliases to it)",
            ),
        ),
        (
            ALB_DNS_OUTPUT.to_owned(),
            Output::new(
                alb.dns_name.clone(),
                "DNS name of the ALB: CNAME the edge origin_domain to it",
            ),
        ),
    ];
    Ok((outputs, Some(dist)))
}

/// A stack output and its id.
pub(crate) type NamedOutput = (String, Output);

/// The gRPC ports of a group of services, sorted, once each.
pub(crate) fn unique_ports(ports: impl IntoIterator<Item = u16>) -> Vec<u16> {
    let mut ports: Vec<u16> = ports.into_iter().collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}
