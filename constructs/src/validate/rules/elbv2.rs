//! Elastic Load Balancing rules (FACTS.md §0.4–0.6, §2): FW-ELB-001…006, FW-LIMIT-007/008.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Ctx, lit_int, lit_str};

const LISTENER: &str = "AWS::ElasticLoadBalancingV2::Listener";
const RULE: &str = "AWS::ElasticLoadBalancingV2::ListenerRule";
const TG: &str = "AWS::ElasticLoadBalancingV2::TargetGroup";
const CLB: &str = "AWS::ElasticLoadBalancing::LoadBalancer";

/// `(pointer, target group logical id)` of every forward in `actions` (a listener's
/// `DefaultActions` or a rule's `Actions`), for target groups of this template.
fn forwards<'a>(ctx: &Ctx<'a>, actions: Option<&'a Value>, base: &str) -> Vec<(String, &'a str)> {
    let mut out = Vec::new();
    let Some(Value::Array(actions)) = actions else {
        return out;
    };
    for (i, a) in actions.iter().enumerate() {
        if let Some(id) = a.get("TargetGroupArn").and_then(|v| ctx.target(v)) {
            out.push((format!("{base}/{i}/TargetGroupArn"), id));
        }
        if let Some(Value::Array(tgs)) = a.get("ForwardConfig").and_then(|f| f.get("TargetGroups"))
        {
            for (j, t) in tgs.iter().enumerate() {
                if let Some(id) = t.get("TargetGroupArn").and_then(|v| ctx.target(v)) {
                    out.push((
                        format!("{base}/{i}/ForwardConfig/TargetGroups/{j}/TargetGroupArn"),
                        id,
                    ));
                }
            }
        }
    }
    out
}

fn is_grpc_tg(p: &Map<String, Value>) -> bool {
    lit_str(p.get("ProtocolVersion")).is_some_and(|v| v.eq_ignore_ascii_case("GRPC"))
}

/// `0`, `0,1`, `0-5`, `0-99`: every number in 0..=99 (the rule the target-group construct
/// enforces, shared).
pub fn grpc_codes_ok(s: &str) -> bool {
    crate::elbv2::check_grpc_codes(s).is_ok()
}

/// Ports that say "this is gRPC" when they show up behind an L4 listener.
fn grpcish_port(p: Option<i64>) -> bool {
    matches!(p, Some(50051..=50059))
}

fn mentions_grpc(s: &str) -> bool {
    s.to_ascii_lowercase().contains("grpc")
}

/// Policies that still allow TLS 1.0 or 1.1.
pub fn legacy_ssl_policy(p: &str) -> bool {
    matches!(
        p,
        "ELBSecurityPolicy-2016-08"
            | "ELBSecurityPolicy-2015-05"
            | "ELBSecurityPolicy-FS-2018-06"
            | "ELBSecurityPolicy-FS-1-1-2019-08"
    ) || p.contains("TLS-1-0")
        || p.contains("TLS-1-1")
        || p.contains("TLS13-1-0")
        || p.contains("TLS13-1-1")
}

pub(super) fn run(ctx: &mut Ctx<'_>) {
    let tgs: BTreeMap<&str, &Map<String, Value>> = ctx.of_type(TG).into_iter().collect();
    let listeners = ctx.of_type(LISTENER);
    let rules = ctx.of_type(RULE);

    // Target group checks (FW-ELB-002/003).
    for (&id, p) in &tgs {
        let proto = lit_str(p.get("Protocol")).map(str::to_ascii_uppercase);
        let l4 = matches!(proto.as_deref(), Some("TCP" | "TLS" | "UDP" | "TCP_UDP"));
        let matcher = p.get("Matcher").and_then(Value::as_object);
        if is_grpc_tg(p) {
            if l4 {
                ctx.emit(
                    "FW-ELB-003",
                    Some(id),
                    "/Properties/ProtocolVersion",
                    format!("ProtocolVersion GRPC on a {} target group: only HTTP/HTTPS (ALB) target groups carry gRPC", proto.as_deref().unwrap_or("")),
                    "use an ALB target group (Protocol HTTP or HTTPS) for gRPC",
                );
            }
            if let Some(m) = matcher {
                if m.contains_key("HttpCode") {
                    ctx.emit(
                        "FW-ELB-002",
                        Some(id),
                        "/Properties/Matcher/HttpCode",
                        "a GRPC target group's health check is a gRPC call: HttpCode does not apply",
                        "use Matcher: {GrpcCode: \"0\"} with /grpc.health.v1.Health/Check, or omit Matcher (default /AWS.ALB/healthcheck with code 12)",
                    );
                }
                if let Some(code) = m.get("GrpcCode") {
                    let text = match code {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    };
                    if let Some(t) = text
                        && !grpc_codes_ok(&t)
                    {
                        ctx.emit(
                            "FW-ELB-002",
                            Some(id),
                            "/Properties/Matcher/GrpcCode",
                            format!("GrpcCode {t:?} is not a gRPC status list or range within 0-99"),
                            "use gRPC status codes, e.g. \"0\" (OK), \"12\" (the default) or \"0-99\"",
                        );
                    }
                }
            }
        } else if let Some(m) = matcher
            && m.contains_key("GrpcCode")
        {
            let what = if l4 {
                format!("a {} target group", proto.as_deref().unwrap_or(""))
            } else {
                "a target group whose ProtocolVersion is not GRPC".to_owned()
            };
            ctx.emit(
                "FW-ELB-003",
                Some(id),
                "/Properties/Matcher/GrpcCode",
                format!("Matcher.GrpcCode on {what}"),
                "set ProtocolVersion: GRPC on an HTTP/HTTPS target group, or use HttpCode",
            );
        }
    }

    // Listener protocol by id.
    let proto_of: BTreeMap<&str, Option<String>> = listeners
        .iter()
        .map(|(id, p)| (*id, lit_str(p.get("Protocol")).map(str::to_ascii_uppercase)))
        .collect();
    // Per load balancer: rules and target groups (FW-LIMIT-007/008).
    let mut lb_rules: BTreeMap<&str, usize> = BTreeMap::new();
    let mut lb_tgs: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let lb_of: BTreeMap<&str, &str> = listeners
        .iter()
        .filter_map(|(id, p)| Some((*id, p.get("LoadBalancerArn").and_then(|v| ctx.target(v))?)))
        .collect();

    let mut sites: Vec<(&str, Option<&str>, String, &str)> = Vec::new(); // (resource, listener, pointer, tg)
    for (id, p) in &listeners {
        for (ptr, tg) in forwards(ctx, p.get("DefaultActions"), "/Properties/DefaultActions") {
            sites.push((id, Some(id), ptr, tg));
        }
    }
    for (id, p) in &rules {
        let l = p.get("ListenerArn").and_then(|v| ctx.target(v));
        if let Some(lb) = l.and_then(|l| lb_of.get(l)) {
            *lb_rules.entry(lb).or_default() += 1;
        }
        for (ptr, tg) in forwards(ctx, p.get("Actions"), "/Properties/Actions") {
            sites.push((id, l, ptr, tg));
        }
    }
    for (res, listener, ptr, tg) in sites {
        let Some(tgp) = tgs.get(tg) else { continue };
        if let Some(lb) = listener.and_then(|l| lb_of.get(l)) {
            let v = lb_tgs.entry(lb).or_default();
            if !v.contains(&tg) {
                v.push(tg);
            }
        }
        let Some(Some(proto)) = listener.and_then(|l| proto_of.get(l)) else {
            continue;
        };
        if is_grpc_tg(tgp) && proto != "HTTPS" {
            ctx.emit(
                "FW-ELB-001",
                Some(res),
                ptr.clone(),
                format!("target group {tg} has ProtocolVersion GRPC but the listener protocol is {proto}: rejected with InvalidLoadBalancerAction"),
                "forward to the GRPC target group only from an HTTPS listener (with Certificates and SslPolicy); redirect HTTP to HTTPS",
            );
        }
        if matches!(proto.as_str(), "TCP" | "TLS" | "TCP_UDP") && !is_grpc_tg(tgp) {
            let lid = listener.unwrap_or(res);
            let lp = listener.and_then(|l| ctx.props(l));
            let hint = grpcish_port(lit_int(tgp.get("Port")))
                || lp.is_some_and(|lp| grpcish_port(lit_int(lp.get("Port"))))
                || mentions_grpc(tg)
                || mentions_grpc(lid)
                || lit_str(tgp.get("Name")).is_some_and(mentions_grpc)
                || lit_str(tgp.get("HealthCheckPath")).is_some_and(|h| h.contains("grpc"));
            if hint {
                ctx.emit(
                    "FW-ELB-006",
                    Some(res),
                    ptr.clone(),
                    format!("gRPC target group {tg} behind a {proto} (L4) listener: HTTP/2 multiplexes every call of a client on one connection, so each client sticks to one target and load is not balanced"),
                    "put gRPC behind an ALB HTTPS listener with a ProtocolVersion GRPC target group (per-request balancing), or balance on the client",
                );
            }
        }
    }

    // Listener TLS policy (FW-ELB-004/005).
    for (id, p) in &listeners {
        let Some(Some(proto)) = proto_of.get(id) else {
            continue;
        };
        if proto != "HTTPS" && proto != "TLS" {
            continue;
        }
        match p.get("SslPolicy") {
            None => ctx.emit(
                "FW-ELB-004",
                Some(id),
                "/Properties",
                format!("{proto} listener without SslPolicy: CloudFormation uses ELBSecurityPolicy-2016-08 (TLS 1.0-1.2)"),
                "set SslPolicy explicitly, e.g. ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 or ELBSecurityPolicy-TLS13-1-2-2021-06",
            ),
            Some(Value::String(s)) if legacy_ssl_policy(s) => ctx.emit(
                "FW-ELB-005",
                Some(id),
                "/Properties/SslPolicy",
                format!("SslPolicy {s} still allows TLS 1.0/1.1"),
                "use a TLS 1.2+ policy, e.g. ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            ),
            _ => {}
        }
    }

    // Classic Load Balancer TCP/SSL listeners with gRPC ports (FW-ELB-006).
    for (id, p) in ctx.of_type(CLB) {
        let Some(Value::Array(ls)) = p.get("Listeners") else {
            continue;
        };
        for (i, l) in ls.iter().enumerate() {
            let proto = lit_str(l.get("Protocol")).map(str::to_ascii_uppercase);
            if !matches!(proto.as_deref(), Some("TCP" | "SSL")) {
                continue;
            }
            if grpcish_port(lit_int(l.get("InstancePort")))
                || grpcish_port(lit_int(l.get("LoadBalancerPort")))
                || mentions_grpc(id)
            {
                ctx.emit(
                    "FW-ELB-006",
                    Some(id),
                    format!("/Properties/Listeners/{i}"),
                    "gRPC port behind a Classic Load Balancer TCP/SSL listener: every call of a connection goes to one instance",
                    "use an ALB HTTPS listener with a ProtocolVersion GRPC target group",
                );
            }
        }
    }

    for (lb, n) in lb_rules {
        if n > 100 {
            ctx.emit(
                "FW-LIMIT-007",
                Some(lb),
                "",
                format!("{n} listener rules on this load balancer; the default quota is 100 per ALB (not counting default rules)"),
                "merge rules (up to 5 conditions each), or request a quota increase",
            );
        }
    }
    for (lb, v) in lb_tgs {
        if v.len() > 100 {
            ctx.emit(
                "FW-LIMIT-008",
                Some(lb),
                "",
                format!(
                    "{} target groups behind this load balancer; the default quota is 100 per ALB",
                    v.len()
                ),
                "split services across load balancers, or request a quota increase",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn grpc_codes() {
        for ok in ["0", "12", "0-99", "0,1", "0-5,12", "99"] {
            assert!(grpc_codes_ok(ok), "{ok}");
        }
        for bad in ["200", "", "0-100", "5-1", "a", "200-299", "-1"] {
            assert!(!grpc_codes_ok(bad), "{bad}");
        }
    }
}
