//! The pieces of the runbook's [`View`](super::View): the words each part of `DEPLOY.md` is
//! rendered from, read from the assembly and its runbook spec.

use super::*;

/// The values the operator exports first (a generated secret's hint included), once each.
pub(super) fn operator_vars(asm: &Assembly) -> Vec<OperatorVar> {
    let mut operator_vars = BTreeMap::new();
    for s in &asm.stacks {
        for p in &s.parameters {
            let hint = match &p.source {
                ValueSource::Operator { hint } => hint.clone(),
                ValueSource::Lookup {
                    lookup: Lookup::GeneratedSecret { length },
                } => generated_secret_hint(&p.name, *length),
                _ => continue,
            };
            operator_vars.entry(p.name.clone()).or_insert(hint);
        }
    }
    operator_vars
        .into_iter()
        .map(|(variable, hint)| OperatorVar { variable, hint })
        .collect()
}

/// Each stack's deploy command words: its template, capabilities, parameters (each from an
/// output, a lookup or the operator) and tags.
pub(super) fn stack_views(asm: &Assembly) -> Vec<StackView> {
    let value_word = |stack_region: &str, p: &formwork_assembly::ParameterSpec| -> Option<String> {
        match &p.source {
            ValueSource::Default => None,
            ValueSource::StackOutput { stack, output } => Some(format!(
                "{}=\"{}\"",
                p.name,
                output_lookup(asm, &OutputRef::new(stack, output))
            )),
            ValueSource::Lookup {
                lookup: Lookup::GeneratedSecret { .. },
            }
            | ValueSource::Operator { .. } => Some(format!("{}=\"${}\"", p.name, p.name)),
            ValueSource::Lookup { lookup } => Some(format!(
                "{}=\"{}\"",
                p.name,
                lookup_command(lookup, stack_region)
            )),
        }
    };
    asm.stacks
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let region = s.region.clone().unwrap_or_default();
            StackView {
                index: i + 1,
                name: sh_quote(&s.name),
                region: sh_quote(&region),
                template: out_path(&s.template),
                needs_s3_bucket: s.body_bytes > INLINE_BODY_LIMIT,
                capabilities: s
                    .capabilities
                    .iter()
                    .map(|c| sh_quote(c))
                    .collect::<Vec<_>>()
                    .join(" "),
                parameters: s
                    .parameters
                    .iter()
                    .filter_map(|p| value_word(&region, p))
                    .collect(),
                tags: s
                    .tags
                    .iter()
                    .map(|(k, v)| sh_quote(&format!("{k}={v}")))
                    .collect(),
            }
        })
        .collect()
}

/// Each service's image and workload words.
pub(super) fn service_views(asm: &Assembly, spec: &RunbookSpec) -> Vec<ServiceView> {
    spec.services
        .iter()
        .map(|s| ServiceView {
            name: s.name.clone(),
            namespace: sh_quote(&s.namespace),
            repo_var: s.repository.output.clone(),
            repo_lookup: output_lookup(asm, &s.repository),
            image_tag: sh_quote(&s.image_tag),
            build_context: sh_quote(&s.build_context),
            grpc_services: s.grpc_services.clone(),
            port: s.port,
            health_routed: s.grpc_services.iter().any(|g| g == HEALTH),
            reflection_routed: s.grpc_services.iter().any(|g| g == REFLECTION),
            region: sh_quote(asm.region_of(&s.repository.stack)),
            registry_word: format!("\"${{{}%%/*}}\"", s.repository.output),
            image_word: format!("\"${}:{}\"", s.repository.output, s.image_tag),
            tg_var: s
                .target_group
                .as_ref()
                .map(|t| t.output.clone())
                .unwrap_or_default(),
            tg_lookup: s
                .target_group
                .as_ref()
                .map(|t| output_lookup(asm, t))
                .unwrap_or_default(),
        })
        .collect()
}

/// The placeholders in the manifests and how each is resolved.
pub(super) fn placeholder_views(asm: &Assembly) -> Vec<PlaceholderView> {
    asm.placeholders
        .iter()
        .map(|(name, o)| PlaceholderView {
            name: name.clone(),
            stack: o.stack.clone(),
            output: o.output.clone(),
            lookup: output_lookup(asm, o),
            text: placeholder(name),
            sed_expr: format!("'s|\\${{{n}}}|'\"${n}\"'|g'", n = name),
        })
        .collect()
}

/// The public endpoint's words for the smoke test.
pub(super) fn endpoint_view(
    asm: &Assembly,
    ep: &formwork_assembly::runbook::Endpoint,
) -> EndpointView {
    EndpointView {
        host_word: match &ep.host {
            Host::Name { name } => sh_quote(name),
            Host::Output(o) => format!("\"{}\"", output_lookup(asm, o)),
        },
        unrouted: ep.unrouted.clone(),
        authority_flag: ep
            .authority
            .as_ref()
            .map(|a| format!(" -authority {}", sh_quote(a)))
            .unwrap_or_default(),
        curl_connect: ep
            .authority
            .as_ref()
            .map(|a| format!(" --connect-to \"{a}:443:$ENDPOINT:443\""))
            .unwrap_or_default(),
        curl_host: ep
            .authority
            .clone()
            .unwrap_or_else(|| "$ENDPOINT".to_owned()),
    }
}

/// The ECS cluster and services to wait for.
pub(super) fn ecs_view(asm: &Assembly, e: &formwork_assembly::runbook::EcsStep) -> EcsView {
    EcsView {
        cluster_var: e.cluster.output.clone(),
        cluster_lookup: output_lookup(asm, &e.cluster),
        region: sh_quote(asm.region_of(&e.cluster.stack)),
        services: e
            .services
            .iter()
            .map(|o| EcsServiceView {
                var: o.output.clone(),
                lookup: output_lookup(asm, o),
            })
            .collect(),
    }
}

/// VPC Lattice: the controller, the gateway and each route with its callers.
pub(super) fn lattice_view(
    spec: &RunbookSpec,
    l: &formwork_assembly::runbook::LatticeStep,
) -> LatticeView {
    LatticeView {
        service_network: sh_quote(&l.service_network),
        gateway_namespace: sh_quote(&l.gateway_namespace),
        controller_namespace: l.controller_namespace.clone(),
        chart_version: sh_quote(l.controller.chart_version.as_deref().unwrap_or("")),
        gateway_api_version: l.gateway_api_version.clone(),
        grpcurl_image: sh_quote(&l.grpcurl_image),
        iam_auth: l.iam_auth,
        routes: spec
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
                        l.dns_annotation.replace('.', "\\.")
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
    }
}
