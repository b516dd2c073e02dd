//! One stack: what is deployed, the guard against losing data, the parameters it needs, the
//! `aws cloudformation deploy` call with its stack events, and its outputs afterwards.

use std::collections::BTreeSet;

use formwork_assembly::{Assembly, INLINE_BODY_LIMIT, StackArtifact, ValueSource};
use formwork_constructs::core::Lookup;
use formwork_constructs::validate::load_template;
use serde_json::Value;

use super::ctx::{Ctx, s};
use super::refactor::refactor;
use super::{DeployError, Note, Plan, StackResult};
use crate::diff::{Action, Risk, Side, StackDiff};

/// The deployed template of a stack (from `--previous`, else `describe-stacks` +
/// `get-template`) and whether the stack exists.
pub(super) fn deployed(
    ctx: &mut Ctx<'_>,
    st: &StackArtifact,
    previous: Option<&Side>,
) -> Result<(Option<Value>, bool), DeployError> {
    let opts = ctx.opts;
    let region = st.region.clone().or(opts.region.clone());
    let region = region.as_deref();
    let name = st.name.as_str();
    if let Some(prev) = previous {
        let t = prev
            .stacks
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone());
        let existed = t.is_some();
        return Ok((t, existed));
    }
    let get_template = |ctx: &Ctx<'_>| {
        ctx.cfn(
            "get-template",
            region,
            &[
                s("--stack-name"),
                s(name),
                s("--template-stage"),
                s("Original"),
                s("--output"),
                s("json"),
            ],
        )
    };
    match ctx.describe_stack(name, region)? {
        None => {
            if opts.dry_run {
                // Show the read that a real run does.
                let argv = get_template(ctx);
                ctx.exec(argv)?;
            }
            Ok((None, false))
        }
        // Left by a change set that was never executed: nothing is deployed yet.
        Some(d) if d.get("StackStatus").and_then(Value::as_str) == Some("REVIEW_IN_PROGRESS") => {
            Ok((None, false))
        }
        Some(d) => {
            let status = d.get("StackStatus").and_then(Value::as_str).unwrap_or("");
            check_status(name, status)?;
            let v = ctx.exec_json(get_template(ctx))?;
            let t = match v.get("TemplateBody") {
                Some(Value::String(text)) => Some(
                    load_template(text.as_bytes(), &format!("<deployed {name}>"))
                        .map_err(|e| DeployError::Input(e.to_string()))?,
                ),
                Some(obj @ Value::Object(_)) => Some(obj.clone()),
                _ => None,
            };
            Ok((t, true))
        }
    }
}

/// Deploys one stack as planned.
pub(super) fn deploy_stack(
    ctx: &mut Ctx<'_>,
    asm: &Assembly,
    sm: &StackArtifact,
    plan: Plan,
) -> Result<StackResult, DeployError> {
    let opts = ctx.opts;
    let region = sm.region.clone().or(opts.region.clone());
    let region = region.as_deref();
    let name = sm.name.as_str();
    let template_path = opts.dir.join(&sm.template);
    ctx.info(format!("stack {name}"));
    if let Some(p) = &opts.previous {
        ctx.info(format!("  comparing with {} (--previous)", p.display()));
    } else if !plan.existed && !opts.dry_run {
        ctx.info("  not deployed yet: first deploy");
    }
    if let Some(d) = &plan.diff {
        ctx.info(format!("  diff: {}", crate::diff_render::summary(d)));
        for r in &d.renames {
            ctx.info(format!(
                "  rename {} → {} ({}), no replacement",
                r.from, r.to, r.type_name
            ));
        }
        for r in d.stateful_at_risk() {
            ctx.info(format!(
                "  allowed: {} ({}) will be {}",
                r.logical_id,
                r.type_name,
                match (r.action, r.risk) {
                    (Action::Remove, Some(Risk::Retained)) =>
                        "removed from the stack and kept (DeletionPolicy: Retain)",
                    (Action::Remove, _) => "deleted",
                    (_, Some(Risk::Retained)) =>
                        "replaced; the old one is kept (UpdateReplacePolicy: Retain)",
                    _ => "replaced",
                }
            ));
        }
    }

    // Renames: stack refactoring before the deploy.
    if let (Some(d), Some(dep)) = (&plan.diff, &plan.deployed)
        && !d.renames.is_empty()
    {
        refactor(ctx, name, region, dep, d)?;
    }

    let overrides = parameter_overrides(ctx, asm, sm, region, plan.deployed.as_ref())?;
    let bucket = (sm.body_bytes > INLINE_BODY_LIMIT)
        .then_some(opts.s3_bucket.as_deref())
        .flatten();
    let args = deploy_args(sm, &template_path.display().to_string(), bucket, overrides);
    let argv = ctx.cfn("deploy", region, &args);
    run_deploy(ctx, name, region, argv, plan.existed)?;

    // Outputs, read once, for later stacks and the Kubernetes placeholders.
    ctx.outputs.remove(&(region.map(str::to_owned), s(name)));
    let outputs = ctx.stack_outputs(name, region)?;
    if !outputs.is_empty() {
        ctx.info(format!("  outputs of {name}:"));
        for (k, v) in &outputs {
            ctx.info(format!("    {k} = {v}"));
        }
    }
    Ok(StackResult {
        name: s(name),
        diff: plan.diff,
        outputs,
    })
}

/// The arguments of `aws cloudformation deploy` for a stack after `deploy` (Region and profile
/// are added by the caller): the one place this command line is built, for running it and for
/// showing it.
pub fn deploy_args(
    sm: &StackArtifact,
    template_file: &str,
    s3_bucket: Option<&str>,
    overrides: Vec<String>,
) -> Vec<String> {
    let mut args = vec![
        s("--stack-name"),
        sm.name.clone(),
        s("--template-file"),
        s(template_file),
    ];
    if let Some(b) = s3_bucket {
        args.push(s("--s3-bucket"));
        args.push(s(b));
    }
    if !sm.capabilities.is_empty() {
        args.push(s("--capabilities"));
        args.extend(sm.capabilities.iter().cloned());
    }
    if !overrides.is_empty() {
        args.push(s("--parameter-overrides"));
        args.extend(overrides);
    }
    if !sm.tags.is_empty() {
        args.push(s("--tags"));
        args.extend(sm.tags.iter().map(|(k, v)| format!("{k}={v}")));
    }
    args.push(s("--no-fail-on-empty-changeset"));
    args
}

/// `Key=Value` for every parameter that needs a value: given by the operator, read from an
/// earlier stack's output, looked up, or generated (a generated secret that the deployed
/// template already has gets no value: CloudFormation keeps the previous one).
fn parameter_overrides(
    ctx: &mut Ctx<'_>,
    asm: &Assembly,
    sm: &StackArtifact,
    region: Option<&str>,
    deployed: Option<&Value>,
) -> Result<Vec<String>, DeployError> {
    let opts = ctx.opts;
    let name = sm.name.as_str();
    let mut overrides = Vec::new();
    for p in &sm.parameters {
        let given = opts
            .parameters
            .iter()
            .find(|(st, k, _)| st == name && k == &p.name)
            .map(|(_, _, v)| v.clone());
        let value = match (&p.source, given) {
            (_, Some(v)) => Some(v),
            (ValueSource::Default, None) => None,
            (ValueSource::StackOutput { stack, output }, None) => {
                Some(stack_output_value(ctx, asm, name, &p.name, stack, output)?)
            }
            (
                ValueSource::Lookup {
                    lookup: Lookup::GeneratedSecret { length },
                },
                None,
            ) => generated_secret(ctx, &p.name, *length, deployed)?,
            (ValueSource::Lookup { lookup }, None) => {
                Some(lookup_value(ctx, name, &p.name, lookup, region)?)
            }
            (ValueSource::Operator { hint }, None) => {
                return Err(DeployError::Missing(format!(
                    "stack `{name}` parameter {} has no value ({hint}): pass --parameter {name}.{}=VALUE",
                    p.name, p.name
                )));
            }
        };
        if let Some(v) = value {
            if p.no_echo && !v.is_empty() && !ctx.secrets.contains(&v) {
                ctx.secrets.push(v.clone());
            }
            overrides.push(format!("{}={}", p.name, v));
        }
    }
    Ok(overrides)
}

fn stack_output_value(
    ctx: &mut Ctx<'_>,
    asm: &Assembly,
    consumer: &str,
    parameter: &str,
    stack: &str,
    output: &str,
) -> Result<String, DeployError> {
    let opts = ctx.opts;
    let producer_region = asm
        .stack(stack)
        .and_then(|m| m.region.clone())
        .or(opts.region.clone());
    if opts.dry_run
        && !ctx
            .outputs
            .contains_key(&(producer_region.clone(), s(stack)))
    {
        if asm.stack(stack).is_none() {
            ctx.stack_outputs(stack, producer_region.as_deref())?;
        }
        return Ok(format!("<output of {stack}.{output}>"));
    }
    let outs = ctx.stack_outputs(stack, producer_region.as_deref())?;
    outs.get(output).cloned().ok_or_else(|| {
        DeployError::Missing(format!(
            "stack `{consumer}` parameter {parameter}: stack `{stack}` has no output {output}"
        ))
    })
}

/// The value of a generated secret: none when the deployed template has the parameter (the
/// stack keeps its value), else a new one (in a dry run, a marker).
fn generated_secret(
    ctx: &mut Ctx<'_>,
    parameter: &str,
    length: u32,
    deployed: Option<&Value>,
) -> Result<Option<String>, DeployError> {
    if deployed.is_some_and(|t| t["Parameters"].get(parameter).is_some()) {
        ctx.info(format!("  {parameter}: the deployed value is kept"));
        return Ok(None);
    }
    if ctx.opts.dry_run {
        ctx.info(format!(
            "  {parameter}: a new secret of {length} characters is generated"
        ));
        return Ok(Some(format!("<generated secret ({length} characters)>")));
    }
    let v = random_secret(length as usize).map_err(|e| {
        DeployError::Input(format!(
            "cannot read /dev/urandom to generate {parameter}: {e}; pass --parameter STACK.{parameter}=VALUE"
        ))
    })?;
    ctx.secrets.push(v.clone());
    ctx.info(format!(
        "  {parameter}: generated a new secret of {length} characters"
    ));
    Ok(Some(v))
}

/// `length` characters from `[A-Za-z0-9]`, drawn uniformly from the OS's random source
/// (rejection sampling: bytes ≥ 248 are dropped, so each of the 62 characters is equally likely).
pub(super) fn random_secret(length: usize) -> std::io::Result<String> {
    use std::io::Read;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut src = std::fs::File::open("/dev/urandom")?;
    let mut out = String::with_capacity(length);
    let mut buf = [0u8; 64];
    while out.len() < length {
        src.read_exact(&mut buf)?;
        for b in buf {
            if (b as usize) < 4 * ALPHABET.len() && out.len() < length {
                out.push(ALPHABET[b as usize % ALPHABET.len()] as char);
            }
        }
    }
    Ok(out)
}

/// Looks a value up with the AWS CLI (in a dry run: shows the command and a marker).
fn lookup_value(
    ctx: &mut Ctx<'_>,
    stack: &str,
    parameter: &str,
    lookup: &Lookup,
    region: Option<&str>,
) -> Result<String, DeployError> {
    // A generated secret never gets here: `parameter_overrides` hands it to `generated_secret`.
    let (mut argv, what) = match lookup {
        Lookup::GeneratedSecret { .. } => {
            return Err(DeployError::Input(format!(
                "stack `{stack}` parameter {parameter}: a generated secret is not looked up"
            )));
        }
        Lookup::ManagedPrefixList { name } => (
            vec![
                s("aws"),
                s("ec2"),
                s("describe-managed-prefix-lists"),
                s("--filters"),
                format!("Name=prefix-list-name,Values={name}"),
                s("--query"),
                s("PrefixLists[0].PrefixListId"),
                s("--output"),
                s("text"),
            ],
            format!("the id of prefix list {name}"),
        ),
    };
    if let Some(r) = region {
        argv.splice(3..3, [s("--region"), s(r)]);
    }
    if let Some(p) = &ctx.opts.profile {
        argv.push(s("--profile"));
        argv.push(p.clone());
    }
    let Some(o) = ctx.exec(argv.clone())? else {
        return Ok(format!("<looked up: {what}>"));
    };
    if !o.ok() {
        return Err(ctx.failed(&argv, &o));
    }
    let v = o.stdout.trim();
    if v.is_empty() || v == "None" || v == "null" {
        return Err(DeployError::Missing(format!(
            "stack `{stack}` parameter {parameter}: found no {what} in {}; pass --parameter {stack}.{parameter}=VALUE",
            region.unwrap_or("the Region")
        )));
    }
    ctx.info(format!("  {parameter} = {v} (looked up: {what})"));
    Ok(v.to_owned())
}

/// Whether a stack status allows a deploy, and what to do otherwise.
pub(super) fn check_status(stack: &str, status: &str) -> Result<(), DeployError> {
    let advice = if status == "ROLLBACK_COMPLETE"
        || status == "ROLLBACK_FAILED"
        || status == "CREATE_FAILED"
    {
        format!(
            "its first deploy failed and it cannot be updated; delete it (aws cloudformation delete-stack --stack-name {stack}) and deploy again"
        )
    } else if status == "UPDATE_ROLLBACK_FAILED" {
        format!(
            "fix the cause, then run aws cloudformation continue-update-rollback --stack-name {stack}"
        )
    } else if status == "DELETE_FAILED" {
        format!(
            "a delete failed; finish deleting it (aws cloudformation delete-stack --stack-name {stack})"
        )
    } else if status.ends_with("_IN_PROGRESS") {
        s("another operation is running; wait for it to finish")
    } else {
        return Ok(());
    };
    Err(DeployError::StackState {
        stack: s(stack),
        status: s(status),
        advice,
    })
}

/// The stateful resources a diff would replace or delete that `allow` does not name.
pub fn blocked_resources(d: &StackDiff, allow: &[String]) -> Vec<String> {
    d.resources
        .iter()
        .filter(|r| {
            r.stateful
                && match r.action {
                    Action::Replace | Action::MayReplace => true,
                    Action::Remove => r.risk == Some(Risk::DataLoss),
                    _ => false,
                }
                && !allow.contains(&r.logical_id)
        })
        .map(|r| {
            let what = match r.action {
                Action::Remove => s("deleted"),
                Action::MayReplace => s("may be replaced"),
                _ => s("replaced"),
            };
            let kept = match (r.risk, &r.kept_by) {
                (Some(Risk::Retained), Some(k)) => {
                    format!(
                        "; the old one is orphaned, not deleted ({k}), the new one starts empty"
                    )
                }
                _ => String::new(),
            };
            let why: Vec<&str> = r
                .changes
                .iter()
                .filter(|c| matches!(c.action, Action::Replace | Action::MayReplace))
                .map(|c| c.pointer.as_str())
                .chain(
                    r.knock_on
                        .iter()
                        .filter(|k| matches!(k.action, Action::Replace | Action::MayReplace))
                        .map(|k| k.pointer.as_str()),
                )
                .collect();
            let why = if let Some(t) = &r.old_type {
                format!(" (Type was {t})")
            } else if why.is_empty() {
                String::new()
            } else {
                format!(" ({} changed)", why.join(", "))
            };
            format!("{} ({}): {what}{why}{kept}", r.logical_id, r.type_name)
        })
        .collect()
}

fn event_line(e: &Value) -> String {
    let g = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("");
    let mut l = format!(
        "    {} {} {} {}",
        g("Timestamp"),
        g("ResourceStatus"),
        g("ResourceType"),
        g("LogicalResourceId")
    );
    let reason = g("ResourceStatusReason");
    if !reason.is_empty() {
        l.push_str(&format!(": {reason}"));
    }
    l
}

fn stack_events(ctx: &Ctx<'_>, name: &str, region: Option<&str>) -> Vec<Value> {
    let argv = ctx.cfn(
        "describe-stack-events",
        region,
        &[s("--stack-name"), s(name), s("--output"), s("json")],
    );
    match ctx.runner.run(&argv) {
        Ok(o) if o.ok() => serde_json::from_str::<Value>(&o.stdout)
            .ok()
            .and_then(|v| v.get("StackEvents").and_then(Value::as_array).cloned())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn event_id(e: &Value) -> String {
    e.get("EventId")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

pub(super) fn run_deploy(
    ctx: &mut Ctx<'_>,
    name: &str,
    region: Option<&str>,
    argv: Vec<String>,
    existed: bool,
) -> Result<(), DeployError> {
    let shown = ctx.shown(&argv);
    (ctx.log)(Note::Command(shown));
    if ctx.opts.dry_run {
        return Ok(());
    }
    let mut seen: BTreeSet<String> = if existed {
        stack_events(ctx, name, region)
            .iter()
            .map(event_id)
            .collect()
    } else {
        BTreeSet::new()
    };
    let runner = ctx.runner;
    let poll = ctx.opts.poll;
    let mut new_events: Vec<Value> = Vec::new();
    let poll_events =
        |ctx: &mut Ctx<'_>, seen: &mut BTreeSet<String>, new_events: &mut Vec<Value>| {
            let evs = stack_events(ctx, name, region);
            for e in evs.iter().rev() {
                if seen.insert(event_id(e)) {
                    ctx.info(event_line(e));
                    new_events.push(e.clone());
                }
            }
        };
    let result = {
        let mut tick = || poll_events(ctx, &mut seen, &mut new_events);
        runner.run_with_ticks(&argv, poll, &mut tick)
    };
    let o = result.map_err(|e| ctx.spawn_error(&argv, e))?;
    poll_events(ctx, &mut seen, &mut new_events);
    for l in o.stdout.lines().filter(|l| !l.trim().is_empty()) {
        ctx.info(format!("  {}", l.trim()));
    }
    if !o.ok() && o.stderr.contains("No updates are to be performed") {
        // UpdateStack's way of saying "empty change set" (moto answers CreateChangeSet so too).
        ctx.info("  no changes to deploy");
        return Ok(());
    }
    if !o.ok() {
        let failures: Vec<String> = new_events
            .iter()
            .filter(|e| {
                e.get("ResourceStatus")
                    .and_then(Value::as_str)
                    .is_some_and(|st| st.ends_with("_FAILED"))
            })
            .map(|e| {
                let g = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("");
                format!(
                    "    {} ({}) {}: {}",
                    g("LogicalResourceId"),
                    g("ResourceType"),
                    g("ResourceStatus"),
                    g("ResourceStatusReason")
                )
            })
            .collect();
        let mut message = format!(
            "deploying stack `{name}` failed (exit {}):\n  {}",
            o.code.map(|c| c.to_string()).unwrap_or_else(|| s("signal")),
            o.stderr.trim()
        );
        if !failures.is_empty() {
            message.push_str("\n  failed resources:\n");
            message.push_str(&failures.join("\n"));
        }
        return Err(DeployError::Command { message });
    }
    Ok(())
}
