//! [`AwsManagedPolicy`]: AWS managed policies as typed values.

use crate::core::Expr;

/// An AWS managed IAM policy, rendered as
/// `Fn::Sub arn:${AWS::Partition}:iam::aws:policy/<path><Name>` so the template works in every
/// partition. Covers what EKS clusters, Auto Mode and node groups need.
///
/// Referenced from `AWS::IAM::Role.ManagedPolicyArns`
/// ([docs](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html)).
///
/// ```
/// use formwork_constructs::iam::AwsManagedPolicy;
/// assert_eq!(
///     AwsManagedPolicy::AmazonEKSClusterPolicy.arn().to_value(),
///     serde_json::json!({"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonEKSClusterPolicy"})
/// );
/// ```
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AwsManagedPolicy {
    /// EKS cluster (control plane) role.
    AmazonEKSClusterPolicy,
    /// Auto Mode cluster role: compute (node) management.
    AmazonEKSComputePolicy,
    /// Auto Mode cluster role: EBS block storage.
    AmazonEKSBlockStoragePolicy,
    /// Auto Mode cluster role: the built-in load balancer controller.
    AmazonEKSLoadBalancingPolicy,
    /// Auto Mode cluster role: networking.
    AmazonEKSNetworkingPolicy,
    /// Managed node group node role.
    AmazonEKSWorkerNodePolicy,
    /// Auto Mode node role.
    AmazonEKSWorkerNodeMinimalPolicy,
    /// Pull images from ECR (node roles).
    AmazonEC2ContainerRegistryPullOnly,
    /// Read-only ECR access (older node-role recipes; prefer `PullOnly`).
    AmazonEC2ContainerRegistryReadOnly,
    /// The VPC CNI (`aws-node`); attach via Pod Identity on the `vpc-cni` add-on, not the node role.
    AmazonEKS_CNI_Policy,
    /// Security groups for pods (cluster role).
    AmazonEKSVPCResourceController,
    /// The EBS CSI driver add-on (`service-role/` path).
    AmazonEBSCSIDriverPolicy,
    /// SSM Session Manager access to nodes.
    AmazonSSMManagedInstanceCore,
    /// CloudWatch agent on nodes.
    CloudWatchAgentServerPolicy,
}

impl AwsManagedPolicy {
    /// The policy name.
    pub const fn name(self) -> &'static str {
        match self {
            AwsManagedPolicy::AmazonEKSClusterPolicy => "AmazonEKSClusterPolicy",
            AwsManagedPolicy::AmazonEKSComputePolicy => "AmazonEKSComputePolicy",
            AwsManagedPolicy::AmazonEKSBlockStoragePolicy => "AmazonEKSBlockStoragePolicy",
            AwsManagedPolicy::AmazonEKSLoadBalancingPolicy => "AmazonEKSLoadBalancingPolicy",
            AwsManagedPolicy::AmazonEKSNetworkingPolicy => "AmazonEKSNetworkingPolicy",
            AwsManagedPolicy::AmazonEKSWorkerNodePolicy => "AmazonEKSWorkerNodePolicy",
            AwsManagedPolicy::AmazonEKSWorkerNodeMinimalPolicy => {
                "AmazonEKSWorkerNodeMinimalPolicy"
            }
            AwsManagedPolicy::AmazonEC2ContainerRegistryPullOnly => {
                "AmazonEC2ContainerRegistryPullOnly"
            }
            AwsManagedPolicy::AmazonEC2ContainerRegistryReadOnly => {
                "AmazonEC2ContainerRegistryReadOnly"
            }
            AwsManagedPolicy::AmazonEKS_CNI_Policy => "AmazonEKS_CNI_Policy",
            AwsManagedPolicy::AmazonEKSVPCResourceController => "AmazonEKSVPCResourceController",
            AwsManagedPolicy::AmazonEBSCSIDriverPolicy => "AmazonEBSCSIDriverPolicy",
            AwsManagedPolicy::AmazonSSMManagedInstanceCore => "AmazonSSMManagedInstanceCore",
            AwsManagedPolicy::CloudWatchAgentServerPolicy => "CloudWatchAgentServerPolicy",
        }
    }

    /// The IAM path between `policy/` and the name (empty, or `service-role/`).
    pub const fn path(self) -> &'static str {
        match self {
            AwsManagedPolicy::AmazonEBSCSIDriverPolicy => "service-role/",
            _ => "",
        }
    }

    /// The ARN, partition-aware.
    pub fn arn(self) -> Expr {
        Expr::sub(format!(
            "arn:${{AWS::Partition}}:iam::aws:policy/{}{}",
            self.path(),
            self.name()
        ))
    }
}
