//! The runbook spec of `grpc-ecs-*`: per service its image (pushed after the platform stack,
//! which holds the repositories) and outputs, the ECS cluster and services to wait for, the
//! public endpoint and the DNS records the operator creates. No manifests, no Helm values.

use formwork_assembly::runbook::{ClusterStep, EcsStep, ServiceStep};
use formwork_assembly::{OutputRef, RunbookSpec};
use formwork_constructs::route53::HostedZone;

use super::compose::Published;
use super::config::{ArchitectureConfig, EcsConfig};
use super::{blueprint_name, service_stack_name, shards};

/// The runbook: every value from a stack comes from `published`.
pub(super) fn runbook(
    cfg: &EcsConfig,
    zone: Option<&HostedZone>,
    published: &Published,
) -> RunbookSpec {
    let services = cfg
        .services
        .iter()
        .zip(&published.services)
        .map(|(svc, out)| ServiceStep {
            name: svc.name.clone(),
            namespace: svc.name.clone(),
            repository: out.repository.clone(),
            target_group: Some(out.target_group.clone()),
            image_tag: svc.image_tag.clone(),
            build_context: svc
                .build
                .clone()
                .unwrap_or_else(|| format!("./{}", svc.name)),
            grpc_services: svc.grpc_services.clone(),
            port: svc.port as u16,
        })
        .collect();
    let endpoint = crate::dns::endpoint(&cfg.name, cfg.edge.as_ref(), zone, &published.endpoint);
    RunbookSpec {
        title: blueprint_name(cfg).to_owned(),
        services,
        cluster: ClusterStep {
            name: cfg.name.clone(),
            region: cfg.region.clone(),
            load_balancer_controller: None,
            image_platform: match cfg.cluster.architecture {
                ArchitectureConfig::Arm64 => "linux/arm64",
                ArchitectureConfig::X86_64 => "linux/amd64",
            }
            .to_owned(),
        },
        endpoint: Some(endpoint),
        lattice: None,
        dns_records: crate::dns::runbook_records(
            &cfg.name,
            cfg.edge.as_ref(),
            zone,
            shards(cfg).len(),
            |n| service_stack_name(cfg, n),
        ),
        dns_zone: zone.map(|z| z.name.clone()),
        ecs: Some(EcsStep {
            cluster: published.cluster_name.clone(),
            services: published
                .services
                .iter()
                .map(|s| s.service.clone())
                .collect(),
        }),
        alarms: alarm_runbook(cfg),
    }
}

/// The alarms section: the topics (the Region's in `<name>`, CloudFront's in `<name>-edge`
/// outside us-east-1), the web ACLs watched, one frontend per service stack.
fn alarm_runbook(cfg: &EcsConfig) -> Option<formwork_assembly::runbook::AlarmsStep> {
    use crate::alarms::{AlarmLayout, TOPIC_OUTPUT, WatchedWaf};
    use formwork_constructs::wafv2::WafScope;
    let edge_stack = format!("{}-edge", cfg.name);
    let in_us_east_1 = cfg.region == "us-east-1";
    let mut topics = vec![OutputRef::new(&cfg.name, TOPIC_OUTPUT)];
    let mut wafs = vec![WatchedWaf {
        prefix: "RegionalWaf",
        stack: &cfg.name,
        scope: WafScope::Regional,
    }];
    if cfg.edge.is_some() {
        let stack = if in_us_east_1 {
            &cfg.name
        } else {
            topics.push(OutputRef::new(&edge_stack, TOPIC_OUTPUT));
            &edge_stack
        };
        wafs.push(WatchedWaf {
            prefix: "EdgeWaf",
            stack,
            scope: WafScope::CloudFront,
        });
    }
    let layout = AlarmLayout {
        app: &cfg.name,
        region: &cfg.region,
        topics,
        wafs,
        services: cfg.services.len(),
        frontends: (1..=shards(cfg).len())
            .map(|n| crate::common::pascal(&service_stack_name(cfg, n)))
            .collect(),
        cloudfront: cfg.edge.is_some(),
    };
    crate::alarms::runbook_step(&cfg.alarms, &layout)
}
