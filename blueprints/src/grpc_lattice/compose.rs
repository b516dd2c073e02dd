//! The `grpc-lattice` stack: KMS key, VPC, EKS cluster, the service network with its VPC
//! association and auth policy, the Gateway API Controller's identity, and per service an ECR
//! repository and a caller identity.

use std::collections::{BTreeMap, BTreeSet};

use formwork_assembly::OutputRef;
use formwork_constructs::core::{
    App, Attr, Env, Error, Expr, Output, Parameter, Pseudo, Scope, Stack,
};
use formwork_constructs::ec2::{self, Peer, SecurityGroup, SecurityGroupProps, VpcHandle};
use formwork_constructs::ecr::{Repository, RepositoryProps};
use formwork_constructs::eks::{
    AddonHandle, ClusterHandle, PodIdentityAssociation, PodIdentityAssociationProps,
};
use formwork_constructs::iam::{
    ConditionOperator, Policy, PolicyDocument, PolicyProps, Principal, Role, RoleHandle, RoleProps,
    Statement,
};
use formwork_constructs::lattice::{
    AuthCondition, AuthPolicy, AuthPolicyDocument, AuthPrincipal, AuthStatement, AuthTarget,
    Effect, LatticeAuth, ServiceNetwork, ServiceNetworkHandle, ServiceNetworkProps, VpcAssociation,
};

use super::config::{AuthMode, LatticeConfig};
use super::{PREFIX_LIST_PARAMETER, hc_port};
use crate::common::pascal;
use crate::k8s::gateway::{CONTROLLER_NAMESPACE, CONTROLLER_SERVICE_ACCOUNT};
use crate::platform::{ClusterSpec, EksPlatform, admin_access_entries, eks_cluster, platform_key};

/// Adds an output and returns where it is, for the readers of the out dir.
fn out(
    st: &mut Stack,
    id: &str,
    value: impl Into<Expr>,
    description: impl Into<String>,
) -> Result<OutputRef, Error> {
    st.add_output(id, Output::new(value, description))?;
    Ok(OutputRef::new(st.name(), id))
}

/// The outputs the Kubernetes side and the runbook read, each named once, here.
pub(super) struct Published {
    /// The VPC id (the controller's `clusterVpcId`).
    pub vpc_id: OutputRef,
    /// The EKS cluster's name.
    pub cluster_name: OutputRef,
    /// The account id (the controller's `awsAccountId`).
    pub account_id: OutputRef,
    /// Per service name: its repository URI.
    pub repositories: BTreeMap<String, OutputRef>,
    /// Per service name: its IAM role's ARN (the principal callers' auth policies name).
    pub roles: BTreeMap<String, OutputRef>,
}

/// Names of the services that call at least one other service.
fn callers_of_anything(cfg: &LatticeConfig) -> BTreeSet<&str> {
    cfg.services
        .iter()
        .flat_map(|s| s.callers.iter().map(String::as_str))
        .collect()
}

/// The AWS Gateway API Controller's permissions (`files/controller-installation/recommended-inline-policy.json`
/// of aws/aws-application-networking-k8s), partition-aware.
pub fn gateway_controller_policy() -> PolicyDocument {
    use ConditionOperator::StringLike;
    PolicyDocument::new(vec![
        Statement::allow_all_resources([
            "vpc-lattice:*",
            "ec2:DescribeVpcs",
            "ec2:DescribeSubnets",
            "ec2:DescribeTags",
            "ec2:DescribeSecurityGroups",
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:DescribeLogGroups",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
            "tag:GetResources",
            "firehose:TagDeliveryStream",
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            "tag:TagResources",
            "tag:UntagResources",
        ])
        .with_sid("LatticeAndDiscovery"),
        Statement::allow(
            ["iam:CreateServiceLinkedRole"],
            vec![Expr::sub(
                "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/vpc-lattice.amazonaws.com/AWSServiceRoleForVpcLattice",
            )],
        )
        .with_sid("LatticeServiceLinkedRole")
        .with_condition(StringLike, "iam:AWSServiceName", "vpc-lattice.amazonaws.com"),
        Statement::allow(
            ["iam:CreateServiceLinkedRole"],
            vec![Expr::sub(
                "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/delivery.logs.amazonaws.com/AWSServiceRoleForLogDelivery",
            )],
        )
        .with_sid("LogDeliveryServiceLinkedRole")
        .with_condition(StringLike, "iam:AWSServiceName", "delivery.logs.amazonaws.com"),
    ])
}

pub(super) fn compose(
    app: &mut App,
    cfg: &LatticeConfig,
    cidr: ec2::Ipv4Cidr,
) -> Result<Published, Error> {
    let st = app.add_stack(&cfg.name, Env::region(&cfg.region))?;
    st.set_description(format!(
        "formwork grpc-lattice: {} — network, EKS cluster, VPC Lattice service network and service identities",
        cfg.name
    ));
    for (k, v) in &cfg.tags {
        st.add_tag(k, v);
    }
    let lattice_prefix_list = format!("com.amazonaws.{}.vpc-lattice", cfg.region);
    let prefix_list = ec2::prefix_list_parameter(
        st,
        PREFIX_LIST_PARAMETER,
        &lattice_prefix_list,
        Parameter::string(format!(
            "Id of the managed prefix list com.amazonaws.{}.vpc-lattice (aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.{}.vpc-lattice)",
            cfg.region, cfg.region
        ))
        .with_pattern("^pl-[0-9a-f]+$", "a prefix list id such as pl-0123456789abcdef0"),
    )?;
    let mut root = st.root();
    let key = platform_key(&mut root, &cfg.name)?;
    let EksPlatform {
        vpc,
        cluster,
        pod_identity_agent,
    } = eks_cluster(
        &mut root,
        cidr,
        &cfg.vpc,
        ClusterSpec {
            name: &cfg.name,
            version: &cfg.cluster.version,
            auto_mode: false,
            nodes: &cfg.cluster.nodes,
            public_access_cidrs: &cfg.cluster.public_access_cidrs,
        },
        &key,
    )?;
    let Some(agent) = pod_identity_agent else {
        return Err(root.error("internal error: managed nodes come with the Pod Identity agent"));
    };
    admin_access_entries(&mut root, &cluster, &cfg.cluster.admin_role_arns)?;

    let network = service_network(&mut root, cfg, &vpc)?;
    lattice_to_pods(&mut root, cfg, &cluster, &prefix_list)?;
    let ctl_role = gateway_controller_identity(&mut root, &cluster, &agent)?;
    let services = service_identities(&mut root, cfg, &cluster, &agent)?;
    let st = root.stack();
    publish(st, &vpc, &cluster, &network, &ctl_role, services)
}

/// The service network, named after the app (the Gateway of the same name maps to it), its
/// VPC association with a clients' security group, and (with IAM auth) the network's auth
/// policy.
fn service_network(
    root: &mut Scope<'_>,
    cfg: &LatticeConfig,
    vpc: &VpcHandle,
) -> Result<ServiceNetworkHandle, Error> {
    let iam = cfg.auth == AuthMode::AwsIam;
    // The service network, named after the app: the Gateway of the same name maps to it.
    let network = ServiceNetwork::new(
        root,
        "ServiceNetwork",
        ServiceNetworkProps {
            name: Some(cfg.name.clone()),
            auth: if iam {
                LatticeAuth::AwsIam
            } else {
                LatticeAuth::None
            },
        },
    )?;
    // Which clients in the VPC may send to the service network: HTTPS from the VPC.
    let clients = SecurityGroup::new(
        root,
        "LatticeClients",
        &vpc.id,
        "VPC Lattice service network association: HTTPS from clients in the VPC",
        SecurityGroupProps {
            egress: Vec::new(),
            restrict_egress: true,
        },
    )?;
    ec2::allow_ingress(
        root,
        "LatticeClientsHttps",
        &clients,
        Peer::Cidr(cfg.vpc.cidr.clone()),
        443,
        443,
        "HTTPS (gRPC) from clients in the VPC to the service network",
    )?;
    VpcAssociation::new(root, "VpcAssociation", &network, &vpc.id, &[&clients])?;
    if iam {
        // Network level: signed requests from this VPC. Each service's IAMAuthPolicy narrows
        // it to the service's callers.
        AuthPolicy::new(
            root,
            "ServiceNetworkAuthPolicy",
            AuthTarget::Network(&network),
            &AuthPolicyDocument {
                statements: vec![AuthStatement {
                    effect: Effect::Allow,
                    principal: AuthPrincipal::Any,
                    conditions: vec![
                        AuthCondition::Authenticated,
                        AuthCondition::SourceVpc(vpc.id.expr().clone().into()),
                    ],
                }],
            },
        )?;
    }
    Ok(network)
}

/// Ingress on the cluster security group from Lattice's managed prefix list, per pod port.
fn lattice_to_pods(
    root: &mut Scope<'_>,
    cfg: &LatticeConfig,
    cluster: &ClusterHandle,
    prefix_list: &Attr<ec2::PrefixListId>,
) -> Result<(), Error> {
    // Lattice reaches the pods (requests and health checks) from its managed prefix list.
    let mut ports: Vec<u16> = cfg
        .services
        .iter()
        .flat_map(|s| [s.port as u16, hc_port(s) as u16])
        .collect();
    ports.sort_unstable();
    ports.dedup();
    for p in ports {
        ec2::allow_ingress(
            root,
            &format!("PodsFromLattice{p}"),
            &cluster.security_group,
            Peer::PrefixList(prefix_list.clone()),
            p,
            p,
            &format!("VPC Lattice (requests and health checks) to pods on {p}"),
        )?;
    }

    Ok(())
}

/// The AWS Gateway API Controller's role, its AWS-published policy and its Pod Identity
/// association.
fn gateway_controller_identity(
    root: &mut Scope<'_>,
    cluster: &ClusterHandle,
    agent: &AddonHandle,
) -> Result<RoleHandle, Error> {
    // The AWS Gateway API Controller's identity.
    let mut ctl = root.child("GatewayApiController")?;
    let ctl_role = Role::new(
        &mut ctl,
        "Role",
        Principal::PodIdentity,
        RoleProps {
            description: Some(format!(
                "AWS Gateway API Controller for VPC Lattice ({CONTROLLER_NAMESPACE}/{CONTROLLER_SERVICE_ACCOUNT}) via EKS Pod Identity"
            )),
            ..RoleProps::default()
        },
    )?;
    let ctl_policy = Policy::new(
        &mut ctl,
        "Policy",
        gateway_controller_policy(),
        &[&ctl_role],
        PolicyProps {
            policy_name: Some("aws-gateway-api-controller".into()),
        },
    )?;
    {
        let missing = ctl.error("policy was not added");
        let entry = ctl
            .stack()
            .entry_mut(ctl_policy.logical_id())
            .ok_or(missing)?;
        for (id, why) in [
            (
                "CKV_AWS_111",
                "AWS-published AWS Gateway API Controller policy: the controller creates and deletes VPC Lattice services, listeners, rules, target groups and auth policies whose ids it cannot know in advance.",
            ),
            (
                "CKV_AWS_109",
                "AWS-published AWS Gateway API Controller policy: it writes auth policies (vpc-lattice:PutAuthPolicy) and log-delivery resource policies it manages.",
            ),
        ] {
            entry.add_checkov_skip(id, why);
        }
    }
    PodIdentityAssociation::new(
        &mut ctl,
        "PodIdentity",
        cluster,
        CONTROLLER_NAMESPACE,
        CONTROLLER_SERVICE_ACCOUNT,
        &ctl_role,
        PodIdentityAssociationProps {
            depends_on: vec![agent.logical_id().to_owned()],
        },
    )?;

    Ok(ctl_role)
}

/// What each service's identity publishes: `(service, repository output, role output)`.
type ServiceOutputs = Vec<(String, String, Output, String, Output)>;

/// Per service: its ECR repository, its Pod Identity role and, for callers, the right to
/// invoke Lattice services.
fn service_identities(
    root: &mut Scope<'_>,
    cfg: &LatticeConfig,
    cluster: &ClusterHandle,
    agent: &AddonHandle,
) -> Result<ServiceOutputs, Error> {
    let iam = cfg.auth == AuthMode::AwsIam;
    // Per service: repository, identity, and for callers the right to invoke Lattice services.
    let callers = callers_of_anything(cfg);
    let mut outputs = Vec::new();
    for svc in &cfg.services {
        let id = pascal(&svc.name);
        let mut s = root.child(&id)?;
        let repo = Repository::new(
            &mut s,
            "Repository",
            RepositoryProps {
                repository_name: Some(format!("{}/{}", cfg.name, svc.name)),
                ..RepositoryProps::default()
            },
        )?;
        let role = Role::new(
            &mut s,
            "Role",
            Principal::PodIdentity,
            RoleProps {
                description: Some(format!(
                    "gRPC service {} ({}/{}) via EKS Pod Identity",
                    svc.name, svc.name, svc.name
                )),
                ..RoleProps::default()
            },
        )?;
        if iam && callers.contains(svc.name.as_str()) {
            // Lattice authorizes a call only when both the callee's auth policy and the
            // caller's identity policy allow it. The callees' service ids are the controller's,
            // so the resource is every Lattice service of this account and Region; the auth
            // policies decide who reaches what.
            Policy::new(
                &mut s,
                "InvokePolicy",
                PolicyDocument::new(vec![
                    Statement::allow(
                        ["vpc-lattice-svcs:Invoke"],
                        vec![Expr::sub(
                            "arn:${AWS::Partition}:vpc-lattice:${AWS::Region}:${AWS::AccountId}:service/*",
                        )],
                    )
                    .with_sid("InvokeLatticeServices"),
                ]),
                &[&role],
                PolicyProps {
                    policy_name: Some("invoke-lattice-services".into()),
                },
            )?;
        }
        PodIdentityAssociation::new(
            &mut s,
            "PodIdentity",
            cluster,
            &svc.name,
            &svc.name,
            &role,
            PodIdentityAssociationProps {
                depends_on: vec![agent.logical_id().to_owned()],
            },
        )?;
        outputs.push((
            svc.name.clone(),
            format!("{id}RepositoryUri"),
            Output::new(repo.uri.clone(), format!("ECR repository of {}", svc.name)),
            format!("{id}RoleArn"),
            Output::new(
                role.arn.clone(),
                format!("IAM role of {} (Pod Identity; principal in the auth policies of the services it calls)", svc.name),
            ),
        ));
    }
    Ok(outputs)
}

/// The stack's outputs; returns those the Kubernetes side reads.
fn publish(
    st: &mut Stack,
    vpc: &VpcHandle,
    cluster: &ClusterHandle,
    network: &ServiceNetworkHandle,
    ctl_role: &RoleHandle,
    services: ServiceOutputs,
) -> Result<Published, Error> {
    let mut repositories = BTreeMap::new();
    let mut roles = BTreeMap::new();
    let vpc_id = out(
        st,
        "VpcId",
        vpc.id.clone(),
        "VPC id (Gateway API Controller: clusterVpcId)",
    )?;
    let cluster_name = out(
        st,
        "ClusterName",
        cluster.name.clone(),
        "EKS cluster name (aws eks update-kubeconfig --name)",
    )?;
    let account_id = out(
        st,
        "AccountId",
        Expr::Pseudo(Pseudo::AccountId),
        "Account id (Gateway API Controller: awsAccountId)",
    )?;
    out(
        st,
        "ClusterSecurityGroupId",
        cluster.security_group.id.clone(),
        "Cluster security group (pods; admits VPC Lattice from its prefix list)",
    )?;
    out(
        st,
        "ServiceNetworkId",
        network.id.clone(),
        "VPC Lattice service network id",
    )?;
    out(
        st,
        "ServiceNetworkArn",
        network.arn.clone(),
        "VPC Lattice service network ARN",
    )?;
    out(
        st,
        "GatewayApiControllerRoleArn",
        ctl_role.arn.clone(),
        "IAM role of the AWS Gateway API Controller (Pod Identity)",
    )?;
    for (name, repo_id, repo, role_id, role) in services {
        st.add_output(&repo_id, repo)?;
        repositories.insert(name.clone(), OutputRef::new(st.name(), repo_id));
        st.add_output(&role_id, role)?;
        roles.insert(name, OutputRef::new(st.name(), role_id));
    }
    Ok(Published {
        vpc_id,
        cluster_name,
        account_id,
        repositories,
        roles,
    })
}
