//! Security rules: FW-SEC-001…003.

use serde_json::{Map, Value};

use super::{Ctx, lit_int, lit_str};

const WEAK_VIEWER_TLS: &[&str] = &[
    "SSLv3",
    "TLSv1",
    "TLSv1_2016",
    "TLSv1.1_2016",
    "TLSv1.2_2018",
];
const WEAK_ORIGIN_TLS: &[&str] = &["SSLv3", "TLSv1", "TLSv1.1"];

fn open_ingress(ctx: &mut Ctx<'_>, id: &str, ptr: String, rule: &Map<String, Value>) {
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
        "FW-SEC-002",
        Some(id),
        ptr,
        format!("ingress from the whole internet on {ports}"),
        "restrict the source (a CIDR, a security group, or the CloudFront origin-facing prefix list), or open only 443",
    );
}

pub(super) fn run(ctx: &mut Ctx<'_>) {
    for (id, p) in ctx.of_type("AWS::CloudFront::Distribution") {
        let Some(dc) = p.get("DistributionConfig") else {
            continue;
        };
        if let Some(vc) = dc.get("ViewerCertificate").and_then(Value::as_object)
            && (vc.contains_key("AcmCertificateArn") || vc.contains_key("IamCertificateId"))
        {
            match vc.get("MinimumProtocolVersion") {
                None => ctx.emit(
                    "FW-SEC-001",
                    Some(id),
                    "/Properties/DistributionConfig/ViewerCertificate",
                    "custom viewer certificate without MinimumProtocolVersion: CloudFront defaults to TLSv1",
                    "set MinimumProtocolVersion: TLSv1.2_2021 (or newer)",
                ),
                Some(Value::String(v)) if WEAK_VIEWER_TLS.contains(&v.as_str()) => ctx.emit(
                    "FW-SEC-001",
                    Some(id),
                    "/Properties/DistributionConfig/ViewerCertificate/MinimumProtocolVersion",
                    format!("viewer TLS minimum {v} allows obsolete protocols or ciphers"),
                    "set MinimumProtocolVersion: TLSv1.2_2021 (or newer)",
                ),
                _ => {}
            }
        }
        if let Some(Value::Array(origins)) = dc.get("Origins") {
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
                        "FW-SEC-003",
                        Some(id),
                        format!("/Properties/DistributionConfig/Origins/{i}/CustomOriginConfig/OriginSSLProtocols"),
                        format!("origin TLS allows {}", weak.join(", ")),
                        "set OriginSSLProtocols: [TLSv1.2]",
                    );
                }
            }
        }
    }
    for (id, p) in ctx.of_type("AWS::EC2::SecurityGroup") {
        if let Some(Value::Array(rules)) = p.get("SecurityGroupIngress") {
            for (i, r) in rules.iter().enumerate() {
                if let Some(r) = r.as_object() {
                    open_ingress(ctx, id, format!("/Properties/SecurityGroupIngress/{i}"), r);
                }
            }
        }
    }
    for (id, p) in ctx.of_type("AWS::EC2::SecurityGroupIngress") {
        open_ingress(ctx, id, "/Properties".to_owned(), p);
    }
}
