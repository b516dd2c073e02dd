//! [`ServiceScaling`]: a scalable target on an ECS service's desired count and its
//! target-tracking policies.

use crate::core::{Attr, Error, Expr, Scope, Val};
use crate::ecs::{ClusterHandle, FargateServiceHandle};
use crate::l1::applicationautoscaling::{scalable_target as st, scaling_policy as sp};
use crate::l1::elbv2::{load_balancer as lb, target_group as tg};

/// Track ALB requests per target (`ALBRequestCountPerTarget`).
#[derive(Debug, Clone, PartialEq)]
pub struct RequestCountTarget {
    /// Requests per target per minute to keep.
    pub requests_per_target: u32,
    /// `LoadBalancerFullName` of the ALB.
    pub load_balancer_full_name: Attr<lb::attr::LoadBalancerFullName>,
    /// `TargetGroupFullName` of the service's target group.
    pub target_group_full_name: Attr<tg::attr::TargetGroupFullName>,
}

/// Settings of a [`ServiceScaling`].
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceScalingProps {
    /// Fewest tasks. Default: 2.
    pub min_tasks: u32,
    /// Most tasks. Default: 10.
    pub max_tasks: u32,
    /// Average CPU utilisation (percent, 1–100) to keep. Default: `Some(60.0)`.
    pub cpu_target_percent: Option<f64>,
    /// Default: none.
    pub request_count: Option<RequestCountTarget>,
    /// Seconds between scale-in steps. Default: 300.
    pub scale_in_cooldown_seconds: u32,
    /// Seconds between scale-out steps. Default: 60.
    pub scale_out_cooldown_seconds: u32,
}

impl Default for ServiceScalingProps {
    fn default() -> Self {
        ServiceScalingProps {
            min_tasks: 2,
            max_tasks: 10,
            cpu_target_percent: Some(60.0),
            request_count: None,
            scale_in_cooldown_seconds: 300,
            scale_out_cooldown_seconds: 60,
        }
    }
}

/// What [`ServiceScaling::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceScalingHandle {
    /// The scalable target (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<st::ScalableTarget>,
    /// The policies, CPU first.
    pub policies: Vec<crate::core::ResourceRef<sp::ScalingPolicy>>,
}

crate::l1_handle!(ServiceScalingHandle, st::ScalableTarget);

/// Scales an ECS service between `min_tasks` and `max_tasks` by target tracking. The scalable
/// target uses the Application Auto Scaling service-linked role (no `RoleARN`).
pub struct ServiceScaling;

impl ServiceScaling {
    /// Adds the scalable target and its policies as `scope/id`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        cluster: &ClusterHandle,
        service: &FargateServiceHandle,
        props: ServiceScalingProps,
    ) -> Result<ServiceScalingHandle, Error> {
        let mut s = scope.child(id)?;
        let p = &props;
        if p.min_tasks > p.max_tasks || p.max_tasks == 0 {
            return Err(s.error(format!(
                "min_tasks {} / max_tasks {}: need 0 ≤ min ≤ max and max ≥ 1",
                p.min_tasks, p.max_tasks
            )));
        }
        if let Some(c) = p.cpu_target_percent
            && !(1.0..=100.0).contains(&c)
        {
            return Err(s.error(format!("cpu_target_percent is {c}; use 1–100")));
        }
        if p.cpu_target_percent.is_none() && p.request_count.is_none() {
            return Err(s.error("scaling needs a CPU target, a request-count target, or both"));
        }
        if p.request_count
            .as_ref()
            .is_some_and(|r| r.requests_per_target == 0)
        {
            return Err(s.error("requests_per_target must be at least 1"));
        }
        let resource_id = Expr::join(
            "/",
            vec![
                Expr::str("service"),
                (&cluster.name).into(),
                (&service.name).into(),
            ],
        );
        let target = s.add(
            "Target",
            st::ScalableTarget::new(
                i64::from(p.max_tasks),
                i64::from(p.min_tasks),
                resource_id,
                st::ScalableDimension::EcsServiceDesiredCount,
                st::ServiceNamespace::Ecs,
            ),
        )?;
        let mut policies = Vec::new();
        if let Some(cpu) = p.cpu_target_percent {
            let metric = sp::PredefinedMetricSpecification::new(
                sp::PredefinedMetricSpecificationPredefinedMetricType::EcsServiceAverageCpuUtilization,
            );
            policies.push(policy(&mut s, "Cpu", &target, p, cpu, metric)?);
        }
        if let Some(rc) = &p.request_count {
            let metric = sp::PredefinedMetricSpecification {
                resource_label: Some(Val::from(Expr::join(
                    "/",
                    vec![
                        (&rc.load_balancer_full_name).into(),
                        (&rc.target_group_full_name).into(),
                    ],
                ))),
                ..sp::PredefinedMetricSpecification::new(
                    sp::PredefinedMetricSpecificationPredefinedMetricType::AlbRequestCountPerTarget,
                )
            };
            let value = f64::from(rc.requests_per_target);
            policies.push(policy(&mut s, "Requests", &target, p, value, metric)?);
        }
        Ok(ServiceScalingHandle {
            resource: target,
            policies,
        })
    }
}

fn policy(
    s: &mut Scope<'_>,
    id: &str,
    target: &crate::core::ResourceRef<st::ScalableTarget>,
    p: &ServiceScalingProps,
    value: f64,
    metric: sp::PredefinedMetricSpecification,
) -> Result<crate::core::ResourceRef<sp::ScalingPolicy>, Error> {
    let name = Expr::sub(format!("${{AWS::StackName}}-{id}"));
    s.add(
        id,
        sp::ScalingPolicy {
            scaling_target_id: Some(target.ref_().into()),
            target_tracking_scaling_policy_configuration: Some(
                sp::TargetTrackingScalingPolicyConfiguration {
                    predefined_metric_specification: Some(metric.into()),
                    scale_in_cooldown: Some(i64::from(p.scale_in_cooldown_seconds).into()),
                    scale_out_cooldown: Some(i64::from(p.scale_out_cooldown_seconds).into()),
                    ..sp::TargetTrackingScalingPolicyConfiguration::new(value)
                }
                .into(),
            ),
            ..sp::ScalingPolicy::new(name, sp::PolicyType::TargetTrackingScaling)
        },
    )
}
