//! [`Workload`]: what one gRPC service's manifests are made from, and the checks that refuse a
//! description Kubernetes or the controller would reject.

use std::collections::BTreeMap;

use formwork_assembly::placeholder as placeholders;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{MANAGED_BY, NAME_LABEL, TargetGroupBindingApi};

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
    /// Probe the port with a TCP connect instead of `grpc.health.v1` — for servers without a
    /// health service, whose load balancer check is the ALB-only `/AWS.ALB/healthcheck` (a
    /// gRPC probe would restart such pods forever). Default: `false`.
    pub tcp_probes: bool,
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
            tcp_probes: false,
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
                && sg == &placeholders::placeholder(&sg[2..sg.len() - 1]);
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

    pub(super) fn selector(&self) -> BTreeMap<String, String> {
        BTreeMap::from([(NAME_LABEL.to_owned(), self.service.clone())])
    }

    pub(super) fn labels(&self) -> BTreeMap<String, String> {
        let mut l = self.labels.clone();
        l.insert(NAME_LABEL.to_owned(), self.service.clone());
        l.insert(MANAGED_BY.0.to_owned(), MANAGED_BY.1.to_owned());
        l
    }

    pub(super) fn meta(&self) -> ObjectMeta {
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
/// DNS-1123 label (or DNS-1035 when `letter_first`): 1–63 of `[a-z0-9-]`, alphanumeric ends.
pub(super) fn is_dns_label(s: &str, letter_first: bool) -> bool {
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

pub(super) fn is_label_key(k: &str) -> bool {
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
pub(super) fn quantity(field: &str, q: &str, e: &mut Vec<String>) -> Option<f64> {
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
