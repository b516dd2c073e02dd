//! Security rules: FW-SEC-001…003.

use serde_json::{Map, Value};

use super::{Ctx, lit_int, lit_str};
use crate::validate::diagnostic::Severity;
use crate::validate::registry::{Check, Code, Rule};

const WEAK_VIEWER_TLS: &[&str] = &[
    "SSLv3",
    "TLSv1",
    "TLSv1_2016",
    "TLSv1.1_2016",
    "TLSv1.2_2018",
];
const WEAK_ORIGIN_TLS: &[&str] = &["SSLv3", "TLSv1", "TLSv1.1"];

fn open_rule(ctx: &mut Ctx<'_>, id: &str, ptr: String, rule: &Map<String, Value>) {
    let open = lit_str(rule.get("CidrIp")) == Some("0.0.0.0/0")
        || lit_str(rule.get("CidrIpv6")) == Some("::/0");
    if !open {
        return;
    }
    let proto = match rule.get("IpProtocol") {
        Some(Value::String(s)) => s.to_ascii_lowercase(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return,
    };
    let all = proto == "-1" || proto == "all";
    let (from, to) = (lit_int(rule.get("FromPort")), lit_int(rule.get("ToPort")));
    let web_only =
        !all && matches!((from, to), (Some(a), Some(b)) if a == b && (a == 80 || a == 443));
    let icmp = proto == "icmp" || proto == "1" || proto == "icmpv6" || proto == "58";
    if web_only || icmp || (!all && (from.is_none() || to.is_none())) {
        return;
    }
    let ports = if all {
        "all ports".to_owned()
    } else {
        format!("ports {}-{}", from.unwrap_or(0), to.unwrap_or(0))
    };
    ctx.emit(
        Code::SecOpenIngress,
        Some(id),
        ptr,
        format!("ingress from the whole internet on {ports}"),
        "restrict the source (a CIDR, a security group, or the CloudFront origin-facing prefix list), or open only 443",
    );
}

fn viewer_tls(ctx: &mut Ctx<'_>) {
    for (id, p) in ctx.of_type("AWS::CloudFront::Distribution") {
        let Some(vc) = p
            .get("DistributionConfig")
            .and_then(|dc| dc.get("ViewerCertificate"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        if !(vc.contains_key("AcmCertificateArn") || vc.contains_key("IamCertificateId")) {
            continue;
        }
        match vc.get("MinimumProtocolVersion") {
            None => ctx.emit(
                Code::SecViewerTls,
                Some(id),
                "/Properties/DistributionConfig/ViewerCertificate",
                "custom viewer certificate without MinimumProtocolVersion: CloudFront defaults to TLSv1",
                "set MinimumProtocolVersion: TLSv1.2_2021 (or newer)",
            ),
            Some(Value::String(v)) if WEAK_VIEWER_TLS.contains(&v.as_str()) => ctx.emit(
                Code::SecViewerTls,
                Some(id),
                "/Properties/DistributionConfig/ViewerCertificate/MinimumProtocolVersion",
                format!("viewer TLS minimum {v} allows obsolete protocols or ciphers"),
                "set MinimumProtocolVersion: TLSv1.2_2021 (or newer)",
            ),
            _ => {}
        }
    }
}

fn origin_tls(ctx: &mut Ctx<'_>) {
    for (id, p) in ctx.of_type("AWS::CloudFront::Distribution") {
        let Some(Value::Array(origins)) =
            p.get("DistributionConfig").and_then(|dc| dc.get("Origins"))
        else {
            continue;
        };
        for (i, o) in origins.iter().enumerate() {
            let Some(Value::Array(protos)) = o
                .get("CustomOriginConfig")
                .and_then(|c| c.get("OriginSSLProtocols"))
            else {
                continue;
            };
            let weak: Vec<&str> = protos
                .iter()
                .filter_map(Value::as_str)
                .filter(|p| WEAK_ORIGIN_TLS.contains(p))
                .collect();
            if !weak.is_empty() {
                ctx.emit(
                    Code::SecOriginTls,
                    Some(id),
                    format!("/Properties/DistributionConfig/Origins/{i}/CustomOriginConfig/OriginSSLProtocols"),
                    format!("origin TLS allows {}", weak.join(", ")),
                    "set OriginSSLProtocols: [TLSv1.2]",
                );
            }
        }
    }
}

fn open_ingress(ctx: &mut Ctx<'_>) {
    for (id, p) in ctx.of_type("AWS::EC2::SecurityGroup") {
        if let Some(Value::Array(rules)) = p.get("SecurityGroupIngress") {
            for (i, r) in rules.iter().enumerate() {
                if let Some(r) = r.as_object() {
                    open_rule(ctx, id, format!("/Properties/SecurityGroupIngress/{i}"), r);
                }
            }
        }
    }
    for (id, p) in ctx.of_type("AWS::EC2::SecurityGroupIngress") {
        open_rule(ctx, id, "/Properties".to_owned(), p);
    }
}

/// The rules of this family (see [`crate::validate::registry`]).
pub(crate) const RULES: &[Rule] = &[
    Rule {
        code: Code::SecViewerTls,
        severity: Severity::Warning,
        summary: "CloudFront viewer TLS minimum below TLSv1.2_2019 with a custom certificate",
        what: "with a custom certificate, `MinimumProtocolVersion` defaults to `TLSv1`; `SSLv3`, `TLSv1`, `TLSv1_2016`, `TLSv1.1_2016`, `TLSv1.2_2018` allow obsolete protocols/ciphers. (HTTP/2 viewers negotiate TLS 1.2+ anyway, but other clients do not.)",
        fix: "`MinimumProtocolVersion: TLSv1.2_2021` (or newer).",
        source: "FACTS.md §1.6",
        check: Check::Fn(viewer_tls),
    },
    Rule {
        code: Code::SecOpenIngress,
        severity: Severity::Warning,
        summary: "security group open to the internet on a port other than 80/443",
        what: "a security group rule open to `0.0.0.0/0` or `::/0` on anything but exactly port 80 or 443 (ICMP ignored) exposes the service to the internet.",
        fix: "restrict the source (CIDR, security group, CloudFront origin-facing prefix list), or open only 443.",
        source: "FACTS.md §1.4",
        check: Check::Fn(open_ingress),
    },
    Rule {
        code: Code::SecOriginTls,
        severity: Severity::Warning,
        summary: "CloudFront origin allowing SSLv3/TLSv1/TLSv1.1",
        what: "`OriginSSLProtocols` containing `SSLv3`, `TLSv1` or `TLSv1.1` lets CloudFront downgrade the origin connection.",
        fix: "`OriginSSLProtocols: [TLSv1.2]`.",
        source: "FACTS.md §1.4",
        check: Check::Fn(origin_tls),
    },
];
