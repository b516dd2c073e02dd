//! The stacks of `grpc-ecs-*`: the edge web ACL (us-east-1), the platform (with the ECR
//! repositories, so that images can be pushed before any task needs them), and the service
//! stacks. Values cross stacks as typed handles (see `formwork_constructs::core::xref`).

use formwork_assembly::OutputRef;
use formwork_constructs::acm::CertificateHandle;
use formwork_constructs::applicationautoscaling::{
    RequestCountTarget, ServiceScaling, ServiceScalingProps,
};
use formwork_constructs::core::{App, Attr, Error, Expr, Output, Scope, Stack};
use formwork_constructs::ec2::{
    self, EgressRule, Peer, SecurityGroup, SecurityGroupHandle, SecurityGroupProps, Vpc, VpcHandle,
    VpcProps,
};
use formwork_constructs::ecr::{Repository, RepositoryHandle, RepositoryProps, repository_arn};
use formwork_constructs::ecs::{
    Architecture, CapacitySplit, Cluster, ClusterHandle, ClusterProps, ContainerHealthCheck,
    FargateService, FargateServiceProps, FargateTaskDefinition, FargateTaskDefinitionProps,
    ServiceConnect, TargetGroupBinding,
};
use formwork_constructs::elbv2::{
    ExtraCondition, GrpcRoute, GrpcTargetGroup, GrpcTargetGroupProps, ListenerHandle,
    LoadBalancerHandle, TargetGroupHandle,
};
use formwork_constructs::kms::KeyHandle;
use formwork_constructs::l1::servicediscovery::http_namespace::HttpNamespace;
use formwork_constructs::logs::{LogGroup, LogGroupProps};
use formwork_constructs::route53::HostedZone;
use formwork_constructs::s3::BucketHandle;
use formwork_constructs::sns::TopicArn;
use formwork_constructs::wafv2::WebAclHandle;

use super::config::{ArchitectureConfig, EcsConfig, EcsServiceConfig};
use super::{blueprint_name, service_stack_name, shards};
use crate::alarms;
use crate::common::pascal;
use crate::dns::{StackNames, stack_names};
use crate::front::compose::{
    EdgeParts, Front, alb_security_group, alb_with_listener, edge_parts, edge_stack,
    endpoint_outputs, logs_bucket, out, stack_with_tags, unique_ports, web_acl_outputs, web_acls,
};
use crate::platform::platform_key_for;

/// What the service stacks take from the platform (and edge) stacks.
struct Shared {
    vpc: VpcHandle,
    cluster: ClusterHandle,
    key: KeyHandle,
    logs: BucketHandle,
    regional_acl: WebAclHandle,
    edge_acl: Option<WebAclHandle>,
    /// Per service, in config order.
    repositories: Vec<RepositoryHandle>,
    /// The Service Connect namespace's ARN.
    namespace: Option<Expr>,
    /// The alarm topics: in the Region, and in us-east-1 (edge stack) for the distributions.
    alarm_topics: (Option<Attr<TopicArn>>, Option<Attr<TopicArn>>),
}

/// The outputs the runbook and `formwork deploy` read, each named once, here.
pub(super) struct Published {
    /// The ECS cluster's name.
    pub cluster_name: OutputRef,
    /// Per service, in config order: its repository URI, target group ARN and ECS service name.
    pub services: Vec<ServiceOutputs>,
    /// The host clients call: the first service stack's distribution (edge) or ALB.
    pub endpoint: OutputRef,
}

/// One service's outputs.
pub(super) struct ServiceOutputs {
    pub repository: OutputRef,
    pub target_group: OutputRef,
    pub service: OutputRef,
}

/// The shared front door's view of the config.
pub(super) fn front<'a>(cfg: &'a EcsConfig, zone: Option<&'a HostedZone>) -> Front<'a> {
    Front {
        blueprint: blueprint_name(cfg),
        name: &cfg.name,
        region: &cfg.region,
        certificate_arn: cfg.certificate_arn.as_deref(),
        zone,
        vpc_cidr: &cfg.vpc.cidr,
        waf: &cfg.waf,
        edge: cfg.edge.as_ref(),
        tags: &cfg.tags,
    }
}

/// Adds every stack of the blueprint to `app`, in deploy order.
pub(super) fn compose(
    app: &mut App,
    cfg: &EcsConfig,
    cidr: ec2::Ipv4Cidr,
    zone: Option<&HostedZone>,
) -> Result<Published, Error> {
    let f = front(cfg, zone);
    let groups = shards(cfg);
    let names: Vec<StackNames> = (1..=groups.len())
        .map(|n| stack_names(&cfg.name, cfg.edge.as_ref(), zone, n))
        .collect();
    let (edge_acl, edge_topic, mut viewer_certs) = if f.needs_edge_stack() {
        let (acl, topic, certs) = edge_stack(app, &f, &cfg.alarms, &names)?;
        (Some(acl), topic, certs)
    } else {
        (None, None, Vec::new())
    };
    viewer_certs.resize(groups.len(), None);
    let mut viewer_certs = viewer_certs.into_iter();
    let (mut shared, cluster_name, repositories) = platform_stack(app, cfg, cidr, edge_acl)?;
    shared.alarm_topics.1 = edge_topic;
    let mut watched = Vec::new();
    let mut services = Vec::new();
    let mut endpoint = None;
    let mut first = 0;
    for (n, (group, names)) in groups.into_iter().zip(&names).enumerate() {
        let name = service_stack_name(cfg, n + 1);
        let what = format!(
            "ALB{}, ECS services and scaling of {} gRPC service(s)",
            if cfg.edge.is_some() {
                ", CloudFront"
            } else {
                ""
            },
            group.len()
        );
        let st = stack_with_tags(app, &f, &name, &cfg.region, &what)?;
        let repos = &shared.repositories[first..first + group.len()];
        let at = (f, names, viewer_certs.next().flatten());
        let (host, outs) = service_stack(st, cfg, &shared, at, &group, repos, &mut watched)?;
        first += group.len();
        endpoint.get_or_insert(host);
        services.extend(outs);
    }
    if let (Some(topic), edge_topic) = shared.alarm_topics.clone() {
        alarms::add_alarm_stacks(
            app,
            &alarms::AlarmStacks {
                blueprint: blueprint_name(cfg),
                app: &cfg.name,
                region: &cfg.region,
                tags: &cfg.tags,
                config: &cfg.alarms,
                topic,
                edge_topic,
                services: watched,
            },
        )?;
    }
    let services = repositories
        .into_iter()
        .zip(services)
        .map(|(repository, (target_group, service))| ServiceOutputs {
            repository,
            target_group,
            service,
        })
        .collect();
    Ok(Published {
        cluster_name,
        services,
        endpoint: endpoint.ok_or_else(|| Error::Stack {
            stack: cfg.name.clone(),
            message: "a blueprint needs at least one service".to_owned(),
        })?,
    })
}

/// `<name>`: KMS key, log bucket, VPC, ECS cluster, the ECR repositories, the Service Connect
/// namespace (optional), the regional web ACL (and the CLOUDFRONT one in us-east-1).
fn platform_stack(
    app: &mut App,
    cfg: &EcsConfig,
    cidr: ec2::Ipv4Cidr,
    edge_acl: Option<WebAclHandle>,
) -> Result<(Shared, OutputRef, Vec<OutputRef>), Error> {
    // The platform stack has no certificate or record: no zone needed.
    let f = front(cfg, None);
    let st = stack_with_tags(
        app,
        &f,
        &cfg.name,
        &cfg.region,
        "network, ECS cluster, image repositories, keys, logs and the regional WAF",
    )?;
    let mut root = st.root();
    let key = platform_key_for(&mut root, &cfg.name, "ECS task log groups")?;
    let logs = logs_bucket(&mut root, &f)?;
    let vpc = Vpc::new(
        &mut root,
        "Vpc",
        VpcProps {
            cidr,
            azs: cfg.vpc.azs,
            nat_gateways: cfg.vpc.nat_gateways,
            kubernetes_subnet_tags: false,
        },
    )?;
    let cluster = Cluster::new(
        &mut root,
        "Cluster",
        ClusterProps {
            cluster_name: Some(cfg.name.clone()),
            container_insights: cfg.cluster.container_insights,
            ..ClusterProps::default()
        },
    )?;
    let mut repositories = Vec::new();
    for svc in &cfg.services {
        let mut s = root.child(&pascal(&svc.name))?;
        repositories.push(Repository::new(
            &mut s,
            "Repository",
            RepositoryProps {
                repository_name: Some(format!("{}/{}", cfg.name, svc.name)),
                ..RepositoryProps::default()
            },
        )?);
    }
    let namespace = if cfg.cluster.service_connect {
        let ns = root.add(
            "ServiceConnectNamespace",
            HttpNamespace {
                description: Some(
                    format!(
                        "{}: ECS Service Connect between the gRPC services",
                        cfg.name
                    )
                    .into(),
                ),
                ..HttpNamespace::new(format!("{}.internal", cfg.name))
            },
        )?;
        Some(Expr::from(&ns.attr_arn()))
    } else {
        None
    };
    let (regional_acl, edge_acl) = web_acls(&mut root, &f, edge_acl)?;
    let mut acls = vec![("RegionalWaf", &regional_acl)];
    if let Some(acl) = edge_acl.as_ref().filter(|_| !f.needs_edge_stack()) {
        acls.push(("EdgeWaf", acl));
    }
    let alarm_topic = alarms::add_topic_and_waf_alarms(&mut root, &cfg.name, &cfg.alarms, &acls)?;
    let subnet_ids = |subnets: &[ec2::SubnetHandle]| {
        Expr::join(",", subnets.iter().map(|s| s.id.expr().clone()).collect())
    };
    out(st, "VpcId", vpc.id.clone(), "VPC id")?;
    out(
        st,
        "PublicSubnetIds",
        subnet_ids(&vpc.public_subnets),
        "Public subnets (ALBs)",
    )?;
    out(
        st,
        "PrivateSubnetIds",
        subnet_ids(&vpc.private_subnets),
        "Private subnets (tasks)",
    )?;
    let cluster_name = out(
        st,
        "ClusterName",
        cluster.name.clone(),
        "ECS cluster name (aws ecs --cluster)",
    )?;
    out(
        st,
        "LogsBucketName",
        logs.name.clone(),
        "Bucket for ALB and CloudFront logs",
    )?;
    out(
        st,
        "LogsBucketDomainName",
        logs.domain_name.clone(),
        "Bucket domain name for CloudFront standard logging",
    )?;
    let mut repo_outputs = Vec::new();
    for (svc, repo) in cfg.services.iter().zip(&repositories) {
        repo_outputs.push(out(
            st,
            &format!("{}RepositoryUri", pascal(&svc.name)),
            repo.uri.clone(),
            &format!(
                "ECR repository of {} (push the image before the service stack)",
                svc.name
            ),
        )?);
    }
    web_acl_outputs(st, &f, &regional_acl, edge_acl.as_ref())?;
    let shared = Shared {
        vpc,
        cluster,
        key,
        logs,
        regional_acl,
        edge_acl,
        repositories,
        namespace,
        alarm_topics: (alarm_topic, None),
    };
    Ok((shared, cluster_name, repo_outputs))
}

/// The tasks' security group: gRPC in from the ALB (and, with Service Connect, from the VPC);
/// out HTTPS to anywhere (ECR, CloudWatch Logs and STS through the NAT gateway) and, with
/// Service Connect, gRPC to the other services in the VPC.
fn task_security_group(
    root: &mut Scope<'_>,
    cfg: &EcsConfig,
    vpc: &VpcHandle,
    alb_sg: &SecurityGroupHandle,
    ports: &[u16],
) -> Result<SecurityGroupHandle, Error> {
    let mut egress = vec![EgressRule {
        cidr: "0.0.0.0/0".to_owned(),
        from_port: 443,
        to_port: 443,
        description: "HTTPS to ECR, CloudWatch Logs and STS".to_owned(),
    }];
    let all_ports = unique_ports(cfg.services.iter().map(|s| s.port as u16));
    if cfg.cluster.service_connect {
        egress.extend(all_ports.iter().map(|&p| EgressRule {
            cidr: cfg.vpc.cidr.clone(),
            from_port: p,
            to_port: p,
            description: format!("Service Connect: gRPC to other tasks on {p}"),
        }));
    }
    let sg = SecurityGroup::new(
        root,
        "TaskSecurityGroup",
        &vpc.id,
        "gRPC tasks: from the ALB only",
        SecurityGroupProps {
            egress,
            restrict_egress: true,
        },
    )?;
    for &p in ports {
        ec2::allow_ingress(
            root,
            &format!("TasksFromAlb{p}"),
            &sg,
            Peer::SecurityGroup(alb_sg.id.clone()),
            p,
            p,
            &format!("gRPC from the ALB to tasks on {p}"),
        )?;
        if cfg.cluster.service_connect {
            ec2::allow_ingress(
                root,
                &format!("TasksFromVpc{p}"),
                &sg,
                Peer::Cidr(cfg.vpc.cidr.clone()),
                p,
                p,
                &format!("Service Connect: gRPC from other tasks on {p}"),
            )?;
        }
    }
    Ok(sg)
}

/// `<name>-services-<n>`: an ALB (security group, HTTPS listener, WAF association), for
/// `grpc-ecs-edge` a CloudFront distribution, the tasks' security group, and per service a
/// log group, a target group and its listener rules, the task definition with its roles, the
/// ECS service and its scaling. Returns the endpoint output and, per service, the target group
/// and service name outputs.
fn service_stack(
    st: &mut Stack,
    cfg: &EcsConfig,
    shared: &Shared,
    (f, names, viewer): (Front<'_>, &StackNames, Option<CertificateHandle>),
    group: &[&EcsServiceConfig],
    repos: &[RepositoryHandle],
    watched: &mut Vec<alarms::WatchedService>,
) -> Result<(OutputRef, Vec<(OutputRef, OutputRef)>), Error> {
    let edge = edge_parts(st, &f, shared.edge_acl.as_ref())?;
    let ports = unique_ports(group.iter().map(|s| s.port as u16));
    let mut root = st.root();
    let alb_sg = alb_security_group(&mut root, &f, &shared.vpc, edge.is_some(), &ports, "tasks")?;
    let task_sg = task_security_group(&mut root, cfg, &shared.vpc, &alb_sg, &ports)?;
    let (alb, https) = alb_with_listener(
        &mut root,
        &f,
        &shared.vpc,
        &alb_sg,
        &shared.logs,
        &shared.regional_acl,
        (edge.is_some(), names),
    )?;
    let extra = EdgeParts::conditions(edge.as_ref());
    let mut outputs: Vec<(String, Output)> = Vec::new();
    let ids: Vec<String> = group.iter().map(|s| pascal(&s.name)).collect();
    let mut targets = Vec::new();
    for (i, ((svc, id), repo)) in group.iter().zip(&ids).zip(repos).enumerate() {
        let on = ServiceOn {
            shared,
            task_sg: &task_sg,
            alb: &alb,
            https: &https,
            extra: &extra,
            priority: 10 * (i as u32 + 1),
        };
        let (tg, service) = ecs_service(&mut root.child(id)?, cfg, svc, repo, &on)?;
        outputs.push((
            format!("{id}TargetGroupArn"),
            Output::new(tg.arn.clone(), format!("Target group of {}", svc.name)),
        ));
        targets.push((svc.name.clone(), tg));
        outputs.push((
            format!("{id}ServiceName"),
            Output::new(
                service,
                format!("ECS service of {} (aws ecs --services)", svc.name),
            ),
        ));
    }
    let (endpoint, distribution) =
        endpoint_outputs(&mut root, &f, &shared.logs, &alb, edge, (names, viewer))?;
    let st = root.stack();
    let frontend = alarms::WatchedFrontend::new(pascal(st.name()), &alb, distribution.as_ref());
    watched.extend(
        targets
            .iter()
            .map(|(name, tg)| alarms::WatchedService::new(name, tg, &frontend)),
    );
    let host = OutputRef::new(st.name(), &endpoint[0].0);
    for (k, o) in endpoint.into_iter().chain(outputs) {
        st.add_output(&k, o)?;
    }
    let published = ids
        .iter()
        .map(|id| {
            (
                OutputRef::new(st.name(), format!("{id}TargetGroupArn")),
                OutputRef::new(st.name(), format!("{id}ServiceName")),
            )
        })
        .collect();
    Ok((host, published))
}

/// What one service of a service stack attaches to.
struct ServiceOn<'a> {
    shared: &'a Shared,
    task_sg: &'a SecurityGroupHandle,
    alb: &'a LoadBalancerHandle,
    https: &'a ListenerHandle,
    extra: &'a [ExtraCondition],
    priority: u32,
}

/// One service: log group, target group and route, task definition, ECS service, scaling.
/// Returns the target group and the ECS service name.
fn ecs_service(
    s: &mut Scope<'_>,
    cfg: &EcsConfig,
    svc: &EcsServiceConfig,
    repo: &RepositoryHandle,
    on: &ServiceOn<'_>,
) -> Result<(TargetGroupHandle, Expr), Error> {
    let shared = on.shared;
    let port = svc.port as u16;
    let logs = LogGroup::new(
        s,
        "Logs",
        LogGroupProps {
            kms_key: Some(shared.key.arn.clone()),
            ..LogGroupProps::default()
        },
    )?;
    let tg = GrpcTargetGroup::new(
        s,
        "TargetGroup",
        &shared.vpc.id,
        port,
        GrpcTargetGroupProps {
            health_check_path: svc.health_check.path.clone(),
            healthy_grpc_codes: svc.health_check.grpc_codes.clone(),
            ..GrpcTargetGroupProps::default()
        },
    )?;
    let rules = GrpcRoute::new(
        s,
        "Route",
        on.https,
        on.priority,
        &svc.grpc_services,
        &tg,
        on.extra,
    )?;
    let image = Expr::sub_with(
        format!("${{Uri}}:{}", svc.image_tag),
        vec![("Uri".into(), (&repo.uri).into())],
    );
    let task = FargateTaskDefinition::new(
        s,
        "Task",
        FargateTaskDefinitionProps {
            // Built here from the fixed name: a policy statement cannot carry a cross-stack
            // reference (see `ecr::repository_arn`).
            ecr_repository_arn: Some(repository_arn(&format!("{}/{}", cfg.name, svc.name))),
            cpu: svc.cpu,
            memory_mib: svc.memory,
            architecture: match cfg.cluster.architecture {
                ArchitectureConfig::Arm64 => Architecture::Arm64,
                ArchitectureConfig::X86_64 => Architecture::X86_64,
            },
            user: svc.user.clone(),
            health_check: match &svc.grpc_health_probe {
                Some(path) => ContainerHealthCheck::GrpcHealthProbe { path: path.clone() },
                None => ContainerHealthCheck::None,
            },
            start_period_seconds: svc.start_period_seconds,
            environment: svc.environment.clone(),
            ..FargateTaskDefinitionProps::new(
                format!("{}-{}", cfg.name, svc.name),
                image,
                port,
                logs,
            )
        },
    )?;
    let service = FargateService::new(
        s,
        "Service",
        &shared.cluster,
        &task,
        FargateServiceProps {
            subnets: shared
                .vpc
                .private_subnets
                .iter()
                .map(|n| n.id.clone())
                .collect(),
            security_groups: vec![on.task_sg.id.clone()],
            desired_count: svc.scaling.is_none().then_some(svc.desired_count),
            capacity: CapacitySplit {
                on_demand_base: svc.capacity.on_demand_base,
                on_demand_weight: svc.capacity.on_demand_weight,
                spot_weight: svc.capacity.spot_weight,
            },
            target_groups: vec![TargetGroupBinding {
                target_group_arn: tg.arn.clone(),
            }],
            health_check_grace_period_seconds: svc.health_check_grace_period_seconds,
            service_connect: shared.namespace.as_ref().map(|ns| ServiceConnect {
                namespace: ns.clone().into(),
                dns_name: svc.name.clone(),
            }),
            depends_on: rules,
            ..FargateServiceProps::default()
        },
    )?;
    if let Some(sc) = &svc.scaling {
        ServiceScaling::new(
            s,
            "Scaling",
            &shared.cluster,
            &service,
            ServiceScalingProps {
                min_tasks: sc.min,
                max_tasks: sc.max,
                cpu_target_percent: sc.target_cpu_percent.map(f64::from),
                request_count: sc.requests_per_target.map(|r| RequestCountTarget {
                    requests_per_target: r,
                    load_balancer_full_name: on.alb.full_name.clone(),
                    target_group_full_name: tg.full_name.clone(),
                }),
                ..ServiceScalingProps::default()
            },
        )?;
    }
    Ok((tg, service.name.expr().clone()))
}
