//! The config of `grpc-lattice`.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::common::{HpaConfig, NodesConfig};
use crate::common::{Tags, VpcConfig};

/// Names the blueprint in the config's first key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum LatticeBlueprintName {
    /// `grpc-lattice`.
    #[serde(rename = "grpc-lattice")]
    GrpcLattice,
}

/// East-west gRPC between services on EKS over a VPC Lattice service network.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatticeConfig {
    /// Always `grpc-lattice`.
    pub blueprint: LatticeBlueprintName,
    /// Application name: the stack, the EKS cluster, the VPC Lattice service network and the
    /// Kubernetes Gateway are named after it. Lowercase letters, digits and hyphens, 3–20
    /// characters.
    #[schemars(length(min = 3, max = 20), extend("pattern" = "^[a-z][a-z0-9-]*$"))]
    pub name: String,
    /// AWS Region, e.g. `eu-west-1`. One of formwork's list (botocore's Regions, in
    /// `blueprints/src/regions.rs`) unless `allow_unlisted_region: true`.
    #[schemars(extend("pattern" = "^[a-z]{2}(-[a-z]+)+-\\d$"))]
    pub region: String,
    /// Accept a `region` missing from formwork's list (a Region that opened after this
    /// release). Default: false.
    #[serde(default)]
    pub allow_unlisted_region: bool,
    /// The network. Default: `10.0.0.0/16` over 2 AZs with 1 NAT gateway.
    #[serde(default)]
    pub vpc: VpcConfig,
    /// The EKS cluster (a managed node group; Auto Mode is not offered here).
    #[serde(default)]
    pub cluster: LatticeClusterConfig,
    /// How VPC Lattice authenticates callers: `aws-iam` (default; SigV4-signed requests,
    /// checked against auth policies that name each service's `callers`) or `none` (any
    /// client in the VPC may call any service; `callers` must then be empty).
    #[serde(default)]
    pub auth: AuthMode,
    /// The gRPC services (1–60): each one a Deployment, an ECR repository, an IAM role (EKS
    /// Pod Identity) and a VPC Lattice service.
    #[schemars(length(min = 1, max = 60))]
    pub services: Vec<LatticeServiceConfig>,
    /// Tags for the stack and every taggable resource. At most 48 (AWS allows 50 and formwork adds
    /// 2); letters, digits, spaces and `_ . : / = + - @`.
    #[serde(default)]
    pub tags: Tags,
}

/// VPC Lattice auth type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMode {
    /// `AWS_IAM`: signed requests, auth policies on the network and on every service. The default.
    #[default]
    AwsIam,
    /// `NONE`: no authentication.
    None,
}

/// The EKS cluster (managed nodes).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatticeClusterConfig {
    /// Kubernetes version `1.NN`, 1.32–1.35 (EKS standard support; quote it: 1.30 unquoted is
    /// the number 1.3). Default: the construct library's default.
    #[serde(default = "default_version")]
    #[schemars(extend("pattern" = "^1\\.\\d\\d$"))]
    pub version: String,
    /// The managed node group.
    #[serde(default)]
    pub nodes: NodesConfig,
    /// Public CIDRs allowed to reach the Kubernetes API (besides the VPC). Empty: private
    /// endpoint only. Default: empty.
    #[serde(default)]
    pub public_access_cidrs: Vec<String>,
    /// IAM role ARNs that get cluster-admin access entries. Default: none.
    #[serde(default)]
    pub admin_role_arns: Vec<String>,
}

fn default_version() -> String {
    formwork_constructs::eks::DEFAULT_KUBERNETES_VERSION.to_owned()
}

impl Default for LatticeClusterConfig {
    fn default() -> Self {
        LatticeClusterConfig {
            version: default_version(),
            nodes: NodesConfig::default(),
            public_access_cidrs: Vec::new(),
            admin_role_arns: Vec::new(),
        }
    }
}

/// One gRPC service.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatticeServiceConfig {
    /// Service name: the Kubernetes namespace, Deployment, Service and GRPCRoute, the ECR
    /// repository `<app>/<name>`. Lowercase letters, digits and hyphens, 1–24 characters;
    /// not a namespace Kubernetes reserves (`default`, `kube-*`).
    #[schemars(length(min = 1, max = 24), extend("pattern" = "^[a-z][a-z0-9-]*$"))]
    pub name: String,
    /// Fully qualified gRPC services it serves, `package.Service` (`helloworld.Greeter`: clients
    /// call `/<package>.<Service>/<Method>`, so a name without a package never matches); its GRPCRoute matches
    /// each (1–9).
    #[schemars(length(min = 1, max = 9))]
    pub grpc_services: Vec<String>,
    /// Container port of the gRPC server (cleartext HTTP/2). Default: 50051.
    #[serde(default = "default_port")]
    #[schemars(range(min = 1024, max = 65535))]
    pub port: u32,
    /// Image tag to deploy (`latest` is refused: the repository's tags are immutable).
    #[schemars(length(min = 1, max = 128), extend("pattern" = "^[A-Za-z0-9_][A-Za-z0-9_.-]*$"))]
    pub image_tag: String,
    /// Docker build context of the image, for `formwork deploy --build` (and the runbook's
    /// `docker build`): a directory relative to where you run `formwork deploy` and `DEPLOY.md`'s
    /// commands (your project directory; see its first step), e.g. `./payments`. Default: `./<name>`.
    #[serde(default)]
    #[schemars(length(min = 1, max = 1024), extend("pattern" = "^[^\\x00-\\x1f]+$"))]
    pub build: Option<String>,
    /// Replicas without an HPA; the HPA's min governs. Default: 2.
    #[serde(default = "two")]
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
    /// Horizontal pod autoscaling on CPU.
    #[serde(default)]
    pub hpa: HpaConfig,
    /// The VPC Lattice health check of the service's target group. Lattice health checks do
    /// not speak gRPC: the pod must answer an HTTP `GET` on `path` with 200.
    #[serde(default)]
    pub health_check: LatticeHealthCheckConfig,
    /// Services (by `name`) allowed to call this one: their IAM roles are the only principals
    /// of this service's auth policy. Empty: nobody may call it (with `auth: aws-iam`).
    #[serde(default)]
    pub callers: Vec<String>,
}

fn default_port() -> u32 {
    50051
}
fn two() -> u32 {
    2
}
fn default_cpu() -> String {
    "250m".to_owned()
}
fn default_memory() -> String {
    "256Mi".to_owned()
}

/// Health-check protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum HealthCheckProtocol {
    /// HTTP/1.1.
    Http1,
    /// HTTP/2 (cleartext). The default.
    #[default]
    Http2,
    /// Refused: VPC Lattice health checks do not support gRPC (listed so the error can say so).
    Grpc,
}

/// The VPC Lattice health check.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatticeHealthCheckConfig {
    /// `http1` or `http2` (default). `grpc` is refused: Lattice cannot health-check over gRPC.
    #[serde(default)]
    pub protocol: HealthCheckProtocol,
    /// HTTP path that answers 200 when the pod is healthy. Default: `/healthz`.
    #[serde(default = "default_hc_path")]
    #[schemars(length(min = 1, max = 2048), extend("pattern" = "^/"))]
    pub path: String,
    /// Pod port of the health endpoint. Default: the service's `port`.
    #[serde(default)]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<u32>,
}

fn default_hc_path() -> String {
    "/healthz".to_owned()
}

impl Default for LatticeHealthCheckConfig {
    fn default() -> Self {
        LatticeHealthCheckConfig {
            protocol: HealthCheckProtocol::default(),
            path: default_hc_path(),
            port: None,
        }
    }
}
