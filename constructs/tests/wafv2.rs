//! WAFv2 constructs: snapshots of the defaults and main options, and the invariants refused.

mod common;

use common::{assert_construct_error, snapshot, stack, stack_in};
use formwork_constructs::core::{Attr, Env, Expr, Stack};
use formwork_constructs::wafv2::*;

fn alb_arn() -> Attr<formwork_constructs::elbv2::LoadBalancerArn> {
    Attr::new(Expr::reference("Alb"))
}

/// The default REGIONAL preset is Baseline: WAF ignores body inspection rules for gRPC requests
/// at the ALB too (FACTS.md §3.3), so no `*_BODY` override (which would only weaken protection
/// for non-gRPC requests).
#[test]
fn regional_acl_defaults_to_baseline_with_association() {
    let mut st = stack();
    WebAcl::for_alb(&mut st.root(), "Waf", &alb_arn(), WebAclProps::default()).unwrap();
    snapshot("wafv2_regional_default", &st);
    assert!(!st.to_yaml().unwrap().contains("_BODY"));
}

/// The Count overrides stay available, opt-in.
#[test]
fn grpc_regional_preset_is_opt_in() {
    let mut st = stack();
    let props = WebAclProps {
        preset: WafPreset::GrpcRegional,
        ..Default::default()
    };
    WebAcl::for_alb(&mut st.root(), "Waf", &alb_arn(), props).unwrap();
    let yaml = st.to_yaml().unwrap();
    for rule in CRS_BODY_RULES {
        assert!(
            yaml.contains(&format!("Name: {rule}")),
            "{rule} missing:\n{yaml}"
        );
    }
    assert!(yaml.contains("RuleActionOverrides"), "{yaml}");
}

#[test]
fn cloudfront_acl_defaults_to_baseline() {
    let mut st = stack_in("us-east-1");
    WebAcl::for_cloudfront(&mut st.root(), "Waf", WebAclProps::default()).unwrap();
    snapshot("wafv2_cloudfront_default", &st);
}

#[test]
fn rules_are_ordered_by_kind_and_name_not_by_insertion() {
    let build = |reverse: bool| {
        let mut st = stack_in("us-east-1");
        let mut root = st.root();
        let set = IpSet::new(
            &mut root,
            "Allowed",
            WafScope::CloudFront,
            IpVersion::V6,
            &["2001:db8::/32"],
            IpSetProps::default(),
        )
        .unwrap();
        let mut rules = vec![
            WafRule::Label(LabelMatch {
                name: "ReblockLargeBodies".into(),
                key: "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body".into(),
                scope: LabelScope::Label,
                action: WafAction::Block,
            }),
            WafRule::IpSet(IpSetMatch {
                name: "AllowOffice".into(),
                ip_set_arn: set.arn.clone(),
                action: WafAction::Allow,
            }),
            WafRule::managed_with_overrides(
                AwsManagedGroup::AnonymousIpList,
                &[("HostingProviderIPList", WafAction::Count)],
            ),
            WafRule::Managed(ManagedRuleGroup {
                group: AwsManagedGroup::SqliRuleSet,
                name: Some("Sqli".into()),
                overrides: Vec::new(),
                count_only: true,
                version: Some("Version_2.0".into()),
            }),
        ];
        if reverse {
            rules.reverse();
        }
        let mut acl = WebAcl::for_cloudfront(
            &mut root,
            "Waf",
            WebAclProps {
                preset: WafPreset::Empty,
                default_action: WafDefaultAction::Block,
                name: Some("grpc-edge".into()),
                description: Some("edge ACL".into()),
                ..Default::default()
            },
        )
        .unwrap();
        for r in rules {
            acl.add_rule(&mut root, r).unwrap();
        }
        st
    };
    let a = build(false);
    assert_eq!(a.to_yaml().unwrap(), build(true).to_yaml().unwrap());
    snapshot("wafv2_rules_ordered", &a);
}

#[test]
fn logging_and_forwarded_ip_rate_limit() {
    let mut st = stack();
    WebAcl::for_alb(
        &mut st.root(),
        "Waf",
        &alb_arn(),
        WebAclProps {
            preset: WafPreset::Baseline,
            rate_limit: Some(RateLimit {
                window: RateWindow::OneMinute,
                limit: 100,
                ..RateLimit::per_forwarded_ip(100)
            }),
            logging: Some(WafLogging::new(
                "arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-grpc",
            )),
            ..Default::default()
        },
    )
    .unwrap();
    snapshot("wafv2_logging_rate_forwarded", &st);
}

#[test]
fn cloudfront_scope_needs_us_east_1() {
    let mut st = stack();
    assert_construct_error(
        WebAcl::for_cloudfront(&mut st.root(), "Waf", WebAclProps::default()),
        "Test/Waf",
        "must be created in us-east-1, but this stack is in eu-west-1",
    );
    let mut agnostic = Stack::new("Test", Env::default()).unwrap();
    assert_construct_error(
        WebAcl::for_cloudfront(&mut agnostic.root(), "Waf", WebAclProps::default()),
        "Test/Waf",
        "pin it with Env::region(\"us-east-1\")",
    );
    assert_construct_error(
        IpSet::new(
            &mut st.root(),
            "Set",
            WafScope::CloudFront,
            IpVersion::V4,
            &[],
            IpSetProps::default(),
        ),
        "Test/Set",
        "us-east-1",
    );
}

#[test]
fn acl_refuses_bad_rules() {
    let mut st = stack_in("us-east-1");
    let mut root = st.root();
    let rate = |limit| WebAclProps {
        rate_limit: Some(RateLimit::per_ip(limit)),
        ..Default::default()
    };
    assert_construct_error(
        WebAcl::for_cloudfront(&mut root, "A", rate(9)),
        "Test/A",
        "limit 9 must be 10–2,000,000,000",
    );
    assert_construct_error(
        WebAcl::for_cloudfront(
            &mut root,
            "B",
            WebAclProps {
                preset: WafPreset::GrpcRegional,
                ..Default::default()
            },
        ),
        "Test/B",
        "GrpcRegional preset is for REGIONAL ACLs",
    );
    let dup = WebAclProps {
        rules: vec![WafRule::managed(AwsManagedGroup::CommonRuleSet)],
        ..Default::default()
    };
    assert_construct_error(
        WebAcl::for_cloudfront(&mut root, "C", dup),
        "Test/C",
        "two WAF rules are named `AWSManagedRulesCommonRuleSet`",
    );
    let twice = WebAclProps {
        preset: WafPreset::Empty,
        rules: vec![WafRule::managed_with_overrides(
            AwsManagedGroup::CommonRuleSet,
            &[
                ("NoUserAgent_HEADER", WafAction::Count),
                ("NoUserAgent_HEADER", WafAction::Block),
            ],
        )],
        ..Default::default()
    };
    assert_construct_error(
        WebAcl::for_cloudfront(&mut root, "D", twice),
        "Test/D",
        "overridden twice",
    );
    let bad_name = WebAclProps {
        rate_limit: Some(RateLimit {
            name: "rate limit".into(),
            ..RateLimit::per_ip(100)
        }),
        ..Default::default()
    };
    assert_construct_error(
        WebAcl::for_cloudfront(&mut root, "E", bad_name),
        "Test/E",
        "WAF rule name `rate limit`",
    );
    let log = WebAclProps {
        logging: Some(WafLogging::new(
            "arn:aws:logs:us-east-1:123456789012:log-group:waf",
        )),
        ..Default::default()
    };
    assert_construct_error(
        WebAcl::for_cloudfront(&mut root, "F", log),
        "Test/F",
        "aws-waf-logs-",
    );
    assert_construct_error(
        WebAcl::for_cloudfront(
            &mut root,
            "G",
            WebAclProps {
                name: Some("bad name".into()),
                ..Default::default()
            },
        ),
        "Test/G",
        "web ACL name `bad name`",
    );
    let mut acl = WebAcl::for_cloudfront(&mut root, "H", WebAclProps::default()).unwrap();
    assert_construct_error(
        acl.add_rule(
            &mut root,
            WafRule::managed(AwsManagedGroup::KnownBadInputsRuleSet),
        ),
        "Test/H",
        "two WAF rules are named",
    );
    assert_eq!(acl.rules().len(), 4, "a refused rule is not kept");
}

#[test]
fn ip_set_refuses_bad_cidrs() {
    let mut st = stack();
    let mut root = st.root();
    assert_construct_error(
        IpSet::new(
            &mut root,
            "A",
            WafScope::Regional,
            IpVersion::V4,
            &["10.0.0.0"],
            IpSetProps::default(),
        ),
        "Test/A",
        "is not an IPv4 CIDR",
    );
    assert_construct_error(
        IpSet::new(
            &mut root,
            "B",
            WafScope::Regional,
            IpVersion::V4,
            &["2001:db8::/32"],
            IpSetProps::default(),
        ),
        "Test/B",
        "is not an IPv4 CIDR",
    );
    assert_construct_error(
        IpSet::new(
            &mut root,
            "C",
            WafScope::Regional,
            IpVersion::V6,
            &["2001:db8::/129"],
            IpSetProps::default(),
        ),
        "Test/C",
        "is not an IPv6 CIDR",
    );
    IpSet::new(
        &mut root,
        "D",
        WafScope::Regional,
        IpVersion::V4,
        &["198.51.100.7/32"],
        IpSetProps {
            name: Some("office".into()),
            description: Some("office egress".into()),
        },
    )
    .unwrap();
    snapshot("wafv2_ip_set", &st);
}
