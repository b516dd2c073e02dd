//! One stack with every iam/kms/logs/s3/eks construct (plus a VPC), rendered and checked by
//! cfn-lint (0 errors, 0 warnings) and checkov (0 failed checks; skips only through resource
//! Metadata with reasons).
//!
//! Tools come from `$FORMWORK_TOOLS` or `<repo>/.tools`. A missing tool fails the test when
//! `CI=true` and is skipped with a note otherwise.

mod common;

use formwork_constructs::core::{Env, Expr, Stack};
use formwork_constructs::ec2::{SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
use formwork_constructs::eks::*;
use formwork_constructs::iam::{
    AwsManagedPolicy, Policy, PolicyDocument, PolicyProps, Principal, Role, RoleProps, Statement,
};
use formwork_constructs::kms::{Alias, Key, KeyProps, KeyServiceGrant};
use formwork_constructs::logs::{LogGroup, LogGroupProps};
use formwork_constructs::s3::{AlbLogPrincipal, Bucket, BucketProps, CloudFrontLogging};

fn build() -> Stack {
    let mut st = Stack::new("EksOracle", Env::region("eu-west-1")).unwrap();
    let mut root = st.root();
    let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default()).unwrap();
    let key = Key::new(
        &mut root,
        "PlatformKey",
        KeyProps {
            description: Some("EKS secrets and log groups".into()),
            service_grants: vec![KeyServiceGrant::CloudWatchLogs {
                log_group_arn: Expr::sub(
                    "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*",
                ),
            }],
            ..KeyProps::default()
        },
    )
    .unwrap();
    Alias::new(
        &mut root,
        "PlatformKeyAlias",
        "alias/eks-oracle-platform",
        &key,
    )
    .unwrap();
    LogGroup::new(
        &mut root,
        "AppLogs",
        LogGroupProps {
            kms_key: Some(key.arn.clone()),
            ..LogGroupProps::default()
        },
    )
    .unwrap();
    let logs = Bucket::new(&mut root, "AccessLogs", BucketProps::default()).unwrap();
    logs.allow_alb_access_logs(&mut root, "alb", AlbLogPrincipal::ServicePrincipal)
        .unwrap();
    logs.allow_cloudfront_logs(&mut root, "cloudfront", CloudFrontLogging::V2)
        .unwrap();
    let cluster = Cluster::new(
        &mut root,
        "Cluster",
        &vpc.private_subnets,
        &key,
        ClusterProps {
            log_kms_key: Some(key.arn.clone()),
            ..ClusterProps::default()
        },
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
        "PodIdentityAgent",
        &cluster,
        AddonName::PodIdentityAgent,
        AddonProps::default(),
    )
    .unwrap();
    Addon::vpc_cni(&mut root, "VpcCni", &cluster, &agent).unwrap();
    Addon::new(
        &mut root,
        "KubeProxy",
        &cluster,
        AddonName::KubeProxy,
        AddonProps::default(),
    )
    .unwrap();
    for (id, name) in [
        ("CoreDns", AddonName::CoreDns),
        ("MetricsServer", AddonName::MetricsServer),
    ] {
        let props = AddonProps {
            depends_on: vec![nodes.logical_id().to_owned()],
            ..AddonProps::default()
        };
        Addon::new(&mut root, id, &cluster, name, props).unwrap();
    }
    AccessEntry::new(
        &mut root,
        "Admins",
        &cluster,
        Expr::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/platform-admins"),
        AccessEntryProps::default(),
    )
    .unwrap();
    let lbc = LoadBalancerControllerProps {
        pod_identity_agent: Some(agent.logical_id().to_owned()),
        ..Default::default()
    };
    LoadBalancerControllerIdentity::new(&mut root, "LbController", &cluster, lbc).unwrap();
    let app_role = Role::new(
        &mut root,
        "AppRole",
        Principal::PodIdentity,
        RoleProps {
            managed_policies: vec![AwsManagedPolicy::CloudWatchAgentServerPolicy],
            ..RoleProps::default()
        },
    )
    .unwrap();
    Policy::new(
        &mut root,
        "AppPolicy",
        PolicyDocument::new(vec![Statement::allow(
            ["s3:GetObject"],
            vec![Expr::sub_with(
                "${Logs}/app/*",
                vec![("Logs".into(), logs.arn.expr().clone())],
            )],
        )]),
        &[&app_role],
        PolicyProps::default(),
    )
    .unwrap();
    PodIdentityAssociation::new(
        &mut root,
        "AppIdentity",
        &cluster,
        "grpc",
        "greeter",
        &app_role,
        PodIdentityAssociationProps {
            depends_on: vec![agent.logical_id().to_owned()],
        },
    )
    .unwrap();
    let alb_sg = SecurityGroup::new(
        &mut root,
        "AlbSg",
        &vpc.id,
        "ALB for gRPC",
        SecurityGroupProps::default(),
    )
    .unwrap();
    allow_from_load_balancer(&mut root, "AlbToPods", &cluster, &alb_sg, &[50051]).unwrap();
    st
}

#[test]
fn snapshot_of_the_oracle_stack() {
    common::snapshot("eks_oracle_stack", &build());
}

#[test]
fn cfn_lint_is_clean() {
    let Some(lint) = common::tool("cfnlint/bin/cfn-lint") else {
        return;
    };
    let dir = common::TempDir::new("eks-oracle");
    common::assert_cfn_lint_clean(&lint, &dir.render(&build()));
}

#[test]
fn checkov_is_clean() {
    let Some(checkov) = common::tool("checkov/bin/checkov") else {
        return;
    };
    let dir = common::TempDir::new("eks-oracle-checkov");
    common::assert_checkov_clean(&checkov, &dir.render(&build()));
}

#[test]
fn formwork_validation_is_clean() {
    common::assert_formwork_valid(&build());
}
