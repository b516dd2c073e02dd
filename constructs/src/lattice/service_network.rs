//! [`ServiceNetwork`]: a VPC Lattice service network.

use crate::core::{Attr, Error, Scope, Val};
use crate::l1::lattice::service_network as l1;

/// How Lattice authenticates callers of a service network or service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LatticeAuth {
    /// SigV4-signed requests checked against an [`super::AuthPolicy`]. The default.
    #[default]
    AwsIam,
    /// No authentication: any client that can reach the network may call.
    None,
}

/// Optional settings of a [`ServiceNetwork`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceNetworkProps {
    /// Name (3–63 lowercase letters, digits, hyphens). Default: generated.
    pub name: Option<String>,
    /// Default: [`LatticeAuth::AwsIam`].
    pub auth: LatticeAuth,
}

/// What [`ServiceNetwork::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceNetworkHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::ServiceNetwork>,
    /// `Fn::GetAtt Id`.
    pub id: Attr<l1::attr::Id>,
    /// `Fn::GetAtt Arn`.
    pub arn: Attr<l1::attr::Arn>,
    /// The auth type.
    pub auth: LatticeAuth,
}

crate::l1_handle!(ServiceNetworkHandle, l1::ServiceNetwork);

/// A VPC Lattice service network (east-west gRPC between VPCs; not an internet edge).
///
/// CloudFormation: [`AWS::VpcLattice::ServiceNetwork`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-vpclattice-servicenetwork.html).
pub struct ServiceNetwork;

impl ServiceNetwork {
    /// Adds a service network as `scope/id`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        props: ServiceNetworkProps,
    ) -> Result<ServiceNetworkHandle, Error> {
        let mut s = scope.child(id)?;
        if let Some(n) = &props.name {
            check_lattice_name(n).map_err(|m| s.error(m))?;
        }
        let r = s.add(
            "Resource",
            l1::ServiceNetwork {
                name: props.name.clone().map(Val::from),
                auth_type: Some(
                    match props.auth {
                        LatticeAuth::AwsIam => l1::AuthType::AwsIam,
                        LatticeAuth::None => l1::AuthType::None,
                    }
                    .into(),
                ),
                ..Default::default()
            },
        )?;
        Ok(ServiceNetworkHandle {
            resource: r.clone(),
            id: r.attr_id(),
            arn: r.attr_arn(),
            auth: props.auth,
        })
    }
}

/// Lattice names: 3–63 lowercase letters, digits and inner hyphens, not starting with `sn-`/`svc-`/`tg-`.
pub(crate) fn check_lattice_name(n: &str) -> Result<(), String> {
    let ok = (3..=63).contains(&n.len())
        && n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !n.starts_with('-')
        && !n.ends_with('-')
        && !n.contains("--")
        && !["sn-", "svc-", "tg-"].iter().any(|p| n.starts_with(p));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Lattice name `{n}` must be 3–63 lowercase letters, digits and single inner hyphens, not starting with `sn-`, `svc-` or `tg-` (reserved for generated ids)"
        ))
    }
}
