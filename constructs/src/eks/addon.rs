//! [`Addon`]: an EKS managed add-on, optionally with Pod Identity associations.

use crate::core::{Attr, Error, Scope, Val, list};
use crate::iam::{AwsManagedPolicy, Principal, Role, RoleHandle, RoleProps};
use crate::l1::eks::addon as l1;

use super::cluster::ClusterHandle;
use super::pod_identity_association::valid_k8s_name;

/// EKS add-ons formwork knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddonName {
    /// `vpc-cni` (pod networking; give it the CNI policy through Pod Identity).
    VpcCni,
    /// `coredns` (needs running nodes).
    CoreDns,
    /// `kube-proxy`.
    KubeProxy,
    /// `eks-pod-identity-agent` (needed by every Pod Identity association).
    PodIdentityAgent,
    /// `metrics-server` (needed by the HorizontalPodAutoscaler; needs running nodes).
    MetricsServer,
    /// `aws-ebs-csi-driver`.
    EbsCsiDriver,
}

impl AddonName {
    /// The exact add-on name.
    pub const fn as_str(self) -> &'static str {
        match self {
            AddonName::VpcCni => "vpc-cni",
            AddonName::CoreDns => "coredns",
            AddonName::KubeProxy => "kube-proxy",
            AddonName::PodIdentityAgent => "eks-pod-identity-agent",
            AddonName::MetricsServer => "metrics-server",
            AddonName::EbsCsiDriver => "aws-ebs-csi-driver",
        }
    }

    /// Whether EKS Auto Mode already runs it (installing it again is refused).
    pub const fn built_into_auto_mode(self) -> bool {
        matches!(
            self,
            AddonName::VpcCni
                | AddonName::CoreDns
                | AddonName::KubeProxy
                | AddonName::PodIdentityAgent
                | AddonName::EbsCsiDriver
        )
    }
}

/// A Pod Identity association declared on the add-on (`PodIdentityAssociations`).
#[derive(Debug, Clone, PartialEq)]
pub struct AddonPodIdentity {
    /// The add-on's service account, e.g. `aws-node` for `vpc-cni`.
    pub service_account: String,
    /// The role it assumes (trusting [`Principal::PodIdentity`]).
    pub role: RoleHandle,
}

/// Optional settings of an [`Addon`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AddonProps {
    /// Add-on version (`v1.19.0-eksbuild.1`). Default: EKS's default for the cluster version.
    pub version: Option<String>,
    /// Pod Identity associations. Default: none.
    pub pod_identities: Vec<AddonPodIdentity>,
    /// Keep the add-on's software in the cluster when the resource is deleted. Default: false.
    pub preserve_on_delete: bool,
    /// Logical ids to wait for (e.g. the node group for `coredns`). Default: none.
    pub depends_on: Vec<String>,
}

/// What [`Addon::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct AddonHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::Addon>,
    /// `Fn::GetAtt Arn`.
    pub arn: Attr<l1::attr::Arn>,
    /// Roles created for the add-on (see [`Addon::vpc_cni`]).
    pub roles: Vec<RoleHandle>,
}

crate::l1_handle!(AddonHandle, l1::Addon);

/// An EKS add-on with `ResolveConflicts: OVERWRITE`, so EKS takes over settings from
/// self-managed copies installed at cluster creation.
///
/// CloudFormation: [`AWS::EKS::Addon`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-addon.html).
pub struct Addon;

impl Addon {
    /// Adds add-on `name` to `cluster` as `scope/id`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        cluster: &ClusterHandle,
        name: AddonName,
        props: AddonProps,
    ) -> Result<AddonHandle, Error> {
        let mut s = scope.child(id)?;
        Self::add(&mut s, cluster, name, props, Vec::new())
    }

    /// Adds `vpc-cni` as `scope/id` with a role holding `AmazonEKS_CNI_Policy` bound to
    /// `kube-system/aws-node` through Pod Identity (instead of the node role). Waits for
    /// `pod_identity_agent` (the `eks-pod-identity-agent` add-on's logical id).
    pub fn vpc_cni(
        scope: &mut Scope<'_>,
        id: &str,
        cluster: &ClusterHandle,
        pod_identity_agent: &AddonHandle,
    ) -> Result<AddonHandle, Error> {
        let mut s = scope.child(id)?;
        let role = Role::new(
            &mut s,
            "Role",
            Principal::PodIdentity,
            RoleProps {
                description: Some("vpc-cni (kube-system/aws-node) via EKS Pod Identity".into()),
                managed_policies: vec![AwsManagedPolicy::AmazonEKS_CNI_Policy],
                ..RoleProps::default()
            },
        )?;
        let props = AddonProps {
            pod_identities: vec![AddonPodIdentity {
                service_account: "aws-node".into(),
                role: role.clone(),
            }],
            depends_on: vec![pod_identity_agent.logical_id().to_owned()],
            ..AddonProps::default()
        };
        Self::add(&mut s, cluster, AddonName::VpcCni, props, vec![role])
    }

    fn add(
        s: &mut Scope<'_>,
        cluster: &ClusterHandle,
        name: AddonName,
        props: AddonProps,
        roles: Vec<RoleHandle>,
    ) -> Result<AddonHandle, Error> {
        if cluster.auto_mode && name.built_into_auto_mode() {
            return Err(s.error(format!(
                "EKS Auto Mode already runs `{}`; do not install it as an add-on",
                name.as_str()
            )));
        }
        if let Some(v) = &props.version
            && (!v.starts_with('v') || v.len() > 100)
        {
            return Err(s.error(format!(
                "add-on version `{v}` must look like `v1.2.3-eksbuild.1`"
            )));
        }
        for p in &props.pod_identities {
            if !valid_k8s_name(&p.service_account) {
                return Err(s.error(format!(
                    "service account `{}` is not a valid Kubernetes name",
                    p.service_account
                )));
            }
        }
        let assoc: Vec<Val<l1::PodIdentityAssociation>> = props
            .pod_identities
            .iter()
            .map(|p| {
                l1::PodIdentityAssociation::new(&p.role.arn, p.service_account.as_str()).into()
            })
            .collect();
        let a = s.add(
            "Resource",
            l1::Addon {
                addon_version: props.version.clone().map(Val::from),
                resolve_conflicts: Some(l1::ResolveConflicts::Overwrite.into()),
                pod_identity_associations: if assoc.is_empty() {
                    None
                } else {
                    Some(list(assoc))
                },
                preserve_on_delete: if props.preserve_on_delete {
                    Some(true.into())
                } else {
                    None
                },
                ..l1::Addon::new(name.as_str(), &cluster.name)
            },
        )?;
        for d in &props.depends_on {
            s.entry_mut(&a).add_depends_on(d.clone());
        }
        Ok(AddonHandle {
            resource: a.clone(),
            arn: a.attr_arn(),
            roles,
        })
    }
}
