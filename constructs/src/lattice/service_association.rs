//! [`ServiceAssociation`]: makes a Lattice service reachable through a service network.

use crate::core::{Attr, Error, Scope};
use crate::l1::lattice::service_network_service_association as l1;

use super::service::ServiceHandle;
use super::service_network::ServiceNetworkHandle;

/// What [`ServiceAssociation::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceAssociationHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::ServiceNetworkServiceAssociation>,
    /// `Fn::GetAtt Arn`.
    pub arn: Attr<l1::attr::Arn>,
}

crate::l1_handle!(
    ServiceAssociationHandle,
    l1::ServiceNetworkServiceAssociation
);

/// A service-network service association.
///
/// CloudFormation: [`AWS::VpcLattice::ServiceNetworkServiceAssociation`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-vpclattice-servicenetworkserviceassociation.html).
pub struct ServiceAssociation;

impl ServiceAssociation {
    /// Adds the association as `scope/id`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        network: &ServiceNetworkHandle,
        service: &ServiceHandle,
    ) -> Result<ServiceAssociationHandle, Error> {
        let mut s = scope.child(id)?;
        let r = s.add(
            "Resource",
            l1::ServiceNetworkServiceAssociation {
                service_network_identifier: Some((&network.id).into()),
                service_identifier: Some((&service.id).into()),
                ..Default::default()
            },
        )?;
        Ok(ServiceAssociationHandle {
            resource: r.clone(),
            arn: r.attr_arn(),
        })
    }
}
