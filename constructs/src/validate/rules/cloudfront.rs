//! CloudFront gRPC rules (FACTS.md §0.1–0.3, §1, §10): FW-GRPC-001…010, FW-LIMIT-009.

use serde_json::{Map, Value};

use super::{Ctx, lit_bool, lit_str};
use crate::validate::diagnostic::Severity;
use crate::validate::registry::{Check, Code, Rule};

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

/// `(logical id, DistributionConfig)` of every distribution.
fn configs<'a>(ctx: &Ctx<'a>) -> Vec<(&'a str, &'a Map<String, Value>)> {
    ctx.of_type("AWS::CloudFront::Distribution")
        .into_iter()
        .filter_map(|(id, p)| Some((id, p.get("DistributionConfig")?.as_object()?)))
        .collect()
}

/// A distribution with at least one gRPC behaviour: its id, config and gRPC behaviours.
struct GrpcDistribution<'a> {
    id: &'a str,
    dc: &'a Map<String, Value>,
    behaviours: Vec<(String, &'a Value)>,
}

fn grpc_distributions<'a>(ctx: &Ctx<'a>) -> Vec<GrpcDistribution<'a>> {
    configs(ctx)
        .into_iter()
        .filter_map(|(id, dc)| {
            let behaviours: Vec<(String, &Value)> = behaviours(dc)
                .into_iter()
                .filter(|(_, b)| is_grpc(b))
                .collect();
            (!behaviours.is_empty()).then_some(GrpcDistribution { id, dc, behaviours })
        })
        .collect()
}

/// Every `(distribution id, behaviour pointer, behaviour)` of a gRPC behaviour.
fn grpc_behaviours<'a>(ctx: &Ctx<'a>) -> Vec<(&'a str, String, &'a Value)> {
    grpc_distributions(ctx)
        .into_iter()
        .flat_map(|d| d.behaviours.into_iter().map(move |(p, b)| (d.id, p, b)))
        .collect()
}

fn origin_group_ids(dc: &Map<String, Value>) -> Vec<&str> {
    dc.get("OriginGroups")
        .and_then(|g| g.get("Items"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|g| lit_str(g.get("Id"))).collect())
        .unwrap_or_default()
}

/// `(distribution id, origin pointer, origin)` of every origin a gRPC behaviour targets
/// directly (origin groups are FW-GRPC-006), each once.
fn grpc_origins<'a>(ctx: &Ctx<'a>) -> Vec<(&'a str, String, &'a Value)> {
    let mut out = Vec::new();
    for d in grpc_distributions(ctx) {
        let origins: &[Value] =
            d.dc.get("Origins")
                .and_then(Value::as_array)
                .map_or(&[], Vec::as_slice);
        let groups = origin_group_ids(d.dc);
        let mut seen: Vec<usize> = Vec::new();
        for (_, b) in &d.behaviours {
            let Some(target) = lit_str(b.get("TargetOriginId")) else {
                continue;
            };
            if groups.contains(&target) {
                continue;
            }
            if let Some(oi) = origins
                .iter()
                .position(|o| lit_str(o.get("Id")) == Some(target))
                && !seen.contains(&oi)
            {
                seen.push(oi);
                out.push((d.id, format!("{DC}/Origins/{oi}"), &origins[oi]));
            }
        }
    }
    out
}

fn cache_behaviours_quota(ctx: &mut Ctx<'_>) {
    for (id, dc) in configs(ctx) {
        if let Some(Value::Array(cb)) = dc.get("CacheBehaviors")
            && cb.len() > 75
        {
            ctx.emit(
                Code::LimitCacheBehaviors,
                Some(id),
                format!("{DC}/CacheBehaviors"),
                format!("{} cache behaviours; the default quota is 75 per distribution", cb.len()),
                "merge path patterns, or request a quota increase (Service Quotas: CloudFront cache behaviors per distribution)",
            );
        }
    }
}

fn no_http2(ctx: &mut Ctx<'_>) {
    for d in grpc_distributions(ctx) {
        match d.dc.get("HttpVersion") {
            None => ctx.emit(
                Code::GrpcNoHttp2,
                Some(d.id),
                DC,
                "gRPC is enabled but HttpVersion is not set (the default is http1.1); gRPC needs HTTP/2",
                "set DistributionConfig.HttpVersion to http2 or http2and3",
            ),
            Some(Value::String(v)) if v != "http2" && v != "http2and3" => ctx.emit(
                Code::GrpcNoHttp2,
                Some(d.id),
                format!("{DC}/HttpVersion"),
                format!("gRPC is enabled but HttpVersion is {v}; gRPC needs HTTP/2"),
                "set DistributionConfig.HttpVersion to http2 or http2and3",
            ),
            _ => {}
        }
    }
}

fn custom_errors(ctx: &mut Ctx<'_>) {
    for d in grpc_distributions(ctx) {
        if let Some(cer) = d.dc.get("CustomErrorResponses")
            && cer.as_array().is_none_or(|a| !a.is_empty())
        {
            ctx.emit(
                Code::GrpcCustomErrors,
                Some(d.id),
                format!("{DC}/CustomErrorResponses"),
                "custom error responses are not supported with gRPC behaviours",
                "remove CustomErrorResponses, or serve the gRPC paths from a separate distribution",
            );
        }
    }
}

fn methods(ctx: &mut Ctx<'_>) {
    let fix = "set AllowedMethods: [GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE]";
    for (id, bp, b) in grpc_behaviours(ctx) {
        match b.get("AllowedMethods") {
            None => ctx.emit(
                Code::GrpcMethods,
                Some(id),
                bp,
                "gRPC behaviour without AllowedMethods (default GET, HEAD); gRPC needs POST, which CloudFront only allows with all 7 methods",
                fix,
            ),
            Some(Value::Array(m)) if m.iter().all(Value::is_string) => {
                let mut got: Vec<String> =
                    m.iter().filter_map(Value::as_str).map(str::to_ascii_uppercase).collect();
                got.sort();
                got.dedup();
                if got != ALL_METHODS {
                    ctx.emit(
                        Code::GrpcMethods,
                        Some(id),
                        format!("{bp}/AllowedMethods"),
                        format!("gRPC behaviour allows only {}; gRPC needs POST, which CloudFront only allows with all 7 methods", got.join(", ")),
                        fix,
                    );
                }
            }
            _ => {}
        }
    }
}

fn allow_all(ctx: &mut Ctx<'_>) {
    for (id, bp, b) in grpc_behaviours(ctx) {
        if lit_str(b.get("ViewerProtocolPolicy")) == Some("allow-all") {
            ctx.emit(
                Code::GrpcAllowAll,
                Some(id),
                format!("{bp}/ViewerProtocolPolicy"),
                "allow-all on a gRPC behaviour: it deploys, but gRPC only works over HTTPS, so plain-HTTP clients get errors instead of a redirect or a clear refusal",
                "set ViewerProtocolPolicy: https-only",
            );
        }
    }
}

fn lambda_edge(ctx: &mut Ctx<'_>) {
    for (id, bp, b) in grpc_behaviours(ctx) {
        if let Some(l) = b.get("LambdaFunctionAssociations")
            && l.as_array().is_none_or(|a| !a.is_empty())
        {
            ctx.emit(
                Code::GrpcLambdaEdge,
                Some(id),
                format!("{bp}/LambdaFunctionAssociations"),
                "Lambda@Edge is not supported on gRPC behaviours",
                "remove LambdaFunctionAssociations (CloudFront Functions are supported), or move the function to a non-gRPC path",
            );
        }
    }
}

fn origin_group(ctx: &mut Ctx<'_>) {
    for d in grpc_distributions(ctx) {
        let groups = origin_group_ids(d.dc);
        for (bp, b) in &d.behaviours {
            if let Some(target) = lit_str(b.get("TargetOriginId"))
                && groups.contains(&target)
            {
                ctx.emit(
                    Code::GrpcOriginGroup,
                    Some(d.id),
                    format!("{bp}/TargetOriginId"),
                    format!("gRPC behaviour targets origin group {target}: origin failover only works for GET/HEAD/OPTIONS, never for gRPC (POST)"),
                    "point the gRPC behaviour at a single origin",
                );
            }
        }
    }
}

fn vpc_origin(ctx: &mut Ctx<'_>) {
    for (id, op, o) in grpc_origins(ctx) {
        if o.get("VpcOriginConfig").is_some() {
            ctx.emit(
                Code::GrpcVpcOrigin,
                Some(id),
                format!("{op}/VpcOriginConfig"),
                "VPC origins do not support gRPC",
                "use an internet-facing ALB as a custom origin (https-only), locked to the CloudFront origin-facing prefix list and/or a secret origin header",
            );
        }
    }
}

fn non_https_origin(ctx: &mut Ctx<'_>) {
    for (id, op, o) in grpc_origins(ctx) {
        if o.get("VpcOriginConfig").is_some() {
            continue; // FW-GRPC-008
        }
        match o.get("CustomOriginConfig") {
            Some(c) if lit_str(c.get("OriginProtocolPolicy")) == Some("http-only") => ctx.emit(
                Code::GrpcNonHttpsOrigin,
                Some(id),
                format!("{op}/CustomOriginConfig/OriginProtocolPolicy"),
                "gRPC needs end-to-end HTTPS but the origin is http-only",
                "set OriginProtocolPolicy: https-only and serve TLS on the origin (ALB HTTPS listener)",
            ),
            Some(_) => {}
            None => ctx.emit(
                Code::GrpcNonHttpsOrigin,
                Some(id),
                op,
                "gRPC behaviour targets an S3 origin; gRPC needs an HTTPS custom origin that speaks gRPC",
                "target a custom origin (CustomOriginConfig, OriginProtocolPolicy: https-only) such as the ALB",
            ),
        }
    }
}

fn match_viewer(ctx: &mut Ctx<'_>) {
    for (id, op, o) in grpc_origins(ctx) {
        if o.get("VpcOriginConfig").is_none()
            && let Some(c) = o.get("CustomOriginConfig")
            && lit_str(c.get("OriginProtocolPolicy")) == Some("match-viewer")
        {
            ctx.emit(
                Code::GrpcMatchViewer,
                Some(id),
                format!("{op}/CustomOriginConfig/OriginProtocolPolicy"),
                "match-viewer on a gRPC origin: works only while every viewer uses HTTPS",
                "set OriginProtocolPolicy: https-only",
            );
        }
    }
}

fn origin_mtls(ctx: &mut Ctx<'_>) {
    for (id, op, o) in grpc_origins(ctx) {
        if o.get("CustomOriginConfig")
            .and_then(|c| c.get("OriginMtlsConfig"))
            .is_some_and(|m| !m.is_null())
        {
            ctx.emit(
                Code::GrpcOriginMtls,
                Some(id),
                format!("{op}/CustomOriginConfig/OriginMtlsConfig"),
                "origin mutual TLS on the origin of a gRPC behaviour: CloudFront does not support gRPC to origins with mTLS enabled",
                "remove OriginMtlsConfig from the gRPC origin and authenticate CloudFront another way (a secret origin header, the CloudFront origin-facing prefix list), or serve gRPC from a separate origin",
            );
        }
    }
}

fn origin_shield(ctx: &mut Ctx<'_>) {
    for (id, op, o) in grpc_origins(ctx) {
        if lit_bool(o.get("OriginShield").and_then(|s| s.get("Enabled"))) == Some(true) {
            ctx.emit(
                Code::GrpcOriginShield,
                Some(id),
                format!("{op}/OriginShield"),
                "Origin Shield is not supported for gRPC (gRPC bypasses the regional edge caches)",
                "remove OriginShield from the gRPC origin, or use a separate origin for non-gRPC paths",
            );
        }
    }
}

/// The rules of this family (see [`crate::validate::registry`]).
pub(crate) const RULES: &[Rule] = &[
    Rule {
        code: Code::GrpcNoHttp2,
        severity: Severity::Error,
        summary: "CloudFront gRPC behaviour without HTTP/2 (HttpVersion http2 or http2and3)",
        what: "CloudFront gRPC requires HTTP/2 between viewer and CloudFront; `HttpVersion` must be `http2` or `http2and3`. The default when omitted is `http1.1`, and `http3` alone excludes HTTP/2.",
        fix: "`DistributionConfig.HttpVersion: http2` (or `http2and3`).",
        source: "FACTS.md §1.1; https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-using-grpc.html",
        check: Check::Fn(no_http2),
    },
    Rule {
        code: Code::GrpcMethods,
        severity: Severity::Error,
        summary: "CloudFront gRPC behaviour without all 7 HTTP methods",
        what: "gRPC is POST; CloudFront accepts only three AllowedMethods sets and the only one with POST is all 7 methods; CloudFormation rejects `GrpcConfig.Enabled: true` otherwise (`The parameter gRPC only supports the POST method.`). The default (omitted) is GET, HEAD.",
        fix: "`AllowedMethods: [GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE]`.",
        source: "FACTS.md §0.3; aws/aws-cdk PR #32535",
        check: Check::Fn(methods),
    },
    Rule {
        code: Code::GrpcNonHttpsOrigin,
        severity: Severity::Error,
        summary: "CloudFront gRPC behaviour with a non-HTTPS origin",
        what: "gRPC through CloudFront is end-to-end HTTPS only: an `http-only` custom origin, or an S3 origin (which cannot speak gRPC), breaks every call.",
        fix: "`CustomOriginConfig.OriginProtocolPolicy: https-only` on an origin that serves TLS (the ALB's HTTPS listener).",
        source: "FACTS.md §1.1, §1.4; https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-using-grpc.html",
        check: Check::Fn(non_https_origin),
    },
    Rule {
        code: Code::GrpcLambdaEdge,
        severity: Severity::Error,
        summary: "Lambda@Edge on a CloudFront gRPC behaviour",
        what: "gRPC behaviours do not support Lambda@Edge (CloudFront Functions are supported).",
        fix: "remove `LambdaFunctionAssociations` from the gRPC behaviour (use a CloudFront Function, or keep Lambda@Edge on non-gRPC paths).",
        source: "FACTS.md §0.2; https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-using-grpc.html",
        check: Check::Fn(lambda_edge),
    },
    Rule {
        code: Code::GrpcOriginShield,
        severity: Severity::Error,
        summary: "Origin Shield on the origin of a CloudFront gRPC behaviour",
        what: "gRPC bypasses the regional edge caches, so Origin Shield is not supported on a gRPC origin.",
        fix: "remove `OriginShield` from the origin used by the gRPC behaviour (or give non-gRPC paths their own origin).",
        source: "FACTS.md §0.2; https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-using-grpc.html",
        check: Check::Fn(origin_shield),
    },
    Rule {
        code: Code::GrpcOriginGroup,
        severity: Severity::Error,
        summary: "CloudFront gRPC behaviour targeting an origin group (failover)",
        what: "origin failover (origin groups) only works for GET/HEAD/OPTIONS; gRPC is POST.",
        fix: "point the gRPC behaviour's `TargetOriginId` at a single origin.",
        source: "FACTS.md §0.2; https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-using-grpc.html",
        check: Check::Fn(origin_group),
    },
    Rule {
        code: Code::GrpcCustomErrors,
        severity: Severity::Error,
        summary: "Custom error responses on a distribution with gRPC behaviours",
        what: "custom error responses are not supported for gRPC; a distribution with gRPC behaviours must not carry `CustomErrorResponses`.",
        fix: "remove `CustomErrorResponses`, or serve gRPC from a separate distribution.",
        source: "FACTS.md §0.2; https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-using-grpc.html",
        check: Check::Fn(custom_errors),
    },
    Rule {
        code: Code::GrpcVpcOrigin,
        severity: Severity::Error,
        summary: "CloudFront gRPC behaviour targeting a VPC origin",
        what: "CloudFront VPC origins do not support gRPC (nor WebSockets, nor Lambda@Edge origin triggers).",
        fix: "use an internet-facing ALB as a custom https-only origin, locked down with the `com.amazonaws.global.cloudfront.origin-facing` prefix list and/or a secret origin header.",
        source: "FACTS.md §0.1, §1.5; https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html",
        check: Check::Fn(vpc_origin),
    },
    Rule {
        code: Code::GrpcAllowAll,
        severity: Severity::Warning,
        summary: "allow-all viewer protocol policy on a gRPC behaviour",
        what: "`allow-all` on a gRPC behaviour deploys, but gRPC needs HTTPS/HTTP2 with TLS 1.2+, so plain-HTTP clients fail in confusing ways instead of being redirected or refused.",
        fix: "`ViewerProtocolPolicy: https-only`.",
        source: "FACTS.md §1.1, §1.2",
        check: Check::Fn(allow_all),
    },
    Rule {
        code: Code::GrpcMatchViewer,
        severity: Severity::Warning,
        summary: "match-viewer origin protocol policy on a gRPC origin",
        what: "`match-viewer` reaches the origin over HTTPS only while every viewer does; the gRPC contract is HTTPS end to end.",
        fix: "`OriginProtocolPolicy: https-only`.",
        source: "FACTS.md §1.2, §1.4",
        check: Check::Fn(match_viewer),
    },
    Rule {
        code: Code::LimitCacheBehaviors,
        severity: Severity::Warning,
        summary: "more than 75 cache behaviours in one distribution",
        what: "default quota: 75 cache behaviours per distribution (adjustable).",
        fix: "merge path patterns or request an increase.",
        source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html",
        check: Check::Fn(cache_behaviours_quota),
    },
    Rule {
        code: Code::GrpcOriginMtls,
        severity: Severity::Error,
        summary: "origin mutual TLS on the origin of a CloudFront gRPC behaviour",
        what: "CloudFront: \"gRPC protocol is not supported for origins with mutual TLS (origin) enabled\". Fires when an origin a gRPC behaviour targets has `CustomOriginConfig.OriginMtlsConfig`.",
        fix: "drop `OriginMtlsConfig` on that origin; lock the origin with a secret header and the origin-facing prefix list instead, or use a separate origin for non-gRPC paths that need mTLS.",
        source: "FACTS.md §11; https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/origin-enable-mtls-distributions.html",
        check: Check::Fn(origin_mtls),
    },
];
