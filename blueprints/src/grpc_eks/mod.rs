//! `grpc-eks-alb` and `grpc-eks-edge`: gRPC services on EKS behind an internet-facing ALB
//! (HTTP/2 end to end, one gRPC target group per service, routed by `/package.Service/*`),
//! with a regional WAF; `grpc-eks-edge` adds CloudFront with gRPC, a CLOUDFRONT-scope WAF and
//! origin protection.
//!
//! Stacks, in deploy order:
//! 1. `<name>-edge` (us-east-1, only for `grpc-eks-edge` outside us-east-1): the CLOUDFRONT web ACL.
//! 2. `<name>` (the Region): KMS key, log bucket, VPC, EKS cluster with its add-ons and the Load
//!    Balancer Controller's identity, the regional web ACL (and the CLOUDFRONT one in us-east-1).
//! 3. `<name>-services-<n>`: per group of `services_per_stack` services, an ALB (security group,
//!    HTTPS listener, WAF association), for `grpc-eks-edge` a CloudFront distribution, and per
//!    service an ECR repository, a target group and its listener rules. Values cross stacks as
//!    parameters whose sources `manifest.json` records — no exports, custom resources or SSM.

mod config;

use std::collections::BTreeMap;

use formwork_constructs::cloudfront::{
    CloudFrontPrefixList, Distribution, DistributionLogging, DistributionProps, OriginProtection,
    OriginVerifyHeader, PriceClass, ViewerCertificate,
};
use formwork_constructs::core::{
    App, Attr, Env, Error, Expr, Output, ParamSource, Parameter, Stack, Val,
};
use formwork_constructs::ec2::{
    self, Peer, SecurityGroup, SecurityGroupHandle, SecurityGroupProps,
};
use formwork_constructs::ecr::{Repository, RepositoryProps};
use formwork_constructs::eks::{LoadBalancerControllerIdentity, LoadBalancerControllerProps};
use formwork_constructs::elbv2::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, DefaultAction, GrpcRoute,
    GrpcTargetGroup, GrpcTargetGroupProps, HttpsListener, HttpsListenerProps, check_grpc_codes,
    check_grpc_path, check_grpc_service_name,
};
use formwork_constructs::s3::{AlbLogPrincipal, Bucket, BucketProps, CloudFrontLogging};
use formwork_constructs::wafv2::{RateLimit, WebAcl, WebAclProps};
use serde_json::{Value, json};

pub use config::{
    ClusterConfig, ComputeMode, EdgeConfig, EksBlueprintName, EksConfig, HpaConfig, NodesConfig,
    PriceClassConfig, ServiceConfig, WafConfig,
};

use crate::common::pascal;
use crate::common::{check_arn, check_name, check_region, check_tags};
use crate::config::ConfigError;
use crate::k8s::{
    Hpa, LBC_VALUES_FILE, TargetGroupBindingApi, Workload, lbc_helm_values, merge_manifests,
    placeholder, workloads_manifests,
};
use crate::platform::{ClusterSpec, EksPlatform, admin_access_entries, eks_cluster, platform_key};
use crate::runbook::{
    ClusterStep, Endpoint, OutputRef, ParamValue, Placeholder, RunbookContext, ServiceStep,
};
use crate::{Blueprint, Synth};

/// Types the EKS blueprints emit, costliest schemas first (see [`Blueprint::resource_types`]).
const EKS_TYPES: &[&str] = &[
    "AWS::CloudFront::Distribution",
    "AWS::WAFv2::WebACL",
    "AWS::S3::Bucket",
    "AWS::EKS::Cluster",
    "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::EKS::Nodegroup",
    "AWS::KMS::Key",
    "AWS::IAM::Role",
    "AWS::ECR::Repository",
    "AWS::EC2::Subnet",
    "AWS::EC2::VPC",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::NatGateway",
    "AWS::EC2::EIP",
    "AWS::EC2::Route",
    "AWS::EC2::RouteTable",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EKS::Addon",
    "AWS::EKS::AccessEntry",
    "AWS::EKS::PodIdentityAssociation",
    "AWS::IAM::Policy",
    "AWS::KMS::Alias",
    "AWS::Logs::LogGroup",
    "AWS::S3::BucketPolicy",
    "AWS::WAFv2::WebACLAssociation",
];

/// The `grpc-eks-alb` registry entry.
pub const ALB: Blueprint = Blueprint {
    name: "grpc-eks-alb",
    summary: "EKS + ECR behind an internet-facing gRPC ALB with a regional WAF",
    example: include_str!("../../examples/grpc-eks-alb.yaml"),
    schema: schema_alb,
    build: build_value,
    resource_types: EKS_TYPES,
};

/// The `grpc-eks-edge` registry entry.
pub const EDGE: Blueprint = Blueprint {
    name: "grpc-eks-edge",
    summary: "grpc-eks-alb plus CloudFront with gRPC, a CLOUDFRONT WAF and origin protection",
    example: include_str!("../../examples/grpc-eks-edge.yaml"),
    schema: schema_edge,
    build: build_value,
    resource_types: EKS_TYPES,
};

fn base_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(EksConfig)).unwrap_or(Value::Null)
}

/// The schema of `grpc-eks-alb`: the shared config with `blueprint` fixed and no `edge`.
pub fn schema_alb() -> Value {
    let mut s = base_schema();
    s["title"] = json!("grpc-eks-alb config");
    s["properties"]["blueprint"] =
        json!({"const": "grpc-eks-alb", "description": "Always `grpc-eks-alb`."});
    if let Some(p) = s["properties"].as_object_mut() {
        p.remove("edge");
    }
    if let Some(d) = s.get_mut("$defs").and_then(Value::as_object_mut) {
        d.remove("EdgeConfig");
        d.remove("PriceClassConfig");
        d.remove("EksBlueprintName");
    }
    s
}

/// The schema of `grpc-eks-edge`: the shared config with `blueprint` fixed and `edge` required.
pub fn schema_edge() -> Value {
    let mut s = base_schema();
    s["title"] = json!("grpc-eks-edge config");
    s["properties"]["blueprint"] =
        json!({"const": "grpc-eks-edge", "description": "Always `grpc-eks-edge`."});
    s["properties"]["edge"] =
        json!({"$ref": "#/$defs/EdgeConfig", "description": "CloudFront in front of the ALB."});
    if let Some(r) = s["required"].as_array_mut() {
        r.push(json!("edge"));
    }
    if let Some(d) = s.get_mut("$defs").and_then(Value::as_object_mut) {
        d.remove("EksBlueprintName");
    }
    s
}

fn build_value(v: &Value) -> Result<Synth, Vec<ConfigError>> {
    let cfg: EksConfig = crate::config::deserialize(v).map_err(|e| vec![e])?;
    build(&cfg)
}

/// Which services go to which `<name>-services-<n>` stack (1-based), in config order.
pub fn shards(cfg: &EksConfig) -> Vec<Vec<&ServiceConfig>> {
    let per = cfg.services_per_stack.max(1) as usize;
    cfg.services
        .chunks(per)
        .map(|c| c.iter().collect())
        .collect()
}

/// Semantic checks beyond the schema.
pub fn check(cfg: &EksConfig) -> Vec<ConfigError> {
    let mut errs = Vec::new();
    check_name("/name", &cfg.name, 20, &mut errs);
    check_region("/region", &cfg.region, &mut errs);
    check_arn(
        "/certificate_arn",
        &cfg.certificate_arn,
        "acm",
        Some(&cfg.region),
        "certificate/",
        &mut errs,
    );
    cfg.vpc.check("/vpc", &mut errs);
    check_tags("/tags", &cfg.tags, &mut errs);
    crate::platform::check_cluster(
        "/cluster",
        &cfg.cluster.nodes,
        &cfg.cluster.public_access_cidrs,
        &cfg.cluster.admin_role_arns,
        &mut errs,
    );
    let edge_bp = cfg.blueprint == EksBlueprintName::GrpcEksEdge;
    match (&cfg.edge, edge_bp) {
        (None, true) => errs.push(ConfigError::at(
            "",
            "grpc-eks-edge needs an `edge:` section (origin_domain, …)",
        )),
        (Some(_), false) => errs.push(ConfigError::at(
            "/edge",
            "grpc-eks-alb has no CloudFront; use `blueprint: grpc-eks-edge` for an `edge:` section",
        )),
        _ => {}
    }
    if let Some(e) = &cfg.edge {
        let stacks = shards(cfg).len();
        if stacks > 1 {
            // Each service stack has its own ALB and distribution: each needs its own origin
            // hostname, and CloudFront refuses an alias that another distribution uses.
            if !e.origin_domain.contains("{n}") {
                errs.push(ConfigError::at(
                    "/edge/origin_domain",
                    format!(
                        "{} services make {stacks} service stacks, each with its own ALB: write `{{n}}` in origin_domain (e.g. origin-{{n}}.example.com) so each ALB gets its own origin hostname",
                        cfg.services.len()
                    ),
                ));
            }
            for (i, a) in e.aliases.iter().enumerate() {
                if !a.contains("{n}") {
                    errs.push(ConfigError::at(
                        format!("/edge/aliases/{i}"),
                        format!("{stacks} distributions cannot share alias `{a}` (CloudFront refuses a CNAME used twice): write `{{n}}` in it, e.g. api-{{n}}.example.com"),
                    ));
                }
            }
        }
        let d = &e.origin_domain.replace("{n}", "1");
        if d.ends_with(".elb.amazonaws.com") {
            errs.push(ConfigError::at(
                "/edge/origin_domain",
                "the ALB's own *.elb.amazonaws.com name is not on its certificate, so CloudFront would answer 502; use a hostname on `certificate_arn` and point it (CNAME) at the ALB",
            ));
        } else if !valid_hostname(d) {
            errs.push(ConfigError::at(
                "/edge/origin_domain",
                format!("`{d}` is not a DNS hostname"),
            ));
        }
        if let Some(c) = &e.certificate_arn {
            check_arn(
                "/edge/certificate_arn",
                c,
                "acm",
                Some("us-east-1"),
                "certificate/",
                &mut errs,
            );
            if e.aliases.is_empty() {
                errs.push(ConfigError::at(
                    "/edge/aliases",
                    "a viewer certificate needs at least one alias (a hostname on it)",
                ));
            }
        } else if !e.aliases.is_empty() {
            errs.push(ConfigError::at(
                "/edge/aliases",
                "aliases need `certificate_arn` (a us-east-1 ACM certificate covering them)",
            ));
        }
        for (i, a) in e.aliases.iter().enumerate() {
            if !valid_hostname(a.replace("{n}", "1").trim_start_matches("*.")) {
                errs.push(ConfigError::at(
                    format!("/edge/aliases/{i}"),
                    format!("`{a}` is not a DNS hostname"),
                ));
            }
        }
    }
    let names: Vec<&str> = cfg.services.iter().map(|s| s.name.as_str()).collect();
    crate::common::check_service_names(&names, &mut errs);
    let mut grpc = BTreeMap::new();
    for (i, s) in cfg.services.iter().enumerate() {
        let p = format!("/services/{i}");
        for (j, g) in s.grpc_services.iter().enumerate() {
            if let Err(m) = check_grpc_service_name(g) {
                errs.push(ConfigError::at(format!("{p}/grpc_services/{j}"), m));
            }
            if let Some(other) = grpc.insert(g.clone(), s.name.clone()) {
                errs.push(ConfigError::at(
                    format!("{p}/grpc_services/{j}"),
                    format!("gRPC service `{g}` is already routed to service `{other}`"),
                ));
            }
        }
        if s.image_tag == "latest" {
            errs.push(ConfigError::at(
                format!("{p}/image_tag"),
                "`latest` cannot be deployed from an immutable repository; give a version such as 1.4.2",
            ));
        }
        if let Some(h) = &s.hpa
            && h.min > h.max
        {
            errs.push(ConfigError::at(
                format!("{p}/hpa"),
                format!("hpa.min {} is above hpa.max {}", h.min, h.max),
            ));
        }
        if let Err(m) = check_grpc_path(&s.health_check.path) {
            errs.push(ConfigError::at(format!("{p}/health_check/path"), m));
        }
        if let Err(m) = check_grpc_codes(&s.health_check.grpc_codes) {
            errs.push(ConfigError::at(format!("{p}/health_check/grpc_codes"), m));
        }
    }
    errs
}

fn valid_hostname(h: &str) -> bool {
    h.len() <= 253
        && h.contains('.')
        && h.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// The name of the `n`-th (1-based) service stack.
pub fn service_stack_name(cfg: &EksConfig, n: usize) -> String {
    format!("{}-services-{n}", cfg.name)
}

/// The stack names, in deploy order.
pub fn stack_names(cfg: &EksConfig) -> Vec<String> {
    let mut out = Vec::new();
    if needs_edge_stack(cfg) {
        out.push(format!("{}-edge", cfg.name));
    }
    out.push(cfg.name.clone());
    for i in 0..shards(cfg).len() {
        out.push(service_stack_name(cfg, i + 1));
    }
    out
}

fn needs_edge_stack(cfg: &EksConfig) -> bool {
    cfg.edge.is_some() && cfg.region != "us-east-1"
}

/// Builds the app, the Kubernetes manifests and the runbook.
pub fn build(cfg: &EksConfig) -> Result<Synth, Vec<ConfigError>> {
    let errs = check(cfg);
    if !errs.is_empty() {
        return Err(errs);
    }
    let cidr = cfg
        .vpc
        .cidr
        .parse::<ec2::Ipv4Cidr>()
        .map_err(|m| vec![ConfigError::at("/vpc/cidr", m)])?;
    let mut app = App::new();
    compose(&mut app, cfg, cidr).map_err(|e| vec![ConfigError::at("", e.to_string())])?;
    let (files, runbook) = workload(cfg).map_err(|m| vec![ConfigError::at("", m)])?;
    Ok(Synth {
        app,
        files,
        runbook: Some(runbook),
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

fn blueprint_name(cfg: &EksConfig) -> &'static str {
    match cfg.blueprint {
        EksBlueprintName::GrpcEksAlb => "grpc-eks-alb",
        EksBlueprintName::GrpcEksEdge => "grpc-eks-edge",
    }
}

fn out(st: &mut Stack, id: &str, value: impl Into<Expr>, description: &str) -> Result<(), Error> {
    st.add_output(id, Output::new(value, description))
}

/// Adds a parameter fed by another stack's output.
fn wired<K>(
    st: &mut Stack,
    id: &str,
    type_: &str,
    description: &str,
    from: &str,
    output: &str,
) -> Result<Attr<K>, Error> {
    let a = st.add_parameter(id, Parameter::of_type(type_, description))?;
    st.set_parameter_source(
        id,
        ParamSource::StackOutput {
            stack: from.to_owned(),
            output: output.to_owned(),
        },
    )?;
    Ok(a)
}

fn compose(app: &mut App, cfg: &EksConfig, cidr: ec2::Ipv4Cidr) -> Result<(), Error> {
    let platform = cfg.name.clone();
    let edge_rate = cfg.edge.as_ref().map(|e| e.rate_limit).unwrap_or(2000);

    // 1. The edge stack (us-east-1) when the workload Region is another one.
    let edge_acl_source: Option<(String, String)> = if needs_edge_stack(cfg) {
        let name = format!("{}-edge", cfg.name);
        let st = stack_with_tags(
            app,
            &name,
            "us-east-1",
            cfg,
            "CLOUDFRONT-scope web ACL (must live in us-east-1)",
        )?;
        let mut root = st.root();
        let acl = WebAcl::for_cloudfront(
            &mut root,
            "EdgeWaf",
            WebAclProps {
                rate_limit: Some(RateLimit::per_ip(edge_rate)),
                ..WebAclProps::default()
            },
        )?;
        out(
            st,
            "EdgeWebAclArn",
            acl.arn.clone(),
            "CLOUDFRONT-scope web ACL for the distributions",
        )?;
        Some((name, "EdgeWebAclArn".to_owned()))
    } else {
        None
    };

    // 2. The platform stack.
    let st = stack_with_tags(
        app,
        &platform,
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
                pod_identity_agent: Some(agent.logical_id.clone()),
                ..Default::default()
            },
        )?;
    }
    admin_access_entries(&mut root, &cluster, &cfg.cluster.admin_role_arns)?;
    // The ALBs' web ACL (gRPC-aware preset: CRS body rules count instead of block). Behind
    // CloudFront the ALB sees edge IPs, so rate limiting keys on X-Forwarded-For there.
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
    )?
    .arn;
    let edge_acl_in_platform = if cfg.edge.is_some() && !needs_edge_stack(cfg) {
        let acl = WebAcl::for_cloudfront(
            &mut root,
            "EdgeWaf",
            WebAclProps {
                rate_limit: Some(RateLimit::per_ip(edge_rate)),
                ..WebAclProps::default()
            },
        )?;
        Some(acl)
    } else {
        None
    };
    out(
        st,
        "VpcId",
        vpc.id.clone(),
        "VPC id (Load Balancer Controller: --set vpcId)",
    )?;
    out(
        st,
        "PublicSubnetIds",
        Expr::join(
            ",",
            vpc.public_subnets
                .iter()
                .map(|s| s.id.expr().clone())
                .collect(),
        ),
        "Public subnets (ALBs)",
    )?;
    out(
        st,
        "PrivateSubnetIds",
        Expr::join(
            ",",
            vpc.private_subnets
                .iter()
                .map(|s| s.id.expr().clone())
                .collect(),
        ),
        "Private subnets (nodes and pods)",
    )?;
    out(
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
        regional_acl.clone(),
        "REGIONAL web ACL associated with every ALB",
    )?;
    let edge_acl_source = match (edge_acl_source, edge_acl_in_platform) {
        (Some(s), _) => Some(s),
        (None, Some(acl)) => {
            out(
                st,
                "EdgeWebAclArn",
                acl.arn.clone(),
                "CLOUDFRONT-scope web ACL for the distributions",
            )?;
            Some((platform.clone(), "EdgeWebAclArn".to_owned()))
        }
        (None, None) => None,
    };

    // 3. The service stacks.
    for (n, group) in shards(cfg).into_iter().enumerate() {
        let name = service_stack_name(cfg, n + 1);
        let st = stack_with_tags(
            app,
            &name,
            &cfg.region,
            cfg,
            &format!(
                "ALB{} and {} gRPC service(s)",
                if cfg.edge.is_some() {
                    ", CloudFront"
                } else {
                    ""
                },
                group.len()
            ),
        )?;
        service_stack(
            st,
            cfg,
            &platform,
            edge_acl_source.as_ref(),
            auto,
            n + 1,
            &group,
        )?;
    }
    Ok(())
}

fn service_stack(
    st: &mut Stack,
    cfg: &EksConfig,
    platform: &str,
    edge_acl: Option<&(String, String)>,
    auto: bool,
    shard: usize,
    group: &[&ServiceConfig],
) -> Result<(), Error> {
    let shard_no = shard.to_string();
    let vpc_id: Attr<ec2::VpcId> = wired(
        st,
        "VpcId",
        "AWS::EC2::VPC::Id",
        "VPC of the platform stack",
        platform,
        "VpcId",
    )?;
    let subnets: Attr<()> = wired(
        st,
        "PublicSubnetIds",
        "List<AWS::EC2::Subnet::Id>",
        "Public subnets for the ALB",
        platform,
        "PublicSubnetIds",
    )?;
    let cluster_sg: Attr<ec2::SecurityGroupId> = wired(
        st,
        "ClusterSecurityGroupId",
        "AWS::EC2::SecurityGroup::Id",
        "The EKS cluster security group (pods)",
        platform,
        "ClusterSecurityGroupId",
    )?;
    // Auto Mode's controller only registers targets in groups tagged with the cluster name.
    let cluster_name: Option<Attr<()>> = if auto {
        Some(wired(
            st,
            "ClusterName",
            "String",
            "EKS cluster name",
            platform,
            "ClusterName",
        )?)
    } else {
        None
    };
    let logs_bucket: Attr<()> = wired(
        st,
        "LogsBucketName",
        "String",
        "Log bucket",
        platform,
        "LogsBucketName",
    )?;
    let regional_acl: Attr<()> = wired(
        st,
        "RegionalWebAclArn",
        "String",
        "REGIONAL web ACL",
        platform,
        "RegionalWebAclArn",
    )?;
    let edge = match (&cfg.edge, edge_acl) {
        (Some(e), Some((acl_stack, acl_out))) => {
            let acl: Attr<()> = wired(
                st,
                "EdgeWebAclArn",
                "String",
                "CLOUDFRONT-scope web ACL",
                acl_stack,
                acl_out,
            )?;
            let logs_domain: Attr<()> = wired(
                st,
                "LogsBucketDomainName",
                "String",
                "Log bucket domain name",
                platform,
                "LogsBucketDomainName",
            )?;
            let header = OriginVerifyHeader::from_new_parameter(st, "OriginVerifySecret")?;
            CloudFrontPrefixList::parameter(st)?;
            Some((e, acl, logs_domain, header))
        }
        _ => None,
    };
    let mut root = st.root();
    let sg = SecurityGroup::new(
        &mut root,
        "AlbSecurityGroup",
        &vpc_id,
        if edge.is_some() {
            "gRPC ALB: HTTPS from CloudFront only"
        } else {
            "gRPC ALB: HTTPS from clients"
        },
        SecurityGroupProps {
            egress: {
                let mut ports: Vec<u16> = group.iter().map(|s| s.port as u16).collect();
                ports.sort_unstable();
                ports.dedup();
                ports
                    .into_iter()
                    .map(|p| ec2::EgressRule {
                        cidr: cfg.vpc.cidr.clone(),
                        from_port: p,
                        to_port: p,
                        description: format!("gRPC to pods on {p}"),
                    })
                    .collect()
            },
            restrict_egress: true,
        },
    )?;
    if edge.is_some() {
        CloudFrontPrefixList::allow_ingress(&mut root, "AlbFromCloudFront", &sg, 443)?;
    } else {
        ec2::allow_ingress(
            &mut root,
            "AlbHttpsIngress",
            &sg,
            Peer::Cidr("0.0.0.0/0".into()),
            443,
            443,
            "HTTPS (gRPC over HTTP/2) from clients",
        )?;
    }
    let cluster_sg_handle = SecurityGroupHandle {
        logical_id: "ClusterSecurityGroupId".into(),
        id: cluster_sg,
    };
    let mut ports: Vec<u16> = group.iter().map(|s| s.port as u16).collect();
    ports.sort_unstable();
    ports.dedup();
    for p in &ports {
        ec2::allow_ingress(
            &mut root,
            &format!("PodsFromAlb{p}"),
            &cluster_sg_handle,
            Peer::SecurityGroup(sg.id.clone()),
            *p,
            *p,
            &format!("gRPC from the ALB to pods on {p}"),
        )?;
    }
    let alb_log_prefix = format!("alb/{}", root.stack_ref().name());
    let alb = ApplicationLoadBalancer::in_subnets(
        &mut root,
        "Alb",
        Val::Expr(subnets.into_expr()),
        &sg,
        ApplicationLoadBalancerProps {
            access_logs_bucket: Some(Val::Expr(logs_bucket.into_expr())),
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
    let https = HttpsListener::new(
        &mut root,
        "HttpsListener",
        &alb,
        cfg.certificate_arn.as_str(),
        HttpsListenerProps {
            default_action,
            ..HttpsListenerProps::default()
        },
    )?;
    formwork_constructs::wafv2::associate(
        &mut root,
        "AlbWafAssociation",
        &alb.arn,
        Val::Expr(regional_acl.into_expr()),
    )?;
    let extra = edge
        .as_ref()
        .map(|(_, _, _, h)| vec![h.condition()])
        .unwrap_or_default();
    let mut outputs: Vec<(String, Output)> = Vec::new();
    for (i, svc) in group.iter().enumerate() {
        let id = pascal(&svc.name);
        let mut s = root.child(&id)?;
        let repo = Repository::new(
            &mut s,
            "Repository",
            RepositoryProps {
                repository_name: Some(format!("{}/{}", cfg.name, svc.name)),
                ..RepositoryProps::default()
            },
        )?;
        let mut tags = Vec::new();
        if let Some(c) = &cluster_name {
            tags.push((
                "eks:eks-cluster-name".to_owned(),
                Val::Expr(c.expr().clone()),
            ));
        }
        let tg = GrpcTargetGroup::new(
            &mut s,
            "TargetGroup",
            &vpc_id,
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
            &https,
            10 * (i as u32 + 1),
            &svc.grpc_services,
            &tg,
            &extra,
        )?;
        outputs.push((
            format!("{id}RepositoryUri"),
            Output::new(repo.uri.clone(), &format!("ECR repository of {}", svc.name)),
        ));
        outputs.push((
            format!("{id}TargetGroupArn"),
            Output::new(
                tg.arn.clone(),
                &format!("Target group of {} (TargetGroupBinding)", svc.name),
            ),
        ));
    }
    let stack_name = root.stack_ref().name().to_owned();
    let mut endpoint_output = (
        "AlbDnsName".to_owned(),
        Output::new(
            alb.dns_name.clone(),
            "DNS name of the ALB (CNAME your gRPC hostname to it)",
        ),
    );
    let mut extra_outputs = Vec::new();
    if let Some((e, acl, logs_domain, header)) = edge {
        let certificate = match &e.certificate_arn {
            Some(arn) => ViewerCertificate::Acm {
                certificate_arn: arn.as_str().into(),
                aliases: e
                    .aliases
                    .iter()
                    .map(|a| a.replace("{n}", &shard_no))
                    .collect(),
            },
            None => ViewerCertificate::CloudFrontDefault,
        };
        let dist = Distribution::new(
            &mut root,
            "Cdn",
            e.origin_domain.replace("{n}", &shard_no),
            DistributionProps {
                certificate,
                logging: Some(DistributionLogging::new(Val::Expr(logs_domain.into_expr()))),
                web_acl_arn: Some(Val::Expr(acl.into_expr())),
                price_class: match e.price_class {
                    PriceClassConfig::PriceClass100 => PriceClass::PriceClass100,
                    PriceClassConfig::PriceClass200 => PriceClass::PriceClass200,
                    PriceClassConfig::PriceClassAll => PriceClass::PriceClassAll,
                },
                origin_protection: OriginProtection::SecretHeader(header),
                comment: Some(format!("{}: gRPC", stack_name)),
                ..DistributionProps::default()
            },
        )?;
        extra_outputs.push((
            "AlbDnsName".to_owned(),
            Output::new(
                alb.dns_name.clone(),
                "DNS name of the ALB: CNAME the edge origin_domain to it",
            ),
        ));
        endpoint_output = (
            "DistributionDomainName".to_owned(),
            Output::new(
                dist.domain_name.clone(),
                "CloudFront domain name (CNAME your aliases to it)",
            ),
        );
    }
    let st = root.stack();
    st.add_output(&endpoint_output.0, endpoint_output.1)?;
    for (k, o) in extra_outputs {
        st.add_output(&k, o)?;
    }
    for (k, o) in outputs {
        st.add_output(&k, o)?;
    }
    Ok(())
}

/// The Kubernetes manifests of every service, the Load Balancer Controller's Helm values and
/// the blueprint part of the runbook.
fn workload(cfg: &EksConfig) -> Result<(Vec<(String, String)>, RunbookContext), String> {
    let auto = cfg.cluster.compute == ComputeMode::AutoMode;
    let binding_api = if auto {
        TargetGroupBindingApi::EksAmazonawsComV1
    } else {
        TargetGroupBindingApi::Elbv2K8sAwsV1beta1
    };
    let mut workloads = Vec::new();
    let mut services = Vec::new();
    let mut placeholders = Vec::new();
    let out_ref = |stack: &str, output: String| OutputRef {
        stack: stack.to_owned(),
        region: cfg.region.clone(),
        output,
    };
    for (n, group) in shards(cfg).into_iter().enumerate() {
        let stack = service_stack_name(cfg, n + 1);
        for svc in group {
            let id = pascal(&svc.name);
            let mut w = Workload::new(
                svc.name.clone(),
                svc.name.clone(),
                format!(
                    "{}:{}",
                    placeholder(&format!("{id}RepositoryUri")),
                    svc.image_tag
                ),
                svc.port as u16,
                placeholder(&format!("{id}TargetGroupArn")),
            );
            w.replicas = svc.replicas;
            w.cpu_request = svc.cpu.clone();
            w.memory_request = svc.memory.clone();
            w.memory_limit = svc.memory.clone();
            w.hpa = svc.hpa.as_ref().map(|h| Hpa {
                min: h.min,
                max: h.max,
                target_cpu_percent: h.target_cpu_percent,
            });
            w.binding_api = binding_api;
            workloads.push(w);
            services.push(ServiceStep {
                name: svc.name.clone(),
                namespace: svc.name.clone(),
                repository: out_ref(&stack, format!("{id}RepositoryUri")),
                target_group: Some(out_ref(&stack, format!("{id}TargetGroupArn"))),
                image_tag: svc.image_tag.clone(),
                build_context: format!("./{}", svc.name),
                grpc_services: svc.grpc_services.clone(),
                port: svc.port as u16,
            });
            for o in [format!("{id}RepositoryUri"), format!("{id}TargetGroupArn")] {
                placeholders.push(Placeholder {
                    name: o.clone(),
                    source: out_ref(&stack, o),
                });
            }
        }
    }
    let mut files = merge_manifests(workloads_manifests(&workloads)?)?;
    if !auto {
        files.push((
            LBC_VALUES_FILE.to_owned(),
            lbc_helm_values(
                &placeholder("ClusterName"),
                &cfg.region,
                &placeholder("VpcId"),
                "aws-load-balancer-controller",
            ),
        ));
        for o in ["ClusterName", "VpcId"] {
            placeholders.push(Placeholder {
                name: o.to_owned(),
                source: out_ref(&cfg.name, o.to_owned()),
            });
        }
    }
    let first = service_stack_name(cfg, 1);
    let endpoint = match &cfg.edge {
        Some(e) => Endpoint {
            host: ParamValue::Output(out_ref(&first, "DistributionDomainName".to_owned())),
            authority: e.aliases.first().map(|a| a.replace("{n}", "1")),
            unrouted: "`PermissionDenied` (the ALB answers 403: only routed services pass the origin check)".to_owned(),
        },
        None => Endpoint {
            host: ParamValue::Output(out_ref(&first, "AlbDnsName".to_owned())),
            authority: None,
            unrouted: "`Unimplemented` (the listener's fixed 404)".to_owned(),
        },
    };
    let ctx = RunbookContext {
        blueprint: blueprint_name(cfg).to_owned(),
        out_dir: "out".to_owned(),
        stacks: Vec::new(),
        services,
        cluster: ClusterStep {
            name: cfg.name.clone(),
            region: cfg.region.clone(),
            binding_api,
            lbc_chart_version: Some("3.5.0".to_owned()),
            image_platform: "linux/amd64".to_owned(),
        },
        placeholders,
        endpoint: Some(endpoint),
        lattice: None,
    };
    Ok((files, ctx))
}
