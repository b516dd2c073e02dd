//! [`AccessEntry`]: grants an IAM principal access to the cluster (API authentication mode).

use crate::core::{Attr, Error, Expr, Scope, Val, list};
use crate::l1::eks::access_entry as l1;

use super::cluster::ClusterHandle;

/// An EKS access policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessPolicy {
    /// `AmazonEKSClusterAdminPolicy` (cluster scope only).
    ClusterAdmin,
    /// `AmazonEKSAdminPolicy`.
    Admin,
    /// `AmazonEKSEditPolicy`.
    Edit,
    /// `AmazonEKSViewPolicy`.
    View,
}

impl AccessPolicy {
    /// The policy name.
    pub const fn name(self) -> &'static str {
        match self {
            AccessPolicy::ClusterAdmin => "AmazonEKSClusterAdminPolicy",
            AccessPolicy::Admin => "AmazonEKSAdminPolicy",
            AccessPolicy::Edit => "AmazonEKSEditPolicy",
            AccessPolicy::View => "AmazonEKSViewPolicy",
        }
    }

    /// `arn:${AWS::Partition}:eks::aws:cluster-access-policy/<Name>`.
    pub fn arn(self) -> Expr {
        Expr::sub(format!(
            "arn:${{AWS::Partition}}:eks::aws:cluster-access-policy/{}",
            self.name()
        ))
    }
}

/// Where an access policy applies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AccessScope {
    /// The whole cluster. The default.
    #[default]
    Cluster,
    /// These namespaces (at least one).
    Namespaces(Vec<String>),
}

/// Optional settings of an [`AccessEntry`].
#[derive(Debug, Clone, PartialEq)]
pub struct AccessEntryProps {
    /// The access policy. Default: [`AccessPolicy::ClusterAdmin`]; `None` for an entry that
    /// only maps Kubernetes groups.
    pub policy: Option<AccessPolicy>,
    /// Default: [`AccessScope::Cluster`].
    pub scope: AccessScope,
    /// Kubernetes groups for your own RBAC bindings (not `system:`). Default: none.
    pub kubernetes_groups: Vec<String>,
}

impl Default for AccessEntryProps {
    fn default() -> Self {
        AccessEntryProps {
            policy: Some(AccessPolicy::ClusterAdmin),
            scope: AccessScope::Cluster,
            kubernetes_groups: Vec::new(),
        }
    }
}

/// What [`AccessEntry::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessEntryHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::AccessEntry>,
    /// `Fn::GetAtt AccessEntryArn`.
    pub arn: Attr<l1::attr::AccessEntryArn>,
}

crate::l1_handle!(AccessEntryHandle, l1::AccessEntry);

/// A `STANDARD` access entry for an IAM role or user.
///
/// CloudFormation: [`AWS::EKS::AccessEntry`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-accessentry.html).
pub struct AccessEntry;

impl AccessEntry {
    /// Adds the entry for `principal_arn` as `scope/id`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        cluster: &ClusterHandle,
        principal_arn: impl Into<Expr>,
        props: AccessEntryProps,
    ) -> Result<AccessEntryHandle, Error> {
        let mut s = scope.child(id)?;
        if props.policy.is_none() && props.kubernetes_groups.is_empty() {
            return Err(s.error("an access entry needs an access policy or Kubernetes groups"));
        }
        if let Some(g) = props
            .kubernetes_groups
            .iter()
            .find(|g| g.is_empty() || g.starts_with("system:"))
        {
            return Err(s.error(format!("Kubernetes group `{g}` is reserved or empty")));
        }
        let access_scope = match &props.scope {
            AccessScope::Cluster => l1::AccessScope::new(l1::Type::Cluster),
            AccessScope::Namespaces(ns) => {
                if ns.is_empty() {
                    return Err(s.error("a namespace access scope needs at least one namespace"));
                }
                if props.policy == Some(AccessPolicy::ClusterAdmin) {
                    return Err(
                        s.error("AmazonEKSClusterAdminPolicy applies to the cluster scope only")
                    );
                }
                l1::AccessScope {
                    namespaces: Some(ns.clone().into()),
                    ..l1::AccessScope::new(l1::Type::Namespace)
                }
            }
        };
        let policies = props
            .policy
            .map(|p| list([l1::AccessPolicy::new(access_scope, p.arn())]));
        let e = s.add(
            "Resource",
            l1::AccessEntry {
                access_policies: policies,
                kubernetes_groups: if props.kubernetes_groups.is_empty() {
                    None
                } else {
                    Some(props.kubernetes_groups.clone().into())
                },
                type_: Some("STANDARD".into()),
                ..l1::AccessEntry::new(&cluster.name, Val::Expr(principal_arn.into()))
            },
        )?;
        Ok(AccessEntryHandle {
            resource: e.clone(),
            arn: e.attr_access_entry_arn(),
        })
    }
}
