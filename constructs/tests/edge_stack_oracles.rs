//! Oracles for the edge constructs: two stacks built from every edge construct (a us-east-1
//! edge stack with the CLOUDFRONT web ACL and the distribution; a regional stack with VPC, ALB,
//! HTTPS listener, gRPC target group, REGIONAL web ACL + association, prefix-list ingress and
//! Lattice) are rendered and checked with cfn-lint (0 errors, 0 warnings) and checkov (0 failed
//! checks; skips only through resource Metadata with a reason).
//!
//! Tools come from `$FORMWORK_TOOLS` or `<repo>/.tools`. When they are missing the test fails
//! under `CI=true` and otherwise prints a skip note.

mod common;

use formwork_constructs::acm::Certificate;
use formwork_constructs::cloudfront::*;
use formwork_constructs::core::{Env, Stack};
use formwork_constructs::ec2::{SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
use formwork_constructs::elbv2::*;
use formwork_constructs::lattice::{self, AuthPolicyDocument, AuthTarget, LatticeHealthCheck};
use formwork_constructs::s3::Bucket;
use formwork_constructs::wafv2::*;

/// The us-east-1 edge stack: CLOUDFRONT web ACL with an IP set, and the gRPC distribution.
pub fn edge_stack() -> Stack {
    let mut st = Stack::new("GrpcEdge", Env::region("us-east-1")).unwrap();
    let secret = OriginVerifyHeader::from_new_parameter(&mut st, "OriginVerifySecret").unwrap();
    let mut root = st.root();
    let blocked = IpSet::new(
        &mut root,
        "BlockedClients",
        WafScope::CloudFront,
        IpVersion::V4,
        &["192.0.2.0/24"],
        IpSetProps::default(),
    )
    .unwrap();
    let mut acl = WebAcl::for_cloudfront(&mut root, "EdgeWaf", WebAclProps::default()).unwrap();
    acl.add_rule(
        &mut root,
        WafRule::IpSet(IpSetMatch {
            name: "BlockedClients".into(),
            ip_set_arn: blocked.arn.clone(),
            action: WafAction::Block,
        }),
    )
    .unwrap();
    Distribution::new(
        &mut root,
        "Cdn",
        "origin.grpc.example.com",
        DistributionProps {
            grpc_services: vec!["helloworld.Greeter".into()],
            certificate: ViewerCertificate::Acm {
                certificate: Certificate::import("arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555").unwrap(),
                aliases: vec!["grpc.example.com".into()],
            },
            logging: Some(DistributionLogging::new(
                &Bucket::import("grpc-edge-cf-logs").unwrap().domain_name,
            )),
            web_acl: Some(acl.clone()),
            origin_protection: OriginProtection::SecretHeader(secret),
            comment: Some("gRPC edge".into()),
            ..Default::default()
        },
    )
    .unwrap();
    st
}

/// The regional stack: VPC, ALB locked to CloudFront, gRPC routing, REGIONAL ACL, Lattice.
pub fn regional_stack() -> Stack {
    let mut st = Stack::new("GrpcRegional", Env::region("eu-west-1")).unwrap();
    let secret = OriginVerifyHeader::from_new_parameter(&mut st, "OriginVerifySecret").unwrap();
    let mut root = st.root();
    let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default()).unwrap();
    let alb_sg = SecurityGroup::new(
        &mut root,
        "AlbSg",
        &vpc.id,
        "ALB: HTTPS from CloudFront only",
        SecurityGroupProps::default(),
    )
    .unwrap();
    CloudFrontPrefixList::allow_ingress(&mut root, "AlbFromCloudFront", &alb_sg, 443).unwrap();
    let alb = ApplicationLoadBalancer::new(
        &mut root,
        "Alb",
        &vpc,
        &alb_sg,
        ApplicationLoadBalancerProps {
            access_logs_bucket: Some(Bucket::import("grpc-regional-alb-logs").unwrap().name),
            ..Default::default()
        },
    )
    .unwrap();
    let https = HttpsListener::new(
        &mut root,
        "Https",
        &alb,
        &Certificate::import(
            "arn:aws:acm:eu-west-1:123456789012:certificate/66666666-7777-8888-9999-000000000000",
        )
        .unwrap(),
        HttpsListenerProps {
            default_action: OriginVerifyHeader::listener_default_action(),
            ..Default::default()
        },
    )
    .unwrap();
    let tg =
        GrpcTargetGroup::new(&mut root, "Greeter", &vpc.id, 50051, Default::default()).unwrap();
    GrpcRoute::new(
        &mut root,
        "GreeterRoute",
        &https,
        10,
        &["helloworld.Greeter".into()],
        &tg,
        &[secret.condition()],
    )
    .unwrap();
    secret
        .forward_verified(&mut root, "VerifiedDefault", &https, 100, &tg)
        .unwrap();
    WebAcl::for_alb(
        &mut root,
        "AlbWaf",
        &alb.arn,
        WebAclProps {
            rate_limit: Some(RateLimit::per_forwarded_ip(2000)),
            ..Default::default()
        },
    )
    .unwrap();
    // Lattice (optional, east-west).
    let mesh_sg = SecurityGroup::new(
        &mut root,
        "MeshSg",
        &vpc.id,
        "Lattice clients in this VPC",
        SecurityGroupProps::default(),
    )
    .unwrap();
    let net = lattice::ServiceNetwork::new(&mut root, "Mesh", Default::default()).unwrap();
    let svc = lattice::Service::new(&mut root, "GreeterSvc", Default::default()).unwrap();
    let ltg = lattice::GrpcTargetGroup::new(
        &mut root,
        "GreeterPods",
        &vpc.id,
        50051,
        lattice::GrpcTargetGroupProps {
            health_check: LatticeHealthCheck::Http2(lattice::HttpHealthCheck::new("/healthz")),
            ..Default::default()
        },
    )
    .unwrap();
    lattice::Listener::new(&mut root, "GreeterListener", &svc, &ltg, Default::default()).unwrap();
    lattice::ServiceAssociation::new(&mut root, "GreeterInMesh", &net, &svc).unwrap();
    lattice::VpcAssociation::new(&mut root, "VpcInMesh", &net, &vpc.id, &[&mesh_sg]).unwrap();
    lattice::AuthPolicy::new(
        &mut root,
        "MeshPolicy",
        AuthTarget::Network(&net),
        &AuthPolicyDocument::allow_org("o-abc123def4"),
    )
    .unwrap();
    st
}

#[test]
fn edge_stacks_pass_cfn_lint_and_checkov() {
    let (Some(lint), Some(checkov)) = (
        common::tool("cfnlint/bin/cfn-lint"),
        common::tool("checkov/bin/checkov"),
    ) else {
        return;
    };
    let dir = common::TempDir::new("edge-oracles");
    for stack in [edge_stack(), regional_stack()] {
        let file = dir.render(&stack);
        common::assert_cfn_lint_clean(&lint, &file);
        common::assert_checkov_clean(&checkov, &file);
    }
}

#[test]
fn formwork_validation_is_clean() {
    for st in [edge_stack(), regional_stack()] {
        common::assert_formwork_valid(&st);
    }
}
