//! [`Nodegroup`]: an EKS managed node group on AL2023 in private subnets.

use std::collections::BTreeMap;

use crate::core::{Attr, Error, Scope, Val, list};
use crate::ec2::SubnetHandle;
use crate::iam::{AwsManagedPolicy, Principal, Role, RoleHandle, RoleProps};
use crate::l1::eks::nodegroup as l1;

use super::cluster::ClusterHandle;

/// The node AMI family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AmiType {
    /// Amazon Linux 2023, x86-64. The default.
    #[default]
    Al2023X86_64Standard,
    /// Amazon Linux 2023, arm64 (Graviton instance types).
    Al2023Arm64Standard,
    /// Bottlerocket, x86-64.
    BottlerocketX86_64,
    /// Bottlerocket, arm64.
    BottlerocketArm64,
}

impl AmiType {
    fn l1(self) -> l1::AmiType {
        match self {
            AmiType::Al2023X86_64Standard => l1::AmiType::Al2023X86_64Standard,
            AmiType::Al2023Arm64Standard => l1::AmiType::Al2023Arm64Standard,
            AmiType::BottlerocketX86_64 => l1::AmiType::BottlerocketX86_64,
            AmiType::BottlerocketArm64 => l1::AmiType::BottlerocketArm64,
        }
    }
}

/// On-demand or spot capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CapacityType {
    /// On-demand. The default.
    #[default]
    OnDemand,
    /// Spot (give several instance types).
    Spot,
}

/// Optional settings of a [`Nodegroup`].
#[derive(Debug, Clone, PartialEq)]
pub struct NodegroupProps {
    /// Node group name. Default: generated.
    pub name: Option<String>,
    /// Default: [`AmiType::Al2023X86_64Standard`].
    pub ami_type: AmiType,
    /// Default: [`CapacityType::OnDemand`].
    pub capacity_type: CapacityType,
    /// Instance types (1–20). Default: `["m7i.large"]`.
    pub instance_types: Vec<String>,
    /// Minimum nodes. Default: 2 (one per AZ of a default VPC).
    pub min_size: u32,
    /// Desired nodes at creation (min ≤ desired ≤ max). Default: 2.
    pub desired_size: u32,
    /// Maximum nodes (≥1). Default: 4.
    pub max_size: u32,
    /// Root volume size in GiB. Default: unset (20 GiB).
    pub disk_size_gib: Option<u32>,
    /// Kubernetes node labels. Default: none.
    pub labels: BTreeMap<String, String>,
    /// Nodes replaced at once during updates. Default: 1.
    pub max_unavailable: u32,
}

impl Default for NodegroupProps {
    fn default() -> Self {
        NodegroupProps {
            name: None,
            ami_type: AmiType::Al2023X86_64Standard,
            capacity_type: CapacityType::OnDemand,
            instance_types: vec!["m7i.large".to_owned()],
            min_size: 2,
            desired_size: 2,
            max_size: 4,
            disk_size_gib: None,
            labels: BTreeMap::new(),
            max_unavailable: 1,
        }
    }
}

/// What [`Nodegroup::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct NodegroupHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::Nodegroup>,
    /// `Fn::GetAtt Arn`.
    pub arn: Attr<l1::attr::Arn>,
    /// The node role (`AmazonEKSWorkerNodePolicy` + `AmazonEC2ContainerRegistryPullOnly`; the
    /// CNI policy belongs on the `vpc-cni` add-on through Pod Identity).
    pub role: RoleHandle,
}

crate::l1_handle!(NodegroupHandle, l1::Nodegroup);

/// A managed node group.
///
/// CloudFormation: [`AWS::EKS::Nodegroup`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-nodegroup.html).
///
/// ```
/// use formwork_constructs::core::{Env, Stack};
/// use formwork_constructs::ec2::{Vpc, VpcProps};
/// use formwork_constructs::eks::{Cluster, ClusterProps, Nodegroup, NodegroupProps};
/// use formwork_constructs::kms::{Key, KeyProps};
/// let mut stack = Stack::new("Eks", Env::region("eu-west-1")).unwrap();
/// let mut root = stack.root();
/// let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default()).unwrap();
/// let key = Key::new(&mut root, "Key", KeyProps::default()).unwrap();
/// let cluster = Cluster::new(&mut root, "Cluster", &vpc.private_subnets, &key, ClusterProps::default()).unwrap();
/// Nodegroup::new(&mut root, "Nodes", &cluster, &vpc.private_subnets, NodegroupProps::default()).unwrap();
/// ```
pub struct Nodegroup;

impl Nodegroup {
    /// Adds the node group and its node role as `scope/id`, in `subnets` (private ones).
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        cluster: &ClusterHandle,
        subnets: &[SubnetHandle],
        props: NodegroupProps,
    ) -> Result<NodegroupHandle, Error> {
        let mut s = scope.child(id)?;
        if subnets.is_empty() {
            return Err(s.error("a node group needs at least one subnet"));
        }
        if props.max_size == 0 {
            return Err(s.error("max_size must be at least 1"));
        }
        if !(props.min_size <= props.desired_size && props.desired_size <= props.max_size) {
            return Err(s.error(format!(
                "scaling must satisfy min ≤ desired ≤ max, got min {} desired {} max {}",
                props.min_size, props.desired_size, props.max_size
            )));
        }
        if props.instance_types.is_empty() || props.instance_types.len() > 20 {
            return Err(s.error("give 1–20 instance types"));
        }
        if props.max_unavailable == 0 || props.max_unavailable > 100 {
            return Err(s.error("max_unavailable must be 1–100"));
        }
        if let Some(n) = &props.name
            && (n.is_empty()
                || n.len() > 63
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        {
            return Err(s.error(format!(
                "node group name `{n}` must be 1–63 letters, digits, `-` and `_`"
            )));
        }
        let role = Role::new(
            &mut s,
            "Role",
            Principal::Service("ec2.amazonaws.com"),
            RoleProps {
                description: Some("EKS managed node group nodes".into()),
                managed_policies: vec![
                    AwsManagedPolicy::AmazonEKSWorkerNodePolicy,
                    AwsManagedPolicy::AmazonEC2ContainerRegistryPullOnly,
                ],
                ..RoleProps::default()
            },
        )?;
        let labels: BTreeMap<String, Val<String>> = props
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), Val::from(v.as_str())))
            .collect();
        let ng = s.add(
            "Resource",
            l1::Nodegroup {
                nodegroup_name: props.name.clone().map(Val::from),
                ami_type: Some(props.ami_type.l1().into()),
                capacity_type: Some(
                    match props.capacity_type {
                        CapacityType::OnDemand => l1::CapacityType::OnDemand,
                        CapacityType::Spot => l1::CapacityType::Spot,
                    }
                    .into(),
                ),
                instance_types: Some(props.instance_types.clone().into()),
                disk_size: props.disk_size_gib.map(Val::from),
                scaling_config: Some(
                    l1::ScalingConfig {
                        min_size: Some(props.min_size.into()),
                        desired_size: Some(props.desired_size.into()),
                        max_size: Some(props.max_size.into()),
                    }
                    .into(),
                ),
                update_config: Some(
                    l1::UpdateConfig {
                        max_unavailable: Some(f64::from(props.max_unavailable).into()),
                        ..l1::UpdateConfig::new()
                    }
                    .into(),
                ),
                labels: if labels.is_empty() {
                    None
                } else {
                    Some(labels.into())
                },
                ..l1::Nodegroup::new(
                    &cluster.name,
                    &role.arn,
                    list(subnets.iter().map(|sn| Val::<String>::from(&sn.id))),
                )
            },
        )?;
        Ok(NodegroupHandle {
            resource: ng.clone(),
            arn: ng.attr_arn(),
            role,
        })
    }
}
