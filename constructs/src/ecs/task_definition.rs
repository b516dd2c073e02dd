//! [`FargateTaskDefinition`]: one gRPC container on Fargate, with its execution and task roles.

use std::collections::BTreeMap;

use crate::core::{Attr, Error, Expr, Pseudo, Scope, Val};
use crate::iam::{
    Condition, ConditionOperator, PolicyDocument, Principal, Role, RoleHandle, RoleProps, Statement,
};
use crate::l1::ecs::task_definition as l1;
use crate::logs::LogGroupHandle;

/// CPU architecture of the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Architecture {
    /// Graviton (`ARM64`). The default: cheaper per vCPU on Fargate.
    #[default]
    Arm64,
    /// `X86_64`.
    X86_64,
}

/// How ECS checks the container itself (besides the load balancer's gRPC health check).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ContainerHealthCheck {
    /// No container health check: the ALB target group's gRPC health check decides and ECS
    /// replaces tasks it reports unhealthy. Works with every image, distroless included. The default.
    #[default]
    None,
    /// `["CMD", "<probe>", "-addr=localhost:<port>"]`: the image ships `grpc_health_probe`
    /// at this absolute path (e.g. `/bin/grpc_health_probe`). Exec form, so no shell is needed.
    GrpcHealthProbe {
        /// Absolute path of the probe binary in the image.
        path: String,
    },
    /// Any exec-form command; the first element must be `CMD` (`CMD-SHELL` needs a shell,
    /// which distroless images do not have, and is refused).
    Exec(Vec<String>),
}

/// Settings of a [`FargateTaskDefinition`].
#[derive(Debug, Clone, PartialEq)]
pub struct FargateTaskDefinitionProps {
    /// Task family (also the container name).
    pub family: String,
    /// Container image (e.g. `Fn::Sub` of a repository URI and a tag).
    pub image: Expr,
    /// ECR repository the image comes from: the execution role may pull from it only.
    /// `None` for an image outside ECR (no pull permission is granted).
    pub ecr_repository_arn: Option<Attr<crate::l1::ecr::repository::attr::Arn>>,
    /// The gRPC port the container listens on (mapped as `grpc` with `AppProtocol: grpc`).
    pub container_port: u16,
    /// Task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384.
    pub cpu: u32,
    /// Task memory (MiB); must be one Fargate accepts for `cpu` ([`fargate_memory_options`]).
    pub memory_mib: u32,
    /// Default: [`Architecture::Arm64`].
    pub architecture: Architecture,
    /// Log group the `awslogs` driver writes to (KMS-encrypted by the caller).
    pub log_group: LogGroupHandle,
    /// User the container runs as. Default: `Some("65532")` (distroless `nonroot`); `None`
    /// keeps the image's user.
    pub user: Option<String>,
    /// Default: [`ContainerHealthCheck::None`].
    pub health_check: ContainerHealthCheck,
    /// Seconds the container may take to start before failed health checks count (0–300).
    /// Default: 30.
    pub start_period_seconds: u32,
    /// Environment variables. Default: none.
    pub environment: BTreeMap<String, String>,
}

impl FargateTaskDefinitionProps {
    /// Props with the defaults for everything but what has none.
    pub fn new(
        family: impl Into<String>,
        image: Expr,
        container_port: u16,
        log_group: LogGroupHandle,
    ) -> Self {
        FargateTaskDefinitionProps {
            family: family.into(),
            image,
            ecr_repository_arn: None,
            container_port,
            cpu: 256,
            memory_mib: 512,
            architecture: Architecture::Arm64,
            log_group,
            user: Some("65532".to_owned()),
            health_check: ContainerHealthCheck::None,
            start_period_seconds: 30,
            environment: BTreeMap::new(),
        }
    }
}

/// What [`FargateTaskDefinition::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDefinitionHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::TaskDefinition>,
    /// `Ref`: the task definition ARN (with revision).
    pub arn: Attr<l1::attr::Ref>,
    /// The container's name (what `LoadBalancers[].ContainerName` takes).
    pub container_name: String,
    /// The container port.
    pub container_port: u16,
    /// The port mapping's name (what Service Connect refers to).
    pub port_name: String,
    /// Seconds the container may take to start (for the service's grace period).
    pub start_period_seconds: u32,
    /// The execution role (image pull, log writes).
    pub execution_role: RoleHandle,
    /// The task role (what the application's AWS calls use; no permissions by default).
    pub task_role: RoleHandle,
}

crate::l1_handle!(TaskDefinitionHandle, l1::TaskDefinition);

/// Task CPU values Fargate accepts.
pub fn valid_fargate_cpu() -> [u32; 7] {
    [256, 512, 1024, 2048, 4096, 8192, 16384]
}

/// Memory values (MiB) Fargate accepts for `cpu` units; empty when `cpu` is not a Fargate size.
/// Source: the ECS developer guide, "Task CPU and memory" (8 and 16 vCPU need platform 1.4.0).
pub fn fargate_memory_options(cpu: u32) -> Vec<u32> {
    let range = |lo: u32, hi: u32, step: u32| (lo..=hi).step_by(step as usize).collect();
    match cpu {
        256 => vec![512, 1024, 2048],
        512 => range(1024, 4096, 1024),
        1024 => range(2048, 8192, 1024),
        2048 => range(4096, 16384, 1024),
        4096 => range(8192, 30720, 1024),
        8192 => range(16384, 61440, 4096),
        16384 => range(32768, 122880, 8192),
        _ => Vec::new(),
    }
}

fn health_check_command(
    check: &ContainerHealthCheck,
    port: u16,
) -> Result<Option<Vec<String>>, String> {
    match check {
        ContainerHealthCheck::None => Ok(None),
        ContainerHealthCheck::GrpcHealthProbe { path } => {
            if !path.starts_with('/') {
                return Err(format!(
                    "grpc_health_probe path `{path}` must be absolute (there is no shell to search PATH)"
                ));
            }
            Ok(Some(vec!["CMD".into(), path.clone(), format!("-addr=localhost:{port}")]))
        }
        ContainerHealthCheck::Exec(cmd) => match cmd.first().map(String::as_str) {
            Some("CMD") if cmd.len() > 1 => Ok(Some(cmd.clone())),
            Some("CMD-SHELL") => Err("health check `CMD-SHELL` needs a shell, which distroless images lack; use the exec form [\"CMD\", \"/path/to/binary\", …]".into()),
            _ => Err("health check command must be [\"CMD\", \"/path/to/binary\", args…]".into()),
        },
    }
}

/// A Fargate task definition (`awsvpc`) with one essential gRPC container: read-only root
/// filesystem, non-root user, `awslogs` to the given log group, and least-privilege roles.
pub struct FargateTaskDefinition;

impl FargateTaskDefinition {
    /// Adds the task definition and its two roles as `scope/id`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        props: FargateTaskDefinitionProps,
    ) -> Result<TaskDefinitionHandle, Error> {
        let mut s = scope.child(id)?;
        let p = &props;
        let memory = fargate_memory_options(p.cpu);
        if memory.is_empty() {
            return Err(s.error(format!(
                "cpu is {}; Fargate accepts one of {:?}",
                p.cpu,
                valid_fargate_cpu()
            )));
        }
        if !memory.contains(&p.memory_mib) {
            return Err(s.error(format!(
                "memory_mib is {} for cpu {}; Fargate accepts one of {memory:?}",
                p.memory_mib, p.cpu
            )));
        }
        if p.family.is_empty()
            || p.family.len() > 255
            || !p
                .family
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c))
        {
            return Err(s.error(format!(
                "family `{}` must be 1–255 letters, digits, `_` and `-`",
                p.family
            )));
        }
        if p.container_port == 0 {
            return Err(s.error("container_port must be 1–65535"));
        }
        if p.start_period_seconds > 300 {
            return Err(s.error(format!(
                "start_period_seconds is {}; ECS accepts 0–300",
                p.start_period_seconds
            )));
        }
        let command =
            health_check_command(&p.health_check, p.container_port).map_err(|m| s.error(m))?;
        let (execution_role, task_role) = roles(&mut s, p)?;
        let port_name = "grpc".to_owned();
        let container = l1::ContainerDefinition {
            essential: Some(true.into()),
            readonly_root_filesystem: Some(true.into()),
            privileged: Some(false.into()),
            user: p.user.clone().map(Val::from),
            port_mappings: Some(Val::Lit(vec![Val::from(l1::PortMapping {
                name: Some(port_name.clone().into()),
                container_port: Some(i64::from(p.container_port).into()),
                protocol: Some(l1::Protocol::Tcp.into()),
                app_protocol: Some(l1::AppProtocol::Grpc.into()),
                ..Default::default()
            })])),
            environment: (!p.environment.is_empty()).then(|| {
                Val::Lit(
                    p.environment
                        .iter()
                        .map(|(k, v)| {
                            Val::from(l1::KeyValuePair {
                                name: Some(k.clone().into()),
                                value: Some(v.clone().into()),
                            })
                        })
                        .collect(),
                )
            }),
            health_check: command.map(|c| {
                Val::from(l1::HealthCheck {
                    command: Some(crate::core::list(c)),
                    interval: Some(10.into()),
                    timeout: Some(5.into()),
                    retries: Some(3.into()),
                    start_period: Some(i64::from(p.start_period_seconds).into()),
                })
            }),
            log_configuration: Some(log_configuration(p).into()),
            ..l1::ContainerDefinition::new(p.image.clone(), p.family.clone())
        };
        let arch = match p.architecture {
            Architecture::Arm64 => l1::CpuArchitecture::Arm64,
            Architecture::X86_64 => l1::CpuArchitecture::X86_64,
        };
        let td = s.add(
            "Resource",
            l1::TaskDefinition {
                family: Some(p.family.clone().into()),
                cpu: Some(p.cpu.to_string().into()),
                memory: Some(p.memory_mib.to_string().into()),
                network_mode: Some(l1::NetworkMode::Awsvpc.into()),
                requires_compatibilities: Some(crate::core::list([
                    l1::RequiresCompatibilities::Fargate,
                ])),
                runtime_platform: Some(
                    l1::RuntimePlatform {
                        cpu_architecture: Some(arch.into()),
                        operating_system_family: Some(l1::OperatingSystemFamily::Linux.into()),
                    }
                    .into(),
                ),
                execution_role_arn: Some((&execution_role.arn).into()),
                task_role_arn: Some((&task_role.arn).into()),
                container_definitions: Some(Val::Lit(vec![container.into()])),
                ..Default::default()
            },
        )?;
        Ok(TaskDefinitionHandle {
            resource: td.clone(),
            arn: td.ref_(),
            container_name: p.family.clone(),
            container_port: p.container_port,
            port_name,
            start_period_seconds: p.start_period_seconds,
            execution_role,
            task_role,
        })
    }
}

fn log_configuration(p: &FargateTaskDefinitionProps) -> l1::LogConfiguration {
    let mut options: BTreeMap<String, Val<String>> = BTreeMap::new();
    options.insert("awslogs-group".into(), (&p.log_group.name).into());
    options.insert("awslogs-region".into(), Pseudo::Region.into());
    options.insert("awslogs-stream-prefix".into(), p.family.clone().into());
    options.insert("mode".into(), "non-blocking".into());
    l1::LogConfiguration {
        log_driver: "awslogs".into(),
        options: Some(Val::Lit(options)),
        secret_options: None,
    }
}

/// The execution role (pull from the one repository, write to the one log group) and an
/// empty task role, both trusted by `ecs-tasks.amazonaws.com`; the task role only for tasks of
/// this account (`aws:SourceAccount`, `aws:SourceArn` of ECS in this Region: the
/// confused-deputy guard the ECS developer guide recommends for task roles,
/// <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html>).
fn roles(
    s: &mut Scope<'_>,
    p: &FargateTaskDefinitionProps,
) -> Result<(RoleHandle, RoleHandle), Error> {
    let mut statements = Vec::new();
    if let Some(repo) = &p.ecr_repository_arn {
        // GetAuthorizationToken has no resource-level permissions: it must be `*`.
        statements.push(Statement::allow_all_resources([
            "ecr:GetAuthorizationToken",
        ]));
        statements.push(Statement::allow(
            [
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
            ],
            vec![repo.into()],
        ));
    }
    statements.push(Statement::allow(
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        vec![(&p.log_group.arn).into()],
    ));
    let execution_role = Role::new(
        s,
        "ExecutionRole",
        Principal::Service("ecs-tasks.amazonaws.com"),
        RoleProps {
            description: Some(format!(
                "ECS execution role of {}: image pull and logs",
                p.family
            )),
            inline_policies: vec![("pull-and-log".into(), PolicyDocument::new(statements))],
            ..RoleProps::default()
        },
    )?;
    let task_role = Role::new(
        s,
        "TaskRole",
        Principal::Service("ecs-tasks.amazonaws.com"),
        RoleProps {
            description: Some(format!("ECS task role of {}", p.family)),
            trust_conditions: vec![
                Condition::new(
                    ConditionOperator::ArnLike,
                    "aws:SourceArn",
                    Expr::sub("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*"),
                ),
                Condition::new(
                    ConditionOperator::StringEquals,
                    "aws:SourceAccount",
                    Pseudo::AccountId,
                ),
            ],
            ..RoleProps::default()
        },
    )?;
    Ok((execution_role, task_role))
}
