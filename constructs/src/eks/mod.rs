//! EKS: [`Cluster`] (API authentication, full control-plane logging, KMS secrets encryption,
//! optional Auto Mode), [`Nodegroup`], [`Addon`], [`AccessEntry`], [`PodIdentityAssociation`],
//! the AWS Load Balancer Controller's [`LoadBalancerControllerIdentity`] and
//! [`allow_from_load_balancer`].
//!
//! CloudFormation: [`AWS::EKS::Cluster`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-cluster.html),
//! [`AWS::EKS::Nodegroup`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-nodegroup.html),
//! [`AWS::EKS::Addon`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-addon.html),
//! [`AWS::EKS::AccessEntry`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-accessentry.html),
//! [`AWS::EKS::PodIdentityAssociation`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-podidentityassociation.html).
//!
//! ```
//! use formwork_constructs::core::{Env, Stack};
//! use formwork_constructs::ec2::{Vpc, VpcProps};
//! use formwork_constructs::eks::*;
//! use formwork_constructs::kms::{Key, KeyProps};
//! let mut stack = Stack::new("Eks", Env::region("eu-west-1")).unwrap();
//! let mut root = stack.root();
//! let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default()).unwrap();
//! let key = Key::new(&mut root, "Key", KeyProps::default()).unwrap();
//! let cluster = Cluster::new(&mut root, "Cluster", &vpc.private_subnets, &key, ClusterProps::default()).unwrap();
//! let nodes = Nodegroup::new(&mut root, "Nodes", &cluster, &vpc.private_subnets, NodegroupProps::default()).unwrap();
//! let agent = Addon::new(&mut root, "PodIdentityAgent", &cluster, AddonName::PodIdentityAgent, AddonProps::default()).unwrap();
//! Addon::vpc_cni(&mut root, "VpcCni", &cluster, &agent).unwrap();
//! let coredns = AddonProps { depends_on: vec![nodes.logical_id().to_owned()], ..AddonProps::default() };
//! Addon::new(&mut root, "CoreDns", &cluster, AddonName::CoreDns, coredns).unwrap();
//! let lbc = LoadBalancerControllerProps { pod_identity_agent: Some(agent.logical_id().to_owned()), ..Default::default() };
//! LoadBalancerControllerIdentity::new(&mut root, "LbController", &cluster, lbc).unwrap();
//! assert!(stack.to_yaml().unwrap().contains("AuthenticationMode: API"));
//! ```

mod access_entry;
mod addon;
mod cluster;
mod ingress;
mod load_balancer_controller;
mod nodegroup;
mod pod_identity_association;

pub use access_entry::{
    AccessEntry, AccessEntryHandle, AccessEntryProps, AccessPolicy, AccessScope,
};
pub use addon::{Addon, AddonHandle, AddonName, AddonPodIdentity, AddonProps};
pub use cluster::{
    AutoMode, Cluster, ClusterHandle, ClusterImport, ClusterName, ClusterProps,
    DEFAULT_KUBERNETES_VERSION, EndpointAccess, NodePool,
};
pub use ingress::allow_from_load_balancer;
pub use load_balancer_controller::{
    LoadBalancerControllerHandle, LoadBalancerControllerIdentity, LoadBalancerControllerPolicy,
    LoadBalancerControllerProps, full_policy, target_group_binding_policy,
};
pub use nodegroup::{AmiType, CapacityType, Nodegroup, NodegroupHandle, NodegroupProps};
pub use pod_identity_association::{
    PodIdentityAssociation, PodIdentityAssociationHandle, PodIdentityAssociationProps,
    valid_k8s_name,
};
