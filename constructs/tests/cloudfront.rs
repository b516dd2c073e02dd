//! CloudFront constructs: snapshots of the gRPC distribution and origin protection, and the
//! invariants refused.

mod common;

use common::{assert_construct_error, snapshot, stack, stack_in};
use formwork_constructs::acm::Certificate;
use formwork_constructs::cloudfront::*;
use formwork_constructs::core::{Attr, Env, Expr, Parameter, Stack};
use formwork_constructs::ec2::{SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
use formwork_constructs::wafv2::WebAcl;

#[test]
fn distribution_defaults() {
    let mut st = stack_in("us-east-1");
    let h = Distribution::new(
        &mut st.root(),
        "Cdn",
        "origin.example.com",
        DistributionProps::default(),
    )
    .unwrap();
    assert_eq!(h.origin_verify.as_ref().unwrap().name, "X-Origin-Verify");
    assert!(st.has_parameter("CdnOriginSecret"));
    snapshot("cloudfront_distribution_default", &st);
}

#[test]
fn distribution_options() {
    let mut st = stack_in("eu-west-1");
    let cert = Certificate::from_arn(
        st.add_parameter("CdnCertArn", Parameter::string("a us-east-1 certificate"))
            .unwrap(),
    );
    Distribution::new(
        &mut st.root(),
        "Cdn",
        Expr::get_att("Alb", "DNSName"),
        DistributionProps {
            grpc_services: vec!["helloworld.Greeter".into(), "grpc.health.v1.Health".into()],
            origin_request_policy: OriginRequestPolicy::AllViewer,
            http_version: GrpcHttpVersion::Http2,
            certificate: ViewerCertificate::Acm {
                certificate: cert,
                aliases: vec!["grpc.example.com".into()],
            },
            minimum_tls: MinimumTls::Tls13_2025,
            logging: Some(DistributionLogging::new(&Attr::new(Expr::get_att(
                "Logs",
                "DomainName",
            )))),
            web_acl: Some(
                WebAcl::import("arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/abc")
                    .unwrap(),
            ),
            price_class: PriceClass::PriceClassAll,
            origin_read_timeout_seconds: 120,
            origin_keepalive_timeout_seconds: 5,
            origin_protection: OriginProtection::None,
            comment: Some("options".into()),
            ..Default::default()
        },
    )
    .unwrap();
    snapshot("cloudfront_distribution_options", &st);
}

#[test]
fn origin_protection_helpers() {
    let mut st = stack_in("us-east-1");
    let header = OriginVerifyHeader::from_new_parameter(&mut st, "OriginVerifySecret").unwrap();
    let mut root = st.root();
    let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default()).unwrap();
    let sg = SecurityGroup::new(
        &mut root,
        "AlbSg",
        &vpc.id,
        "ALB",
        SecurityGroupProps::default(),
    )
    .unwrap();
    CloudFrontPrefixList::allow_ingress(&mut root, "FromCloudFront", &sg, 443).unwrap();
    let alb = formwork_constructs::elbv2::ApplicationLoadBalancer::new(
        &mut root,
        "Alb",
        &vpc,
        &sg,
        Default::default(),
    )
    .unwrap();
    let l = formwork_constructs::elbv2::HttpsListener::new(
        &mut root,
        "Https",
        &alb,
        &Certificate::import("arn:aws:acm:us-east-1:123456789012:certificate/x").unwrap(),
        formwork_constructs::elbv2::HttpsListenerProps {
            default_action: OriginVerifyHeader::listener_default_action(),
            ..Default::default()
        },
    )
    .unwrap();
    let tg = formwork_constructs::elbv2::GrpcTargetGroup::new(
        &mut root,
        "Tg",
        &vpc.id,
        50051,
        Default::default(),
    )
    .unwrap();
    header
        .forward_verified(&mut root, "Verified", &l, 1, &tg)
        .unwrap();
    assert_construct_error(
        header.forward_verified(&mut root, "Bad", &l, 0, &tg),
        "Test/Bad",
        "rule priority 0",
    );
    // The prefix-list parameter defaults to the verified us-east-1 id.
    let p = &st
        .parameters()
        .iter()
        .find(|(k, _)| k == "CloudFrontPrefixListId")
        .unwrap()
        .1;
    assert_eq!(p.default, Some(serde_json::json!("pl-3b927c52")));
    let mut resources = Stack::new("Test", Env::default()).unwrap();
    CloudFrontPrefixList::parameter(&mut resources).unwrap();
    assert_eq!(
        resources.parameters()[0].1.default,
        None,
        "no default outside us-east-1"
    );
    snapshot("cloudfront_origin_protection", &st);
}

#[test]
fn distribution_refuses_what_grpc_forbids() {
    let mut st = stack();
    let mut root = st.root();
    let acm = |arn: &str| DistributionProps {
        certificate: ViewerCertificate::Acm {
            certificate: Certificate::import(arn).unwrap(),
            aliases: vec!["grpc.example.com".into()],
        },
        ..Default::default()
    };
    assert_construct_error(
        Distribution::new(
            &mut root,
            "A",
            "o.example.com",
            acm("arn:aws:acm:eu-west-1:123456789012:certificate/x"),
        ),
        "Test/A",
        "the certificate is in eu-west-1, but CloudFront (it only uses ACM certificates from us-east-1) needs one in us-east-1",
    );
    assert_construct_error(
        Distribution::new(
            &mut root,
            "B",
            "o.example.com",
            DistributionProps {
                certificate: ViewerCertificate::Acm {
                    certificate: Certificate::import(
                        "arn:aws:acm:us-east-1:123456789012:certificate/x",
                    )
                    .unwrap(),
                    aliases: vec![],
                },
                ..Default::default()
            },
        ),
        "Test/B",
        "at least one alias",
    );
    assert_construct_error(
        Distribution::new(
            &mut root,
            "C",
            "my-alb-123.eu-west-1.elb.amazonaws.com",
            DistributionProps::default(),
        ),
        "Test/C",
        "answers 502",
    );
    assert_construct_error(
        Distribution::new(
            &mut root,
            "D",
            "https://o.example.com",
            DistributionProps::default(),
        ),
        "Test/D",
        "bare DNS name",
    );
    assert_construct_error(
        Distribution::new(
            &mut root,
            "E",
            "o.example.com",
            DistributionProps {
                grpc_services: vec!["Greeter/Say".into()],
                ..Default::default()
            },
        ),
        "Test/E",
        "not a fully qualified gRPC service name",
    );
    assert_construct_error(
        Distribution::new(
            &mut root,
            "F",
            "o.example.com",
            DistributionProps {
                grpc_services: vec!["a.B".into(), "a.B".into()],
                ..Default::default()
            },
        ),
        "Test/F",
        "listed twice",
    );
    assert_construct_error(
        Distribution::new(
            &mut root,
            "G",
            "o.example.com",
            DistributionProps {
                origin_read_timeout_seconds: 0,
                ..Default::default()
            },
        ),
        "Test/G",
        "origin_read_timeout_seconds is 0",
    );
    assert_construct_error(
        Distribution::new(
            &mut root,
            "H",
            "o.example.com",
            DistributionProps {
                origin_protection: OriginProtection::SecretHeader(OriginVerifyHeader {
                    name: "X-Origin-Verify".into(),
                    value: "short".into(),
                }),
                ..Default::default()
            },
        ),
        "Test/H",
        "at least 32 characters",
    );
    // The ALB's DNS name as an attribute, not only as a literal.
    assert_construct_error(
        Distribution::new(
            &mut root,
            "I",
            Expr::get_att("Alb", "DNSName"),
            DistributionProps::default(),
        ),
        "Test/I",
        "a load balancer's DNSName attribute, the load balancer's own DNS name",
    );
    // A REGIONAL web ACL cannot protect a distribution.
    assert_construct_error(
        Distribution::new(
            &mut root,
            "J",
            "o.example.com",
            DistributionProps {
                web_acl: Some(
                    WebAcl::import("arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/alb/abc")
                        .unwrap(),
                ),
                ..Default::default()
            },
        ),
        "Test/J",
        "the web ACL is REGIONAL",
    );
}
