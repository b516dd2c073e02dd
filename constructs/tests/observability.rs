//! sns and cloudwatch: the encrypted alarm topic, alarms (metric and metric math), dashboards,
//! the gRPC presets, the invariants they refuse, and the oracles (cfn-lint, checkov).

mod common;

use common::{assert_construct_error, snapshot, stack, stack_in};
use formwork_constructs::assertions::Template;
use formwork_constructs::cloudwatch::grpc::*;
use formwork_constructs::cloudwatch::*;
use formwork_constructs::core::{Expr, Stack};
use formwork_constructs::kms::*;
use formwork_constructs::sns::*;
use serde_json::json;

fn topic(st: &mut Stack, emails: &[&str]) -> TopicHandle {
    let mut root = st.root();
    let key = Key::new(
        &mut root,
        "AlarmKey",
        KeyProps {
            service_grants: vec![KeyServiceGrant::CloudWatchAlarms],
            ..KeyProps::default()
        },
    )
    .unwrap();
    Topic::new(
        &mut root,
        "AlarmTopic",
        TopicProps {
            display_name: Some("formwork alarms".into()),
            email_subscriptions: emails.iter().map(|e| e.to_string()).collect(),
            ..TopicProps::new(key.arn.clone())
        },
    )
    .unwrap()
}

/// A regional alarm stack: topic, per-TG and ELB presets, a regional WAF alarm, a dashboard.
fn regional() -> Stack {
    let mut st = stack();
    let t = topic(&mut st, &["oncall@example.com", "team@example.org"]);
    let tg = Expr::sub("targetgroup/payments-${AWS::StackName}/0123456789abcdef");
    let lb = Expr::str("app/grpc/0123456789abcdef");
    let th = GrpcThresholds::default();
    let mut root = st.root();
    let mut presets = target_group_alarms("payments", &tg, &lb, &th);
    presets.extend(load_balancer_alarms(&lb, &th));
    presets.extend(web_acl_alarms(
        &Expr::str("grpc-regional"),
        WafScope::Regional,
        &th,
    ));
    let alarms = add_alarms(&mut root, presets, std::slice::from_ref(&t.arn)).unwrap();
    let mut widgets = target_group_widgets("payments", &tg, &lb, 60);
    widgets.push(Widget::Alarms {
        title: "payments alarms".into(),
        alarms: alarms.iter().map(|a| a.arn.clone()).collect(),
    });
    widgets.push(Widget::AlarmGraph {
        title: "payments p99 latency".into(),
        alarm: alarms[3].arn.clone(),
    });
    widgets.push(Widget::Text {
        markdown: "Runbook: see DEPLOY.md, section Alarms".into(),
    });
    Dashboard::new(
        &mut root,
        "Dashboard",
        DashboardProps {
            name: Some("grpc-payments".into()),
            widgets,
        },
    )
    .unwrap();
    st
}

/// The us-east-1 edge alarm stack: topic, CloudFront 5xxErrorRate, CLOUDFRONT-scope WAF.
fn edge() -> Stack {
    let mut st = stack_in("us-east-1");
    let t = topic(&mut st, &[]);
    let th = GrpcThresholds::default();
    let mut presets = distribution_alarms(&Expr::str("E2EXAMPLE123"), &th);
    presets.extend(web_acl_alarms(
        &Expr::str("grpc-edge"),
        WafScope::CloudFront,
        &th,
    ));
    add_alarms(&mut st.root(), presets, std::slice::from_ref(&t.arn)).unwrap();
    st
}

#[test]
fn topic_is_encrypted_subscribed_and_lets_cloudwatch_publish() {
    let st = regional();
    let t = Template::from_stack(&st).unwrap();
    t.resource_count_is("AWS::SNS::Topic", 1);
    t.has_resource_properties(
        "AWS::SNS::Topic",
        json!({"KmsMasterKeyId": {"Fn::GetAtt": ["AlarmKey", "Arn"]}}),
    );
    t.resource_count_is("AWS::SNS::Subscription", 2);
    t.has_resource_properties(
        "AWS::SNS::Subscription",
        json!({"Protocol": "email", "Endpoint": "team@example.org", "TopicArn": {"Ref": "AlarmTopic"}}),
    );
    let policy = t.find_resources("AWS::SNS::TopicPolicy", &json!({}));
    assert_eq!(policy.len(), 1);
    let stmts = &policy[0].1["Properties"]["PolicyDocument"]["Statement"];
    assert_eq!(
        stmts[0]["Principal"],
        json!({"Service": "cloudwatch.amazonaws.com"})
    );
    assert_eq!(stmts[0]["Action"], json!("sns:Publish"));
    assert_eq!(stmts[1]["Effect"], json!("Deny"));
    let key = t.find_resources("AWS::KMS::Key", &json!({}));
    let ks = &key[0].1["Properties"]["KeyPolicy"]["Statement"][1];
    assert_eq!(ks["Sid"], json!("CloudWatchAlarms"));
    assert_eq!(ks["Action"], json!(["kms:Decrypt", "kms:GenerateDataKey*"]));
    assert!(ks["Condition"]["StringEquals"]["aws:SourceAccount"].is_object());
}

#[test]
fn presets_render_the_grpc_alarms() {
    let st = regional();
    let t = Template::from_stack(&st).unwrap();
    t.resource_count_is("AWS::CloudWatch::Alarm", 6);
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"MetricName": "UnHealthyHostCount", "Statistic": "Maximum",
               "ComparisonOperator": "GreaterThanThreshold", "Threshold": 0.0,
               "AlarmActions": [{"Ref": "AlarmTopic"}], "OKActions": [{"Ref": "AlarmTopic"}]}),
    );
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"MetricName": "HealthyHostCount", "ComparisonOperator": "LessThanThreshold",
               "Threshold": 1.0, "TreatMissingData": "breaching"}),
    );
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"MetricName": "TargetResponseTime", "ExtendedStatistic": "p99", "Threshold": 1.0}),
    );
    let math = t.find_resources("AWS::CloudWatch::Alarm", &json!({"Threshold": 5.0}));
    assert_eq!(math.len(), 2, "target and ELB 5XX rates");
    for (_, r) in &math {
        let q = &r["Properties"]["Metrics"];
        assert_eq!(
            q[0]["Expression"],
            json!("IF(req > 0, 100 * FILL(err, 0) / req, 0)")
        );
        assert_eq!(q[0]["ReturnData"], json!(true));
        assert_eq!(
            q[2]["MetricStat"]["Metric"]["MetricName"],
            json!("RequestCount")
        );
    }
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"Namespace": "AWS/WAFV2", "Dimensions": [
            {"Name": "WebACL", "Value": "grpc-regional"}, {"Name": "Rule", "Value": "ALL"},
            {"Name": "Region", "Value": {"Ref": "AWS::Region"}}]}),
    );
    let e = Template::from_stack(&edge()).unwrap();
    e.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"Namespace": "AWS/CloudFront", "MetricName": "5xxErrorRate", "Dimensions": [
            {"Name": "DistributionId", "Value": "E2EXAMPLE123"}, {"Name": "Region", "Value": "Global"}]}),
    );
    e.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({"Namespace": "AWS/WAFV2", "Dimensions": [
            {"Name": "WebACL", "Value": "grpc-edge"}, {"Name": "Rule", "Value": "ALL"}]}),
    );
}

#[test]
fn dashboard_body_is_typed_json_with_deploy_time_values() {
    let st = regional();
    let t = Template::from_stack(&st).unwrap();
    let d = t.find_resources("AWS::CloudWatch::Dashboard", &json!({}));
    assert_eq!(d.len(), 1);
    let text = d[0].1["Properties"]["DashboardBody"]["Fn::Sub"]
        .as_str()
        .expect("a plain Fn::Sub: every value is of this stack");
    // The alarm ARNs are written inline as `${Id.Arn}`; the body is JSON once substituted.
    for id in ["UnhealthyHosts", "P99Latency", "WafBlockedSurge"] {
        assert!(text.contains(&format!("${{{id}.Arn}}")), "{id} inline");
    }
    let mut resolved = text.to_string();
    for (id, _) in t.find_resources("AWS::CloudWatch::Alarm", &json!({})) {
        resolved = resolved.replace(
            &format!("${{{id}.Arn}}"),
            "arn:aws:cloudwatch:eu-west-1:1:alarm:x",
        );
    }
    let body: serde_json::Value = serde_json::from_str(
        &resolved
            .replace("${AWS::Region}", "eu-west-1")
            .replace("${AWS::StackName}", "s"),
    )
    .unwrap();
    let w = body["widgets"].as_array().unwrap();
    assert_eq!(w.len(), 5);
    assert_eq!(w[3]["type"], json!("metric"));
    assert_eq!(
        w[3]["properties"]["annotations"]["alarms"],
        json!(["arn:aws:cloudwatch:eu-west-1:1:alarm:x"])
    );
    assert_eq!(w[1]["x"], json!(12));
    assert_eq!(w[2]["y"], json!(6));
    assert_eq!(
        w[0]["properties"]["metrics"][0][0],
        json!("AWS/ApplicationELB")
    );
    assert_eq!(
        w[1]["properties"]["metrics"][0][6],
        json!({"stat": "p99", "period": 60})
    );
}

#[test]
fn snapshots() {
    snapshot("observability_regional", &regional());
    snapshot("observability_edge", &edge());
}

fn metric() -> Metric {
    Metric::new("AWS/ApplicationELB", "RequestCount", Stat::Sum, 60)
}

fn alarm(props: AlarmProps) -> Result<AlarmHandle, formwork_constructs::core::Error> {
    let mut st = stack();
    Alarm::new(&mut st.root(), "A", props)
}

#[test]
fn invalid_input_is_refused_with_the_field() {
    let ok = AlarmProps::new(
        "d",
        AlarmSource::Metric(metric()),
        Comparison::GreaterThan,
        1.0,
    );
    assert!(alarm(ok.clone()).is_ok());
    let cases: Vec<(AlarmProps, &str)> = vec![
        (
            AlarmProps {
                description: " ".into(),
                ..ok.clone()
            },
            "description must say",
        ),
        (
            AlarmProps {
                threshold: f64::NAN,
                ..ok.clone()
            },
            "finite",
        ),
        (
            AlarmProps {
                datapoints_to_alarm: 6,
                ..ok.clone()
            },
            "datapoints_to_alarm is 6; use 1–5",
        ),
        (
            AlarmProps {
                evaluation_periods: 0,
                datapoints_to_alarm: 0,
                ..ok.clone()
            },
            "evaluation_periods must be at least 1",
        ),
        (
            AlarmProps {
                source: AlarmSource::Metric(Metric {
                    period_seconds: 45,
                    ..metric()
                }),
                ..ok.clone()
            },
            "period 45 s must be 10, 20, 30 or a multiple of 60",
        ),
        (
            AlarmProps {
                source: AlarmSource::Metric(Metric {
                    stat: Stat::Percentile(100.0),
                    ..metric()
                }),
                ..ok.clone()
            },
            "percentile 100",
        ),
        (
            AlarmProps {
                source: AlarmSource::Metric(Metric {
                    period_seconds: 3600,
                    ..metric()
                }),
                evaluation_periods: 25,
                ..ok.clone()
            },
            "90000 s",
        ),
        (
            AlarmProps {
                source: AlarmSource::Math {
                    expression: "m1 * 2".into(),
                    label: "x".into(),
                    period_seconds: 60,
                    metrics: vec![("M1".into(), metric())],
                },
                ..ok.clone()
            },
            "metric id `M1`",
        ),
        (
            AlarmProps {
                source: AlarmSource::Math {
                    expression: "a * 2".into(),
                    label: "x".into(),
                    period_seconds: 60,
                    metrics: vec![("b".into(), metric())],
                },
                ..ok.clone()
            },
            "`b` is not used",
        ),
        (
            AlarmProps {
                source: AlarmSource::Math {
                    expression: "a".into(),
                    label: "x".into(),
                    period_seconds: 60,
                    metrics: vec![],
                },
                ..ok.clone()
            },
            "1–10 metrics",
        ),
    ];
    for (p, needle) in cases {
        assert_construct_error(alarm(p), "Test/A", needle);
    }
    let mut st = stack();
    let key = Key::new(&mut st.root(), "K", KeyProps::default()).unwrap();
    for (i, (bad, needle)) in [
        ("oncall", "`oncall` is not an email"),
        ("a@b", "`a@b` is not"),
        ("a b@c.com", "not an email"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("T{i}");
        let r = Topic::new(
            &mut st.root(),
            &id,
            TopicProps {
                email_subscriptions: vec![bad.into()],
                ..TopicProps::new(key.arn.clone())
            },
        );
        assert_construct_error(r, &format!("Test/{id}"), needle);
    }
    let r = Dashboard::new(
        &mut st.root(),
        "D",
        DashboardProps {
            name: Some("bad name".into()),
            widgets: vec![Widget::Text {
                markdown: "x".into(),
            }],
        },
    );
    assert_construct_error(r, "Test/D", "dashboard name `bad name`");
    let r = Dashboard::new(
        &mut st.root(),
        "E",
        DashboardProps {
            name: None,
            widgets: vec![],
        },
    );
    assert_construct_error(r, "Test/E", "1–500 widgets");
    let bad = GrpcThresholds {
        target_5xx_percent: 0.0,
        ..GrpcThresholds::default()
    };
    assert_eq!(
        bad.check().unwrap_err(),
        "target_5xx_percent is 0; use a percentage above 0 and at most 100"
    );
    let bad = GrpcThresholds {
        datapoints_to_alarm: 9,
        ..GrpcThresholds::default()
    };
    assert!(bad.check().unwrap_err().contains("datapoints_to_alarm 9"));
    assert!(GrpcThresholds::default().check().is_ok());
}

#[test]
fn oracles_pass() {
    let (Some(lint), Some(checkov)) = (
        common::tool("cfnlint/bin/cfn-lint"),
        common::tool("checkov/bin/checkov"),
    ) else {
        return;
    };
    let dir = common::TempDir::new("observability");
    for st in [regional(), edge()] {
        common::assert_formwork_valid(&st);
        let file = dir.render(&st);
        common::assert_cfn_lint_clean(&lint, &file);
        common::assert_checkov_clean(&checkov, &file);
    }
}
