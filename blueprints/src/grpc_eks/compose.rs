//! The stacks of `grpc-eks-*`: the edge web ACL (us-east-1), the platform, and the service
//! stacks. Values cross stacks as typed handles: passing the platform's VPC or cluster to a
//! construct of a service stack makes the cross-stack reference (see
//! `formwork_constructs::core::xref`). The service stacks' contents: `service_stack.rs`.

use formwork_assembly::OutputRef;
use formwork_constructs::core::{App, Attr, Error, Expr};
use formwork_constructs::ec2::{self, VpcHandle};
use formwork_constructs::eks::{
    ClusterHandle, LoadBalancerControllerIdentity, LoadBalancerControllerProps,
};
use formwork_constructs::route53::HostedZone;
use formwork_constructs::s3::{
    AlbLogPrincipal, Bucket, BucketHandle, BucketProps, CloudFrontLogging,
};
use formwork_constructs::sns::TopicArn;
use formwork_constructs::wafv2::{RateLimit, WebAcl, WebAclHandle, WebAclProps};

use super::config::{ComputeMode, EksConfig};
use super::service_stack::{StackAt, service_stack};
use super::{EDGE_WAF, REGIONAL_WAF, blueprint_name, needs_edge_stack, service_stack_name, shards};
use crate::alarms;
use crate::dns::{StackNames, stack_names};
use crate::front::compose::{Front, edge_stack, edge_web_acl, out, stack_with_tags};
use crate::platform::{ClusterSpec, EksPlatform, admin_access_entries, eks_cluster, platform_key};

/// What the service stacks take from the platform (and edge) stacks.
pub(super) struct Shared {
    pub vpc: VpcHandle,
    pub cluster: ClusterHandle,
    pub logs: BucketHandle,
    pub regional_acl: WebAclHandle,
    pub edge_acl: Option<WebAclHandle>,
    /// The alarm topics: in the Region, and in us-east-1 when the edge stack exists.
    pub alarm_topics: (Option<Attr<TopicArn>>, Option<Attr<TopicArn>>),
    /// The platform outputs the Kubernetes side reads.
    pub cluster_name: OutputRef,
    pub vpc_id: OutputRef,
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
        .map(|n| stack_names(&cfg.name, cfg.edge.as_ref(), zone, n))
        .collect();
    let (edge_acl, mut viewer_certs, edge_topic) = if needs_edge_stack(cfg) {
        let (acl, topic, certs) = edge_stack(app, &front(cfg, zone), &cfg.alarms, &names)?;
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
        let st = stack_with_tags(app, &front(cfg, zone), &name, &cfg.region, &what)?;
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

/// The shared front door's view of the config (`zone`: the zone of `dns:`).
pub(super) fn front<'a>(cfg: &'a EksConfig, zone: Option<&'a HostedZone>) -> Front<'a> {
    Front {
        blueprint: blueprint_name(cfg),
        name: &cfg.name,
        region: &cfg.region,
        certificate_arn: cfg.certificate_arn.as_deref(),
        zone,
        vpc_cidr: &cfg.vpc.cidr,
        waf: &cfg.waf,
        edge: cfg.edge.as_ref(),
        tags: &cfg.tags,
    }
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
        &front(cfg, None),
        &cfg.name,
        &cfg.region,
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
        None if cfg.edge.is_some() => Some(edge_web_acl(&mut root, &front(cfg, None))?),
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
