//! Amazon VPC Lattice for east-west gRPC (optional; nothing here is created unless you call
//! it): [`ServiceNetwork`], [`Service`], [`Listener`], [`GrpcTargetGroup`], [`VpcAssociation`],
//! [`ServiceAssociation`], [`AuthPolicy`].
//!
//! Lattice is not an internet edge and does not replace ALB + CloudFront. Its health checks do
//! not speak gRPC, so [`GrpcTargetGroup`] offers only HTTP/1.1 or HTTP/2 checks (or none).
//!
//! ```
//! use formwork_constructs::core::{Env, Stack};
//! use formwork_constructs::ec2::{Vpc, VpcProps};
//! use formwork_constructs::lattice::*;
//! let mut stack = Stack::new("Mesh", Env::region("eu-west-1")).unwrap();
//! let mut root = stack.root();
//! let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default()).unwrap();
//! let net = ServiceNetwork::new(&mut root, "Net", Default::default()).unwrap();
//! let svc = Service::new(&mut root, "Greeter", Default::default()).unwrap();
//! let tg = GrpcTargetGroup::new(&mut root, "GreeterPods", &vpc.id, 50051, Default::default()).unwrap();
//! Listener::new(&mut root, "GreeterHttps", &svc, &tg, Default::default()).unwrap();
//! ServiceAssociation::new(&mut root, "GreeterInNet", &net, &svc).unwrap();
//! AuthPolicy::new(&mut root, "NetPolicy", AuthTarget::Network(&net), &AuthPolicyDocument::allow_org("o-abc123")).unwrap();
//! assert!(stack.to_yaml().unwrap().contains("ProtocolVersion: GRPC"));
//! ```

mod auth_policy;
mod listener;
mod service;
mod service_association;
mod service_network;
mod target_group;
mod vpc_association;

pub use auth_policy::{
    AuthCondition, AuthPolicy, AuthPolicyDocument, AuthPolicyHandle, AuthPrincipal, AuthStatement,
    AuthTarget, Effect,
};
pub use listener::{LatticeListenerHandle, Listener, ListenerProps};
pub use service::{Service, ServiceHandle, ServiceProps};
pub use service_association::{ServiceAssociation, ServiceAssociationHandle};
pub use service_network::{LatticeAuth, ServiceNetwork, ServiceNetworkHandle, ServiceNetworkProps};
pub use target_group::{
    GrpcTargetGroup, GrpcTargetGroupProps, HttpHealthCheck, LatticeHealthCheck,
    LatticeTargetGroupHandle,
};
pub use vpc_association::{VpcAssociation, VpcAssociationHandle};
