//! `grpc-ecs-*`: the config mistakes the checks refuse (each at its JSON pointer), and the
//! settings that matter in the built stacks — Service Connect, scaling without a fixed count,
//! Spot share, the task's size and architecture, the service wired to its target group.

use formwork_blueprints::load_and_build;
use serde_json::Value;

fn edge_example() -> String {
    formwork_blueprints::find("grpc-ecs-edge")
        .expect("registered")
        .example
        .to_owned()
}

/// The errors of a config, as `pointer: message` lines.
fn errors(yaml: &str) -> Vec<String> {
    match load_and_build(yaml.as_bytes(), &Default::default()) {
        Ok(_) => Vec::new(),
        Err(errs) => errs
            .iter()
            .map(|e| format!("{}: {}", e.pointer, e.message))
            .collect(),
    }
}

fn template(yaml: &str, stack: &str) -> Value {
    let (_, asm) =
        load_and_build(yaml.as_bytes(), &Default::default()).unwrap_or_else(|e| panic!("{e:?}"));
    asm.stack(stack)
        .unwrap_or_else(|| panic!("no stack {stack}"))
        .body
        .clone()
}

#[test]
fn fargate_sizes_grace_period_and_egress_are_checked_at_their_paths() {
    let cfg = edge_example()
        .replace(
            "    cpu: 512\n    memory: 1024\n",
            "    cpu: 512\n    memory: 512\n",
        )
        .replace(
            "    cpu: 256                  # Fargate task size: 0.25 vCPU ...\n",
            "    cpu: 300\n",
        )
        .replace("  nat_gateways: 1 ", "  nat_gateways: 0 ")
        .replace(
            "    grpc_health_probe: /bin/grpc_health_probe",
            "    start_period_seconds: 90\n    grpc_health_probe: /bin/grpc_health_probe",
        );
    let e = errors(&cfg);
    let has = |needle: &str| e.iter().any(|l| l.contains(needle));
    assert!(
        has(
            "/services/0/cpu: cpu 300 is not a Fargate task size; use one of [256, 512, 1024, 2048, 4096, 8192, 16384]"
        ),
        "{e:#?}"
    );
    assert!(
        has(
            "/services/1/memory: memory 512 MiB does not go with cpu 512 on Fargate; use one of [1024, 2048, 3072, 4096]"
        ),
        "{e:#?}"
    );
    assert!(
        has(
            "/services/1/health_check_grace_period_seconds: 60 s is shorter than start_period_seconds 90"
        ),
        "{e:#?}"
    );
    assert!(
        has("/vpc/nat_gateways: tasks in the private subnets pull their images"),
        "{e:#?}"
    );
    assert_eq!(e.len(), 4, "{e:#?}");
}

#[test]
fn scaling_capacity_and_edge_mistakes_are_refused() {
    let cfg = edge_example()
        .replace(
            "scaling: {min: 2, max: 10, target_cpu_percent: 70, requests_per_target: 1000}",
            "scaling: {min: 5, max: 3, target_cpu_percent: null}",
        )
        .replace(
            "capacity: {on_demand_base: 1, on_demand_weight: 1, spot_weight: 3}",
            "capacity: {on_demand_base: 1, on_demand_weight: 0, spot_weight: 0}",
        )
        .replace("image_tag: \"2.3.1\"", "image_tag: latest");
    let e = errors(&cfg);
    let has = |needle: &str| e.iter().any(|l| l.contains(needle));
    assert!(
        has("/services/0/scaling: scaling.min 5 is above scaling.max 3"),
        "{e:#?}"
    );
    assert!(
        has("/services/0/scaling: scaling needs target_cpu_percent, requests_per_target or both"),
        "{e:#?}"
    );
    assert!(
        has("/services/0/capacity: on_demand_weight and spot_weight are both 0"),
        "{e:#?}"
    );
    assert!(
        has("/services/1/image_tag: `latest` cannot be deployed"),
        "{e:#?}"
    );
    let no_edge = edge_example().replace("blueprint: grpc-ecs-edge", "blueprint: grpc-ecs-alb");
    let e = errors(&no_edge);
    assert!(
        e.iter()
            .any(|l| l.starts_with("/edge") || l.contains("edge")),
        "grpc-ecs-alb refuses an edge: section: {e:#?}"
    );
}

#[test]
fn services_run_on_fargate_behind_their_target_groups() {
    let t = template(&edge_example(), "shop-services-1");
    let r = &t["Resources"];
    let svc = &r["GreeterService"]["Properties"];
    // Scaled: no DesiredCount, so a stack update keeps the scaled count.
    assert!(svc.get("DesiredCount").is_none(), "{svc:#}");
    assert_eq!(
        svc["CapacityProviderStrategy"][1]["CapacityProvider"],
        "FARGATE_SPOT"
    );
    assert_eq!(svc["CapacityProviderStrategy"][1]["Weight"], 3);
    assert_eq!(svc["LoadBalancers"][0]["ContainerName"], "shop-greeter");
    assert_eq!(svc["LoadBalancers"][0]["ContainerPort"], 50051);
    assert_eq!(
        svc["LoadBalancers"][0]["TargetGroupArn"],
        serde_json::json!({"Ref": "GreeterTargetGroup"})
    );
    assert_eq!(
        r["GreeterService"]["DependsOn"],
        serde_json::json!(["GreeterRoute"])
    );
    assert_eq!(r["CatalogService"]["Properties"]["DesiredCount"], 2);
    assert!(r.get("CatalogScalingTarget").is_none());
    let td = &r["GreeterTask"]["Properties"];
    assert_eq!(td["Cpu"], "256");
    assert_eq!(td["Memory"], "512");
    assert_eq!(td["RuntimePlatform"]["CpuArchitecture"], "ARM64");
    let probe = &r["CatalogTask"]["Properties"]["ContainerDefinitions"][0]["HealthCheck"];
    assert_eq!(
        probe["Command"],
        serde_json::json!(["CMD", "/bin/grpc_health_probe", "-addr=localhost:50051"])
    );
    let tg = &r["GreeterTargetGroup"]["Properties"];
    assert_eq!(tg["TargetType"], "ip");
    assert_eq!(tg["ProtocolVersion"], "GRPC");
    let policy =
        &r["GreeterScalingRequests"]["Properties"]["TargetTrackingScalingPolicyConfiguration"];
    assert_eq!(policy["TargetValue"], 1000.0);
    // The repositories live in the platform stack, so images can be pushed before the services.
    let platform = template(&edge_example(), "shop");
    assert_eq!(
        platform["Resources"]["GreeterRepository"]["Properties"]["RepositoryName"],
        "shop/greeter"
    );
    assert!(platform["Outputs"].get("GreeterRepositoryUri").is_some());
}

#[test]
fn service_connect_adds_a_namespace_and_east_west_rules() {
    let cfg = edge_example().replace("service_connect: false", "service_connect: true");
    let platform = template(&cfg, "shop");
    let ns = &platform["Resources"]["ServiceConnectNamespace"];
    assert_eq!(ns["Type"], "AWS::ServiceDiscovery::HttpNamespace");
    assert_eq!(ns["Properties"]["Name"], "shop.internal");
    let t = template(&cfg, "shop-services-1");
    let r = &t["Resources"];
    let sc = &r["CatalogService"]["Properties"]["ServiceConnectConfiguration"];
    assert_eq!(sc["Enabled"], true);
    assert_eq!(sc["Services"][0]["PortName"], "grpc");
    assert_eq!(sc["Services"][0]["ClientAliases"][0]["DnsName"], "catalog");
    assert_eq!(sc["Services"][0]["ClientAliases"][0]["Port"], 50051);
    assert!(
        sc["Namespace"].get("Fn::GetStackOutput").is_some(),
        "{sc:#}"
    );
    assert_eq!(
        r["TasksFromVpc50051"]["Properties"]["CidrIp"],
        "10.0.0.0/16"
    );
    let egress = r["TaskSecurityGroup"]["Properties"]["SecurityGroupEgress"]
        .as_array()
        .expect("egress rules");
    assert!(egress.iter().any(|e| e["FromPort"] == 50051), "{egress:#?}");
    // Without it: no namespace, no east-west rule.
    let plain = template(&edge_example(), "shop-services-1");
    assert!(plain["Resources"].get("TasksFromVpc50051").is_none());
    assert!(
        plain["Resources"]["CatalogService"]["Properties"]
            .get("ServiceConnectConfiguration")
            .is_none()
    );
}

/// The Copilot side by side (`blueprints/docs/copilot-to-grpc-ecs-edge.md`): its formwork config
/// builds, and the settings the table maps come out as it says.
#[test]
fn the_copilot_side_by_side_config_builds_as_documented() {
    let doc = include_str!("../docs/copilot-to-grpc-ecs-edge.md");
    let after = doc
        .split("formwork (`shop.yaml`):")
        .nth(1)
        .expect("the formwork half");
    let yaml = after
        .split("```yaml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a yaml block");
    let t = template(yaml, "shop-services-1");
    let r = &t["Resources"];
    let svc = &r["GreeterService"]["Properties"];
    assert_eq!(
        svc["CapacityProviderStrategy"],
        serde_json::json!([
            {"Base": 2, "CapacityProvider": "FARGATE", "Weight": 0},
            {"CapacityProvider": "FARGATE_SPOT", "Weight": 1}
        ])
    );
    assert_eq!(svc["HealthCheckGracePeriodSeconds"], 60);
    assert_eq!(svc["EnableExecuteCommand"], false);
    let c = &r["GreeterTask"]["Properties"]["ContainerDefinitions"][0];
    assert_eq!(
        c["Environment"],
        serde_json::json!([{"Name": "LOG_LEVEL", "Value": "info"}])
    );
    assert_eq!(
        r["GreeterTargetGroup"]["Properties"]["ProtocolVersion"],
        "GRPC"
    );
    assert_eq!(
        r["GreeterScalingRequests"]["Properties"]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"],
        1000.0
    );
}
