//! The EKS platform shared by the EKS blueprints: the KMS key, the VPC, the cluster with its
//! compute and add-ons, admin access entries, and the checks of their config.

use formwork_constructs::core::{Error, Expr, Scope};
use formwork_constructs::ec2::{self, Vpc, VpcHandle, VpcProps};
use formwork_constructs::eks::{
    AccessEntry, AccessEntryProps, AccessPolicy, Addon, AddonHandle, AddonName, AddonProps,
    AmiType, AutoMode, Cluster, ClusterHandle, ClusterProps, EndpointAccess, NodePool, Nodegroup,
    NodegroupProps,
};
use formwork_constructs::kms::{Alias, Key, KeyHandle, KeyProps, KeyServiceGrant};

use crate::common::NodesConfig;
use crate::common::{VpcConfig, check_arn};
use crate::config::ConfigError;

/// What the cluster looks like, from a blueprint's config.
#[derive(Debug, Clone, Copy)]
pub struct ClusterSpec<'a> {
    /// Cluster name (the app name).
    pub name: &'a str,
    /// Kubernetes version.
    pub version: &'a str,
    /// EKS Auto Mode instead of a managed node group.
    pub auto_mode: bool,
    /// The managed node group (ignored in Auto Mode).
    pub nodes: &'a NodesConfig,
    /// Public CIDRs allowed to the API endpoint (empty: private only).
    pub public_access_cidrs: &'a [String],
}

/// The cluster and what the blueprints build on.
#[derive(Debug, Clone)]
pub struct EksPlatform {
    /// The VPC.
    pub vpc: VpcHandle,
    /// The cluster.
    pub cluster: ClusterHandle,
    /// The Pod Identity agent add-on (managed nodes; Auto Mode runs its own).
    pub pod_identity_agent: Option<AddonHandle>,
}

/// The platform KMS key (EKS secrets, log groups) and its alias `alias/<app>-platform`.
pub fn platform_key(root: &mut Scope<'_>, app: &str) -> Result<KeyHandle, Error> {
    platform_key_for(root, app, "EKS secrets and log groups")
}

/// The platform KMS key for `purpose` (its description), open to CloudWatch Logs of the
/// account and Region, and its alias `alias/<app>-platform`.
pub fn platform_key_for(
    root: &mut Scope<'_>,
    app: &str,
    purpose: &str,
) -> Result<KeyHandle, Error> {
    let key = Key::new(
        root,
        "PlatformKey",
        KeyProps {
            description: Some(format!("{app}: {purpose}")),
            service_grants: vec![KeyServiceGrant::CloudWatchLogs {
                log_group_arn: Expr::sub(
                    "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*",
                ),
            }],
            ..KeyProps::default()
        },
    )?;
    Alias::new(
        root,
        "PlatformKeyAlias",
        &format!("alias/{app}-platform"),
        &key,
    )?;
    Ok(key)
}

/// The VPC and the EKS cluster with its compute and add-ons.
///
/// With managed nodes the CNI (with its Pod Identity role) and kube-proxy go in before the
/// nodes: a node only becomes Ready once aws-node can assign pod IPs, and the node role
/// deliberately lacks AmazonEKS_CNI_Policy (it lives on the aws-node service account). CoreDNS
/// and metrics-server (for the HPAs) follow the nodes. Auto Mode runs the networking add-ons
/// itself and only gets metrics-server.
pub fn eks_cluster(
    root: &mut Scope<'_>,
    cidr: ec2::Ipv4Cidr,
    vpc_cfg: &VpcConfig,
    spec: ClusterSpec<'_>,
    key: &KeyHandle,
) -> Result<EksPlatform, Error> {
    let vpc = Vpc::new(
        root,
        "Vpc",
        VpcProps {
            cidr,
            azs: vpc_cfg.azs,
            nat_gateways: vpc_cfg.nat_gateways,
            ..VpcProps::default()
        },
    )?;
    let endpoint_access = if spec.public_access_cidrs.is_empty() {
        EndpointAccess::Private
    } else {
        EndpointAccess::PublicAndPrivate(spec.public_access_cidrs.to_vec())
    };
    let cluster = Cluster::new(
        root,
        "Cluster",
        &vpc.private_subnets,
        key,
        ClusterProps {
            name: Some(spec.name.to_owned()),
            version: spec.version.to_owned(),
            endpoint_access,
            auto_mode: spec.auto_mode.then(|| AutoMode {
                node_pools: vec![NodePool::GeneralPurpose, NodePool::System],
            }),
            log_kms_key: Some(key.arn.clone()),
            ..ClusterProps::default()
        },
    )?;
    if spec.auto_mode {
        Addon::new(
            root,
            "MetricsServer",
            &cluster,
            AddonName::MetricsServer,
            AddonProps::default(),
        )?;
        return Ok(EksPlatform {
            vpc,
            cluster,
            pod_identity_agent: None,
        });
    }
    let agent = Addon::new(
        root,
        "PodIdentityAgent",
        &cluster,
        AddonName::PodIdentityAgent,
        AddonProps::default(),
    )?;
    let cni = Addon::vpc_cni(root, "VpcCni", &cluster, &agent)?;
    let proxy = Addon::new(
        root,
        "KubeProxy",
        &cluster,
        AddonName::KubeProxy,
        AddonProps::default(),
    )?;
    let n = spec.nodes;
    let nodes = Nodegroup::new(
        root,
        "Nodes",
        &cluster,
        &vpc.private_subnets,
        NodegroupProps {
            instance_types: n.instance_types.clone(),
            min_size: n.min,
            desired_size: n.desired,
            max_size: n.max,
            ami_type: if n.arm64() {
                AmiType::Al2023Arm64Standard
            } else {
                AmiType::Al2023X86_64Standard
            },
            ..NodegroupProps::default()
        },
    )?;
    if let Some(e) = root.stack().entry_mut(nodes.logical_id()) {
        e.add_depends_on(cni.logical_id())
            .add_depends_on(proxy.logical_id());
    }
    for (id, name) in [
        ("CoreDns", AddonName::CoreDns),
        ("MetricsServer", AddonName::MetricsServer),
    ] {
        let props = AddonProps {
            depends_on: vec![nodes.logical_id().to_owned()],
            ..AddonProps::default()
        };
        Addon::new(root, id, &cluster, name, props)?;
    }
    Ok(EksPlatform {
        vpc,
        cluster,
        pod_identity_agent: Some(agent),
    })
}

/// A cluster-admin access entry per IAM role ARN (`Admin1`, `Admin2`, …).
pub fn admin_access_entries(
    root: &mut Scope<'_>,
    cluster: &ClusterHandle,
    arns: &[String],
) -> Result<(), Error> {
    for (i, arn) in arns.iter().enumerate() {
        AccessEntry::new(
            root,
            &format!("Admin{}", i + 1),
            cluster,
            Expr::str(arn.clone()),
            AccessEntryProps {
                policy: Some(AccessPolicy::ClusterAdmin),
                ..AccessEntryProps::default()
            },
        )?;
    }
    Ok(())
}

/// The Kubernetes minor versions a config may name: those of EKS standard support when this
/// list was written (1.32–1.35; https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html,
/// release dates on https://endoflife.date/amazon-eks), all at or above the 1.30 the emitted
/// manifests need (issue #12). Extend the range when EKS adds a version and the manifests pass.
pub const KUBERNETES_VERSIONS: std::ops::RangeInclusive<u32> = 32..=35;

/// Checks the Kubernetes version `1.NN` is one EKS offers and our manifests work on.
pub fn check_version(ptr: &str, version: &str, errs: &mut Vec<ConfigError>) {
    let (lo, hi) = (KUBERNETES_VERSIONS.start(), KUBERNETES_VERSIONS.end());
    let minor = version
        .strip_prefix("1.")
        .filter(|m| !m.is_empty() && m.chars().all(|c| c.is_ascii_digit()) && !m.starts_with('0'))
        .and_then(|m| m.parse::<u32>().ok());
    match minor {
        Some(m) if KUBERNETES_VERSIONS.contains(&m) => {}
        Some(m) => errs.push(ConfigError::at(
            ptr,
            format!(
                "Kubernetes {version} is {} the supported range 1.{lo}–1.{hi} (EKS standard support and what the emitted manifests need); use e.g. \"1.{hi}\"",
                if m < *lo { "below" } else { "above" }
            ),
        )),
        None => errs.push(ConfigError::at(
            ptr,
            format!("`{version}` is not a Kubernetes version `1.NN`; use e.g. \"1.{hi}\" (in quotes: 1.30 unquoted would be read as the number 1.3)"),
        )),
    }
}

/// Refuses a VPC whose private subnets have no way out: EKS nodes there pull images from ECR,
/// join the cluster through the EKS and STS APIs and ship logs, and without NAT gateways (and
/// without the VPC endpoints for those, which formwork does not create) they can do none of it.
pub fn check_node_egress(vpc: &VpcConfig, errs: &mut Vec<ConfigError>) {
    if vpc.nat_gateways == 0 {
        errs.push(ConfigError::at(
            "/vpc/nat_gateways",
            "EKS nodes in private subnets need a way out to pull images from ECR and join the cluster (EKS, STS, S3, CloudWatch Logs); with `nat_gateways: 0` they have none and formwork does not create VPC endpoints — set `nat_gateways: 1` (or one per AZ)",
        ));
    }
}

/// Checks the cluster part of a config under `ptr` (`/cluster`) and the VPC it needs.
pub fn check_cluster(
    ptr: &str,
    version: &str,
    vpc: &VpcConfig,
    nodes: &NodesConfig,
    public_access_cidrs: &[String],
    admin_role_arns: &[String],
    errs: &mut Vec<ConfigError>,
) {
    check_version(&format!("{ptr}/version"), version, errs);
    check_node_egress(vpc, errs);
    let arm = nodes.arm64();
    for (i, t) in nodes.instance_types.iter().enumerate() {
        if crate::common::is_graviton(t) != arm {
            errs.push(ConfigError::at(
                format!("{ptr}/nodes/instance_types/{i}"),
                format!(
                    "`{t}` is {} but `{}` is {}: a node group has one architecture (one AMI type); use only Graviton (m7g, c7g, …) or only x86 types",
                    if arm { "x86_64" } else { "Graviton (arm64)" },
                    nodes.instance_types[0],
                    if arm { "Graviton (arm64)" } else { "x86_64" },
                ),
            ));
        }
    }
    if !(nodes.min <= nodes.desired && nodes.desired <= nodes.max) {
        errs.push(ConfigError::at(
            format!("{ptr}/nodes"),
            format!(
                "node counts must satisfy min ≤ desired ≤ max (got {} ≤ {} ≤ {})",
                nodes.min, nodes.desired, nodes.max
            ),
        ));
    }
    for (i, c) in public_access_cidrs.iter().enumerate() {
        if c.parse::<ec2::Ipv4Cidr>().is_err() {
            errs.push(ConfigError::at(
                format!("{ptr}/public_access_cidrs/{i}"),
                format!("`{c}` is not an IPv4 CIDR such as 203.0.113.10/32"),
            ));
        }
    }
    for (i, a) in admin_role_arns.iter().enumerate() {
        let p = format!("{ptr}/admin_role_arns/{i}");
        let before = errs.len();
        check_arn(&p, a, "iam", None, "", errs);
        // IAM ARNs have an empty Region field.
        if errs.len() == before && a.split(':').nth(3).is_some_and(|r| !r.is_empty()) {
            errs.push(ConfigError::at(p, "IAM ARNs have no Region"));
        }
    }
}
