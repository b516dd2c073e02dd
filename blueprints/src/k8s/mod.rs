//! Typed Kubernetes manifests for one gRPC service behind a CloudFormation-created ALB target
//! group: Namespace, ServiceAccount, Deployment (gRPC probes, hardened security context, zone
//! spread), Service (`appProtocol: kubernetes.io/h2c`), HorizontalPodAutoscaler
//! (`autoscaling/v2`), PodDisruptionBudget (`policy/v1`) and a `TargetGroupBinding`.
//!
//! Built-in kinds are k8s-openapi structs (API 1.33, the earliest the crate supports); the
//! `TargetGroupBinding` CRD has small serde structs in [`tgb`]. Objects go through
//! `serde_json::Value` to the repository's YAML writer
//! ([`formwork_constructs::core::render::to_yaml`]), so output is deterministic and means the same
//! to YAML 1.1 and 1.2 readers.
//!
//! Values known only after the stacks are deployed (repository URI, target group ARN, VPC id)
//! are `${Name}` placeholders, see [`formwork_assembly::placeholder`].
//!
//! File layout in the out dir, so that `kubectl apply -f out/k8s/ -R` (which walks files in
//! lexical order) creates the namespace first:
//! ```text
//! k8s/00-namespace-<namespace>.yaml
//! k8s/<service>/20-serviceaccount.yaml
//! k8s/<service>/30-deployment.yaml
//! k8s/<service>/40-service.yaml
//! k8s/<service>/50-hpa.yaml
//! k8s/<service>/60-pdb.yaml
//! k8s/<service>/70-targetgroupbinding.yaml   (unless `bind_target_group` is false)
//! helm/lbc-values.yaml            (not under k8s/: it is not a Kubernetes object)
//! ```

pub mod gateway;
pub mod tgb;

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
    ServiceSpec, SleepAction, TopologySpreadConstraint, Volume, VolumeMount,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;

use formwork_assembly::placeholder as placeholders;
pub use formwork_assembly::placeholder::{placeholder, placeholders_in, resolve_placeholders};
pub use tgb::TargetGroupBindingApi;

/// The ALB target group's deregistration delay (the AWS default, which the `grpc-alb`
/// target group keeps), in seconds. Pods must outlive it when they stop.
pub const ALB_DEREGISTRATION_DELAY_SECONDS: i64 = 30;

/// How long a stopping pod keeps serving before it gets SIGTERM (`preStop: sleep`), so the
/// controller can deregister it from the target group and the ALB stops sending new streams.
pub const PRE_STOP_SLEEP_SECONDS: i64 = 15;

/// `terminationGracePeriodSeconds`: the pre-stop sleep plus the deregistration delay, so
/// in-flight streams can finish after SIGTERM.
pub const TERMINATION_GRACE_PERIOD_SECONDS: i64 =
    PRE_STOP_SLEEP_SECONDS + ALB_DEREGISTRATION_DELAY_SECONDS;

/// Name of the container port (and of the Service port's `targetPort`).
pub const GRPC_PORT_NAME: &str = "grpc";

/// Where `lbc_helm_values` is written in the out dir (outside `k8s/`, which `kubectl apply -R`
/// reads).
pub const LBC_VALUES_FILE: &str = "helm/lbc-values.yaml";

/// Label every object gets; the selector label is `app.kubernetes.io/name: <service>`.
const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "formwork");
const NAME_LABEL: &str = "app.kubernetes.io/name";

/// Horizontal pod autoscaling on CPU utilization (`autoscaling/v2`; needs metrics-server, the
/// EKS add-on `metrics-server`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hpa {
    /// `minReplicas`, at least 1.
    pub min: u32,
    /// `maxReplicas`, at least `min`.
    pub max: u32,
    /// Target average CPU utilization in percent of the CPU request (1–1000).
    pub target_cpu_percent: u32,
}

/// One gRPC service's workload: everything [`workload_manifests`] needs.
///
/// Build it with [`Workload::new`] (required inputs) and adjust the public fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// Namespace (DNS label, at most 63 characters).
    pub namespace: String,
    /// Kubernetes name of the Deployment, Service, ServiceAccount, … (DNS-1035 label, at most
    /// 63 characters).
    pub service: String,
    /// Container image with a tag or digest, usually `${GreeterRepositoryUri}:1.4.2`.
    pub image: String,
    /// Port the gRPC server listens on (h2c, plaintext HTTP/2); also the Service port.
    pub container_port: u16,
    /// Replicas when `hpa` is `None`. With an HPA the Deployment leaves `spec.replicas` unset
    /// (as the Kubernetes docs advise, so `kubectl apply` does not fight the autoscaler) and
    /// the HPA's `min` governs. Default: 2.
    pub replicas: u32,
    /// CPU request (`250m`). Default: `250m`.
    pub cpu_request: String,
    /// Memory request (`256Mi`). Default: `256Mi`.
    pub memory_request: String,
    /// CPU limit; `None` leaves CPU unthrottled beyond the request. Default: `None`.
    pub cpu_limit: Option<String>,
    /// Memory limit, at least the request. Default: `256Mi`.
    pub memory_limit: String,
    /// Autoscaling; `None` emits no HorizontalPodAutoscaler. Default: min 2, max 10, 70 % CPU.
    pub hpa: Option<Hpa>,
    /// The `grpc.health.v1` service name the readiness probe asks about; `None` asks about the
    /// server as a whole (`""`). The liveness probe always asks about the whole server. The
    /// server must implement `grpc.health.v1.Health`. Default: `None`.
    pub health_check_service: Option<String>,
    /// ARN of the CloudFormation target group, usually `${GreeterTargetGroupArn}`.
    pub target_group_arn: String,
    /// Which controller serves the `TargetGroupBinding`. Default: the self-managed controller.
    pub binding_api: TargetGroupBindingApi,
    /// Whether to emit the `TargetGroupBinding` (`70-targetgroupbinding.yaml`). `false` for
    /// workloads whose targets another controller registers (the AWS Gateway API Controller
    /// for VPC Lattice): `target_group_arn` and `alb_security_group_id` are then unused and
    /// not checked. Default: `true`.
    pub bind_target_group: bool,
    /// Extra labels for every object of this service (not the Namespace). The keys
    /// `app.kubernetes.io/name` and `app.kubernetes.io/managed-by` are reserved. Default: none.
    pub labels: BTreeMap<String, String>,
    /// The ALB's security group id (usually `${AlbSecurityGroupId}`): the self-managed
    /// controller then opens the pods' port to it (`spec.networking`; needs the controller's
    /// security-group IAM permissions). Not supported by Auto Mode. Default: `None` (the
    /// stacks open the port).
    pub alb_security_group_id: Option<String>,
    /// `runAsUser` for the pod; `None` relies on the image declaring a numeric non-root `USER`
    /// (`runAsNonRoot` is always set and the kubelet refuses root). Default: `None`.
    pub run_as_user: Option<i64>,
}

impl Workload {
    /// A workload with the documented defaults.
    pub fn new(
        namespace: impl Into<String>,
        service: impl Into<String>,
        image: impl Into<String>,
        container_port: u16,
        target_group_arn: impl Into<String>,
    ) -> Self {
        Workload {
            namespace: namespace.into(),
            service: service.into(),
            image: image.into(),
            container_port,
            replicas: 2,
            cpu_request: "250m".to_owned(),
            memory_request: "256Mi".to_owned(),
            cpu_limit: None,
            memory_limit: "256Mi".to_owned(),
            hpa: Some(Hpa {
                min: 2,
                max: 10,
                target_cpu_percent: 70,
            }),
            health_check_service: None,
            target_group_arn: target_group_arn.into(),
            binding_api: TargetGroupBindingApi::Elbv2K8sAwsV1beta1,
            bind_target_group: true,
            labels: BTreeMap::new(),
            alb_security_group_id: None,
            run_as_user: None,
        }
    }

    /// Every problem with the inputs, one message each (empty when valid).
    pub fn check(&self) -> Vec<String> {
        let mut e = Vec::new();
        if !is_dns_label(&self.namespace, false) {
            e.push(format!(
                "namespace `{}` must be 1–63 lowercase letters, digits and hyphens, starting and ending with a letter or digit",
                self.namespace
            ));
        }
        if !is_dns_label(&self.service, true) {
            e.push(format!(
                "service `{}` must be 1–63 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
                self.service
            ));
        }
        check_image(&self.image, &mut e);
        if self.container_port == 0 {
            e.push("container_port must be 1–65535".to_owned());
        }
        match &self.hpa {
            None if self.replicas == 0 => {
                e.push("replicas must be at least 1".to_owned());
            }
            None => {}
            Some(h) => {
                if h.min == 0 || h.max < h.min {
                    e.push(format!(
                        "hpa: need 1 ≤ min ≤ max, got min {} and max {}",
                        h.min, h.max
                    ));
                }
                if !(1..=1000).contains(&h.target_cpu_percent) {
                    e.push(format!(
                        "hpa: target_cpu_percent {} must be 1–1000",
                        h.target_cpu_percent
                    ));
                }
            }
        }
        if self.replicas > i32::MAX as u32
            || self.hpa.as_ref().is_some_and(|h| h.max > i32::MAX as u32)
        {
            e.push("replica counts must fit in a 32-bit signed integer".to_owned());
        }
        let cpu_req = quantity("cpu_request", &self.cpu_request, &mut e);
        let mem_req = quantity("memory_request", &self.memory_request, &mut e);
        let mem_lim = quantity("memory_limit", &self.memory_limit, &mut e);
        if let (Some(r), Some(l)) = (mem_req, mem_lim)
            && r > l
        {
            e.push(format!(
                "memory_request {} exceeds memory_limit {}",
                self.memory_request, self.memory_limit
            ));
        }
        if let Some(cl) = &self.cpu_limit
            && let (Some(r), Some(l)) = (cpu_req, quantity("cpu_limit", cl, &mut e))
            && r > l
        {
            e.push(format!(
                "cpu_request {} exceeds cpu_limit {cl}",
                self.cpu_request
            ));
        }
        if let Some(s) = &self.health_check_service
            && (s.is_empty() || s.chars().any(|c| c.is_whitespace() || c == '/'))
        {
            e.push(format!(
                "health_check_service `{s}` must be a gRPC service name such as `helloworld.Greeter`"
            ));
        }
        if self.bind_target_group {
            check_arn_or_placeholder(
                "target_group_arn",
                &self.target_group_arn,
                ":targetgroup/",
                &mut e,
            );
        } else if self.alb_security_group_id.is_some() {
            e.push(
                "alb_security_group_id belongs to the TargetGroupBinding, which bind_target_group = false leaves out"
                    .to_owned(),
            );
        }
        if let Some(sg) = &self.alb_security_group_id {
            if !self.binding_api.is_self_managed() {
                e.push(
                    "alb_security_group_id (spec.networking) is not supported by eks.amazonaws.com/v1 (Auto Mode); open the port in the stacks instead"
                        .to_owned(),
                );
            }
            let whole_placeholder = sg.starts_with("${")
                && placeholders::placeholders_in(sg).len() == 1
                && sg == &placeholder(&sg[2..sg.len() - 1]);
            if !(whole_placeholder || (sg.starts_with("sg-") && sg.len() > 3)) {
                e.push(format!(
                    "alb_security_group_id `{sg}` must be `sg-…` or a `${{Name}}` placeholder"
                ));
            }
        }
        if self.run_as_user == Some(0) || self.run_as_user.is_some_and(|u| u < 0) {
            e.push("run_as_user must be a non-root uid (> 0)".to_owned());
        }
        for (k, v) in &self.labels {
            if k == NAME_LABEL || k == MANAGED_BY.0 {
                e.push(format!("label `{k}` is reserved (formwork sets it)"));
            } else if !is_label_key(k) {
                e.push(format!(
                    "label key `{k}` is not a valid Kubernetes label key"
                ));
            }
            if !is_label_value(v) {
                e.push(format!(
                    "label `{k}`: value `{v}` must be at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"
                ));
            }
        }
        e
    }

    fn selector(&self) -> BTreeMap<String, String> {
        BTreeMap::from([(NAME_LABEL.to_owned(), self.service.clone())])
    }

    fn labels(&self) -> BTreeMap<String, String> {
        let mut l = self.labels.clone();
        l.insert(NAME_LABEL.to_owned(), self.service.clone());
        l.insert(MANAGED_BY.0.to_owned(), MANAGED_BY.1.to_owned());
        l
    }

    fn meta(&self) -> ObjectMeta {
        ObjectMeta {
            name: Some(self.service.clone()),
            namespace: Some(self.namespace.clone()),
            labels: Some(self.labels()),
            ..ObjectMeta::default()
        }
    }
}

/// The manifests of one workload as `(path in the out dir, YAML)`, in apply order (see the
/// module docs for the layout). Errors list every problem with the inputs, one per line.
pub fn workload_manifests(w: &Workload) -> Result<Vec<(String, String)>, String> {
    let errs = w.check();
    if !errs.is_empty() {
        return Err(errs.join("\n"));
    }
    let dir = format!("k8s/{}", w.service);
    let mut out = vec![
        (
            format!("k8s/00-namespace-{}.yaml", w.namespace),
            yaml(&namespace(w))?,
        ),
        (
            format!("{dir}/20-serviceaccount.yaml"),
            yaml(&service_account(w))?,
        ),
        (format!("{dir}/30-deployment.yaml"), yaml(&deployment(w))?),
        (format!("{dir}/40-service.yaml"), yaml(&service(w))?),
    ];
    if let Some(h) = hpa(w) {
        out.push((format!("{dir}/50-hpa.yaml"), yaml(&h)?));
    }
    out.push((format!("{dir}/60-pdb.yaml"), yaml(&pdb(w))?));
    if w.bind_target_group {
        out.push((
            format!("{dir}/70-targetgroupbinding.yaml"),
            yaml(&target_group_binding(w))?,
        ));
    }
    Ok(out)
}

/// [`workload_manifests`] of many workloads, on two threads; errors name the service.
pub fn workloads_manifests(ws: &[Workload]) -> Result<Vec<Vec<(String, String)>>, String> {
    let one =
        |w: &Workload| workload_manifests(w).map_err(|e| format!("service {}: {e}", w.service));
    if ws.len() < 8 {
        return ws.iter().map(one).collect();
    }
    let mid = ws.len() / 2;
    let (a, b) = ws.split_at(mid);
    let (ra, rb) = std::thread::scope(|scope| {
        let h = scope.spawn(|| b.iter().map(one).collect::<Vec<_>>());
        let ra: Vec<_> = a.iter().map(one).collect();
        (ra, h.join())
    });
    let rb = rb.map_err(|_| "internal error: manifest thread panicked".to_owned())?;
    ra.into_iter().chain(rb).collect()
}

/// Joins the manifests of several workloads: files with the same path (a namespace shared by
/// services) must have the same content and appear once. Sorted by path, i.e. apply order.
pub fn merge_manifests(
    sets: impl IntoIterator<Item = Vec<(String, String)>>,
) -> Result<Vec<(String, String)>, String> {
    let mut all: BTreeMap<String, String> = BTreeMap::new();
    let mut errs = Vec::new();
    for (path, text) in sets.into_iter().flatten() {
        match all.get(&path) {
            Some(prev) if *prev != text => {
                errs.push(format!("two different manifests for `{path}`"));
            }
            Some(_) => {}
            None => {
                all.insert(path, text);
            }
        }
    }
    if errs.is_empty() {
        Ok(all.into_iter().collect())
    } else {
        Err(errs.join("\n"))
    }
}

/// Helm values for the self-managed AWS Load Balancer Controller (chart
/// `eks/aws-load-balancer-controller`). With EKS Pod Identity the service account needs no
/// role annotation: the stacks create the Pod Identity association for `service_account` in
/// `kube-system`. Pass `${Name}` placeholders for values known only after deploy (the VPC id).
/// Write it to [`LBC_VALUES_FILE`].
pub fn lbc_helm_values(
    cluster_name: &str,
    region: &str,
    vpc_id: &str,
    service_account: &str,
) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Values<'a> {
        cluster_name: &'a str,
        region: &'a str,
        vpc_id: &'a str,
        service_account: Sa<'a>,
    }
    #[derive(Serialize)]
    struct Sa<'a> {
        create: bool,
        name: &'a str,
    }
    let v = Values {
        cluster_name,
        region,
        vpc_id,
        service_account: Sa {
            create: true,
            name: service_account,
        },
    };
    serde_json::to_value(&v)
        .map(|v| formwork_constructs::core::render::to_yaml(&v))
        .unwrap_or_default()
}

fn yaml<T: Serialize>(obj: &T) -> Result<String, String> {
    serde_json::to_value(obj)
        .map(|v| formwork_constructs::core::render::to_yaml(&v))
        .map_err(|e| format!("cannot serialize a manifest: {e}"))
}

fn namespace(w: &Workload) -> Namespace {
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

fn service_account(w: &Workload) -> ServiceAccount {
    ServiceAccount {
        metadata: w.meta(),
        // The server does not call the Kubernetes API. (EKS Pod Identity mounts its own token.)
        automount_service_account_token: Some(false),
        ..ServiceAccount::default()
    }
}

fn grpc_probe(w: &Workload, service: Option<String>, period: i32, failures: i32) -> Probe {
    Probe {
        grpc: Some(GRPCAction {
            port: i32::from(w.container_port),
            service,
        }),
        period_seconds: Some(period),
        timeout_seconds: Some(2),
        failure_threshold: Some(failures),
        ..Probe::default()
    }
}

fn deployment(w: &Workload) -> Deployment {
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

fn service(w: &Workload) -> Service {
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

fn hpa(w: &Workload) -> Option<HorizontalPodAutoscaler> {
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

fn pdb(w: &Workload) -> PodDisruptionBudget {
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

fn target_group_binding(w: &Workload) -> tgb::TargetGroupBinding {
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

/// DNS-1123 label (or DNS-1035 when `letter_first`): 1–63 of `[a-z0-9-]`, alphanumeric ends.
fn is_dns_label(s: &str, letter_first: bool) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && s.starts_with(|c: char| c.is_ascii_lowercase() || (!letter_first && c.is_ascii_digit()))
        && !s.ends_with('-')
}

fn is_label_value(v: &str) -> bool {
    v.is_empty()
        || (v.len() <= 63
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && v.starts_with(|c: char| c.is_ascii_alphanumeric())
            && v.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

fn is_label_key(k: &str) -> bool {
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty() && p.len() <= 253 && p.split('.').all(|part| is_dns_label(part, false))
    });
    prefix_ok && !name.is_empty() && is_label_value(name)
}

fn check_image(image: &str, e: &mut Vec<String>) {
    if image.is_empty() || image.chars().any(|c| c.is_whitespace() || c.is_control()) {
        e.push(format!("image `{image}` must be non-empty without spaces"));
        return;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    // Only the part after the last placeholder can hold the tag.
    let tail = last.rsplit('}').next().unwrap_or(last);
    if !tail.contains(':') && !tail.contains('@') {
        e.push(format!(
            "image `{image}` has no tag or digest; pin one (`…:1.4.2` or `…@sha256:…`)"
        ));
    }
}

fn check_arn_or_placeholder(field: &str, v: &str, needle: &str, e: &mut Vec<String>) {
    let is_placeholder = v.len() > 3
        && v.starts_with("${")
        && v.ends_with('}')
        && placeholders::is_placeholder_name(&v[2..v.len() - 1]);
    let is_arn = v.starts_with("arn:") && v.contains(needle) && !v.contains(char::is_whitespace);
    if !is_placeholder && !is_arn {
        e.push(format!(
            "{field} `{v}` must be an ARN (`arn:…{needle}…`) or a `${{Name}}` placeholder"
        ));
    }
}

/// Parses a Kubernetes quantity of the common forms (`250m`, `0.5`, `256Mi`, `1G`) into base
/// units, pushing an error when it does not parse.
fn quantity(field: &str, q: &str, e: &mut Vec<String>) -> Option<f64> {
    const SUFFIXES: &[(&str, f64)] = &[
        ("Ki", 1024.0),
        ("Mi", 1_048_576.0),
        ("Gi", 1_073_741_824.0),
        ("Ti", 1_099_511_627_776.0),
        ("Pi", 1_125_899_906_842_624.0),
        ("Ei", 1_152_921_504_606_846_976.0),
        ("m", 1e-3),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    let (num, mult) = SUFFIXES
        .iter()
        .find_map(|(s, m)| q.strip_suffix(s).map(|n| (n, *m)))
        .unwrap_or((q, 1.0));
    let digits_ok = !num.is_empty()
        && num.chars().all(|c| c.is_ascii_digit() || c == '.')
        && num.matches('.').count() <= 1
        && !num.starts_with('.')
        && !num.ends_with('.');
    match num.parse::<f64>() {
        Ok(n) if digits_ok && n > 0.0 => Some(n * mult),
        _ => {
            e.push(format!(
                "{field} `{q}` is not a positive Kubernetes quantity such as `250m`, `0.5` or `256Mi`"
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Workload {
        Workload::new(
            "greeter",
            "greeter-api",
            "${GreeterApiRepositoryUri}:1.4.2",
            50051,
            "${GreeterApiTargetGroupArn}",
        )
    }

    #[test]
    fn defaults_are_valid_and_deterministic() {
        let w = sample();
        assert!(w.check().is_empty(), "{:?}", w.check());
        let a = workload_manifests(&w).unwrap();
        let b = workload_manifests(&w.clone()).unwrap();
        assert_eq!(a, b);
        let paths: Vec<&str> = a.iter().map(|(p, _)| p.as_str()).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted, "files are listed in apply order");
        assert_eq!(paths.len(), 7);
    }

    #[test]
    fn reports_every_problem() {
        let mut w = sample();
        w.namespace = "Bad_NS".into();
        w.service = "1svc".into();
        w.image = "${Repo}".into();
        w.container_port = 0;
        w.hpa = Some(Hpa {
            min: 3,
            max: 2,
            target_cpu_percent: 0,
        });
        w.cpu_request = "lots".into();
        w.memory_request = "512Mi".into();
        w.target_group_arn = "tg".into();
        w.binding_api = TargetGroupBindingApi::EksAmazonawsComV1;
        w.alb_security_group_id = Some("nope".into());
        w.labels.insert("app.kubernetes.io/name".into(), "x".into());
        w.labels.insert("bad key!".into(), "-".into());
        let e = workload_manifests(&w).unwrap_err();
        for needle in [
            "namespace `Bad_NS`",
            "service `1svc`",
            "no tag or digest",
            "container_port",
            "min ≤ max",
            "target_cpu_percent 0",
            "cpu_request `lots`",
            "exceeds memory_limit",
            "target_group_arn `tg`",
            "not supported by eks.amazonaws.com/v1",
            "alb_security_group_id `nope`",
            "is reserved",
            "label key `bad key!`",
            "value `-`",
        ] {
            assert!(e.contains(needle), "missing {needle:?} in:\n{e}");
        }
    }

    #[test]
    fn quantities_and_names() {
        let mut e = Vec::new();
        assert_eq!(quantity("c", "250m", &mut e), Some(0.25));
        assert_eq!(quantity("m", "1Gi", &mut e), Some(1_073_741_824.0));
        assert_eq!(quantity("c", "0.5", &mut e), Some(0.5));
        assert!(e.is_empty());
        for bad in ["", "m", "1.", ".5", "-1", "1e3", "0", "1 Mi"] {
            assert_eq!(quantity("q", bad, &mut e), None, "{bad:?}");
        }
        assert!(is_label_key("example.com/team"));
        assert!(!is_label_key("/team"));
        assert!(is_dns_label("a-1", true) && !is_dns_label("a-", false));
    }

    #[test]
    fn hpa_owns_replicas() {
        let mut w = sample();
        let dep = |w: &Workload| {
            workload_manifests(w)
                .unwrap()
                .into_iter()
                .find(|(p, _)| p.ends_with("30-deployment.yaml"))
                .unwrap()
                .1
        };
        assert!(!dep(&w).contains("replicas:"));
        w.hpa = None;
        w.replicas = 3;
        assert!(dep(&w).contains("\n  replicas: 3\n"));
        assert!(
            !workload_manifests(&w)
                .unwrap()
                .iter()
                .any(|(p, _)| p.ends_with("50-hpa.yaml"))
        );
    }

    #[test]
    fn merge_dedupes_shared_namespace() {
        let a = workload_manifests(&sample()).unwrap();
        let mut other = sample();
        other.service = "other".into();
        let b = workload_manifests(&other).unwrap();
        let m = merge_manifests([a, b]).unwrap();
        assert_eq!(m.len(), 13);
        let mut auto = sample();
        auto.service = "third".into();
        auto.binding_api = TargetGroupBindingApi::EksAmazonawsComV1;
        let c = workload_manifests(&auto).unwrap();
        let e = merge_manifests([m, c]).unwrap_err();
        assert!(e.contains("k8s/00-namespace-greeter.yaml"), "{e}");
    }

    #[test]
    fn lbc_values_keep_placeholders() {
        let v = lbc_helm_values(
            "greeter",
            "eu-west-1",
            "${VpcId}",
            "aws-load-balancer-controller",
        );
        assert_eq!(
            placeholders_in(&v).into_iter().collect::<Vec<_>>(),
            ["VpcId"]
        );
        assert!(v.starts_with("clusterName: greeter\n"), "{v}");
    }
}
