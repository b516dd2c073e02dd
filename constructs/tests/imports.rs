//! Existing resources come in through typed imports that create nothing and stand wherever a
//! created one does; the types and constructors refuse the mistakes that would fail at deploy.

mod common;

use common::{assert_construct_error, stack_in};
use formwork_constructs::acm::Certificate;
use formwork_constructs::core::{App, Env, L1Handle};
use formwork_constructs::ec2::{self, Ipv4Cidr, Peer, SecurityGroup, Vpc, VpcImport};
use formwork_constructs::eks::{
    Addon, AddonName, AddonProps, Cluster, ClusterImport, LoadBalancerControllerIdentity,
    LoadBalancerControllerProps,
};
use formwork_constructs::elbv2::*;
use formwork_constructs::wafv2::{WafScope, WebAcl, associate};
use serde_json::json;

fn existing_vpc() -> formwork_constructs::ec2::VpcHandle {
    Vpc::import(VpcImport {
        vpc_id: "vpc-0123456789abcdef0".into(),
        cidr: "10.40.0.0/16".parse::<Ipv4Cidr>().unwrap(),
        public_subnet_ids: vec![
            "subnet-0aaaaaaaaaaaaaaaa".into(),
            "subnet-0bbbbbbbbbbbbbbbb".into(),
        ],
        private_subnet_ids: vec![
            "subnet-0cccccccccccccccc".into(),
            "subnet-0dddddddddddddddd".into(),
        ],
    })
    .unwrap()
}

#[test]
fn an_alb_and_routes_in_an_existing_vpc_and_listener() {
    let mut st = stack_in("eu-west-1");
    let vpc = existing_vpc();
    let sg = SecurityGroup::import("sg-0123456789abcdef0").unwrap();
    let mut root = st.root();
    let alb =
        ApplicationLoadBalancer::new(&mut root, "Alb", &vpc, &sg, Default::default()).unwrap();
    let cert = Certificate::import("arn:aws:acm:eu-west-1:123456789012:certificate/abc").unwrap();
    HttpsListener::new(&mut root, "Https", &alb, &cert, Default::default()).unwrap();
    let listener = HttpsListener::import(
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/fedcba9876543210",
        443,
    )
    .unwrap();
    let tg = GrpcTargetGroup::new(&mut root, "Tg", &vpc.id, 50051, Default::default()).unwrap();
    GrpcRoute::new(
        &mut root,
        "Route",
        &listener,
        10,
        &["shop.Cart".into()],
        &tg,
        &[],
    )
    .unwrap();
    ec2::allow_ingress(
        &mut root,
        "FromAlb",
        &sg,
        Peer::SecurityGroup(sg.id.clone()),
        50051,
        50051,
        "self",
    )
    .unwrap();
    let acl =
        WebAcl::import("arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/alb/abc").unwrap();
    assert_eq!(acl.scope, WafScope::Regional);
    associate(&mut root, "AlbWaf", &alb.arn, &acl).unwrap();
    let t = st.to_template().unwrap();
    assert_eq!(
        t["Resources"]["Alb"]["Properties"]["Subnets"],
        json!(["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"])
    );
    assert!(
        t["Resources"]["Alb"].get("DependsOn").is_none(),
        "nothing to wait for in an existing VPC"
    );
    assert_eq!(
        t["Resources"]["Tg"]["Properties"]["VpcId"],
        json!("vpc-0123456789abcdef0")
    );
    assert_eq!(
        t["Resources"]["Route"]["Properties"]["ListenerArn"],
        json!(
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/fedcba9876543210"
        )
    );
    assert_eq!(
        t["Resources"]["FromAlb"]["Properties"]["GroupId"],
        json!("sg-0123456789abcdef0")
    );
    assert_eq!(
        t["Resources"]["AlbWaf"]["Properties"]["WebACLArn"],
        json!("arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/alb/abc")
    );
    // an imported resource has no L1 here
    assert!(vpc.is_imported() && st.l1_mut(&vpc).is_err());
    let e = st.l1_mut(&sg).unwrap_err().to_string();
    assert!(e.contains("imported"), "{e}");
}

#[test]
fn add_ons_and_the_controller_identity_on_an_existing_cluster() {
    let mut app = App::new();
    let st = app.add_stack("addons", Env::region("eu-west-1")).unwrap();
    let cluster = Cluster::import(
        "prod",
        ClusterImport {
            security_group_id: "sg-0123456789abcdef0".into(),
            auto_mode: false,
        },
    )
    .unwrap();
    let mut root = st.root();
    let agent = Addon::new(
        &mut root,
        "PodIdentityAgent",
        &cluster,
        AddonName::PodIdentityAgent,
        AddonProps::default(),
    )
    .unwrap();
    LoadBalancerControllerIdentity::new(
        &mut root,
        "Lbc",
        &cluster,
        LoadBalancerControllerProps {
            pod_identity_agent: Some(agent.logical_id().to_owned()),
            ..Default::default()
        },
    )
    .unwrap();
    let t = app.synthesize().unwrap();
    let r = &t[0].template["Resources"];
    assert_eq!(
        r["PodIdentityAgent"]["Properties"]["ClusterName"],
        json!("prod")
    );
    assert!(
        r.as_object()
            .unwrap()
            .keys()
            .all(|k| !k.starts_with("Cluster")),
        "an import creates nothing: {:?}",
        r.as_object().unwrap().keys().collect::<Vec<_>>()
    );
    assert!(
        Cluster::import(
            "bad name",
            ClusterImport {
                security_group_id: "sg-0123456789abcdef0".into(),
                auto_mode: false
            }
        )
        .is_err()
    );
    assert!(
        Cluster::import(
            "prod",
            ClusterImport {
                security_group_id: "sg-1".into(),
                auto_mode: false
            }
        )
        .is_err()
    );
}

#[test]
fn imports_check_what_they_are_given() {
    for (r, needle) in [
        (
            Certificate::import("arn:aws:acm:eu-west-1:123456789012:repository/x").err(),
            "certificate/",
        ),
        (
            Certificate::import("arn:aws:ecr:eu-west-1:123456789012:certificate/x").err(),
            "service `ecr`, expected `acm`",
        ),
        (
            SecurityGroup::import("vpc-0123456789abcdef0").err(),
            "security group id",
        ),
        (
            WebAcl::import("arn:aws:wafv2:eu-west-1:123456789012:global/webacl/edge/abc").err(),
            "outside us-east-1",
        ),
        (
            WebAcl::import("arn:aws:wafv2:eu-west-1:123456789012:regional/ipset/x/abc").err(),
            "not a web ACL ARN",
        ),
        (
            HttpsListener::import(
                "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1",
                443,
            )
            .err(),
            "listener/app/",
        ),
    ] {
        let e = r.expect("refused").to_string();
        assert!(e.contains(needle), "{needle}: {e}");
    }
    let e = Vpc::import(VpcImport {
        vpc_id: "vpc-0123456789abcdef0".into(),
        cidr: "10.0.0.0/16".parse().unwrap(),
        public_subnet_ids: vec!["subnet-0aaaaaaaaaaaaaaaa".into()],
        private_subnet_ids: vec![],
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("at least two"), "{e}");
}

#[test]
fn a_certificate_of_another_region_is_refused_at_the_listener() {
    let (mut st, vpc) = (stack_in("eu-west-1"), existing_vpc());
    let sg = SecurityGroup::import("sg-0123456789abcdef0").unwrap();
    let mut root = st.root();
    let alb =
        ApplicationLoadBalancer::new(&mut root, "Alb", &vpc, &sg, Default::default()).unwrap();
    let us = Certificate::import("arn:aws:acm:us-east-1:123456789012:certificate/abc").unwrap();
    assert_construct_error(
        HttpsListener::new(&mut root, "Https", &alb, &us, Default::default()),
        "Test/Https",
        "the certificate is in us-east-1, but an HTTPS listener of this stack needs one in eu-west-1",
    );
}

#[test]
fn two_rules_on_one_priority_are_refused() {
    let (mut st, vpc) = (stack_in("eu-west-1"), existing_vpc());
    let mut root = st.root();
    let listener = HttpsListener::import(
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/fedcba9876543210",
        443,
    )
    .unwrap();
    let tg = GrpcTargetGroup::new(&mut root, "Tg", &vpc.id, 50051, Default::default()).unwrap();
    let four: Vec<String> = ["a.A", "a.B", "a.C", "a.D"].map(String::from).to_vec();
    GrpcRoute::new(&mut root, "First", &listener, 10, &four, &tg, &[]).unwrap(); // 10 and 11
    assert_construct_error(
        GrpcRoute::new(
            &mut root,
            "Second",
            &listener,
            11,
            &["b.B".into()],
            &tg,
            &[],
        ),
        "Test/Second",
        "priority 11 is taken on this listener by rule `FirstPart2`",
    );
    GrpcRoute::new(&mut root, "Third", &listener, 12, &["c.C".into()], &tg, &[]).unwrap();
    // another listener may use the same priorities
    let other = HttpsListener::import(
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/other/0123456789abcdef/fedcba9876543210",
        443,
    )
    .unwrap();
    GrpcRoute::new(
        &mut root,
        "Elsewhere",
        &other,
        10,
        &["d.D".into()],
        &tg,
        &[],
    )
    .unwrap();
}

#[test]
fn the_escape_hatch_takes_an_l2_handle_and_names_a_wrong_one() {
    use formwork_constructs::ecr::{Repository, RepositoryProps};
    let mut app = App::new();
    let a = app.add_stack("a", Env::region("eu-west-1")).unwrap();
    let repo = Repository::new(&mut a.root(), "Repo", RepositoryProps::default()).unwrap();
    a.l1_mut(&repo).unwrap().empty_on_delete = Some(true.into());
    assert_eq!(
        a.to_template().unwrap()["Resources"]["Repo"]["Properties"]["EmptyOnDelete"],
        json!(true)
    );
    let b = app.add_stack("b", Env::region("eu-west-1")).unwrap();
    let e = b.l1_mut(&repo).unwrap_err().to_string();
    assert!(e.contains("belongs to stack `a`"), "{e}");
    assert_eq!(repo.l1_ref().unwrap().logical_id(), "Repo");
    // a hand-made reference of the wrong type is an error, not None
    let wrong =
        formwork_constructs::core::ResourceRef::<formwork_constructs::l1::s3::bucket::Bucket>::new(
            "a", "Repo",
        );
    let a = app.stack_mut("a").unwrap();
    let e = a.l1_mut(&wrong).unwrap_err().to_string();
    assert!(
        e.contains("is a `AWS::ECR::Repository`, not a `AWS::S3::Bucket`"),
        "{e}"
    );
    let missing = formwork_constructs::core::ResourceRef::<
        formwork_constructs::l1::s3::bucket::Bucket,
    >::new("a", "Nope");
    assert!(
        a.l1(&missing)
            .unwrap_err()
            .to_string()
            .contains("no resource `Nope`")
    );
}
