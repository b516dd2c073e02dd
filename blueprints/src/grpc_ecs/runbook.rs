//! The runbook spec of `grpc-ecs-*`: per service its image (pushed after the platform stack,
//! which holds the repositories) and outputs, the ECS cluster and services to wait for, the
//! public endpoint and the DNS records the operator creates. No manifests, no Helm values.

use formwork_assembly::runbook::{ClusterStep, DnsRecord, EcsStep, Endpoint, Host, ServiceStep};
use formwork_assembly::{OutputRef, RunbookSpec};

use super::compose::Published;
use super::config::{ArchitectureConfig, EcsConfig};
use super::{blueprint_name, service_stack_name, shards};
use crate::front::compose::{ALB_DNS_OUTPUT, DISTRIBUTION_DOMAIN_OUTPUT};

/// The runbook: every value from a stack comes from `published`.
pub(super) fn runbook(cfg: &EcsConfig, published: &Published) -> RunbookSpec {
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
    let endpoint = match &cfg.edge {
        Some(e) => Endpoint {
            host: Host::Output(published.endpoint.clone()),
            authority: e.aliases.first().map(|a| a.replace("{n}", "1")),
            unrouted: "`PermissionDenied` (the ALB answers 403: only routed services pass the origin check)".to_owned(),
        },
        None => Endpoint {
            host: Host::Output(published.endpoint.clone()),
            authority: None,
            unrouted: "`Unimplemented` (the listener's fixed 404)".to_owned(),
        },
    };
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
        dns_records: dns_records(cfg),
        dns_zone: None,
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

/// The records the operator creates, per service stack: for `grpc-ecs-edge` the origin name →
/// the ALB and each alias → the distribution; for `grpc-ecs-alb` the gRPC hostname → the ALB.
fn dns_records(cfg: &EcsConfig) -> Vec<DnsRecord> {
    let mut out = Vec::new();
    for n in 1..=shards(cfg).len() {
        let stack = service_stack_name(cfg, n);
        let no = n.to_string();
        match &cfg.edge {
            Some(e) => {
                if let Some(origin) = &e.origin_domain {
                    out.push(DnsRecord {
                        name: origin.replace("{n}", &no),
                        target: OutputRef::new(&stack, ALB_DNS_OUTPUT),
                        why: "CloudFront connects to the ALB by this name (it is on the ALB's certificate)"
                            .to_owned(),
                    });
                }
                for a in &e.aliases {
                    out.push(DnsRecord {
                        name: a.replace("{n}", &no),
                        target: OutputRef::new(&stack, DISTRIBUTION_DOMAIN_OUTPUT),
                        why: "clients call this name; CloudFront serves it".to_owned(),
                    });
                }
            }
            None => out.push(DnsRecord {
                name: "<your gRPC hostname, a name on certificate_arn>".to_owned(),
                target: OutputRef::new(&stack, ALB_DNS_OUTPUT),
                why: "clients call this name; the ALB's certificate covers it".to_owned(),
            }),
        }
    }
    out
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
