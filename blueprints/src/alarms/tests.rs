use formwork_constructs::assertions::Template;
use formwork_constructs::core::{App, Env, Expr};
use serde_json::json;

use super::*;

fn parse(yaml: &str) -> AlarmsConfig {
    let v = crate::config::parse_yaml(yaml.as_bytes()).expect("yaml");
    crate::config::deserialize(&v).expect("alarms config")
}

fn errors(cfg: &AlarmsConfig) -> Vec<(String, String)> {
    let mut errs = Vec::new();
    cfg.check("/alarms", &mut errs);
    errs.into_iter().map(|e| (e.pointer, e.message)).collect()
}

#[test]
fn defaults_are_on_with_documented_thresholds() {
    let cfg = parse("{}");
    assert_eq!(cfg, AlarmsConfig::default());
    assert!(cfg.enabled && cfg.emails.is_empty());
    assert!(errors(&cfg).is_empty());
    let t = cfg.thresholds();
    assert_eq!(t.p99_latency_seconds, 1.0);
    assert_eq!((t.target_5xx_percent, t.elb_5xx_percent), (5.0, 5.0));
    assert_eq!(t.waf_blocked_requests, 100.0);
    assert_eq!(t, GrpcThresholds::default(), "the presets' defaults");
}

#[test]
fn custom_thresholds_reach_the_presets() {
    let cfg = parse(
        "p99_latency_ms: 250\ntarget_5xx_percent: 1.5\nperiod_seconds: 300\nevaluation_periods: 3\ndatapoints_to_alarm: 2\n",
    );
    assert!(errors(&cfg).is_empty());
    let t = cfg.thresholds();
    assert_eq!(t.p99_latency_seconds, 0.25);
    assert_eq!(t.target_5xx_percent, 1.5);
    assert_eq!(
        (
            t.period_seconds,
            t.evaluation_periods,
            t.datapoints_to_alarm
        ),
        (300, 3, 2)
    );
    assert!(t.check().is_ok());
}

#[test]
fn bad_values_are_refused_at_their_field() {
    let cfg = parse(
        "emails: [oncall@example.com, not-an-address, ONCALL@example.com]\ntarget_5xx_percent: 0\nelb_5xx_percent: 150\nperiod_seconds: 45\ndatapoints_to_alarm: 9\n",
    );
    let errs = errors(&cfg);
    let at = |p: &str| {
        errs.iter()
            .find(|(ptr, _)| ptr == p)
            .map(|(_, m)| m.as_str())
            .unwrap_or_else(|| panic!("no error at {p}: {errs:?}"))
    };
    assert!(at("/alarms/emails/1").contains("`not-an-address` is not an email address"));
    assert_eq!(
        at("/alarms/emails/2"),
        "`ONCALL@example.com` is listed twice"
    );
    assert!(at("/alarms/target_5xx_percent").starts_with("0 is not a percentage"));
    assert!(at("/alarms/elb_5xx_percent").starts_with("150 is not a percentage"));
    assert_eq!(
        at("/alarms/period_seconds"),
        "period 45 s: use 10, 20, 30 or a multiple of 60"
    );
    assert!(at("/alarms/datapoints_to_alarm").contains("9 breaching periods of 5"));
    assert_eq!(errs.len(), 6, "{errs:?}");
    let long = parse("period_seconds: 3600\nevaluation_periods: 25\ndatapoints_to_alarm: 1\n");
    assert_eq!(
        errors(&long),
        vec![(
            "/alarms/evaluation_periods".to_owned(),
            "25 periods of 3600 s is more than one day (86400 s), the most CloudWatch evaluates"
                .to_owned()
        )]
    );
    let many = AlarmsConfig {
        emails: (0..21).map(|i| format!("p{i}@example.com")).collect(),
        ..AlarmsConfig::default()
    };
    assert!(
        errors(&many)[0]
            .1
            .starts_with("21 email addresses; at most 20")
    );
}

/// A platform stack with the topic, and `n` services behind frontends of 10 services each
/// (every frontend with a distribution when `edge`).
fn build(region: &str, n: usize, edge: bool, cfg: &AlarmsConfig) -> Result<App, Error> {
    let mut app = App::new();
    let (topic, edge_topic) = {
        let st = app.add_stack("shop", Env::region(region))?;
        let topic = add_topic(&mut st.root(), "shop", cfg)?;
        let edge_topic = if edge && region != "us-east-1" {
            let st = app.add_stack("shop-edge", Env::region("us-east-1"))?;
            add_topic(&mut st.root(), "shop", cfg)?
        } else {
            None
        };
        (topic, edge_topic)
    };
    let services = (0..n)
        .map(|i| {
            let f = i / 10 + 1;
            WatchedService {
                name: format!("svc{i}"),
                target_group: Expr::str(format!("targetgroup/svc{i}/0123456789abcdef")),
                frontend: WatchedFrontend {
                    id: format!("ShopServices{f}"),
                    load_balancer: Expr::str(format!("app/shop-{f}/0123456789abcdef")),
                    distribution: edge.then(|| Expr::str(format!("E{f}EXAMPLE"))),
                },
            }
        })
        .collect();
    let tags = Tags::new();
    if let Some(topic) = topic {
        add_alarm_stacks(
            &mut app,
            &AlarmStacks {
                blueprint: "grpc-eks-edge",
                app: "shop",
                region,
                tags: &tags,
                config: cfg,
                topic,
                edge_topic,
                services,
            },
        )?;
    }
    Ok(app)
}

/// The synthesized template of stack `i` (cross-stack references wired).
fn template(app: &App, i: usize) -> Template {
    Template::new(app.synthesize().expect("synthesizes")[i].template.clone())
}

fn names(app: &App) -> Vec<String> {
    app.stacks().iter().map(|s| s.name().to_owned()).collect()
}

#[test]
fn alarm_stacks_hold_eight_services_and_follow_what_they_watch() {
    let cfg = AlarmsConfig::default();
    let app = build("eu-west-1", 23, true, &cfg).unwrap();
    let mut expected = vec!["shop".to_owned(), "shop-edge".to_owned()];
    expected.extend(alarm_stack_names("shop", &cfg, 23, 3));
    assert_eq!(names(&app), expected);
    assert_eq!(
        &expected[2..],
        [
            "shop-alarms-1",
            "shop-alarms-2",
            "shop-alarms-3",
            "shop-edge-alarms-1"
        ]
    );
    let t = |i: usize| template(&app, i);
    // 8 services × 4 alarms + the load balancer of their frontend.
    t(2).resource_count_is("AWS::CloudWatch::Alarm", 33);
    t(2).resource_count_is("AWS::CloudWatch::Dashboard", 1);
    t(2).has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"MetricName": "TargetResponseTime", "Dimensions": [
            {"Name": "TargetGroup", "Value": "targetgroup/svc0/0123456789abcdef"},
            {"Name": "LoadBalancer", "Value": "app/shop-1/0123456789abcdef"}]}),
    );
    t(4).resource_count_is("AWS::CloudWatch::Alarm", 7 * 4 + 1);
    // CloudFront metrics live in us-east-1: the three distributions' alarms are there.
    let e = t(5);
    e.resource_count_is("AWS::CloudWatch::Alarm", 3);
    e.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"Namespace": "AWS/CloudFront", "AlarmActions": [{"Fn::GetStackOutput": {
            "StackName": "shop-edge", "OutputName": "AlarmTopicArn"}}]}),
    );
    assert_eq!(app.stacks()[5].region(), Some("us-east-1"));
    let v = t(2);
    let ids: Vec<String> = v
        .find_resources("AWS::CloudWatch::Alarm", &json!({}))
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    for id in [
        "Svc0UnhealthyHosts",
        "Svc0NoHealthyHosts",
        "Svc0Target5xxRate",
        "Svc0P99Latency",
        "ShopServices1Elb5xxRate",
    ] {
        assert!(ids.contains(&id.to_owned()), "{id} in {ids:?}");
    }
    v.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"AlarmActions": [{"Fn::GetStackOutput": {
            "StackName": "shop", "OutputName": "AlarmTopicArn"}}]}),
    );
    v.has_resource_properties(
        "AWS::CloudWatch::Dashboard",
        json!({"DashboardName": "shop-alarms-1"}),
    );
    app.synthesize().expect("deploy order and references hold");
}

#[test]
fn in_us_east_1_cloudfront_alarms_stay_with_their_load_balancer() {
    let cfg = AlarmsConfig::default();
    let app = build("us-east-1", 12, true, &cfg).unwrap();
    assert_eq!(
        names(&app),
        ["shop", "shop-alarms-1", "shop-alarms-2"],
        "no edge stacks"
    );
    assert_eq!(alarm_stack_names("shop", &cfg, 12, 0), names(&app)[1..]);
    let t = template(&app, 2);
    t.resource_count_is("AWS::CloudWatch::Alarm", 4 * 4 + 2);
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"MetricName": "5xxErrorRate", "Dimensions": [
            {"Name": "DistributionId", "Value": "E2EXAMPLE"}, {"Name": "Region", "Value": "Global"}]}),
    );
}

#[test]
fn emails_become_subscriptions_and_disabled_emits_nothing() {
    let cfg = parse("emails: [oncall@example.com, team@example.org]");
    let app = build("eu-west-1", 2, false, &cfg).unwrap();
    let t = template(&app, 0);
    t.resource_count_is("AWS::SNS::Topic", 1);
    t.resource_count_is("AWS::SNS::Subscription", 2);
    t.has_resource_properties(
        "AWS::SNS::Subscription",
        json!({"Protocol": "email", "Endpoint": "team@example.org"}),
    );
    t.has_output(TOPIC_OUTPUT, json!({"Value": {"Ref": "AlarmTopic"}}));
    let off = parse("enabled: false\nemails: [oncall@example.com]");
    let app = build("eu-west-1", 2, true, &off).unwrap();
    assert_eq!(names(&app), ["shop", "shop-edge"]);
    for i in 0..2 {
        let t = template(&app, i);
        t.resource_count_is("AWS::SNS::Topic", 0);
        t.resource_count_is("AWS::KMS::Key", 0);
    }
    assert!(alarm_stack_names("shop", &off, 2, 1).is_empty());
}

#[test]
fn web_acl_alarm_reads_the_name_from_the_arn() {
    use formwork_constructs::wafv2::{WebAcl, WebAclProps};
    let mut app = App::new();
    let st = app.add_stack("shop", Env::region("eu-west-1")).unwrap();
    let mut root = st.root();
    let cfg = AlarmsConfig::default();
    let topic = add_topic(&mut root, "shop", &cfg).unwrap().unwrap();
    let acl = WebAcl::regional(&mut root, "RegionalWaf", WebAclProps::default()).unwrap();
    let a = add_web_acl_alarm(&mut root, "RegionalWaf", &acl, &topic, &cfg).unwrap();
    assert_eq!(a[0].logical_id(), "RegionalWafBlockedSurge");
    let t = Template::from_stack(&app.stacks()[0]).unwrap();
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"Namespace": "AWS/WAFV2", "MetricName": "BlockedRequests", "Dimensions": [
            {"Name": "WebACL", "Value": {"Fn::Select": [2, {"Fn::Split": ["/", {"Fn::GetAtt": ["RegionalWaf", "Arn"]}]}]}},
            {"Name": "Rule", "Value": "ALL"},
            {"Name": "Region", "Value": {"Ref": "AWS::Region"}}]}),
    );
}

#[test]
fn a_distribution_outside_us_east_1_needs_the_edge_topic() {
    let cfg = AlarmsConfig::default();
    let mut app = App::new();
    let st = app.add_stack("shop", Env::region("eu-west-1")).unwrap();
    let topic = add_topic(&mut st.root(), "shop", &cfg).unwrap().unwrap();
    let tags = Tags::new();
    let f = WatchedFrontend {
        id: "Front".into(),
        load_balancer: Expr::str("app/x/1"),
        distribution: Some(Expr::str("E1")),
    };
    let plan = AlarmStacks {
        blueprint: "grpc-eks-edge",
        app: "shop",
        region: "eu-west-1",
        tags: &tags,
        config: &cfg,
        topic,
        edge_topic: None,
        services: vec![WatchedService {
            name: "a".into(),
            target_group: Expr::str("targetgroup/a/1"),
            frontend: f,
        }],
    };
    let e = add_alarm_stacks(&mut app, &plan).unwrap_err();
    assert!(e.to_string().contains("edge stack's alarm topic"), "{e}");
}

/// The `grpc-eks-alb` example with `alarms` appended, built; its stacks' templates by name.
fn eks_alb(alarms: &str) -> Vec<(String, Template)> {
    let text = format!("{}\nalarms:\n{alarms}", crate::grpc_eks::ALB.example);
    let opts = formwork_assembly::SynthOptions::default();
    let (_, asm) = crate::load_and_build(text.as_bytes(), &opts).expect("builds");
    let app = asm.app.expect("in memory");
    app.synthesize()
        .expect("synthesizes")
        .into_iter()
        .map(|s| (s.name, Template::new(s.template)))
        .collect()
}

#[test]
fn the_eks_blueprint_wires_topic_alarm_stack_and_thresholds() {
    let stacks = eks_alb("  emails: [oncall@example.com]\n  p99_latency_ms: 250\n");
    let names: Vec<&str> = stacks.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["greeter", "greeter-services-1", "greeter-alarms-1"]);
    let platform = &stacks[0].1;
    platform.resource_count_is("AWS::SNS::Topic", 1);
    platform.has_resource_properties(
        "AWS::SNS::Subscription",
        json!({"Protocol": "email", "Endpoint": "oncall@example.com"}),
    );
    platform.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"Namespace": "AWS/WAFV2", "MetricName": "BlockedRequests"}),
    );
    let alarms = &stacks[2].1;
    alarms.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"MetricName": "TargetResponseTime", "Threshold": 0.25, "Dimensions": [
            {"Name": "TargetGroup", "Value": {"Fn::GetStackOutput": {
                "StackName": "greeter-services-1", "OutputName": "GreeterTargetGroupTargetGroupFullName"}}},
            {"Name": "LoadBalancer", "Value": {"Fn::GetStackOutput": {
                "StackName": "greeter-services-1", "OutputName": "AlbLoadBalancerFullName"}}}]}),
    );
    alarms.resource_count_is("AWS::CloudWatch::Alarm", 5);
    alarms.resource_count_is("AWS::CloudWatch::Dashboard", 1);
}

#[test]
fn the_eks_blueprint_without_alarms_has_no_alarm_stack_topic_or_alarm() {
    let stacks = eks_alb("  enabled: false\n");
    let names: Vec<&str> = stacks.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["greeter", "greeter-services-1"]);
    for (_, t) in &stacks {
        t.resource_count_is("AWS::SNS::Topic", 0);
        t.resource_count_is("AWS::CloudWatch::Alarm", 0);
        assert!(t.find_outputs("FullName").is_empty());
    }
}

#[test]
fn the_runbook_lists_topics_dashboards_and_every_kind_of_alarm() {
    let cfg = parse("emails: [oncall@example.com]\ntarget_5xx_percent: 2\n");
    let layout = AlarmLayout {
        app: "shop",
        region: "eu-west-1",
        topics: vec![formwork_assembly::OutputRef::new("shop", TOPIC_OUTPUT)],
        wafs: vec![WatchedWaf {
            prefix: "RegionalWaf",
            stack: "shop",
            scope: formwork_constructs::wafv2::WafScope::Regional,
        }],
        services: 9,
        frontends: vec!["ShopServices1".into(), "ShopServices2".into()],
        cloudfront: true,
    };
    let step = runbook_step(&cfg, &layout).expect("alarms on");
    assert_eq!(step.emails, ["oncall@example.com"]);
    assert_eq!(
        step.dashboards,
        ["shop-alarms-1", "shop-alarms-2", "shop-edge-alarms-1"]
    );
    let ids: Vec<&str> = step.alarms.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "RegionalWafBlockedSurge",
            "<Service>UnhealthyHosts",
            "<Service>NoHealthyHosts",
            "<Service>Target5xxRate",
            "<Service>P99Latency",
            "<Frontend>Elb5xxRate",
            "<Frontend>CloudFront5xxRate"
        ]
    );
    let t5 = &step.alarms[3];
    assert!(
        t5.description.contains("more than 2% of requests"),
        "{t5:?}"
    );
    assert!(
        step.alarms[5]
            .scope
            .ends_with("`<Frontend>` is `ShopServices1` … `ShopServices2`")
    );
    assert!(step.notes[0].contains("grpc-status"));
    let off = parse("enabled: false");
    assert!(runbook_step(&off, &layout).is_none());
    assert!(
        reference()
            .iter()
            .all(|d| !d.scope.contains("CloudFront") || d.scope.starts_with("with CloudFront"))
    );
}
