//! `DEPLOY.md`: the runbook that takes a synthesized out dir to a serving gRPC endpoint with
//! the exact `aws`, `docker`, `helm`, `kubectl` and `grpcurl` commands, in order.
//!
//! Rendered from the [`Assembly`]: its stacks (deploy commands with each parameter's source)
//! and its runbook spec. [`deploy_md`] checks the spec, turns it into a view whose shell words
//! are already quoted, and writes the text with plain formatting (`render.rs`, no template
//! parsed at run time). `DEPLOY.md.tera` beside this file is the same text as a tera template:
//! the reference that the tests render beside `render.rs` and require byte-identical.
//! Every field is required (no `default` filters): a missing value is a Rust compile error,
//! not a silent blank in the runbook.

use std::collections::BTreeMap;

use formwork_assembly::layout::{HELM_RESOLVED_DIR, K8S_RESOLVED_DIR};
use formwork_assembly::placeholder::{is_placeholder_name, placeholder};
use formwork_assembly::runbook::Host;
use formwork_assembly::{Assembly, INLINE_BODY_LIMIT, OutputRef, RunbookSpec, ValueSource};
use formwork_constructs::core::Lookup;
use serde::Serialize;

use crate::shell::sh_quote;

mod alarms;
mod render;
mod views;

use views::{
    ecs_view, endpoint_view, lattice_view, operator_vars, placeholder_views, service_views,
    stack_views,
};

/// The reference template (committed beside this module; the tests require [`deploy_md`]'s
/// text to equal its rendering).
pub const TEMPLATE: &str = include_str!("DEPLOY.md.tera");

/// The gRPC services that must be routed for `grpcurl list` and the health check.
const REFLECTION: &str = "grpc.reflection.v1.ServerReflection";
const HEALTH: &str = "grpc.health.v1.Health";

/// How the commands name the out dir: a shell variable the runbook's first step sets, so that
/// the text is the same whatever `-o` or working directory synth ran with (issue #12.6).
pub const OUT_VAR: &str = "OUT";

/// Renders `DEPLOY.md` for `asm` (which must have a runbook spec). Its commands name the out dir
/// as `"$OUT"` (see [`OUT_VAR`]), so the text depends on the assembly only. Errors list every
/// problem with the spec, one per line, or the template error.
pub fn deploy_md(asm: &Assembly) -> Result<String, String> {
    let Some(spec) = &asm.runbook else {
        return Err("the assembly has no runbook spec".to_owned());
    };
    let errs = check(asm, spec);
    if !errs.is_empty() {
        return Err(errs.join("\n"));
    }
    render::render(&View::new(asm, spec))
}

/// `deploy_md` through the reference template (tera): what the tests compare against.
#[doc(hidden)]
pub fn deploy_md_reference(asm: &Assembly) -> Result<String, String> {
    let Some(spec) = &asm.runbook else {
        return Err("the assembly has no runbook spec".to_owned());
    };
    let view = View::new(asm, spec);
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

/// The shell command substitution that prints a stack output.
pub fn output_lookup(asm: &Assembly, o: &OutputRef) -> String {
    format!(
        "$(aws cloudformation describe-stacks --region {} --stack-name {} --query \"Stacks[0].Outputs[?OutputKey=='{}'].OutputValue\" --output text)",
        sh_quote(asm.region_of(&o.stack)),
        sh_quote(&o.stack),
        o.output
    )
}

/// What the runbook tells the operator about a secret `formwork deploy` generates.
fn generated_secret_hint(name: &str, length: u32) -> String {
    format!(
        "a secret `formwork deploy` generates; by hand, on the first deploy only: `export {name}=\"{}\"`, then keep that value (or drop the `{name}=` line on later deploys: CloudFormation keeps the previous value)",
        secret_command(length)
    )
}

/// The shell command substitution that prints a random secret of `length` letters and digits.
pub fn secret_command(length: u32) -> String {
    format!("$(LC_ALL=C tr -dc A-Za-z0-9 </dev/urandom | head -c {length})")
}

/// The shell command substitution that prints a looked-up value in `region`.
pub fn lookup_command(lookup: &Lookup, region: &str) -> String {
    match lookup {
        Lookup::GeneratedSecret { length } => secret_command(*length),
        Lookup::ManagedPrefixList { name } => format!(
            "$(aws ec2 describe-managed-prefix-lists --region {} --filters Name=prefix-list-name,Values={} --query 'PrefixLists[0].PrefixListId' --output text)",
            sh_quote(region),
            sh_quote(name)
        ),
    }
}

fn check_output(asm: &Assembly, ptr: &str, o: &OutputRef, e: &mut Vec<String>) {
    if !o.output.chars().all(|c| c.is_ascii_alphanumeric()) || o.output.is_empty() {
        e.push(format!(
            "{ptr}: output id `{}` must be alphanumeric",
            o.output
        ));
    }
    match asm.stack(&o.stack) {
        None => e.push(format!("{ptr}: no stack `{}` in the assembly", o.stack)),
        Some(s) if s.region.is_none() => e.push(format!(
            "{ptr}: stack `{}` has no Region; the runbook names one for every command",
            o.stack
        )),
        Some(s) if !s.outputs.iter().any(|x| x.name == o.output) => e.push(format!(
            "{ptr}: stack `{}` has no output `{}`",
            o.stack, o.output
        )),
        Some(_) => {}
    }
}

fn check(asm: &Assembly, spec: &RunbookSpec) -> Vec<String> {
    let mut e = Vec::new();
    for (i, s) in asm.stacks.iter().enumerate() {
        if s.region.is_none() {
            e.push(format!(
                "stacks[{i}] `{}`: the runbook needs a Region",
                s.name
            ));
        }
        for p in &s.parameters {
            if !is_placeholder_name(&p.name) {
                e.push(format!(
                    "stacks[{i}]: parameter `{}` is not a parameter id",
                    p.name
                ));
            }
            if let ValueSource::StackOutput { stack, output } = &p.source {
                check_output(
                    asm,
                    &format!("stacks[{i}].{}", p.name),
                    &OutputRef::new(stack, output),
                    &mut e,
                );
            }
        }
    }
    for (i, s) in spec.services.iter().enumerate() {
        check_output(
            asm,
            &format!("services[{i}].repository"),
            &s.repository,
            &mut e,
        );
        if let Some(tg) = &s.target_group {
            check_output(asm, &format!("services[{i}].target_group"), tg, &mut e);
        } else if spec.lattice.is_none() {
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
    for (name, o) in &asm.placeholders {
        check_output(asm, &format!("placeholder {name}"), o, &mut e);
    }
    if let Some(a) = &spec.alarms {
        alarms::check(asm, a, &mut e);
    }
    match (&spec.endpoint, &spec.lattice) {
        (Some(ep), _) => {
            if let Host::Output(o) = &ep.host {
                check_output(asm, "endpoint.host", o, &mut e);
            }
        }
        (None, None) => e.push("endpoint is required without VPC Lattice".to_owned()),
        (None, Some(_)) => {}
    }
    if let Some(l) = &spec.lattice
        && (l.service_network.is_empty() || l.gateway_namespace.is_empty())
    {
        e.push("lattice: service_network and gateway_namespace are required".to_owned());
    }
    if let Some(ecs) = &spec.ecs {
        check_output(asm, "ecs.cluster", &ecs.cluster, &mut e);
        if ecs.services.len() != spec.services.len() {
            e.push(format!(
                "ecs.services: {} service outputs for {} services",
                ecs.services.len(),
                spec.services.len()
            ));
        }
        for (i, o) in ecs.services.iter().enumerate() {
            check_output(asm, &format!("ecs.services[{i}]"), o, &mut e);
        }
        if spec.endpoint.is_none() {
            e.push("ecs: an endpoint is required".to_owned());
        }
    }
    if spec.cluster.name.is_empty() || spec.cluster.region.is_empty() {
        e.push("cluster: name and region are required".to_owned());
    }
    e
}

/// A path inside the out dir as one shell word: `"$OUT/rel"` (double-quoted so `$OUT` expands;
/// the characters special there are escaped).
fn out_path(rel: &str) -> String {
    let mut w = format!("\"${OUT_VAR}/");
    for c in rel.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            w.push('\\');
        }
        w.push(c);
    }
    w.push('"');
    w
}

// ---- the view the template sees: every shell word already quoted ----

#[derive(Serialize)]
struct View {
    blueprint: String,
    /// The out dir's variable (`OUT`), paths in it as shell words (`"$OUT/k8s"`) and for prose
    /// (`$OUT/k8s/`).
    out_var: String,
    k8s_dir: String,
    helm_resolved_dir: String,
    k8s_prose: String,
    helm_values_prose: String,
    k8s_resolved_prose: String,
    helm_resolved_prose: String,
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
    dns_records: Vec<DnsRecordView>,
    dns_zone: Option<String>,
    /// ECS: the stacks deployed after the images (the service stacks); `stacks` then holds only
    /// those up to the one with the repositories. Empty without ECS.
    later_stacks: Vec<StackView>,
    ecs: Option<EcsView>,
    alarms: Option<alarms::AlarmsView>,
}

#[derive(Serialize)]
struct EcsView {
    cluster_var: String,
    cluster_lookup: String,
    region: String,
    services: Vec<EcsServiceView>,
}

#[derive(Serialize)]
struct EcsServiceView {
    var: String,
    lookup: String,
}

#[derive(Serialize)]
struct DnsRecordView {
    name: String,
    lookup: String,
    why: String,
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
    /// 1-based position in the deploy order.
    index: usize,
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
    /// ` --connect-to NAME:443:$ENDPOINT:443` when clients use a name other than the endpoint's.
    curl_connect: String,
    /// The host of the smoke test's URL: that name, else `$ENDPOINT`.
    curl_host: String,
    unrouted: String,
}

impl View {
    fn new(asm: &Assembly, spec: &RunbookSpec) -> View {
        let mut v = View::build(asm, spec);
        if spec.ecs.is_some() {
            // The images go right after the last stack that creates a repository.
            let split = asm
                .stacks
                .iter()
                .rposition(|st| spec.services.iter().any(|s| s.repository.stack == st.name))
                .map_or(v.stacks.len(), |i| i + 1);
            v.later_stacks = v.stacks.split_off(split);
        }
        v
    }

    fn build(asm: &Assembly, spec: &RunbookSpec) -> View {
        let lbc = spec
            .cluster
            .load_balancer_controller
            .as_ref()
            .filter(|_| spec.lattice.is_none());
        let self_managed = lbc.is_some();
        let values_file = match (&spec.lattice, lbc) {
            (Some(l), _) => Some(l.controller.values_file.clone()),
            (None, Some(h)) => Some(h.values_file.clone()),
            (None, None) => None,
        };
        let has_helm_values = values_file.is_some();
        let values_file = values_file.unwrap_or_default();
        let helm_file = values_file
            .rsplit('/')
            .next()
            .unwrap_or(&values_file)
            .to_owned();
        let helm_resolved = format!("{HELM_RESOLVED_DIR}/{helm_file}");
        let mut resolve_dirs = vec![out_path(K8S_RESOLVED_DIR)];
        if has_helm_values {
            resolve_dirs.push(out_path(HELM_RESOLVED_DIR));
        }
        View {
            blueprint: spec.title.clone(),
            out_var: OUT_VAR.to_owned(),
            k8s_dir: out_path("k8s"),
            helm_resolved_dir: out_path(HELM_RESOLVED_DIR),
            k8s_prose: format!("${OUT_VAR}/k8s/"),
            helm_values_prose: format!("${OUT_VAR}/{values_file}"),
            k8s_resolved_prose: format!("${OUT_VAR}/{K8S_RESOLVED_DIR}/"),
            helm_resolved_prose: format!("${OUT_VAR}/{helm_resolved}"),
            k8s_resolved_dir: out_path(K8S_RESOLVED_DIR),
            helm_values: out_path(&values_file),
            helm_resolved_values: out_path(&helm_resolved),
            resolve_dirs: resolve_dirs.join(" "),
            operator_vars: operator_vars(asm),
            stacks: stack_views(asm),
            services: service_views(asm, spec),
            cluster: ClusterView {
                name: sh_quote(&spec.cluster.name),
                region: sh_quote(&spec.cluster.region),
                self_managed_lbc: self_managed,
                chart_version_flag: lbc
                    .and_then(|h| h.chart_version.as_ref())
                    .map(|v| format!(" --version {}", sh_quote(v)))
                    .unwrap_or_default(),
                image_platform: sh_quote(&spec.cluster.image_platform),
            },
            placeholders: placeholder_views(asm),
            endpoint: spec.endpoint.as_ref().map(|ep| endpoint_view(asm, ep)),
            has_helm_values,
            dns_zone: spec.dns_zone.clone(),
            alarms: spec.alarms.as_ref().map(|a| alarms::view(asm, a)),
            dns_records: spec
                .dns_records
                .iter()
                .map(|r| DnsRecordView {
                    name: r.name.clone(),
                    lookup: output_lookup(asm, &r.target),
                    why: r.why.clone(),
                })
                .collect(),
            later_stacks: Vec::new(),
            ecs: spec.ecs.as_ref().map(|e| ecs_view(asm, e)),
            lattice: spec.lattice.as_ref().map(|l| lattice_view(spec, l)),
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
}
