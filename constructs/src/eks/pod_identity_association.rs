//! [`PodIdentityAssociation`]: binds a Kubernetes service account to an IAM role.

use crate::core::{Attr, Error, Scope};
use crate::iam::RoleHandle;
use crate::l1::eks::pod_identity_association as l1;

use super::cluster::ClusterHandle;

/// Optional settings of a [`PodIdentityAssociation`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodIdentityAssociationProps {
    /// Logical ids to wait for (normally the `eks-pod-identity-agent` add-on). Default: none.
    pub depends_on: Vec<String>,
}

/// What [`PodIdentityAssociation::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct PodIdentityAssociationHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::PodIdentityAssociation>,
    /// `Fn::GetAtt AssociationArn`.
    pub arn: Attr<l1::attr::AssociationArn>,
    /// `Fn::GetAtt AssociationId`.
    pub id: Attr<l1::attr::AssociationId>,
}

crate::l1_handle!(PodIdentityAssociationHandle, l1::PodIdentityAssociation);

/// Pods running as `namespace/service_account` get credentials of `role` (which must trust
/// [`Principal::PodIdentity`](crate::iam::Principal::PodIdentity)).
///
/// CloudFormation: [`AWS::EKS::PodIdentityAssociation`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-podidentityassociation.html).
pub struct PodIdentityAssociation;

impl PodIdentityAssociation {
    /// Adds the association as `scope/id`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        cluster: &ClusterHandle,
        namespace: &str,
        service_account: &str,
        role: &RoleHandle,
        props: PodIdentityAssociationProps,
    ) -> Result<PodIdentityAssociationHandle, Error> {
        let mut s = scope.child(id)?;
        for (what, n) in [
            ("namespace", namespace),
            ("service account", service_account),
        ] {
            if !valid_k8s_name(n) {
                return Err(s.error(format!(
                    "{what} `{n}` must be a Kubernetes name: 1–253 lowercase letters, digits, `-` and `.`, alphanumeric at both ends"
                )));
            }
        }
        let a = s.add(
            "Resource",
            l1::PodIdentityAssociation::new(&cluster.name, namespace, &role.arn, service_account),
        )?;
        for d in &props.depends_on {
            s.entry_mut(&a).add_depends_on(d.clone());
        }
        Ok(PodIdentityAssociationHandle {
            resource: a.clone(),
            arn: a.attr_association_arn(),
            id: a.attr_association_id(),
        })
    }
}

/// A DNS-1123 subdomain (namespaces and service accounts).
pub fn valid_k8s_name(n: &str) -> bool {
    (1..=253).contains(&n.len())
        && n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && n.starts_with(|c: char| c.is_ascii_alphanumeric())
        && n.ends_with(|c: char| c.is_ascii_alphanumeric())
}
