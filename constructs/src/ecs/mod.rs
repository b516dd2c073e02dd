//! ECS on Fargate for gRPC services: [`Cluster`], [`FargateTaskDefinition`], [`FargateService`].
//!
//! CloudFormation: [`AWS::ECS::Cluster`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-cluster.html),
//! [`AWS::ECS::TaskDefinition`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-taskdefinition.html),
//! [`AWS::ECS::Service`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-service.html).
//!
//! Container health checks: distroless gRPC images have no shell, so `CMD-SHELL` cannot run.
//! The default is [`ContainerHealthCheck::None`]: the ALB target group's gRPC health check
//! (`/grpc.health.v1.Health/Check`) decides, and ECS replaces tasks the load balancer reports
//! unhealthy. [`ContainerHealthCheck::GrpcHealthProbe`] adds an exec-form check
//! (`["CMD", "/bin/grpc_health_probe", "-addr=localhost:PORT"]`) for images that ship the probe.
//!
//! ```
//! use formwork_constructs::core::{Env, Stack};
//! use formwork_constructs::ecs::{Cluster, ClusterProps};
//! let mut stack = Stack::new("Ecs", Env::region("eu-west-1")).unwrap();
//! Cluster::new(&mut stack.root(), "Cluster", ClusterProps::default()).unwrap();
//! let yaml = stack.to_yaml().unwrap();
//! assert!(yaml.contains("FARGATE_SPOT"));
//! ```

mod cluster;
mod service;
mod task_definition;

pub use cluster::{Cluster, ClusterHandle, ClusterProps};
pub use service::{
    CapacitySplit, FargateService, FargateServiceHandle, FargateServiceProps, ServiceConnect,
    TargetGroupBinding,
};
pub use task_definition::{
    Architecture, ContainerHealthCheck, FargateTaskDefinition, FargateTaskDefinitionProps,
    TaskDefinitionHandle, fargate_memory_options, valid_fargate_cpu,
};
