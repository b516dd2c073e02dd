//! One builder per Kubernetes object of a [`Workload`]: Namespace, ServiceAccount, Deployment
//! (gRPC probes, hardened security context, zone spread), Service, HorizontalPodAutoscaler,
//! PodDisruptionBudget, TargetGroupBinding.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment,
};
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec,
    MetricTarget, ResourceMetricSource,
};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, EmptyDirVolumeSource, GRPCAction, Lifecycle,
    LifecycleHandler, Namespace, PodSecurityContext, PodSpec, PodTemplateSpec, Probe,
    ResourceRequirements, SeccompProfile, SecurityContext, Service, ServiceAccount, ServicePort,
    ServiceSpec, SleepAction, TCPSocketAction, TopologySpreadConstraint, Volume, VolumeMount,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::workload::Workload;
use super::{
    GRPC_PORT_NAME, MANAGED_BY, PRE_STOP_SLEEP_SECONDS, TERMINATION_GRACE_PERIOD_SECONDS, tgb,
};

pub(super) fn namespace(w: &Workload) -> Namespace {
    let mut labels = BTreeMap::from([
        (MANAGED_BY.0.to_owned(), MANAGED_BY.1.to_owned()),
        // The pods satisfy the `restricted` Pod Security Standard.
        (
            "pod-security.kubernetes.io/enforce".to_owned(),
            "restricted".to_owned(),
        ),
    ]);
    if !w.bind_target_group {
        // The AWS Gateway API Controller's webhook adds a readiness gate: a rollout waits until
        // new pods are healthy in the VPC Lattice target group.
        labels.insert(
            "application-networking.k8s.aws/pod-readiness-gate-inject".to_owned(),
            "enabled".to_owned(),
        );
    } else if w.binding_api.is_self_managed() {
        // The controller's webhook adds a readiness gate: a rollout waits until new pods are
        // healthy in the target group (target type ip).
        labels.insert(
            "elbv2.k8s.aws/pod-readiness-gate-inject".to_owned(),
            "enabled".to_owned(),
        );
    }
    Namespace {
        metadata: ObjectMeta {
            name: Some(w.namespace.clone()),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    }
}

pub(super) fn service_account(w: &Workload) -> ServiceAccount {
    ServiceAccount {
        metadata: w.meta(),
        // The server does not call the Kubernetes API. (EKS Pod Identity mounts its own token.)
        automount_service_account_token: Some(false),
        ..ServiceAccount::default()
    }
}

/// A gRPC health probe, or a TCP connect on the port when the server has no health service
/// ([`Workload::tcp_probes`]).
fn grpc_probe(w: &Workload, service: Option<String>, period: i32, failures: i32) -> Probe {
    let port = i32::from(w.container_port);
    let (grpc, tcp_socket) = if w.tcp_probes {
        (
            None,
            Some(TCPSocketAction {
                port: IntOrString::Int(port),
                host: None,
            }),
        )
    } else {
        (Some(GRPCAction { port, service }), None)
    };
    Probe {
        grpc,
        tcp_socket,
        period_seconds: Some(period),
        timeout_seconds: Some(2),
        failure_threshold: Some(failures),
        ..Probe::default()
    }
}

pub(super) fn deployment(w: &Workload) -> Deployment {
    let mut requests = BTreeMap::from([
        ("cpu".to_owned(), Quantity(w.cpu_request.clone())),
        ("memory".to_owned(), Quantity(w.memory_request.clone())),
    ]);
    let mut limits = BTreeMap::from([("memory".to_owned(), Quantity(w.memory_limit.clone()))]);
    if let Some(c) = &w.cpu_limit {
        limits.insert("cpu".to_owned(), Quantity(c.clone()));
    }
    requests.retain(|_, q| !q.0.is_empty());
    let selector = LabelSelector {
        match_labels: Some(w.selector()),
        ..LabelSelector::default()
    };
    let spread = |key: &str| TopologySpreadConstraint {
        max_skew: 1,
        topology_key: key.to_owned(),
        // ScheduleAnyway: a lost zone must not stop pods from being scheduled elsewhere.
        when_unsatisfiable: "ScheduleAnyway".to_owned(),
        label_selector: Some(selector.clone()),
        match_label_keys: Some(vec!["pod-template-hash".to_owned()]),
        ..TopologySpreadConstraint::default()
    };
    let container = Container {
        name: w.service.clone(),
        image: Some(w.image.clone()),
        image_pull_policy: Some("IfNotPresent".to_owned()),
        ports: Some(vec![ContainerPort {
            name: Some(GRPC_PORT_NAME.to_owned()),
            container_port: i32::from(w.container_port),
            protocol: Some("TCP".to_owned()),
            ..ContainerPort::default()
        }]),
        resources: Some(ResourceRequirements {
            requests: Some(requests),
            limits: Some(limits),
            ..ResourceRequirements::default()
        }),
        readiness_probe: Some(grpc_probe(w, w.health_check_service.clone(), 5, 2)),
        liveness_probe: Some(Probe {
            initial_delay_seconds: Some(10),
            ..grpc_probe(w, None, 10, 3)
        }),
        lifecycle: Some(Lifecycle {
            pre_stop: Some(LifecycleHandler {
                sleep: Some(SleepAction {
                    seconds: PRE_STOP_SLEEP_SECONDS,
                }),
                ..LifecycleHandler::default()
            }),
            ..Lifecycle::default()
        }),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            read_only_root_filesystem: Some(true),
            run_as_non_root: Some(true),
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".to_owned()]),
                ..Capabilities::default()
            }),
            ..SecurityContext::default()
        }),
        volume_mounts: Some(vec![VolumeMount {
            name: "tmp".to_owned(),
            mount_path: "/tmp".to_owned(),
            ..VolumeMount::default()
        }]),
        ..Container::default()
    };
    Deployment {
        metadata: w.meta(),
        spec: Some(DeploymentSpec {
            replicas: match w.hpa {
                Some(_) => None,
                None => i32::try_from(w.replicas).ok(),
            },
            selector: selector.clone(),
            strategy: Some(DeploymentStrategy {
                type_: Some("RollingUpdate".to_owned()),
                rolling_update: Some(RollingUpdateDeployment {
                    max_surge: Some(IntOrString::String("25%".to_owned())),
                    max_unavailable: Some(IntOrString::Int(0)),
                }),
            }),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(w.labels()),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    service_account_name: Some(w.service.clone()),
                    automount_service_account_token: Some(false),
                    termination_grace_period_seconds: Some(TERMINATION_GRACE_PERIOD_SECONDS),
                    security_context: Some(PodSecurityContext {
                        run_as_non_root: Some(true),
                        run_as_user: w.run_as_user,
                        seccomp_profile: Some(SeccompProfile {
                            type_: "RuntimeDefault".to_owned(),
                            ..SeccompProfile::default()
                        }),
                        ..PodSecurityContext::default()
                    }),
                    topology_spread_constraints: Some(vec![
                        spread("topology.kubernetes.io/zone"),
                        spread("kubernetes.io/hostname"),
                    ]),
                    containers: vec![container],
                    volumes: Some(vec![Volume {
                        name: "tmp".to_owned(),
                        empty_dir: Some(EmptyDirVolumeSource::default()),
                        ..Volume::default()
                    }]),
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}

pub(super) fn service(w: &Workload) -> Service {
    Service {
        metadata: w.meta(),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".to_owned()),
            selector: Some(w.selector()),
            ports: Some(vec![ServicePort {
                name: Some(GRPC_PORT_NAME.to_owned()),
                port: i32::from(w.container_port),
                target_port: Some(IntOrString::String(GRPC_PORT_NAME.to_owned())),
                protocol: Some("TCP".to_owned()),
                app_protocol: Some("kubernetes.io/h2c".to_owned()),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

pub(super) fn hpa(w: &Workload) -> Option<HorizontalPodAutoscaler> {
    let h = w.hpa.as_ref()?;
    Some(HorizontalPodAutoscaler {
        metadata: w.meta(),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".to_owned()),
                kind: "Deployment".to_owned(),
                name: w.service.clone(),
            },
            min_replicas: i32::try_from(h.min).ok(),
            max_replicas: i32::try_from(h.max).unwrap_or(i32::MAX),
            metrics: Some(vec![MetricSpec {
                type_: "Resource".to_owned(),
                resource: Some(ResourceMetricSource {
                    name: "cpu".to_owned(),
                    target: MetricTarget {
                        type_: "Utilization".to_owned(),
                        average_utilization: i32::try_from(h.target_cpu_percent).ok(),
                        ..MetricTarget::default()
                    },
                }),
                ..MetricSpec::default()
            }]),
            ..HorizontalPodAutoscalerSpec::default()
        }),
        ..HorizontalPodAutoscaler::default()
    })
}

pub(super) fn pdb(w: &Workload) -> PodDisruptionBudget {
    PodDisruptionBudget {
        metadata: w.meta(),
        spec: Some(PodDisruptionBudgetSpec {
            // maxUnavailable rather than minAvailable: never blocks a node drain, even at one
            // replica.
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(LabelSelector {
                match_labels: Some(w.selector()),
                ..LabelSelector::default()
            }),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    }
}

pub(super) fn target_group_binding(w: &Workload) -> tgb::TargetGroupBinding {
    let port = i32::from(w.container_port);
    tgb::TargetGroupBinding {
        api_version: w.binding_api.api_version(),
        kind: "TargetGroupBinding",
        metadata: w.meta(),
        spec: tgb::TargetGroupBindingSpec {
            service_ref: tgb::ServiceRef {
                name: w.service.clone(),
                port,
            },
            target_group_arn: w.target_group_arn.clone(),
            target_type: tgb::TargetType::Ip,
            networking: w
                .alb_security_group_id
                .as_ref()
                .map(|sg| tgb::TgbNetworking {
                    ingress: vec![tgb::TgbIngressRule {
                        from: vec![tgb::TgbPeer {
                            security_group: tgb::TgbSecurityGroup {
                                group_id: sg.clone(),
                            },
                        }],
                        ports: vec![tgb::TgbPort {
                            protocol: "TCP",
                            port,
                        }],
                    }],
                }),
        },
    }
}
