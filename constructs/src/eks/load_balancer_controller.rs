//! [`LoadBalancerControllerIdentity`]: the IAM role and policy of the AWS Load Balancer
//! Controller, bound to its service account through EKS Pod Identity.

use crate::core::{Error, Expr, Scope};
use crate::iam::{
    ConditionOperator, Policy, PolicyDocument, PolicyHandle, PolicyProps, Principal, Role,
    RoleHandle, RoleProps, Statement,
};

use super::cluster::ClusterHandle;
use super::pod_identity_association::{
    PodIdentityAssociation, PodIdentityAssociationHandle, PodIdentityAssociationProps,
};

/// Which permissions the controller gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadBalancerControllerPolicy {
    /// The full AWS-published controller policy (Ingress, Service and TargetGroupBinding
    /// reconciliation, creating load balancers). The default.
    #[default]
    Full,
    /// Only what `TargetGroupBinding` to target groups created by CloudFormation needs:
    /// describe, register/deregister targets, modify target groups, and manage the
    /// security-group ingress rules the binding's `networking` section asks for.
    TargetGroupBindingOnly,
}

/// Optional settings of a [`LoadBalancerControllerIdentity`].
#[derive(Debug, Clone, PartialEq)]
pub struct LoadBalancerControllerProps {
    /// Default: [`LoadBalancerControllerPolicy::Full`].
    pub policy: LoadBalancerControllerPolicy,
    /// Namespace of the controller. Default: `kube-system`.
    pub namespace: String,
    /// Service account of the controller (Helm `serviceAccount.name`). Default:
    /// `aws-load-balancer-controller`.
    pub service_account: String,
    /// Logical id of the `eks-pod-identity-agent` add-on to wait for. Default: none.
    pub pod_identity_agent: Option<String>,
}

impl Default for LoadBalancerControllerProps {
    fn default() -> Self {
        LoadBalancerControllerProps {
            policy: LoadBalancerControllerPolicy::Full,
            namespace: "kube-system".into(),
            service_account: "aws-load-balancer-controller".into(),
            pod_identity_agent: None,
        }
    }
}

/// What [`LoadBalancerControllerIdentity::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadBalancerControllerHandle {
    /// The controller's role (trusts Pod Identity).
    pub role: RoleHandle,
    /// The `AWS::IAM::Policy` with the controller's permissions.
    pub policy: PolicyHandle,
    /// The Pod Identity association.
    pub association: PodIdentityAssociationHandle,
}

/// The AWS Load Balancer Controller's identity: role + policy + Pod Identity association.
/// No Lambda and no custom resource: install the controller with Helm
/// (`serviceAccount.create=false`) after the stack.
///
/// CloudFormation: [`AWS::IAM::Role`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html),
/// [`AWS::IAM::Policy`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-policy.html),
/// [`AWS::EKS::PodIdentityAssociation`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-podidentityassociation.html).
pub struct LoadBalancerControllerIdentity;

impl LoadBalancerControllerIdentity {
    /// Adds the identity as `scope/id` for `cluster` (refused under Auto Mode, which ships its
    /// own controller).
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        cluster: &ClusterHandle,
        props: LoadBalancerControllerProps,
    ) -> Result<LoadBalancerControllerHandle, Error> {
        let mut s = scope.child(id)?;
        if cluster.auto_mode {
            return Err(s.error(
                "EKS Auto Mode ships its own load balancer controller (eks.amazonaws.com/v1 TargetGroupBinding); do not install the self-managed one",
            ));
        }
        let role = Role::new(
            &mut s,
            "Role",
            Principal::PodIdentity,
            RoleProps {
                description: Some(format!(
                    "aws-load-balancer-controller ({}/{}) via EKS Pod Identity",
                    props.namespace, props.service_account
                )),
                ..RoleProps::default()
            },
        )?;
        let doc = match props.policy {
            LoadBalancerControllerPolicy::Full => full_policy(),
            LoadBalancerControllerPolicy::TargetGroupBindingOnly => target_group_binding_policy(),
        };
        let policy = Policy::new(
            &mut s,
            "Policy",
            doc,
            &[&role],
            PolicyProps {
                policy_name: Some("aws-load-balancer-controller".into()),
            },
        )?;
        if props.policy == LoadBalancerControllerPolicy::Full {
            let missing = s.error("policy was not added");
            s.stack().entry_mut(policy.logical_id()).ok_or(missing)?.add_checkov_skip(
                "CKV_AWS_111",
                "AWS-published AWS Load Balancer Controller policy: write actions on * are scoped by elbv2.k8s.aws/cluster tag conditions where the API allows it.",
            );
        }
        let association = PodIdentityAssociation::new(
            &mut s,
            "PodIdentity",
            cluster,
            &props.namespace,
            &props.service_account,
            &role,
            PodIdentityAssociationProps {
                depends_on: props.pod_identity_agent.iter().cloned().collect(),
            },
        )?;
        Ok(LoadBalancerControllerHandle {
            role,
            policy,
            association,
        })
    }
}

fn sub(s: &str) -> Expr {
    Expr::sub(s)
}

const DESCRIBE: [&str; 29] = [
    "ec2:DescribeAccountAttributes",
    "ec2:DescribeAddresses",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeVpcs",
    "ec2:DescribeVpcPeeringConnections",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeInstances",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeTags",
    "ec2:GetCoipPoolUsage",
    "ec2:DescribeCoipPools",
    "ec2:GetSecurityGroupsForVpc",
    "ec2:DescribeIpamPools",
    "ec2:DescribeRouteTables",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeListenerCertificates",
    "elasticloadbalancing:DescribeSSLPolicies",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTrustStores",
    "elasticloadbalancing:DescribeListenerAttributes",
    "elasticloadbalancing:DescribeCapacityReservation",
];

/// The AWS Load Balancer Controller IAM policy (`docs/install/iam_policy.json`, v3.5.0 per
/// FACTS §4.4), partition-aware, as a typed document.
pub fn full_policy() -> PolicyDocument {
    use ConditionOperator::{Null, StringEquals};
    PolicyDocument::new(vec![
        Statement::allow_all_resources(["iam:CreateServiceLinkedRole"])
            .with_sid("CreateServiceLinkedRole")
            .with_condition(
                StringEquals,
                "iam:AWSServiceName",
                "elasticloadbalancing.amazonaws.com",
            ),
        Statement::allow_all_resources(DESCRIBE).with_sid("Describe"),
        Statement::allow_all_resources([
            "cognito-idp:DescribeUserPoolClient",
            "acm:ListCertificates",
            "acm:DescribeCertificate",
            "iam:ListServerCertificates",
            "iam:GetServerCertificate",
            "waf-regional:GetWebACL",
            "waf-regional:GetWebACLForResource",
            "waf-regional:AssociateWebACL",
            "waf-regional:DisassociateWebACL",
            "wafv2:GetWebACL",
            "wafv2:GetWebACLForResource",
            "wafv2:AssociateWebACL",
            "wafv2:DisassociateWebACL",
            "shield:GetSubscriptionState",
            "shield:DescribeProtection",
            "shield:CreateProtection",
            "shield:DeleteProtection",
        ])
        .with_sid("EdgeServicesRead"),
        Statement::allow_all_resources([
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupIngress",
        ])
        .with_sid("SecurityGroupRules"),
        Statement::allow_all_resources(["ec2:CreateSecurityGroup"]).with_sid("CreateSecurityGroup"),
        Statement::allow(
            ["ec2:CreateTags"],
            vec![sub("arn:${AWS::Partition}:ec2:*:*:security-group/*")],
        )
        .with_sid("TagOnCreate")
        .with_condition(StringEquals, "ec2:CreateAction", "CreateSecurityGroup")
        .with_condition(Null, "aws:RequestTag/elbv2.k8s.aws/cluster", "false"),
        Statement::allow_all_resources([
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:DeleteSecurityGroup",
        ])
        .with_sid("ManageControllerSecurityGroups")
        .with_condition(Null, "aws:ResourceTag/elbv2.k8s.aws/cluster", "false"),
        Statement::allow_all_resources([
            "elasticloadbalancing:CreateLoadBalancer",
            "elasticloadbalancing:CreateTargetGroup",
        ])
        .with_sid("CreateLoadBalancers")
        .with_condition(Null, "aws:RequestTag/elbv2.k8s.aws/cluster", "false"),
        Statement::allow_all_resources([
            "elasticloadbalancing:CreateListener",
            "elasticloadbalancing:DeleteListener",
            "elasticloadbalancing:CreateRule",
            "elasticloadbalancing:DeleteRule",
        ])
        .with_sid("ListenersAndRules"),
        Statement::allow_all_resources([
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
            "elasticloadbalancing:SetIpAddressType",
            "elasticloadbalancing:SetSecurityGroups",
            "elasticloadbalancing:SetSubnets",
            "elasticloadbalancing:DeleteLoadBalancer",
            "elasticloadbalancing:ModifyTargetGroup",
            "elasticloadbalancing:ModifyTargetGroupAttributes",
            "elasticloadbalancing:DeleteTargetGroup",
            "elasticloadbalancing:ModifyListenerAttributes",
            "elasticloadbalancing:ModifyCapacityReservation",
            "elasticloadbalancing:ModifyIpPools",
            "elasticloadbalancing:AddTags",
            "elasticloadbalancing:RemoveTags",
        ])
        .with_sid("ManageControllerLoadBalancers")
        .with_condition(Null, "aws:ResourceTag/elbv2.k8s.aws/cluster", "false"),
        Statement::allow(
            [
                "elasticloadbalancing:RegisterTargets",
                "elasticloadbalancing:DeregisterTargets",
            ],
            vec![sub(
                "arn:${AWS::Partition}:elasticloadbalancing:*:*:targetgroup/*/*",
            )],
        )
        .with_sid("RegisterTargets"),
        Statement::allow_all_resources([
            "elasticloadbalancing:SetWebAcl",
            "elasticloadbalancing:ModifyListener",
            "elasticloadbalancing:AddListenerCertificates",
            "elasticloadbalancing:RemoveListenerCertificates",
            "elasticloadbalancing:ModifyRule",
            "elasticloadbalancing:SetRulePriorities",
        ])
        .with_sid("ModifyListenersAndRules"),
    ])
}

/// The minimal policy for `TargetGroupBinding` only (installation.md, "only use
/// TargetGroupBinding"), plus ingress-rule management on security groups for the binding's
/// `networking` section.
pub fn target_group_binding_policy() -> PolicyDocument {
    PolicyDocument::new(vec![
        Statement::allow_all_resources([
            "ec2:DescribeVpcs",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeInstances",
            "ec2:DescribeNetworkInterfaces",
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetHealth",
        ])
        .with_sid("Describe"),
        Statement::allow(
            [
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:RegisterTargets",
                "elasticloadbalancing:DeregisterTargets",
            ],
            vec![sub("arn:${AWS::Partition}:elasticloadbalancing:${AWS::Region}:${AWS::AccountId}:targetgroup/*/*")],
        )
        .with_sid("Targets"),
        Statement::allow(
            ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            vec![sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/*")],
        )
        .with_sid("SecurityGroupIngress"),
    ])
}
