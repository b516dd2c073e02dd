//! The `grpc-alb` config.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::alarms::AlarmsConfig;
use crate::common::{HealthCheckConfig, Tags, VpcConfig};

/// Names this blueprint in the config's first key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum BlueprintName {
    /// `grpc-alb`
    #[serde(rename = "grpc-alb")]
    GrpcAlb,
}

/// `grpc-alb`: a VPC, one ECR repository per service and an internet-facing ALB that speaks
/// HTTP/2 end to end: an HTTPS listener with a modern TLS policy, one gRPC target group of IP
/// targets per service, routed by `/package.Service/*`.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrpcAlbConfig {
    /// Always `grpc-alb`.
    pub blueprint: BlueprintName,
    /// Application name: the stack is `<name>`, and AWS resource names start with it.
    /// Lowercase letters, digits and hyphens, 1–20 characters.
    #[schemars(length(min = 1, max = 20), extend("pattern" = "^[a-z][a-z0-9-]*$"))]
    pub name: String,
    /// AWS Region of the stack, e.g. `eu-west-1`. One of formwork's list (botocore's Regions, in
    /// `blueprints/src/regions.rs`) unless `allow_unlisted_region: true`.
    #[schemars(extend("pattern" = "^[a-z]{2}(-[a-z]+)+-\\d$"))]
    pub region: String,
    /// Accept a `region` missing from formwork's list (a Region that opened after this
    /// release). Default: false.
    #[serde(default)]
    pub allow_unlisted_region: bool,
    /// ARN of the regional ACM certificate served by the HTTPS listener; it must be in `region`.
    /// Required without `dns:`; with `dns:` and no ARN, formwork requests one for
    /// `<name>.<zone>`, validated by DNS in the zone.
    #[serde(default)]
    pub certificate_arn: Option<String>,
    /// A Route 53 hosted zone: formwork creates `<name>.<zone>` → the ALB (and its certificate,
    /// unless `certificate_arn` is given). Default: none (point your hostname at `AlbDnsName`).
    #[serde(default)]
    pub dns: Option<crate::dns::DnsConfig>,
    /// The network. Default: `10.0.0.0/16` over 2 AZs with 1 NAT gateway.
    #[serde(default)]
    pub vpc: VpcConfig,
    /// The gRPC services behind the load balancer (1–50).
    #[schemars(length(min = 1, max = 50))]
    pub services: Vec<AlbServiceConfig>,
    /// Tags for the stack and every taggable resource. At most 48 (AWS allows 50 and formwork adds
    /// 2); letters, digits, spaces and `_ . : / = + - @`.
    #[serde(default)]
    pub tags: Tags,
    /// CloudWatch alarms and dashboards (stacks `<name>-alarms-<n>`), notifying an encrypted SNS
    /// topic in `<name>`. Default: on, no email subscriptions.
    #[serde(default)]
    pub alarms: AlarmsConfig,
}

/// One gRPC service (a Kubernetes Deployment behind its own target group).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlbServiceConfig {
    /// Service name: names the ECR repository and the target group. Lowercase letters, digits
    /// and hyphens, 1–24 characters.
    #[schemars(length(min = 1, max = 24), extend("pattern" = "^[a-z][a-z0-9-]*$"))]
    pub name: String,
    /// Fully qualified gRPC services it serves, `package.Service` (`helloworld.Greeter`: clients
    /// call `/<package>.<Service>/<Method>`, so a name without a package never matches); the listener routes
    /// `/<each>/*` to it (3 per listener rule, so 1–9 services take 1–3 rules).
    #[schemars(length(min = 1, max = 9))]
    pub grpc_services: Vec<String>,
    /// Container port the gRPC server listens on (cleartext HTTP/2). Default: 50051.
    #[serde(default = "default_port")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: u32,
    /// Health check. Default: `/grpc.health.v1.Health/Check`, healthy on code `0`.
    #[serde(default)]
    pub health_check: HealthCheckConfig,
}

fn default_port() -> u32 {
    50051
}
