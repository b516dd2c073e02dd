//! [`Cluster`]: an ECS cluster for Fargate with Container Insights.

use crate::core::{Attr, Error, Scope, Val};
use crate::l1::ecs::cluster as l1;

/// Optional settings of a [`Cluster`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterProps {
    /// Cluster name. Default: generated. Changing it replaces the cluster.
    pub cluster_name: Option<String>,
    /// CloudWatch Container Insights (`containerInsights: enabled`). Default: true.
    pub container_insights: bool,
    /// Weight of `FARGATE_SPOT` in the cluster's default strategy (`FARGATE` has weight 1 and
    /// base 1). Default: 0 (Spot registered, not used unless a service asks for it).
    pub default_spot_weight: u32,
}

impl Default for ClusterProps {
    fn default() -> Self {
        ClusterProps {
            cluster_name: None,
            container_insights: true,
            default_spot_weight: 0,
        }
    }
}

/// What [`Cluster::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::Cluster>,
    /// `Ref`: the cluster name.
    pub name: Attr<l1::attr::Ref>,
    /// `Fn::GetAtt Arn`.
    pub arn: Attr<l1::attr::Arn>,
}

crate::l1_handle!(ClusterHandle, l1::Cluster);

/// An ECS cluster with the `FARGATE` and `FARGATE_SPOT` capacity providers and Container
/// Insights on. ECS Exec is configured per service (off by default there).
pub struct Cluster;

impl Cluster {
    /// Adds the cluster as `scope/id`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        props: ClusterProps,
    ) -> Result<ClusterHandle, Error> {
        let mut s = scope.child(id)?;
        if let Some(n) = &props.cluster_name
            && (n.is_empty()
                || n.len() > 255
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c)))
        {
            return Err(s.error(format!(
                "cluster name `{n}` must be 1–255 letters, digits, `_` and `-`"
            )));
        }
        let mut strategy = vec![Val::from(l1::CapacityProviderStrategyItem {
            base: Some(1.into()),
            capacity_provider: Some("FARGATE".to_owned().into()),
            weight: Some(1.into()),
        })];
        if props.default_spot_weight > 0 {
            strategy.push(Val::from(l1::CapacityProviderStrategyItem {
                base: None,
                capacity_provider: Some("FARGATE_SPOT".to_owned().into()),
                weight: Some(i64::from(props.default_spot_weight).into()),
            }));
        }
        let insights = if props.container_insights {
            "enabled"
        } else {
            "disabled"
        };
        let cluster = s.add(
            "Resource",
            l1::Cluster {
                cluster_name: props.cluster_name.clone().map(Val::from),
                capacity_providers: Some(crate::core::list(["FARGATE", "FARGATE_SPOT"])),
                default_capacity_provider_strategy: Some(Val::Lit(strategy)),
                cluster_settings: Some(Val::Lit(vec![Val::from(l1::ClusterSettings {
                    name: Some("containerInsights".to_owned().into()),
                    value: Some(insights.to_owned().into()),
                })])),
                ..l1::Cluster::new()
            },
        )?;
        Ok(ClusterHandle {
            resource: cluster.clone(),
            name: cluster.ref_(),
            arn: cluster.attr_arn(),
        })
    }
}
