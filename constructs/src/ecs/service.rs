//! [`FargateService`]: an ECS service on Fargate behind ALB gRPC target groups.

use crate::core::{Attr, Error, Scope, Val};
use crate::ec2::{SecurityGroupId, SubnetId};
use crate::elbv2::TargetGroupArn;
use crate::l1::ecs::service as l1;

use super::cluster::ClusterHandle;
use super::task_definition::TaskDefinitionHandle;

/// How tasks are spread over `FARGATE` and `FARGATE_SPOT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapacitySplit {
    /// Tasks always on on-demand `FARGATE`. Default: 1.
    pub on_demand_base: u32,
    /// Weight of `FARGATE` above the base. Default: 1.
    pub on_demand_weight: u32,
    /// Weight of `FARGATE_SPOT` above the base. Default: 0 (no Spot).
    pub spot_weight: u32,
}

impl Default for CapacitySplit {
    fn default() -> Self {
        CapacitySplit {
            on_demand_base: 1,
            on_demand_weight: 1,
            spot_weight: 0,
        }
    }
}

/// One ALB target group the service registers its tasks in (by IP: `awsvpc`).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetGroupBinding {
    /// The target group (`TargetType: ip`, `ProtocolVersion: GRPC`).
    pub target_group_arn: Attr<TargetGroupArn>,
}

/// ECS Service Connect for east-west gRPC: the service is reachable as `dns_name:port`
/// by other services in the namespace.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceConnect {
    /// Cloud Map namespace ARN or name.
    pub namespace: Val<String>,
    /// The client alias (`<dns_name>:<port>`).
    pub dns_name: String,
}

/// Settings of a [`FargateService`].
#[derive(Debug, Clone, PartialEq)]
pub struct FargateServiceProps {
    /// Private subnets the tasks run in (no public IP).
    pub subnets: Vec<Attr<SubnetId>>,
    /// Security groups of the tasks.
    pub security_groups: Vec<Attr<SecurityGroupId>>,
    /// Tasks to run. `None` leaves the count to Application Auto Scaling: a new service starts
    /// with 1 task (raised to the scalable target's minimum) and a stack update keeps the
    /// current count instead of resetting it. Default: `Some(2)`.
    pub desired_count: Option<u32>,
    /// Default: one on-demand task as base, no Spot.
    pub capacity: CapacitySplit,
    /// Target groups. Default: none.
    pub target_groups: Vec<TargetGroupBinding>,
    /// Percent of `desired_count` kept healthy during a deployment. Default: 100.
    pub minimum_healthy_percent: u32,
    /// Percent of `desired_count` allowed during a deployment. Default: 200.
    pub maximum_percent: u32,
    /// Seconds ECS ignores failing load-balancer health checks after a task starts; must be at
    /// least the container's start period. Default: 60.
    pub health_check_grace_period_seconds: u32,
    /// ECS Exec (`aws ecs execute-command`). Default: false (no shell into production tasks).
    pub enable_execute_command: bool,
    /// Default: none.
    pub service_connect: Option<ServiceConnect>,
    /// Logical ids the service waits for: the listener (rule) that forwards to its target
    /// groups, since ECS refuses a target group that no load balancer uses yet. Default: none.
    pub depends_on: Vec<String>,
}

impl Default for FargateServiceProps {
    fn default() -> Self {
        FargateServiceProps {
            subnets: Vec::new(),
            security_groups: Vec::new(),
            desired_count: Some(2),
            capacity: CapacitySplit::default(),
            target_groups: Vec::new(),
            minimum_healthy_percent: 100,
            maximum_percent: 200,
            health_check_grace_period_seconds: 60,
            enable_execute_command: false,
            service_connect: None,
            depends_on: Vec::new(),
        }
    }
}

/// What [`FargateService::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct FargateServiceHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::Service>,
    /// `Fn::GetAtt Name`.
    pub name: Attr<l1::attr::Name>,
    /// `Ref`: the service ARN.
    pub arn: Attr<l1::attr::Ref>,
}

crate::l1_handle!(FargateServiceHandle, l1::Service);

/// An ECS service on Fargate: deployment circuit breaker with rollback, private subnets,
/// ECS Exec off, tags propagated from the service.
pub struct FargateService;

impl FargateService {
    /// Adds the service as `scope/id`, running `task` in `cluster`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        cluster: &ClusterHandle,
        task: &TaskDefinitionHandle,
        props: FargateServiceProps,
    ) -> Result<FargateServiceHandle, Error> {
        let mut s = scope.child(id)?;
        let p = &props;
        if p.subnets.is_empty() || p.security_groups.is_empty() {
            return Err(
                s.error("a Fargate service needs at least one subnet and one security group")
            );
        }
        if p.minimum_healthy_percent > 100 || p.maximum_percent < 100 || p.maximum_percent > 200 {
            return Err(s.error(format!(
                "minimum_healthy_percent {} / maximum_percent {}: use 0–100 and 100–200",
                p.minimum_healthy_percent, p.maximum_percent
            )));
        }
        if p.capacity.on_demand_weight + p.capacity.spot_weight == 0 {
            return Err(s.error(
                "capacity: at least one of on_demand_weight and spot_weight must be above 0",
            ));
        }
        if !p.target_groups.is_empty()
            && p.health_check_grace_period_seconds < task.start_period_seconds
        {
            return Err(s.error(format!(
                "health_check_grace_period_seconds is {} but the container may take {} s to start; raise the grace period",
                p.health_check_grace_period_seconds, task.start_period_seconds
            )));
        }
        let mut strategy = vec![Val::from(l1::CapacityProviderStrategyItem {
            base: Some(i64::from(p.capacity.on_demand_base).into()),
            capacity_provider: Some("FARGATE".into()),
            weight: Some(i64::from(p.capacity.on_demand_weight).into()),
        })];
        if p.capacity.spot_weight > 0 {
            strategy.push(Val::from(l1::CapacityProviderStrategyItem {
                base: None,
                capacity_provider: Some("FARGATE_SPOT".into()),
                weight: Some(i64::from(p.capacity.spot_weight).into()),
            }));
        }
        let load_balancers: Vec<Val<l1::LoadBalancer>> = p
            .target_groups
            .iter()
            .map(|tg| {
                l1::LoadBalancer {
                    container_name: Some(task.container_name.clone().into()),
                    container_port: Some(i64::from(task.container_port).into()),
                    target_group_arn: Some((&tg.target_group_arn).into()),
                    ..Default::default()
                }
                .into()
            })
            .collect();
        let service = s.add(
            "Resource",
            l1::Service {
                cluster: Some((&cluster.name).into()),
                task_definition: Some((&task.arn).into()),
                desired_count: p.desired_count.map(|n| i64::from(n).into()),
                capacity_provider_strategy: Some(Val::Lit(strategy)),
                platform_version: Some("LATEST".into()),
                enable_execute_command: Some(p.enable_execute_command.into()),
                propagate_tags: Some(l1::PropagateTags::Service.into()),
                enable_ecs_managed_tags: Some(true.into()),
                network_configuration: Some(
                    l1::NetworkConfiguration {
                        awsvpc_configuration: Some(
                            l1::AwsVpcConfiguration {
                                assign_public_ip: Some(l1::AssignPublicIp::Disabled.into()),
                                security_groups: Some(Val::Lit(
                                    p.security_groups.iter().map(Val::from).collect(),
                                )),
                                subnets: Some(Val::Lit(p.subnets.iter().map(Val::from).collect())),
                            }
                            .into(),
                        ),
                    }
                    .into(),
                ),
                deployment_configuration: Some(
                    l1::DeploymentConfiguration {
                        deployment_circuit_breaker: Some(
                            l1::DeploymentCircuitBreaker::new(true, true).into(),
                        ),
                        minimum_healthy_percent: Some(i64::from(p.minimum_healthy_percent).into()),
                        maximum_percent: Some(i64::from(p.maximum_percent).into()),
                        ..Default::default()
                    }
                    .into(),
                ),
                health_check_grace_period_seconds: (!load_balancers.is_empty())
                    .then(|| i64::from(p.health_check_grace_period_seconds).into()),
                load_balancers: (!load_balancers.is_empty()).then(|| Val::Lit(load_balancers)),
                service_connect_configuration: p
                    .service_connect
                    .as_ref()
                    .map(|sc| service_connect(sc, task).into()),
                ..Default::default()
            },
        )?;
        for id in &p.depends_on {
            s.entry_mut(&service).add_depends_on(id.clone());
        }
        Ok(FargateServiceHandle {
            resource: service.clone(),
            name: service.attr_name(),
            arn: service.ref_(),
        })
    }
}

fn service_connect(
    sc: &ServiceConnect,
    task: &TaskDefinitionHandle,
) -> l1::ServiceConnectConfiguration {
    l1::ServiceConnectConfiguration {
        namespace: Some(sc.namespace.clone()),
        services: Some(Val::Lit(vec![Val::from(l1::ServiceConnectService {
            discovery_name: Some(sc.dns_name.clone().into()),
            client_aliases: Some(Val::Lit(vec![Val::from(l1::ServiceConnectClientAlias {
                dns_name: Some(sc.dns_name.clone().into()),
                ..l1::ServiceConnectClientAlias::new(i64::from(task.container_port))
            })])),
            ..l1::ServiceConnectService::new(task.port_name.clone())
        })])),
        ..l1::ServiceConnectConfiguration::new(true)
    }
}
