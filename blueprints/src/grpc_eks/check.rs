//! Semantic checks of a `grpc-eks-*` config beyond its schema.

use std::collections::BTreeMap;

use formwork_constructs::elbv2::{check_grpc_codes, check_grpc_path};

use super::config::{EdgeConfig, EksBlueprintName, EksConfig};
use super::dns::stack_names;
use super::shards;
use crate::common::{check_arn, check_name, check_tags};
use crate::config::ConfigError;
use crate::dns::check_in_zone;

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
        check_edge(cfg, e, &mut errs);
    }
    if let Some(z) = &zone {
        let n = stack_names(cfg, Some(z), 1);
        if let Some(alb) = &n.alb {
            let ptr = match cfg.edge.as_ref().and_then(|e| e.origin_domain.as_ref()) {
                Some(_) => "/edge/origin_domain",
                None => "/name",
            };
            check_in_zone(ptr, alb, z, &mut errs);
        }
        if cfg.edge.as_ref().is_some_and(|e| !e.aliases.is_empty()) {
            for (i, a) in n.aliases.iter().enumerate() {
                check_in_zone(&format!("/edge/aliases/{i}"), a, z, &mut errs);
            }
        }
    }
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

/// The `edge:` section: one origin name and distinct aliases per service stack, certificates in
/// us-east-1 that have aliases, names that are DNS names.
fn check_edge(cfg: &EksConfig, e: &EdgeConfig, errs: &mut Vec<ConfigError>) {
    let stacks = shards(cfg).len();
    if stacks > 1 {
        // Each service stack has its own ALB and distribution: each needs its own origin
        // hostname, and CloudFront refuses an alias that another distribution uses.
        if let Some(d) = &e.origin_domain
            && !d.contains("{n}")
        {
            errs.push(ConfigError::at(
                "/edge/origin_domain",
                format!(
                    "{} services make {stacks} service stacks, each with its own ALB: write `{{n}}` in origin_domain (e.g. origin-{{n}}.example.com) so each ALB gets its own origin hostname",
                    cfg.services.len()
                ),
            ));
        }
        for (i, a) in e.aliases.iter().enumerate() {
            if !a.contains("{n}") {
                errs.push(ConfigError::at(
                    format!("/edge/aliases/{i}"),
                    format!("{stacks} distributions cannot share alias `{a}` (CloudFront refuses a CNAME used twice): write `{{n}}` in it, e.g. api-{{n}}.example.com"),
                ));
            }
        }
    }
    match &e.origin_domain {
        None if cfg.dns.is_none() => errs.push(ConfigError::at(
            "/edge",
            "CloudFront needs the ALB's hostname: give `origin_domain` (a name on the ALB's certificate that points at the ALB) or a `dns:` section and formwork creates <name>-origin.<zone>",
        )),
        None => {}
        Some(d) => {
            let d = d.replace("{n}", "1");
            if d.ends_with(".elb.amazonaws.com") {
                errs.push(ConfigError::at(
                    "/edge/origin_domain",
                    "the ALB's own *.elb.amazonaws.com name is not on its certificate, so CloudFront would answer 502; use a hostname on `certificate_arn` and point it (CNAME) at the ALB",
                ));
            } else if !valid_hostname(&d) {
                errs.push(ConfigError::at(
                    "/edge/origin_domain",
                    format!("`{d}` is not a DNS hostname"),
                ));
            }
        }
    }
    if let Some(c) = &e.certificate_arn {
        check_arn(
            "/edge/certificate_arn",
            c,
            "acm",
            Some("us-east-1"),
            "certificate/",
            errs,
        );
        if e.aliases.is_empty() {
            errs.push(ConfigError::at(
                "/edge/aliases",
                "a viewer certificate needs at least one alias (a hostname on it)",
            ));
        }
    } else if !e.aliases.is_empty() && cfg.dns.is_none() {
        errs.push(ConfigError::at(
            "/edge/aliases",
            "aliases need a viewer certificate: give `certificate_arn` (a us-east-1 ACM certificate covering them) or a `dns:` section and formwork requests one",
        ));
    }
    for (i, a) in e.aliases.iter().enumerate() {
        if !valid_hostname(a.replace("{n}", "1").trim_start_matches("*.")) {
            errs.push(ConfigError::at(
                format!("/edge/aliases/{i}"),
                format!("`{a}` is not a DNS hostname"),
            ));
        }
    }
}

pub(crate) fn valid_hostname(h: &str) -> bool {
    // A full name (no wildcard, at least one dot) by the one DNS-name rule of the constructs.
    h.contains('.') && !h.starts_with("*.") && formwork_constructs::route53::valid_hostname(h)
}
