//! `formwork deploy --apply-k8s`: the cluster steps of the runbook after the stacks — kubeconfig,
//! the AWS Load Balancer Controller (Helm, pinned chart, CRDs applied first because `helm
//! upgrade` does not upgrade them), `kubectl apply` of the resolved manifests, rollout waits,
//! the target groups' health and the public smoke test ([`super::smoke`]). Each step is printed with its outcome; every step is idempotent, so
//! a failed run is resumed by running the same command again after the fix.

use std::path::Path;

use formwork_assembly::layout::resolved_path;
use formwork_assembly::runbook::{HelmRelease, RunbookSpec, ServiceStep};
use formwork_assembly::{Assembly, OutputRef};
use serde_json::Value;

use super::DeployError;
use super::ctx::{Ctx, s};

const LBC: &str = "aws-load-balancer-controller";
/// How many times target health is read before giving up (`poll` apart).
const HEALTH_ATTEMPTS: u32 = 60;

/// Runs the cluster steps; `resolved` is `DIR/k8s-resolved`.
pub(super) fn apply(ctx: &mut Ctx<'_>, asm: &Assembly, resolved: &Path) -> Result<(), DeployError> {
    if let Some(rb) = &asm.runbook {
        let mut v = vec![s("aws"), s("eks"), s("update-kubeconfig")];
        v.extend([s("--region"), rb.cluster.region.clone()]);
        v.extend([s("--name"), rb.cluster.name.clone()]);
        if let Some(p) = &ctx.opts.profile {
            v.extend([s("--profile"), p.clone()]);
        }
        step(ctx, "connect kubectl to the cluster", v)?;
        if let Some(h) = &rb.cluster.load_balancer_controller {
            load_balancer_controller(ctx, h)?;
        }
    }
    let dir = resolved.display().to_string();
    step(
        ctx,
        "apply the manifests",
        vec![s("kubectl"), s("apply"), s("-f"), dir, s("-R")],
    )?;
    let Some(rb) = &asm.runbook else {
        return Ok(());
    };
    for svc in &rb.services {
        step(
            ctx,
            &format!("roll out {}", svc.name),
            vec![
                s("kubectl"),
                s("-n"),
                svc.namespace.clone(),
                s("rollout"),
                s("status"),
                format!("deployment/{}", svc.name),
                s("--timeout=5m"),
            ],
        )?;
    }
    for svc in &rb.services {
        if let Some(tg) = &svc.target_group {
            target_health(ctx, asm, rb, svc, tg)?;
        }
    }
    super::smoke::run(ctx, asm, rb)
}

/// Runs one step, printing its outcome; on failure stops with what failed and how to resume.
fn step(ctx: &mut Ctx<'_>, what: &str, argv: Vec<String>) -> Result<String, DeployError> {
    let out = ctx.exec(argv.clone())?;
    step_outcome(ctx, what, &argv, out)
}

fn step_outcome(
    ctx: &mut Ctx<'_>,
    what: &str,
    argv: &[String],
    out: Option<super::CmdOutput>,
) -> Result<String, DeployError> {
    match out {
        None => Ok(String::new()),
        Some(o) if o.ok() => {
            ctx.info(format!("  ok: {what}"));
            Ok(o.stdout)
        }
        Some(o) => Err(stop(ctx, what, &ctx.failed(argv, &o).to_string())),
    }
}

fn stop(ctx: &Ctx<'_>, what: &str, why: &str) -> DeployError {
    DeployError::Command {
        message: format!(
            "cluster step `{what}` failed:\n{why}\n  fix the cause, then resume with `formwork deploy {} --apply-k8s` (every step is idempotent; the stacks are unchanged and skip quickly)",
            ctx.opts.dir.display()
        ),
    }
}

/// The self-managed controller: chart repo, CRDs of the pinned chart, install or upgrade, wait.
fn load_balancer_controller(ctx: &mut Ctx<'_>, h: &HelmRelease) -> Result<(), DeployError> {
    let chart = format!("eks/{LBC}");
    let version: Vec<String> = h
        .chart_version
        .iter()
        .flat_map(|v| [s("--version"), v.clone()])
        .collect();
    step(
        ctx,
        "add the eks-charts Helm repository",
        vec![
            s("helm"),
            s("repo"),
            s("add"),
            s("eks"),
            s("https://aws.github.io/eks-charts"),
            s("--force-update"),
        ],
    )?;
    // `helm upgrade` never touches CRDs (Helm's crds/ directory is install-only), so the chart's
    // CRDs are applied first, at the pinned version, on install and upgrade alike.
    let mut show = vec![s("helm"), s("show"), s("crds"), chart.clone()];
    show.extend(version.iter().cloned());
    let crds = step(ctx, "read the controller's CRDs", show)?;
    let apply = vec![
        s("kubectl"),
        s("apply"),
        s("--server-side"),
        s("--force-conflicts"),
        s("-f"),
        s("-"),
    ];
    ctx.info(format!("  (CRDs on stdin) {}", ctx.shown(&apply)));
    if !ctx.opts.dry_run {
        let o = ctx
            .runner
            .run_input(&apply, &crds)
            .map_err(|e| ctx.spawn_error(&apply, e))?;
        step_outcome(ctx, "apply the controller's CRDs", &apply, Some(o))?;
    }
    let values = resolved_path(&h.values_file).unwrap_or_else(|| h.values_file.clone());
    let mut up = vec![
        s("helm"),
        s("upgrade"),
        s("--install"),
        s(LBC),
        chart,
        s("-n"),
        s("kube-system"),
    ];
    up.extend(version);
    up.extend([s("-f"), ctx.opts.dir.join(values).display().to_string()]);
    step(ctx, "install or upgrade the load balancer controller", up)?;
    step(
        ctx,
        "wait for the load balancer controller",
        vec![
            s("kubectl"),
            s("-n"),
            s("kube-system"),
            s("rollout"),
            s("status"),
            format!("deployment/{LBC}"),
            s("--timeout=5m"),
        ],
    )?;
    Ok(())
}

/// Reads the target group's health until every target is `healthy` (bounded).
fn target_health(
    ctx: &mut Ctx<'_>,
    asm: &Assembly,
    rb: &RunbookSpec,
    svc: &ServiceStep,
    tg: &OutputRef,
) -> Result<(), DeployError> {
    let region = asm
        .stack(&tg.stack)
        .and_then(|m| m.region.clone())
        .unwrap_or_else(|| rb.cluster.region.clone());
    let arn = if ctx.opts.dry_run {
        format!("<{}.{}>", tg.stack, tg.output)
    } else {
        let outs = ctx.stack_outputs(&tg.stack, Some(&region))?;
        outs.get(&tg.output).cloned().ok_or_else(|| {
            DeployError::Missing(format!(
                "stack `{}` has no output {} (the target group of {})",
                tg.stack, tg.output, svc.name
            ))
        })?
    };
    let mut argv = vec![s("aws"), s("elbv2"), s("describe-target-health")];
    argv.extend([s("--target-group-arn"), arn, s("--region"), region]);
    if let Some(p) = &ctx.opts.profile {
        argv.extend([s("--profile"), p.clone()]);
    }
    argv.extend([s("--output"), s("json")]);
    let what = format!("targets of {} healthy", svc.name);
    let mut last = String::new();
    for attempt in 0..HEALTH_ATTEMPTS {
        if attempt > 0 {
            std::thread::sleep(ctx.opts.poll);
        }
        let v = ctx.exec_json(argv.clone())?;
        if ctx.opts.dry_run {
            return Ok(());
        }
        let states = states(&v);
        if !states.is_empty() && states.iter().all(|st| st == "healthy") {
            ctx.info(format!("  ok: {what} ({} target(s))", states.len()));
            return Ok(());
        }
        last = if states.is_empty() {
            s("no targets registered")
        } else {
            states.join(", ")
        };
    }
    Err(stop(
        ctx,
        &what,
        &format!(
            "  after {HEALTH_ATTEMPTS} reads: {last}\n  look at `kubectl -n {} describe targetgroupbinding {}` and the pods' readiness",
            svc.namespace, svc.name
        ),
    ))
}

fn states(v: &Value) -> Vec<String> {
    v.get("TargetHealthDescriptions")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|d| {
                    d.pointer("/TargetHealth/State")?
                        .as_str()
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default()
}
