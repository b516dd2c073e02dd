//! VPC Lattice constructs: snapshots of defaults and options, and the invariants refused.

mod common;

use common::{assert_construct_error, snapshot, stack};
use formwork_constructs::core::Expr;
use formwork_constructs::ec2::{SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
use formwork_constructs::lattice::*;

#[test]
fn lattice_defaults() {
    let mut st = stack();
    let mut root = st.root();
    let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default()).unwrap();
    let sg = SecurityGroup::new(
        &mut root,
        "Clients",
        &vpc.id,
        "Lattice clients",
        SecurityGroupProps::default(),
    )
    .unwrap();
    let net = ServiceNetwork::new(&mut root, "Net", ServiceNetworkProps::default()).unwrap();
    let svc = Service::new(&mut root, "Svc", ServiceProps::default()).unwrap();
    let tg = GrpcTargetGroup::new(
        &mut root,
        "Pods",
        &vpc.id,
        50051,
        GrpcTargetGroupProps::default(),
    )
    .unwrap();
    Listener::new(&mut root, "Https", &svc, &tg, ListenerProps::default()).unwrap();
    ServiceAssociation::new(&mut root, "SvcInNet", &net, &svc).unwrap();
    VpcAssociation::new(&mut root, "VpcInNet", &net, &vpc.id, &[&sg]).unwrap();
    assert!(
        st.to_yaml().unwrap().contains("Enabled: false"),
        "health check off by default"
    );
    snapshot("lattice_default", &st);
}

#[test]
fn lattice_options() {
    let mut st = stack();
    let mut root = st.root();
    let vpc_id = formwork_constructs::core::Attr::new(Expr::reference("VpcId"));
    let net = ServiceNetwork::new(
        &mut root,
        "Net",
        ServiceNetworkProps {
            name: Some("grpc-mesh".into()),
            auth: LatticeAuth::AwsIam,
        },
    )
    .unwrap();
    let svc = Service::new(
        &mut root,
        "Svc",
        ServiceProps {
            name: Some("greeter".into()),
            auth: LatticeAuth::AwsIam,
            custom_domain: Some((
                "greeter.internal.example.com".into(),
                Expr::reference("CertArn").into(),
            )),
        },
    )
    .unwrap();
    let tg = GrpcTargetGroup::new(
        &mut root,
        "Pods",
        &vpc_id,
        8443,
        GrpcTargetGroupProps {
            health_check: LatticeHealthCheck::Http1(HttpHealthCheck {
                port: Some(8080),
                healthy_http_codes: "200-299".into(),
                ..HttpHealthCheck::new("/healthz")
            }),
            tls_to_targets: true,
            name: Some("greeter-pods".into()),
        },
    )
    .unwrap();
    Listener::new(&mut root, "Https", &svc, &tg, ListenerProps { port: 8443 }).unwrap();
    AuthPolicy::new(
        &mut root,
        "SvcPolicy",
        AuthTarget::Service(&svc),
        &AuthPolicyDocument {
            statements: vec![
                AuthStatement {
                    effect: Effect::Allow,
                    principal: AuthPrincipal::Aws(vec![
                        "123456789012".into(),
                        Expr::reference("CallerRoleArn").into(),
                    ]),
                    conditions: vec![AuthCondition::SourceVpc(Expr::reference("VpcId").into())],
                },
                AuthStatement {
                    effect: Effect::Deny,
                    principal: AuthPrincipal::Any,
                    conditions: vec![AuthCondition::PrincipalOrgId("o-other".into())],
                },
            ],
        },
    )
    .unwrap();
    AuthPolicy::new(
        &mut root,
        "NetPolicy",
        AuthTarget::Network(&net),
        &AuthPolicyDocument::allow_org("o-abc123"),
    )
    .unwrap();
    snapshot("lattice_options", &st);
}

#[test]
fn lattice_refuses_bad_input() {
    let mut st = stack();
    let mut root = st.root();
    let vpc_id = formwork_constructs::core::Attr::new(Expr::reference("VpcId"));
    let open = ServiceNetwork::new(
        &mut root,
        "Open",
        ServiceNetworkProps {
            name: None,
            auth: LatticeAuth::None,
        },
    )
    .unwrap();
    assert_construct_error(
        AuthPolicy::new(
            &mut root,
            "P",
            AuthTarget::Network(&open),
            &AuthPolicyDocument::allow_org("o-x"),
        ),
        "Test/P",
        "needs a target with AWS_IAM auth",
    );
    assert_construct_error(
        ServiceNetwork::new(
            &mut root,
            "Reserved",
            ServiceNetworkProps {
                name: Some("sn-mesh".into()),
                auth: LatticeAuth::AwsIam,
            },
        ),
        "Test/Reserved",
        "not starting with `sn-`",
    );
    let net = ServiceNetwork::new(&mut root, "Net", ServiceNetworkProps::default()).unwrap();
    assert_construct_error(
        AuthPolicy::new(
            &mut root,
            "Q",
            AuthTarget::Network(&net),
            &AuthPolicyDocument::default(),
        ),
        "Test/Q",
        "at least one statement",
    );
    assert_construct_error(
        VpcAssociation::new(&mut root, "V", &net, &vpc_id, &[]),
        "Test/V",
        "1–5 security groups",
    );
    assert_construct_error(
        ServiceNetwork::new(
            &mut root,
            "N",
            ServiceNetworkProps {
                name: Some("Bad_Name".into()),
                ..Default::default()
            },
        ),
        "Test/N",
        "Lattice name `Bad_Name`",
    );
    let hc = |h: HttpHealthCheck| GrpcTargetGroupProps {
        health_check: LatticeHealthCheck::Http2(h),
        ..Default::default()
    };
    assert_construct_error(
        GrpcTargetGroup::new(
            &mut root,
            "T1",
            &vpc_id,
            50051,
            hc(HttpHealthCheck::new("healthz")),
        ),
        "Test/T1",
        "must start with `/`",
    );
    assert_construct_error(
        GrpcTargetGroup::new(
            &mut root,
            "T2",
            &vpc_id,
            50051,
            hc(HttpHealthCheck {
                healthy_http_codes: "12".into(),
                ..HttpHealthCheck::new("/h")
            }),
        ),
        "Test/T2",
        "codes 200–599",
    );
    assert_construct_error(
        GrpcTargetGroup::new(
            &mut root,
            "T3",
            &vpc_id,
            50051,
            hc(HttpHealthCheck {
                interval_seconds: 1,
                ..HttpHealthCheck::new("/h")
            }),
        ),
        "Test/T3",
        "interval_seconds must be 5–300",
    );
    assert_construct_error(
        GrpcTargetGroup::new(&mut root, "T4", &vpc_id, 0, Default::default()),
        "Test/T4",
        "target port",
    );
}
