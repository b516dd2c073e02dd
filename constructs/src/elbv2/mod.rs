//! Elastic Load Balancing v2 for gRPC: [`ApplicationLoadBalancer`], [`HttpsListener`],
//! [`GrpcTargetGroup`], [`GrpcRoute`].
//!
//! ```
//! use formwork_constructs::acm::Certificate;
//! use formwork_constructs::core::{Env, Stack};
//! use formwork_constructs::ec2::{SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
//! use formwork_constructs::elbv2::*;
//! let mut stack = Stack::new("Edge", Env::region("eu-west-1")).unwrap();
//! let mut root = stack.root();
//! let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default()).unwrap();
//! let sg = SecurityGroup::new(&mut root, "AlbSg", &vpc.id, "ALB", SecurityGroupProps::default()).unwrap();
//! let alb = ApplicationLoadBalancer::new(&mut root, "Alb", &vpc, &sg, Default::default()).unwrap();
//! let cert = Certificate::import("arn:aws:acm:eu-west-1:123456789012:certificate/x").unwrap();
//! let https = HttpsListener::new(&mut root, "Https", &alb, &cert, Default::default()).unwrap();
//! let tg = GrpcTargetGroup::new(&mut root, "Greeter", &vpc.id, 50051, Default::default()).unwrap();
//! GrpcRoute::new(&mut root, "GreeterRoute", &https, 10, &["helloworld.Greeter".into()], &tg, &[]).unwrap();
//! ```

mod listener;
mod load_balancer;
mod target_group;

pub use listener::{
    DefaultAction, ExtraCondition, GrpcRoute, HttpsListener, HttpsListenerProps, ListenerArn,
    ListenerHandle, SslPolicy, check_grpc_service_name,
};
pub use load_balancer::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, DnsName, LoadBalancerArn,
    LoadBalancerHandle,
};
pub use target_group::{
    GrpcTargetGroup, GrpcTargetGroupProps, TargetGroupArn, TargetGroupHandle, check_grpc_codes,
    check_grpc_path,
};
