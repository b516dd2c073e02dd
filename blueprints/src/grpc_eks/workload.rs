//! The Kubernetes side of `grpc-eks-*`: per service its manifests (with `${Name}` placeholders
//! for the repository URI and target group ARN), the Load Balancer Controller's Helm values,
//! and the runbook spec.

use formwork_assembly::runbook::{ClusterStep, HelmRelease, ServiceStep};
use formwork_assembly::{Assembly, RunbookSpec};

use super::blueprint_name;
use super::compose::Published;
use super::config::{ComputeMode, EksConfig};
use crate::assemble::add_files;
use crate::config::ConfigError;
use crate::k8s::{
    Hpa, LBC_VALUES_FILE, TargetGroupBindingApi, Workload, lbc_helm_values, merge_manifests,
    workloads_manifests,
};
use formwork_constructs::route53::HostedZone;

/// Pinned chart of the self-managed AWS Load Balancer Controller.
pub const LBC_CHART_VERSION: &str = "3.5.0";

/// Adds the manifests, the Helm values, their placeholders and the runbook to `asm`; every
/// value from a stack comes from `published`.
pub(super) fn add_workload(
    asm: &mut Assembly,
    cfg: &EksConfig,
    zone: Option<&HostedZone>,
    published: &Published,
) -> Result<(), Vec<ConfigError>> {
    let internal = |m: String| vec![ConfigError::at("", m)];
    let auto = cfg.cluster.compute == ComputeMode::AutoMode;
    let binding_api = if auto {
        TargetGroupBindingApi::EksAmazonawsComV1
    } else {
        TargetGroupBindingApi::Elbv2K8sAwsV1beta1
    };
    let mut workloads = Vec::new();
    let mut services = Vec::new();
    for (svc, (repo, tg)) in cfg.services.iter().zip(&published.services) {
        {
            let mut w = Workload::new(
                svc.name.clone(),
                svc.name.clone(),
                format!(
                    "{}:{}",
                    asm.placeholder_for(repo).map_err(internal)?,
                    svc.image_tag
                ),
                svc.port as u16,
                asm.placeholder_for(tg).map_err(internal)?,
            );
            w.replicas = svc.replicas;
            w.cpu_request = svc.cpu.clone();
            w.memory_request = svc.memory.clone();
            w.memory_limit = svc.memory.clone();
            w.hpa = svc.hpa.as_ref().map(|h| Hpa {
                min: h.min,
                max: h.max,
                target_cpu_percent: h.target_cpu_percent,
            });
            w.binding_api = binding_api;
            // `/AWS.ALB/healthcheck` passes on any gRPC server (it answers 12, Unimplemented):
            // the one for servers without a health service, so a gRPC health probe would fail
            // and restart the pods forever; they get TCP probes.
            w.tcp_probes = svc.health_check.path == crate::common::ALB_ONLY_HEALTH_CHECK;
            workloads.push(w);
            services.push(ServiceStep {
                name: svc.name.clone(),
                namespace: svc.name.clone(),
                repository: repo.clone(),
                target_group: Some(tg.clone()),
                image_tag: svc.image_tag.clone(),
                build_context: svc
                    .build
                    .clone()
                    .unwrap_or_else(|| format!("./{}", svc.name)),
                grpc_services: svc.grpc_services.clone(),
                port: svc.port as u16,
            });
        }
    }
    let mut files =
        merge_manifests(workloads_manifests(&workloads).map_err(internal)?).map_err(internal)?;
    if !auto {
        let cluster = asm
            .placeholder_for(&published.cluster_name)
            .map_err(internal)?;
        let vpc = asm.placeholder_for(&published.vpc_id).map_err(internal)?;
        files.push((
            LBC_VALUES_FILE.to_owned(),
            lbc_helm_values(&cluster, &cfg.region, &vpc, "aws-load-balancer-controller"),
        ));
    }
    add_files(asm, files)?;
    let endpoint = crate::dns::endpoint(&cfg.name, cfg.edge.as_ref(), zone, &published.endpoint);
    asm.set_runbook(RunbookSpec {
        title: blueprint_name(cfg).to_owned(),
        services,
        cluster: ClusterStep {
            name: cfg.name.clone(),
            region: cfg.region.clone(),
            load_balancer_controller: (!auto).then(|| HelmRelease {
                chart_version: Some(LBC_CHART_VERSION.to_owned()),
                values_file: LBC_VALUES_FILE.to_owned(),
            }),
            // Auto Mode's built-in NodePools launch amd64 nodes; `nodes` is ignored there.
            image_platform: if auto {
                "linux/amd64"
            } else {
                cfg.cluster.nodes.image_platform()
            }
            .to_owned(),
        },
        endpoint: Some(endpoint),
        lattice: None,
        // With `dns:` the stacks create every record; without, the operator does.
        ecs: None,
        dns_records: crate::dns::runbook_records(
            &cfg.name,
            cfg.edge.as_ref(),
            zone,
            super::shards(cfg).len(),
            |n| super::service_stack_name(cfg, n),
        ),
        dns_zone: zone.map(|z| z.name.clone()),
        alarms: super::alarm_runbook(cfg),
    });
    Ok(())
}
