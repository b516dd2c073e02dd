//! Core model behaviour and the first L2 constructs (ec2, ecr, elbv2): snapshots of their
//! defaults and main options, and the invariants they refuse.

mod common;

use common::{assert_construct_error, snapshot, stack};
use formwork_constructs::acm::Certificate;
use formwork_constructs::core::{Attr, Env, Error, Expr, Output, Parameter, RemovalPolicy, Stack};
use formwork_constructs::ec2::{self, Peer, SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
use formwork_constructs::ecr::{Repository, RepositoryEncryption, RepositoryProps, TagMutability};
use formwork_constructs::elbv2::*;
use formwork_constructs::l1::ecr::repository as l1repo;
use serde_json::json;

#[test]
fn logical_id_collision_names_both_paths() {
    let mut st = stack();
    let mut root = st.root();
    {
        let mut a = root.child("A").unwrap();
        a.add("BC", l1repo::Repository::new()).unwrap();
    }
    let mut ab = root.child("AB").unwrap();
    let err = ab.add("C", l1repo::Repository::new()).unwrap_err();
    assert_eq!(
        err,
        Error::IdCollision {
            stack: "Test".into(),
            id: "ABC".into(),
            first: "A/BC".into(),
            second: "AB/C".into()
        }
    );
    assert!(err.to_string().contains("`AB/C` collides with `A/BC`"));
}

#[test]
fn sibling_ids_are_unique_and_pascal_case() {
    let mut st = stack();
    let mut root = st.root();
    root.child("Api").unwrap();
    assert!(matches!(root.child("Api"), Err(Error::DuplicateId { .. })));
    assert!(matches!(root.child("api"), Err(Error::InvalidId { .. })));
    assert!(matches!(root.child("A-b"), Err(Error::InvalidId { .. })));
}

#[test]
fn explicit_logical_id_override() {
    let mut st = stack();
    let mut root = st.root();
    let mut moved = root.child("Moved").unwrap();
    let r = moved
        .add_with_logical_id("Repo", "OriginalRepo", l1repo::Repository::new())
        .unwrap();
    assert_eq!(r.logical_id(), "OriginalRepo");
}

#[test]
fn parameters_outputs_conditions_mappings_and_policies_render() {
    let mut st = Stack::new("Everything", Env::default()).unwrap();
    st.set_description("all template sections");
    st.add_tag("team", "grpc");
    let env: formwork_constructs::core::Attr<()> = st
        .add_parameter(
            "Environment",
            Parameter::string("Deployment stage").with_default("prod"),
        )
        .unwrap();
    st.add_mapping(
        "PrefixLists",
        json!({"eu-west-1": {"CloudFront": "pl-4fa04526"}}),
    )
    .unwrap();
    let is_prod = st
        .add_condition(
            "IsProd",
            Expr::equals(env.clone().into_expr(), "prod".into()),
        )
        .unwrap();
    let mut root = st.root();
    let r = root.add("Repo", l1repo::Repository::new()).unwrap();
    root.entry_mut(&r)
        .set_removal_policy(RemovalPolicy::Retain)
        .set_condition(&is_prod)
        .add_depends_on("Other")
        .add_metadata("Note", json!("kept"))
        .add_override("/Properties/EmptyOnDelete", json!(false));
    root.add("Other", l1repo::Repository::new()).unwrap();
    let mut out = Output::new(r.attr_arn(), "repository ARN");
    out.export_name = Some(Expr::sub("${AWS::StackName}-RepoArn"));
    st.add_output("RepoArn", out).unwrap();
    assert!(
        st.add_output("RepoArn", Output::new(Expr::str("x"), "dup"))
            .is_err()
    );
    assert!(matches!(
        st.add_parameter::<()>("Repo", Parameter::string("clashes with a resource")),
        Err(Error::IdCollision { .. })
    ));
    snapshot("core_all_sections", &st);
}

#[test]
fn typed_l1_escape_hatch() {
    let mut st = stack();
    let r = st.root().add("Repo", l1repo::Repository::new()).unwrap();
    st.l1_mut(&r).unwrap().empty_on_delete = Some(true.into());
    let t = st.to_template().unwrap();
    assert_eq!(
        t["Resources"]["Repo"]["Properties"]["EmptyOnDelete"],
        json!(true)
    );
}

#[test]
fn vpc_defaults() {
    let mut st = stack();
    Vpc::new(&mut st.root(), "Vpc", VpcProps::default()).unwrap();
    snapshot("ec2_vpc_default", &st);
}

#[test]
fn vpc_three_azs_nat_per_az() {
    let mut st = stack();
    let v = Vpc::new(
        &mut st.root(),
        "Vpc",
        VpcProps {
            cidr: "10.20.0.0/20".parse().unwrap(),
            azs: 3,
            nat_gateways: 3,
            kubernetes_subnet_tags: false,
        },
    )
    .unwrap();
    assert_eq!(
        v.private_subnets
            .iter()
            .map(|s| s.cidr.unwrap().to_string())
            .collect::<Vec<_>>(),
        ["10.20.0.0/22", "10.20.4.0/22", "10.20.8.0/22"]
    );
    assert_eq!(
        v.public_subnets
            .iter()
            .map(|s| s.cidr.unwrap().to_string())
            .collect::<Vec<_>>(),
        ["10.20.12.0/26", "10.20.12.64/26", "10.20.12.128/26"]
    );
    snapshot("ec2_vpc_three_azs", &st);
}

#[test]
fn vpc_refuses_bad_layouts() {
    let mut st = stack();
    let r = Vpc::new(
        &mut st.root(),
        "A",
        VpcProps {
            azs: 4,
            ..VpcProps::default()
        },
    );
    assert_construct_error(r, "Test/A", "use 2 or 3");
    let r = Vpc::new(
        &mut st.root(),
        "B",
        VpcProps {
            nat_gateways: 3,
            ..VpcProps::default()
        },
    );
    assert_construct_error(r, "Test/B", "at most one NAT gateway per AZ");
    let r = Vpc::new(
        &mut st.root(),
        "C",
        VpcProps {
            cidr: "10.0.0.0/24".parse().unwrap(),
            ..VpcProps::default()
        },
    );
    assert_construct_error(r, "Test/C", "/16 to /22");
}

#[test]
fn repository_defaults_and_options() {
    let mut st = stack();
    Repository::new(&mut st.root(), "Greeter", RepositoryProps::default()).unwrap();
    snapshot("ecr_repository_default", &st);
    let mut st = stack();
    Repository::new(
        &mut st.root(),
        "Greeter",
        RepositoryProps {
            repository_name: Some("team/greeter".into()),
            tag_mutability: TagMutability::Mutable,
            scan_on_push: false,
            encryption: RepositoryEncryption::Kms(
                "arn:aws:kms:eu-west-1:123456789012:key/abc".into(),
            ),
            untagged_expiry_days: 3,
            max_image_count: None,
            removal_policy: RemovalPolicy::Delete,
        },
    )
    .unwrap();
    snapshot("ecr_repository_options", &st);
}

#[test]
fn repository_refuses_bad_input() {
    let mut st = stack();
    let r = Repository::new(
        &mut st.root(),
        "A",
        RepositoryProps {
            repository_name: Some("Upper/Case".into()),
            ..Default::default()
        },
    );
    assert_construct_error(r, "Test/A", "repository name `Upper/Case` is invalid");
    let r = Repository::new(
        &mut st.root(),
        "B",
        RepositoryProps {
            untagged_expiry_days: 0,
            ..Default::default()
        },
    );
    assert_construct_error(r, "Test/B", "untagged_expiry_days");
    let r = Repository::new(
        &mut st.root(),
        "C",
        RepositoryProps {
            max_image_count: Some(0),
            ..Default::default()
        },
    );
    assert_construct_error(r, "Test/C", "max_image_count");
}

fn alb_stack() -> (Stack, ec2::VpcHandle) {
    let mut st = stack();
    let vpc = Vpc::new(&mut st.root(), "Vpc", VpcProps::default()).unwrap();
    (st, vpc)
}

#[test]
fn alb_listener_target_group_route_defaults() {
    let (mut st, vpc) = alb_stack();
    let mut root = st.root();
    let sg = SecurityGroup::new(
        &mut root,
        "AlbSg",
        &vpc.id,
        "ALB",
        SecurityGroupProps {
            restrict_egress: true,
            ..Default::default()
        },
    )
    .unwrap();
    ec2::allow_ingress(
        &mut root,
        "AlbSgHttps",
        &sg,
        Peer::Cidr("0.0.0.0/0".into()),
        443,
        443,
        "HTTPS",
    )
    .unwrap();
    let alb =
        ApplicationLoadBalancer::new(&mut root, "Alb", &vpc, &sg, Default::default()).unwrap();
    let l = HttpsListener::new(
        &mut root,
        "Https",
        &alb,
        &Certificate::import("arn:aws:acm:eu-west-1:123456789012:certificate/x").unwrap(),
        Default::default(),
    )
    .unwrap();
    let tg =
        GrpcTargetGroup::new(&mut root, "Greeter", &vpc.id, 50051, Default::default()).unwrap();
    GrpcRoute::new(
        &mut root,
        "GreeterRoute",
        &l,
        10,
        &["helloworld.Greeter".into()],
        &tg,
        &[],
    )
    .unwrap();
    let t = st.to_template().unwrap();
    let tgp = &t["Resources"]["Greeter"]["Properties"];
    assert_eq!(tgp["ProtocolVersion"], json!("GRPC"));
    assert_eq!(tgp["TargetType"], json!("ip"));
    assert_eq!(
        tgp["HealthCheckPath"],
        json!("/grpc.health.v1.Health/Check")
    );
    assert_eq!(tgp["Matcher"], json!({"GrpcCode": "0"}));
    assert_eq!(
        t["Resources"]["Https"]["Properties"]["SslPolicy"],
        json!("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09")
    );
    snapshot("elbv2_default", &st);
}

#[test]
fn elbv2_options() {
    let (mut st, vpc) = alb_stack();
    let cert = Certificate::from_arn(
        st.add_parameter(
            "CertificateArn",
            Parameter::string("the listener's certificate"),
        )
        .unwrap(),
    );
    let mut root = st.root();
    let sg = SecurityGroup::new(&mut root, "AlbSg", &vpc.id, "ALB", Default::default()).unwrap();
    let alb = ApplicationLoadBalancer::new(
        &mut root,
        "Alb",
        &vpc,
        &sg,
        ApplicationLoadBalancerProps {
            internet_facing: false,
            idle_timeout_seconds: 4000,
            deletion_protection: false,
            access_logs_bucket: Some(Attr::new(Expr::str("my-logs"))),
            access_logs_prefix: "grpc".into(),
        },
    )
    .unwrap();
    let tg = GrpcTargetGroup::new(
        &mut root,
        "Legacy",
        &vpc.id,
        9000,
        GrpcTargetGroupProps {
            health_check_path: "/AWS.ALB/healthcheck".into(),
            healthy_grpc_codes: "12".into(),
            least_outstanding_requests: false,
            tls_to_targets: true,
            name: Some("legacy-grpc".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let l = HttpsListener::new(
        &mut root,
        "Https",
        &alb,
        &cert,
        HttpsListenerProps {
            port: 8443,
            ssl_policy: SslPolicy::Tls13Only,
            default_action: DefaultAction::Forward(tg.arn.clone()),
        },
    )
    .unwrap();
    GrpcRoute::new(
        &mut root,
        "LegacyRoute",
        &l,
        5,
        &[
            "helloworld.Greeter".into(),
            "helloworld.Farewell".into(),
            "helloworld.Hello".into(),
            "helloworld.Again".into(),
        ],
        &tg,
        &[ExtraCondition::Header {
            name: "X-Origin-Verify".into(),
            value: Expr::reference("OriginSecret").into(),
        }],
    )
    .unwrap();
    snapshot("elbv2_options", &st);
}

#[test]
fn elbv2_refuses_bad_input() {
    let (mut st, vpc) = alb_stack();
    let cert = Certificate::import("arn:aws:acm:eu-west-1:123456789012:certificate/x").unwrap();
    let mut root = st.root();
    let r = GrpcTargetGroup::new(
        &mut root,
        "A",
        &vpc.id,
        50051,
        GrpcTargetGroupProps {
            healthy_grpc_codes: "200".into(),
            ..Default::default()
        },
    );
    assert_construct_error(r, "Test/A", "codes 0–99");
    let r = GrpcTargetGroup::new(
        &mut root,
        "B",
        &vpc.id,
        50051,
        GrpcTargetGroupProps {
            health_check_path: "/healthz".into(),
            ..Default::default()
        },
    );
    assert_construct_error(r, "Test/B", "not a gRPC method path");
    let r = GrpcTargetGroup::new(&mut root, "C", &vpc.id, 0, Default::default());
    assert_construct_error(r, "Test/C", "1–65535");
    let r = GrpcTargetGroup::new(
        &mut root,
        "D",
        &vpc.id,
        1,
        GrpcTargetGroupProps {
            health_check_timeout_seconds: 10,
            ..Default::default()
        },
    );
    assert_construct_error(r, "Test/D", "below the interval");
    let sg = SecurityGroup::new(&mut root, "Sg", &vpc.id, "x", Default::default()).unwrap();
    let r = ApplicationLoadBalancer::new(
        &mut root,
        "E",
        &vpc,
        &sg,
        ApplicationLoadBalancerProps {
            idle_timeout_seconds: 0,
            ..Default::default()
        },
    );
    assert_construct_error(r, "Test/E", "1–4000");
    let alb =
        ApplicationLoadBalancer::new(&mut root, "Alb", &vpc, &sg, Default::default()).unwrap();
    let r = HttpsListener::new(
        &mut root,
        "F",
        &alb,
        &cert,
        HttpsListenerProps {
            default_action: DefaultAction::Fixed {
                status: 302,
                body: String::new(),
            },
            ..Default::default()
        },
    );
    assert_construct_error(r, "Test/F", "2XX, 4XX or 5XX");
    let l = HttpsListener::new(&mut root, "Https", &alb, &cert, Default::default()).unwrap();
    let tg = GrpcTargetGroup::new(&mut root, "Tg", &vpc.id, 50051, Default::default()).unwrap();
    let r = GrpcRoute::new(&mut root, "G", &l, 10, &["not a name".into()], &tg, &[]);
    assert_construct_error(r, "Test/G", "not a fully qualified gRPC service name");
    let ten: Vec<String> = (0..10).map(|i| format!("p.S{i}")).collect();
    let r = GrpcRoute::new(&mut root, "H", &l, 10, &ten, &tg, &[]);
    assert_construct_error(r, "Test/H", "1–9 services");
    let r = GrpcRoute::new(&mut root, "I", &l, 0, &["p.S".into()], &tg, &[]);
    assert_construct_error(r, "Test/I", "priority");
    let r = SecurityGroup::new(&mut root, "J", &vpc.id, "", Default::default());
    assert_construct_error(r, "Test/J", "1–255");
}
