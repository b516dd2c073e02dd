//! eks: cluster defaults, Auto Mode and options, node groups, add-ons, access entries, Pod
//! Identity, the load balancer controller identity, and the invariants they refuse.

mod common;

use common::{assert_construct_error, snapshot, stack};
use formwork_constructs::core::{Expr, Stack};
use formwork_constructs::ec2::{SecurityGroup, SecurityGroupProps, Vpc, VpcHandle, VpcProps};
use formwork_constructs::eks::*;
use formwork_constructs::kms::{Key, KeyHandle, KeyProps};

fn base(st: &mut Stack) -> (VpcHandle, KeyHandle) {
    let mut root = st.root();
    let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default()).unwrap();
    let key = Key::new(&mut root, "Key", KeyProps::default()).unwrap();
    (vpc, key)
}

#[test]
fn cluster_defaults_with_nodegroup_and_addons() {
    let mut st = stack();
    let (vpc, key) = base(&mut st);
    let mut root = st.root();
    let cluster = Cluster::new(
        &mut root,
        "Cluster",
        &vpc.private_subnets,
        &key,
        ClusterProps::default(),
    )
    .unwrap();
    let nodes = Nodegroup::new(
        &mut root,
        "Nodes",
        &cluster,
        &vpc.private_subnets,
        NodegroupProps::default(),
    )
    .unwrap();
    let agent = Addon::new(
        &mut root,
        "Agent",
        &cluster,
        AddonName::PodIdentityAgent,
        AddonProps::default(),
    )
    .unwrap();
    Addon::vpc_cni(&mut root, "VpcCni", &cluster, &agent).unwrap();
    Addon::new(
        &mut root,
        "CoreDns",
        &cluster,
        AddonName::CoreDns,
        AddonProps {
            version: Some("v1.12.1-eksbuild.2".into()),
            depends_on: vec![nodes.logical_id().to_owned()],
            preserve_on_delete: true,
            ..AddonProps::default()
        },
    )
    .unwrap();
    let sg = SecurityGroup::new(
        &mut root,
        "AlbSg",
        &vpc.id,
        "alb",
        SecurityGroupProps::default(),
    )
    .unwrap();
    let ids =
        allow_from_load_balancer(&mut root, "AlbToPods", &cluster, &sg, &[50051, 50052]).unwrap();
    assert_eq!(
        ids,
        vec![
            "AlbToPodsPort50051".to_owned(),
            "AlbToPodsPort50052".to_owned()
        ]
    );
    snapshot("eks_cluster_default", &st);
}

#[test]
fn cluster_auto_mode_and_options() {
    let mut st = stack();
    let (vpc, key) = base(&mut st);
    let mut root = st.root();
    let cluster = Cluster::new(
        &mut root,
        "Auto",
        &vpc.private_subnets,
        &key,
        ClusterProps {
            name: Some("grpc-auto".into()),
            version: "1.34".into(),
            endpoint_access: EndpointAccess::PublicAndPrivate(vec!["203.0.113.0/24".into()]),
            bootstrap_cluster_creator_admin: false,
            auto_mode: Some(AutoMode::default()),
            log_retention_days: 90,
            service_ipv4_cidr: Some("172.20.0.0/16".into()),
            deletion_protection: true,
            standard_support_only: false,
            ..ClusterProps::default()
        },
    )
    .unwrap();
    assert!(cluster.auto_mode_node_role.is_some());
    AccessEntry::new(
        &mut root,
        "Viewers",
        &cluster,
        Expr::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/viewers"),
        AccessEntryProps {
            policy: Some(AccessPolicy::View),
            scope: AccessScope::Namespaces(vec!["grpc".into()]),
            kubernetes_groups: vec!["viewers".into()],
        },
    )
    .unwrap();
    Addon::new(
        &mut root,
        "Metrics",
        &cluster,
        AddonName::MetricsServer,
        AddonProps::default(),
    )
    .unwrap();
    assert_construct_error(
        Addon::new(
            &mut root,
            "Cni",
            &cluster,
            AddonName::VpcCni,
            AddonProps::default(),
        ),
        "Test/Cni",
        "Auto Mode already runs `vpc-cni`",
    );
    assert_construct_error(
        LoadBalancerControllerIdentity::new(
            &mut root,
            "Lbc",
            &cluster,
            LoadBalancerControllerProps::default(),
        ),
        "Test/Lbc",
        "ships its own load balancer controller",
    );
    snapshot("eks_cluster_auto_mode", &st);
}

#[test]
fn load_balancer_controller_tgb_only_and_pod_identity() {
    let mut st = stack();
    let (vpc, key) = base(&mut st);
    let mut root = st.root();
    let cluster = Cluster::new(
        &mut root,
        "Cluster",
        &vpc.private_subnets,
        &key,
        ClusterProps::default(),
    )
    .unwrap();
    let lbc = LoadBalancerControllerIdentity::new(
        &mut root,
        "Lbc",
        &cluster,
        LoadBalancerControllerProps {
            policy: LoadBalancerControllerPolicy::TargetGroupBindingOnly,
            ..Default::default()
        },
    )
    .unwrap();
    PodIdentityAssociation::new(
        &mut root,
        "Reuse",
        &cluster,
        "grpc",
        "greeter",
        &lbc.role,
        PodIdentityAssociationProps::default(),
    )
    .unwrap();
    snapshot("eks_lbc_tgb_only", &st);
}

#[test]
fn invariants() {
    let mut st = stack();
    let (vpc, key) = base(&mut st);
    let mut root = st.root();
    let one = &vpc.private_subnets[..1];
    assert_construct_error(
        Cluster::new(&mut root, "One", one, &key, ClusterProps::default()),
        "Test/One",
        "at least 2 subnets",
    );
    let p = |f: fn(&mut ClusterProps)| {
        let mut c = ClusterProps::default();
        f(&mut c);
        c
    };
    let subnets = &vpc.private_subnets;
    assert_construct_error(
        Cluster::new(
            &mut root,
            "V",
            subnets,
            &key,
            p(|c| c.version = "1.3".into()),
        ),
        "Test/V",
        "must look like `1.NN`",
    );
    assert_construct_error(
        Cluster::new(
            &mut root,
            "N",
            subnets,
            &key,
            p(|c| c.name = Some("-bad".into())),
        ),
        "Test/N",
        "cluster name",
    );
    assert_construct_error(
        Cluster::new(
            &mut root,
            "Pub",
            subnets,
            &key,
            p(|c| c.endpoint_access = EndpointAccess::Public(vec![])),
        ),
        "Test/Pub",
        "at least one allowed CIDR",
    );
    assert_construct_error(
        Cluster::new(
            &mut root,
            "Boot",
            subnets,
            &key,
            p(|c| {
                c.auto_mode = Some(AutoMode::default());
                c.bootstrap_self_managed_addons = Some(true);
            }),
        ),
        "Test/Boot",
        "bootstrap_self_managed_addons must be false",
    );
    assert_construct_error(
        Cluster::new(
            &mut root,
            "Pools",
            subnets,
            &key,
            p(|c| c.auto_mode = Some(AutoMode { node_pools: vec![] })),
        ),
        "Test/Pools",
        "at least one built-in node pool",
    );
    let cluster = Cluster::new(&mut root, "Ok", subnets, &key, ClusterProps::default()).unwrap();
    let ng = |min, desired, max| NodegroupProps {
        min_size: min,
        desired_size: desired,
        max_size: max,
        ..NodegroupProps::default()
    };
    assert_construct_error(
        Nodegroup::new(&mut root, "Ng1", &cluster, subnets, ng(3, 2, 4)),
        "Test/Ng1",
        "min ≤ desired ≤ max",
    );
    assert_construct_error(
        Nodegroup::new(&mut root, "Ng2", &cluster, subnets, ng(1, 5, 4)),
        "Test/Ng2",
        "min ≤ desired ≤ max",
    );
    assert_construct_error(
        Nodegroup::new(&mut root, "Ng3", &cluster, subnets, ng(0, 0, 0)),
        "Test/Ng3",
        "max_size must be at least 1",
    );
    assert_construct_error(
        Nodegroup::new(
            &mut root,
            "Ng4",
            &cluster,
            subnets,
            NodegroupProps {
                instance_types: vec![],
                ..NodegroupProps::default()
            },
        ),
        "Test/Ng4",
        "1–20 instance types",
    );
    assert_construct_error(
        Nodegroup::new(&mut root, "Ng5", &cluster, &[], NodegroupProps::default()),
        "Test/Ng5",
        "at least one subnet",
    );
    let role = cluster.role.clone().unwrap();
    assert_construct_error(
        PodIdentityAssociation::new(
            &mut root,
            "Pia",
            &cluster,
            "Kube_System",
            "sa",
            &role,
            PodIdentityAssociationProps::default(),
        ),
        "Test/Pia",
        "namespace `Kube_System`",
    );
    assert_construct_error(
        AccessEntry::new(
            &mut root,
            "Ae1",
            &cluster,
            Expr::str("arn:aws:iam::111111111111:role/x"),
            AccessEntryProps {
                scope: AccessScope::Namespaces(vec!["a".into()]),
                ..AccessEntryProps::default()
            },
        ),
        "Test/Ae1",
        "cluster scope only",
    );
    assert_construct_error(
        AccessEntry::new(
            &mut root,
            "Ae2",
            &cluster,
            Expr::str("arn:aws:iam::111111111111:role/x"),
            AccessEntryProps {
                policy: Some(AccessPolicy::Edit),
                scope: AccessScope::Namespaces(vec![]),
                ..AccessEntryProps::default()
            },
        ),
        "Test/Ae2",
        "at least one namespace",
    );
    assert_construct_error(
        AccessEntry::new(
            &mut root,
            "Ae3",
            &cluster,
            Expr::str("arn:aws:iam::111111111111:role/x"),
            AccessEntryProps {
                policy: None,
                ..AccessEntryProps::default()
            },
        ),
        "Test/Ae3",
        "access policy or Kubernetes groups",
    );
    assert_construct_error(
        Addon::new(
            &mut root,
            "Ver",
            &cluster,
            AddonName::KubeProxy,
            AddonProps {
                version: Some("1.0".into()),
                ..AddonProps::default()
            },
        ),
        "Test/Ver",
        "add-on version",
    );
    let sg = SecurityGroup::new(
        &mut root,
        "Sg",
        &vpc.id,
        "alb",
        SecurityGroupProps::default(),
    )
    .unwrap();
    assert_construct_error(
        allow_from_load_balancer(&mut root, "NoPorts", &cluster, &sg, &[]),
        "Test/NoPorts",
        "at least one target port",
    );
    assert_construct_error(
        allow_from_load_balancer(&mut root, "Dup", &cluster, &sg, &[1, 1]),
        "Test/Dup",
        "repeated",
    );
}
