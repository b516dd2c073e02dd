//! The stacks of `grpc-eks-*`: the edge web ACL (us-east-1), the platform, and the service
//! stacks. Values cross stacks as typed handles: passing the platform's VPC or cluster to a
//! construct of a service stack makes the cross-stack reference (see
//! `formwork_constructs::core::xref`).

use formwork_assembly::OutputRef;
use formwork_constructs::acm::{Certificate, CertificateHandle};
use formwork_constructs::cloudfront::{
    CloudFrontPrefixList, Distribution, DistributionHandle, DistributionLogging, DistributionProps,
    OriginProtection, OriginVerifyHeader, PriceClass, ViewerCertificate,
};
use formwork_constructs::core::{App, Attr, Env, Error, Expr, Output, Scope, Stack};
use formwork_constructs::ec2::{
    self, Peer, SecurityGroup, SecurityGroupHandle, SecurityGroupProps, VpcHandle,
};
use formwork_constructs::ecr::{Repository, RepositoryProps};
use formwork_constructs::eks::{
    ClusterHandle, LoadBalancerControllerIdentity, LoadBalancerControllerProps,
};
use formwork_constructs::elbv2::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, DefaultAction, ExtraCondition,
    GrpcRoute, GrpcTargetGroup, GrpcTargetGroupProps, HttpsListener, HttpsListenerProps,
    ListenerHandle, TargetGroupHandle,
};
use formwork_constructs::route53::HostedZone;
use formwork_constructs::s3::{
    AlbLogPrincipal, Bucket, BucketHandle, BucketProps, CloudFrontLogging,
};
use formwork_constructs::sns::TopicArn;
use formwork_constructs::wafv2::{RateLimit, WebAcl, WebAclHandle, WebAclProps};

use super::config::{ComputeMode, EdgeConfig, EksConfig, PriceClassConfig, ServiceConfig};
use super::dns::{self, StackNames, stack_names};
use super::{EDGE_WAF, REGIONAL_WAF, blueprint_name, needs_edge_stack, service_stack_name, shards};
use crate::alarms;
use crate::common::pascal;
use crate::platform::{ClusterSpec, EksPlatform, admin_access_entries, eks_cluster, platform_key};

/// What the service stacks take from the platform (and edge) stacks.
struct Shared {
    vpc: VpcHandle,
    cluster: ClusterHandle,
    logs: BucketHandle,
    regional_acl: WebAclHandle,
    edge_acl: Option<WebAclHandle>,
    /// The alarm topics: in the Region, and in us-east-1 when the edge stack exists.
    alarm_topics: (Option<Attr<TopicArn>>, Option<Attr<TopicArn>>),
    /// The platform outputs the Kubernetes side reads.
    cluster_name: OutputRef,
    vpc_id: OutputRef,
}

/// The outputs the Kubernetes side and the runbook read, each named once, here.
pub(super) struct Published {
    /// The EKS cluster's name (the Load Balancer Controller's `clusterName`).
    pub cluster_name: OutputRef,
    /// The VPC id (the Load Balancer Controller's `vpcId`).
    pub vpc_id: OutputRef,
    /// Per service, in config order: its repository URI and target group ARN.
    pub services: Vec<(OutputRef, OutputRef)>,
    /// The host clients call: the first service stack's distribution (edge) or ALB.
    pub endpoint: OutputRef,
}

/// Adds every stack of the blueprint to `app`, in deploy order. `zone` is the zone of `dns:`.
pub(super) fn compose(
    app: &mut App,
    cfg: &EksConfig,
    cidr: ec2::Ipv4Cidr,
    zone: Option<&HostedZone>,
) -> Result<Published, Error> {
    let groups = shards(cfg);
    let names: Vec<StackNames> = (1..=groups.len())
        .map(|n| stack_names(cfg, zone, n))
        .collect();
    let (edge_acl, mut viewer_certs, edge_topic) = if needs_edge_stack(cfg) {
        let (acl, certs, topic) = edge_stack(app, cfg, zone, &names)?;
        (Some(acl), certs, topic)
    } else {
        (None, Vec::new(), None)
    };
    let mut shared = platform_stack(app, cfg, cidr, edge_acl)?;
    shared.alarm_topics.1 = edge_topic;
    let mut services = Vec::new();
    let mut watched = Vec::new();
    let mut endpoint = None;
    viewer_certs.resize(groups.len(), None);
    for (n, ((group, names), viewer)) in
        groups.into_iter().zip(&names).zip(viewer_certs).enumerate()
    {
        let name = service_stack_name(cfg, n + 1);
        let what = format!(
            "ALB{} and {} gRPC service(s)",
            if cfg.edge.is_some() {
                ", CloudFront"
            } else {
                ""
            },
            group.len()
        );
        let st = stack_with_tags(app, &name, &cfg.region, cfg, &what)?;
        let at = StackAt {
            zone,
            names,
            viewer,
        };
        let (host, outs) = service_stack(st, cfg, &shared, &at, &group, &mut watched)?;
        endpoint.get_or_insert(host);
        services.extend(outs);
    }
    if let (Some(topic), edge_topic) = shared.alarm_topics.clone() {
        alarms::add_alarm_stacks(
            app,
            &alarms::AlarmStacks {
                blueprint: blueprint_name(cfg),
                app: &cfg.name,
                region: &cfg.region,
                tags: &cfg.tags,
                config: &cfg.alarms,
                topic,
                edge_topic,
                services: watched,
            },
        )?;
    }
    Ok(Published {
        cluster_name: shared.cluster_name,
        vpc_id: shared.vpc_id,
        services,
        endpoint: endpoint.ok_or_else(|| Error::Stack {
            stack: cfg.name.clone(),
            message: "a blueprint needs at least one service".to_owned(),
        })?,
    })
}

fn stack_with_tags<'a>(
    app: &'a mut App,
    name: &str,
    region: &str,
    cfg: &EksConfig,
    what: &str,
) -> Result<&'a mut Stack, Error> {
    let st = app.add_stack(name, Env::region(region))?;
    st.set_description(format!(
        "formwork {}: {} — {what}",
        blueprint_name(cfg),
        cfg.name
    ));
    for (k, v) in &cfg.tags {
        st.add_tag(k, v);
    }
    Ok(st)
}

/// Adds an output and returns where it is, for the readers of the out dir.
fn out(
    st: &mut Stack,
    id: &str,
    value: impl Into<Expr>,
    description: &str,
) -> Result<OutputRef, Error> {
    st.add_output(id, Output::new(value, description))?;
    Ok(OutputRef::new(st.name(), id))
}

fn edge_rate(cfg: &EksConfig) -> u64 {
    cfg.edge.as_ref().map(|e| e.rate_limit).unwrap_or(2000)
}

/// What the edge stack hands on: its web ACL, each service stack's viewer certificate (with
/// `dns:`) and the alarm topic in us-east-1.
type EdgeStack = (
    WebAclHandle,
    Vec<Option<CertificateHandle>>,
    Option<Attr<TopicArn>>,
);

/// `<name>-edge` in us-east-1: the CLOUDFRONT-scope web ACL, the alarm topic there and, with
/// `dns:`, the viewer certificate of each service stack's distribution (CloudFront reads
/// certificates from us-east-1 only).
fn edge_stack(
    app: &mut App,
    cfg: &EksConfig,
    zone: Option<&HostedZone>,
    names: &[StackNames],
) -> Result<EdgeStack, Error> {
    let name = format!("{}-edge", cfg.name);
    let st = stack_with_tags(
        app,
        &name,
        "us-east-1",
        cfg,
        "CLOUDFRONT-scope web ACL and viewer certificates (must live in us-east-1)",
    )?;
    let mut root = st.root();
    let acl = edge_web_acl(&mut root, cfg)?;
    let topic =
        alarms::add_topic_and_waf_alarms(&mut root, &cfg.name, &cfg.alarms, &[(EDGE_WAF, &acl)])?;
    let mut certs = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let id = format!("ViewerCertificate{}", i + 1);
        certs.push(dns::viewer_certificate(&mut root, &id, cfg, zone, n)?);
    }
    out(
        st,
        "EdgeWebAclArn",
        acl.arn.clone(),
        "CLOUDFRONT-scope web ACL for the distributions",
    )?;
    Ok((acl, certs, topic))
}

fn edge_web_acl(
    root: &mut formwork_constructs::core::Scope<'_>,
    cfg: &EksConfig,
) -> Result<WebAclHandle, Error> {
    WebAcl::for_cloudfront(
        root,
        "EdgeWaf",
        WebAclProps {
            rate_limit: Some(RateLimit::per_ip(edge_rate(cfg))),
            ..WebAclProps::default()
        },
    )
}

/// `<name>`: KMS key, log bucket, VPC, EKS cluster with add-ons and the Load Balancer
/// Controller's identity, the regional web ACL (and the CLOUDFRONT one in us-east-1).
fn platform_stack(
    app: &mut App,
    cfg: &EksConfig,
    cidr: ec2::Ipv4Cidr,
    edge_acl: Option<WebAclHandle>,
) -> Result<Shared, Error> {
    let st = stack_with_tags(
        app,
        &cfg.name,
        &cfg.region,
        cfg,
        "network, EKS cluster, keys, logs and the regional WAF",
    )?;
    let mut root = st.root();
    let key = platform_key(&mut root, &cfg.name)?;
    let logs = Bucket::new(&mut root, "Logs", BucketProps::default())?;
    logs.allow_alb_access_logs(&mut root, "alb", AlbLogPrincipal::ServicePrincipal)?;
    if cfg.edge.is_some() {
        logs.allow_cloudfront_logs(&mut root, "cloudfront", CloudFrontLogging::Legacy)?;
    }
    let auto = cfg.cluster.compute == ComputeMode::AutoMode;
    let EksPlatform {
        vpc,
        cluster,
        pod_identity_agent,
    } = eks_cluster(
        &mut root,
        cidr,
        &cfg.vpc,
        ClusterSpec {
            name: &cfg.name,
            version: &cfg.cluster.version,
            auto_mode: auto,
            nodes: &cfg.cluster.nodes,
            public_access_cidrs: &cfg.cluster.public_access_cidrs,
        },
        &key,
    )?;
    if let Some(agent) = &pod_identity_agent {
        LoadBalancerControllerIdentity::new(
            &mut root,
            "LoadBalancerController",
            &cluster,
            LoadBalancerControllerProps {
                pod_identity_agent: Some(agent.logical_id().to_owned()),
                ..Default::default()
            },
        )?;
    }
    admin_access_entries(&mut root, &cluster, &cfg.cluster.admin_role_arns)?;
    // The ALBs' web ACL (gRPC-aware preset). Behind CloudFront the ALB sees edge IPs, so rate
    // limiting keys on X-Forwarded-For there.
    let rate_limit = if cfg.edge.is_some() {
        RateLimit::per_forwarded_ip(cfg.waf.rate_limit)
    } else {
        RateLimit::per_ip(cfg.waf.rate_limit)
    };
    let regional_acl = WebAcl::regional(
        &mut root,
        "RegionalWaf",
        WebAclProps {
            rate_limit: Some(rate_limit),
            ..WebAclProps::default()
        },
    )?;
    let edge_acl = match edge_acl {
        Some(acl) => Some(acl),
        None if cfg.edge.is_some() => Some(edge_web_acl(&mut root, cfg)?),
        None => None,
    };
    let mut acls = vec![(REGIONAL_WAF, &regional_acl)];
    if let Some(acl) = edge_acl.as_ref().filter(|_| !needs_edge_stack(cfg)) {
        acls.push((EDGE_WAF, acl));
    }
    let alarm_topic = alarms::add_topic_and_waf_alarms(&mut root, &cfg.name, &cfg.alarms, &acls)?;
    let subnet_ids = |subnets: &[ec2::SubnetHandle]| {
        Expr::join(",", subnets.iter().map(|s| s.id.expr().clone()).collect())
    };
    let vpc_id = out(
        st,
        "VpcId",
        vpc.id.clone(),
        "VPC id (Load Balancer Controller: --set vpcId)",
    )?;
    out(
        st,
        "PublicSubnetIds",
        subnet_ids(&vpc.public_subnets),
        "Public subnets (ALBs)",
    )?;
    out(
        st,
        "PrivateSubnetIds",
        subnet_ids(&vpc.private_subnets),
        "Private subnets (nodes and pods)",
    )?;
    let cluster_name = out(
        st,
        "ClusterName",
        cluster.name.clone(),
        "EKS cluster name (aws eks update-kubeconfig --name)",
    )?;
    out(
        st,
        "ClusterSecurityGroupId",
        cluster.security_group.id.clone(),
        "Cluster security group (pods on managed nodes and Auto Mode)",
    )?;
    out(
        st,
        "LogsBucketName",
        logs.name.clone(),
        "Bucket for ALB and CloudFront logs",
    )?;
    out(
        st,
        "LogsBucketDomainName",
        logs.domain_name.clone(),
        "Bucket domain name for CloudFront standard logging",
    )?;
    out(
        st,
        "RegionalWebAclArn",
        regional_acl.arn.clone(),
        "REGIONAL web ACL associated with every ALB",
    )?;
    if let Some(acl) = &edge_acl
        && !needs_edge_stack(cfg)
    {
        out(
            st,
            "EdgeWebAclArn",
            acl.arn.clone(),
            "CLOUDFRONT-scope web ACL for the distributions",
        )?;
    }
    Ok(Shared {
        vpc,
        cluster,
        logs,
        regional_acl,
        edge_acl,
        alarm_topics: (alarm_topic, None),
        cluster_name,
        vpc_id,
    })
}

/// The gRPC ports of a group of services, sorted, once each.
fn ports(group: &[&ServiceConfig]) -> Vec<u16> {
    let mut ports: Vec<u16> = group.iter().map(|s| s.port as u16).collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// The service stack's output with the ALB's DNS name (the runbook's DNS records read it too).
pub(super) const ALB_DNS_OUTPUT: &str = "AlbDnsName";
/// The service stack's output with the distribution's domain name (`grpc-eks-edge`).
pub(super) const DISTRIBUTION_DOMAIN_OUTPUT: &str = "DistributionDomainName";

/// Where a service stack stands: its number, the zone of `dns:`, its names, and the viewer
/// certificate the edge stack requested for it.
struct StackAt<'a> {
    zone: Option<&'a HostedZone>,
    names: &'a StackNames,
    viewer: Option<CertificateHandle>,
}

/// `<name>-services-<n>`: an ALB (security group, HTTPS listener, WAF association), for
/// `grpc-eks-edge` a CloudFront distribution, with `dns:` the certificates and records, and per
/// service an ECR repository, a target group and its listener rules. Returns the endpoint output
/// and, per service, the repository and target group outputs.
fn service_stack(
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
    let sg = alb_security_group(&mut root, cfg, &shared.vpc, edge.is_some(), group)?;
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
    let alb_log_prefix = format!("alb/{}", root.stack_ref().name());
    let alb = ApplicationLoadBalancer::new(
        &mut root,
        "Alb",
        &shared.vpc,
        &sg,
        ApplicationLoadBalancerProps {
            access_logs_bucket: Some(shared.logs.name.clone()),
            access_logs_prefix: alb_log_prefix,
            ..ApplicationLoadBalancerProps::default()
        },
    )?;
    let default_action = if edge.is_some() {
        OriginVerifyHeader::listener_default_action()
    } else {
        DefaultAction::Fixed {
            status: 404,
            body: "no route for this gRPC service".to_owned(),
        }
    };
    let alb_certificate = dns::alb_certificate(&mut root, cfg, at.zone, at.names)?;
    let https = HttpsListener::new(
        &mut root,
        "HttpsListener",
        &alb,
        &alb_certificate,
        HttpsListenerProps {
            default_action,
            ..HttpsListenerProps::default()
        },
    )?;
    formwork_constructs::wafv2::associate(
        &mut root,
        "AlbWafAssociation",
        &alb.arn,
        &shared.regional_acl,
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

/// The ALB's security group: egress only to the pods' ports in the VPC; ingress on 443 from
/// CloudFront's origin-facing prefix list (edge) or from anywhere.
fn alb_security_group(
    root: &mut formwork_constructs::core::Scope<'_>,
    cfg: &EksConfig,
    vpc: &VpcHandle,
    behind_cloudfront: bool,
    group: &[&ServiceConfig],
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
            egress: ports(group)
                .into_iter()
                .map(|p| ec2::EgressRule {
                    cidr: cfg.vpc.cidr.clone(),
                    from_port: p,
                    to_port: p,
                    description: format!("gRPC to pods on {p}"),
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
        (None, None) => dns::viewer_certificate(root, "ViewerCertificate", cfg, at.zone, at.names)?,
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
