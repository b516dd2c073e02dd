//! WAF scope and edge-region rules (FACTS.md §1.6, §3.1, §3.5, §7.3): FW-WAF-001…004.
//!
//! Region-bound rules (a CLOUDFRONT-scope resource or a CloudFront certificate created in this
//! stack) only fire when the stack region is known (`--region`); literal ARNs carry their own
//! region and are always checked.

use serde_json::Value;

use super::Ctx;
use crate::validate::diagnostic::Severity;
use crate::validate::registry::{Check, Code, Rule};

const SCOPED: &[&str] = &[
    "AWS::WAFv2::WebACL",
    "AWS::WAFv2::IPSet",
    "AWS::WAFv2::RegexPatternSet",
    "AWS::WAFv2::RuleGroup",
];

/// The scope a value names: a literal `CLOUDFRONT`/`REGIONAL`, or a web ACL ARN
/// (`…:global/webacl/…` is CLOUDFRONT, `…:regional/webacl/…` REGIONAL).
fn scope_of_str(s: &str) -> Option<&'static str> {
    if s.eq_ignore_ascii_case("CLOUDFRONT") || s.contains(":global/webacl/") {
        Some("CLOUDFRONT")
    } else if s.eq_ignore_ascii_case("REGIONAL") || s.contains(":regional/webacl/") {
        Some("REGIONAL")
    } else {
        None
    }
}

/// The `Scope` value of the `AWS::WAFv2::WebACL` of this template that `v` references.
fn acl_scope_value<'a>(ctx: &Ctx<'a>, v: &Value) -> Option<&'a Value> {
    let id = ctx.target(v)?;
    if ctx.type_of(id) != Some("AWS::WAFv2::WebACL") {
        return None;
    }
    ctx.props(id)?.get("Scope")
}

/// The scope of one choice of a web ACL reference: an ARN literal, or a `Ref`/`GetAtt` to a
/// web ACL with a literal Scope. `None` when unknown (imports, other functions).
fn acl_scope(ctx: &Ctx<'_>, v: &Value) -> Option<&'static str> {
    match v {
        Value::String(s) => scope_of_str(s),
        _ => scope_of_str(acl_scope_value(ctx, v)?.as_str()?),
    }
}

/// The value to judge for a web ACL reference `v`: the referenced ACL's `Scope` (itself maybe a
/// parameter or a condition) when `v` names a web ACL of the template directly, else `v`.
fn acl_subject<'a>(ctx: &Ctx<'a>, v: &'a Value) -> &'a Value {
    acl_scope_value(ctx, v).unwrap_or(v)
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
            let Some(scope) = p.get("Scope") else {
                continue;
            };
            ctx.judge(
                Code::WafCloudfrontScopeRegion,
                id,
                "/Properties/Scope",
                scope,
                |_, v| v.as_str().map(|s| s.eq_ignore_ascii_case("CLOUDFRONT")),
                |_| format!("Scope CLOUDFRONT in a stack in {region}: CloudFront-scope WAF resources can only be created in us-east-1 (\"The scope is not valid\")"),
                "create the CLOUDFRONT web ACL in a us-east-1 stack and pass its ARN to this stack as a parameter",
            );
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
        let Some(w) = dc.get("WebACLId") else {
            continue;
        };
        let subject = acl_subject(ctx, w);
        ctx.judge(
            Code::WafRegionalAclOnCloudfront,
            id,
            "/Properties/DistributionConfig/WebACLId",
            subject,
            |ctx, v| acl_scope(ctx, v).map(|s| s == "REGIONAL"),
            |_| "WebACLId points at a REGIONAL web ACL; CloudFront needs a CLOUDFRONT-scope ACL (created in us-east-1)".to_owned(),
            "create a separate Scope: CLOUDFRONT web ACL in us-east-1 and use its ARN",
        );
    }
}

/// Is this choice of a viewer certificate outside us-east-1? A literal ARN says its region; a
/// certificate created by this stack is in the stack's region (when known).
fn cert_outside_us_east_1(ctx: &Ctx<'_>, v: &Value) -> Option<bool> {
    if let Some(s) = v.as_str() {
        return arn_region(s).map(|r| r != "us-east-1");
    }
    let cert = ctx.target(v)?;
    (ctx.type_of(cert) == Some("AWS::CertificateManager::Certificate")).then_some(())?;
    ctx.region.map(|r| r != "us-east-1")
}

fn certificate_region(ctx: &mut Ctx<'_>) {
    let region = ctx.region.unwrap_or("").to_owned();
    for (id, dc) in distribution_configs(ctx) {
        let Some(c) = dc
            .get("ViewerCertificate")
            .and_then(|v| v.get("AcmCertificateArn"))
        else {
            continue;
        };
        ctx.judge(
            Code::WafCertificateRegion,
            id,
            "/Properties/DistributionConfig/ViewerCertificate/AcmCertificateArn",
            c,
            cert_outside_us_east_1,
            |v| match v.as_str().and_then(arn_region) {
                Some(r) => format!("the viewer certificate is in {r}; CloudFront only uses ACM certificates from us-east-1"),
                None => format!("the viewer certificate is created by this stack in {region}; CloudFront only uses ACM certificates from us-east-1"),
            },
            if c.get("Ref").is_some() {
                "create the certificate in a us-east-1 stack and pass its ARN as a parameter"
            } else {
                "request or import the certificate in us-east-1 and use that ARN"
            },
        );
    }
}

/// Does the template carry gRPC (a GRPC target group or a CloudFront gRPC behaviour)?
fn has_grpc(ctx: &Ctx<'_>) -> bool {
    ctx.of_type("AWS::ElasticLoadBalancingV2::TargetGroup")
        .iter()
        .any(|(_, p)| p.get("ProtocolVersion").and_then(Value::as_str) == Some("GRPC"))
        || ctx
            .of_type("AWS::CloudFront::Distribution")
            .iter()
            .any(|(_, p)| {
                p.get("DistributionConfig")
                    .and_then(Value::as_object)
                    .is_some_and(|dc| {
                        super::cloudfront::behaviours(dc)
                            .iter()
                            .any(|(_, b)| super::cloudfront::is_grpc(b))
                    })
            })
}

/// `(pointer, Challenge config)` of every Anti-DDoS managed group with challenges enabled.
fn ddos_challenges(rules: &[Value]) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let Some(g) = r
            .get("Statement")
            .and_then(|s| s.get("ManagedRuleGroupStatement"))
            .filter(|g| {
                g.get("Name").and_then(Value::as_str) == Some("AWSManagedRulesAntiDDoSRuleSet")
            })
        else {
            continue;
        };
        let Some(Value::Array(configs)) = g.get("ManagedRuleGroupConfigs") else {
            continue;
        };
        for (j, c) in configs.iter().enumerate() {
            if let Some(ch) = c
                .get("AWSManagedRulesAntiDDoSRuleSet")
                .and_then(|a| a.get("ClientSideActionConfig"))
                .and_then(|a| a.get("Challenge"))
                && ch.get("UsageOfAction").and_then(Value::as_str) == Some("ENABLED")
            {
                out.push((format!("/Properties/Rules/{i}/Statement/ManagedRuleGroupStatement/ManagedRuleGroupConfigs/{j}/AWSManagedRulesAntiDDoSRuleSet/ClientSideActionConfig/Challenge"), ch));
            }
        }
    }
    out
}

fn ddos_challenge_grpc(ctx: &mut Ctx<'_>) {
    if !has_grpc(ctx) {
        return;
    }
    for (id, p) in ctx.of_type("AWS::WAFv2::WebACL") {
        let Some(Value::Array(rules)) = p.get("Rules") else {
            continue;
        };
        for (ptr, ch) in ddos_challenges(rules) {
            let exempt = ch
                .get("ExemptUriRegularExpressions")
                .is_some_and(|e| e.as_array().is_none_or(|a| !a.is_empty()));
            if !exempt {
                ctx.emit(
                    Code::WafDdosChallengeGrpc,
                    Some(id),
                    ptr,
                    "the Anti-DDoS rule group may answer with a browser challenge and no URI is exempt: gRPC clients cannot solve a challenge, so their calls fail during an event",
                    "add ExemptUriRegularExpressions matching the gRPC paths (e.g. \"^/[A-Za-z0-9_.]+\\.[A-Za-z0-9_]+/\"), or set UsageOfAction: DISABLED",
                );
            }
        }
    }
}

fn association_cloudfront(ctx: &mut Ctx<'_>) {
    for (id, p) in ctx.of_type("AWS::WAFv2::WebACLAssociation") {
        if let Some(w) = p.get("WebACLArn") {
            let subject = acl_subject(ctx, w);
            ctx.judge(
                Code::WafAssociationCloudfront,
                id,
                "/Properties/WebACLArn",
                subject,
                |ctx, v| acl_scope(ctx, v).map(|s| s == "CLOUDFRONT"),
                |_| "WebACLAssociation with a CLOUDFRONT-scope web ACL: associations are for regional resources (ALB, API Gateway, …)".to_owned(),
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
    Rule {
        code: Code::WafDdosChallengeGrpc,
        severity: Severity::Warning,
        summary: "WAF Anti-DDoS group with challenges and no exempt URIs in a template with gRPC",
        what: "`AWSManagedRulesAntiDDoSRuleSet` with `ClientSideActionConfig.Challenge.UsageOfAction: ENABLED` can answer suspicious requests during a DDoS event with a challenge, except for URIs matching `ExemptUriRegularExpressions`. gRPC clients are not browsers and cannot solve it (an inference, FACTS.md §11 marks it unverified: hence a warning). Fires when the template has gRPC (a GRPC target group or a CloudFront gRPC behaviour) and no URI is exempt. Property shape verified in the registry schema (`ManagedRuleGroupConfig.AWSManagedRulesAntiDDoSRuleSet`).",
        fix: "exempt the gRPC paths (`ExemptUriRegularExpressions: [{RegexString: \"^/[A-Za-z0-9_.]+\\.[A-Za-z0-9_]+/\"}]`) or disable challenges.",
        source: "FACTS.md §11; https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-anti-ddos.html; registry schema AWS::WAFv2::WebACL",
        check: Check::Fn(ddos_challenge_grpc),
    },
];
