//! Semantic checks of a `grpc-eks-*` config beyond its schema.

use std::collections::BTreeMap;

use formwork_constructs::elbv2::{check_grpc_codes, check_grpc_path};

use super::config::{EksBlueprintName, EksConfig};
use super::shards;
use crate::common::{check_name, check_tags};
use crate::config::ConfigError;

/// Semantic checks beyond the schema.
pub fn check(cfg: &EksConfig) -> Vec<ConfigError> {
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
    check_tags("/tags", &cfg.tags, &mut errs);
    cfg.alarms.check("/alarms", &mut errs);
    crate::platform::check_cluster(
        "/cluster",
        &cfg.cluster.version,
        &cfg.vpc,
        &cfg.cluster.nodes,
        &cfg.cluster.public_access_cidrs,
        &cfg.cluster.admin_role_arns,
        &mut errs,
    );
    let edge_bp = cfg.blueprint == EksBlueprintName::GrpcEksEdge;
    match (&cfg.edge, edge_bp) {
        (None, true) => errs.push(ConfigError::at(
            "",
            "grpc-eks-edge needs an `edge:` section (origin_domain, …)",
        )),
        (Some(_), false) => errs.push(ConfigError::at(
            "/edge",
            "grpc-eks-alb has no CloudFront; use `blueprint: grpc-eks-edge` for an `edge:` section",
        )),
        _ => {}
    }
    if let Some(e) = &cfg.edge {
        crate::front::check_edge(
            e,
            shards(cfg).len(),
            cfg.services.len(),
            cfg.dns.is_some(),
            &mut errs,
        );
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
    for (i, n) in names.iter().enumerate() {
        let p = format!("/services/{i}/name");
        crate::common::check_namespace(&p, n, "service name", &mut errs);
    }
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
        if s.image_tag == "latest" {
            errs.push(ConfigError::at(
                format!("{p}/image_tag"),
                "`latest` cannot be deployed from an immutable repository; give a version such as 1.4.2",
            ));
        }
        if let Some(h) = &s.hpa
            && h.min > h.max
        {
            errs.push(ConfigError::at(
                format!("{p}/hpa"),
                format!("hpa.min {} is above hpa.max {}", h.min, h.max),
            ));
        }
        if let Err(m) = check_grpc_path(&s.health_check.path) {
            errs.push(ConfigError::at(format!("{p}/health_check/path"), m));
        }
        if let Err(m) = check_grpc_codes(&s.health_check.grpc_codes) {
            errs.push(ConfigError::at(format!("{p}/health_check/grpc_codes"), m));
        }
    }
    errs
}
