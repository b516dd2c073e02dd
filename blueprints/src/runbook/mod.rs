//! `DEPLOY.md`: the runbook that takes a synthesized out dir to a serving gRPC endpoint with
//! the exact `aws`, `docker`, `helm`, `kubectl` and `grpcurl` commands, in order.
//!
//! Rendered with tera from `blueprints/templates/DEPLOY.md.tera`. The caller fills a typed
//! [`RunbookContext`]; [`deploy_md`] checks it, turns it into a view whose shell words are
//! already quoted, and renders. Every field is required (no `default` filters): a missing value
//! is a Rust compile error, not a silent blank in the runbook.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::k8s::gateway::{CONTROLLER_NAMESPACE, CONTROLLER_VALUES_FILE, LATTICE_DNS_ANNOTATION};
use crate::k8s::placeholders::is_placeholder_name;
use crate::k8s::{LBC_VALUES_FILE, TargetGroupBindingApi};

/// The template (committed beside the crate, snapshot-tested through [`deploy_md`]).
pub const TEMPLATE: &str = include_str!("../../templates/DEPLOY.md.tera");

/// Where the manual placeholder step (and `formwork deploy`) writes the resolved manifests,
/// relative to the out dir.
pub const K8S_RESOLVED_DIR: &str = "k8s-resolved";

/// Where the resolved Helm values go, relative to the out dir.
pub const HELM_RESOLVED_DIR: &str = "helm-resolved";

/// Everything the runbook says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunbookContext {
    /// Blueprint name (`grpc-alb`).
    pub blueprint: String,
    /// The out dir as the operator types it (`out`); commands run from its parent.
    pub out_dir: String,
    /// Stacks in deploy order.
    pub stacks: Vec<StackStep>,
    /// Services whose images are built, pushed and deployed.
    pub services: Vec<ServiceStep>,
    /// The EKS cluster.
    pub cluster: ClusterStep,
    /// Every `${Name}` placeholder in the out dir's manifests and Helm values, and the stack
    /// output that fills it.
    pub placeholders: Vec<Placeholder>,
    /// The public endpoint clients call; `None` when there is none (VPC Lattice services are
    /// reached inside the VPC, see `lattice`).
    pub endpoint: Option<Endpoint>,
    /// VPC Lattice instead of an ALB: the AWS Gateway API Controller registers the pods, and
    /// the smoke test calls each service's Lattice DNS name from a pod. `None` for ALB
    /// blueprints.
    pub lattice: Option<LatticeStep>,
}

/// The VPC Lattice part of the runbook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatticeStep {
    /// The service network (and Gateway) name.
    pub service_network: String,
    /// Namespace of the Gateway.
    pub gateway_namespace: String,
    /// Helm chart version of `aws-gateway-controller-chart` (`v2.1.3`).
    pub controller_chart_version: String,
    /// Gateway API release whose `standard-install.yaml` provides the CRDs (`v1.2.0`).
    pub gateway_api_version: String,
    /// Container image used for the in-VPC `grpcurl` (`fullstorydev/grpcurl:v1.9.1`).
    pub grpcurl_image: String,
    /// Whether the service network and services use `AWS_IAM` auth.
    pub iam_auth: bool,
    /// Who may call each service (by service name), in `services` order.
    pub callers: Vec<(String, Vec<String>)>,
}

/// One `aws cloudformation deploy`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackStep {
    /// `--stack-name`.
    pub name: String,
    /// `--region`.
    pub region: String,
    /// Template file relative to the out dir (`greeter.template.json`).
    pub template: String,
    /// `--capabilities` (`CAPABILITY_NAMED_IAM`, …); empty for none.
    pub capabilities: Vec<String>,
    /// `--parameter-overrides`, in order.
    pub parameters: Vec<ParameterOverride>,
    /// `--tags`.
    pub tags: BTreeMap<String, String>,
    /// The body exceeds 51,200 bytes: deploy uploads it to `--s3-bucket`.
    pub needs_s3_bucket: bool,
}

/// One `Key=Value` of `--parameter-overrides`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParameterOverride {
    /// Parameter id.
    pub key: String,
    /// Where the value comes from.
    pub value: ParamValue,
}

/// A value in the runbook: fixed, read from a deployed stack's output, or given by the
/// operator.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ParamValue {
    /// A literal (quoted for the shell as needed).
    Literal {
        /// The value.
        value: String,
    },
    /// `$(aws cloudformation describe-stacks … --query "Stacks[0].Outputs[?OutputKey=='X'].OutputValue" --output text)`.
    Output(OutputRef),
    /// An environment variable the operator exports first (`"$Name"`).
    Operator {
        /// Variable name (a shell identifier).
        variable: String,
        /// What to put in it, for the prerequisites list.
        hint: String,
    },
}

/// A stack output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputRef {
    /// Stack name.
    pub stack: String,
    /// The stack's Region.
    pub region: String,
    /// Output id.
    pub output: String,
}

/// One service: its image and its Kubernetes workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceStep {
    /// Kubernetes name (Deployment, Service).
    pub name: String,
    /// Kubernetes namespace.
    pub namespace: String,
    /// The stack output holding the ECR repository URI.
    pub repository: OutputRef,
    /// The stack output holding the target group ARN (for `aws elbv2 describe-target-health`);
    /// `None` when a controller owns the target group (VPC Lattice).
    pub target_group: Option<OutputRef>,
    /// Image tag pushed and deployed (`1.4.2`).
    pub image_tag: String,
    /// `docker build` context directory, relative to where the commands run.
    pub build_context: String,
    /// gRPC services the ALB routes to this service (`helloworld.Greeter`).
    pub grpc_services: Vec<String>,
    /// The container and Service port.
    pub port: u16,
}

/// The EKS cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterStep {
    /// Cluster name.
    pub name: String,
    /// Cluster Region.
    pub region: String,
    /// Which controller serves `TargetGroupBinding`: the self-managed one is installed with
    /// Helm from [`LBC_VALUES_FILE`]; Auto Mode needs no install.
    pub binding_api: TargetGroupBindingApi,
    /// Helm chart version of `eks/aws-load-balancer-controller` to pin (`3.5.0`); `None` takes
    /// the newest.
    pub lbc_chart_version: Option<String>,
    /// `docker build --platform` matching the nodes (`linux/amd64`, `linux/arm64`).
    pub image_platform: String,
}

/// A placeholder and the output that fills it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placeholder {
    /// Name as in `${Name}`.
    pub name: String,
    /// The output.
    pub source: OutputRef,
}

/// The public gRPC endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Endpoint {
    /// Host name clients connect to on port 443 (the CloudFront domain or the ALB's DNS name,
    /// usually a stack output).
    pub host: ParamValue,
    /// Name the certificate is issued for, when it differs from `host` (an ALB DNS name with
    /// a certificate for `api.example.com`): passed as `grpcurl -authority`.
    pub authority: Option<String>,
    /// What a call to a gRPC service the load balancer does not route gets, e.g.
    /// ``` `Unimplemented` (the listener's fixed 404) ```.
    pub unrouted: String,
}

/// The gRPC services that must be routed for `grpcurl list` and the health check.
const REFLECTION: &str = "grpc.reflection.v1.ServerReflection";
const HEALTH: &str = "grpc.health.v1.Health";

/// Renders `DEPLOY.md`. Errors list every problem with the context, one per line, or the
/// template error.
pub fn deploy_md(ctx: &RunbookContext) -> Result<String, String> {
    let errs = check(ctx);
    if !errs.is_empty() {
        return Err(errs.join("\n"));
    }
    let view = View::new(ctx);
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    tera.add_raw_template("DEPLOY.md", TEMPLATE)
        .map_err(|e| tera_error(&e))?;
    let context = tera::Context::from_serialize(&view).map_err(|e| tera_error(&e))?;
    tera.render("DEPLOY.md", &context)
        .map_err(|e| tera_error(&e))
}

fn tera_error(e: &dyn std::error::Error) -> String {
    let mut msg = format!("DEPLOY.md template: {e}");
    let mut src = e.source();
    while let Some(s) = src {
        msg.push_str(&format!(": {s}"));
        src = s.source();
    }
    msg
}

/// Quotes a word for a POSIX shell: bare when it only has safe characters, else in single
/// quotes.
pub fn sh_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '-' | '.' | '/' | ':' | '=' | ',' | '@' | '+' | '%')
        });
    if safe {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The shell command substitution that prints a stack output.
pub fn output_lookup(o: &OutputRef) -> String {
    format!(
        "$(aws cloudformation describe-stacks --region {} --stack-name {} --query \"Stacks[0].Outputs[?OutputKey=='{}'].OutputValue\" --output text)",
        sh_quote(&o.region),
        sh_quote(&o.stack),
        o.output
    )
}

/// A shell word for a value: quoted literal, `"$(…)"` or `"$Var"`.
fn value_word(v: &ParamValue) -> String {
    match v {
        ParamValue::Literal { value } => sh_quote(value),
        ParamValue::Output(o) => format!("\"{}\"", output_lookup(o)),
        ParamValue::Operator { variable, .. } => format!("\"${variable}\""),
    }
}

fn is_ident(s: &str) -> bool {
    is_placeholder_name(s)
}

fn check_output(ptr: &str, o: &OutputRef, e: &mut Vec<String>) {
    if !o.output.chars().all(|c| c.is_ascii_alphanumeric()) || o.output.is_empty() {
        e.push(format!(
            "{ptr}: output id `{}` must be alphanumeric",
            o.output
        ));
    }
    if o.stack.is_empty() || o.region.is_empty() {
        e.push(format!("{ptr}: stack and region are required"));
    }
}

fn check_value(ptr: &str, v: &ParamValue, e: &mut Vec<String>) {
    match v {
        ParamValue::Literal { .. } => {}
        ParamValue::Output(o) => check_output(ptr, o, e),
        ParamValue::Operator { variable, .. } => {
            if !is_ident(variable) {
                e.push(format!("{ptr}: `{variable}` is not a shell variable name"));
            }
        }
    }
}

fn check(ctx: &RunbookContext) -> Vec<String> {
    let mut e = Vec::new();
    if ctx.out_dir.is_empty() {
        e.push("out_dir is empty".to_owned());
    }
    for (i, s) in ctx.stacks.iter().enumerate() {
        if s.name.is_empty() || s.region.is_empty() || s.template.is_empty() {
            e.push(format!(
                "stacks[{i}]: name, region and template are required"
            ));
        }
        for p in &s.parameters {
            if !is_ident(&p.key) {
                e.push(format!(
                    "stacks[{i}]: parameter `{}` is not a parameter id",
                    p.key
                ));
            }
            check_value(&format!("stacks[{i}].{}", p.key), &p.value, &mut e);
        }
    }
    for (i, s) in ctx.services.iter().enumerate() {
        check_output(&format!("services[{i}].repository"), &s.repository, &mut e);
        if let Some(tg) = &s.target_group {
            check_output(&format!("services[{i}].target_group"), tg, &mut e);
        } else if ctx.lattice.is_none() {
            e.push(format!(
                "services[{i}]: a target group output is required without VPC Lattice"
            ));
        }
        if s.image_tag.len() > 128
            || !s
                .image_tag
                .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            || !s
                .image_tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            e.push(format!(
                "services[{i}]: image tag `{}` must be 1–128 letters, digits, `_`, `.` or `-`",
                s.image_tag
            ));
        }
        if s.name.is_empty() || s.namespace.is_empty() || s.image_tag.is_empty() {
            e.push(format!(
                "services[{i}]: name, namespace and image_tag are required"
            ));
        }
        if s.port == 0 {
            e.push(format!("services[{i}]: port must be 1–65535"));
        }
    }
    let mut seen = BTreeSet::new();
    for p in &ctx.placeholders {
        if !is_placeholder_name(&p.name) {
            e.push(format!("placeholder `{}` is not a valid name", p.name));
        }
        if !seen.insert(p.name.as_str()) {
            e.push(format!("placeholder `{}` is listed twice", p.name));
        }
        check_output(&format!("placeholder {}", p.name), &p.source, &mut e);
    }
    match (&ctx.endpoint, &ctx.lattice) {
        (Some(ep), _) => check_value("endpoint.host", &ep.host, &mut e),
        (None, None) => e.push("endpoint is required without VPC Lattice".to_owned()),
        (None, Some(_)) => {}
    }
    if let Some(l) = &ctx.lattice
        && (l.service_network.is_empty() || l.gateway_namespace.is_empty())
    {
        e.push("lattice: service_network and gateway_namespace are required".to_owned());
    }
    if ctx.cluster.name.is_empty() || ctx.cluster.region.is_empty() {
        e.push("cluster: name and region are required".to_owned());
    }
    e
}

// ---- the view the template sees: every shell word already quoted ----

#[derive(Serialize)]
struct View {
    blueprint: String,
    out_dir: String,
    k8s_resolved_dir: String,
    helm_values: String,
    helm_resolved_values: String,
    resolve_dirs: String,
    operator_vars: Vec<OperatorVar>,
    stacks: Vec<StackView>,
    services: Vec<ServiceView>,
    cluster: ClusterView,
    placeholders: Vec<PlaceholderView>,
    endpoint: Option<EndpointView>,
    has_helm_values: bool,
    lattice: Option<LatticeView>,
}

#[derive(Serialize)]
struct LatticeView {
    service_network: String,
    gateway_namespace: String,
    controller_namespace: String,
    chart_version: String,
    gateway_api_version: String,
    grpcurl_image: String,
    iam_auth: bool,
    routes: Vec<RouteView>,
}

#[derive(Serialize)]
struct RouteView {
    name: String,
    namespace: String,
    dns_var: String,
    dns_lookup: String,
    callers: String,
}

#[derive(Serialize)]
struct OperatorVar {
    variable: String,
    hint: String,
}

#[derive(Serialize)]
struct StackView {
    name: String,
    region: String,
    template: String,
    needs_s3_bucket: bool,
    capabilities: String,
    parameters: Vec<String>,
    tags: Vec<String>,
}

#[derive(Serialize)]
struct ServiceView {
    name: String,
    namespace: String,
    repo_var: String,
    repo_lookup: String,
    image_tag: String,
    build_context: String,
    grpc_services: Vec<String>,
    port: u16,
    health_routed: bool,
    reflection_routed: bool,
    region: String,
    registry_word: String,
    image_word: String,
    tg_var: String,
    tg_lookup: String,
}

fn dns_var(service: &str) -> String {
    format!("DNS_{}", service.to_ascii_uppercase().replace('-', "_"))
}

#[derive(Serialize)]
struct ClusterView {
    name: String,
    region: String,
    self_managed_lbc: bool,
    chart_version_flag: String,
    image_platform: String,
}

#[derive(Serialize)]
struct PlaceholderView {
    name: String,
    stack: String,
    output: String,
    lookup: String,
    text: String,
    sed_expr: String,
}

#[derive(Serialize)]
struct EndpointView {
    host_word: String,
    authority_flag: String,
    unrouted: String,
}

impl View {
    fn new(ctx: &RunbookContext) -> View {
        let out = ctx.out_dir.trim_end_matches('/').to_owned();
        let self_managed = ctx.cluster.binding_api.is_self_managed();
        let mut operator_vars = BTreeMap::new();
        let mut note_operator = |v: &ParamValue| {
            if let ParamValue::Operator { variable, hint } = v {
                operator_vars
                    .entry(variable.clone())
                    .or_insert_with(|| hint.clone());
            }
        };
        for s in &ctx.stacks {
            for p in &s.parameters {
                note_operator(&p.value);
            }
        }
        if let Some(ep) = &ctx.endpoint {
            note_operator(&ep.host);
        }
        let self_managed = self_managed && ctx.lattice.is_none();
        let has_helm_values = self_managed || ctx.lattice.is_some();
        let values_file = if ctx.lattice.is_some() {
            CONTROLLER_VALUES_FILE
        } else {
            LBC_VALUES_FILE
        };
        let helm_values = format!("{out}/{values_file}");
        let helm_file = values_file.rsplit('/').next().unwrap_or(values_file);
        let mut resolve_dirs = vec![format!("{out}/{K8S_RESOLVED_DIR}")];
        if has_helm_values {
            resolve_dirs.push(format!("{out}/{HELM_RESOLVED_DIR}"));
        }
        View {
            blueprint: ctx.blueprint.clone(),
            out_dir: sh_quote(&out),
            k8s_resolved_dir: sh_quote(&format!("{out}/{K8S_RESOLVED_DIR}")),
            helm_values: sh_quote(&helm_values),
            helm_resolved_values: sh_quote(&format!("{out}/{HELM_RESOLVED_DIR}/{helm_file}")),
            resolve_dirs: resolve_dirs
                .iter()
                .map(|d| sh_quote(d))
                .collect::<Vec<_>>()
                .join(" "),
            operator_vars: operator_vars
                .into_iter()
                .map(|(variable, hint)| OperatorVar { variable, hint })
                .collect(),
            stacks: ctx
                .stacks
                .iter()
                .map(|s| StackView {
                    name: sh_quote(&s.name),
                    region: sh_quote(&s.region),
                    template: sh_quote(&format!("{out}/{}", s.template)),
                    needs_s3_bucket: s.needs_s3_bucket,
                    capabilities: s
                        .capabilities
                        .iter()
                        .map(|c| sh_quote(c))
                        .collect::<Vec<_>>()
                        .join(" "),
                    parameters: s
                        .parameters
                        .iter()
                        .map(|p| match &p.value {
                            ParamValue::Literal { value } => {
                                sh_quote(&format!("{}={value}", p.key))
                            }
                            other => format!("{}={}", p.key, value_word(other)),
                        })
                        .collect(),
                    tags: s
                        .tags
                        .iter()
                        .map(|(k, v)| sh_quote(&format!("{k}={v}")))
                        .collect(),
                })
                .collect(),
            services: ctx
                .services
                .iter()
                .map(|s| ServiceView {
                    name: s.name.clone(),
                    namespace: sh_quote(&s.namespace),
                    repo_var: s.repository.output.clone(),
                    repo_lookup: output_lookup(&s.repository),
                    image_tag: sh_quote(&s.image_tag),
                    build_context: sh_quote(&s.build_context),
                    grpc_services: s.grpc_services.clone(),
                    port: s.port,
                    health_routed: s.grpc_services.iter().any(|g| g == HEALTH),
                    reflection_routed: s.grpc_services.iter().any(|g| g == REFLECTION),
                    region: sh_quote(&s.repository.region),
                    registry_word: format!("\"${{{}%%/*}}\"", s.repository.output),
                    image_word: format!("\"${}:{}\"", s.repository.output, s.image_tag),
                    tg_var: s
                        .target_group
                        .as_ref()
                        .map(|t| t.output.clone())
                        .unwrap_or_default(),
                    tg_lookup: s.target_group.as_ref().map(output_lookup).unwrap_or_default(),
                })
                .collect(),
            cluster: ClusterView {
                name: sh_quote(&ctx.cluster.name),
                region: sh_quote(&ctx.cluster.region),
                self_managed_lbc: self_managed,
                chart_version_flag: ctx
                    .cluster
                    .lbc_chart_version
                    .as_ref()
                    .map(|v| format!(" --version {}", sh_quote(v)))
                    .unwrap_or_default(),
                image_platform: sh_quote(&ctx.cluster.image_platform),
            },
            placeholders: ctx
                .placeholders
                .iter()
                .map(|p| PlaceholderView {
                    name: p.name.clone(),
                    stack: p.source.stack.clone(),
                    output: p.source.output.clone(),
                    lookup: output_lookup(&p.source),
                    text: crate::k8s::placeholder(&p.name),
                    sed_expr: format!("'s|\\${{{n}}}|'\"${n}\"'|g'", n = p.name),
                })
                .collect(),
            endpoint: ctx.endpoint.as_ref().map(|ep| EndpointView {
                host_word: value_word(&ep.host),
                unrouted: ep.unrouted.clone(),
                authority_flag: ep
                    .authority
                    .as_ref()
                    .map(|a| format!(" -authority {}", sh_quote(a)))
                    .unwrap_or_default(),
            }),
            has_helm_values,
            lattice: ctx.lattice.as_ref().map(|l| LatticeView {
                service_network: sh_quote(&l.service_network),
                gateway_namespace: sh_quote(&l.gateway_namespace),
                controller_namespace: CONTROLLER_NAMESPACE.to_owned(),
                chart_version: sh_quote(&l.controller_chart_version),
                gateway_api_version: l.gateway_api_version.clone(),
                grpcurl_image: sh_quote(&l.grpcurl_image),
                iam_auth: l.iam_auth,
                routes: ctx
                    .services
                    .iter()
                    .map(|s| {
                        let callers = l
                            .callers
                            .iter()
                            .find(|(n, _)| *n == s.name)
                            .map(|(_, c)| c.clone())
                            .unwrap_or_default();
                        RouteView {
                            name: s.name.clone(),
                            namespace: sh_quote(&s.namespace),
                            dns_var: dns_var(&s.name),
                            dns_lookup: format!(
                                "$(kubectl -n {} get grpcroute {} -o jsonpath='{{.metadata.annotations.{}}}')",
                                sh_quote(&s.namespace),
                                s.name,
                                LATTICE_DNS_ANNOTATION.replace('.', "\\.")
                            ),
                            callers: if callers.is_empty() {
                                "nobody (its auth policy denies every caller)".to_owned()
                            } else {
                                callers
                                    .iter()
                                    .map(|c| format!("`{c}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            },
                        }
                    })
                    .collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_never_masks_missing_data() {
        assert!(
            !TEMPLATE.contains("default("),
            "no `default` filters in DEPLOY.md.tera"
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("eu-west-1"), "eu-west-1");
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote(""), "''");
        assert_eq!(sh_quote("$(rm -rf /)"), "'$(rm -rf /)'");
    }
}
