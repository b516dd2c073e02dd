//! Gateway API objects for VPC Lattice, served by the AWS Gateway API Controller
//! (aws/aws-application-networking-k8s): `GatewayClass` `amazon-vpc-lattice`, a `Gateway`
//! named after the service network, a `GRPCRoute` per service (`gateway.networking.k8s.io/v1`),
//! and the controller's policies `TargetGroupPolicy` and `IAMAuthPolicy`
//! (`application-networking.k8s.aws/v1alpha1`). Small serde structs with only the fields
//! used; output goes through the repository's YAML writer like every other manifest.
//!
//! Controller behaviour this relies on (its `docs/api-types/*.md`):
//! - a `Gateway` points to the existing service network **with the Gateway's name**;
//! - each `GRPCRoute` becomes a Lattice service with its own generated DNS name, written to
//!   the route's annotation `application-networking.k8s.aws/lattice-assigned-domain-name`;
//!   its `sectionName` must name an HTTPS listener;
//! - a `TargetGroupPolicy` on the backend `Service` sets the target group's protocol version and
//!   health check; an `IAMAuthPolicy` on a route becomes that Lattice service's auth policy.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

/// `spec.controllerName` of the `amazon-vpc-lattice` GatewayClass.
pub const LATTICE_CONTROLLER_NAME: &str = "application-networking.k8s.aws/gateway-api-controller";
/// The GatewayClass name the controller serves.
pub const LATTICE_GATEWAY_CLASS: &str = "amazon-vpc-lattice";
/// Name of the Gateway's HTTPS listener that routes attach to.
pub const HTTPS_LISTENER: &str = "https";
/// The route annotation holding the Lattice-generated DNS name.
pub const LATTICE_DNS_ANNOTATION: &str =
    "application-networking.k8s.aws/lattice-assigned-domain-name";
/// Namespace and service account of the controller (its Helm chart's defaults), which the
/// stacks bind to the controller's IAM role with EKS Pod Identity.
pub const CONTROLLER_NAMESPACE: &str = "aws-application-networking-system";
/// See [`CONTROLLER_NAMESPACE`].
pub const CONTROLLER_SERVICE_ACCOUNT: &str = "gateway-api-controller";
/// Where [`controller_helm_values`] is written in the out dir.
pub const CONTROLLER_VALUES_FILE: &str = "helm/gateway-api-controller-values.yaml";

const GATEWAY_API: &str = "gateway.networking.k8s.io/v1";
const POLICY_API: &str = "application-networking.k8s.aws/v1alpha1";

/// A cluster-scoped or namespaced object with a typed spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Object<S> {
    /// API group/version.
    pub api_version: &'static str,
    /// Kind.
    pub kind: &'static str,
    /// Name, namespace, labels.
    pub metadata: ObjectMeta,
    /// The spec.
    pub spec: S,
}

/// `GatewayClass.spec`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayClassSpec {
    /// The controller that serves the class.
    pub controller_name: &'static str,
}

/// `Gateway.spec`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewaySpec {
    /// `amazon-vpc-lattice`.
    pub gateway_class_name: &'static str,
    /// One HTTPS listener.
    pub listeners: Vec<GatewayListener>,
}

/// A Gateway listener.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayListener {
    /// Section name routes refer to.
    pub name: &'static str,
    /// `HTTPS`.
    pub protocol: &'static str,
    /// 443.
    pub port: u16,
    /// TLS termination; Lattice serves its managed certificate for the generated names.
    pub tls: GatewayTls,
    /// Which namespaces' routes may attach.
    pub allowed_routes: AllowedRoutes,
}

/// `listeners[].tls`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayTls {
    /// `Terminate`.
    pub mode: &'static str,
    /// The controller reads no certificate Secret (a custom domain's ACM certificate goes in
    /// `options`); the Gateway API schema wants a reference for `Terminate`, so this names an
    /// unused one, as the controller's own Gateway example does.
    pub certificate_refs: Vec<NameRef>,
}

/// `{name}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NameRef {
    /// Name.
    pub name: String,
}

/// `listeners[].allowedRoutes`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllowedRoutes {
    /// `{from: All}`: each service's route lives in the service's namespace.
    pub namespaces: RouteNamespaces,
}

/// `allowedRoutes.namespaces`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteNamespaces {
    /// `All`.
    pub from: &'static str,
}

/// `GRPCRoute.spec`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteSpec {
    /// The Gateway's HTTPS listener.
    pub parent_refs: Vec<ParentRef>,
    /// One rule per gRPC service.
    pub rules: Vec<GrpcRouteRule>,
}

/// `parentRefs[]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentRef {
    /// Gateway name.
    pub name: String,
    /// Gateway namespace.
    pub namespace: String,
    /// Listener name.
    pub section_name: &'static str,
}

/// `rules[]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteRule {
    /// Matches (one per rule: the controller allows one method match per rule).
    pub matches: Vec<GrpcRouteMatch>,
    /// The Service.
    pub backend_refs: Vec<BackendRef>,
}

/// `matches[]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrpcRouteMatch {
    /// `{type: Exact, service}`: every method of the gRPC service.
    pub method: GrpcMethodMatch,
}

/// `matches[].method`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrpcMethodMatch {
    /// `Exact`.
    #[serde(rename = "type")]
    pub type_: &'static str,
    /// Fully qualified gRPC service.
    pub service: String,
}

/// `backendRefs[]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackendRef {
    /// Service name.
    pub name: String,
    /// `Service`.
    pub kind: &'static str,
    /// Service port.
    pub port: u16,
}

/// `TargetGroupPolicy.spec`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupPolicySpec {
    /// The backend Service.
    pub target_ref: TargetRef,
    /// `HTTP`: Lattice sends plaintext HTTP/2 (h2c) to the pods.
    pub protocol: &'static str,
    /// `GRPC`.
    pub protocol_version: &'static str,
    /// HTTP/1.1 or HTTP/2 health check (Lattice health checks do not speak gRPC).
    pub health_check: TargetGroupHealthCheck,
}

/// `targetRef`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetRef {
    /// `""` (core) or `gateway.networking.k8s.io`.
    pub group: &'static str,
    /// `Service` or `GRPCRoute`.
    pub kind: &'static str,
    /// Name (same namespace as the policy).
    pub name: String,
}

/// `TargetGroupPolicy.spec.healthCheck`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupHealthCheck {
    /// Always true.
    pub enabled: bool,
    /// Seconds between checks.
    pub interval_seconds: u32,
    /// Seconds before a check fails.
    pub timeout_seconds: u32,
    /// Successes before healthy.
    pub healthy_threshold_count: u32,
    /// Failures before unhealthy.
    pub unhealthy_threshold_count: u32,
    /// HTTP path.
    pub path: String,
    /// Pod port.
    pub port: u16,
    /// `HTTP`.
    pub protocol: &'static str,
    /// `HTTP1` or `HTTP2`.
    pub protocol_version: &'static str,
    /// `200`.
    pub status_match: &'static str,
}

/// `IAMAuthPolicy.spec`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IamAuthPolicySpec {
    /// The GRPCRoute.
    pub target_ref: TargetRef,
    /// The auth policy JSON, as a string (the CRD's type).
    pub policy: String,
}

fn meta(name: &str, namespace: Option<&str>, labels: &[(&str, &str)]) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: namespace.map(str::to_owned),
        labels: Some(
            labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        ),
        ..ObjectMeta::default()
    }
}

const MANAGED: (&str, &str) = ("app.kubernetes.io/managed-by", "formwork");

/// The `amazon-vpc-lattice` GatewayClass.
pub fn gateway_class() -> Object<GatewayClassSpec> {
    Object {
        api_version: GATEWAY_API,
        kind: "GatewayClass",
        metadata: meta(LATTICE_GATEWAY_CLASS, None, &[MANAGED]),
        spec: GatewayClassSpec {
            controller_name: LATTICE_CONTROLLER_NAME,
        },
    }
}

/// The Gateway for service network `network` (the Gateway's name *is* the service network's
/// name), in `namespace`, with one HTTPS listener on 443 open to routes of every namespace.
pub fn gateway(network: &str, namespace: &str) -> Object<GatewaySpec> {
    Object {
        api_version: GATEWAY_API,
        kind: "Gateway",
        metadata: meta(network, Some(namespace), &[MANAGED]),
        spec: GatewaySpec {
            gateway_class_name: LATTICE_GATEWAY_CLASS,
            listeners: vec![GatewayListener {
                name: HTTPS_LISTENER,
                protocol: "HTTPS",
                port: 443,
                tls: GatewayTls {
                    mode: "Terminate",
                    certificate_refs: vec![NameRef {
                        name: "unused".to_owned(),
                    }],
                },
                allowed_routes: AllowedRoutes {
                    namespaces: RouteNamespaces { from: "All" },
                },
            }],
        },
    }
}

/// One service's route: a rule per gRPC service, all to `service:port`.
pub fn grpc_route(
    service: &str,
    namespace: &str,
    port: u16,
    grpc_services: &[String],
    gateway: &str,
    gateway_namespace: &str,
) -> Object<GrpcRouteSpec> {
    Object {
        api_version: GATEWAY_API,
        kind: "GRPCRoute",
        metadata: meta(
            service,
            Some(namespace),
            &[("app.kubernetes.io/name", service), MANAGED],
        ),
        spec: GrpcRouteSpec {
            parent_refs: vec![ParentRef {
                name: gateway.to_owned(),
                namespace: gateway_namespace.to_owned(),
                section_name: HTTPS_LISTENER,
            }],
            rules: grpc_services
                .iter()
                .map(|g| GrpcRouteRule {
                    matches: vec![GrpcRouteMatch {
                        method: GrpcMethodMatch {
                            type_: "Exact",
                            service: g.clone(),
                        },
                    }],
                    backend_refs: vec![BackendRef {
                        name: service.to_owned(),
                        kind: "Service",
                        port,
                    }],
                })
                .collect(),
        },
    }
}

/// Lattice health-check protocol versions (gRPC is not one: Lattice health checks do not
/// support it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthCheckVersion {
    /// HTTP/1.1.
    Http1,
    /// HTTP/2 (cleartext).
    Http2,
}

/// The TargetGroupPolicy of one service: gRPC to the pods, HTTP health check on `path`/`port`.
pub fn target_group_policy(
    service: &str,
    namespace: &str,
    path: &str,
    port: u16,
    version: HealthCheckVersion,
) -> Object<TargetGroupPolicySpec> {
    Object {
        api_version: POLICY_API,
        kind: "TargetGroupPolicy",
        metadata: meta(
            service,
            Some(namespace),
            &[("app.kubernetes.io/name", service), MANAGED],
        ),
        spec: TargetGroupPolicySpec {
            target_ref: TargetRef {
                group: "",
                kind: "Service",
                name: service.to_owned(),
            },
            protocol: "HTTP",
            protocol_version: "GRPC",
            health_check: TargetGroupHealthCheck {
                enabled: true,
                interval_seconds: 10,
                timeout_seconds: 5,
                healthy_threshold_count: 2,
                unhealthy_threshold_count: 2,
                path: path.to_owned(),
                port,
                protocol: "HTTP",
                protocol_version: match version {
                    HealthCheckVersion::Http1 => "HTTP1",
                    HealthCheckVersion::Http2 => "HTTP2",
                },
                status_match: "200",
            },
        },
    }
}

/// The IAMAuthPolicy of one service's route: SigV4-signed calls from `caller_role_arns` only
/// (usually `${…RoleArn}` placeholders); with no callers, a policy that denies everyone.
pub fn iam_auth_policy(
    service: &str,
    namespace: &str,
    caller_role_arns: &[String],
) -> Object<IamAuthPolicySpec> {
    let statement = if caller_role_arns.is_empty() {
        serde_json::json!({
            "Effect": "Deny",
            "Principal": "*",
            "Action": "vpc-lattice-svcs:Invoke",
            "Resource": "*"
        })
    } else {
        serde_json::json!({
            "Effect": "Allow",
            "Principal": {"AWS": caller_role_arns},
            "Action": "vpc-lattice-svcs:Invoke",
            "Resource": "*",
            "Condition": {"StringNotEqualsIgnoreCase": {"aws:PrincipalType": "anonymous"}}
        })
    };
    let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [statement]});
    Object {
        api_version: POLICY_API,
        kind: "IAMAuthPolicy",
        metadata: meta(
            service,
            Some(namespace),
            &[("app.kubernetes.io/name", service), MANAGED],
        ),
        spec: IamAuthPolicySpec {
            target_ref: TargetRef {
                group: "gateway.networking.k8s.io",
                kind: "GRPCRoute",
                name: service.to_owned(),
            },
            policy: serde_json::to_string_pretty(&doc).unwrap_or_default(),
        },
    }
}

/// Helm values for the controller's chart
/// (`oci://public.ecr.aws/aws-application-networking-k8s/aws-gateway-controller-chart`): the
/// chart creates the service account [`CONTROLLER_SERVICE_ACCOUNT`], whose IAM role the stacks
/// bind with EKS Pod Identity (no annotation). Region, account, VPC and cluster are given
/// explicitly so the controller needs no instance metadata. No `defaultServiceNetwork`: the
/// stacks own the service network and its VPC association.
pub fn controller_helm_values(
    cluster_name: &str,
    region: &str,
    account_id: &str,
    vpc_id: &str,
) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Values<'a> {
        aws_region: &'a str,
        aws_account_id: &'a str,
        cluster_vpc_id: &'a str,
        cluster_name: &'a str,
        service_account: Sa<'a>,
        log: Log,
    }
    #[derive(Serialize)]
    struct Sa<'a> {
        create: bool,
        name: &'a str,
    }
    #[derive(Serialize)]
    struct Log {
        level: &'static str,
    }
    let v = Values {
        aws_region: region,
        aws_account_id: account_id,
        cluster_vpc_id: vpc_id,
        cluster_name,
        service_account: Sa {
            create: true,
            name: CONTROLLER_SERVICE_ACCOUNT,
        },
        log: Log { level: "info" },
    };
    serde_json::to_value(&v)
        .map(|v| formwork_constructs::core::render::to_yaml(&v))
        .unwrap_or_default()
}

/// Serializes any of these objects to YAML.
pub fn to_yaml<T: Serialize>(obj: &T) -> Result<String, String> {
    serde_json::to_value(obj)
        .map(|v| formwork_constructs::core::render::to_yaml(&v))
        .map_err(|e| format!("cannot serialize a manifest: {e}"))
}
