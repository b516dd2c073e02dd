//! WAF scope and edge-region rules (FACTS.md §1.6, §3.1, §3.5, §7.3): FW-WAF-001…004.
//!
//! Region-bound rules (a CLOUDFRONT-scope resource or a CloudFront certificate created in this
//! stack) only fire when the stack region is known (`--region`); literal ARNs carry their own
//! region and are always checked.

use serde_json::Value;

use super::{Ctx, lit_str};

const SCOPED: &[&str] = &[
    "AWS::WAFv2::WebACL",
    "AWS::WAFv2::IPSet",
    "AWS::WAFv2::RegexPatternSet",
    "AWS::WAFv2::RuleGroup",
];

/// The scope of a WAFv2 web ACL referenced by `v`: via the template (`Ref`/`GetAtt` to a
/// `AWS::WAFv2::WebACL` with a literal Scope), or a literal ARN (`…:global/webacl/…` or
/// `…:regional/webacl/…`). `None` when unknown (parameters, imports…).
fn acl_scope(ctx: &Ctx<'_>, v: &Value) -> Option<String> {
    if let Some(s) = v.as_str() {
        if s.contains(":global/webacl/") {
            return Some("CLOUDFRONT".into());
        }
        if s.contains(":regional/webacl/") {
            return Some("REGIONAL".into());
        }
        return None;
    }
    let id = ctx.target(v)?;
    if ctx.type_of(id) != Some("AWS::WAFv2::WebACL") {
        return None;
    }
    lit_str(ctx.props(id)?.get("Scope")).map(str::to_ascii_uppercase)
}

/// The region of an ACM certificate ARN literal.
fn arn_region(s: &str) -> Option<&str> {
    let mut it = s.split(':');
    (it.next()? == "arn").then_some(())?;
    it.next()?;
    (it.next()? == "acm").then_some(())?;
    it.next()
}

pub(super) fn run(ctx: &mut Ctx<'_>) {
    // FW-WAF-001
    if let Some(region) = ctx.region
        && region != "us-east-1"
    {
        let region = region.to_owned();
        for ty in SCOPED {
            for (id, p) in ctx.of_type(ty) {
                if lit_str(p.get("Scope")).is_some_and(|s| s.eq_ignore_ascii_case("CLOUDFRONT")) {
                    ctx.emit(
                        "FW-WAF-001",
                        Some(id),
                        "/Properties/Scope",
                        format!("Scope CLOUDFRONT in a stack in {region}: CloudFront-scope WAF resources can only be created in us-east-1 (\"The scope is not valid\")"),
                        "create the CLOUDFRONT web ACL in a us-east-1 stack and pass its ARN to this stack as a parameter",
                    );
                }
            }
        }
    }
    for (id, p) in ctx.of_type("AWS::CloudFront::Distribution") {
        let Some(dc) = p.get("DistributionConfig") else {
            continue;
        };
        // FW-WAF-002
        if let Some(w) = dc.get("WebACLId")
            && acl_scope(ctx, w).as_deref() == Some("REGIONAL")
        {
            ctx.emit(
                "FW-WAF-002",
                Some(id),
                "/Properties/DistributionConfig/WebACLId",
                "WebACLId points at a REGIONAL web ACL; CloudFront needs a CLOUDFRONT-scope ACL (created in us-east-1)",
                "create a separate Scope: CLOUDFRONT web ACL in us-east-1 and use its ARN",
            );
        }
        // FW-WAF-004
        if let Some(c) = dc
            .get("ViewerCertificate")
            .and_then(|v| v.get("AcmCertificateArn"))
        {
            let ptr = "/Properties/DistributionConfig/ViewerCertificate/AcmCertificateArn";
            if let Some(r) = c.as_str().and_then(arn_region) {
                if r != "us-east-1" {
                    ctx.emit(
                        "FW-WAF-004",
                        Some(id),
                        ptr,
                        format!("the viewer certificate is in {r}; CloudFront only uses ACM certificates from us-east-1"),
                        "request or import the certificate in us-east-1 and use that ARN",
                    );
                }
            } else if let Some(cert) = ctx.target(c)
                && ctx.type_of(cert) == Some("AWS::CertificateManager::Certificate")
                && let Some(region) = ctx.region
                && region != "us-east-1"
            {
                let msg = format!(
                    "the viewer certificate {cert} is created by this stack in {region}; CloudFront only uses ACM certificates from us-east-1"
                );
                ctx.emit(
                    "FW-WAF-004",
                    Some(id),
                    ptr,
                    msg,
                    "create the certificate in a us-east-1 stack and pass its ARN as a parameter",
                );
            }
        }
    }
    // FW-WAF-003
    for (id, p) in ctx.of_type("AWS::WAFv2::WebACLAssociation") {
        if let Some(w) = p.get("WebACLArn")
            && acl_scope(ctx, w).as_deref() == Some("CLOUDFRONT")
        {
            ctx.emit(
                "FW-WAF-003",
                Some(id),
                "/Properties/WebACLArn",
                "WebACLAssociation with a CLOUDFRONT-scope web ACL: associations are for regional resources (ALB, API Gateway, …)",
                "attach a CLOUDFRONT ACL through the distribution's DistributionConfig.WebACLId; associate a REGIONAL ACL here",
            );
        }
        let to_cf = p.get("ResourceArn").is_some_and(|r| {
            ctx.target(r)
                .is_some_and(|t| ctx.type_of(t) == Some("AWS::CloudFront::Distribution"))
                || r.as_str().is_some_and(|s| s.contains(":cloudfront::"))
        });
        if to_cf {
            ctx.emit(
                "FW-WAF-003",
                Some(id),
                "/Properties/ResourceArn",
                "WebACLAssociation targeting a CloudFront distribution: not supported",
                "set DistributionConfig.WebACLId on the distribution to the CLOUDFRONT ACL's ARN instead",
            );
        }
    }
}
