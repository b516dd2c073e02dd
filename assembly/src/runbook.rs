//! The runbook spec: what a blueprint (or an app that defines one) says about the steps after
//! the stacks — images, the cluster, the workload, the smoke test. The toolkit renders
//! `DEPLOY.md` from it and the assembly's stacks, and `formwork deploy` runs the same steps.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::OutputRef;

/// Everything the runbook says beyond the stacks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunbookSpec {
    /// Title word: the blueprint or app name (`grpc-eks-edge`).
    pub title: String,
    /// Services whose images are built, pushed and deployed.
    pub services: Vec<ServiceStep>,
    /// The cluster (EKS; with `ecs`, the ECS cluster).
    pub cluster: ClusterStep,
    /// The public endpoint clients call; `None` when there is none (VPC Lattice services are
    /// reached inside the VPC, see `lattice`).
    pub endpoint: Option<Endpoint>,
    /// VPC Lattice instead of an ALB: the AWS Gateway API Controller registers the pods, and
    /// the smoke test calls each service's Lattice DNS name from a pod. `None` for ALB
    /// blueprints.
    pub lattice: Option<LatticeStep>,
    /// The DNS records the endpoint needs: each name → the value of a stack output. Created
    /// by the stacks when `dns_zone` is set, else by the operator after the stacks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_records: Vec<DnsRecord>,
    /// The Route 53 zone the stacks create `dns_records` in (and validate their certificates
    /// in), from the config's `dns:`; `None`: formwork manages no zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_zone: Option<String>,
    /// ECS instead of Kubernetes: the stacks create the services themselves, so there are no
    /// cluster steps; the images are pushed right after the stack that creates their
    /// repositories, before the stacks whose services run them. `None` for Kubernetes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecs: Option<EcsStep>,
    /// The CloudWatch alarms: their topics, dashboards and what each alarm means. `None` when
    /// the config has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms: Option<AlarmsStep>,
}

/// The ECS part of the runbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EcsStep {
    /// The stack output holding the ECS cluster's name.
    pub cluster: OutputRef,
    /// Per service, in `services` order: the stack output holding the ECS service's name.
    pub services: Vec<OutputRef>,
}

/// The alarms of a deployment: the SNS topics they notify, the dashboards, and per kind of
/// alarm what firing means and the first thing to check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlarmsStep {
    /// The stack outputs holding the topics' ARNs, the workload's Region first (alarms notify
    /// a topic in their own Region, so CloudFront's us-east-1 alarms have their own).
    pub topics: Vec<OutputRef>,
    /// Addresses the stacks subscribe; each receives nothing until it confirms AWS's mail.
    pub emails: Vec<String>,
    /// The stacks holding one dashboard each, named like the stack.
    pub dashboards: Vec<String>,
    /// Every kind of alarm, in deploy order of the stacks holding them.
    pub alarms: Vec<AlarmDoc>,
    /// What the alarms do not see, shown below them.
    pub notes: Vec<String>,
}

/// One kind of alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlarmDoc {
    /// Its logical id, `<Service>` or `<Frontend>` standing for the PascalCase prefix
    /// (`<Service>P99Latency`).
    pub id: String,
    /// Which stacks hold it and how many there are (`<name>-alarms-<n>, one per service`).
    pub scope: String,
    /// What firing means and the first thing to check (the alarm's own description, sent
    /// with every notification).
    pub description: String,
}

/// One DNS record to create: `name` CNAME (or Route 53 alias) to the value of `target`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsRecord {
    /// The record name (`api.example.com`), or what to use in words (`<your gRPC hostname>`).
    pub name: String,
    /// The stack output holding the target host name.
    pub target: OutputRef,
    /// Why the record is needed.
    pub why: String,
}

/// One service: its image and its Kubernetes workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceStep {
    /// Kubernetes name (Deployment, Service).
    pub name: String,
    /// Kubernetes namespace.
    pub namespace: String,
    /// The stack output holding the ECR repository URI.
    pub repository: OutputRef,
    /// The stack output holding the target group ARN (for `aws elbv2 describe-target-health`);
    /// `None` when a controller owns the target group (VPC Lattice).
    pub target_group: Option<OutputRef>,
    /// Image tag pushed and deployed (`1.4.2`).
    pub image_tag: String,
    /// `docker build` context directory, relative to where the commands run.
    pub build_context: String,
    /// gRPC services the load balancer routes to this service (`helloworld.Greeter`).
    pub grpc_services: Vec<String>,
    /// The container and Service port.
    pub port: u16,
}

/// The cluster: EKS, or ECS when the runbook has `ecs` (then only `name`, `region` and
/// `image_platform` apply).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterStep {
    /// Cluster name.
    pub name: String,
    /// Cluster Region.
    pub region: String,
    /// The self-managed AWS Load Balancer Controller, installed with Helm, that serves
    /// `TargetGroupBinding`; `None` when the cluster brings its own (EKS Auto Mode) or no
    /// binding is used (VPC Lattice).
    pub load_balancer_controller: Option<HelmRelease>,
    /// `docker build --platform` matching the nodes (`linux/amd64`, `linux/arm64`).
    pub image_platform: String,
}

/// A pinned Helm chart and its values file in the out dir.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelmRelease {
    /// Chart version to pin (`3.5.0`); `None` takes the newest.
    pub chart_version: Option<String>,
    /// Values file, relative to the out dir (`helm/aws-load-balancer-controller.values.yaml`).
    pub values_file: String,
}

/// The VPC Lattice part of the runbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatticeStep {
    /// The service network (and Gateway) name.
    pub service_network: String,
    /// Namespace of the Gateway.
    pub gateway_namespace: String,
    /// Namespace the AWS Gateway API Controller runs in.
    pub controller_namespace: String,
    /// The controller's chart (`aws-gateway-controller-chart`) and its values file.
    pub controller: HelmRelease,
    /// Gateway API release whose `standard-install.yaml` provides the CRDs (`v1.2.0`).
    pub gateway_api_version: String,
    /// The `GRPCRoute` annotation where the controller writes the service's Lattice DNS name.
    pub dns_annotation: String,
    /// Container image used for the in-VPC `grpcurl` (`fullstorydev/grpcurl:v1.9.1`).
    pub grpcurl_image: String,
    /// Whether the service network and services use `AWS_IAM` auth.
    pub iam_auth: bool,
    /// Who may call each service (by service name), in `services` order.
    pub callers: Vec<(String, Vec<String>)>,
}

/// The public gRPC endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// The host name clients connect to on port 443 (usually the stack output with the
    /// CloudFront domain or the ALB's DNS name).
    pub host: Host,
    /// Name the certificate is issued for, when it differs from `host` (an ALB DNS name with
    /// a certificate for `api.example.com`): passed as `grpcurl -authority`.
    pub authority: Option<String>,
    /// What a call to a gRPC service the load balancer does not route gets, e.g.
    /// ``` `Unimplemented` (the listener's fixed 404) ```.
    pub unrouted: String,
}

/// A host name: fixed, or a stack output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Host {
    /// A name known at synth.
    Name {
        /// The host name.
        name: String,
    },
    /// A stack output.
    Output(OutputRef),
}
