//! CloudFront gRPC rules (FACTS.md §0.1–0.3, §1, §10): FW-GRPC-001…010, FW-LIMIT-009.

use serde_json::{Map, Value};

use super::{Ctx, lit_bool, lit_str};

const ALL_METHODS: [&str; 7] = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];
const DC: &str = "/Properties/DistributionConfig";

/// Whether this behaviour has `GrpcConfig.Enabled: true`.
pub fn is_grpc(behaviour: &Value) -> bool {
    lit_bool(behaviour.get("GrpcConfig").and_then(|g| g.get("Enabled"))) == Some(true)
}

/// `(pointer, behaviour)` for the default and every extra cache behaviour.
pub fn behaviours(dc: &Map<String, Value>) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    if let Some(d) = dc.get("DefaultCacheBehavior") {
        out.push((format!("{DC}/DefaultCacheBehavior"), d));
    }
    if let Some(Value::Array(items)) = dc.get("CacheBehaviors") {
        for (i, b) in items.iter().enumerate() {
            out.push((format!("{DC}/CacheBehaviors/{i}"), b));
        }
    }
    out
}

pub(super) fn run(ctx: &mut Ctx<'_>) {
    for (id, props) in ctx.of_type("AWS::CloudFront::Distribution") {
        let Some(dc) = props.get("DistributionConfig").and_then(Value::as_object) else {
            continue;
        };
        if let Some(Value::Array(cb)) = dc.get("CacheBehaviors")
            && cb.len() > 75
        {
            ctx.emit(
                "FW-LIMIT-009",
                Some(id),
                format!("{DC}/CacheBehaviors"),
                format!("{} cache behaviours; the default quota is 75 per distribution", cb.len()),
                "merge path patterns, or request a quota increase (Service Quotas: CloudFront cache behaviors per distribution)",
            );
        }
        let grpc: Vec<(String, &Value)> = behaviours(dc)
            .into_iter()
            .filter(|(_, b)| is_grpc(b))
            .collect();
        if grpc.is_empty() {
            continue;
        }
        // FW-GRPC-001: HTTP/2
        match dc.get("HttpVersion") {
            None => ctx.emit(
                "FW-GRPC-001",
                Some(id),
                DC,
                "gRPC is enabled but HttpVersion is not set (the default is http1.1); gRPC needs HTTP/2",
                "set DistributionConfig.HttpVersion to http2 or http2and3",
            ),
            Some(Value::String(v)) if v != "http2" && v != "http2and3" => ctx.emit(
                "FW-GRPC-001",
                Some(id),
                format!("{DC}/HttpVersion"),
                format!("gRPC is enabled but HttpVersion is {v}; gRPC needs HTTP/2"),
                "set DistributionConfig.HttpVersion to http2 or http2and3",
            ),
            _ => {}
        }
        // FW-GRPC-007: custom error responses
        if let Some(cer) = dc.get("CustomErrorResponses")
            && cer.as_array().is_none_or(|a| !a.is_empty())
        {
            ctx.emit(
                "FW-GRPC-007",
                Some(id),
                format!("{DC}/CustomErrorResponses"),
                "custom error responses are not supported with gRPC behaviours",
                "remove CustomErrorResponses, or serve the gRPC paths from a separate distribution",
            );
        }
        let origins: Vec<&Value> = dc
            .get("Origins")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let groups: Vec<&str> = dc
            .get("OriginGroups")
            .and_then(|g| g.get("Items"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|g| lit_str(g.get("Id"))).collect())
            .unwrap_or_default();
        let mut checked_origins: Vec<usize> = Vec::new();
        for (bp, b) in grpc {
            // FW-GRPC-002: methods
            match b.get("AllowedMethods") {
                None => ctx.emit(
                    "FW-GRPC-002",
                    Some(id),
                    bp.clone(),
                    "gRPC behaviour without AllowedMethods (default GET, HEAD); gRPC needs POST, which CloudFront only allows with all 7 methods",
                    "set AllowedMethods: [GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE]",
                ),
                Some(Value::Array(m)) if m.iter().all(Value::is_string) => {
                    let mut got: Vec<String> =
                        m.iter().filter_map(Value::as_str).map(str::to_ascii_uppercase).collect();
                    got.sort();
                    got.dedup();
                    if got != ALL_METHODS {
                        ctx.emit(
                            "FW-GRPC-002",
                            Some(id),
                            format!("{bp}/AllowedMethods"),
                            format!("gRPC behaviour allows only {}; gRPC needs POST, which CloudFront only allows with all 7 methods", got.join(", ")),
                            "set AllowedMethods: [GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE]",
                        );
                    }
                }
                _ => {}
            }
            // FW-GRPC-009: allow-all viewer policy
            if lit_str(b.get("ViewerProtocolPolicy")) == Some("allow-all") {
                ctx.emit(
                    "FW-GRPC-009",
                    Some(id),
                    format!("{bp}/ViewerProtocolPolicy"),
                    "allow-all on a gRPC behaviour: it deploys, but gRPC only works over HTTPS, so plain-HTTP clients get errors instead of a redirect or a clear refusal",
                    "set ViewerProtocolPolicy: https-only",
                );
            }
            // FW-GRPC-004: Lambda@Edge
            if let Some(l) = b.get("LambdaFunctionAssociations")
                && l.as_array().is_none_or(|a| !a.is_empty())
            {
                ctx.emit(
                    "FW-GRPC-004",
                    Some(id),
                    format!("{bp}/LambdaFunctionAssociations"),
                    "Lambda@Edge is not supported on gRPC behaviours",
                    "remove LambdaFunctionAssociations (CloudFront Functions are supported), or move the function to a non-gRPC path",
                );
            }
            // origin lookup
            let Some(target) = lit_str(b.get("TargetOriginId")) else {
                continue;
            };
            if groups.contains(&target) {
                ctx.emit(
                    "FW-GRPC-006",
                    Some(id),
                    format!("{bp}/TargetOriginId"),
                    format!("gRPC behaviour targets origin group {target}: origin failover only works for GET/HEAD/OPTIONS, never for gRPC (POST)"),
                    "point the gRPC behaviour at a single origin",
                );
                continue;
            }
            let Some(oi) = origins
                .iter()
                .position(|o| lit_str(o.get("Id")) == Some(target))
            else {
                continue;
            };
            if checked_origins.contains(&oi) {
                continue;
            }
            checked_origins.push(oi);
            let o = origins[oi];
            let op = format!("{DC}/Origins/{oi}");
            if o.get("VpcOriginConfig").is_some() {
                ctx.emit(
                    "FW-GRPC-008",
                    Some(id),
                    format!("{op}/VpcOriginConfig"),
                    "VPC origins do not support gRPC",
                    "use an internet-facing ALB as a custom origin (https-only), locked to the CloudFront origin-facing prefix list and/or a secret origin header",
                );
            } else if let Some(c) = o.get("CustomOriginConfig") {
                match lit_str(c.get("OriginProtocolPolicy")) {
                    Some("http-only") => ctx.emit(
                        "FW-GRPC-003",
                        Some(id),
                        format!("{op}/CustomOriginConfig/OriginProtocolPolicy"),
                        "gRPC needs end-to-end HTTPS but the origin is http-only",
                        "set OriginProtocolPolicy: https-only and serve TLS on the origin (ALB HTTPS listener)",
                    ),
                    Some("match-viewer") => ctx.emit(
                        "FW-GRPC-010",
                        Some(id),
                        format!("{op}/CustomOriginConfig/OriginProtocolPolicy"),
                        "match-viewer on a gRPC origin: works only while every viewer uses HTTPS",
                        "set OriginProtocolPolicy: https-only",
                    ),
                    _ => {}
                }
            } else {
                ctx.emit(
                    "FW-GRPC-003",
                    Some(id),
                    op.clone(),
                    "gRPC behaviour targets an S3 origin; gRPC needs an HTTPS custom origin that speaks gRPC",
                    "target a custom origin (CustomOriginConfig, OriginProtocolPolicy: https-only) such as the ALB",
                );
            }
            if lit_bool(o.get("OriginShield").and_then(|s| s.get("Enabled"))) == Some(true) {
                ctx.emit(
                    "FW-GRPC-005",
                    Some(id),
                    format!("{op}/OriginShield"),
                    "Origin Shield is not supported for gRPC (gRPC bypasses the regional edge caches)",
                    "remove OriginShield from the gRPC origin, or use a separate origin for non-gRPC paths",
                );
            }
        }
    }
}
