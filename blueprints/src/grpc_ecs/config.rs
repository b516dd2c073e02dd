//! The config of `grpc-ecs-alb` and `grpc-ecs-edge` (one type; each blueprint's schema narrows
//! it). The same shape as `grpc-eks-*` where the concepts match (`services`, `grpc_services`,
//! `port`, `health_check`, `waf`, `edge`, `tags`, `build`); ECS settings where they do not.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::alarms::AlarmsConfig;
use crate::common::{HealthCheckConfig, Tags, VpcConfig};
pub use crate::front::{EdgeConfig, WafConfig};

/// Names the blueprint in the config's first key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum EcsBlueprintName {
    /// `grpc-ecs-alb`: ECS on Fargate behind an internet-facing ALB with a regional WAF.
    #[serde(rename = "grpc-ecs-alb")]
    GrpcEcsAlb,
    /// `grpc-ecs-edge`: the same plus CloudFront with gRPC and a CLOUDFRONT-scope WAF.
    #[serde(rename = "grpc-ecs-edge")]
    GrpcEcsEdge,
}

/// gRPC services on ECS Fargate behind an ALB (and, for `grpc-ecs-edge`, CloudFront).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EcsConfig {
    /// `grpc-ecs-alb` or `grpc-ecs-edge`.
    pub blueprint: EcsBlueprintName,
    /// Application name: the stacks are `<name>` (and `<name>-edge`, `<name>-services-<n>`),
    /// AWS resource names start with it. Lowercase letters, digits and hyphens, 1–20 characters.
    #[schemars(length(min = 1, max = 20), extend("pattern" = "^[a-z][a-z0-9-]*$"))]
    pub name: String,
    /// AWS Region of the workload, e.g. `eu-west-1`. One of formwork's list (botocore's Regions, in
    /// `blueprints/src/regions.rs`) unless `allow_unlisted_region: true`.
    #[schemars(extend("pattern" = "^[a-z]{2}(-[a-z]+)+-\\d$"))]
    pub region: String,
    /// Accept a `region` missing from formwork's list (a Region that opened after this
    /// release). Default: false.
    #[serde(default)]
    pub allow_unlisted_region: bool,
    /// ARN of the regional ACM certificate the ALB's HTTPS listener serves (in `region`).
    /// Required without `dns:`; with `dns:` and no ARN, formwork requests one per ALB, validated
    /// by DNS in the zone.
    #[serde(default)]
    pub certificate_arn: Option<String>,
    /// A Route 53 hosted zone formwork writes the endpoint's names into: it then requests the
    /// certificates not given (the ALB's, and CloudFront's in us-east-1) and creates the alias
    /// records, so no DNS step is left to do by hand. Default: none (the runbook lists the
    /// records to create).
    #[serde(default)]
    pub dns: Option<crate::dns::DnsConfig>,
    /// The network. Default: `10.0.0.0/16` over 2 AZs with 1 NAT gateway (tasks pull images
    /// and write logs through it; `nat_gateways: 0` is refused).
    #[serde(default)]
    pub vpc: VpcConfig,
    /// The ECS cluster.
    #[serde(default)]
    pub cluster: EcsClusterConfig,
    /// The regional WAF on the ALB.
    #[serde(default)]
    pub waf: WafConfig,
    /// CloudFront in front of the ALB (required by `grpc-ecs-edge`, refused by `grpc-ecs-alb`).
    #[serde(default)]
    pub edge: Option<EdgeConfig>,
    /// The gRPC services (1–200).
    #[schemars(length(min = 1, max = 200))]
    pub services: Vec<EcsServiceConfig>,
    /// Services per ALB and stack (1–25). More services are split over further stacks
    /// `<name>-services-2`, … each with its own ALB (a service here is about 12 resources; a
    /// stack holds at most 500). Default: 20.
    #[serde(default = "default_per_stack")]
    #[schemars(range(min = 1, max = 25))]
    pub services_per_stack: u32,
    /// CloudWatch alarms and dashboards (stacks `<name>-alarms-<n>`, for `grpc-ecs-edge` outside
    /// us-east-1 also `<name>-edge-alarms-<n>` there), notifying an encrypted SNS topic.
    /// Default: on, no subscribers.
    #[serde(default)]
    pub alarms: AlarmsConfig,
    /// Tags for every stack and taggable resource. At most 48 (AWS allows 50 and formwork adds
    /// 2); letters, digits, spaces and `_ . : / = + - @`.
    #[serde(default)]
    pub tags: Tags,
}

fn default_per_stack() -> u32 {
    20
}

/// CPU architecture of every task (and of the images `formwork deploy --build` builds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum ArchitectureConfig {
    /// Graviton (`ARM64`, images `linux/arm64`): about 20% cheaper per vCPU on Fargate. The default.
    #[default]
    Arm64,
    /// `X86_64` (images `linux/amd64`).
    #[serde(rename = "x86_64")]
    X86_64,
}

/// The ECS cluster.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EcsClusterConfig {
    /// CloudWatch Container Insights. Default: true.
    #[serde(default = "yes")]
    pub container_insights: bool,
    /// `arm64` (default) or `x86_64`.
    #[serde(default)]
    pub architecture: ArchitectureConfig,
    /// ECS Service Connect for calls between the services (east-west gRPC): a Cloud Map HTTP
    /// namespace `<name>.internal`; each service is reachable as `<service>:<port>` from the
    /// others. Default: false.
    #[serde(default)]
    pub service_connect: bool,
}

fn yes() -> bool {
    true
}

impl Default for EcsClusterConfig {
    fn default() -> Self {
        EcsClusterConfig {
            container_insights: true,
            architecture: ArchitectureConfig::default(),
            service_connect: false,
        }
    }
}

/// One gRPC service: an ECS service on Fargate behind its own target group.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EcsServiceConfig {
    /// Service name: the ECS service and task family `<app>-<name>`, the ECR repository
    /// `<app>/<name>` and the target group. Lowercase letters, digits and hyphens, 1–24 characters.
    #[schemars(length(min = 1, max = 24), extend("pattern" = "^[a-z][a-z0-9-]*$"))]
    pub name: String,
    /// Fully qualified gRPC services it serves, `package.Service` (`helloworld.Greeter`: clients
    /// call `/<package>.<Service>/<Method>`, so a name without a package never matches); the ALB
    /// routes `/<each>/*` to it (1–9).
    #[schemars(length(min = 1, max = 9))]
    pub grpc_services: Vec<String>,
    /// Container port of the gRPC server (cleartext HTTP/2). Default: 50051.
    #[serde(default = "default_port")]
    #[schemars(range(min = 1024, max = 65535))]
    pub port: u32,
    /// Image tag to deploy, e.g. `1.4.2`. Tags are immutable in the repository, so a moving tag
    /// such as `latest` is refused.
    #[schemars(length(min = 1, max = 128), extend("pattern" = "^[A-Za-z0-9_][A-Za-z0-9_.-]*$"))]
    pub image_tag: String,
    /// Docker build context of the image, for `formwork deploy --build` (and the runbook's
    /// `docker build`): a directory relative to where you run `formwork deploy` and `DEPLOY.md`'s
    /// commands (your project directory; see its first step), e.g. `./payments`. Default: `./<name>`.
    #[serde(default)]
    #[schemars(length(min = 1, max = 1024), extend("pattern" = "^[^\\x00-\\x1f]+$"))]
    pub build: Option<String>,
    /// Task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384 (1024 = 1 vCPU). Default: 256.
    #[serde(default = "default_cpu")]
    pub cpu: u32,
    /// Task memory in MiB, one Fargate accepts with `cpu` (256: 512, 1024, 2048; 512: 1024–4096;
    /// 1024: 2048–8192; 2048: 4096–16384; 4096: 8192–30720, in steps of 1024; 8192: 16384–61440
    /// in steps of 4096; 16384: 32768–122880 in steps of 8192). Default: 512.
    #[serde(default = "default_memory")]
    pub memory: u32,
    /// Tasks to run when `scaling` is `null` (with scaling, the scalable target sets the count
    /// and this is the count at creation). Default: 2.
    #[serde(default = "crate::common::two")]
    #[schemars(range(min = 1, max = 1000))]
    pub desired_count: u32,
    /// How tasks are spread over Fargate and Fargate Spot.
    #[serde(default)]
    pub capacity: CapacityConfig,
    /// Application Auto Scaling by target tracking (`null` for a fixed `desired_count`).
    /// Default: 2–10 tasks at 70% CPU.
    #[serde(default = "default_scaling")]
    pub scaling: Option<ScalingConfig>,
    /// The load balancer's gRPC health check.
    #[serde(default)]
    pub health_check: HealthCheckConfig,
    /// Absolute path of `grpc_health_probe` in the image, for an ECS container health check in
    /// exec form (no shell needed, so it works in distroless images). Default: none — the target
    /// group's gRPC health check decides and ECS replaces the tasks it reports unhealthy.
    #[serde(default)]
    #[schemars(extend("pattern" = "^/[^\\x00-\\x1f ]+$"))]
    pub grpc_health_probe: Option<String>,
    /// Seconds the server may take to start before failed checks count (0–300). Default: 30.
    #[serde(default = "default_start")]
    #[schemars(range(min = 0, max = 300))]
    pub start_period_seconds: u32,
    /// Seconds ECS ignores failing load-balancer health checks after a task starts; at least
    /// `start_period_seconds`. Default: 60.
    #[serde(default = "default_grace")]
    #[schemars(range(min = 0, max = 2147483647))]
    pub health_check_grace_period_seconds: u32,
    /// User the container runs as. Default: `65532` (distroless `nonroot`); `null` keeps the
    /// image's own user.
    #[serde(default = "default_user")]
    #[schemars(length(min = 1, max = 255))]
    pub user: Option<String>,
    /// Environment variables of the container. Default: none.
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
}

fn default_port() -> u32 {
    50051
}
fn default_cpu() -> u32 {
    256
}
fn default_memory() -> u32 {
    512
}
fn default_start() -> u32 {
    30
}
fn default_grace() -> u32 {
    60
}
fn default_user() -> Option<String> {
    Some("65532".to_owned())
}
fn default_scaling() -> Option<ScalingConfig> {
    Some(ScalingConfig::default())
}

/// How tasks are spread over `FARGATE` and `FARGATE_SPOT`: the first `on_demand_base` tasks
/// run on Fargate, the rest are split by weight (`spot_weight: 3` with `on_demand_weight: 1`
/// puts 3 of every 4 further tasks on Spot, which can be interrupted with two minutes' notice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityConfig {
    /// Tasks always on on-demand Fargate (0–100000). Default: 1.
    #[serde(default = "one")]
    #[schemars(range(min = 0, max = 100000))]
    pub on_demand_base: u32,
    /// Weight of Fargate above the base (0–1000). Default: 1.
    #[serde(default = "one")]
    #[schemars(range(min = 0, max = 1000))]
    pub on_demand_weight: u32,
    /// Weight of Fargate Spot above the base (0–1000). Default: 0 (no Spot).
    #[serde(default)]
    #[schemars(range(min = 0, max = 1000))]
    pub spot_weight: u32,
}

fn one() -> u32 {
    1
}

impl Default for CapacityConfig {
    fn default() -> Self {
        CapacityConfig {
            on_demand_base: 1,
            on_demand_weight: 1,
            spot_weight: 0,
        }
    }
}

/// Target tracking on the service's tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScalingConfig {
    /// Fewest tasks. Default: 2.
    #[serde(default = "crate::common::two")]
    #[schemars(range(min = 1, max = 1000))]
    pub min: u32,
    /// Most tasks. Default: 10.
    #[serde(default = "ten")]
    #[schemars(range(min = 1, max = 1000))]
    pub max: u32,
    /// Average CPU utilization to keep, in percent (`null`: no CPU policy). Default: 70.
    #[serde(default = "seventy")]
    #[schemars(range(min = 10, max = 100))]
    pub target_cpu_percent: Option<u32>,
    /// ALB requests per task per minute to keep (`ALBRequestCountPerTarget`; a gRPC call is one
    /// request, a stream one request). Default: none.
    #[serde(default)]
    #[schemars(range(min = 1, max = 1000000))]
    pub requests_per_target: Option<u32>,
}

fn ten() -> u32 {
    10
}
fn seventy() -> Option<u32> {
    Some(70)
}

impl Default for ScalingConfig {
    fn default() -> Self {
        ScalingConfig {
            min: 2,
            max: 10,
            target_cpu_percent: Some(70),
            requests_per_target: None,
        }
    }
}
