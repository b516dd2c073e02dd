//! One stack with every iam/kms/logs/s3/eks construct (plus a VPC), rendered and checked by
//! cfn-lint (0 errors, 0 warnings) and checkov (0 failed checks; skips only through resource
//! Metadata with reasons).
//!
//! Tools come from `$FORMWORK_TOOLS` or `<repo>/.tools`. A missing tool fails the test when
//! `CI=true` and is skipped with a note otherwise.

mod common;

use std::path::PathBuf;
use std::process::Command;

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
            depends_on: vec![nodes.logical_id.clone()],
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
        pod_identity_agent: Some(agent.logical_id.clone()),
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
            vec![Expr::sub(format!("${{{}.Arn}}/app/*", logs.logical_id))],
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
            depends_on: vec![agent.logical_id.clone()],
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

fn tool(rel: &str) -> Option<PathBuf> {
    let base = std::env::var_os("FORMWORK_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools"));
    let p = base.join(rel);
    p.exists().then_some(p)
}

fn need(rel: &str) -> Option<PathBuf> {
    match tool(rel) {
        Some(p) => Some(p),
        None if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{rel} is missing and CI=true")
        }
        None => {
            eprintln!("skipping: {rel} not found (set FORMWORK_TOOLS or link <repo>/.tools)");
            None
        }
    }
}

fn render() -> (tempdir::Dir, PathBuf) {
    let dir = tempdir::Dir::new("eks-oracle");
    let path = dir.0.join("EksOracle.yaml");
    std::fs::write(&path, build().to_yaml().unwrap()).unwrap();
    (dir, path)
}

mod tempdir {
    /// A temp directory removed on drop.
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new(name: &str) -> Dir {
            let p = std::env::temp_dir().join(format!("formwork-{name}-{}", std::process::id()));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn snapshot_of_the_oracle_stack() {
    common::snapshot("eks_oracle_stack", &build());
}

#[test]
fn cfn_lint_is_clean() {
    let Some(lint) = need("cfnlint/bin/cfn-lint") else {
        return;
    };
    let (_dir, file) = render();
    let out = Command::new(lint).arg(&file).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.trim().is_empty(),
        "cfn-lint reported:\n{text}"
    );
}

#[test]
fn checkov_is_clean() {
    let Some(checkov) = need("checkov/bin/checkov") else {
        return;
    };
    let (_dir, file) = render();
    let out = Command::new(checkov)
        .args([
            "--framework",
            "cloudformation",
            "--quiet",
            "--compact",
            "--skip-download",
            "-o",
            "json",
            "-f",
        ])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("checkov output is not JSON ({e}):\n{text}"));
    let failed = v["results"]["failed_checks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let summary: Vec<String> = failed
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f["check_id"].as_str().unwrap_or("?"),
                f["resource"].as_str().unwrap_or("?"),
                f["check_name"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert!(
        failed.is_empty(),
        "checkov failed checks:\n{}",
        summary.join("\n")
    );
    assert_eq!(
        v["summary"]["failed"], 0,
        "checkov summary: {}",
        v["summary"]
    );
    // every skip carries a reason
    for s in v["results"]["skipped_checks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        assert!(
            s["check_result"]["suppress_comment"]
                .as_str()
                .is_some_and(|c| c.len() > 10),
            "skip without reason: {s}"
        );
    }
}

#[test]
fn formwork_validation_is_clean() {
    let st = build();
    let t = st.to_template().unwrap();
    let opts = formwork_constructs::validate::ValidateOptions {
        region: st.region().map(str::to_owned),
        stack: Some(st.name().to_owned()),
        ..Default::default()
    };
    let diags = formwork_constructs::validate::validate_template(&t, &opts);
    assert!(
        diags.is_empty(),
        "{}",
        formwork_constructs::validate::render_human(&diags)
    );
}
