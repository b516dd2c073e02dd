//! WAF scope and edge-region rules (FACTS.md §1.6, §3.1, §3.5, §7.3): FW-WAF-001…004.
//!
//! Region-bound rules (a CLOUDFRONT-scope resource or a CloudFront certificate created in this
//! stack) only fire when the stack region is known (`--region`); literal ARNs carry their own
//! region and are always checked.

use serde_json::Value;

use super::{Ctx, lit_str};
use crate::validate::diagnostic::Severity;
use crate::validate::registry::{Check, Code, Rule};

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

fn cloudfront_scope_region(ctx: &mut Ctx<'_>) {
    let Some(region) = ctx.region.filter(|r| *r != "us-east-1") else {
        return;
    };
    for ty in SCOPED {
        for (id, p) in ctx.of_type(ty) {
            if lit_str(p.get("Scope")).is_some_and(|s| s.eq_ignore_ascii_case("CLOUDFRONT")) {
                ctx.emit(
                    Code::WafCloudfrontScopeRegion,
                    Some(id),
                    "/Properties/Scope",
                    format!("Scope CLOUDFRONT in a stack in {region}: CloudFront-scope WAF resources can only be created in us-east-1 (\"The scope is not valid\")"),
                    "create the CLOUDFRONT web ACL in a us-east-1 stack and pass its ARN to this stack as a parameter",
                );
            }
        }
    }
}

/// `(logical id, DistributionConfig)` of every distribution.
fn distribution_configs<'a>(ctx: &Ctx<'a>) -> Vec<(&'a str, &'a Value)> {
    ctx.of_type("AWS::CloudFront::Distribution")
        .into_iter()
        .filter_map(|(id, p)| Some((id, p.get("DistributionConfig")?)))
        .collect()
}

fn regional_acl_on_cloudfront(ctx: &mut Ctx<'_>) {
    for (id, dc) in distribution_configs(ctx) {
        if let Some(w) = dc.get("WebACLId")
            && acl_scope(ctx, w).as_deref() == Some("REGIONAL")
        {
            ctx.emit(
                Code::WafRegionalAclOnCloudfront,
                Some(id),
                "/Properties/DistributionConfig/WebACLId",
                "WebACLId points at a REGIONAL web ACL; CloudFront needs a CLOUDFRONT-scope ACL (created in us-east-1)",
                "create a separate Scope: CLOUDFRONT web ACL in us-east-1 and use its ARN",
            );
        }
    }
}

fn certificate_region(ctx: &mut Ctx<'_>) {
    for (id, dc) in distribution_configs(ctx) {
        let Some(c) = dc
            .get("ViewerCertificate")
            .and_then(|v| v.get("AcmCertificateArn"))
        else {
            continue;
        };
        let ptr = "/Properties/DistributionConfig/ViewerCertificate/AcmCertificateArn";
        if let Some(r) = c.as_str().and_then(arn_region) {
            if r != "us-east-1" {
                ctx.emit(
                    Code::WafCertificateRegion,
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
                Code::WafCertificateRegion,
                Some(id),
                ptr,
                msg,
                "create the certificate in a us-east-1 stack and pass its ARN as a parameter",
            );
        }
    }
}

fn association_cloudfront(ctx: &mut Ctx<'_>) {
    for (id, p) in ctx.of_type("AWS::WAFv2::WebACLAssociation") {
        if let Some(w) = p.get("WebACLArn")
            && acl_scope(ctx, w).as_deref() == Some("CLOUDFRONT")
        {
            ctx.emit(
                Code::WafAssociationCloudfront,
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
                Code::WafAssociationCloudfront,
                Some(id),
                "/Properties/ResourceArn",
                "WebACLAssociation targeting a CloudFront distribution: not supported",
                "set DistributionConfig.WebACLId on the distribution to the CLOUDFRONT ACL's ARN instead",
            );
        }
    }
}

/// The rules of this family (see [`crate::validate::registry`]).
pub(crate) const RULES: &[Rule] = &[
    Rule {
        code: Code::WafCloudfrontScopeRegion,
        severity: Severity::Error,
        summary: "CLOUDFRONT-scope WAF resource outside us-east-1",
        what: "WAFv2 resources with `Scope: CLOUDFRONT` (WebACL, IPSet, RegexPatternSet, RuleGroup) can only be created in us-east-1 (`The scope is not valid`). **Region-bound:** fires only when the stack region is known (`--region`, or the synth target); otherwise it stays silent.",
        fix: "create the CLOUDFRONT ACL in a us-east-1 stack and pass its ARN as a parameter.",
        source: "FACTS.md §3.1, §7.3",
        check: Check::Fn(cloudfront_scope_region),
    },
    Rule {
        code: Code::WafRegionalAclOnCloudfront,
        severity: Severity::Error,
        summary: "CloudFront WebACLId pointing at a REGIONAL web ACL",
        what: "a distribution's `WebACLId` must be a CLOUDFRONT-scope ACL ARN. Resolved through `Ref`/`Fn::GetAtt` to a `AWS::WAFv2::WebACL` of the template with a literal Scope, or a literal ARN (`…:regional/webacl/…`). Parameters and imports are unknown and never reported.",
        fix: "create a `Scope: CLOUDFRONT` ACL in us-east-1 and use its ARN.",
        source: "FACTS.md §1.6, §3.5",
        check: Check::Fn(regional_acl_on_cloudfront),
    },
    Rule {
        code: Code::WafAssociationCloudfront,
        severity: Severity::Error,
        summary: "WebACLAssociation given a CLOUDFRONT-scope ACL or a distribution",
        what: "`AWS::WAFv2::WebACLAssociation` is for regional resources (ALB, API Gateway…): given a CLOUDFRONT-scope ACL (resolved like FW-WAF-002, or `…:global/webacl/…`) or a CloudFront distribution as `ResourceArn`, it fails. Real templates get this wrong.",
        fix: "attach CLOUDFRONT ACLs through `DistributionConfig.WebACLId`; associate only REGIONAL ACLs.",
        source: "FACTS.md §3.5",
        check: Check::Fn(association_cloudfront),
    },
    Rule {
        code: Code::WafCertificateRegion,
        severity: Severity::Error,
        summary: "CloudFront certificate outside us-east-1",
        what: "CloudFront only uses ACM certificates from us-east-1. A literal ARN's region is always checked; a certificate created by this stack (`Ref` to `AWS::CertificateManager::Certificate`) is checked when the stack region is known (region-bound).",
        fix: "request/import the certificate in us-east-1 and pass its ARN as a parameter.",
        source: "FACTS.md §1.6, §7.3; https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html",
        check: Check::Fn(certificate_region),
    },
];
