//! The `TargetGroupBinding` custom resource: binds a Kubernetes Service to a target group that
//! CloudFormation created, so the controller registers the Service's pod IPs in it.
//!
//! Two APIs exist (FACTS §4.4, §4.5): `elbv2.k8s.aws/v1beta1` served by the self-managed AWS
//! Load Balancer Controller, and `eks.amazonaws.com/v1` served by EKS Auto Mode's managed
//! controller, where `spec.targetType` is required and `spec.networking.ingress.from` is not
//! supported.

use serde::Serialize;

/// Which controller serves the `TargetGroupBinding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum TargetGroupBindingApi {
    /// `elbv2.k8s.aws/v1beta1`: the self-managed AWS Load Balancer Controller (Helm chart
    /// `eks/aws-load-balancer-controller`).
    Elbv2K8sAwsV1beta1,
    /// `eks.amazonaws.com/v1`: EKS Auto Mode's managed load balancing (`targetType` required).
    EksAmazonawsComV1,
}

impl TargetGroupBindingApi {
    /// The `apiVersion` string.
    pub fn api_version(self) -> &'static str {
        match self {
            TargetGroupBindingApi::Elbv2K8sAwsV1beta1 => "elbv2.k8s.aws/v1beta1",
            TargetGroupBindingApi::EksAmazonawsComV1 => "eks.amazonaws.com/v1",
        }
    }

    /// Whether the cluster runs the self-managed controller (installed with Helm).
    pub fn is_self_managed(self) -> bool {
        matches!(self, TargetGroupBindingApi::Elbv2K8sAwsV1beta1)
    }
}

/// A `TargetGroupBinding` object (either API; the fields used here are common to both).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupBinding {
    /// `elbv2.k8s.aws/v1beta1` or `eks.amazonaws.com/v1`.
    pub api_version: &'static str,
    /// Always `TargetGroupBinding`.
    pub kind: &'static str,
    /// Name, namespace, labels.
    pub metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    /// The binding.
    pub spec: TargetGroupBindingSpec,
}

/// `spec` of a [`TargetGroupBinding`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupBindingSpec {
    /// The Service and its port whose endpoints are registered.
    pub service_ref: ServiceRef,
    /// ARN of the target group (`targetGroupARN`; a `${…}` placeholder until deploy).
    #[serde(rename = "targetGroupARN")]
    pub target_group_arn: String,
    /// `ip` (pods registered directly); required by `eks.amazonaws.com/v1`.
    pub target_type: TargetType,
    /// Security-group rules the self-managed controller opens from the load balancer to the
    /// pods. Not supported by `eks.amazonaws.com/v1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub networking: Option<TgbNetworking>,
}

/// `spec.serviceRef`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceRef {
    /// Service name.
    pub name: String,
    /// Service port number.
    pub port: i32,
}

/// `spec.targetType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetType {
    /// Pod IPs are registered (the only mode that works with Fargate and readiness gates).
    Ip,
    /// Node ports are registered.
    Instance,
}

/// `spec.networking` (self-managed controller only).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TgbNetworking {
    /// Ingress rules.
    pub ingress: Vec<TgbIngressRule>,
}

/// One `spec.networking.ingress[]` rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TgbIngressRule {
    /// Peers allowed in.
    pub from: Vec<TgbPeer>,
    /// Ports opened.
    pub ports: Vec<TgbPort>,
}

/// A peer: the load balancer's security group.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TgbPeer {
    /// The security group.
    pub security_group: TgbSecurityGroup,
}

/// `securityGroup: {groupID}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TgbSecurityGroup {
    /// Security group id (a `${…}` placeholder until deploy).
    #[serde(rename = "groupID")]
    pub group_id: String,
}

/// `ports[]: {protocol, port}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TgbPort {
    /// Always `TCP`.
    pub protocol: &'static str,
    /// Port number.
    pub port: i32,
}
