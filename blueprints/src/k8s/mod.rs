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

//!
//! Files: this module (the manifest set of a workload, the file layout, the controller's Helm
//! values), `workload.rs` (the [`Workload`] description and its checks), `objects.rs` (one
//! builder per Kubernetes object), `gateway.rs` (Gateway API and VPC Lattice objects),
//! `tgb.rs` (the `TargetGroupBinding` CRD).

pub mod gateway;
mod objects;
pub mod tgb;
mod workload;

use std::collections::BTreeMap;

use serde::Serialize;

pub use formwork_assembly::placeholder::{placeholder, placeholders_in, resolve_placeholders};
pub use tgb::TargetGroupBindingApi;
pub use workload::{Hpa, Workload};

use objects::{deployment, hpa, namespace, pdb, service, service_account, target_group_binding};

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
pub(crate) const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "formwork");
pub(crate) const NAME_LABEL: &str = "app.kubernetes.io/name";

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

#[cfg(test)]
mod tests;
