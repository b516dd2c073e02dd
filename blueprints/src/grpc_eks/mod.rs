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
//!    typed references: `Fn::GetStackOutput` by default (cross-Region, no exports, custom
//!    resources or SSM), or parameters that `formwork deploy` fills (`--cross-stack parameters`).
//! 4. `<name>-alarms-<n>` (and `<name>-edge-alarms-<n>` in us-east-1 for the distributions), unless
//!    `alarms.enabled` is false: see [`crate::alarms`]. The alarm topics live in `<name>` and
//!    `<name>-edge`.
//!
//! Files: `check.rs` (semantic config checks), `compose.rs` (the stacks), `service_stack.rs` (a
//! service stack's contents), `dns.rs` (each
//! service stack's hostnames and, with `dns:`, their certificates and records), `workload.rs`
//! (the Kubernetes manifests, Helm values and runbook).

mod check;
mod compose;
mod config;
mod service_stack;
mod workload;

use formwork_assembly::runbook::AlarmsStep;
use formwork_assembly::{Assembly, SynthOptions};
use formwork_constructs::core::App;
use formwork_constructs::ec2;
use serde_json::{Value, json};

pub use check::check;
pub use config::{
    ClusterConfig, ComputeMode, EdgeConfig, EksBlueprintName, EksConfig, HpaConfig, NodesConfig,
    PriceClassConfig, ServiceConfig, WafConfig,
};
pub use workload::LBC_CHART_VERSION;

use crate::Blueprint;
use crate::config::ConfigError;

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
    "AWS::CertificateManager::Certificate",
    "AWS::Route53::RecordSet",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::SNS::Topic",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::Subscription",
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
        p.shift_remove("edge");
    }
    if let Some(d) = s.get_mut("$defs").and_then(Value::as_object_mut) {
        d.shift_remove("EdgeConfig");
        d.shift_remove("PriceClassConfig");
        d.shift_remove("EksBlueprintName");
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
        d.shift_remove("EksBlueprintName");
    }
    s
}

fn build_value(v: &Value, opts: &SynthOptions) -> Result<Assembly, Vec<ConfigError>> {
    let cfg: EksConfig = crate::config::deserialize(v).map_err(|e| vec![e])?;
    build(&cfg, opts)
}

/// Which services go to which `<name>-services-<n>` stack (1-based), in config order.
pub fn shards(cfg: &EksConfig) -> Vec<Vec<&ServiceConfig>> {
    let per = cfg.services_per_stack.max(1) as usize;
    cfg.services
        .chunks(per)
        .map(|c| c.iter().collect())
        .collect()
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
    let stacks = shards(cfg).len();
    for i in 0..stacks {
        out.push(service_stack_name(cfg, i + 1));
    }
    let edge_distributions = if needs_edge_stack(cfg) { stacks } else { 0 };
    out.extend(crate::alarms::alarm_stack_names(
        &cfg.name,
        &cfg.alarms,
        cfg.services.len(),
        edge_distributions,
    ));
    out
}

/// The ids of the web ACLs whose alarms `compose` adds (`<id>BlockedSurge`).
pub(crate) const REGIONAL_WAF: &str = "RegionalWaf";
/// See [`REGIONAL_WAF`].
pub(crate) const EDGE_WAF: &str = "EdgeWaf";

/// What the runbook says about the alarms `compose` adds.
pub(crate) fn alarm_runbook(cfg: &EksConfig) -> Option<AlarmsStep> {
    use crate::alarms::{AlarmLayout, TOPIC_OUTPUT, WatchedWaf};
    use formwork_assembly::OutputRef;
    use formwork_constructs::wafv2::WafScope;
    let edge_stack = format!("{}-edge", cfg.name);
    let mut topics = vec![OutputRef::new(&cfg.name, TOPIC_OUTPUT)];
    let mut wafs = vec![WatchedWaf {
        prefix: REGIONAL_WAF,
        stack: &cfg.name,
        scope: WafScope::Regional,
    }];
    if cfg.edge.is_some() {
        let stack = if needs_edge_stack(cfg) {
            topics.push(OutputRef::new(&edge_stack, TOPIC_OUTPUT));
            &edge_stack
        } else {
            &cfg.name
        };
        wafs.push(WatchedWaf {
            prefix: EDGE_WAF,
            stack,
            scope: WafScope::CloudFront,
        });
    }
    let layout = AlarmLayout {
        app: &cfg.name,
        region: &cfg.region,
        topics,
        wafs,
        services: cfg.services.len(),
        frontends: (1..=shards(cfg).len())
            .map(|n| crate::common::pascal(&service_stack_name(cfg, n)))
            .collect(),
        cloudfront: cfg.edge.is_some(),
    };
    crate::alarms::runbook_step(&cfg.alarms, &layout)
}

pub(crate) fn needs_edge_stack(cfg: &EksConfig) -> bool {
    cfg.edge.is_some() && cfg.region != "us-east-1"
}

/// Builds the assembly: the stacks, the Kubernetes manifests and the runbook.
pub fn build(cfg: &EksConfig, opts: &SynthOptions) -> Result<Assembly, Vec<ConfigError>> {
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
    workload::add_workload(&mut asm, cfg, zone.as_ref(), &published)?;
    Ok(asm)
}

pub(crate) fn blueprint_name(cfg: &EksConfig) -> &'static str {
    match cfg.blueprint {
        EksBlueprintName::GrpcEksAlb => "grpc-eks-alb",
        EksBlueprintName::GrpcEksEdge => "grpc-eks-edge",
    }
}
