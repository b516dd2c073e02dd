//! Semantic checks of a `grpc-ecs-*` config beyond its schema.

use std::collections::BTreeMap;

use formwork_constructs::ecs::{fargate_memory_options, valid_fargate_cpu};
use formwork_constructs::elbv2::{check_grpc_codes, check_grpc_path};

use super::config::{EcsBlueprintName, EcsConfig, EcsServiceConfig};
use super::shards;
use crate::common::{check_name, check_tags};
use crate::config::ConfigError;

/// Semantic checks beyond the schema.
pub fn check(cfg: &EcsConfig) -> Vec<ConfigError> {
    let mut errs = Vec::new();
    check_name("/name", &cfg.name, 20, &mut errs);
    let region_ok =
        crate::regions::check_listed("/region", &cfg.region, cfg.allow_unlisted_region, &mut errs);
    let zone = cfg.dns.as_ref().and_then(|d| d.check("/dns", &mut errs));
    // A certificate is not blamed for a Region that does not exist.
    crate::dns::check_alb_certificate(
        cfg.certificate_arn.as_deref(),
        cfg.dns.as_ref(),
        &cfg.region,
        region_ok,
        &mut errs,
    );
    cfg.vpc.check("/vpc", &mut errs);
    if cfg.vpc.nat_gateways == 0 {
        errs.push(ConfigError::at(
            "/vpc/nat_gateways",
            "tasks in the private subnets pull their images from ECR and write logs through a NAT gateway, and formwork creates no VPC endpoints: use nat_gateways: 1 or more",
        ));
    }
    check_tags("/tags", &cfg.tags, &mut errs);
    cfg.alarms.check("/alarms", &mut errs);
    let edge_bp = cfg.blueprint == EcsBlueprintName::GrpcEcsEdge;
    match (&cfg.edge, edge_bp) {
        (None, true) => errs.push(ConfigError::at(
            "",
            "grpc-ecs-edge needs an `edge:` section (origin_domain, …)",
        )),
        (Some(_), false) => errs.push(ConfigError::at(
            "/edge",
            "grpc-ecs-alb has no CloudFront; use `blueprint: grpc-ecs-edge` for an `edge:` section",
        )),
        _ => {}
    }
    if let Some(e) = &cfg.edge {
        let (stacks, services) = (shards(cfg).len(), cfg.services.len());
        crate::front::check_edge(e, stacks, services, cfg.dns.is_some(), &mut errs);
    }
    if let Some(z) = &zone {
        crate::dns::check_names_in_zone(&cfg.name, cfg.edge.as_ref(), z, &mut errs);
    }
    let albs: Vec<(String, Vec<usize>)> = shards(cfg)
        .iter()
        .enumerate()
        .map(|(n, g)| {
            let counts = g.iter().map(|s| s.grpc_services.len()).collect();
            (super::service_stack_name(cfg, n + 1), counts)
        })
        .collect();
    crate::common::check_rules_per_stack(&albs, cfg.services_per_stack, &mut errs);
    let names: Vec<&str> = cfg.services.iter().map(|s| s.name.as_str()).collect();
    crate::common::check_service_names(&names, &mut errs);
    let mut grpc = BTreeMap::new();
    for (i, s) in cfg.services.iter().enumerate() {
        let p = format!("/services/{i}");
        for (j, g) in s.grpc_services.iter().enumerate() {
            crate::common::check_grpc_name(&format!("{p}/grpc_services/{j}"), g, &mut errs);
            if let Some(other) = grpc.insert(g.clone(), s.name.clone()) {
                errs.push(ConfigError::at(
                    format!("{p}/grpc_services/{j}"),
                    format!("gRPC service `{g}` is already routed to service `{other}`"),
                ));
            }
        }
        check_service(&p, s, &mut errs);
    }
    errs
}

/// One service's own settings: image tag, Fargate size, scaling, health checks.
fn check_service(p: &str, s: &EcsServiceConfig, errs: &mut Vec<ConfigError>) {
    if s.image_tag == "latest" {
        errs.push(ConfigError::at(
            format!("{p}/image_tag"),
            "`latest` cannot be deployed from an immutable repository; give a version such as 1.4.2",
        ));
    }
    let memory = fargate_memory_options(s.cpu);
    if memory.is_empty() {
        errs.push(ConfigError::at(
            format!("{p}/cpu"),
            format!(
                "cpu {} is not a Fargate task size; use one of {:?} (1024 = 1 vCPU)",
                s.cpu,
                valid_fargate_cpu()
            ),
        ));
    } else if !memory.contains(&s.memory) {
        errs.push(ConfigError::at(
            format!("{p}/memory"),
            format!(
                "memory {} MiB does not go with cpu {} on Fargate; use one of {memory:?}",
                s.memory, s.cpu
            ),
        ));
    }
    if let Some(sc) = &s.scaling {
        if sc.min > sc.max {
            errs.push(ConfigError::at(
                format!("{p}/scaling"),
                format!("scaling.min {} is above scaling.max {}", sc.min, sc.max),
            ));
        }
        if sc.target_cpu_percent.is_none() && sc.requests_per_target.is_none() {
            errs.push(ConfigError::at(
                format!("{p}/scaling"),
                "scaling needs target_cpu_percent, requests_per_target or both (or `scaling: null` for a fixed desired_count)",
            ));
        }
    }
    let c = &s.capacity;
    if c.on_demand_weight + c.spot_weight == 0 {
        errs.push(ConfigError::at(
            format!("{p}/capacity"),
            "on_demand_weight and spot_weight are both 0: ECS could place no task beyond the base; give one of them a weight",
        ));
    }
    if s.health_check_grace_period_seconds < s.start_period_seconds {
        errs.push(ConfigError::at(
            format!("{p}/health_check_grace_period_seconds"),
            format!(
                "{} s is shorter than start_period_seconds {}: the load balancer's health check would fail tasks that are still starting and the circuit breaker would roll the deployment back; use at least {}",
                s.health_check_grace_period_seconds, s.start_period_seconds, s.start_period_seconds
            ),
        ));
    }
    if let Err(m) = check_grpc_path(&s.health_check.path) {
        errs.push(ConfigError::at(format!("{p}/health_check/path"), m));
    }
    if let Err(m) = check_grpc_codes(&s.health_check.grpc_codes) {
        errs.push(ConfigError::at(format!("{p}/health_check/grpc_codes"), m));
    }
    for k in s.environment.keys() {
        let ok = k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            errs.push(ConfigError::at(
                format!(
                    "{p}/environment/{}",
                    formwork_constructs::core::pointer::escape_segment(k)
                ),
                format!("`{k}` is not an environment variable name (letters, digits, `_`, not starting with a digit)"),
            ));
        }
    }
}
