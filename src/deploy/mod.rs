//! `formwork deploy DIR`: deploys the stacks of an out dir in order with the plain AWS CLI.
//!
//! First the plan, before anything changes: read every stack's deployed template
//! (`get-template`), diff the assembly against them, and refuse — naming each — replacements or
//! deletions of stateful resources, changes to outputs that a deployed stack reads with
//! `Fn::GetStackOutput`, and bodies over 51,200 bytes without an artifact bucket. Then per
//! stack: move renamed resources with stack refactoring, `aws cloudformation deploy` with the
//! parameters it needs (earlier stacks' outputs in the parameters mode, looked-up values,
//! operator values), streaming stack events while it runs. Afterwards the Kubernetes manifests
//! get their placeholders filled (`DIR/k8s-resolved/`) and, if asked, are applied with
//! `kubectl`.
//!
//! Files: `runner.rs` (external commands), `ctx.rs` (logging, masking, output reads),
//! `stack.rs` (one stack: guard, parameters, deploy, events), `refactor.rs`, `k8s.rs`.
//!
//! Every external command goes through [`Runner`], so the planning logic is tested without
//! processes. Nothing here prints: progress goes to the `log` callback.

mod cluster;
mod ctx;
pub mod failure;
mod images;
mod k8s;
mod refactor;
mod runner;
mod smoke;
mod stack;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use formwork_assembly::{Assembly, INLINE_BODY_LIMIT};
use serde_json::Value;

use crate::diff::{self, Side, StackDiff};
use ctx::{Ctx, s};
pub use runner::{CmdOutput, ProcessRunner, Runner};
pub use stack::{blocked_resources, deploy_args};

/// Options of a deploy.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// The out dir.
    pub dir: PathBuf,
    /// Region for stacks whose manifest entry has none.
    pub region: Option<String>,
    /// `--profile`, passed to every aws command.
    pub profile: Option<String>,
    /// Artifact bucket for templates over 51,200 bytes (`--s3-bucket`, else
    /// `FORMWORK_ARTIFACT_BUCKET`).
    pub s3_bucket: Option<String>,
    /// Logical ids of stateful resources that may be replaced or deleted.
    pub allow_replace: Vec<String>,
    /// `Stack.Output` of outputs a deployed stack reads that may change or go.
    pub allow_output_change: Vec<String>,
    /// Operator-supplied parameters: `(stack, key, value)`.
    pub parameters: Vec<(String, String, String)>,
    /// Run `kubectl apply` on the resolved manifests.
    pub apply_k8s: bool,
    /// Build and push the service images after the stacks (`images.rs`).
    pub build: bool,
    /// Print the commands, run nothing.
    pub dry_run: bool,
    /// An out dir that stands for what is deployed (instead of `get-template`); with `--dry-run`
    /// this shows renames and the replacement guard offline.
    pub previous: Option<PathBuf>,
    /// How often stack events and refactor status are polled.
    pub poll: Duration,
}

/// A progress line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A command, shell-quoted (the output of `--dry-run`).
    Command(String),
    /// Information (stack diff summary, stack events, outputs, remarks).
    Info(String),
}

/// Why a deploy stopped.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// Reading the out dir failed.
    #[error("{0}")]
    Input(String),
    /// The aws binary could not be started.
    #[error(
        "cannot run the AWS CLI `{bin}`: {message}\n  install it (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html) or point --aws-cli / FORMWORK_AWS_CLI at it"
    )]
    NoCli {
        /// Binary.
        bin: String,
        /// OS error.
        message: String,
    },
    /// An `aws` command failed for a reason with a known next step (credentials, endpoint).
    #[error("{0}")]
    Aws(failure::AwsFailure),
    /// The stack is in a state deploy cannot start from.
    #[error("stack `{stack}` is in state {status}: {advice}")]
    StackState {
        /// Stack.
        stack: String,
        /// Its status.
        status: String,
        /// What to do.
        advice: String,
    },
    /// Outputs that deployed stacks read would change or go.
    #[error(
        "refusing to change outputs that deployed stacks read with Fn::GetStackOutput (a weak reference: the reader keeps the old value, or cannot roll back once the output is gone):\n{}\n  deploy the readers first so that they stop reading them, or re-run with --allow-output-change <Stack.Output> for each one you accept",
        .reads.iter().map(|r| format!("    {r}")).collect::<Vec<_>>().join("\n")
    )]
    BrokenReads {
        /// `Stack.Output read by Reader: why` lines.
        reads: Vec<String>,
    },
    /// Stateful resources would be replaced or deleted.
    #[error(
        "stack `{stack}`: refusing to replace or delete stateful resources (their data would be lost, or left behind orphaned):\n{}\n  re-run with --allow-replace <LogicalId> for each one you accept",
        .resources.iter().map(|r| format!("    {r}")).collect::<Vec<_>>().join("\n")
    )]
    Refused {
        /// Stack.
        stack: String,
        /// `Id (Type): what happens` lines.
        resources: Vec<String>,
    },
    /// A value is needed and not given.
    #[error("{0}")]
    Missing(String),
    /// A command failed.
    #[error("{message}")]
    Command {
        /// Rendered message including the command and its stderr.
        message: String,
    },
}

/// What happened to one stack.
#[derive(Debug, Clone, PartialEq)]
pub struct StackResult {
    /// Stack name.
    pub name: String,
    /// The diff against what was deployed (`None` for a first deploy or in a dry run without
    /// `--previous`).
    pub diff: Option<StackDiff>,
    /// Outputs after deploy.
    pub outputs: BTreeMap<String, String>,
}

/// What a deploy did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeployReport {
    /// Per stack, in order.
    pub stacks: Vec<StackResult>,
    /// Files written under `k8s-resolved/` (relative to the out dir).
    pub k8s_resolved: Vec<String>,
    /// Images pushed (`uri:tag`), with `--build`.
    pub images: Vec<String>,
}

/// Parses `Stack.Key=Value`.
pub fn parse_parameter(s: &str) -> Result<(String, String, String), String> {
    let (lhs, value) = s
        .split_once('=')
        .ok_or_else(|| format!("--parameter `{s}`: expected Stack.Key=Value"))?;
    let (stack, key) = lhs
        .split_once('.')
        .ok_or_else(|| format!("--parameter `{s}`: expected Stack.Key=Value"))?;
    if stack.is_empty() || key.is_empty() {
        return Err(format!("--parameter `{s}`: expected Stack.Key=Value"));
    }
    Ok((stack.to_owned(), key.to_owned(), value.to_owned()))
}

/// What is deployed of one stack, read before anything changes.
struct Plan {
    /// The deployed template (`None`: first deploy, or a dry run without `--previous`).
    deployed: Option<Value>,
    /// Whether the stack exists (for event streaming).
    existed: bool,
    /// The diff against the deployed template.
    diff: Option<StackDiff>,
}

/// Deploys the out dir. See the module docs.
pub fn deploy(
    opts: &DeployOptions,
    runner: &dyn Runner,
    log: &mut dyn FnMut(Note),
) -> Result<DeployReport, DeployError> {
    let asm = Assembly::read(&opts.dir).map_err(|e| DeployError::Input(e.to_string()))?;
    check_given(opts, &asm)?;
    let previous = match &opts.previous {
        Some(p) => Some(diff::load_side(p).map_err(|e| DeployError::Input(e.0))?),
        None => None,
    };
    let mut ctx = Ctx {
        opts,
        runner,
        log,
        outputs: BTreeMap::new(),
        secrets: Vec::new(),
    };
    preflight(&mut ctx, &asm)?;
    let plans = plan(&mut ctx, &asm, previous.as_ref())?;
    let mut report = DeployReport::default();
    let images_after = opts.build.then(|| images::after_stack(&asm)).flatten();
    for (i, (st, plan)) in asm.stacks.iter().zip(plans).enumerate() {
        report
            .stacks
            .push(stack::deploy_stack(&mut ctx, &asm, st, plan)?);
        if images_after == Some(i) {
            report.images = images::build_and_push(&mut ctx, &asm)?;
        }
    }
    if opts.build && images_after.is_none() {
        report.images = images::build_and_push(&mut ctx, &asm)?;
    }
    report.k8s_resolved = k8s::resolve_k8s(&mut ctx, &asm)?;
    // ECS: the stacks ran the services; with --build (images, stacks: the whole path) the public
    // smoke test follows, as `--apply-k8s` ends with it for Kubernetes.
    if let Some(rb) = asm.runbook.as_ref().filter(|r| r.ecs.is_some())
        && opts.build
    {
        smoke::run(&mut ctx, &asm, rb)?;
    }
    Ok(report)
}

/// Every `--parameter` names a parameter of the assembly.
fn check_given(opts: &DeployOptions, asm: &Assembly) -> Result<(), DeployError> {
    for (st, key, _) in &opts.parameters {
        let known = asm
            .stack(st)
            .is_some_and(|m| m.parameters.iter().any(|p| &p.name == key));
        if !known {
            return Err(DeployError::Missing(format!(
                "--parameter {st}.{key}: the manifest has no such stack parameter"
            )));
        }
    }
    Ok(())
}

/// The CLI exists and has credentials.
fn preflight(ctx: &mut Ctx<'_>, asm: &Assembly) -> Result<(), DeployError> {
    let mut v = vec![
        s("aws"),
        s("sts"),
        s("get-caller-identity"),
        s("--output"),
        s("json"),
    ];
    if let Some(r) = asm
        .stacks
        .iter()
        .find_map(|m| m.region.clone())
        .or(ctx.opts.region.clone())
    {
        v.push(s("--region"));
        v.push(r);
    }
    if let Some(p) = &ctx.opts.profile {
        v.push(s("--profile"));
        v.push(p.clone());
    }
    if let Some(o) = ctx.exec(v.clone())?
        && !o.ok()
    {
        return Err(DeployError::Aws(ctx.aws_failure(&v, &o)));
    }
    Ok(())
}

/// Reads what is deployed of every stack, diffs, and refuses what must not happen — all before
/// the first change.
fn plan(
    ctx: &mut Ctx<'_>,
    asm: &Assembly,
    previous: Option<&Side>,
) -> Result<Vec<Plan>, DeployError> {
    let mut deployed = Vec::with_capacity(asm.stacks.len());
    for st in &asm.stacks {
        deployed.push(stack::deployed(ctx, st, previous)?);
    }
    let old = Side {
        stacks: asm
            .stacks
            .iter()
            .zip(&deployed)
            .filter_map(|(st, (t, _))| t.clone().map(|t| (st.name.clone(), t)))
            .collect(),
        single_file: false,
    };
    let new = Side {
        stacks: asm
            .stacks
            .iter()
            .map(|s| (s.name.clone(), s.body.clone()))
            .collect(),
        single_file: false,
    };
    let d = diff::diff_sides(&old, &new);
    let broken: Vec<String> = d
        .broken_reads
        .iter()
        .filter(|b| !ctx.opts.allow_output_change.contains(&b.key()))
        .map(|b| format!("{} read by `{}`: {}", b.key(), b.reader, b.why))
        .collect();
    if !broken.is_empty() {
        return Err(DeployError::BrokenReads { reads: broken });
    }
    let mut plans = Vec::with_capacity(deployed.len());
    for (st, (t, existed)) in asm.stacks.iter().zip(deployed) {
        let diff = t.as_ref().and_then(|_| d.stack(&st.name).cloned());
        if let Some(sd) = &diff {
            let blocked = blocked_resources(sd, &ctx.opts.allow_replace);
            if !blocked.is_empty() {
                return Err(DeployError::Refused {
                    stack: st.name.clone(),
                    resources: blocked,
                });
            }
        }
        if st.body_bytes > INLINE_BODY_LIMIT && ctx.opts.s3_bucket.is_none() {
            return Err(DeployError::Missing(format!(
                "stack `{}`: the template is {} bytes, over CloudFormation's 51,200-byte inline limit; pass --s3-bucket BUCKET or set FORMWORK_ARTIFACT_BUCKET (an artifact bucket in {})",
                st.name,
                st.body_bytes,
                st.region.as_deref().unwrap_or("the stack's Region")
            )));
        }
        plans.push(Plan {
            deployed: t,
            existed,
            diff,
        });
    }
    Ok(plans)
}
