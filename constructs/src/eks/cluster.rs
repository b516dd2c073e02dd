//! [`Cluster`]: an EKS control plane with API authentication, full control-plane logging,
//! KMS secrets encryption and, optionally, EKS Auto Mode.

use crate::core::{Attr, Error, Expr, Scope, Val, list};
use crate::ec2::{SecurityGroupHandle, SecurityGroupId, SubnetHandle};
use crate::iam::{
    AwsManagedPolicy, PolicyDocument, Principal, Role, RoleHandle, RoleProps, Statement,
};
use crate::kms::{KeyArn, KeyHandle};
use crate::l1::eks::cluster as l1;
use crate::logs::{LogGroup, LogGroupHandle, LogGroupProps};

/// The Kubernetes version clusters get unless told otherwise. 1.35 (released by EKS in early
/// 2026) is in EKS standard support through late 2026/early 2027, so a new cluster does not
/// start on extended-support pricing. Bump it when EKS releases a newer version.
pub const DEFAULT_KUBERNETES_VERSION: &str = "1.35";

/// Who can reach the Kubernetes API endpoint.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum EndpointAccess {
    /// Only from inside the VPC (nodes, bastions, VPN). The default.
    #[default]
    Private,
    /// From the VPC and from these public CIDRs (at least one; `0.0.0.0/0` means everyone).
    PublicAndPrivate(Vec<String>),
    /// Only from these public CIDRs (nodes then reach the API over NAT).
    Public(Vec<String>),
}

/// A built-in EKS Auto Mode node pool (names are case-sensitive in the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodePool {
    /// `general-purpose`
    GeneralPurpose,
    /// `system` (critical add-ons, tainted `CriticalAddonsOnly`)
    System,
}

impl NodePool {
    /// The exact API string.
    pub const fn as_str(self) -> &'static str {
        match self {
            NodePool::GeneralPurpose => "general-purpose",
            NodePool::System => "system",
        }
    }
}

/// EKS Auto Mode settings: compute, block storage and load balancing managed by EKS, enabled
/// together as the API requires.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoMode {
    /// Built-in node pools. Default: `[general-purpose, system]`.
    pub node_pools: Vec<NodePool>,
}

impl Default for AutoMode {
    fn default() -> Self {
        AutoMode {
            node_pools: vec![NodePool::GeneralPurpose, NodePool::System],
        }
    }
}

/// Optional settings of a [`Cluster`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterProps {
    /// Cluster name (1–100 letters, digits, `-`, `_`; changing it replaces the cluster).
    /// Default: `${AWS::StackName}-<id in kebab case>`.
    pub name: Option<String>,
    /// Kubernetes version `1.NN`. Default: [`DEFAULT_KUBERNETES_VERSION`].
    pub version: String,
    /// Default: [`EndpointAccess::Private`].
    pub endpoint_access: EndpointAccess,
    /// Give the identity that creates the stack cluster-admin through an access entry
    /// (replacement on change). Default: true; set false and add an
    /// [`AccessEntry`](super::AccessEntry) for pipelines whose role should not stay admin.
    pub bootstrap_cluster_creator_admin: bool,
    /// Turn on EKS Auto Mode. Default: `None` (bring your own [`Nodegroup`](super::Nodegroup)).
    pub auto_mode: Option<AutoMode>,
    /// Let EKS install unmanaged `vpc-cni`, `coredns` and `kube-proxy` at creation
    /// (replacement on change). Default: `None`, which means false under Auto Mode (it runs them
    /// itself) and the CloudFormation default (true) otherwise.
    pub bootstrap_self_managed_addons: Option<bool>,
    /// Retention of the control-plane log group `/aws/eks/<name>/cluster`. Default: 365.
    pub log_retention_days: u32,
    /// KMS key for the control-plane log group (its policy must grant CloudWatch Logs).
    /// Default: none.
    pub log_kms_key: Option<Attr<KeyArn>>,
    /// Service CIDR (`/12`–`/24` in 10/8, 172.16/12 or 192.168/16). Default: EKS picks one.
    pub service_ipv4_cidr: Option<String>,
    /// Extra security groups for the control-plane ENIs (≤5). Default: none.
    pub security_group_ids: Vec<Attr<SecurityGroupId>>,
    /// Block cluster deletion until turned off. Default: false.
    pub deletion_protection: bool,
    /// Stay on standard support: the cluster is upgraded automatically when its version's
    /// standard support ends instead of moving to paid extended support. Default: true.
    pub standard_support_only: bool,
}

impl Default for ClusterProps {
    fn default() -> Self {
        ClusterProps {
            name: None,
            version: DEFAULT_KUBERNETES_VERSION.to_owned(),
            endpoint_access: EndpointAccess::Private,
            bootstrap_cluster_creator_admin: true,
            auto_mode: None,
            bootstrap_self_managed_addons: None,
            log_retention_days: 365,
            log_kms_key: None,
            service_ipv4_cidr: None,
            security_group_ids: Vec::new(),
            deletion_protection: false,
            standard_support_only: true,
        }
    }
}

/// What an imported cluster needs besides its name (see [`Cluster::import`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterImport {
    /// The cluster security group id (`sg-…`).
    pub security_group_id: String,
    /// Whether the cluster runs EKS Auto Mode (its own load balancing and networking add-ons).
    pub auto_mode: bool,
}

/// Marker for an EKS cluster name.
pub enum ClusterName {}

/// What [`Cluster::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`); `None` when imported.
    pub resource: Option<crate::core::ResourceRef<l1::Cluster>>,
    /// `Ref`: the cluster name.
    pub name: Attr<ClusterName>,
    /// `Fn::GetAtt Arn`.
    pub arn: Attr<l1::attr::Arn>,
    /// `Fn::GetAtt Endpoint` (`None` for an imported cluster).
    pub endpoint: Option<Attr<l1::attr::Endpoint>>,
    /// `Fn::GetAtt CertificateAuthorityData` (`None` for an imported cluster).
    pub certificate_authority_data: Option<Attr<l1::attr::CertificateAuthorityData>>,
    /// `Fn::GetAtt OpenIdConnectIssuerUrl` (`None` for an imported cluster).
    pub oidc_issuer_url: Option<Attr<l1::attr::OpenIdConnectIssuerUrl>>,
    /// The cluster security group EKS creates (`Fn::GetAtt ClusterSecurityGroupId`); managed
    /// nodes and pods use it, so ALB → pod rules go here.
    pub security_group: SecurityGroupHandle,
    /// The control-plane role (`None` for an imported cluster).
    pub role: Option<RoleHandle>,
    /// The Auto Mode node role, when Auto Mode is on.
    pub auto_mode_node_role: Option<RoleHandle>,
    /// The control-plane log group (`None` for an imported cluster).
    pub log_group: Option<LogGroupHandle>,
    /// Whether Auto Mode is on.
    pub auto_mode: bool,
    /// Construct path (for errors raised by constructs that use the cluster).
    pub path: String,
}

crate::l1_handle!(imported ClusterHandle, l1::Cluster);

/// An EKS cluster: `AuthenticationMode: API` (access entries, never the `aws-auth` ConfigMap),
/// all five control-plane log types into a retained log group, envelope encryption of secrets
/// with a KMS key, private endpoint by default, optional Auto Mode.
///
/// CloudFormation: [`AWS::EKS::Cluster`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-cluster.html).
///
/// ```
/// use formwork_constructs::core::{Env, Stack};
/// use formwork_constructs::ec2::{Vpc, VpcProps};
/// use formwork_constructs::eks::{Cluster, ClusterProps};
/// use formwork_constructs::kms::{Key, KeyProps};
/// let mut stack = Stack::new("Eks", Env::region("eu-west-1")).unwrap();
/// let mut root = stack.root();
/// let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default()).unwrap();
/// let key = Key::new(&mut root, "Key", KeyProps::default()).unwrap();
/// let cluster = Cluster::new(&mut root, "Cluster", &vpc.private_subnets, &key, ClusterProps::default()).unwrap();
/// assert_eq!(cluster.logical_id(), Some("Cluster"));
/// ```
pub struct Cluster;

impl Cluster {
    /// An existing EKS cluster in the stack's account and Region, by name, to add add-ons,
    /// access entries, node groups, Pod Identity associations and the Load Balancer
    /// Controller's identity to. `import.security_group_id` is the cluster security group
    /// (`aws eks describe-cluster --name <name> --query cluster.resourcesVpcConfig.clusterSecurityGroupId`),
    /// which load balancer → pod rules open. Creates nothing.
    pub fn import(name: &str, import: ClusterImport) -> Result<ClusterHandle, Error> {
        let path = format!("imported cluster {name}");
        let ok = !name.is_empty()
            && name.len() <= 100
            && name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            return Err(Error::Construct {
                path,
                message: format!(
                    "`{name}` is not an EKS cluster name (1–100 letters, digits, `-` and `_`, starting with a letter or digit)"
                ),
            });
        }
        let security_group = crate::ec2::SecurityGroup::import(&import.security_group_id)?;
        Ok(ClusterHandle {
            resource: None,
            name: Attr::new(Expr::str(name)),
            arn: Attr::new(Expr::sub(format!(
                "arn:${{AWS::Partition}}:eks:${{AWS::Region}}:${{AWS::AccountId}}:cluster/{name}"
            ))),
            endpoint: None,
            certificate_authority_data: None,
            oidc_issuer_url: None,
            security_group,
            role: None,
            auto_mode_node_role: None,
            log_group: None,
            auto_mode: import.auto_mode,
            path,
        })
    }

    /// Adds the cluster, its role(s) and its log group as `scope/id`, in `subnets` (≥2, in
    /// different AZs), encrypting Kubernetes secrets with `secrets_key`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        subnets: &[SubnetHandle],
        secrets_key: &KeyHandle,
        props: ClusterProps,
    ) -> Result<ClusterHandle, Error> {
        let mut s = scope.child(id)?;
        let endpoint = check_props(&s, subnets, &props)?;
        let (name_expr, log_group) = name_and_logs(&mut s, id, &props)?;
        let auto = props.auto_mode.is_some();
        let (role, node_role) = roles(&mut s, secrets_key, auto)?;
        let (mut cluster, mut network) =
            cluster_l1(name_expr, subnets, secrets_key, &props, endpoint, &role);
        if let (Some(a), Some(nr)) = (&props.auto_mode, &node_role) {
            cluster.compute_config = Some(
                l1::ComputeConfig {
                    enabled: Some(true.into()),
                    node_pools: Some(list(a.node_pools.iter().map(|p| p.as_str()))),
                    node_role_arn: Some((&nr.arn).into()),
                }
                .into(),
            );
            network.elastic_load_balancing = Some(
                l1::ElasticLoadBalancing {
                    enabled: Some(true.into()),
                }
                .into(),
            );
            cluster.storage_config = Some(
                l1::StorageConfig {
                    block_storage: Some(
                        l1::BlockStorage {
                            enabled: Some(true.into()),
                        }
                        .into(),
                    ),
                }
                .into(),
            );
            cluster.bootstrap_self_managed_addons = Some(false.into());
        } else if let Some(b) = props.bootstrap_self_managed_addons {
            cluster.bootstrap_self_managed_addons = Some(b.into());
        }
        cluster.kubernetes_network_config = Some(network.into());
        let c = s.add("Resource", cluster)?;
        s.entry_mut(&c)
            .add_depends_on(log_group.logical_id().to_owned());
        Ok(ClusterHandle {
            resource: Some(c.clone()),
            name: c.ref_().cast(),
            arn: c.attr_arn(),
            endpoint: Some(c.attr_endpoint()),
            certificate_authority_data: Some(c.attr_certificate_authority_data()),
            oidc_issuer_url: Some(c.attr_open_id_connect_issuer_url()),
            security_group: SecurityGroupHandle {
                resource: None,
                id: c.attr_cluster_security_group_id().cast(),
            },
            role: Some(role),
            auto_mode_node_role: node_role,
            log_group: Some(log_group),
            auto_mode: auto,
            path: s.full_path(),
        })
    }
}

/// Whether the endpoint is public and private, and the CIDRs allowed to the public one.
type EndpointSettings = (bool, bool, Vec<String>);

/// Refuses what EKS would reject: fewer than 2 subnets, a bad version or name, a public endpoint
/// open to no one, too many security groups, Auto Mode with self-managed add-ons or no pool.
fn check_props(
    s: &Scope<'_>,
    subnets: &[SubnetHandle],
    props: &ClusterProps,
) -> Result<EndpointSettings, Error> {
    if subnets.len() < 2 {
        return Err(s.error(format!(
            "an EKS cluster needs at least 2 subnets in different AZs, got {}",
            subnets.len()
        )));
    }
    if !valid_version(&props.version) {
        return Err(s.error(format!(
            "version `{}` must look like `1.NN` (e.g. {DEFAULT_KUBERNETES_VERSION})",
            props.version
        )));
    }
    if let Some(n) = &props.name
        && !valid_cluster_name(n)
    {
        return Err(s.error(format!(
            "cluster name `{n}` must be 1–100 characters: a letter or digit, then letters, digits, `-` and `_`"
        )));
    }
    let (public, private, cidrs) = match &props.endpoint_access {
        EndpointAccess::Private => (false, true, Vec::new()),
        EndpointAccess::PublicAndPrivate(c) => (true, true, c.clone()),
        EndpointAccess::Public(c) => (true, false, c.clone()),
    };
    if public && cidrs.is_empty() {
        return Err(s.error("a public endpoint needs at least one allowed CIDR (use 0.0.0.0/0 explicitly to open it)"));
    }
    if props.security_group_ids.len() > 5 {
        return Err(s.error("at most 5 extra security groups"));
    }
    if props.auto_mode.is_some() && props.bootstrap_self_managed_addons == Some(true) {
        return Err(s.error("Auto Mode runs vpc-cni, coredns and kube-proxy itself: bootstrap_self_managed_addons must be false"));
    }
    if let Some(a) = &props.auto_mode {
        if a.node_pools.is_empty() {
            return Err(s.error(
                "Auto Mode needs at least one built-in node pool (general-purpose or system)",
            ));
        }
        if a.node_pools.len() == 2 && a.node_pools[0] == a.node_pools[1] {
            return Err(s.error("node pools must be distinct"));
        }
    }
    Ok((public, private, cidrs))
}

/// The cluster's name (given, or from the stack name) and its control-plane log group.
fn name_and_logs(
    s: &mut Scope<'_>,
    id: &str,
    props: &ClusterProps,
) -> Result<(Expr, LogGroupHandle), Error> {
    let name_expr: Expr = match &props.name {
        Some(n) => Expr::str(n.clone()),
        None => Expr::sub(format!("${{AWS::StackName}}-{}", kebab(id))),
    };
    let log_name: Expr = match &props.name {
        Some(n) => Expr::str(format!("/aws/eks/{n}/cluster")),
        None => Expr::sub(format!(
            "/aws/eks/${{AWS::StackName}}-{}/cluster",
            kebab(id)
        )),
    };
    let log_group = LogGroup::new(
        s,
        "ControlPlaneLogs",
        LogGroupProps {
            log_group_name: Some(log_name.into()),
            retention_days: props.log_retention_days,
            kms_key: props.log_kms_key.clone(),
            ..LogGroupProps::default()
        },
    )?;
    Ok((name_expr, log_group))
}

/// The control plane's role (secrets encryption with `secrets_key`; Auto Mode's policies) and,
/// in Auto Mode, the nodes' role.
fn roles(
    s: &mut Scope<'_>,
    secrets_key: &KeyHandle,
    auto: bool,
) -> Result<(RoleHandle, Option<RoleHandle>), Error> {
    let mut managed = vec![AwsManagedPolicy::AmazonEKSClusterPolicy];
    if auto {
        managed.extend([
            AwsManagedPolicy::AmazonEKSComputePolicy,
            AwsManagedPolicy::AmazonEKSBlockStoragePolicy,
            AwsManagedPolicy::AmazonEKSLoadBalancingPolicy,
            AwsManagedPolicy::AmazonEKSNetworkingPolicy,
        ]);
    }
    let kms_doc = PolicyDocument::new(vec![Statement::allow(
        [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:ListGrants",
            "kms:CreateGrant",
        ],
        vec![secrets_key.arn.clone().into_expr()],
    )]);
    let role = Role::new(
        s,
        "Role",
        Principal::Service("eks.amazonaws.com"),
        RoleProps {
            description: Some("EKS control plane".into()),
            managed_policies: managed,
            inline_policies: vec![("secrets-encryption".into(), kms_doc)],
            tag_session: auto,
            ..RoleProps::default()
        },
    )?;
    let node_role = if auto {
        Some(Role::new(
            s,
            "NodeRole",
            Principal::Service("ec2.amazonaws.com"),
            RoleProps {
                description: Some("EKS Auto Mode nodes".into()),
                managed_policies: vec![
                    AwsManagedPolicy::AmazonEKSWorkerNodeMinimalPolicy,
                    AwsManagedPolicy::AmazonEC2ContainerRegistryPullOnly,
                ],
                ..RoleProps::default()
            },
        )?)
    } else {
        None
    };
    Ok((role, node_role))
}

/// The L1 cluster (API authentication, every log type, secrets encryption, the upgrade policy)
/// and its network config, before Auto Mode's settings.
fn cluster_l1(
    name_expr: Expr,
    subnets: &[SubnetHandle],
    secrets_key: &KeyHandle,
    props: &ClusterProps,
    (public, private, cidrs): EndpointSettings,
    role: &RoleHandle,
) -> (l1::Cluster, l1::KubernetesNetworkConfig) {
    let log_types = [
        l1::LoggingTypeConfigType::Api,
        l1::LoggingTypeConfigType::Audit,
        l1::LoggingTypeConfigType::Authenticator,
        l1::LoggingTypeConfigType::ControllerManager,
        l1::LoggingTypeConfigType::Scheduler,
    ];
    let mut vpc_config = l1::ResourcesVpcConfig {
        endpoint_private_access: Some(private.into()),
        endpoint_public_access: Some(public.into()),
        public_access_cidrs: if public { Some(cidrs.into()) } else { None },
        ..l1::ResourcesVpcConfig::new(list(subnets.iter().map(|sn| Val::<String>::from(&sn.id))))
    };
    if !props.security_group_ids.is_empty() {
        vpc_config.security_group_ids = Some(list(
            props.security_group_ids.iter().map(Val::<String>::from),
        ));
    }
    let network = l1::KubernetesNetworkConfig {
        ip_family: Some(l1::IpFamily::Ipv4.into()),
        service_ipv4_cidr: props.service_ipv4_cidr.clone().map(Val::from),
        ..l1::KubernetesNetworkConfig::new()
    };
    let cluster = l1::Cluster {
        name: Some(name_expr.into()),
        version: Some(props.version.clone().into()),
        access_config: Some(
            l1::AccessConfig {
                authentication_mode: Some(l1::AuthenticationMode::Api.into()),
                bootstrap_cluster_creator_admin_permissions: Some(
                    props.bootstrap_cluster_creator_admin.into(),
                ),
            }
            .into(),
        ),
        logging: Some(
            l1::Logging {
                cluster_logging: Some(
                    l1::ClusterLogging {
                        enabled_types: Some(list(log_types.map(|t| l1::LoggingTypeConfig {
                            type_: Some(t.into()),
                        }))),
                    }
                    .into(),
                ),
            }
            .into(),
        ),
        encryption_config: Some(list([l1::EncryptionConfig {
            provider: Some(
                l1::Provider {
                    key_arn: Some((&secrets_key.arn).into()),
                }
                .into(),
            ),
            resources: Some(list(["secrets"])),
        }])),
        upgrade_policy: if props.standard_support_only {
            Some(
                l1::UpgradePolicy {
                    support_type: Some(l1::SupportType::Standard.into()),
                }
                .into(),
            )
        } else {
            None
        },
        deletion_protection: if props.deletion_protection {
            Some(true.into())
        } else {
            None
        },
        ..l1::Cluster::new(vpc_config, &role.arn)
    };
    (cluster, network)
}

fn valid_version(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 4 && b[0] == b'1' && b[1] == b'.' && b[2].is_ascii_digit() && b[3].is_ascii_digit()
}

fn valid_cluster_name(n: &str) -> bool {
    (1..=100).contains(&n.len())
        && n.starts_with(|c: char| c.is_ascii_alphanumeric())
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `GrpcCluster` → `grpc-cluster`.
pub(crate) fn kebab(id: &str) -> String {
    let mut out = String::new();
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
