//! `grpc-ecs-alb` and `grpc-ecs-edge`: gRPC services on ECS Fargate behind an internet-facing
//! ALB (HTTP/2 end to end, one gRPC target group per service, routed by `/package.Service/*`),
//! with a regional WAF; `grpc-ecs-edge` adds CloudFront with gRPC, a CLOUDFRONT-scope WAF and
//! origin protection. The same front door as `grpc-eks-*` (`crate::front`); the compute is ECS,
//! all in CloudFormation: no cluster steps, no manifests, no Helm.
//!
//! Stacks, in deploy order:
//! 1. `<name>-edge` (us-east-1, only for `grpc-ecs-edge` outside us-east-1): the CLOUDFRONT web ACL.
//! 2. `<name>` (the Region): KMS key, log bucket, VPC, ECS cluster (Container Insights,
//!    `FARGATE` and `FARGATE_SPOT`), one ECR repository per service, the Service Connect
//!    namespace (optional), the regional web ACL (and the CLOUDFRONT one in us-east-1). The
//!    images are pushed after this stack: an ECS service whose image is missing never becomes
//!    stable, and its circuit breaker rolls the stack back.
//! 3. `<name>-services-<n>`: per group of `services_per_stack` services, an ALB (security group,
//!    HTTPS listener, WAF association), for `grpc-ecs-edge` a CloudFront distribution, the tasks'
//!    security group, and per service a KMS-encrypted log group, a target group and its listener
//!    rules, a Fargate task definition with its execution and task roles, the ECS service
//!    (circuit breaker with rollback, ECS Exec off) and its Application Auto Scaling.
//!
//! 4. `<name>-alarms-<n>` (and `<name>-edge-alarms-<n>` in us-east-1 for the distributions), unless
//!    `alarms.enabled` is false: see [`crate::alarms`]; the alarm topics live in `<name>` and
//!    `<name>-edge`.
//!
//! Files: `config.rs`, `check.rs` (semantic config checks), `compose.rs` (the stacks),
//! `runbook.rs` (the runbook spec: images, services to wait for, endpoint, DNS records).

mod check;
mod compose;
mod config;
mod runbook;

use formwork_assembly::{Assembly, SynthOptions};
use formwork_constructs::core::App;
use formwork_constructs::ec2;
use serde_json::{Value, json};

pub use check::check;
pub use config::{
    ArchitectureConfig, CapacityConfig, EcsBlueprintName, EcsClusterConfig, EcsConfig,
    EcsServiceConfig, ScalingConfig,
};

use crate::Blueprint;
use crate::config::ConfigError;

/// Types the ECS blueprints emit, costliest schemas first (see [`Blueprint::resource_types`]).
const ECS_TYPES: &[&str] = &[
    "AWS::CloudFront::Distribution",
    "AWS::WAFv2::WebACL",
    "AWS::ECS::TaskDefinition",
    "AWS::CertificateManager::Certificate",
    "AWS::Route53::RecordSet",
    "AWS::ECS::Service",
    "AWS::S3::Bucket",
    "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ECS::Cluster",
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
    "AWS::ServiceDiscovery::HttpNamespace",
    "AWS::KMS::Alias",
    "AWS::Logs::LogGroup",
    "AWS::S3::BucketPolicy",
    "AWS::WAFv2::WebACLAssociation",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::SNS::Topic",
    "AWS::SNS::TopicPolicy",
];

/// The `grpc-ecs-alb` registry entry.
pub const ALB: Blueprint = Blueprint {
    name: "grpc-ecs-alb",
    summary: "ECS Fargate + ECR behind an internet-facing gRPC ALB with a regional WAF",
    example: include_str!("../../examples/grpc-ecs-alb.yaml"),
    schema: schema_alb,
    build: build_value,
    resource_types: ECS_TYPES,
};

/// The `grpc-ecs-edge` registry entry.
pub const EDGE: Blueprint = Blueprint {
    name: "grpc-ecs-edge",
    summary: "grpc-ecs-alb plus CloudFront with gRPC, a CLOUDFRONT WAF and origin protection",
    example: include_str!("../../examples/grpc-ecs-edge.yaml"),
    schema: schema_edge,
    build: build_value,
    resource_types: ECS_TYPES,
};

fn base_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(EcsConfig)).unwrap_or(Value::Null)
}

/// The schema of `grpc-ecs-alb`: the shared config with `blueprint` fixed and no `edge`.
pub fn schema_alb() -> Value {
    let mut s = base_schema();
    s["title"] = json!("grpc-ecs-alb config");
    s["properties"]["blueprint"] =
        json!({"const": "grpc-ecs-alb", "description": "Always `grpc-ecs-alb`."});
    if let Some(p) = s["properties"].as_object_mut() {
        p.remove("edge");
    }
    if let Some(d) = s.get_mut("$defs").and_then(Value::as_object_mut) {
        d.remove("EdgeConfig");
        d.remove("PriceClassConfig");
        d.remove("EcsBlueprintName");
    }
    s
}

/// The schema of `grpc-ecs-edge`: the shared config with `blueprint` fixed and `edge` required.
pub fn schema_edge() -> Value {
    let mut s = base_schema();
    s["title"] = json!("grpc-ecs-edge config");
    s["properties"]["blueprint"] =
        json!({"const": "grpc-ecs-edge", "description": "Always `grpc-ecs-edge`."});
    s["properties"]["edge"] =
        json!({"$ref": "#/$defs/EdgeConfig", "description": "CloudFront in front of the ALB."});
    if let Some(r) = s["required"].as_array_mut() {
        r.push(json!("edge"));
    }
    if let Some(d) = s.get_mut("$defs").and_then(Value::as_object_mut) {
        d.remove("EcsBlueprintName");
    }
    s
}

fn build_value(v: &Value, opts: &SynthOptions) -> Result<Assembly, Vec<ConfigError>> {
    let cfg: EcsConfig = crate::config::deserialize(v).map_err(|e| vec![e])?;
    build(&cfg, opts)
}

/// Which services go to which `<name>-services-<n>` stack (1-based), in config order.
pub fn shards(cfg: &EcsConfig) -> Vec<Vec<&EcsServiceConfig>> {
    let per = cfg.services_per_stack.max(1) as usize;
    cfg.services
        .chunks(per)
        .map(|c| c.iter().collect())
        .collect()
}

/// The name of the `n`-th (1-based) service stack.
pub fn service_stack_name(cfg: &EcsConfig, n: usize) -> String {
    format!("{}-services-{n}", cfg.name)
}

/// Builds the assembly: the stacks and the runbook.
pub fn build(cfg: &EcsConfig, opts: &SynthOptions) -> Result<Assembly, Vec<ConfigError>> {
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
    let published =
        compose::compose(&mut app, cfg, cidr, zone.as_ref()).map_err(crate::construct_error)?;
    let mut asm = crate::assemble::assemble(blueprint_name(cfg), app, opts)?;
    asm.set_runbook(runbook::runbook(cfg, zone.as_ref(), &published));
    Ok(asm)
}

pub(crate) fn blueprint_name(cfg: &EcsConfig) -> &'static str {
    match cfg.blueprint {
        EcsBlueprintName::GrpcEcsAlb => "grpc-ecs-alb",
        EcsBlueprintName::GrpcEcsEdge => "grpc-ecs-edge",
    }
}
