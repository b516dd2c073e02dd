//! [`Listener`]: an HTTPS listener on a Lattice service that forwards to a gRPC target group.

use crate::core::{Attr, Error, Scope, Val, list};
use crate::l1::lattice::listener as l1;

use super::service::ServiceHandle;
use super::target_group::LatticeTargetGroupHandle;

/// Optional settings of a [`Listener`].
#[derive(Debug, Clone, PartialEq)]
pub struct ListenerProps {
    /// Default: 443.
    pub port: u16,
}

impl Default for ListenerProps {
    fn default() -> Self {
        ListenerProps { port: 443 }
    }
}

/// What [`Listener::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct LatticeListenerHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::Listener>,
    /// `Fn::GetAtt Arn`.
    pub arn: Attr<l1::attr::Arn>,
}

crate::l1_handle!(LatticeListenerHandle, l1::Listener);

/// An HTTPS listener (ALPN negotiates HTTP/2 for gRPC) whose default action forwards to one
/// target group.
///
/// CloudFormation: [`AWS::VpcLattice::Listener`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-vpclattice-listener.html).
pub struct Listener;

impl Listener {
    /// Adds the listener as `scope/id` on `service`, forwarding to `target`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        service: &ServiceHandle,
        target: &LatticeTargetGroupHandle,
        props: ListenerProps,
    ) -> Result<LatticeListenerHandle, Error> {
        let mut s = scope.child(id)?;
        if props.port == 0 {
            return Err(s.error("the listener port must be 1–65535"));
        }
        let forward = l1::Forward::new(list([Val::from(l1::WeightedTargetGroup {
            weight: Some(100.into()),
            ..l1::WeightedTargetGroup::new(&target.id)
        })]));
        let r = s.add(
            "Resource",
            l1::Listener {
                port: Some(i64::from(props.port).into()),
                service_identifier: Some((&service.id).into()),
                ..l1::Listener::new(
                    l1::DefaultAction {
                        forward: Some(forward.into()),
                        fixed_response: None,
                    },
                    l1::Protocol::Https,
                )
            },
        )?;
        Ok(LatticeListenerHandle {
            resource: r.clone(),
            arn: r.attr_arn(),
        })
    }
}
