//! Elastic Load Balancing rules (FACTS.md §0.4–0.6, §2): FW-ELB-001…006, FW-LIMIT-007/008.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Ctx, lit_int, lit_str};
use crate::validate::diagnostic::Severity;
use crate::validate::registry::{Check, Code, Rule};

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

fn target_groups<'a>(ctx: &Ctx<'a>) -> BTreeMap<&'a str, &'a Map<String, Value>> {
    ctx.of_type(TG).into_iter().collect()
}

fn tg_protocol(p: &Map<String, Value>) -> Option<String> {
    lit_str(p.get("Protocol")).map(str::to_ascii_uppercase)
}

fn is_l4(proto: Option<&str>) -> bool {
    matches!(proto, Some("TCP" | "TLS" | "UDP" | "TCP_UDP"))
}

fn grpc_matcher(ctx: &mut Ctx<'_>) {
    for (id, p) in target_groups(ctx) {
        let Some(m) = p.get("Matcher").and_then(Value::as_object) else {
            continue;
        };
        if !is_grpc_tg(p) {
            continue;
        }
        if m.contains_key("HttpCode") {
            ctx.emit(
                Code::ElbGrpcMatcher,
                Some(id),
                "/Properties/Matcher/HttpCode",
                "a GRPC target group's health check is a gRPC call: HttpCode does not apply",
                "use Matcher: {GrpcCode: \"0\"} with /grpc.health.v1.Health/Check, or omit Matcher (default /AWS.ALB/healthcheck with code 12)",
            );
        }
        let text = match m.get("GrpcCode") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        if !grpc_codes_ok(&text) {
            ctx.emit(
                Code::ElbGrpcMatcher,
                Some(id),
                "/Properties/Matcher/GrpcCode",
                format!("GrpcCode {text:?} is not a gRPC status list or range within 0-99"),
                "use gRPC status codes, e.g. \"0\" (OK), \"12\" (the default) or \"0-99\"",
            );
        }
    }
}

fn grpc_on_wrong_target_group(ctx: &mut Ctx<'_>) {
    for (id, p) in target_groups(ctx) {
        let proto = tg_protocol(p);
        let l4 = is_l4(proto.as_deref());
        let proto = proto.unwrap_or_default();
        if is_grpc_tg(p) {
            if l4 {
                ctx.emit(
                    Code::ElbGrpcOnWrongTargetGroup,
                    Some(id),
                    "/Properties/ProtocolVersion",
                    format!("ProtocolVersion GRPC on a {proto} target group: only HTTP/HTTPS (ALB) target groups carry gRPC"),
                    "use an ALB target group (Protocol HTTP or HTTPS) for gRPC",
                );
            }
        } else if p
            .get("Matcher")
            .and_then(Value::as_object)
            .is_some_and(|m| m.contains_key("GrpcCode"))
        {
            let what = if l4 {
                format!("a {proto} target group")
            } else {
                "a target group whose ProtocolVersion is not GRPC".to_owned()
            };
            ctx.emit(
                Code::ElbGrpcOnWrongTargetGroup,
                Some(id),
                "/Properties/Matcher/GrpcCode",
                format!("Matcher.GrpcCode on {what}"),
                "set ProtocolVersion: GRPC on an HTTP/HTTPS target group, or use HttpCode",
            );
        }
    }
}

/// A forward to a target group of the template: from a listener's default actions or a rule.
struct Site<'a> {
    /// The listener or listener rule.
    res: &'a str,
    /// Its listener (for a rule: its `ListenerArn`, when it resolves).
    listener: Option<&'a str>,
    pointer: String,
    tg: &'a str,
}

fn sites<'a>(ctx: &Ctx<'a>) -> Vec<Site<'a>> {
    let mut out = Vec::new();
    for (id, p) in ctx.of_type(LISTENER) {
        for (pointer, tg) in forwards(ctx, p.get("DefaultActions"), "/Properties/DefaultActions") {
            out.push(Site {
                res: id,
                listener: Some(id),
                pointer,
                tg,
            });
        }
    }
    for (id, p) in ctx.of_type(RULE) {
        let listener = p.get("ListenerArn").and_then(|v| ctx.target(v));
        for (pointer, tg) in forwards(ctx, p.get("Actions"), "/Properties/Actions") {
            out.push(Site {
                res: id,
                listener,
                pointer,
                tg,
            });
        }
    }
    out
}

/// The literal protocol (upper case) of listener `id`.
fn listener_protocol(ctx: &Ctx<'_>, id: &str) -> Option<String> {
    if ctx.type_of(id) != Some(LISTENER) {
        return None;
    }
    lit_str(ctx.props(id)?.get("Protocol")).map(str::to_ascii_uppercase)
}

fn grpc_behind_non_https(ctx: &mut Ctx<'_>) {
    let tgs = target_groups(ctx);
    for s in sites(ctx) {
        let (Some(tgp), Some(proto)) = (
            tgs.get(s.tg),
            s.listener.and_then(|l| listener_protocol(ctx, l)),
        ) else {
            continue;
        };
        if is_grpc_tg(tgp) && proto != "HTTPS" {
            ctx.emit(
                Code::ElbGrpcBehindNonHttps,
                Some(s.res),
                s.pointer,
                format!("target group {} has ProtocolVersion GRPC but the listener protocol is {proto}: rejected with InvalidLoadBalancerAction", s.tg),
                "forward to the GRPC target group only from an HTTPS listener (with Certificates and SslPolicy); redirect HTTP to HTTPS",
            );
        }
    }
}

/// Does this forward look like gRPC traffic (ports, names, health path)?
fn looks_grpc(ctx: &Ctx<'_>, s: &Site<'_>, tgp: &Map<String, Value>) -> bool {
    let lid = s.listener.unwrap_or(s.res);
    let lp = s.listener.and_then(|l| ctx.props(l));
    grpcish_port(lit_int(tgp.get("Port")))
        || lp.is_some_and(|lp| grpcish_port(lit_int(lp.get("Port"))))
        || mentions_grpc(s.tg)
        || mentions_grpc(lid)
        || lit_str(tgp.get("Name")).is_some_and(mentions_grpc)
        || lit_str(tgp.get("HealthCheckPath")).is_some_and(|h| h.contains("grpc"))
}

fn grpc_behind_l4(ctx: &mut Ctx<'_>) {
    let tgs = target_groups(ctx);
    for s in sites(ctx) {
        let (Some(tgp), Some(proto)) = (
            tgs.get(s.tg),
            s.listener.and_then(|l| listener_protocol(ctx, l)),
        ) else {
            continue;
        };
        if matches!(proto.as_str(), "TCP" | "TLS" | "TCP_UDP")
            && !is_grpc_tg(tgp)
            && looks_grpc(ctx, &s, tgp)
        {
            ctx.emit(
                Code::ElbGrpcBehindL4,
                Some(s.res),
                s.pointer,
                format!("gRPC target group {} behind a {proto} (L4) listener: HTTP/2 multiplexes every call of a client on one connection, so each client sticks to one target and load is not balanced", s.tg),
                "put gRPC behind an ALB HTTPS listener with a ProtocolVersion GRPC target group (per-request balancing), or balance on the client",
            );
        }
    }
    classic_grpc_behind_l4(ctx);
}

/// Classic Load Balancer TCP/SSL listeners with gRPC ports (FW-ELB-006).
fn classic_grpc_behind_l4(ctx: &mut Ctx<'_>) {
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
                    Code::ElbGrpcBehindL4,
                    Some(id),
                    format!("/Properties/Listeners/{i}"),
                    "gRPC port behind a Classic Load Balancer TCP/SSL listener: every call of a connection goes to one instance",
                    "use an ALB HTTPS listener with a ProtocolVersion GRPC target group",
                );
            }
        }
    }
}

/// `(id, protocol, properties)` of every HTTPS or TLS listener.
fn tls_listeners<'a>(ctx: &Ctx<'a>) -> Vec<(&'a str, String, &'a Map<String, Value>)> {
    ctx.of_type(LISTENER)
        .into_iter()
        .filter_map(|(id, p)| {
            let proto = lit_str(p.get("Protocol"))?.to_ascii_uppercase();
            (proto == "HTTPS" || proto == "TLS").then_some((id, proto, p))
        })
        .collect()
}

fn no_certificates(ctx: &mut Ctx<'_>) {
    for (id, proto, p) in tls_listeners(ctx) {
        let none = match p.get("Certificates") {
            None => true,
            Some(Value::Array(a)) => a.is_empty(),
            Some(_) => false,
        };
        if none {
            ctx.emit(
                Code::ElbNoCertificates,
                Some(id),
                "/Properties",
                format!("{proto} listener without Certificates: the listener is refused (a certificate is required for HTTPS and TLS)"),
                "add Certificates: [{CertificateArn: <ACM certificate ARN>}] (more with AWS::ElasticLoadBalancingV2::ListenerCertificate)",
            );
        }
    }
}

fn no_ssl_policy(ctx: &mut Ctx<'_>) {
    for (id, proto, p) in tls_listeners(ctx) {
        if p.get("SslPolicy").is_none() {
            ctx.emit(
                Code::ElbNoSslPolicy,
                Some(id),
                "/Properties",
                format!("{proto} listener without SslPolicy: CloudFormation uses ELBSecurityPolicy-2016-08 (TLS 1.0-1.2)"),
                "set SslPolicy explicitly, e.g. ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 or ELBSecurityPolicy-TLS13-1-2-2021-06",
            );
        }
    }
}

fn legacy_ssl_policy_in_use(ctx: &mut Ctx<'_>) {
    for (id, _, p) in tls_listeners(ctx) {
        if let Some(Value::String(s)) = p.get("SslPolicy")
            && legacy_ssl_policy(s)
        {
            ctx.emit(
                Code::ElbLegacySslPolicy,
                Some(id),
                "/Properties/SslPolicy",
                format!("SslPolicy {s} still allows TLS 1.0/1.1"),
                "use a TLS 1.2+ policy, e.g. ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            );
        }
    }
}

/// The load balancer of each listener (resolved `LoadBalancerArn`).
fn lb_of<'a>(ctx: &Ctx<'a>) -> BTreeMap<&'a str, &'a str> {
    ctx.of_type(LISTENER)
        .into_iter()
        .filter_map(|(id, p)| Some((id, p.get("LoadBalancerArn").and_then(|v| ctx.target(v))?)))
        .collect()
}

fn listener_rules_quota(ctx: &mut Ctx<'_>) {
    let lb_of = lb_of(ctx);
    let mut per_lb: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, p) in ctx.of_type(RULE) {
        let l = p.get("ListenerArn").and_then(|v| ctx.target(v));
        if let Some(lb) = l.and_then(|l| lb_of.get(l)) {
            *per_lb.entry(lb).or_default() += 1;
        }
    }
    for (lb, n) in per_lb {
        if n > 100 {
            ctx.emit(
                Code::LimitListenerRules,
                Some(lb),
                "",
                format!("{n} listener rules on this load balancer; the default quota is 100 per ALB (not counting default rules)"),
                "merge rules (up to 5 conditions each), or request a quota increase",
            );
        }
    }
}

fn target_groups_quota(ctx: &mut Ctx<'_>) {
    let lb_of = lb_of(ctx);
    let tgs = target_groups(ctx);
    let mut per_lb: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for s in sites(ctx) {
        if !tgs.contains_key(s.tg) {
            continue;
        }
        if let Some(lb) = s.listener.and_then(|l| lb_of.get(l)) {
            let v = per_lb.entry(lb).or_default();
            if !v.contains(&s.tg) {
                v.push(s.tg);
            }
        }
    }
    for (lb, v) in per_lb {
        if v.len() > 100 {
            ctx.emit(
                Code::LimitTargetGroups,
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

/// The rules of this family (see [`crate::validate::registry`]).
pub(crate) const RULES: &[Rule] = &[
    Rule {
        code: Code::ElbGrpcBehindNonHttps,
        severity: Severity::Error,
        summary: "GRPC target group behind a non-HTTPS listener",
        what: "a target group with `ProtocolVersion: GRPC` can only be attached to an HTTPS listener; CloudFormation fails with `InvalidLoadBalancerAction: Listener protocol 'HTTP' is not supported with a target group with the protocol-version 'GRPC'`. Checked on listener default actions and listener rules (`TargetGroupArn` and `ForwardConfig.TargetGroups`), resolving `Ref`/`GetAtt` to listeners and target groups of the template.",
        fix: "forward to the GRPC target group only from an HTTPS listener; make the HTTP listener redirect.",
        source: "FACTS.md §0.4; kubernetes-sigs/aws-load-balancer-controller#2214",
        check: Check::Fn(grpc_behind_non_https),
    },
    Rule {
        code: Code::ElbGrpcMatcher,
        severity: Severity::Error,
        summary: "GRPC target group health-check matcher not a GrpcCode in 0-99",
        what: "a GRPC target group's health check is a gRPC call matched against `GrpcCode` (0–99, lists `0,1` or ranges `0-5`); `HttpCode` does not apply and `200` is rejected (`Health check matcher GRPC code '200' must be within '0-99'`). No Matcher is fine: the default is `/AWS.ALB/healthcheck` with code `12`, which passes against any live gRPC server.",
        fix: r#"`Matcher: {GrpcCode: "0"}` with `/grpc.health.v1.Health/Check`, or `"12"` with the default path, or omit Matcher."#,
        source: "FACTS.md §0.5, §2.1; https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html",
        check: Check::Fn(grpc_matcher),
    },
    Rule {
        code: Code::ElbGrpcOnWrongTargetGroup,
        severity: Severity::Error,
        summary: "gRPC settings on a target group that cannot carry gRPC (GrpcCode on HTTP1/HTTP2, GRPC on TCP/TLS/UDP)",
        what: "`GrpcCode` only exists for `ProtocolVersion: GRPC`; and gRPC (ProtocolVersion or GrpcCode) never applies to TCP/TLS/UDP (NLB) target groups.",
        fix: "use `ProtocolVersion: GRPC` on an HTTP/HTTPS target group behind an ALB, or `HttpCode` on HTTP1/HTTP2 groups.",
        source: "FACTS.md §2.1, §10",
        check: Check::Fn(grpc_on_wrong_target_group),
    },
    Rule {
        code: Code::ElbNoSslPolicy,
        severity: Severity::Warning,
        summary: "HTTPS/TLS listener without an explicit SslPolicy",
        what: "without `SslPolicy`, listeners created through CloudFormation/CLI/CDK get `ELBSecurityPolicy-2016-08` (TLS 1.0–1.2), not the console's modern default.",
        fix: "set `SslPolicy: ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09` (or `ELBSecurityPolicy-TLS13-1-2-2021-06`).",
        source: "FACTS.md §0.6, §2.2; https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html",
        check: Check::Fn(no_ssl_policy),
    },
    Rule {
        code: Code::ElbLegacySslPolicy,
        severity: Severity::Warning,
        summary: "HTTPS/TLS listener with a legacy SslPolicy allowing TLS 1.0/1.1",
        what: "policies such as `ELBSecurityPolicy-2016-08`, `-2015-05`, `-FS-2018-06`, `*TLS-1-0*`, `*TLS-1-1*`, `TLS13-1-0/1-1` still accept TLS 1.0/1.1.",
        fix: "choose a TLS 1.2+ policy (`ELBSecurityPolicy-TLS13-1-2-…`).",
        source: "FACTS.md §2.2",
        check: Check::Fn(legacy_ssl_policy_in_use),
    },
    Rule {
        code: Code::ElbGrpcBehindL4,
        severity: Severity::Warning,
        summary: "gRPC traffic behind a TCP-mode (L4) listener: every request of a connection goes to one target",
        what: "HTTP/2 multiplexes all calls of a client over one long-lived connection; an L4 (NLB TCP/TLS or CLB TCP/SSL) listener balances connections, so every request of that connection goes to the same target and load is not spread. Fires only when the traffic looks like gRPC: a target or listener port 50051–50059, `grpc` in the logical id / target-group name, or a gRPC health path.",
        fix: "put gRPC behind an ALB HTTPS listener with a `ProtocolVersion: GRPC` target group (per-request balancing), or balance on the client (xDS / DNS round robin with short connection age).",
        source: "FACTS.md §2, §9; https://aws.amazon.com/blogs/aws/new-application-load-balancer-support-for-end-to-end-http-2-and-grpc/",
        check: Check::Fn(grpc_behind_l4),
    },
    Rule {
        code: Code::LimitListenerRules,
        severity: Severity::Warning,
        summary: "more than 100 listener rules on one ALB",
        what: "default quota: 100 listener rules per ALB (not counting default rules). Counted from `ListenerRule`s whose `ListenerArn` resolves to a listener of an ALB in the template. Adjustable, hence a warning.",
        fix: "merge rules (up to 5 conditions per rule) or request a quota increase.",
        source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html",
        check: Check::Fn(listener_rules_quota),
    },
    Rule {
        code: Code::LimitTargetGroups,
        severity: Severity::Warning,
        summary: "more than 100 target groups on one ALB",
        what: "default quota: 100 target groups per ALB. Counted from forwards of the ALB's listeners and rules. Adjustable.",
        fix: "split services across ALBs or request an increase.",
        source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html",
        check: Check::Fn(target_groups_quota),
    },
    Rule {
        code: Code::ElbNoCertificates,
        severity: Severity::Error,
        summary: "HTTPS/TLS listener without Certificates",
        what: "an ELBv2 listener with `Protocol: HTTPS` (ALB) or `TLS` (NLB) needs a default certificate in `Certificates` (exactly one; extra ones go in `AWS::ElasticLoadBalancingV2::ListenerCertificate`); without it the listener is refused. Checked for literal protocols; cfn-lint E3676.",
        fix: "`Certificates: [{CertificateArn: !Ref Certificate}]` with an ACM certificate of the load balancer's Region.",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-listener.html; https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html",
        check: Check::Fn(no_certificates),
    },
];

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
