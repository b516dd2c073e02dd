//! A `<name>-services-<n>` stack of `grpc-eks-*`: the ALB with its security group, HTTPS
//! listener and WAF association, for `grpc-eks-edge` the distribution, with `dns:` the
//! certificates and records, and per service an ECR repository, a target group and its routes.

use formwork_assembly::OutputRef;
use formwork_constructs::acm::{Certificate, CertificateHandle};
use formwork_constructs::cloudfront::{
    CloudFrontPrefixList, Distribution, DistributionHandle, DistributionLogging, DistributionProps,
    OriginProtection, OriginVerifyHeader, PriceClass, ViewerCertificate,
};
use formwork_constructs::core::{Error, Output, Scope, Stack};
use formwork_constructs::ec2::{self, Peer};
use formwork_constructs::ecr::{Repository, RepositoryProps};
use formwork_constructs::elbv2::{
    ExtraCondition, GrpcRoute, GrpcTargetGroup, GrpcTargetGroupProps, ListenerHandle,
    TargetGroupHandle,
};
use formwork_constructs::route53::HostedZone;
use formwork_constructs::wafv2::WebAclHandle;

use super::config::{ComputeMode, EdgeConfig, EksConfig, PriceClassConfig, ServiceConfig};
use crate::alarms;
use crate::common::pascal;
use crate::dns::{self, StackNames};
use crate::front::compose::{alb_security_group, alb_with_listener};

use super::compose::Shared;
/// The gRPC ports of a group of services, sorted, once each.
fn ports(group: &[&ServiceConfig]) -> Vec<u16> {
    let mut ports: Vec<u16> = group.iter().map(|s| s.port as u16).collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// The service stack's endpoint output names (the runbook's DNS records read them too).
use crate::front::compose::{ALB_DNS_OUTPUT, DISTRIBUTION_DOMAIN_OUTPUT};

/// Where a service stack stands: its number, the zone of `dns:`, its names, and the viewer
/// certificate the edge stack requested for it.
pub(super) struct StackAt<'a> {
    pub zone: Option<&'a HostedZone>,
    pub names: &'a StackNames,
    pub viewer: Option<CertificateHandle>,
}

/// `<name>-services-<n>`: an ALB (security group, HTTPS listener, WAF association), for
/// `grpc-eks-edge` a CloudFront distribution, with `dns:` the certificates and records, and per
/// service an ECR repository, a target group and its listener rules. Returns the endpoint output
/// and, per service, the repository and target group outputs.
pub(super) fn service_stack(
    st: &mut Stack,
    cfg: &EksConfig,
    shared: &Shared,
    at: &StackAt<'_>,
    group: &[&ServiceConfig],
    watched: &mut Vec<alarms::WatchedService>,
) -> Result<(OutputRef, Vec<(OutputRef, OutputRef)>), Error> {
    let edge = match (&cfg.edge, &shared.edge_acl) {
        (Some(e), Some(acl)) => {
            let header = OriginVerifyHeader::from_new_parameter(st, "OriginVerifySecret")?;
            CloudFrontPrefixList::parameter(st)?;
            Some((e, acl, header))
        }
        _ => None,
    };
    let mut root = st.root();
    let f = super::compose::front(cfg, at.zone);
    let sg = alb_security_group(
        &mut root,
        &f,
        &shared.vpc,
        edge.is_some(),
        &ports(group),
        "pods",
    )?;
    for p in ports(group) {
        ec2::allow_ingress(
            &mut root,
            &format!("PodsFromAlb{p}"),
            &shared.cluster.security_group,
            Peer::SecurityGroup(sg.id.clone()),
            p,
            p,
            &format!("gRPC from the ALB to pods on {p}"),
        )?;
    }
    let (alb, https) = alb_with_listener(
        &mut root,
        &f,
        &shared.vpc,
        &sg,
        &shared.logs,
        &shared.regional_acl,
        (edge.is_some(), at.names),
    )?;
    let extra = edge
        .as_ref()
        .map(|(_, _, h)| vec![h.condition()])
        .unwrap_or_default();
    let ServiceTargets {
        ids,
        outputs,
        targets,
    } = service_targets(&mut root, cfg, shared, &https, group, &extra)?;
    let mut endpoint = vec![(
        ALB_DNS_OUTPUT.to_owned(),
        Output::new(
            alb.dns_name.clone(),
            "DNS name of the ALB (CNAME your gRPC hostname to it)",
        ),
    )];
    let mut distribution = None;
    if let Some((e, acl, header)) = edge {
        let dist = edge_distribution(&mut root, cfg, shared, at, (e, acl, header))?;
        endpoint = vec![
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
        distribution = Some(dist);
    }
    dns::records(&mut root, at.zone, at.names, &alb, distribution.as_ref())?;
    let st = root.stack();
    let frontend = alarms::WatchedFrontend::new(pascal(st.name()), &alb, distribution.as_ref());
    watched.extend(
        targets
            .iter()
            .map(|(name, tg)| alarms::WatchedService::new(name, tg, &frontend)),
    );
    let host = OutputRef::new(st.name(), &endpoint[0].0);
    for (k, o) in endpoint.into_iter().chain(outputs) {
        st.add_output(&k, o)?;
    }
    let published = ids
        .iter()
        .map(|id| {
            (
                OutputRef::new(st.name(), format!("{id}RepositoryUri")),
                OutputRef::new(st.name(), format!("{id}TargetGroupArn")),
            )
        })
        .collect();
    Ok((host, published))
}

/// Per service of a stack: its ECR repository, gRPC target group and listener rules.
struct ServiceTargets<'a> {
    /// The services' construct ids, in config order.
    ids: Vec<String>,
    /// The repository and target group outputs.
    outputs: Vec<(String, Output)>,
    /// Each service's name and target group, for its alarms.
    targets: Vec<(&'a str, TargetGroupHandle)>,
}

/// Adds each service's repository, target group (Auto Mode: tagged for its controller) and
/// routes on `https` (each also matching `extra`, the origin check behind CloudFront).
fn service_targets<'a>(
    root: &mut Scope<'_>,
    cfg: &EksConfig,
    shared: &Shared,
    https: &ListenerHandle,
    group: &[&'a ServiceConfig],
    extra: &[ExtraCondition],
) -> Result<ServiceTargets<'a>, Error> {
    let auto = cfg.cluster.compute == ComputeMode::AutoMode;
    let mut outputs: Vec<(String, Output)> = Vec::new();
    let mut targets = Vec::new();
    let ids: Vec<String> = group.iter().map(|s| pascal(&s.name)).collect();
    for (i, (svc, id)) in group.iter().zip(&ids).enumerate() {
        let mut s = root.child(id)?;
        let repo = Repository::new(
            &mut s,
            "Repository",
            RepositoryProps {
                repository_name: Some(format!("{}/{}", cfg.name, svc.name)),
                ..RepositoryProps::default()
            },
        )?;
        // Auto Mode's controller only registers targets in groups tagged with the cluster name.
        let tags = if auto {
            vec![(
                "eks:eks-cluster-name".to_owned(),
                shared.cluster.name.clone().into(),
            )]
        } else {
            Vec::new()
        };
        let tg = GrpcTargetGroup::new(
            &mut s,
            "TargetGroup",
            &shared.vpc.id,
            svc.port as u16,
            GrpcTargetGroupProps {
                health_check_path: svc.health_check.path.clone(),
                healthy_grpc_codes: svc.health_check.grpc_codes.clone(),
                tags,
                ..GrpcTargetGroupProps::default()
            },
        )?;
        GrpcRoute::new(
            &mut s,
            "Route",
            https,
            10 * (i as u32 + 1),
            &svc.grpc_services,
            &tg,
            extra,
        )?;
        targets.push((svc.name.as_str(), tg.clone()));
        outputs.push((
            format!("{id}RepositoryUri"),
            Output::new(repo.uri.clone(), format!("ECR repository of {}", svc.name)),
        ));
        outputs.push((
            format!("{id}TargetGroupArn"),
            Output::new(
                tg.arn.clone(),
                format!("Target group of {} (TargetGroupBinding)", svc.name),
            ),
        ));
    }
    Ok(ServiceTargets {
        ids,
        outputs,
        targets,
    })
}

/// The stack's distribution: the viewer certificate (given, requested in the edge stack, or
/// here in us-east-1), the origin name, logs, the CLOUDFRONT web ACL and the origin secret.
fn edge_distribution(
    root: &mut Scope<'_>,
    cfg: &EksConfig,
    shared: &Shared,
    at: &StackAt<'_>,
    (e, acl, header): (&EdgeConfig, &WebAclHandle, OriginVerifyHeader),
) -> Result<DistributionHandle, Error> {
    let viewer = match (&e.certificate_arn, &at.viewer) {
        (Some(arn), _) => Some(Certificate::import(arn)?),
        (None, Some(c)) => Some(c.clone()),
        // In us-east-1 the service stack holds its own viewer certificate.
        (None, None) => dns::viewer_certificate(
            root,
            "ViewerCertificate",
            cfg.edge.as_ref(),
            at.zone,
            at.names,
        )?,
    };
    let certificate = match viewer {
        Some(certificate) => ViewerCertificate::Acm {
            certificate,
            aliases: at.names.aliases.clone(),
        },
        None => ViewerCertificate::CloudFrontDefault,
    };
    let origin = at.names.alb.clone().ok_or_else(|| {
        root.error("CloudFront needs `edge.origin_domain` or a `dns:` section".to_owned())
    })?;
    let stack_name = root.stack_ref().name().to_owned();
    Distribution::new(
        root,
        "Cdn",
        origin,
        DistributionProps {
            certificate,
            logging: Some(DistributionLogging::new(&shared.logs.domain_name)),
            web_acl: Some(acl.clone()),
            price_class: match e.price_class {
                PriceClassConfig::PriceClass100 => PriceClass::PriceClass100,
                PriceClassConfig::PriceClass200 => PriceClass::PriceClass200,
                PriceClassConfig::PriceClassAll => PriceClass::PriceClassAll,
            },
            origin_protection: OriginProtection::SecretHeader(header),
            comment: Some(format!("{stack_name}: gRPC")),
            ..DistributionProps::default()
        },
    )
}
