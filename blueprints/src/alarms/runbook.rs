//! What `DEPLOY.md` says about the alarms: the topics, the dashboards and one entry per kind of
//! alarm, whose text is the alarm's own description (from the construct library's presets, with
//! the configured thresholds) with `<service>` standing for the service's name.

use formwork_assembly::OutputRef;
use formwork_assembly::runbook::{AlarmDoc, AlarmsStep};
use formwork_constructs::cloudwatch::AlarmProps;
use formwork_constructs::cloudwatch::grpc;
use formwork_constructs::core::Expr;
use formwork_constructs::wafv2::WafScope;

use super::{AlarmsConfig, alarm_stack_names};

/// A web ACL whose `BlockedRequests` alarm ([`super::add_web_acl_alarm`]) is in `stack`.
#[derive(Debug, Clone, Copy)]
pub struct WatchedWaf<'a> {
    /// The prefix given to [`super::add_web_acl_alarm`] (`RegionalWaf`).
    pub prefix: &'a str,
    /// The stack holding the ACL and the alarm.
    pub stack: &'a str,
    /// The ACL's scope.
    pub scope: WafScope,
}

/// The alarm layout of a deployment, for the runbook.
#[derive(Debug, Clone)]
pub struct AlarmLayout<'a> {
    /// Application name.
    pub app: &'a str,
    /// The workload's Region.
    pub region: &'a str,
    /// The topics' outputs, the workload's Region first.
    pub topics: Vec<OutputRef>,
    /// The web ACLs' alarms.
    pub wafs: Vec<WatchedWaf<'a>>,
    /// Number of services.
    pub services: usize,
    /// Logical-id prefixes of the frontends (one load balancer each), in order.
    pub frontends: Vec<String>,
    /// Whether each frontend has a CloudFront distribution.
    pub cloudfront: bool,
}

/// The runbook's alarm section; `None` when alarms are off.
pub fn runbook_step(cfg: &AlarmsConfig, l: &AlarmLayout<'_>) -> Option<AlarmsStep> {
    if !cfg.enabled {
        return None;
    }
    let t = cfg.thresholds();
    let x = Expr::str("x");
    let in_us_east_1 = l.region == "us-east-1";
    let edge_distributions = if l.cloudfront && !in_us_east_1 {
        l.frontends.len()
    } else {
        0
    };
    let mut alarms = Vec::new();
    for w in &l.wafs {
        let (scope, kind) = match w.scope {
            WafScope::CloudFront => (grpc::WafScope::CloudFront, "the CLOUDFRONT-scope web ACL"),
            _ => (
                grpc::WafScope::Regional,
                "the load balancers' REGIONAL web ACL",
            ),
        };
        push(
            &mut alarms,
            super::waf_alarm_id(w.prefix),
            format!("`{}`, on {kind}", w.stack),
            grpc::web_acl_alarms(&x, scope, &t),
        );
    }
    let stacks = format!("`{}-alarms-<n>`", l.app);
    for (id, props) in grpc::target_group_alarms("<service>", &x, &x, &t) {
        push(
            &mut alarms,
            format!("<Service>{id}"),
            format!("{stacks}, one per service"),
            vec![(id, props)],
        );
    }
    let frontends = match l.frontends.as_slice() {
        [one] => format!("; `<Frontend>` is `{one}`"),
        [first, .., last] => format!("; `<Frontend>` is `{first}` … `{last}`"),
        [] => String::new(),
    };
    for (id, props) in grpc::load_balancer_alarms(&x, &t) {
        push(
            &mut alarms,
            format!("<Frontend>{id}"),
            format!(
                "{stacks}, one per load balancer, in the stack of its first service{frontends}"
            ),
            vec![(id, props)],
        );
    }
    if l.cloudfront {
        let scope = if in_us_east_1 {
            format!("{stacks}, one per distribution, beside its load balancer's")
        } else {
            format!(
                "`{}-edge-alarms-<n>`, in us-east-1 where CloudFront's metrics are, one per distribution",
                l.app
            )
        };
        for (id, props) in grpc::distribution_alarms(&x, &t) {
            push(
                &mut alarms,
                format!("<Frontend>{id}"),
                scope.clone(),
                vec![(id, props)],
            );
        }
    }
    Some(AlarmsStep {
        topics: l.topics.clone(),
        emails: cfg.emails.clone(),
        dashboards: alarm_stack_names(l.app, cfg, l.services, edge_distributions),
        alarms,
        notes: vec![HTTP_STATUS_NOTE.to_owned()],
    })
}

/// Every kind of alarm with the default thresholds, for the blueprint READMEs: `<name>` is
/// the application, `<Acl>` a web ACL's id; the CloudFront ones apply to edge blueprints only.
pub fn reference() -> Vec<AlarmDoc> {
    let layout = AlarmLayout {
        app: "<name>",
        region: "<region>",
        topics: Vec::new(),
        wafs: vec![
            WatchedWaf {
                prefix: "<Acl>",
                stack: "<name>",
                scope: WafScope::Regional,
            },
            WatchedWaf {
                prefix: "<Acl>",
                stack: "<name>-edge",
                scope: WafScope::CloudFront,
            },
        ],
        services: 1,
        frontends: Vec::new(),
        cloudfront: true,
    };
    let mut docs = runbook_step(&AlarmsConfig::default(), &layout)
        .map(|s| s.alarms)
        .unwrap_or_default();
    for d in &mut docs {
        if d.scope.contains("CLOUDFRONT") || d.id.contains("CloudFront") {
            d.scope = format!("with CloudFront: {}", d.scope);
        }
    }
    docs
}

/// What the runbook and the READMEs add below the list of alarms.
pub const HTTP_STATUS_NOTE: &str = "The 5XX rates count HTTP status codes. A gRPC server reports most errors as `grpc-status` in the trailers of an HTTP 200 response, so those are not in them: watch them with the service's own metrics (or the ALB access logs).";

fn push(out: &mut Vec<AlarmDoc>, id: String, scope: String, presets: Vec<(String, AlarmProps)>) {
    for (_, p) in presets {
        out.push(AlarmDoc {
            id: id.clone(),
            scope: scope.clone(),
            description: p.description,
        });
    }
}
