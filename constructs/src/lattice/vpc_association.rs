//! [`VpcAssociation`]: connects a VPC to a Lattice service network.

use crate::core::{Attr, Error, Scope, Val};
use crate::ec2::{SecurityGroupHandle, VpcId};
use crate::l1::lattice::service_network_vpc_association as l1;

use super::service_network::ServiceNetworkHandle;

/// What [`VpcAssociation::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct VpcAssociationHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::ServiceNetworkVpcAssociation>,
    /// `Fn::GetAtt Arn`.
    pub arn: Attr<l1::attr::Arn>,
}

crate::l1_handle!(VpcAssociationHandle, l1::ServiceNetworkVpcAssociation);

/// A service-network VPC association; its security groups control which clients in the VPC may
/// reach the network.
///
/// CloudFormation: [`AWS::VpcLattice::ServiceNetworkVpcAssociation`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-vpclattice-servicenetworkvpcassociation.html).
pub struct VpcAssociation;

impl VpcAssociation {
    /// Adds the association as `scope/id` with 1–5 security groups.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        network: &ServiceNetworkHandle,
        vpc_id: &Attr<VpcId>,
        security_groups: &[&SecurityGroupHandle],
    ) -> Result<VpcAssociationHandle, Error> {
        let mut s = scope.child(id)?;
        if security_groups.is_empty() || security_groups.len() > 5 {
            return Err(s.error("a VPC association takes 1–5 security groups (they decide which clients reach the network)"));
        }
        let r = s.add(
            "Resource",
            l1::ServiceNetworkVpcAssociation {
                service_network_identifier: Some((&network.id).into()),
                vpc_identifier: Some(vpc_id.into()),
                security_group_ids: Some(Val::Lit(
                    security_groups.iter().map(|g| Val::from(&g.id)).collect(),
                )),
                ..Default::default()
            },
        )?;
        Ok(VpcAssociationHandle {
            resource: r.clone(),
            arn: r.attr_arn(),
        })
    }
}
