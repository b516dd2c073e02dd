//! ECS rules for gRPC services on Fargate/awsvpc: FW-ECS-001…005. A GRPC target group whose
//! listener is not HTTPS is FW-ELB-001 (it does not depend on the compute).

use serde_json::{Map, Value};

use super::{Ctx, lit_int, lit_str};
use crate::validate::diagnostic::Severity;
use crate::validate::registry::{Check, Code, Rule};

pub(super) fn run(ctx: &mut Ctx<'_>) {
    for (id, p) in ctx.of_type("AWS::ECS::Service") {
        service(ctx, id, p);
    }
    for (id, p) in ctx.of_type("AWS::ECS::TaskDefinition") {
        task_definition(ctx, id, p);
    }
}

fn containers(td: &Map<String, Value>) -> &[Value] {
    td.get("ContainerDefinitions")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn service(ctx: &mut Ctx<'_>, id: &str, p: &Map<String, Value>) {
    let Some(lbs) = p.get("LoadBalancers").and_then(Value::as_array) else {
        return;
    };
    let td = p
        .get("TaskDefinition")
        .and_then(|v| ctx.target(v))
        .and_then(|t| ctx.props(t));
    if let Some(td) = td {
        for (i, lb) in lbs.iter().enumerate() {
            port_mapped(ctx, id, i, lb, td);
            target_type(ctx, id, i, lb, td);
        }
        grace_period(ctx, id, p, td);
    }
}

/// FW-ECS-001: `LoadBalancers[i]` names a container and port the task definition maps.
fn port_mapped(ctx: &mut Ctx<'_>, id: &str, i: usize, lb: &Value, td: &Map<String, Value>) {
    let (Some(name), Some(port)) = (
        lit_str(lb.get("ContainerName")),
        lit_int(lb.get("ContainerPort")),
    ) else {
        return;
    };
    let all = containers(td);
    if all
        .iter()
        .any(|c| !c.get("Name").is_some_and(Value::is_string))
    {
        return; // a computed name: unknown, not wrong
    }
    let Some(c) = all.iter().find(|c| lit_str(c.get("Name")) == Some(name)) else {
        ctx.emit(
            Code::EcsPortNotMapped,
            Some(id),
            format!("/Properties/LoadBalancers/{i}/ContainerName"),
            format!(
                "the task definition has no container `{name}`; the service cannot register targets"
            ),
            "use the Name of a container of the task definition",
        );
        return;
    };
    let mappings = c
        .get("PortMappings")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let ports: Option<Vec<i64>> = mappings
        .iter()
        .map(|m| lit_int(m.get("ContainerPort")))
        .collect();
    if let Some(ports) = ports
        && !ports.contains(&port)
    {
        ctx.emit(
            Code::EcsPortNotMapped,
            Some(id),
            format!("/Properties/LoadBalancers/{i}/ContainerPort"),
            format!("container `{name}` maps ports {ports:?}, not {port}: the target group gets no targets on the gRPC port"),
            format!("add PortMappings: [{{ContainerPort: {port}}}] to `{name}`, or use a mapped port"),
        );
    }
}

/// FW-ECS-002: awsvpc tasks register by IP; a target group of `instance` type refuses them.
fn target_type(ctx: &mut Ctx<'_>, id: &str, i: usize, lb: &Value, td: &Map<String, Value>) {
    if lit_str(td.get("NetworkMode")) != Some("awsvpc") {
        return;
    }
    let Some(tg) = lb.get("TargetGroupArn").and_then(|v| ctx.target(v)) else {
        return;
    };
    if ctx.type_of(tg) != Some("AWS::ElasticLoadBalancingV2::TargetGroup") {
        return;
    }
    let tt = ctx.props(tg).and_then(|t| t.get("TargetType"));
    let shown = match tt {
        None => "instance (the default)",
        Some(v) => match lit_str(Some(v)) {
            Some("ip") | None => return,
            Some(other) => other,
        },
    };
    ctx.emit(
        Code::EcsTargetTypeNotIp,
        Some(id),
        format!("/Properties/LoadBalancers/{i}/TargetGroupArn"),
        format!(
            "target group `{tg}` has TargetType {shown}, but awsvpc tasks register by IP address"
        ),
        format!("set TargetType: ip on `{tg}`"),
    );
}

/// FW-ECS-003: ECS counts failing load-balancer health checks before the container can answer.
fn grace_period(ctx: &mut Ctx<'_>, id: &str, p: &Map<String, Value>, td: &Map<String, Value>) {
    let start = containers(td)
        .iter()
        .filter_map(|c| lit_int(c.get("HealthCheck").and_then(|h| h.get("StartPeriod"))))
        .max();
    let grace = match p.get("HealthCheckGracePeriodSeconds") {
        None => Some(0),
        v => lit_int(v),
    };
    if let (Some(start), Some(grace)) = (start, grace)
        && grace < start
    {
        ctx.emit(
            Code::EcsGraceTooShort,
            Some(id),
            "/Properties/HealthCheckGracePeriodSeconds",
            format!("grace period {grace} s is shorter than the container's StartPeriod {start} s: the load balancer's gRPC health check can fail tasks that are still starting, and the circuit breaker rolls back"),
            format!("set HealthCheckGracePeriodSeconds to at least {start}"),
        );
    }
}

fn task_definition(ctx: &mut Ctx<'_>, id: &str, p: &Map<String, Value>) {
    for (i, c) in containers(p).iter().enumerate() {
        let cmd = c
            .get("HealthCheck")
            .and_then(|h| h.get("Command"))
            .and_then(Value::as_array);
        if cmd.and_then(|a| a.first()).and_then(Value::as_str) == Some("CMD-SHELL") {
            ctx.emit(
                Code::EcsCmdShell,
                Some(id),
                format!("/Properties/ContainerDefinitions/{i}/HealthCheck/Command/0"),
                "CMD-SHELL runs the check with /bin/sh, which distroless gRPC images do not have: the check fails and ECS stops the task",
                "use the exec form [\"CMD\", \"/bin/grpc_health_probe\", \"-addr=localhost:PORT\"] (probe in the image) or drop the container check and rely on the target group's gRPC health check",
            );
        }
    }
    let fargate = p
        .get("RequiresCompatibilities")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some("FARGATE")));
    let (Some(cpu), Some(mem)) = (lit_int(p.get("Cpu")), lit_int(p.get("Memory"))) else {
        return;
    };
    if !fargate {
        return;
    }
    let options = u32::try_from(cpu)
        .map(crate::ecs::fargate_memory_options)
        .unwrap_or_default();
    if options.is_empty() {
        ctx.emit(
            Code::EcsFargateSize,
            Some(id),
            "/Properties/Cpu",
            format!("Cpu {cpu} is not a Fargate size"),
            format!("use one of {:?}", crate::ecs::valid_fargate_cpu()),
        );
    } else if !u32::try_from(mem).is_ok_and(|m| options.contains(&m)) {
        ctx.emit(
            Code::EcsFargateSize,
            Some(id),
            "/Properties/Memory",
            format!("Memory {mem} MiB is not valid with Cpu {cpu} on Fargate"),
            format!("use one of {options:?} MiB"),
        );
    }
}

/// The rules of this family (see [`crate::validate::registry`]).
pub(crate) const RULES: &[Rule] = &[
    Rule {
        code: Code::EcsPortNotMapped,
        severity: Severity::Error,
        summary: "ECS service load balancer on a container port the task definition does not map",
        what: "`LoadBalancers[].ContainerName`/`ContainerPort` must name a container of the service's task definition and one of its `PortMappings[].ContainerPort`; otherwise ECS cannot register targets (the service fails to create or the target group stays empty). Checked when the task definition is in the template and the names and ports are literals.",
        fix: "map the gRPC port in the container (`PortMappings: [{ContainerPort: 50051, AppProtocol: grpc}]`) or point the service at a mapped port.",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-loadbalancer.html",
        check: Check::Fn(run),
    },
    Rule {
        code: Code::EcsTargetTypeNotIp,
        severity: Severity::Error,
        summary: "awsvpc ECS service on a target group whose TargetType is not ip",
        what: "tasks in `awsvpc` mode (every Fargate task) get their own ENI and register by IP address; a target group of type `instance` (the default when `TargetType` is omitted) cannot take them.",
        fix: "`TargetType: ip` on the target group.",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb.html",
        check: Check::With(Code::EcsPortNotMapped),
    },
    Rule {
        code: Code::EcsGraceTooShort,
        severity: Severity::Warning,
        summary: "ECS health-check grace period shorter than the container's StartPeriod",
        what: "`HealthCheckGracePeriodSeconds` (default 0) is how long ECS ignores failing load-balancer health checks of a new task. A gRPC server that needs longer to start than that fails the ALB's gRPC health check, is replaced, and with the deployment circuit breaker on the deployment rolls back. The container's `HealthCheck.StartPeriod` is taken as its start time.",
        fix: "`HealthCheckGracePeriodSeconds` ≥ the largest `StartPeriod`.",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-service.html",
        check: Check::With(Code::EcsPortNotMapped),
    },
    Rule {
        code: Code::EcsCmdShell,
        severity: Severity::Warning,
        summary: "ECS container health check in CMD-SHELL form (no shell in distroless images)",
        what: "`CMD-SHELL` runs the command with the container's default shell; distroless gRPC images have none, so the check always fails and ECS stops the task. A warning, not an error: images with a shell work.",
        fix: r#"the exec form `["CMD", "/bin/grpc_health_probe", "-addr=localhost:50051"]` with the probe in the image, or no container health check (the ALB target group's gRPC health check decides; what formwork's `ecs::FargateTaskDefinition` does by default)."#,
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html",
        check: Check::With(Code::EcsPortNotMapped),
    },
    Rule {
        code: Code::EcsFargateSize,
        severity: Severity::Error,
        summary: "Fargate task CPU/memory pair Fargate does not accept",
        what: "a task definition requiring `FARGATE` must use one of Fargate's CPU sizes (256, 512, 1024, 2048, 4096, 8192, 16384 units) with a memory value valid for it (e.g. 256 → 512, 1024 or 2048 MiB); registration fails otherwise (`Invalid 'cpu' setting for task`). Checked when both are literal numbers.",
        fix: "a pair from the table in the source.",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html",
        check: Check::With(Code::EcsPortNotMapped),
    },
];
