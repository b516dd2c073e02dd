//! The Kubernetes side of `grpc-eks-*`: per service its manifests (with `${Name}` placeholders
//! for the repository URI and target group ARN), the Load Balancer Controller's Helm values,
//! and the runbook spec.

use formwork_assembly::runbook::{ClusterStep, Endpoint, HelmRelease, Host, ServiceStep};
use formwork_assembly::{Assembly, OutputRef, RunbookSpec, placeholder};

use super::config::{ComputeMode, EksConfig};
use super::{blueprint_name, service_stack_name, shards};
use crate::assemble::add_files;
use crate::common::pascal;
use crate::config::ConfigError;
use crate::k8s::{
    Hpa, LBC_VALUES_FILE, TargetGroupBindingApi, Workload, lbc_helm_values, merge_manifests,
    workloads_manifests,
};

/// Pinned chart of the self-managed AWS Load Balancer Controller.
pub const LBC_CHART_VERSION: &str = "3.5.0";

/// Adds the manifests, the Helm values, their placeholders and the runbook to `asm`.
pub(super) fn add_workload(asm: &mut Assembly, cfg: &EksConfig) -> Result<(), Vec<ConfigError>> {
    let auto = cfg.cluster.compute == ComputeMode::AutoMode;
    let binding_api = if auto {
        TargetGroupBindingApi::EksAmazonawsComV1
    } else {
        TargetGroupBindingApi::Elbv2K8sAwsV1beta1
    };
    let mut workloads = Vec::new();
    let mut services = Vec::new();
    let mut placeholders = Vec::new();
    for (n, group) in shards(cfg).into_iter().enumerate() {
        let stack = service_stack_name(cfg, n + 1);
        for svc in group {
            let id = pascal(&svc.name);
            let repo = format!("{id}RepositoryUri");
            let tg = format!("{id}TargetGroupArn");
            let mut w = Workload::new(
                svc.name.clone(),
                svc.name.clone(),
                format!("{}:{}", placeholder(&repo), svc.image_tag),
                svc.port as u16,
                placeholder(&tg),
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
            workloads.push(w);
            services.push(ServiceStep {
                name: svc.name.clone(),
                namespace: svc.name.clone(),
                repository: OutputRef::new(&stack, &repo),
                target_group: Some(OutputRef::new(&stack, &tg)),
                image_tag: svc.image_tag.clone(),
                build_context: format!("./{}", svc.name),
                grpc_services: svc.grpc_services.clone(),
                port: svc.port as u16,
            });
            placeholders.push((repo.clone(), OutputRef::new(&stack, &repo)));
            placeholders.push((tg.clone(), OutputRef::new(&stack, &tg)));
        }
    }
    let internal = |m: String| vec![ConfigError::at("", m)];
    let mut files =
        merge_manifests(workloads_manifests(&workloads).map_err(internal)?).map_err(internal)?;
    if !auto {
        files.push((
            LBC_VALUES_FILE.to_owned(),
            lbc_helm_values(
                &placeholder("ClusterName"),
                &cfg.region,
                &placeholder("VpcId"),
                "aws-load-balancer-controller",
            ),
        ));
        for o in ["ClusterName", "VpcId"] {
            placeholders.push((o.to_owned(), OutputRef::new(&cfg.name, o)));
        }
    }
    for (name, output) in placeholders {
        asm.add_placeholder(name, output).map_err(internal)?;
    }
    add_files(asm, files)?;
    let first = service_stack_name(cfg, 1);
    let endpoint = match &cfg.edge {
        Some(e) => Endpoint {
            host: Host::Output(OutputRef::new(&first, "DistributionDomainName")),
            authority: e.aliases.first().map(|a| a.replace("{n}", "1")),
            unrouted: "`PermissionDenied` (the ALB answers 403: only routed services pass the origin check)".to_owned(),
        },
        None => Endpoint {
            host: Host::Output(OutputRef::new(&first, "AlbDnsName")),
            authority: None,
            unrouted: "`Unimplemented` (the listener's fixed 404)".to_owned(),
        },
    };
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
            image_platform: "linux/amd64".to_owned(),
        },
        endpoint: Some(endpoint),
        lattice: None,
    });
    Ok(())
}
