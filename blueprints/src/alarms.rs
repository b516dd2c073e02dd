//! `alarms:` — CloudWatch alarms on what breaks a gRPC service, shared by the blueprints.
//!
//! Layout (on by default; `enabled: false` emits none of it):
//! - the platform (regional) stack gets a KMS key, the SNS topic encrypted with it, the email
//!   subscriptions and the regional web ACL's `BlockedRequests` alarm ([`add_topic`],
//!   [`add_web_acl_alarm`]); the us-east-1 edge stack the same for the CLOUDFRONT-scope ACL
//!   (CloudWatch alarms notify topics of their own Region, and CloudFront and CLOUDFRONT-scope WAF
//!   metrics exist only in us-east-1);
//! - `<name>-alarms-<n>` stacks, deployed after the stacks they watch, with at most
//!   [`SERVICES_PER_ALARM_STACK`] services each: per target group `UnHealthyHostCount` > 0,
//!   `HealthyHostCount` < 1, the target 5XX rate and p99 `TargetResponseTime`; per load balancer
//!   its own 5XX rate (in the stack of its first service); and one dashboard;
//! - `<name>-edge-alarms-<n>` in us-east-1 (when the workload is elsewhere), with at most
//!   [`DISTRIBUTIONS_PER_EDGE_ALARM_STACK`] distributions' `5xxErrorRate` and a dashboard.
//!
//! Values cross stacks as typed references (a target group's full name becomes an output of its
//! stack and a `Fn::GetStackOutput` in the alarm stack), so alarm stacks add nothing to the
//! stacks they watch but outputs. What each alarm means and what to check first is in the alarm's
//! description (sent with every notification), in the blueprint docs and in `DEPLOY.md`.

use formwork_constructs::cloudfront::DistributionHandle;
use formwork_constructs::cloudwatch::grpc::{self, GrpcThresholds};
use formwork_constructs::cloudwatch::{AlarmHandle, Dashboard, DashboardProps, Widget};
use formwork_constructs::core::{App, Attr, Env, Error, Expr, Output, Scope, Stack};
use formwork_constructs::elbv2::{LoadBalancerHandle, TargetGroupHandle};
use formwork_constructs::kms::{Key, KeyProps, KeyServiceGrant};
use formwork_constructs::sns::{Topic, TopicArn, TopicProps};
use formwork_constructs::wafv2::{WafScope, WebAclHandle};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::common::{Tags, pascal};
use crate::config::ConfigError;

/// Services per `<name>-alarms-<n>` stack. A service's four alarms and two dashboard graphs take
/// about 5 KB of minified JSON (most of it the `Fn::GetStackOutput` references: the topic eight
/// times, the target group and load balancer five times each), so 8 services with the longest
/// names (24-character services, a 20-character app) stay below the 51,200-byte inline body
/// (measured: 47 KB); 10 would not.
pub const SERVICES_PER_ALARM_STACK: usize = 8;
/// Distributions per `<name>-edge-alarms-<n>` stack.
pub const DISTRIBUTIONS_PER_EDGE_ALARM_STACK: usize = 10;
/// At most this many `emails` (subscribe a mailing list for more people).
pub const MAX_EMAILS: usize = 20;
/// The output of the platform (and edge) stack with the alarm topic's ARN.
pub const TOPIC_OUTPUT: &str = "AlarmTopicArn";

/// CloudWatch alarms on what breaks gRPC service, notifying an SNS topic (KMS-encrypted), and
/// one dashboard per group of services. On by default.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlarmsConfig {
    /// Create the alarms, the topic and the dashboards. Default: true.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Email addresses subscribed to the alarm topic (each gets a confirmation mail from AWS and
    /// receives nothing until it confirms). At most 20. Default: none (subscribe later with
    /// `aws sns subscribe`, see DEPLOY.md).
    #[serde(default)]
    pub emails: Vec<String>,
    /// A target group's p99 `TargetResponseTime` above this many milliseconds fires
    /// (1–600000). For streaming RPCs the ALB measures until the response headers, not the
    /// stream's end. Default: 1000.
    #[serde(default = "default_p99_ms")]
    #[schemars(range(min = 1, max = 600000))]
    pub p99_latency_ms: u32,
    /// Target-generated 5XX responses above this percentage of a target group's requests fire
    /// (above 0, at most 100). Default: 5.
    #[serde(default = "five")]
    #[schemars(range(min = 0, max = 100))]
    pub target_5xx_percent: f64,
    /// Load-balancer-generated 5XX (502/503/504) above this percentage of its requests fire
    /// (above 0, at most 100). Default: 5.
    #[serde(default = "five")]
    #[schemars(range(min = 0, max = 100))]
    pub elb_5xx_percent: f64,
    /// CloudFront `5xxErrorRate` above this percentage fires (above 0, at most 100; edge
    /// blueprints only). Default: 5.
    #[serde(default = "five")]
    #[schemars(range(min = 0, max = 100))]
    pub cloudfront_5xx_percent: f64,
    /// A web ACL blocking more than this many requests in one period fires (an attack, or a rule
    /// blocking real gRPC calls). At least 1. Default: 100.
    #[serde(default = "default_waf")]
    #[schemars(range(min = 1, max = 1000000000))]
    pub waf_blocked_requests: u64,
    /// Period of every alarm in seconds: 10, 20, 30 or a multiple of 60. Default: 60.
    #[serde(default = "default_period")]
    #[schemars(range(min = 10, max = 86400))]
    pub period_seconds: u32,
    /// Periods each alarm looks at (period × periods at most one day). Default: 5.
    #[serde(default = "default_periods")]
    #[schemars(range(min = 1, max = 1440))]
    pub evaluation_periods: u32,
    /// Breaching periods among them that fire (1 to `evaluation_periods`). Default: 3.
    #[serde(default = "default_datapoints")]
    #[schemars(range(min = 1, max = 1440))]
    pub datapoints_to_alarm: u32,
}

fn yes() -> bool {
    true
}
fn default_p99_ms() -> u32 {
    1000
}
fn five() -> f64 {
    5.0
}
fn default_waf() -> u64 {
    100
}
fn default_period() -> u32 {
    60
}
fn default_periods() -> u32 {
    5
}
fn default_datapoints() -> u32 {
    3
}

impl Default for AlarmsConfig {
    fn default() -> Self {
        AlarmsConfig {
            enabled: true,
            emails: Vec::new(),
            p99_latency_ms: default_p99_ms(),
            target_5xx_percent: five(),
            elb_5xx_percent: five(),
            cloudfront_5xx_percent: five(),
            waf_blocked_requests: default_waf(),
            period_seconds: default_period(),
            evaluation_periods: default_periods(),
            datapoints_to_alarm: default_datapoints(),
        }
    }
}

impl AlarmsConfig {
    /// Semantic checks beyond the schema, each at its field (`ptr` is the section, `/alarms`).
    pub fn check(&self, ptr: &str, errs: &mut Vec<ConfigError>) {
        if self.emails.len() > MAX_EMAILS {
            errs.push(ConfigError::at(
                format!("{ptr}/emails"),
                format!(
                    "{} email addresses; at most {MAX_EMAILS} (subscribe a mailing list instead)",
                    self.emails.len()
                ),
            ));
        }
        for (i, e) in self.emails.iter().enumerate() {
            let at = format!("{ptr}/emails/{i}");
            if let Err(m) = formwork_constructs::sns::check_email(e) {
                errs.push(ConfigError::at(&at, m));
            } else if self.emails[..i].iter().any(|o| o.eq_ignore_ascii_case(e)) {
                errs.push(ConfigError::at(&at, format!("`{e}` is listed twice")));
            }
        }
        for (field, v) in [
            ("target_5xx_percent", self.target_5xx_percent),
            ("elb_5xx_percent", self.elb_5xx_percent),
            ("cloudfront_5xx_percent", self.cloudfront_5xx_percent),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 100.0) {
                errs.push(ConfigError::at(
                    format!("{ptr}/{field}"),
                    format!("{v} is not a percentage above 0 and at most 100 (e.g. 5)"),
                ));
            }
        }
        let p = self.period_seconds;
        if !(matches!(p, 10 | 20 | 30) || (p > 0 && p.is_multiple_of(60))) {
            errs.push(ConfigError::at(
                format!("{ptr}/period_seconds"),
                format!("period {p} s: use 10, 20, 30 or a multiple of 60"),
            ));
        } else if u64::from(p) * u64::from(self.evaluation_periods) > 86_400 {
            errs.push(ConfigError::at(
                format!("{ptr}/evaluation_periods"),
                format!(
                    "{} periods of {p} s is more than one day (86400 s), the most CloudWatch evaluates",
                    self.evaluation_periods
                ),
            ));
        }
        if self.datapoints_to_alarm == 0 || self.datapoints_to_alarm > self.evaluation_periods {
            errs.push(ConfigError::at(
                format!("{ptr}/datapoints_to_alarm"),
                format!(
                    "{} breaching periods of {} evaluated: use 1 to evaluation_periods",
                    self.datapoints_to_alarm, self.evaluation_periods
                ),
            ));
        }
    }

    /// The thresholds of the construct library's gRPC presets.
    pub fn thresholds(&self) -> GrpcThresholds {
        GrpcThresholds {
            p99_latency_seconds: f64::from(self.p99_latency_ms) / 1000.0,
            target_5xx_percent: self.target_5xx_percent,
            elb_5xx_percent: self.elb_5xx_percent,
            cloudfront_5xx_percent: self.cloudfront_5xx_percent,
            waf_blocked_requests: self.waf_blocked_requests as f64,
            period_seconds: self.period_seconds,
            evaluation_periods: self.evaluation_periods,
            datapoints_to_alarm: self.datapoints_to_alarm,
        }
    }
}

/// Adds the alarm key (`AlarmKey`, usable by CloudWatch alarms), the topic (`AlarmTopic`, its
/// email subscriptions and publish policy) and the [`TOPIC_OUTPUT`] output to `root`'s stack.
/// `None` when alarms are off.
pub fn add_topic(
    root: &mut Scope<'_>,
    app: &str,
    cfg: &AlarmsConfig,
) -> Result<Option<Attr<TopicArn>>, Error> {
    if !cfg.enabled {
        return Ok(None);
    }
    let key = Key::new(
        root,
        "AlarmKey",
        KeyProps {
            description: Some(format!("{app}: alarm notifications (SNS)")),
            service_grants: vec![KeyServiceGrant::CloudWatchAlarms],
            ..KeyProps::default()
        },
    )?;
    let topic = Topic::new(
        root,
        "AlarmTopic",
        TopicProps {
            display_name: Some(format!("{app} alarms")),
            email_subscriptions: cfg.emails.clone(),
            ..TopicProps::new(key.arn.clone())
        },
    )?;
    root.stack().add_output(
        TOPIC_OUTPUT,
        Output::new(
            topic.arn.clone(),
            "SNS topic of the alarms (aws sns subscribe --protocol email)",
        ),
    )?;
    Ok(Some(topic.arn))
}

/// Adds `<prefix>BlockedSurge` on `acl` (of `root`'s stack) notifying `topic`.
pub fn add_web_acl_alarm(
    root: &mut Scope<'_>,
    prefix: &str,
    acl: &WebAclHandle,
    topic: &Attr<TopicArn>,
    cfg: &AlarmsConfig,
) -> Result<Vec<AlarmHandle>, Error> {
    // The ARN is `arn:…:<scope>/webacl/<name>/<id>`; the metric's `WebACL` dimension is the name.
    let name = Expr::select(2, Expr::split("/", acl.arn.expr().clone()));
    let scope = match acl.scope {
        WafScope::CloudFront => grpc::WafScope::CloudFront,
        _ => grpc::WafScope::Regional,
    };
    let presets = grpc::web_acl_alarms(&name, scope, &cfg.thresholds())
        .into_iter()
        .map(|(_, p)| (waf_alarm_id(prefix), p))
        .collect();
    grpc::add_alarms(root, presets, std::slice::from_ref(topic))
}

/// The logical id of the web ACL alarm [`add_web_acl_alarm`] adds with `prefix`.
pub fn waf_alarm_id(prefix: &str) -> String {
    format!("{prefix}BlockedSurge")
}

/// [`add_topic`] and, per `(prefix, acl)` of `root`'s stack, [`add_web_acl_alarm`]: what a
/// platform or edge stack gets. `None` when alarms are off.
pub fn add_topic_and_waf_alarms(
    root: &mut Scope<'_>,
    app: &str,
    cfg: &AlarmsConfig,
    acls: &[(&str, &WebAclHandle)],
) -> Result<Option<Attr<TopicArn>>, Error> {
    let Some(topic) = add_topic(root, app, cfg)? else {
        return Ok(None);
    };
    for (prefix, acl) in acls {
        add_web_acl_alarm(root, prefix, acl, &topic, cfg)?;
    }
    Ok(Some(topic))
}

/// A load balancer and the CloudFront distribution in front of it, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchedFrontend {
    /// PascalCase prefix of its alarms' logical ids, unique in the app (e.g. `ShopServices1`).
    pub id: String,
    /// `LoadBalancerFullName` of the ALB.
    pub load_balancer: Expr,
    /// The distribution id.
    pub distribution: Option<Expr>,
}

impl WatchedFrontend {
    /// The frontend of `lb` (and `distribution`).
    pub fn new(
        id: impl Into<String>,
        lb: &LoadBalancerHandle,
        distribution: Option<&DistributionHandle>,
    ) -> WatchedFrontend {
        WatchedFrontend {
            id: id.into(),
            load_balancer: lb.full_name.expr().clone(),
            distribution: distribution.map(|d| d.id.expr().clone()),
        }
    }
}

/// One service: its target group behind a frontend.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchedService {
    /// The service name (alarm ids are its PascalCase form; descriptions name it).
    pub name: String,
    /// `TargetGroupFullName` of its target group.
    pub target_group: Expr,
    /// Where its requests come in.
    pub frontend: WatchedFrontend,
}

impl WatchedService {
    /// Service `name` behind `frontend` in target group `tg`.
    pub fn new(name: &str, tg: &TargetGroupHandle, frontend: &WatchedFrontend) -> WatchedService {
        WatchedService {
            name: name.to_owned(),
            target_group: tg.full_name.expr().clone(),
            frontend: frontend.clone(),
        }
    }
}

/// What [`add_alarm_stacks`] adds.
#[derive(Debug, Clone)]
pub struct AlarmStacks<'a> {
    /// Blueprint name (stack descriptions).
    pub blueprint: &'a str,
    /// Application name: the stacks are `<app>-alarms-<n>` and `<app>-edge-alarms-<n>`.
    pub app: &'a str,
    /// The workload's Region.
    pub region: &'a str,
    /// Stack tags.
    pub tags: &'a Tags,
    /// The `alarms:` section.
    pub config: &'a AlarmsConfig,
    /// The topic in `region` (from [`add_topic`] in the platform stack).
    pub topic: Attr<TopicArn>,
    /// The topic in us-east-1, for distributions when `region` is another Region.
    pub edge_topic: Option<Attr<TopicArn>>,
    /// The services, in config order.
    pub services: Vec<WatchedService>,
}

/// The names of the stacks [`add_alarm_stacks`] adds, in deploy order: `services` services, of
/// which `edge_distributions` distributions are watched from us-east-1 (0 in us-east-1).
pub fn alarm_stack_names(
    app: &str,
    cfg: &AlarmsConfig,
    services: usize,
    edge_distributions: usize,
) -> Vec<String> {
    if !cfg.enabled {
        return Vec::new();
    }
    let regional = services.div_ceil(SERVICES_PER_ALARM_STACK);
    let edge = edge_distributions.div_ceil(DISTRIBUTIONS_PER_EDGE_ALARM_STACK);
    (1..=regional)
        .map(|n| format!("{app}-alarms-{n}"))
        .chain((1..=edge).map(|n| format!("{app}-edge-alarms-{n}")))
        .collect()
}

/// Adds the alarm stacks after the stacks already in `app` (nothing when alarms are off).
pub fn add_alarm_stacks(app: &mut App, plan: &AlarmStacks<'_>) -> Result<(), Error> {
    if !plan.config.enabled {
        return Ok(());
    }
    let t = plan.config.thresholds();
    let in_us_east_1 = plan.region == "us-east-1";
    let mut seen: Vec<&str> = Vec::new();
    let mut edge: Vec<&WatchedFrontend> = Vec::new();
    for (n, chunk) in plan.services.chunks(SERVICES_PER_ALARM_STACK).enumerate() {
        let name = format!("{}-alarms-{}", plan.app, n + 1);
        let what = format!("alarms and dashboard of {} gRPC service(s)", chunk.len());
        let st = new_stack(app, plan, &name, plan.region, &what)?;
        let mut root = st.root();
        let mut board = Board::default();
        for svc in chunk {
            let presets = grpc::target_group_alarms(
                &svc.name,
                &svc.target_group,
                &svc.frontend.load_balancer,
                &t,
            );
            let mut s = root.child(&pascal(&svc.name))?;
            let alarms = grpc::add_alarms(&mut s, presets, std::slice::from_ref(&plan.topic))?;
            board.add(&svc.name, &alarms, &["P99Latency", "Target5xxRate"]);
        }
        for svc in chunk {
            let f = &svc.frontend;
            if seen.contains(&f.id.as_str()) {
                continue;
            }
            seen.push(&f.id);
            let mut presets = grpc::load_balancer_alarms(&f.load_balancer, &t);
            match &f.distribution {
                Some(d) if in_us_east_1 => presets.extend(grpc::distribution_alarms(d, &t)),
                Some(_) => edge.push(f),
                None => {}
            }
            let mut s = root.child(&f.id)?;
            let alarms = grpc::add_alarms(&mut s, presets, std::slice::from_ref(&plan.topic))?;
            board.add(&f.id, &alarms, &["Elb5xxRate", "CloudFront5xxRate"]);
        }
        board.finish(&mut root, &name)?;
    }
    if edge.is_empty() {
        return Ok(());
    }
    let topic = plan.edge_topic.clone().ok_or_else(|| Error::Stack {
        stack: plan.app.to_owned(),
        message: "CloudFront alarms outside us-east-1 need the edge stack's alarm topic".into(),
    })?;
    for (n, chunk) in edge.chunks(DISTRIBUTIONS_PER_EDGE_ALARM_STACK).enumerate() {
        let name = format!("{}-edge-alarms-{}", plan.app, n + 1);
        let what = format!(
            "alarms and dashboard of {} CloudFront distribution(s) (us-east-1 metrics)",
            chunk.len()
        );
        let st = new_stack(app, plan, &name, "us-east-1", &what)?;
        let mut root = st.root();
        let mut board = Board::default();
        for f in chunk {
            let Some(d) = &f.distribution else { continue };
            let mut s = root.child(&f.id)?;
            let presets = grpc::distribution_alarms(d, &t);
            let alarms = grpc::add_alarms(&mut s, presets, std::slice::from_ref(&topic))?;
            board.add(&f.id, &alarms, &["CloudFront5xxRate"]);
        }
        board.finish(&mut root, &name)?;
    }
    Ok(())
}

fn new_stack<'a>(
    app: &'a mut App,
    plan: &AlarmStacks<'_>,
    name: &str,
    region: &str,
    what: &str,
) -> Result<&'a mut Stack, Error> {
    let st = app.add_stack(name, Env::region(region))?;
    st.set_description(format!(
        "formwork {}: {} — {what}",
        plan.blueprint, plan.app
    ));
    for (k, v) in plan.tags {
        st.add_tag(k, v);
    }
    Ok(st)
}

/// The dashboard of one alarm stack: what to read first, the state of every alarm, then the
/// graphs of the alarms that measure rates and latency.
#[derive(Default)]
struct Board {
    all: Vec<AlarmHandle>,
    graphs: Vec<Widget>,
}

impl Board {
    /// Records `alarms` of `what`; those whose logical id ends in one of `graphed` get a graph.
    fn add(&mut self, what: &str, alarms: &[AlarmHandle], graphed: &[&str]) {
        for a in alarms {
            if let Some(kind) = graphed.iter().find(|g| a.logical_id().ends_with(*g)) {
                self.graphs.push(Widget::AlarmGraph {
                    title: format!("{what}: {kind}"),
                    alarm: a.arn.clone(),
                });
            }
        }
        self.all.extend(alarms.iter().cloned());
    }

    fn finish(self, root: &mut Scope<'_>, name: &str) -> Result<(), Error> {
        let mut widgets = vec![
            Widget::Text {
                markdown: format!(
                    "## {name}\nEach alarm's description says what firing means and what to check first; DEPLOY.md, section *Alarms*, has the full runbook."
                ),
            },
            Widget::Alarms {
                title: "Alarm states".into(),
                alarms: self.all.iter().map(|a| a.arn.clone()).collect(),
            },
        ];
        widgets.extend(self.graphs);
        Dashboard::new(
            root,
            "Dashboard",
            DashboardProps {
                name: Some(name.into()),
                widgets,
            },
        )?;
        Ok(())
    }
}

mod runbook;
pub use runbook::{AlarmLayout, HTTP_STATUS_NOTE, WatchedWaf, reference, runbook_step};

#[cfg(test)]
mod tests;
