//! `grpc-alb`: VPC + ECR + an internet-facing ALB with one gRPC target group per service, in
//! the stack `<name>`; then, unless `alarms.enabled` is false, `<name>-alarms-<n>` (see
//! [`crate::alarms`]; the topic is in `<name>`).

mod config;

use formwork_constructs::acm::Certificate;
use formwork_constructs::core::{App, Env, Expr, Output, Scope};
use formwork_constructs::ec2::{
    self, Peer, SecurityGroup, SecurityGroupHandle, SecurityGroupProps, Vpc, VpcHandle, VpcProps,
};
use formwork_constructs::ecr::{Repository, RepositoryProps};
use formwork_constructs::elbv2::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, GrpcRoute, GrpcTargetGroup,
    GrpcTargetGroupProps, HttpsListener, HttpsListenerProps, ListenerHandle, LoadBalancerHandle,
    check_grpc_codes, check_grpc_path,
};
use formwork_constructs::route53::{AliasRecord, AliasTarget, HostedZone};
use formwork_constructs::s3::{AlbLogPrincipal, Bucket, BucketProps};
use formwork_constructs::wafv2::{WebAcl, WebAclProps};
use serde_json::Value;

pub use config::{AlbServiceConfig, BlueprintName, GrpcAlbConfig};

use crate::alarms;
use crate::common::{check_name, check_service_names, check_tags, pascal};
use crate::config::ConfigError;
use formwork_assembly::{Assembly, SynthOptions};

use crate::{Blueprint, construct_error};

/// The registry entry.
pub const BLUEPRINT: Blueprint = Blueprint {
    name: "grpc-alb",
    summary: "VPC, ECR repositories and an internet-facing ALB speaking gRPC end to end",
    example: include_str!("../../examples/grpc-alb.yaml"),
    schema,
    build: build_value,
    resource_types: &[
        "AWS::WAFv2::WebACL",
        "AWS::S3::Bucket",
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        "AWS::ElasticLoadBalancingV2::Listener",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::ElasticLoadBalancingV2::TargetGroup",
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
        "AWS::S3::BucketPolicy",
        "AWS::WAFv2::WebACLAssociation",
        "AWS::CertificateManager::Certificate",
        "AWS::Route53::RecordSet",
        "AWS::CloudWatch::Alarm",
        "AWS::CloudWatch::Dashboard",
        "AWS::KMS::Key",
        "AWS::SNS::Topic",
        "AWS::SNS::TopicPolicy",
        "AWS::SNS::Subscription",
    ],
};

/// The JSON Schema of the config.
pub fn schema() -> Value {
    serde_json::to_value(schemars::schema_for!(GrpcAlbConfig)).unwrap_or(Value::Null)
}

fn build_value(v: &Value, opts: &SynthOptions) -> Result<Assembly, Vec<ConfigError>> {
    let cfg: GrpcAlbConfig = crate::config::deserialize(v).map_err(|e| vec![e])?;
    build(&cfg, opts)
}

/// Semantic checks beyond the schema.
pub fn check(cfg: &GrpcAlbConfig) -> Vec<ConfigError> {
    let mut errs = Vec::new();
    check_name("/name", &cfg.name, 20, &mut errs);
    let region_ok =
        crate::regions::check_listed("/region", &cfg.region, cfg.allow_unlisted_region, &mut errs);
    // A certificate is not blamed for a Region that does not exist.
    crate::dns::check_alb_certificate(
        cfg.certificate_arn.as_deref(),
        cfg.dns.as_ref(),
        &cfg.region,
        region_ok,
        &mut errs,
    );
    if let Some(d) = &cfg.dns {
        d.check("/dns", &mut errs);
    }
    cfg.vpc.check("/vpc", &mut errs);
    check_tags("/tags", &cfg.tags, &mut errs);
    cfg.alarms.check("/alarms", &mut errs);
    let names: Vec<&str> = cfg.services.iter().map(|s| s.name.as_str()).collect();
    check_service_names(&names, &mut errs);
    let counts = cfg.services.iter().map(|s| s.grpc_services.len()).collect();
    crate::common::check_rules_per_alb(
        "/services",
        &[(cfg.name.clone(), counts)],
        "grpc-alb has one ALB: route fewer gRPC services, or use grpc-eks-alb, whose `services_per_stack` spreads services over several ALBs",
        &mut errs,
    );
    let mut seen_grpc = std::collections::BTreeMap::new();
    for (i, s) in cfg.services.iter().enumerate() {
        let p = format!("/services/{i}");
        for (j, g) in s.grpc_services.iter().enumerate() {
            crate::common::check_grpc_name(&format!("{p}/grpc_services/{j}"), g, &mut errs);
            if let Some(other) = seen_grpc.insert(g.clone(), s.name.clone()) {
                errs.push(ConfigError::at(
                    format!("{p}/grpc_services/{j}"),
                    format!("gRPC service `{g}` is already routed to service `{other}`"),
                ));
            }
        }
        if s.port == 0 || s.port > 65535 {
            errs.push(ConfigError::at(format!("{p}/port"), "port must be 1–65535"));
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

/// Builds the assembly (one stack, no runbook).
pub fn build(cfg: &GrpcAlbConfig, opts: &SynthOptions) -> Result<Assembly, Vec<ConfigError>> {
    let errs = check(cfg);
    if !errs.is_empty() {
        return Err(errs);
    }
    let cidr = cfg
        .vpc
        .cidr
        .parse::<ec2::Ipv4Cidr>()
        .map_err(|m| vec![ConfigError::at("/vpc/cidr", m)])?;
    let zone = cfg
        .dns
        .as_ref()
        .map(|d| d.zone("/dns"))
        .transpose()
        .map_err(|e| vec![e])?;
    let mut app = App::new();
    compose(&mut app, cfg, cidr, zone.as_ref()).map_err(construct_error)?;
    crate::assemble::assemble("grpc-alb", app, opts)
}

fn compose(
    app: &mut App,
    cfg: &GrpcAlbConfig,
    cidr: ec2::Ipv4Cidr,
    zone: Option<&HostedZone>,
) -> Result<(), formwork_constructs::core::Error> {
    let stack = app.add_stack(cfg.name.clone(), Env::region(cfg.region.clone()))?;
    stack.set_description(format!(
        "formwork grpc-alb: {} — VPC, ECR and an HTTPS ALB routing gRPC to {} service(s)",
        cfg.name,
        cfg.services.len()
    ));
    for (k, v) in &cfg.tags {
        stack.add_tag(k, v);
    }
    let mut root = stack.root();
    let vpc = Vpc::new(
        &mut root,
        "Vpc",
        VpcProps {
            cidr,
            azs: cfg.vpc.azs,
            nat_gateways: cfg.vpc.nat_gateways,
            ..VpcProps::default()
        },
    )?;
    let alb_sg = SecurityGroup::new(
        &mut root,
        "AlbSecurityGroup",
        &vpc.id,
        "gRPC ALB: HTTPS from clients, gRPC to pods in the VPC",
        SecurityGroupProps {
            egress: cfg
                .services
                .iter()
                .map(|s| ec2::EgressRule {
                    cidr: vpc.cidr.to_string(),
                    from_port: s.port as u16,
                    to_port: s.port as u16,
                    description: format!("gRPC to {} pods", s.name),
                })
                .collect(),
            restrict_egress: true,
        },
    )?;
    ec2::allow_ingress(
        &mut root,
        "AlbHttpsIngress",
        &alb_sg,
        Peer::Cidr("0.0.0.0/0".into()),
        443,
        443,
        "HTTPS (gRPC over HTTP/2) from clients",
    )?;
    // Access logs (the bucket policy lets ELB log delivery write under alb/) and a regional
    // web ACL with the gRPC-aware preset.
    let logs = Bucket::new(&mut root, "Logs", BucketProps::default())?;
    logs.allow_alb_access_logs(&mut root, "alb", AlbLogPrincipal::ServicePrincipal)?;
    let alb = ApplicationLoadBalancer::new(
        &mut root,
        "Alb",
        &vpc,
        &alb_sg,
        ApplicationLoadBalancerProps {
            access_logs_bucket: Some(logs.name.clone()),
            ..ApplicationLoadBalancerProps::default()
        },
    )?;
    // ELB checks that it may write to the bucket when the ALB is created.
    if let Some(policy) = &logs.policy_logical_id
        && let Some(e) = root.stack().entry_mut(alb.logical_id())
    {
        e.add_depends_on(policy);
    }
    let acl = WebAcl::for_alb(&mut root, "AlbWaf", &alb.arn, WebAclProps::default())?;
    let topic =
        alarms::add_topic_and_waf_alarms(&mut root, &cfg.name, &cfg.alarms, &[("AlbWaf", &acl)])?;
    let frontend = alarms::WatchedFrontend::new(format!("{}Alb", pascal(&cfg.name)), &alb, None);
    let mut watched = Vec::new();
    // With `dns:`: `<name>.<zone>` → the ALB, on a certificate requested for it (unless given).
    let host = zone.map(|z| crate::dns::stack_name_in_zone(&cfg.name, 1, z));
    let certificate = match (&cfg.certificate_arn, zone, &host) {
        (Some(arn), _, _) => Certificate::import(arn)?,
        (None, Some(z), Some(h)) => {
            Certificate::dns_validated(&mut root, "AlbCertificate", z, h, &[])?
        }
        _ => {
            return Err(
                root.error("the ALB needs `certificate_arn` or a `dns:` section".to_owned())
            );
        }
    };
    if let (Some(z), Some(h)) = (zone, &host) {
        AliasRecord::new(&mut root, "AlbDns", z, h, &AliasTarget::load_balancer(&alb))?;
    }
    let https = HttpsListener::new(
        &mut root,
        "HttpsListener",
        &alb,
        &certificate,
        HttpsListenerProps::default(),
    )?;
    let outputs = stack_outputs(&vpc, &alb, &alb_sg);
    let svc_outputs = service_targets(&mut root, cfg, &vpc, &https, &frontend, &mut watched)?;
    let stack = root.stack();
    for (k, o) in outputs {
        stack.add_output(k, o)?;
    }
    for (k, o) in svc_outputs {
        stack.add_output(&k, o)?;
    }
    if let Some(topic) = topic {
        alarms::add_alarm_stacks(
            app,
            &alarms::AlarmStacks {
                blueprint: "grpc-alb",
                app: &cfg.name,
                region: &cfg.region,
                tags: &cfg.tags,
                config: &cfg.alarms,
                topic,
                edge_topic: None,
                services: watched,
            },
        )?;
    }
    Ok(())
}

/// The stack's outputs for the workload: the VPC, the ALB's name and security group, the
/// private subnets.
fn stack_outputs(
    vpc: &VpcHandle,
    alb: &LoadBalancerHandle,
    alb_sg: &SecurityGroupHandle,
) -> Vec<(&'static str, Output)> {
    vec![
        (
            "VpcId",
            Output::new(
                vpc.id.clone(),
                "VPC id (Load Balancer Controller --set vpcId)",
            ),
        ),
        (
            "AlbDnsName",
            Output::new(
                alb.dns_name.clone(),
                "DNS name of the ALB; point the service's hostname at it",
            ),
        ),
        (
            "AlbSecurityGroupId",
            Output::new(
                alb_sg.id.clone(),
                "ALB security group (allow it into the pods' gRPC port)",
            ),
        ),
        (
            "PrivateSubnetIds",
            Output::new(
                Expr::join(
                    ",",
                    vpc.private_subnets
                        .iter()
                        .map(|s| s.id.expr().clone())
                        .collect(),
                ),
                "Private subnets for the workload",
            ),
        ),
    ]
}

/// Per service: its ECR repository, gRPC target group (watched by the alarms) and routes on
/// `https`; returns their outputs.
fn service_targets(
    root: &mut Scope<'_>,
    cfg: &GrpcAlbConfig,
    vpc: &VpcHandle,
    https: &ListenerHandle,
    frontend: &alarms::WatchedFrontend,
    watched: &mut Vec<alarms::WatchedService>,
) -> Result<Vec<(String, Output)>, formwork_constructs::core::Error> {
    let mut svc_outputs = Vec::new();
    for (i, svc) in cfg.services.iter().enumerate() {
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
        let tg = GrpcTargetGroup::new(
            &mut s,
            "TargetGroup",
            &vpc.id,
            svc.port as u16,
            GrpcTargetGroupProps {
                health_check_path: svc.health_check.path.clone(),
                healthy_grpc_codes: svc.health_check.grpc_codes.clone(),
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
            &[],
        )?;
        watched.push(alarms::WatchedService::new(&svc.name, &tg, frontend));
        svc_outputs.push((
            format!("{id}RepositoryUri"),
            Output::new(repo.uri.clone(), format!("ECR repository of {}", svc.name)),
        ));
        svc_outputs.push((
            format!("{id}TargetGroupArn"),
            Output::new(
                tg.arn.clone(),
                format!("Target group of {} (TargetGroupBinding)", svc.name),
            ),
        ));
    }
    Ok(svc_outputs)
}
