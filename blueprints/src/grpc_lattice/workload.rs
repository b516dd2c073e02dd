//! The Kubernetes side of `grpc-lattice`: the Gateway, per service its workload, `GRPCRoute`,
//! `TargetGroupPolicy` and `IAMAuthPolicy`, the controller's Helm values and the runbook.

use std::collections::{BTreeMap, BTreeSet};

use formwork_assembly::runbook::{ClusterStep, HelmRelease, LatticeStep, ServiceStep};
use formwork_assembly::{Assembly, OutputRef, RunbookSpec};

use super::compose::Published;
use super::config::{AuthMode, HealthCheckProtocol, LatticeConfig};
use super::{
    BLUEPRINT, CONTROLLER_CHART_VERSION, GATEWAY_API_VERSION, GRPCURL_IMAGE, gateway_namespace,
    hc_port,
};
use crate::assemble::add_files;
use crate::config::ConfigError;
use crate::k8s::gateway::{
    self, CONTROLLER_NAMESPACE, CONTROLLER_VALUES_FILE, HealthCheckVersion, LATTICE_DNS_ANNOTATION,
};
use crate::k8s::{Hpa, Workload, merge_manifests, placeholder, workload_manifests};

/// Adds the Kubernetes manifests, the controller's Helm values, their placeholders and the
/// runbook to `asm`.
pub(super) fn add_workload(
    asm: &mut Assembly,
    cfg: &LatticeConfig,
    published: &Published,
) -> Result<(), Vec<ConfigError>> {
    let internal = |m: String| vec![ConfigError::at("", m)];
    let (files, used, spec) = workload(cfg, published).map_err(internal)?;
    for o in &used {
        asm.placeholder_for(o).map_err(internal)?;
    }
    add_files(asm, files)?;
    asm.set_runbook(spec);
    Ok(())
}

/// The files, the outputs their placeholders stand for, and the runbook spec.
type Workloads = (Vec<(String, String)>, BTreeSet<OutputRef>, RunbookSpec);

fn workload(cfg: &LatticeConfig, p: &Published) -> Result<Workloads, String> {
    let iam = cfg.auth == AuthMode::AwsIam;
    let gw_ns = gateway_namespace(cfg);
    let mut used: BTreeSet<OutputRef> = BTreeSet::new();
    let mut use_output = |o: &OutputRef| {
        used.insert(o.clone());
        placeholder(&o.output)
    };
    let of = |m: &BTreeMap<String, OutputRef>, name: &str| {
        m.get(name)
            .cloned()
            .ok_or_else(|| format!("internal error: no output for service `{name}`"))
    };
    let mut sets = Vec::new();
    let mut services = Vec::new();
    let mut callers = Vec::new();
    // Cluster-wide objects and the Gateway's namespace.
    let gw_ns_obj = k8s_openapi::api::core::v1::Namespace {
        metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
            name: Some(gw_ns.clone()),
            labels: Some(BTreeMap::from([
                (
                    "app.kubernetes.io/managed-by".to_owned(),
                    "formwork".to_owned(),
                ),
                (
                    "pod-security.kubernetes.io/enforce".to_owned(),
                    "restricted".to_owned(),
                ),
            ])),
            ..Default::default()
        },
        ..Default::default()
    };
    sets.push(vec![
        (
            format!("k8s/00-namespace-{gw_ns}.yaml"),
            gateway::to_yaml(&gw_ns_obj)?,
        ),
        (
            "k8s/05-gatewayclass.yaml".to_owned(),
            gateway::to_yaml(&gateway::gateway_class())?,
        ),
        (
            format!("k8s/{gw_ns}/10-gateway.yaml"),
            gateway::to_yaml(&gateway::gateway(&cfg.name, &gw_ns))?,
        ),
    ]);
    for svc in &cfg.services {
        let repository = of(&p.repositories, &svc.name)?;
        let mut w = Workload::new(
            svc.name.clone(),
            svc.name.clone(),
            format!("{}:{}", use_output(&repository), svc.image_tag),
            svc.port as u16,
            String::new(),
        );
        w.replicas = svc.replicas;
        w.cpu_request = svc.cpu.clone();
        w.memory_request = svc.memory.clone();
        w.memory_limit = svc.memory.clone();
        w.hpa = Some(Hpa {
            min: svc.hpa.min,
            max: svc.hpa.max,
            target_cpu_percent: svc.hpa.target_cpu_percent,
        });
        w.bind_target_group = false;
        let mut set = workload_manifests(&w).map_err(|e| format!("service {}: {e}", svc.name))?;
        let dir = format!("k8s/{}", svc.name);
        set.push((
            format!("{dir}/70-grpcroute.yaml"),
            gateway::to_yaml(&gateway::grpc_route(
                &svc.name,
                &svc.name,
                svc.port as u16,
                &svc.grpc_services,
                &cfg.name,
                &gw_ns,
            ))?,
        ));
        set.push((
            format!("{dir}/71-targetgrouppolicy.yaml"),
            gateway::to_yaml(&gateway::target_group_policy(
                &svc.name,
                &svc.name,
                &svc.health_check.path,
                hc_port(svc) as u16,
                match svc.health_check.protocol {
                    HealthCheckProtocol::Http1 => HealthCheckVersion::Http1,
                    // `grpc` is refused by `check`.
                    HealthCheckProtocol::Http2 | HealthCheckProtocol::Grpc => {
                        HealthCheckVersion::Http2
                    }
                },
            ))?,
        ));
        if iam {
            let mut arns = Vec::new();
            for c in &svc.callers {
                arns.push(use_output(&of(&p.roles, c)?));
            }
            set.push((
                format!("{dir}/72-iamauthpolicy.yaml"),
                gateway::to_yaml(&gateway::iam_auth_policy(&svc.name, &svc.name, &arns))?,
            ));
        }
        sets.push(set);
        services.push(ServiceStep {
            name: svc.name.clone(),
            namespace: svc.name.clone(),
            repository,
            target_group: None,
            image_tag: svc.image_tag.clone(),
            build_context: svc
                .build
                .clone()
                .unwrap_or_else(|| format!("./{}", svc.name)),
            grpc_services: svc.grpc_services.clone(),
            port: svc.port as u16,
        });
        callers.push((svc.name.clone(), svc.callers.clone()));
    }
    let mut files = merge_manifests(sets)?;
    files.push((
        CONTROLLER_VALUES_FILE.to_owned(),
        gateway::controller_helm_values(
            &use_output(&p.cluster_name),
            &cfg.region,
            &use_output(&p.account_id),
            &use_output(&p.vpc_id),
        ),
    ));
    let spec = RunbookSpec {
        title: BLUEPRINT.name.to_owned(),
        services,
        cluster: ClusterStep {
            name: cfg.name.clone(),
            region: cfg.region.clone(),
            load_balancer_controller: None,
            image_platform: cfg.cluster.nodes.image_platform().to_owned(),
        },
        endpoint: None,
        lattice: Some(LatticeStep {
            service_network: cfg.name.clone(),
            gateway_namespace: gw_ns,
            controller_namespace: CONTROLLER_NAMESPACE.to_owned(),
            controller: HelmRelease {
                chart_version: Some(CONTROLLER_CHART_VERSION.to_owned()),
                values_file: CONTROLLER_VALUES_FILE.to_owned(),
            },
            gateway_api_version: GATEWAY_API_VERSION.to_owned(),
            dns_annotation: LATTICE_DNS_ANNOTATION.to_owned(),
            grpcurl_image: GRPCURL_IMAGE.to_owned(),
            iam_auth: iam,
            callers,
        }),
        dns_records: vec![],
        ecs: None,
        dns_zone: None,
        // Lattice target groups are created by the AWS Gateway API Controller at run time, so
        // no alarm can name them at synth (README, limits).
        alarms: None,
    };
    Ok((files, used, spec))
}
