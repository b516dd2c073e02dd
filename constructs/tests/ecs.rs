//! ecs + applicationautoscaling: one Fargate gRPC service (cluster, task definition, roles,
//! service on an ALB gRPC target group, target tracking on CPU and requests), its snapshot,
//! cfn-lint (0/0), checkov and formwork validation; the inputs the constructs refuse.

mod common;

use common::assert_construct_error;
use formwork_constructs::applicationautoscaling::*;
use formwork_constructs::core::{Env, Expr, Stack};
use formwork_constructs::ec2::{SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
use formwork_constructs::ecr::{Repository, RepositoryProps};
use formwork_constructs::ecs::*;
use formwork_constructs::elbv2::{GrpcTargetGroup, GrpcTargetGroupProps};
use formwork_constructs::kms::{Key, KeyProps, KeyServiceGrant};
use formwork_constructs::logs::{LogGroup, LogGroupHandle, LogGroupProps};

fn log_group(root: &mut formwork_constructs::core::Scope<'_>) -> LogGroupHandle {
    let key = Key::new(
        root,
        "LogKey",
        KeyProps {
            description: Some("ECS task logs".into()),
            service_grants: vec![KeyServiceGrant::CloudWatchLogs {
                log_group_arn: Expr::sub(
                    "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*",
                ),
            }],
            ..KeyProps::default()
        },
    )
    .unwrap();
    LogGroup::new(
        root,
        "Logs",
        LogGroupProps {
            kms_key: Some(key.arn.clone()),
            ..LogGroupProps::default()
        },
    )
    .unwrap()
}

fn task_props(lg: LogGroupHandle) -> FargateTaskDefinitionProps {
    FargateTaskDefinitionProps::new(
        "greeter",
        Expr::str("public.ecr.aws/x/greeter:1"),
        50051,
        lg,
    )
}

fn build() -> Stack {
    let mut st = Stack::new("EcsOracle", Env::region("eu-west-1")).unwrap();
    let mut root = st.root();
    let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default()).unwrap();
    let lg = log_group(&mut root);
    let repo = Repository::new(&mut root, "Repo", RepositoryProps::default()).unwrap();
    let sg = SecurityGroup::new(
        &mut root,
        "TaskSg",
        &vpc.id,
        "gRPC tasks",
        SecurityGroupProps::default(),
    )
    .unwrap();
    let tg = GrpcTargetGroup::new(
        &mut root,
        "Tg",
        &vpc.id,
        50051,
        GrpcTargetGroupProps::default(),
    )
    .unwrap();
    let cluster = Cluster::new(&mut root, "Cluster", ClusterProps::default()).unwrap();
    let task = FargateTaskDefinition::new(
        &mut root,
        "Task",
        FargateTaskDefinitionProps {
            image: Expr::sub_with("${Uri}:v1", vec![("Uri".into(), (&repo.uri).into())]),
            ecr_repository_arn: Some(repo.arn.clone()),
            cpu: 1024,
            memory_mib: 3072,
            health_check: ContainerHealthCheck::GrpcHealthProbe {
                path: "/bin/grpc_health_probe".into(),
            },
            ..task_props(lg)
        },
    )
    .unwrap();
    let service = FargateService::new(
        &mut root,
        "Service",
        &cluster,
        &task,
        FargateServiceProps {
            subnets: vpc.private_subnets.iter().map(|s| s.id.clone()).collect(),
            security_groups: vec![sg.id.clone()],
            capacity: CapacitySplit {
                spot_weight: 3,
                ..CapacitySplit::default()
            },
            target_groups: vec![TargetGroupBinding {
                target_group_arn: tg.arn.clone(),
            }],
            ..FargateServiceProps::default()
        },
    )
    .unwrap();
    ServiceScaling::new(
        &mut root,
        "Scaling",
        &cluster,
        &service,
        ServiceScalingProps::default(),
    )
    .unwrap();
    st
}

#[test]
fn snapshot_of_the_oracle_stack() {
    common::snapshot("ecs_oracle_stack", &build());
}

#[test]
fn settings_that_matter_for_grpc_on_fargate() {
    let t = build().to_template().unwrap();
    let res = &t["Resources"];
    let svc = &res["Service"]["Properties"];
    assert_eq!(svc["EnableExecuteCommand"], false);
    assert_eq!(
        svc["DeploymentConfiguration"]["DeploymentCircuitBreaker"]["Rollback"],
        true
    );
    assert_eq!(
        svc["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"],
        "DISABLED"
    );
    assert_eq!(svc["LoadBalancers"][0]["ContainerPort"], 50051);
    assert_eq!(svc["HealthCheckGracePeriodSeconds"], 60);
    assert_eq!(
        svc["CapacityProviderStrategy"][1]["CapacityProvider"],
        "FARGATE_SPOT"
    );
    let td = &res["Task"]["Properties"];
    assert_eq!(td["NetworkMode"], "awsvpc");
    assert_eq!(td["Cpu"], "1024");
    assert_eq!(td["Memory"], "3072");
    assert_eq!(td["RuntimePlatform"]["CpuArchitecture"], "ARM64");
    let c = &td["ContainerDefinitions"][0];
    assert_eq!(c["ReadonlyRootFilesystem"], true);
    assert_eq!(c["User"], "65532");
    assert_eq!(c["PortMappings"][0]["AppProtocol"], "grpc");
    assert_eq!(
        c["HealthCheck"]["Command"],
        serde_json::json!(["CMD", "/bin/grpc_health_probe", "-addr=localhost:50051"])
    );
    assert_eq!(
        res["Cluster"]["Properties"]["ClusterSettings"][0]["Value"],
        "enabled"
    );
    assert_eq!(
        res["ScalingCpu"]["Properties"]["PolicyType"],
        "TargetTrackingScaling"
    );
    // The execution role pulls from the one repository only.
    let pull =
        &res["TaskExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][1];
    assert_eq!(
        pull["Resource"],
        serde_json::json!({"Fn::GetAtt": ["Repo", "Arn"]})
    );
}

#[test]
fn cfn_lint_is_clean() {
    let Some(lint) = common::tool("cfnlint/bin/cfn-lint") else {
        return;
    };
    let dir = common::TempDir::new("ecs-oracle");
    common::assert_cfn_lint_clean(&lint, &dir.render(&build()));
}

#[test]
fn checkov_is_clean() {
    let Some(checkov) = common::tool("checkov/bin/checkov") else {
        return;
    };
    let dir = common::TempDir::new("ecs-oracle-checkov");
    common::assert_checkov_clean(&checkov, &dir.render(&build()));
}

#[test]
fn formwork_validation_is_clean() {
    common::assert_formwork_valid(&build());
}

#[test]
fn fargate_sizes_are_the_documented_ones() {
    assert_eq!(fargate_memory_options(256), vec![512, 1024, 2048]);
    assert_eq!(fargate_memory_options(2048).len(), 13);
    assert_eq!(fargate_memory_options(8192).first(), Some(&16384));
    assert_eq!(fargate_memory_options(8192).last(), Some(&61440));
    assert_eq!(fargate_memory_options(16384).last(), Some(&122880));
    assert!(fargate_memory_options(300).is_empty());
}

#[test]
fn task_definition_invariants() {
    let mut st = common::stack();
    let mut root = st.root();
    let lg = log_group(&mut root);
    let bad = |props: FargateTaskDefinitionProps| props;
    assert_construct_error(
        FargateTaskDefinition::new(
            &mut root,
            "Cpu",
            bad(FargateTaskDefinitionProps {
                cpu: 300,
                ..task_props(lg.clone())
            }),
        ),
        "Test/Cpu",
        "Fargate accepts one of [256, 512, 1024, 2048, 4096, 8192, 16384]",
    );
    assert_construct_error(
        FargateTaskDefinition::new(
            &mut root,
            "Mem",
            FargateTaskDefinitionProps {
                cpu: 256,
                memory_mib: 4096,
                ..task_props(lg.clone())
            },
        ),
        "Test/Mem",
        "memory_mib is 4096 for cpu 256; Fargate accepts one of [512, 1024, 2048]",
    );
    assert_construct_error(
        FargateTaskDefinition::new(
            &mut root,
            "Shell",
            FargateTaskDefinitionProps {
                health_check: ContainerHealthCheck::Exec(vec![
                    "CMD-SHELL".into(),
                    "curl localhost".into(),
                ]),
                ..task_props(lg.clone())
            },
        ),
        "Test/Shell",
        "needs a shell",
    );
    assert_construct_error(
        FargateTaskDefinition::new(
            &mut root,
            "Probe",
            FargateTaskDefinitionProps {
                health_check: ContainerHealthCheck::GrpcHealthProbe {
                    path: "grpc_health_probe".into(),
                },
                ..task_props(lg.clone())
            },
        ),
        "Test/Probe",
        "must be absolute",
    );
    assert_construct_error(
        FargateTaskDefinition::new(
            &mut root,
            "Start",
            FargateTaskDefinitionProps {
                start_period_seconds: 301,
                ..task_props(lg)
            },
        ),
        "Test/Start",
        "0–300",
    );
}

#[test]
fn service_and_scaling_invariants() {
    let mut st = common::stack();
    let mut root = st.root();
    let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default()).unwrap();
    let lg = log_group(&mut root);
    let sg = SecurityGroup::new(
        &mut root,
        "Sg",
        &vpc.id,
        "tasks",
        SecurityGroupProps::default(),
    )
    .unwrap();
    let tg = GrpcTargetGroup::new(
        &mut root,
        "Tg",
        &vpc.id,
        50051,
        GrpcTargetGroupProps::default(),
    )
    .unwrap();
    let cluster = Cluster::new(&mut root, "Cluster", ClusterProps::default()).unwrap();
    let task = FargateTaskDefinition::new(
        &mut root,
        "Task",
        FargateTaskDefinitionProps {
            start_period_seconds: 120,
            ..task_props(lg)
        },
    )
    .unwrap();
    let base = FargateServiceProps {
        subnets: vpc.private_subnets.iter().map(|s| s.id.clone()).collect(),
        security_groups: vec![sg.id.clone()],
        target_groups: vec![TargetGroupBinding {
            target_group_arn: tg.arn.clone(),
        }],
        ..FargateServiceProps::default()
    };
    assert_construct_error(
        FargateService::new(&mut root, "Grace", &cluster, &task, base.clone()),
        "Test/Grace",
        "health_check_grace_period_seconds is 60 but the container may take 120 s to start",
    );
    assert_construct_error(
        FargateService::new(
            &mut root,
            "NoNet",
            &cluster,
            &task,
            FargateServiceProps {
                subnets: vec![],
                ..base.clone()
            },
        ),
        "Test/NoNet",
        "at least one subnet",
    );
    assert_construct_error(
        FargateService::new(
            &mut root,
            "Pct",
            &cluster,
            &task,
            FargateServiceProps {
                maximum_percent: 250,
                ..base.clone()
            },
        ),
        "Test/Pct",
        "100–200",
    );
    let svc = FargateService::new(
        &mut root,
        "Ok",
        &cluster,
        &task,
        FargateServiceProps {
            health_check_grace_period_seconds: 120,
            ..base
        },
    )
    .unwrap();
    assert_construct_error(
        ServiceScaling::new(
            &mut root,
            "MinMax",
            &cluster,
            &svc,
            ServiceScalingProps {
                min_tasks: 5,
                max_tasks: 2,
                ..ServiceScalingProps::default()
            },
        ),
        "Test/MinMax",
        "min_tasks 5 / max_tasks 2",
    );
    assert_construct_error(
        ServiceScaling::new(
            &mut root,
            "NoPolicy",
            &cluster,
            &svc,
            ServiceScalingProps {
                cpu_target_percent: None,
                ..ServiceScalingProps::default()
            },
        ),
        "Test/NoPolicy",
        "needs a CPU target",
    );
}

#[test]
fn request_count_policy_labels_the_alb_and_target_group() {
    use formwork_constructs::elbv2::{ApplicationLoadBalancer, ApplicationLoadBalancerProps};
    let mut st = common::stack();
    let mut root = st.root();
    let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default()).unwrap();
    let lg = log_group(&mut root);
    let sg = SecurityGroup::new(
        &mut root,
        "Sg",
        &vpc.id,
        "tasks",
        SecurityGroupProps::default(),
    )
    .unwrap();
    let alb = ApplicationLoadBalancer::new(
        &mut root,
        "Alb",
        &vpc,
        &sg,
        ApplicationLoadBalancerProps::default(),
    )
    .unwrap();
    let tg = GrpcTargetGroup::new(
        &mut root,
        "Tg",
        &vpc.id,
        50051,
        GrpcTargetGroupProps::default(),
    )
    .unwrap();
    let cluster = Cluster::new(&mut root, "Cluster", ClusterProps::default()).unwrap();
    let task = FargateTaskDefinition::new(&mut root, "Task", task_props(lg)).unwrap();
    let svc = FargateService::new(
        &mut root,
        "Svc",
        &cluster,
        &task,
        FargateServiceProps {
            subnets: vpc.private_subnets.iter().map(|s| s.id.clone()).collect(),
            security_groups: vec![sg.id.clone()],
            target_groups: vec![TargetGroupBinding {
                target_group_arn: tg.arn.clone(),
            }],
            ..FargateServiceProps::default()
        },
    )
    .unwrap();
    let scaling = ServiceScaling::new(
        &mut root,
        "Scale",
        &cluster,
        &svc,
        ServiceScalingProps {
            cpu_target_percent: None,
            request_count: Some(RequestCountTarget {
                requests_per_target: 500,
                load_balancer_full_name: alb.full_name.clone(),
                target_group_full_name: tg.full_name.clone(),
            }),
            ..ServiceScalingProps::default()
        },
    )
    .unwrap();
    assert_eq!(scaling.policies.len(), 1);
    let t = st.to_template().unwrap();
    let cfg =
        &t["Resources"]["ScaleRequests"]["Properties"]["TargetTrackingScalingPolicyConfiguration"];
    assert_eq!(cfg["TargetValue"], 500.0);
    let spec = &cfg["PredefinedMetricSpecification"];
    assert_eq!(spec["PredefinedMetricType"], "ALBRequestCountPerTarget");
    assert_eq!(
        spec["ResourceLabel"],
        serde_json::json!({"Fn::Join": ["/", [
            {"Fn::GetAtt": ["Alb", "LoadBalancerFullName"]},
            {"Fn::GetAtt": ["Tg", "TargetGroupFullName"]}
        ]]})
    );
}

#[test]
fn service_connect_and_scaled_count() {
    let mut st = common::stack();
    let mut root = st.root();
    let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default()).unwrap();
    let lg = log_group(&mut root);
    let sg = SecurityGroup::new(
        &mut root,
        "Sg",
        &vpc.id,
        "tasks",
        SecurityGroupProps::default(),
    )
    .unwrap();
    let cluster = Cluster::new(&mut root, "Cluster", ClusterProps::default()).unwrap();
    let task = FargateTaskDefinition::new(&mut root, "Task", task_props(lg)).unwrap();
    FargateService::new(
        &mut root,
        "Svc",
        &cluster,
        &task,
        FargateServiceProps {
            subnets: vpc.private_subnets.iter().map(|s| s.id.clone()).collect(),
            security_groups: vec![sg.id.clone()],
            desired_count: None,
            service_connect: Some(ServiceConnect {
                namespace: "shop.internal".into(),
                dns_name: "greeter".into(),
            }),
            ..FargateServiceProps::default()
        },
    )
    .unwrap();
    let t = st.to_template().unwrap();
    let svc = &t["Resources"]["Svc"]["Properties"];
    assert!(svc.get("DesiredCount").is_none(), "left to scaling");
    assert!(svc.get("LoadBalancers").is_none());
    let sc = &svc["ServiceConnectConfiguration"];
    assert_eq!(sc["Enabled"], true);
    assert_eq!(sc["Namespace"], "shop.internal");
    assert_eq!(sc["Services"][0]["PortName"], "grpc");
    assert_eq!(sc["Services"][0]["DiscoveryName"], "greeter");
    assert_eq!(
        sc["Services"][0]["ClientAliases"][0],
        serde_json::json!({"DnsName": "greeter", "Port": 50051})
    );
    // The port name Service Connect refers to is the task's mapping.
    assert_eq!(
        t["Resources"]["Task"]["Properties"]["ContainerDefinitions"][0]["PortMappings"][0]["Name"],
        "grpc"
    );
    // The task role is assumed only for tasks of this account and Region.
    let trust = &t["Resources"]["TaskTaskRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        [0]["Condition"];
    assert_eq!(
        trust["StringEquals"]["aws:SourceAccount"],
        serde_json::json!({"Ref": "AWS::AccountId"})
    );
    assert!(trust["ArnLike"]["aws:SourceArn"].is_object());
    common::assert_formwork_valid(&st);
}
