//! Semantic checks of a `grpc-lattice` config beyond its schema.

use std::collections::{BTreeMap, BTreeSet};

use super::config::{AuthMode, HealthCheckProtocol, LatticeConfig};
use super::{MAX_DISTINCT_PORTS, gateway_namespace, hc_port};
use crate::common::{check_name, check_tags};
use crate::config::ConfigError;
use crate::k8s::gateway::CONTROLLER_NAMESPACE;

/// Semantic checks beyond the schema.
pub fn check(cfg: &LatticeConfig) -> Vec<ConfigError> {
    let mut errs = Vec::new();
    check_name("/name", &cfg.name, 20, &mut errs);
    if cfg.name.len() < 3 {
        errs.push(ConfigError::at(
            "/name",
            "the service network is named after the app and Lattice names have 3–63 characters",
        ));
    }
    crate::regions::check_listed("/region", &cfg.region, cfg.allow_unlisted_region, &mut errs);
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
    let names: BTreeMap<&str, usize> = cfg
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let gw_ns = gateway_namespace(cfg);
    let service_names: Vec<&str> = cfg.services.iter().map(|s| s.name.as_str()).collect();
    crate::common::check_service_names(&service_names, &mut errs);
    for (i, n) in service_names.iter().enumerate() {
        let p = format!("/services/{i}/name");
        crate::common::check_namespace(&p, n, "service name", &mut errs);
    }
    crate::common::check_namespace(
        "/name",
        &gw_ns,
        "the app name's gateway namespace",
        &mut errs,
    );
    let mut grpc = BTreeMap::new();
    let mut ports = BTreeSet::new();
    for (i, s) in cfg.services.iter().enumerate() {
        let p = format!("/services/{i}");
        if s.name == gw_ns || s.name == CONTROLLER_NAMESPACE {
            errs.push(ConfigError::at(
                format!("{p}/name"),
                format!(
                    "`{}` is the namespace of the Gateway or the controller; rename the service",
                    s.name
                ),
            ));
        }
        for (j, g) in s.grpc_services.iter().enumerate() {
            crate::common::check_grpc_name(&format!("{p}/grpc_services/{j}"), g, &mut errs);
            if let Some(other) = grpc.insert(g.clone(), s.name.clone()) {
                errs.push(ConfigError::at(
                    format!("{p}/grpc_services/{j}"),
                    format!("gRPC service `{g}` is already served by service `{other}`"),
                ));
            }
        }
        if s.image_tag == "latest" {
            errs.push(ConfigError::at(
                format!("{p}/image_tag"),
                "`latest` cannot be deployed from an immutable repository; give a version such as 1.4.2",
            ));
        }
        if s.hpa.min > s.hpa.max {
            errs.push(ConfigError::at(
                format!("{p}/hpa"),
                format!("hpa.min {} is above hpa.max {}", s.hpa.min, s.hpa.max),
            ));
        }
        let hc = &s.health_check;
        if hc.protocol == HealthCheckProtocol::Grpc {
            errs.push(ConfigError::at(
                format!("{p}/health_check/protocol"),
                "VPC Lattice health checks do not support gRPC: use `http1` or `http2` and serve an HTTP 200 on `path` (the target group still carries gRPC)",
            ));
        }
        if !hc.path.starts_with('/') || hc.path.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            errs.push(ConfigError::at(
                format!("{p}/health_check/path"),
                format!("`{}` is not an HTTP path such as /healthz", hc.path),
            ));
        }
        if hc.port.is_some_and(|x| x == 0 || x > 65535) {
            errs.push(ConfigError::at(
                format!("{p}/health_check/port"),
                "a port is 1–65535",
            ));
        }
        ports.insert(s.port);
        ports.insert(hc_port(s));
        let mut callers = BTreeSet::new();
        for (j, c) in s.callers.iter().enumerate() {
            let cp = format!("{p}/callers/{j}");
            if c == &s.name {
                errs.push(ConfigError::at(
                    cp,
                    format!("service `{c}` lists itself as a caller; calls within a service do not go through VPC Lattice"),
                ));
            } else if !names.contains_key(c.as_str()) {
                errs.push(ConfigError::at(
                    cp,
                    format!(
                        "unknown caller `{c}`: callers are names of other services in this config ({})",
                        names.keys().copied().collect::<Vec<_>>().join(", ")
                    ),
                ));
            } else if !callers.insert(c.as_str()) {
                errs.push(ConfigError::at(cp, format!("caller `{c}` is listed twice")));
            }
        }
        if cfg.auth == AuthMode::None && !s.callers.is_empty() {
            errs.push(ConfigError::at(
                format!("{p}/callers"),
                "callers are enforced by IAM auth policies; with `auth: none` every client in the VPC may call, so remove them or use `auth: aws-iam`",
            ));
        }
    }
    if ports.len() > MAX_DISTINCT_PORTS {
        errs.push(ConfigError::at(
            "/services",
            format!(
                "{} distinct pod ports (service and health-check ports): each opens a prefix-list rule on the cluster security group, whose inbound rules are limited; use at most {MAX_DISTINCT_PORTS} (services may share a port)",
                ports.len()
            ),
        ));
    }
    errs
}
