//! The config of `grpc-eks-alb` and `grpc-eks-edge` (one type; each blueprint's schema narrows it).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::alarms::AlarmsConfig;
use crate::common::{HealthCheckConfig, Tags, VpcConfig};
pub use crate::common::{HpaConfig, NodesConfig};
pub use crate::front::{EdgeConfig, PriceClassConfig, WafConfig};

/// Names the blueprint in the config's first key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum EksBlueprintName {
    /// `grpc-eks-alb`: EKS behind an internet-facing ALB with a regional WAF.
    #[serde(rename = "grpc-eks-alb")]
    GrpcEksAlb,
    /// `grpc-eks-edge`: the same plus CloudFront with gRPC and a CLOUDFRONT-scope WAF.
    #[serde(rename = "grpc-eks-edge")]
    GrpcEksEdge,
}

/// gRPC services on EKS behind an ALB (and, for `grpc-eks-edge`, CloudFront).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EksConfig {
    /// `grpc-eks-alb` or `grpc-eks-edge`.
    pub blueprint: EksBlueprintName,
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
    /// The network. Default: `10.0.0.0/16` over 2 AZs with 1 NAT gateway.
    #[serde(default)]
    pub vpc: VpcConfig,
    /// The EKS cluster.
    #[serde(default)]
    pub cluster: ClusterConfig,
    /// The regional WAF on the ALB.
    #[serde(default)]
    pub waf: WafConfig,
    /// CloudFront in front of the ALB (required by `grpc-eks-edge`, refused by `grpc-eks-alb`).
    #[serde(default)]
    pub edge: Option<EdgeConfig>,
    /// The gRPC services (1–200).
    #[schemars(length(min = 1, max = 200))]
    pub services: Vec<ServiceConfig>,
    /// Services per ALB and stack (1–50). More services are split over further stacks
    /// `<name>-services-2`, … each with its own ALB (an ALB has quotas of 100 rules and 100
    /// target groups; a stack 500 resources and 200 outputs). Default: 40.
    #[serde(default = "default_per_stack")]
    #[schemars(range(min = 1, max = 50))]
    pub services_per_stack: u32,
    /// Tags for every stack and taggable resource. At most 48 (AWS allows 50 and formwork adds
    /// 2); letters, digits, spaces and `_ . : / = + - @`.
    #[serde(default)]
    pub tags: Tags,
    /// CloudWatch alarms and dashboards (stacks `<name>-alarms-<n>`, for `grpc-eks-edge` also
    /// `<name>-edge-alarms-<n>` in us-east-1), notifying an encrypted SNS topic. Default: on, no
    /// email subscriptions.
    #[serde(default)]
    pub alarms: AlarmsConfig,
}

fn default_per_stack() -> u32 {
    40
}

/// How the cluster runs pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ComputeMode {
    /// A managed node group (AL2023) plus the self-managed AWS Load Balancer Controller. The default.
    #[default]
    ManagedNodes,
    /// EKS Auto Mode (compute, networking and storage managed by EKS; its own load-balancer
    /// controller binds target groups with `eks.amazonaws.com/v1` TargetGroupBindings).
    AutoMode,
}

/// The EKS cluster.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    /// Kubernetes version `1.NN`, 1.32–1.35 (EKS standard support; quote it: 1.30 unquoted is
    /// the number 1.3). Default: the construct library's default.
    #[serde(default = "default_version")]
    #[schemars(extend("pattern" = "^1\\.\\d\\d$"))]
    pub version: String,
    /// `managed-nodes` (default) or `auto-mode`.
    #[serde(default)]
    pub compute: ComputeMode,
    /// The managed node group (ignored in Auto Mode).
    #[serde(default)]
    pub nodes: NodesConfig,
    /// Public CIDRs allowed to reach the Kubernetes API (besides the VPC). Empty: private
    /// endpoint only (reach it over a VPN or a bastion). Default: empty.
    #[serde(default)]
    pub public_access_cidrs: Vec<String>,
    /// IAM role ARNs that get cluster-admin access entries. Default: none (the stack's
    /// creator is admin through `BootstrapClusterCreatorAdminPermissions`).
    #[serde(default)]
    pub admin_role_arns: Vec<String>,
}

fn default_version() -> String {
    formwork_constructs::eks::DEFAULT_KUBERNETES_VERSION.to_owned()
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            version: default_version(),
            compute: ComputeMode::default(),
            nodes: NodesConfig::default(),
            public_access_cidrs: Vec::new(),
            admin_role_arns: Vec::new(),
        }
    }
}

/// One gRPC service: a Kubernetes Deployment behind its own target group.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// Service name: the Kubernetes namespace/Deployment, the ECR repository `<app>/<name>` and
    /// the target group. Lowercase letters, digits and hyphens, 1–24 characters;
    /// not a namespace Kubernetes reserves (`default`, `kube-*`).
    #[schemars(length(min = 1, max = 24), extend("pattern" = "^[a-z][a-z0-9-]*$"))]
    pub name: String,
    /// Fully qualified gRPC services it serves, `package.Service` (`helloworld.Greeter`: clients
    /// call `/<package>.<Service>/<Method>`, so a name without a package never matches); the ALB routes
    /// `/<each>/*` to it (1–9).
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
    /// Fixed replica count, used when `hpa` is `null` (with an HPA the Deployment leaves
    /// replicas to it). Default: 2.
    #[serde(default = "crate::common::two")]
    #[schemars(range(min = 1, max = 1000))]
    pub replicas: u32,
    /// CPU request, Kubernetes quantity. Default: `250m`.
    #[serde(default = "default_cpu")]
    #[schemars(extend("pattern" = "^[0-9]+(\\.[0-9]+)?m?$"))]
    pub cpu: String,
    /// Memory request and limit, Kubernetes quantity. Default: `256Mi`.
    #[serde(default = "default_memory")]
    #[schemars(extend("pattern" = "^[0-9]+(Ki|Mi|Gi)$"))]
    pub memory: String,
    /// Horizontal pod autoscaling on CPU (`null` for a fixed `replicas`). Default: 2–10 pods
    /// at 70% CPU.
    #[serde(default = "default_hpa")]
    pub hpa: Option<HpaConfig>,
    /// The load balancer's gRPC health check (pods also get gRPC probes on the same service).
    #[serde(default)]
    pub health_check: HealthCheckConfig,
}

fn default_port() -> u32 {
    50051
}
fn default_cpu() -> String {
    "250m".to_owned()
}
fn default_memory() -> String {
    "256Mi".to_owned()
}

fn default_hpa() -> Option<HpaConfig> {
    Some(HpaConfig::default())
}
