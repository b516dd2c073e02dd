//! Name conversions from CloudFormation identifiers to Rust identifiers.

/// Rust keywords (strict, reserved and edition-2024 `gen`) that cannot be used as plain identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Splits an identifier or enum value into lower-case words.
///
/// Word boundaries: any non-alphanumeric character, lower-case or digit followed by upper-case
/// (`VpcId` → `vpc id`, `S3Bucket` → `s3 bucket`), and the last capital of an acronym run that is
/// followed by a lower-case letter (`DNSName` → `dns name`, `OriginSSLProtocols` → `origin ssl
/// protocols`). `IPv4`/`IPv6`/`TLSv`/`SSLv` are one word (`IPv6CidrBlock` → `ipv6 cidr block`).
pub fn words(s: &str) -> Vec<String> {
    let s = s
        .replace("IPv4", "Ipv4")
        .replace("IPv6", "Ipv6")
        .replace("TLSv", "Tlsv")
        .replace("SSLv", "Sslv");
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if !cur.is_empty() && c.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `snake_case` field, parameter, module and accessor names; keywords get a trailing `_`.
pub fn snake(s: &str) -> String {
    let mut out = words(s).join("_");
    if out.is_empty() {
        out.push_str("value");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// `PascalCase` type and variant names. Words are capitalised and joined; two words that meet
/// digit-to-digit keep an `_` between them (`http1.1` → `Http1_1`, `TLSv1.2_2021` →
/// `Tlsv1_2_2021`). A name that would start with a digit gets a `V` prefix; an empty one is `Empty`.
pub fn pascal(s: &str) -> String {
    let mut out = String::new();
    for w in words(s) {
        if out.ends_with(|c: char| c.is_ascii_digit())
            && w.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push('_');
        }
        let mut cs = w.chars();
        if let Some(f) = cs.next() {
            out.push(f.to_ascii_uppercase());
            out.extend(cs);
        }
    }
    if out.is_empty() {
        return "Empty".to_owned();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if out == "Self" {
        out.push_str("Value");
    }
    out
}

/// The `l1` module of a CloudFormation service namespace (`AWS::<Service>::…`).
pub fn service_module(service: &str) -> String {
    match service.to_ascii_lowercase().as_str() {
        "elasticloadbalancingv2" => "elbv2".to_owned(),
        "vpclattice" => "lattice".to_owned(),
        "certificatemanager" => "acm".to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_handles_acronyms_digits_and_keywords() {
        for (cfn, rust) in [
            ("DNSName", "dns_name"),
            ("HTTPPort", "http_port"),
            ("HTTPSPort", "https_port"),
            ("OriginSSLProtocols", "origin_ssl_protocols"),
            ("VpcId", "vpc_id"),
            ("IPv6CidrBlock", "ipv6_cidr_block"),
            (
                "AssignIpv6AddressOnCreation",
                "assign_ipv6_address_on_creation",
            ),
            ("KMSMasterKeyID", "kms_master_key_id"),
            ("S3BucketName", "s3_bucket_name"),
            ("FunctionARN", "function_arn"),
            ("WebACL", "web_acl"),
            (
                "SubnetRouteTableAssociation",
                "subnet_route_table_association",
            ),
            ("VPCGatewayAttachment", "vpc_gateway_attachment"),
            ("Type", "type_"),
            ("Ref", "ref_"),
            (
                "KubernetesNetworkConfig.ServiceIpv6Cidr",
                "kubernetes_network_config_service_ipv6_cidr",
            ),
        ] {
            assert_eq!(snake(cfn), rust, "{cfn}");
        }
    }

    #[test]
    fn pascal_types_and_enum_values() {
        for (cfn, rust) in [
            ("WebACL", "WebAcl"),
            ("VPC", "Vpc"),
            ("IPSet", "IpSet"),
            ("TargetGroup", "TargetGroup"),
            ("http1.1", "Http1_1"),
            ("http2and3", "Http2and3"),
            ("TLSv1.2_2021", "Tlsv1_2_2021"),
            ("cloudfront-js-2.0", "CloudfrontJs2_0"),
            ("aws:kms:dsse", "AwsKmsDsse"),
            ("Bytes/Second", "BytesSecond"),
            ("ALLOW", "Allow"),
            ("redirect-to-https", "RedirectToHttps"),
            ("2xl", "V2xl"),
            ("", "Empty"),
            ("self", "SelfValue"),
        ] {
            assert_eq!(pascal(cfn), rust, "{cfn:?}");
        }
    }

    #[test]
    fn service_modules() {
        assert_eq!(service_module("ElasticLoadBalancingV2"), "elbv2");
        assert_eq!(service_module("VpcLattice"), "lattice");
        assert_eq!(service_module("CertificateManager"), "acm");
        assert_eq!(service_module("WAFv2"), "wafv2");
        assert_eq!(service_module("EC2"), "ec2");
    }
}
