//! `formwork deploy` of `grpc-ecs-alb`'s regional stacks (`<name>` and `<name>-services-1`, the
//! same stacks `grpc-ecs-edge` deploys in its Region, minus CloudFront) against moto's server,
//! through the real binary and the real AWS CLI (`.tools/moto/bin/aws`, moto 5.2.5): first
//! deploy, the cluster, task definition, service and target group read back with the AWS CLI,
//! a no-op redeploy, and an update (a new image tag: the task definition is replaced by a new
//! revision and the service updated).
//!
//! The templates are the blueprint's own, synthesized with `--cross-stack parameters` (moto has
//! no `Fn::GetStackOutput`), minus what moto 5.2.5 has no CloudFormation model for, removed by
//! [`moto_subset`] and named exactly by the test: `AWS::WAFv2::WebACL` and
//! `WebACLAssociation`, `AWS::S3::BucketPolicy`, `AWS::ApplicationAutoScaling::ScalableTarget`
//! and `ScalingPolicy` (outputs that read them become a literal). The config turns `alarms:` off:
//! `<name>-alarms-1` reads the service stack's outputs, which moto does not keep for a stack it
//! created from a change set, and moto has no model for `AWS::CloudWatch::Alarm` (the alarm
//! stacks are covered by the snapshots and the oracles); the KMS key's `Tags` are
//! dropped (moto 5.2.5 fails on them with `KeyError: 'TagKey'`). The HTTPS listener needs a
//! certificate moto knows, so the config uses one requested from moto's ACM.
//!
//! moto 5.2.5 also accepts but does not model some properties it does have resources for:
//! the task definition's `Cpu`, `NetworkMode`, `RuntimePlatform`, `RequiresCompatibilities`
//! and roles; the service's `LoadBalancers`, `CapacityProviderStrategy`,
//! `NetworkConfiguration` and deployment settings; the target group's `ProtocolVersion`; the
//! cluster's `ClusterSettings`; on a stack update it builds the new task definition revision
//! without the container's fields and keeps the service on the old revision. Those (and the
//! scaling resources) are asserted on the deployed template (`get-template`), the rest on what
//! the AWS CLI reads back. As in `deploy_moto.rs`, the first stack is created once with
//! `create-stack` (a stack moto creates from a change set has no outputs) and formwork updates
//! it.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::deploy_moto::{Moto, outputs, run, text};
use crate::support::{temp_dir, tool};

/// What moto 5.2.5 has no CloudFormation model for.
const MOTO_LACKS: &[&str] = &[
    "AWS::WAFv2::WebACL",
    "AWS::WAFv2::WebACLAssociation",
    "AWS::S3::BucketPolicy",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
];

fn references(v: &Value, ids: &[String]) -> bool {
    match v {
        Value::Object(m) => {
            m.get("Ref")
                .and_then(Value::as_str)
                .is_some_and(|r| ids.iter().any(|i| i == r))
                || m.get("Fn::GetAtt")
                    .and_then(|a| a.get(0))
                    .and_then(Value::as_str)
                    .is_some_and(|r| ids.iter().any(|i| i == r))
                || m.values().any(|x| references(x, ids))
        }
        Value::Array(a) => a.iter().any(|x| references(x, ids)),
        _ => false,
    }
}

/// Rewrites every `*.template.json` of `dir` to what moto can deploy; returns `Id (Type)` of
/// each resource removed, sorted.
fn moto_subset(dir: &Path) -> Vec<String> {
    let mut removed = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if !p.to_string_lossy().ends_with(".template.json") {
            continue;
        }
        let mut t: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let res = t["Resources"].as_object_mut().unwrap();
        let gone: Vec<String> = res
            .iter()
            .filter(|(_, r)| MOTO_LACKS.contains(&r["Type"].as_str().unwrap_or("")))
            .map(|(k, _)| k.clone())
            .collect();
        for id in &gone {
            removed.push(format!("{id} ({})", res[id]["Type"].as_str().unwrap()));
            res.remove(id);
        }
        for r in res.values_mut() {
            if r["Type"] == "AWS::KMS::Key" {
                r["Properties"].as_object_mut().unwrap().remove("Tags");
            }
            if let Some(d) = r.get_mut("DependsOn").and_then(Value::as_array_mut) {
                d.retain(|x| !gone.iter().any(|g| x == g.as_str()));
            }
        }
        if let Some(outs) = t.get_mut("Outputs").and_then(Value::as_object_mut) {
            for o in outs.values_mut() {
                if references(&o["Value"], &gone) {
                    o["Value"] = json!("not-modelled-by-moto");
                }
            }
        }
        std::fs::write(&p, serde_json::to_string(&t).unwrap()).unwrap();
    }
    removed.sort();
    removed
}

fn json_of(o: &std::process::Output) -> Value {
    assert!(o.status.success(), "{}", text(o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn ecs_stacks_deploy_against_moto() {
    let (Some(server), Some(aws)) = (tool("moto/bin/moto_server"), tool("moto/bin/aws")) else {
        return;
    };
    let moto = Moto::start(&server);
    let env = moto.env();
    let d = temp_dir("deploy-moto-ecs");
    let fw = PathBuf::from(env!("CARGO_BIN_EXE_formwork"));
    let aws_s = aws.display().to_string();
    let cli = |args: &[&str]| {
        json_of(&run(
            &d,
            &aws,
            &args
                .iter()
                .chain(&["--output", "json"])
                .copied()
                .collect::<Vec<_>>(),
            &env,
        ))
    };
    let deploy = |dir: &str| {
        run(
            &d,
            &fw,
            &["deploy", dir, "--aws-cli", &aws_s, "--poll-seconds", "1"],
            &env,
        )
    };
    let cert = cli(&[
        "acm",
        "request-certificate",
        "--domain-name",
        "orders.example.com",
    ]);
    let cert = cert["CertificateArn"].as_str().unwrap().to_owned();
    let example = formwork_blueprints::find("grpc-ecs-alb").unwrap().example;
    let config = |tag: &str| {
        let mut lines: Vec<String> = example
            .lines()
            .map(|l| {
                if l.starts_with("certificate_arn:") {
                    format!("certificate_arn: {cert}")
                } else {
                    l.replace("image_tag: \"1.0.0\"", &format!("image_tag: \"{tag}\""))
                }
            })
            .collect();
        // The alarm stack reads the service stack's outputs, which moto has not for a stack it
        // created from a change set (and it has no model for AWS::CloudWatch::Alarm): off here.
        lines.push("alarms: {enabled: false}".to_owned());
        lines.push(String::new());
        lines.join("\n")
    };
    let synth = |name: &str, tag: &str| -> Value {
        std::fs::write(d.join(format!("{name}.yaml")), config(tag)).unwrap();
        let o = run(
            &d,
            &fw,
            &[
                "synth",
                "-c",
                &format!("{name}.yaml"),
                "-o",
                name,
                "--cross-stack",
                "parameters",
            ],
            &env,
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let real: Value = serde_json::from_str(
            &std::fs::read_to_string(d.join(name).join("orders-services-1.template.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            moto_subset(&d.join(name)),
            [
                "AlbWafAssociation (AWS::WAFv2::WebACLAssociation)",
                "LogsPolicy (AWS::S3::BucketPolicy)",
                "OrdersScalingCpu (AWS::ApplicationAutoScaling::ScalingPolicy)",
                "OrdersScalingTarget (AWS::ApplicationAutoScaling::ScalableTarget)",
                "RegionalWaf (AWS::WAFv2::WebACL)",
            ],
            "exactly these are not deployed on moto"
        );
        real
    };

    // 0. The platform stack is created directly (moto: no outputs for change-set stacks).
    let real = synth("v1", "1.0.0");
    let o = run(
        &d,
        &aws,
        &[
            "cloudformation",
            "create-stack",
            "--stack-name",
            "orders",
            "--template-body",
            "file://v1/orders.template.json",
        ],
        &env,
    );
    assert!(o.status.success(), "{}", text(&o));
    let platform = outputs(&d, &aws, &env, "orders");
    assert_eq!(platform["ClusterName"], "orders");
    let repo_uri = platform["OrdersRepositoryUri"].as_str().unwrap().to_owned();
    assert!(repo_uri.ends_with("/orders/orders"), "{repo_uri}");

    // 1. formwork deploy: the platform is unchanged, the service stack is new and gets the
    //    platform's outputs as parameters.
    let o = deploy("v1");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("diff: no resource changes"), "{err}");
    assert!(err.contains("not deployed yet: first deploy"), "{err}");
    assert!(err.contains("ClusterName=orders"), "{err}");
    assert!(
        err.contains("CREATE_COMPLETE AWS::CloudFormation::Stack orders-services-1"),
        "{err}"
    );

    // The cluster, the task definition, the service and the target group, read back.
    let clusters = cli(&["ecs", "describe-clusters", "--clusters", "orders"]);
    assert_eq!(clusters["clusters"][0]["status"], "ACTIVE");
    let services = cli(&["ecs", "list-services", "--cluster", "orders"]);
    let service_arn = services["serviceArns"][0].as_str().unwrap().to_owned();
    assert!(service_arn.contains("OrdersService"), "{service_arn}");
    let svc = &cli(&[
        "ecs",
        "describe-services",
        "--cluster",
        "orders",
        "--services",
        &service_arn,
    ])["services"][0];
    assert_eq!(svc["status"], "ACTIVE");
    let td_arn = svc["taskDefinition"].as_str().unwrap().to_owned();
    assert!(
        td_arn.ends_with("task-definition/orders-orders:1"),
        "{td_arn}"
    );
    let td = &cli(&[
        "ecs",
        "describe-task-definition",
        "--task-definition",
        &td_arn,
    ])["taskDefinition"];
    assert_eq!(td["family"], "orders-orders");
    assert_eq!(td["memory"], "2048");
    let c = &td["containerDefinitions"][0];
    assert_eq!(c["name"], "orders-orders");
    assert_eq!(c["image"], format!("{repo_uri}:1.0.0"));
    assert_eq!(
        c["portMappings"][0],
        json!({"containerPort": 50051, "protocol": "tcp", "name": "grpc", "appProtocol": "grpc"})
    );
    assert_eq!(c["readonlyRootFilesystem"], true);
    assert_eq!(c["user"], "65532");
    assert_eq!(c["essential"], true);
    assert_eq!(c["logConfiguration"]["logDriver"], "awslogs");
    let group = c["logConfiguration"]["options"]["awslogs-group"]
        .as_str()
        .unwrap()
        .to_owned();
    let groups = cli(&[
        "logs",
        "describe-log-groups",
        "--log-group-name-prefix",
        &group,
    ]);
    assert_eq!(groups["logGroups"][0]["logGroupName"], group.as_str());
    let tgs = cli(&["elbv2", "describe-target-groups"]);
    let tg = &tgs["TargetGroups"][0];
    assert_eq!(tg["Port"], 50051);
    assert_eq!(tg["TargetType"], "ip");
    assert_eq!(tg["HealthCheckPath"], "/grpc.health.v1.Health/Check");
    assert_eq!(tg["Matcher"], json!({"GrpcCode": "0"}));
    let lb_arn = tg["LoadBalancerArns"][0].as_str().unwrap().to_owned();
    let listeners = cli(&[
        "elbv2",
        "describe-listeners",
        "--load-balancer-arn",
        &lb_arn,
    ]);
    let l = &listeners["Listeners"][0];
    assert_eq!(l["Protocol"], "HTTPS");
    assert_eq!(l["Port"], 443);
    assert_eq!(l["Certificates"][0]["CertificateArn"], cert.as_str());
    let repos = cli(&[
        "ecr",
        "describe-repositories",
        "--repository-names",
        "orders/orders",
    ]);
    assert_eq!(repos["repositories"][0]["imageTagMutability"], "IMMUTABLE");

    // What moto accepts without modelling it, on the deployed template.
    let deployed = cli(&[
        "cloudformation",
        "get-template",
        "--stack-name",
        "orders-services-1",
        "--template-stage",
        "Original",
    ]);
    let body = match &deployed["TemplateBody"] {
        Value::String(s) => serde_json::from_str(s).unwrap(),
        v => v.clone(),
    };
    let r = &body["Resources"];
    let tdp = &r["OrdersTask"]["Properties"];
    assert_eq!(tdp["Cpu"], "1024");
    assert_eq!(tdp["NetworkMode"], "awsvpc");
    assert_eq!(tdp["RequiresCompatibilities"], json!(["FARGATE"]));
    assert_eq!(tdp["RuntimePlatform"]["CpuArchitecture"], "X86_64");
    let sp = &r["OrdersService"]["Properties"];
    assert_eq!(sp["LoadBalancers"][0]["ContainerPort"], 50051);
    assert_eq!(sp["LoadBalancers"][0]["ContainerName"], "orders-orders");
    assert_eq!(
        sp["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"],
        "DISABLED"
    );
    assert_eq!(
        sp["DeploymentConfiguration"]["DeploymentCircuitBreaker"],
        json!({"Enable": true, "Rollback": true})
    );
    assert_eq!(sp["EnableExecuteCommand"], false);
    assert_eq!(
        r["OrdersTargetGroup"]["Properties"]["ProtocolVersion"],
        "GRPC"
    );
    // ... and what moto cannot deploy at all, on the synthesized template.
    let rr = &real["Resources"];
    let target = &rr["OrdersScalingTarget"]["Properties"];
    assert_eq!(target["MinCapacity"], 2);
    assert_eq!(target["MaxCapacity"], 10);
    assert_eq!(target["ScalableDimension"], "ecs:service:DesiredCount");
    let policy = &rr["OrdersScalingCpu"]["Properties"]["TargetTrackingScalingPolicyConfiguration"];
    assert_eq!(policy["TargetValue"], 70.0);
    assert_eq!(
        policy["PredefinedMetricSpecification"]["PredefinedMetricType"],
        "ECSServiceAverageCPUUtilization"
    );
    assert!(rr["AlbWafAssociation"].is_object());

    // 2. No-op redeploy.
    let o = deploy("v1");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("diff: no resource changes").count(), 2, "{err}");
    assert_eq!(
        err.to_lowercase().matches("no changes to deploy").count(),
        2,
        "{err}"
    );

    // 3. An update: a new image tag is a new task definition revision (the old one is
    //    deregistered); the service, which references it, is updated in place.
    synth("v2", "1.0.1");
    let o = deploy("v2");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("diff: 1 updated, 1 replaced"), "{err}");
    let tds = cli(&["ecs", "list-task-definitions"]);
    assert_eq!(
        tds["taskDefinitionArns"],
        json!([td_arn.replace("orders-orders:1", "orders-orders:2")]),
        "{tds}"
    );
    let td2 = tds["taskDefinitionArns"][0].as_str().unwrap().to_owned();
    let td =
        &cli(&["ecs", "describe-task-definition", "--task-definition", &td2])["taskDefinition"];
    assert_eq!(td["family"], "orders-orders");
    assert_eq!(td["memory"], "2048");
    // moto 5.2.5 builds the replacement revision without the container's fields (image, ports
    // …: its CloudFormation update path drops them), so the new image is checked on the
    // deployed template.
    let deployed = cli(&[
        "cloudformation",
        "get-template",
        "--stack-name",
        "orders-services-1",
        "--template-stage",
        "Original",
    ]);
    let body: Value = match &deployed["TemplateBody"] {
        Value::String(s) => serde_json::from_str(s).unwrap(),
        v => v.clone(),
    };
    assert_eq!(
        body["Resources"]["OrdersTask"]["Properties"]["ContainerDefinitions"][0]["Image"]["Fn::Sub"]
            [0],
        "${Uri}:1.0.1"
    );
    // moto 5.2.5 keeps the service on the old revision after a CloudFormation update;
    // CloudFormation moves it because the service references the task definition:
    assert_eq!(sp["TaskDefinition"], json!({"Ref": "OrdersTask"}));
}
