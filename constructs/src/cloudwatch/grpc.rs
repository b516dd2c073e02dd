//! gRPC presets: the alarms that say a gRPC service on AWS is broken, with their thresholds.
//!
//! Each function returns `(id, props)` pairs; add them with [`add_alarms`] (which sets the topics).
//! Every description says what firing means and the first thing to check.

use super::alarm::{Alarm, AlarmHandle, AlarmProps, AlarmSource, Comparison, TreatMissingData};
use super::dashboard::Widget;
use super::metric::{Metric, Stat};
use crate::core::{Attr, Error, Expr, Scope};
use crate::sns::TopicArn;

const ELB: &str = "AWS/ApplicationELB";

/// Thresholds and evaluation of the gRPC presets.
#[derive(Debug, Clone, PartialEq)]
pub struct GrpcThresholds {
    /// `TargetResponseTime` p99 above this many seconds fires. Default: 1.0.
    pub p99_latency_seconds: f64,
    /// Target 5XX responses above this percentage of requests fire. Default: 5.
    pub target_5xx_percent: f64,
    /// Load balancer (ELB-generated) 5XX above this percentage of requests fire. Default: 5.
    pub elb_5xx_percent: f64,
    /// CloudFront `5xxErrorRate` above this percentage fires. Default: 5.
    pub cloudfront_5xx_percent: f64,
    /// WAF `BlockedRequests` above this many per period fire. Default: 100.
    pub waf_blocked_requests: f64,
    /// Period in seconds. Default: 60.
    pub period_seconds: u32,
    /// Periods looked at. Default: 5.
    pub evaluation_periods: u32,
    /// Breaching periods among them that fire. Default: 3.
    pub datapoints_to_alarm: u32,
}

impl Default for GrpcThresholds {
    fn default() -> Self {
        GrpcThresholds {
            p99_latency_seconds: 1.0,
            target_5xx_percent: 5.0,
            elb_5xx_percent: 5.0,
            cloudfront_5xx_percent: 5.0,
            waf_blocked_requests: 100.0,
            period_seconds: 60,
            evaluation_periods: 5,
            datapoints_to_alarm: 3,
        }
    }
}

impl GrpcThresholds {
    /// Checks ranges; the message names the field.
    pub fn check(&self) -> Result<(), String> {
        for (name, v) in [
            ("target_5xx_percent", self.target_5xx_percent),
            ("elb_5xx_percent", self.elb_5xx_percent),
            ("cloudfront_5xx_percent", self.cloudfront_5xx_percent),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 100.0) {
                return Err(format!(
                    "{name} is {v}; use a percentage above 0 and at most 100"
                ));
            }
        }
        if !(self.p99_latency_seconds.is_finite() && self.p99_latency_seconds > 0.0) {
            return Err(format!(
                "p99_latency_seconds is {}; use a positive number of seconds",
                self.p99_latency_seconds
            ));
        }
        if !(self.waf_blocked_requests.is_finite() && self.waf_blocked_requests >= 1.0) {
            return Err(format!(
                "waf_blocked_requests is {}; use at least 1",
                self.waf_blocked_requests
            ));
        }
        super::metric::check_period(self.period_seconds)?;
        if self.evaluation_periods == 0
            || self.datapoints_to_alarm == 0
            || self.datapoints_to_alarm > self.evaluation_periods
        {
            return Err(format!(
                "datapoints_to_alarm {} of evaluation_periods {}: use 1 ≤ datapoints ≤ periods",
                self.datapoints_to_alarm, self.evaluation_periods
            ));
        }
        Ok(())
    }

    fn props(&self, description: String, source: AlarmSource, c: Comparison, t: f64) -> AlarmProps {
        AlarmProps {
            evaluation_periods: self.evaluation_periods,
            datapoints_to_alarm: self.datapoints_to_alarm,
            ..AlarmProps::new(description, source, c, t)
        }
    }

    fn rate(&self, err: Metric, req: Metric, label: &str) -> AlarmSource {
        AlarmSource::Math {
            expression: "IF(req > 0, 100 * FILL(err, 0) / req, 0)".into(),
            label: label.into(),
            period_seconds: self.period_seconds,
            metrics: vec![("err".into(), err), ("req".into(), req)],
        }
    }
}

/// A target group's metric (dimensions `TargetGroup`, `LoadBalancer`: the full names).
fn tg_metric(name: &str, stat: Stat, tg: &Expr, lb: &Expr, period: u32) -> Metric {
    Metric::new(ELB, name, stat, period)
        .with_dimension("TargetGroup", tg.clone())
        .with_dimension("LoadBalancer", lb.clone())
}

/// Per target group of `service`: unhealthy hosts, no healthy host, target 5XX rate and p99
/// latency. `tg` and `lb` are `TargetGroupFullName` and `LoadBalancerFullName`.
pub fn target_group_alarms(
    service: &str,
    tg: &Expr,
    lb: &Expr,
    t: &GrpcThresholds,
) -> Vec<(String, AlarmProps)> {
    let p = t.period_seconds;
    let unhealthy = tg_metric("UnHealthyHostCount", Stat::Maximum, tg, lb, p);
    let healthy = tg_metric("HealthyHostCount", Stat::Minimum, tg, lb, p);
    let err = tg_metric("HTTPCode_Target_5XX_Count", Stat::Sum, tg, lb, p);
    let req = tg_metric("RequestCount", Stat::Sum, tg, lb, p);
    let latency = tg_metric("TargetResponseTime", Stat::Percentile(99.0), tg, lb, p);
    let mut no_healthy = t.props(
        format!("{service}: no healthy target, every call fails with UNAVAILABLE. First check the tasks/pods (kubectl get pods; aws ecs describe-services) and the target group's health check (gRPC, path and success codes)."),
        AlarmSource::Metric(healthy),
        Comparison::LessThan,
        1.0,
    );
    no_healthy.treat_missing_data = TreatMissingData::Breaching;
    vec![
        ("UnhealthyHosts".into(), t.props(
            format!("{service}: a target fails its health check. First check the target group's target health (aws elbv2 describe-target-health) and that target's logs."),
            AlarmSource::Metric(unhealthy), Comparison::GreaterThan, 0.0)),
        ("NoHealthyHosts".into(), no_healthy),
        ("Target5xxRate".into(), t.props(
            format!("{service}: more than {}% of requests end in a 5XX from the targets. First check the service's logs and recent deployments (kubectl rollout history; ECS service events).", t.target_5xx_percent),
            t.rate(err, req, "Target 5XX %"), Comparison::GreaterThan, t.target_5xx_percent)),
        ("P99Latency".into(), t.props(
            format!("{service}: p99 TargetResponseTime above {} s. First check the tasks'/pods' CPU and memory, and slow dependencies.", t.p99_latency_seconds),
            AlarmSource::Metric(latency), Comparison::GreaterThan, t.p99_latency_seconds)),
    ]
}

/// Per load balancer: the rate of 5XX the ALB itself generates (`HTTPCode_ELB_5XX_Count`).
pub fn load_balancer_alarms(lb: &Expr, t: &GrpcThresholds) -> Vec<(String, AlarmProps)> {
    let p = t.period_seconds;
    let err = Metric::new(ELB, "HTTPCode_ELB_5XX_Count", Stat::Sum, p)
        .with_dimension("LoadBalancer", lb.clone());
    let req =
        Metric::new(ELB, "RequestCount", Stat::Sum, p).with_dimension("LoadBalancer", lb.clone());
    vec![("Elb5xxRate".into(), t.props(
        format!("The load balancer answers more than {}% of requests with its own 5XX (502/503/504): targets unreachable, closing connections or timing out. First check target health and the security group from the ALB to the targets.", t.elb_5xx_percent),
        t.rate(err, req, "ELB 5XX %"), Comparison::GreaterThan, t.elb_5xx_percent))]
}

/// Per CloudFront distribution: `5xxErrorRate` (metrics live in us-east-1 with `Region=Global`,
/// so add these to a us-east-1 stack).
pub fn distribution_alarms(
    distribution_id: &Expr,
    t: &GrpcThresholds,
) -> Vec<(String, AlarmProps)> {
    let m = Metric::new(
        "AWS/CloudFront",
        "5xxErrorRate",
        Stat::Average,
        t.period_seconds,
    )
    .with_dimension("DistributionId", distribution_id.clone())
    .with_dimension("Region", "Global");
    vec![("CloudFront5xxRate".into(), t.props(
        format!("More than {}% of viewer requests get a 5XX from CloudFront. First check the origin (the Elb5xxRate and NoHealthyHosts alarms in the Region) and the origin's certificate and name.", t.cloudfront_5xx_percent),
        AlarmSource::Metric(m), Comparison::GreaterThan, t.cloudfront_5xx_percent))]
}

/// Where a web ACL's metrics are reported.
#[derive(Debug, Clone, PartialEq)]
pub enum WafScope {
    /// A CLOUDFRONT-scope web ACL (metrics in us-east-1, no `Region` dimension).
    CloudFront,
    /// A REGIONAL web ACL in the stack's Region (`Region` dimension).
    Regional,
}

/// Per web ACL (`web_acl` is its name): a surge of `BlockedRequests` over all rules.
pub fn web_acl_alarms(
    web_acl: &Expr,
    scope: WafScope,
    t: &GrpcThresholds,
) -> Vec<(String, AlarmProps)> {
    let mut m = Metric::new("AWS/WAFV2", "BlockedRequests", Stat::Sum, t.period_seconds)
        .with_dimension("WebACL", web_acl.clone())
        .with_dimension("Rule", "ALL");
    if scope == WafScope::Regional {
        m = m.with_dimension("Region", crate::core::Pseudo::Region);
    }
    vec![("WafBlockedSurge".into(), t.props(
        format!("WAF blocks more than {} requests per {} s: an attack, or a rule blocking legitimate gRPC calls. First check the web ACL's sampled requests for the rule and client.", t.waf_blocked_requests, t.period_seconds),
        AlarmSource::Metric(m), Comparison::GreaterThan, t.waf_blocked_requests))]
}

/// Adds each preset as `scope/<id>`, notifying `topics`.
pub fn add_alarms(
    scope: &mut Scope<'_>,
    presets: Vec<(String, AlarmProps)>,
    topics: &[Attr<TopicArn>],
) -> Result<Vec<AlarmHandle>, Error> {
    presets
        .into_iter()
        .map(|(id, mut props)| {
            props.topics = topics.to_vec();
            Alarm::new(scope, &id, props)
        })
        .collect()
}

/// Dashboard widgets of one target group: requests and 5XX, then p99 latency and hosts.
pub fn target_group_widgets(service: &str, tg: &Expr, lb: &Expr, period: u32) -> Vec<Widget> {
    let m = |n: &str, s: Stat| tg_metric(n, s, tg, lb, period);
    vec![
        Widget::Graph {
            title: format!("{service}: requests and 5XX"),
            metrics: vec![
                m("RequestCount", Stat::Sum),
                m("HTTPCode_Target_5XX_Count", Stat::Sum),
            ],
        },
        Widget::Graph {
            title: format!("{service}: p99 latency and hosts"),
            metrics: vec![
                m("TargetResponseTime", Stat::Percentile(99.0)),
                m("HealthyHostCount", Stat::Minimum),
                m("UnHealthyHostCount", Stat::Maximum),
            ],
        },
    ]
}
