//! `formwork deploy DIR`: deploys the stacks of an out dir in order with the plain AWS CLI.
//!
//! Per stack: read the deployed template (`get-template`), diff it against the new one, refuse
//! to replace or delete stateful resources unless allowed, move renamed resources with stack
//! refactoring, then `aws cloudformation deploy` with parameters wired from earlier stacks'
//! outputs, streaming stack events while it runs. Afterwards the Kubernetes manifests get their
//! placeholders filled (`DIR/k8s-resolved/`) and, if asked, are applied with `kubectl`.
//!
//! Every external command goes through [`Runner`], so the planning logic is tested without
//! processes. Nothing here prints: progress goes to the `log` callback.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use formwork_blueprints::runbook::{HELM_RESOLVED_DIR, K8S_RESOLVED_DIR};
use formwork_constructs::core::ParamSource;
use formwork_constructs::validate::{load_file, load_template};
use serde_json::Value;

use crate::assembly::{self, INLINE_BODY_LIMIT, Manifest, StackManifest};
use crate::diff::{self, Action, Risk, StackDiff, StackStatus};

/// What a command printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CmdOutput {
    /// Exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl CmdOutput {
    /// Exit code 0.
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }
}

/// Runs external commands. `argv[0]` is a logical program name (`aws`, `kubectl`).
pub trait Runner {
    /// Runs to completion, capturing output.
    fn run(&self, argv: &[String]) -> io::Result<CmdOutput>;
    /// Runs to completion, calling `tick` every `interval` while the command runs.
    fn run_with_ticks(
        &self,
        argv: &[String],
        interval: Duration,
        tick: &mut dyn FnMut(),
    ) -> io::Result<CmdOutput>;
}

/// Runs real processes; inherits the environment (AWS_*, including `AWS_ENDPOINT_URL`).
#[derive(Debug, Clone)]
pub struct ProcessRunner {
    /// The `aws` binary.
    pub aws: String,
    /// The `kubectl` binary.
    pub kubectl: String,
}

impl ProcessRunner {
    fn command(&self, argv: &[String]) -> Command {
        let program = match argv[0].as_str() {
            "aws" => self.aws.as_str(),
            "kubectl" => self.kubectl.as_str(),
            other => other,
        };
        let mut c = Command::new(program);
        c.args(&argv[1..]);
        c
    }
}

impl Runner for ProcessRunner {
    fn run(&self, argv: &[String]) -> io::Result<CmdOutput> {
        let o = self.command(argv).stdin(Stdio::null()).output()?;
        Ok(CmdOutput {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        })
    }

    fn run_with_ticks(
        &self,
        argv: &[String],
        interval: Duration,
        tick: &mut dyn FnMut(),
    ) -> io::Result<CmdOutput> {
        let mut child = self
            .command(argv)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut so = child.stdout.take();
        let mut se = child.stderr.take();
        let t1 = std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(p) = so.as_mut() {
                let _ = p.read_to_string(&mut s);
            }
            s
        });
        let t2 = std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(p) = se.as_mut() {
                let _ = p.read_to_string(&mut s);
            }
            s
        });
        let mut last = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait()? {
                break st;
            }
            std::thread::sleep(Duration::from_millis(200));
            if last.elapsed() >= interval {
                tick();
                last = Instant::now();
            }
        };
        Ok(CmdOutput {
            code: status.code(),
            stdout: t1.join().unwrap_or_default(),
            stderr: t2.join().unwrap_or_default(),
        })
    }
}

/// Options of a deploy.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// The out dir.
    pub dir: PathBuf,
    /// Region for stacks whose manifest entry has none.
    pub region: Option<String>,
    /// `--profile`, passed to every aws command.
    pub profile: Option<String>,
    /// Artifact bucket for templates over 51,200 bytes.
    pub s3_bucket: Option<String>,
    /// Logical ids of stateful resources that may be replaced or deleted.
    pub allow_replace: Vec<String>,
    /// Operator-supplied parameters: `(stack, key, value)`.
    pub parameters: Vec<(String, String, String)>,
    /// Run `kubectl apply` on the resolved manifests.
    pub apply_k8s: bool,
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
    /// `aws sts get-caller-identity` failed.
    #[error(
        "not authenticated to AWS (`aws sts get-caller-identity` failed):\n  {0}\n  configure credentials (aws configure / aws sso login / AWS_PROFILE) and retry"
    )]
    Unauthenticated(String),
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
    /// Stateful resources would be replaced or deleted.
    #[error(
        "stack `{stack}`: refusing to replace or delete stateful resources (their data would be lost):\n{}\n  re-run with --allow-replace <LogicalId> for each one you accept losing",
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
}

struct Ctx<'a> {
    opts: &'a DeployOptions,
    runner: &'a dyn Runner,
    log: &'a mut dyn FnMut(Note),
    /// Stack outputs read so far, by (Region, stack name): two Regions may hold stacks of one name.
    outputs: BTreeMap<(Option<String>, String), BTreeMap<String, String>>,
    /// Values of `NoEcho` parameters: masked as `****` in every command line printed.
    secrets: Vec<String>,
}

fn quote(argv: &[String]) -> String {
    argv.iter()
        .map(|a| formwork_blueprints::runbook::sh_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

fn s(x: &str) -> String {
    x.to_owned()
}

impl Ctx<'_> {
    fn info(&mut self, m: impl Into<String>) {
        (self.log)(Note::Info(m.into()));
    }

    /// `aws cloudformation <op> … [--region R] [--profile P]`.
    fn cfn(&self, op: &str, region: Option<&str>, args: &[String]) -> Vec<String> {
        let mut v = vec![s("aws"), s("cloudformation"), s(op)];
        if let Some(r) = region {
            v.push(s("--region"));
            v.push(s(r));
        }
        if let Some(p) = &self.opts.profile {
            v.push(s("--profile"));
            v.push(p.clone());
        }
        v.extend(args.iter().cloned());
        v
    }

    /// Text with every `NoEcho` parameter value replaced by `****`.
    fn mask(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            out = out.replace(secret.as_str(), "****");
        }
        out
    }

    /// A command line as printed anywhere (log, errors): each argument masked, then quoted.
    fn shown(&self, argv: &[String]) -> String {
        let masked: Vec<String> = argv.iter().map(|a| self.mask(a)).collect();
        quote(&masked)
    }

    /// Logs and runs a command (in a dry run: only logs, returns `None`).
    fn exec(&mut self, argv: Vec<String>) -> Result<Option<CmdOutput>, DeployError> {
        let shown = self.shown(&argv);
        (self.log)(Note::Command(shown));
        if self.opts.dry_run {
            return Ok(None);
        }
        self.runner
            .run(&argv)
            .map(Some)
            .map_err(|e| self.spawn_error(&argv, e))
    }

    fn spawn_error(&self, argv: &[String], e: io::Error) -> DeployError {
        if argv[0] == "aws" {
            DeployError::NoCli {
                bin: s("aws"),
                message: e.to_string(),
            }
        } else {
            DeployError::Command {
                message: format!("cannot run `{}`: {e}", argv[0]),
            }
        }
    }

    fn failed(&self, argv: &[String], o: &CmdOutput) -> DeployError {
        DeployError::Command {
            message: format!(
                "`{}` failed (exit {}):\n{}",
                self.shown(argv),
                o.code.map(|c| c.to_string()).unwrap_or_else(|| s("signal")),
                self.mask(o.stderr.trim_end())
            ),
        }
    }

    /// Runs a command that must succeed and returns its stdout parsed as JSON (`Null` in a dry run).
    fn exec_json(&mut self, argv: Vec<String>) -> Result<Value, DeployError> {
        let Some(o) = self.exec(argv.clone())? else {
            return Ok(Value::Null);
        };
        if !o.ok() {
            return Err(self.failed(&argv, &o));
        }
        serde_json::from_str(&o.stdout).map_err(|e| DeployError::Command {
            message: format!("`{}` printed no JSON: {e}", self.shown(&argv)),
        })
    }

    /// `describe-stacks`: `Ok(None)` if the stack does not exist.
    fn describe_stack(
        &mut self,
        name: &str,
        region: Option<&str>,
    ) -> Result<Option<Value>, DeployError> {
        let argv = self.cfn(
            "describe-stacks",
            region,
            &[s("--stack-name"), s(name), s("--output"), s("json")],
        );
        let Some(o) = self.exec(argv.clone())? else {
            return Ok(None);
        };
        if !o.ok() {
            if o.stderr.contains("does not exist") {
                return Ok(None);
            }
            return Err(self.failed(&argv, &o));
        }
        let v: Value = serde_json::from_str(&o.stdout).map_err(|e| DeployError::Command {
            message: format!("`{}` printed no JSON: {e}", self.shown(&argv)),
        })?;
        Ok(v.pointer("/Stacks/0").cloned())
    }

    /// Outputs of a stack, read once (cached).
    fn stack_outputs(
        &mut self,
        name: &str,
        region: Option<&str>,
    ) -> Result<BTreeMap<String, String>, DeployError> {
        let key = (region.map(str::to_owned), s(name));
        if let Some(o) = self.outputs.get(&key) {
            return Ok(o.clone());
        }
        let st = self.describe_stack(name, region)?;
        let outs = st.as_ref().map(outputs_of).unwrap_or_default();
        if !self.opts.dry_run {
            self.outputs.insert(key, outs.clone());
        }
        Ok(outs)
    }
}

fn outputs_of(stack: &Value) -> BTreeMap<String, String> {
    stack
        .get("Outputs")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|o| {
                    Some((
                        o.get("OutputKey")?.as_str()?.to_owned(),
                        o.get("OutputValue")?.as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a stack status allows a deploy, and what to do otherwise.
fn check_status(stack: &str, status: &str) -> Result<(), DeployError> {
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
            let why: Vec<&str> = r
                .changes
                .iter()
                .filter(|c| matches!(c.action, Action::Replace | Action::MayReplace))
                .map(|c| c.pointer.as_str())
                .collect();
            let why = if let Some(t) = &r.old_type {
                format!(" (Type was {t})")
            } else if why.is_empty() {
                String::new()
            } else {
                format!(" ({} changed)", why.join(", "))
            };
            format!("{} ({}): {what}{why}", r.logical_id, r.type_name)
        })
        .collect()
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

/// Deploys the out dir. See the module docs.
pub fn deploy(
    opts: &DeployOptions,
    runner: &dyn Runner,
    log: &mut dyn FnMut(Note),
) -> Result<DeployReport, DeployError> {
    let manifest = assembly::read_manifest(&opts.dir).map_err(DeployError::Input)?;
    for (st, key, _) in &opts.parameters {
        let known = manifest
            .stacks
            .iter()
            .any(|m| &m.name == st && m.parameters.iter().any(|p| &p.name == key));
        if !known {
            return Err(DeployError::Missing(format!(
                "--parameter {st}.{key}: the manifest has no such stack parameter"
            )));
        }
    }
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

    // Preflight: the CLI exists and has credentials.
    let sts = {
        let mut v = vec![
            s("aws"),
            s("sts"),
            s("get-caller-identity"),
            s("--output"),
            s("json"),
        ];
        if let Some(r) = manifest
            .stacks
            .iter()
            .find_map(|m| m.region.clone())
            .or(opts.region.clone())
        {
            v.push(s("--region"));
            v.push(r);
        }
        if let Some(p) = &opts.profile {
            v.push(s("--profile"));
            v.push(p.clone());
        }
        v
    };
    if let Some(o) = ctx.exec(sts)?
        && !o.ok()
    {
        return Err(DeployError::Unauthenticated(o.stderr.trim().to_owned()));
    }

    let mut report = DeployReport::default();
    for sm in &manifest.stacks {
        let r = deploy_stack(&mut ctx, &manifest, sm, previous.as_ref())?;
        report.stacks.push(r);
    }
    report.k8s_resolved = resolve_k8s(&mut ctx, &manifest)?;
    Ok(report)
}

fn deploy_stack(
    ctx: &mut Ctx<'_>,
    manifest: &Manifest,
    sm: &StackManifest,
    previous: Option<&diff::Side>,
) -> Result<StackResult, DeployError> {
    let opts = ctx.opts;
    let region = sm.region.clone().or(opts.region.clone());
    let region = region.as_deref();
    let name = sm.name.as_str();
    let template_path = opts.dir.join(&sm.template);
    let (new_t, _) = load_file(&template_path).map_err(|e| DeployError::Input(e.to_string()))?;
    ctx.info(format!("stack {name}"));

    // (a) What is deployed.
    let mut existed = false;
    let deployed: Option<Value> = if let Some(prev) = previous {
        ctx.info(format!(
            "  comparing with {} (--previous)",
            opts.previous.as_deref().unwrap_or(Path::new("")).display()
        ));
        let t = prev
            .stacks
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone());
        existed = t.is_some();
        t
    } else {
        match ctx.describe_stack(name, region)? {
            None => {
                if !opts.dry_run {
                    ctx.info("  not deployed yet: first deploy");
                }
                if opts.dry_run {
                    // Show the read that a real run does.
                    let argv = ctx.cfn(
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
                    );
                    ctx.exec(argv)?;
                }
                None
            }
            Some(st)
                if st.get("StackStatus").and_then(Value::as_str) == Some("REVIEW_IN_PROGRESS") =>
            {
                // Left by a change set that was never executed: nothing is deployed yet.
                ctx.info("  stack exists without resources (REVIEW_IN_PROGRESS): first deploy");
                None
            }
            Some(st) => {
                existed = true;
                let status = st.get("StackStatus").and_then(Value::as_str).unwrap_or("");
                check_status(name, status)?;
                let argv = ctx.cfn(
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
                );
                let v = ctx.exec_json(argv)?;
                match v.get("TemplateBody") {
                    Some(Value::String(text)) => Some(
                        load_template(text.as_bytes(), &format!("<deployed {name}>"))
                            .map_err(|e| DeployError::Input(e.to_string()))?,
                    ),
                    Some(obj @ Value::Object(_)) => Some(obj.clone()),
                    _ => None,
                }
            }
        }
    };

    let stack_diff = deployed
        .as_ref()
        .map(|d| diff::diff_templates(name, d, &new_t, StackStatus::Both));
    if let Some(d) = &stack_diff {
        ctx.info(format!("  diff: {}", crate::diff_render::summary(d)));
        for r in &d.renames {
            ctx.info(format!(
                "  rename {} → {} ({}), no replacement",
                r.from, r.to, r.type_name
            ));
        }
        let blocked = blocked_resources(d, &opts.allow_replace);
        if !blocked.is_empty() {
            return Err(DeployError::Refused {
                stack: s(name),
                resources: blocked,
            });
        }
        for r in d.stateful_at_risk() {
            ctx.info(format!(
                "  allowed: {} ({}) will be {}",
                r.logical_id,
                r.type_name,
                if r.action == Action::Remove {
                    "deleted"
                } else {
                    "replaced"
                }
            ));
        }
    }

    // (b) Renames: stack refactoring before the deploy.
    if let (Some(d), Some(dep)) = (&stack_diff, &deployed)
        && !d.renames.is_empty()
    {
        refactor(ctx, name, region, dep, d)?;
    }

    // (c) Parameters and the deploy.
    let mut overrides = Vec::new();
    for p in &sm.parameters {
        let given = opts
            .parameters
            .iter()
            .find(|(st, k, _)| st == name && k == &p.name)
            .map(|(_, _, v)| v.clone());
        let value = match (&p.source, given) {
            (_, Some(v)) => Some(v),
            (ParamSource::Default, None) => None,
            (ParamSource::Value { value }, None) => Some(value.clone()),
            (ParamSource::StackOutput { stack, output }, None) => {
                let producer_region = manifest
                    .stacks
                    .iter()
                    .find(|m| &m.name == stack)
                    .and_then(|m| m.region.clone())
                    .or(opts.region.clone());
                if opts.dry_run
                    && !ctx
                        .outputs
                        .contains_key(&(producer_region.clone(), stack.clone()))
                {
                    if !manifest.stacks.iter().any(|m| &m.name == stack) {
                        ctx.stack_outputs(stack, producer_region.as_deref())?;
                    }
                    Some(format!("<output of {stack}.{output}>"))
                } else {
                    let outs = ctx.stack_outputs(stack, producer_region.as_deref())?;
                    Some(outs.get(output).cloned().ok_or_else(|| {
                        DeployError::Missing(format!(
                            "stack `{name}` parameter {}: stack `{stack}` has no output {output}",
                            p.name
                        ))
                    })?)
                }
            }
            (ParamSource::Operator, None) => {
                return Err(DeployError::Missing(format!(
                    "stack `{name}` parameter {} has no value: pass --parameter {name}.{}=VALUE",
                    p.name, p.name
                )));
            }
        };
        if let Some(v) = value {
            let no_echo = new_t
                .get("Parameters")
                .and_then(|ps| ps.get(&p.name))
                .and_then(|d| d.get("NoEcho"))
                .is_some_and(|e| e == &Value::Bool(true) || e == "true");
            if no_echo && !v.is_empty() && !ctx.secrets.contains(&v) {
                ctx.secrets.push(v.clone());
            }
            overrides.push(format!("{}={}", p.name, v));
        }
    }
    let mut args = vec![
        s("--stack-name"),
        s(name),
        s("--template-file"),
        template_path.display().to_string(),
    ];
    if sm.body_bytes > INLINE_BODY_LIMIT {
        match &opts.s3_bucket {
            Some(b) => {
                args.push(s("--s3-bucket"));
                args.push(b.clone());
            }
            None => {
                return Err(DeployError::Missing(format!(
                    "stack `{name}`: the template is {} bytes, over CloudFormation's 51,200-byte inline limit; pass --s3-bucket BUCKET (an artifact bucket in {})",
                    sm.body_bytes,
                    region.unwrap_or("the stack's Region")
                )));
            }
        }
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
    let argv = ctx.cfn("deploy", region, &args);
    run_deploy(ctx, name, region, argv, existed)?;

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
        diff: stack_diff,
        outputs,
    })
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

fn run_deploy(
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

fn refactor(
    ctx: &mut Ctx<'_>,
    name: &str,
    region: Option<&str>,
    deployed: &Value,
    d: &StackDiff,
) -> Result<(), DeployError> {
    let opts = ctx.opts;
    let body =
        serde_json::to_string(&diff::refactor_template(deployed, &d.renames)).unwrap_or_default();
    if body.len() > INLINE_BODY_LIMIT {
        return Err(DeployError::Missing(format!(
            "stack `{name}`: renames need stack refactoring, but the refactor template is {} bytes (over 51,200) and formwork does not upload refactor templates yet; rename in two steps or refactor by hand",
            body.len()
        )));
    }
    // The stack definition goes into a file beside the templates, so the printed command stays
    // short and can be run by hand.
    let defs = serde_json::json!([{"StackName": name, "TemplateBody": body}]);
    let rel = format!("refactor/{name}.stack-definitions.json");
    let path = opts.dir.join(&rel);
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p)
            .map_err(|e| DeployError::Input(format!("cannot write `{}`: {e}", path.display())))?;
    }
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&defs).unwrap_or_default(),
    )
    .map_err(|e| DeployError::Input(format!("cannot write `{}`: {e}", path.display())))?;
    let mappings: Vec<Value> = d
        .renames
        .iter()
        .map(|r| {
            serde_json::json!({
                "Source": {"StackName": name, "LogicalResourceId": r.from},
                "Destination": {"StackName": name, "LogicalResourceId": r.to}
            })
        })
        .collect();
    let create = ctx.cfn(
        "create-stack-refactor",
        region,
        &[
            s("--stack-definitions"),
            format!("file://{}", path.display()),
            s("--resource-mappings"),
            serde_json::to_string(&mappings).unwrap_or_default(),
            s("--no-enable-stack-creation"),
            s("--output"),
            s("json"),
        ],
    );
    let v = ctx.exec_json(create)?;
    let id = if opts.dry_run {
        s("<output of create-stack-refactor>")
    } else {
        v.get("StackRefactorId")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| DeployError::Command {
                message: s("create-stack-refactor printed no StackRefactorId"),
            })?
    };
    let describe = ctx.cfn(
        "describe-stack-refactor",
        region,
        &[
            s("--stack-refactor-id"),
            id.clone(),
            s("--output"),
            s("json"),
        ],
    );
    wait_refactor(
        ctx,
        &describe,
        "Status",
        "CREATE_COMPLETE",
        &["CREATE_FAILED"],
    )?;
    let execute = ctx.cfn(
        "execute-stack-refactor",
        region,
        &[s("--stack-refactor-id"), id.clone()],
    );
    if let Some(o) = ctx.exec(execute.clone())?
        && !o.ok()
    {
        return Err(ctx.failed(&execute, &o));
    }
    wait_refactor(
        ctx,
        &describe,
        "ExecutionStatus",
        "EXECUTE_COMPLETE",
        &[
            "EXECUTE_FAILED",
            "ROLLBACK_COMPLETE",
            "ROLLBACK_FAILED",
            "OBSOLETE",
            "UNAVAILABLE",
        ],
    )?;
    Ok(())
}

fn wait_refactor(
    ctx: &mut Ctx<'_>,
    describe: &[String],
    field: &str,
    done: &str,
    failed: &[&str],
) -> Result<(), DeployError> {
    if ctx.opts.dry_run {
        let shown = ctx.shown(describe);
        (ctx.log)(Note::Command(format!(
            "{}  # until {field} = {done}",
            shown
        )));
        return Ok(());
    }
    let start = Instant::now();
    loop {
        let o = ctx
            .runner
            .run(describe)
            .map_err(|e| ctx.spawn_error(describe, e))?;
        if !o.ok() {
            return Err(ctx.failed(describe, &o));
        }
        let v: Value = serde_json::from_str(&o.stdout).unwrap_or(Value::Null);
        let st = v.get(field).and_then(Value::as_str).unwrap_or("");
        if st == done {
            ctx.info(format!("  stack refactor: {field} {st}"));
            return Ok(());
        }
        if failed.contains(&st) {
            let reason = v
                .get(if field == "Status" {
                    "StatusReason"
                } else {
                    "ExecutionStatusReason"
                })
                .and_then(Value::as_str)
                .unwrap_or("");
            return Err(DeployError::Command {
                message: format!("stack refactor {field} {st}: {reason}"),
            });
        }
        if start.elapsed() > Duration::from_secs(3600) {
            return Err(DeployError::Command {
                message: format!("stack refactor still {st} after an hour"),
            });
        }
        std::thread::sleep(ctx.opts.poll);
    }
}

fn resolve_k8s(ctx: &mut Ctx<'_>, manifest: &Manifest) -> Result<Vec<String>, DeployError> {
    let opts = ctx.opts;
    let files: Vec<&String> = manifest
        .files
        .iter()
        .filter(|f| resolved_path(f).is_some())
        .collect();
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let resolved_dir = opts.dir.join(K8S_RESOLVED_DIR);
    if opts.dry_run {
        ctx.info(format!(
            "  (dry run) would write {} file(s) to {} with the stack outputs filled in",
            files.len(),
            resolved_dir.display()
        ));
    } else {
        let mut values = BTreeMap::new();
        for (ph, src) in &manifest.placeholders {
            let (st, out) = (src.stack.as_str(), src.output.as_str());
            let region = manifest
                .stacks
                .iter()
                .find(|m| m.name == st)
                .and_then(|m| m.region.clone())
                .or(opts.region.clone());
            let outs = ctx.stack_outputs(st, region.as_deref())?;
            let v = outs.get(out).cloned().ok_or_else(|| {
                DeployError::Missing(format!(
                    "placeholder ${{{ph}}}: stack `{st}` has no output {out}"
                ))
            })?;
            values.insert(ph.clone(), v);
        }
        let _ = std::fs::remove_dir_all(&resolved_dir);
        let _ = std::fs::remove_dir_all(opts.dir.join(HELM_RESOLVED_DIR));
        for f in &files {
            let src = opts.dir.join(f);
            let text = std::fs::read_to_string(&src)
                .map_err(|e| DeployError::Input(format!("cannot read `{}`: {e}", src.display())))?;
            let dst = opts.dir.join(resolved_path(f).unwrap_or_default());
            if let Some(p) = dst.parent() {
                std::fs::create_dir_all(p).map_err(|e| {
                    DeployError::Input(format!("cannot write `{}`: {e}", dst.display()))
                })?;
            }
            let filled = formwork_blueprints::k8s::resolve_placeholders(&text, &values)
                .map_err(|e| DeployError::Input(format!("`{}`: {e}", src.display())))?;
            std::fs::write(&dst, filled).map_err(|e| {
                DeployError::Input(format!("cannot write `{}`: {e}", dst.display()))
            })?;
        }
        ctx.info(format!(
            "wrote {} file(s) to {}",
            files.len(),
            resolved_dir.display()
        ));
    }
    if opts.apply_k8s {
        let argv = vec![
            s("kubectl"),
            s("apply"),
            s("-f"),
            resolved_dir.display().to_string(),
            s("-R"),
        ];
        if let Some(o) = ctx.exec(argv.clone())? {
            if !o.ok() {
                return Err(ctx.failed(&argv, &o));
            }
            for l in o.stdout.lines() {
                ctx.info(format!("  {l}"));
            }
        }
    }
    Ok(files.iter().filter_map(|f| resolved_path(f)).collect())
}

/// Where `formwork deploy` writes the filled-in copy of an out-dir file: `k8s/…` →
/// `k8s-resolved/…` (what `kubectl apply -R` reads), `helm/…` → `helm-resolved/…`.
fn resolved_path(f: &str) -> Option<String> {
    if let Some(rest) = f.strip_prefix("k8s/") {
        Some(format!("{K8S_RESOLVED_DIR}/{rest}"))
    } else {
        f.strip_prefix("helm/")
            .map(|rest| format!("{HELM_RESOLVED_DIR}/{rest}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// Answers commands by their first matching `(needle, output)`; records every call.
    struct Fake {
        answers: Vec<(String, CmdOutput)>,
        calls: RefCell<Vec<String>>,
    }

    impl Fake {
        fn new(answers: &[(&str, i32, &str, &str)]) -> Fake {
            Fake {
                answers: answers
                    .iter()
                    .map(|(n, c, o, e)| {
                        (
                            n.to_string(),
                            CmdOutput {
                                code: Some(*c),
                                stdout: o.to_string(),
                                stderr: e.to_string(),
                            },
                        )
                    })
                    .collect(),
                calls: RefCell::new(Vec::new()),
            }
        }
    }

    impl Runner for Fake {
        fn run(&self, argv: &[String]) -> io::Result<CmdOutput> {
            let q = quote(argv);
            self.calls.borrow_mut().push(q.clone());
            Ok(self
                .answers
                .iter()
                .find(|(n, _)| q.contains(n.as_str()))
                .map(|(_, o)| o.clone())
                .unwrap_or(CmdOutput {
                    code: Some(0),
                    stdout: "{}".into(),
                    stderr: String::new(),
                }))
        }
        fn run_with_ticks(
            &self,
            argv: &[String],
            _: Duration,
            tick: &mut dyn FnMut(),
        ) -> io::Result<CmdOutput> {
            tick();
            self.run(argv)
        }
    }

    fn out_dir(
        name: &str,
        templates: &[(&str, Value)],
        params: Vec<assembly::ParameterManifest>,
    ) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "formwork-deploy-unit-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        let mut stacks = Vec::new();
        for (i, (n, t)) in templates.iter().enumerate() {
            let json = serde_json::to_string(t).unwrap();
            std::fs::write(d.join(format!("{n}.template.json")), &json).unwrap();
            stacks.push(StackManifest {
                name: n.to_string(),
                region: Some("eu-west-1".into()),
                template: format!("{n}.template.json"),
                template_yaml: format!("{n}.template.yaml"),
                body_bytes: json.len(),
                resources: 1,
                capabilities: vec![],
                tags: BTreeMap::new(),
                parameters: if i == 1 { params.clone() } else { vec![] },
                outputs: vec![],
            });
        }
        let m = Manifest {
            format: 1,
            blueprint: "test".into(),
            stacks,
            files: vec![],
            placeholders: BTreeMap::new(),
        };
        std::fs::write(d.join("manifest.json"), serde_json::to_string(&m).unwrap()).unwrap();
        d
    }

    fn opts(dir: PathBuf) -> DeployOptions {
        DeployOptions {
            dir,
            region: None,
            profile: Some("dev".into()),
            s3_bucket: None,
            allow_replace: vec![],
            parameters: vec![],
            apply_k8s: false,
            dry_run: false,
            previous: None,
            poll: Duration::ZERO,
        }
    }

    fn repo(name: &str) -> Value {
        serde_json::json!({"Resources": {"Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": name}}}})
    }

    #[test]
    fn stack_output_feeds_the_next_stack_and_is_read_once() {
        let d = out_dir(
            "wire",
            &[("net", repo("a")), ("app", repo("b"))],
            vec![assembly::ParameterManifest {
                name: "RepoName".into(),
                source: ParamSource::StackOutput {
                    stack: "net".into(),
                    output: "Name".into(),
                },
            }],
        );
        let fake = Fake::new(&[
            (
                "describe-stacks --region eu-west-1 --profile dev --stack-name net",
                0,
                r#"{"Stacks":[{"StackStatus":"CREATE_COMPLETE","Outputs":[{"OutputKey":"Name","OutputValue":"repo-a"}]}]}"#,
                "",
            ),
            (
                "describe-stacks --region eu-west-1 --profile dev --stack-name app",
                254,
                "",
                "Stack with id app does not exist",
            ),
            (
                "get-template",
                0,
                &serde_json::json!({"TemplateBody": repo("a")}).to_string(),
                "",
            ),
        ]);
        let mut notes = Vec::new();
        let r = deploy(&opts(d), &fake, &mut |n| notes.push(n)).unwrap();
        assert_eq!(r.stacks[0].outputs["Name"], "repo-a");
        let calls = fake.calls.borrow();
        let deploy_app = calls
            .iter()
            .find(|c| c.contains("deploy") && c.contains("--stack-name app"))
            .unwrap();
        assert!(
            deploy_app.contains("--parameter-overrides RepoName=repo-a"),
            "{deploy_app}"
        );
        assert_eq!(
            calls[0],
            "aws sts get-caller-identity --output json --region eu-west-1 --profile dev"
        );
    }

    #[test]
    fn refuses_stateful_replacement_unless_allowed() {
        let d = out_dir("refuse", &[("net", repo("new-name"))], vec![]);
        let fake = Fake::new(&[
            (
                "describe-stacks",
                0,
                r#"{"Stacks":[{"StackStatus":"UPDATE_COMPLETE"}]}"#,
                "",
            ),
            (
                "get-template",
                0,
                &serde_json::json!({"TemplateBody": repo("old-name")}).to_string(),
                "",
            ),
        ]);
        let e = deploy(&opts(d.clone()), &fake, &mut |_| {}).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains(
                "Repo (AWS::ECR::Repository): replaced (/Properties/RepositoryName changed)"
            ),
            "{msg}"
        );
        assert!(
            !fake
                .calls
                .borrow()
                .iter()
                .any(|c| c.contains("cloudformation deploy"))
        );
        let mut o = opts(d);
        o.allow_replace = vec!["Repo".into()];
        deploy(&o, &fake, &mut |_| {}).unwrap();
    }

    #[test]
    fn rollback_complete_and_unauthenticated_are_explained() {
        let d = out_dir("state", &[("net", repo("a"))], vec![]);
        let fake = Fake::new(&[(
            "describe-stacks",
            0,
            r#"{"Stacks":[{"StackStatus":"ROLLBACK_COMPLETE"}]}"#,
            "",
        )]);
        let msg = deploy(&opts(d.clone()), &fake, &mut |_| {})
            .unwrap_err()
            .to_string();
        assert!(msg.contains("delete-stack --stack-name net"), "{msg}");
        let fake = Fake::new(&[("sts", 255, "", "Unable to locate credentials")]);
        let msg = deploy(&opts(d), &fake, &mut |_| {})
            .unwrap_err()
            .to_string();
        assert!(msg.contains("not authenticated"), "{msg}");
    }

    #[test]
    fn operator_parameter_is_required() {
        let d = out_dir(
            "operator",
            &[("a", repo("a")), ("b", repo("b"))],
            vec![assembly::ParameterManifest {
                name: "Key".into(),
                source: ParamSource::Operator,
            }],
        );
        let fake = Fake::new(&[("describe-stacks", 254, "", "does not exist")]);
        let msg = deploy(&opts(d.clone()), &fake, &mut |_| {})
            .unwrap_err()
            .to_string();
        assert!(msg.contains("pass --parameter b.Key=VALUE"), "{msg}");
        let mut o = opts(d);
        o.parameters = vec![parse_parameter("b.Key=v=1").unwrap()];
        deploy(&o, &fake, &mut |_| {}).unwrap();
        assert!(
            fake.calls
                .borrow()
                .iter()
                .any(|c| c.contains("--parameter-overrides Key=v=1"))
        );
    }

    #[test]
    fn noecho_values_are_masked_in_printed_commands_and_errors() {
        let o = opts(PathBuf::from("unused"));
        let fake = Fake::new(&[]);
        let mut log = |_: Note| {};
        let ctx = Ctx {
            opts: &o,
            runner: &fake,
            log: &mut log,
            outputs: BTreeMap::new(),
            secrets: vec![s("s3cr'et")],
        };
        let argv = vec![s("aws"), s("--parameter-overrides"), s("Secret=s3cr'et")];
        assert_eq!(ctx.shown(&argv), "aws --parameter-overrides 'Secret=****'");
        let out = CmdOutput {
            code: Some(1),
            stdout: String::new(),
            stderr: s("bad value s3cr'et"),
        };
        let msg = ctx.failed(&argv, &out).to_string();
        assert!(
            !msg.contains("s3cr") && msg.contains("bad value ****"),
            "{msg}"
        );
    }

    #[test]
    fn k8s_manifests_get_outputs_filled_and_applied() {
        let d = out_dir("k8s", &[("net", repo("a"))], vec![]);
        let mut m = assembly::read_manifest(&d).unwrap();
        m.files = vec![
            "k8s/app/tgb.yaml".into(),
            "helm/values.yaml".into(),
            "DEPLOY.md".into(),
        ];
        m.placeholders.insert(
            "TargetGroupArn".into(),
            assembly::PlaceholderSource {
                stack: s("net"),
                output: s("Tg"),
            },
        );
        std::fs::write(d.join("manifest.json"), serde_json::to_string(&m).unwrap()).unwrap();
        std::fs::create_dir_all(d.join("k8s/app")).unwrap();
        std::fs::write(
            d.join("k8s/app/tgb.yaml"),
            "targetGroupARN: ${TargetGroupArn}\n",
        )
        .unwrap();
        std::fs::create_dir_all(d.join("helm")).unwrap();
        std::fs::write(d.join("helm/values.yaml"), "tg: \"${TargetGroupArn}\"\n").unwrap();
        let fake = Fake::new(&[
            (
                "describe-stacks",
                0,
                r#"{"Stacks":[{"StackStatus":"UPDATE_COMPLETE","Outputs":[{"OutputKey":"Tg","OutputValue":"arn:tg"}]}]}"#,
                "",
            ),
            (
                "get-template",
                0,
                &serde_json::json!({"TemplateBody": serde_json::to_string(&repo("a")).unwrap()})
                    .to_string(),
                "",
            ),
        ]);
        let mut o = opts(d.clone());
        o.apply_k8s = true;
        let r = deploy(&o, &fake, &mut |_| {}).unwrap();
        assert_eq!(
            r.k8s_resolved,
            vec!["k8s-resolved/app/tgb.yaml", "helm-resolved/values.yaml"]
        );
        assert_eq!(
            std::fs::read_to_string(d.join("helm-resolved/values.yaml")).unwrap(),
            "tg: \"arn:tg\"\n"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("k8s-resolved/app/tgb.yaml")).unwrap(),
            "targetGroupARN: arn:tg\n"
        );
        let calls = fake.calls.borrow();
        assert!(
            calls.last().unwrap().starts_with("kubectl apply -f "),
            "{calls:?}"
        );
        // The outputs were read once, right after the deploy (describe before + after).
        assert_eq!(
            calls
                .iter()
                .filter(|c| c.contains("describe-stacks"))
                .count(),
            2
        );
    }

    #[test]
    fn dry_run_runs_nothing_and_marks_unknown_values() {
        let d = out_dir(
            "dry",
            &[("net", repo("a")), ("app", repo("b"))],
            vec![assembly::ParameterManifest {
                name: "RepoName".into(),
                source: ParamSource::StackOutput {
                    stack: "net".into(),
                    output: "Name".into(),
                },
            }],
        );
        let fake = Fake::new(&[]);
        let mut o = opts(d);
        o.dry_run = true;
        let mut cmds = Vec::new();
        deploy(&o, &fake, &mut |n| {
            if let Note::Command(c) = n {
                cmds.push(c)
            }
        })
        .unwrap();
        assert!(fake.calls.borrow().is_empty());
        assert!(
            cmds.iter()
                .any(|c| c.contains("--parameter-overrides 'RepoName=<output of net.Name>'")),
            "{cmds:?}"
        );
    }

    #[test]
    fn renames_run_a_stack_refactor_before_the_deploy() {
        let new = serde_json::json!({"Resources": {"Images": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "a"}}}});
        let d = out_dir("rename", &[("net", new)], vec![]);
        let fake = Fake::new(&[
            (
                "describe-stacks",
                0,
                r#"{"Stacks":[{"StackStatus":"UPDATE_COMPLETE"}]}"#,
                "",
            ),
            (
                "get-template",
                0,
                &serde_json::json!({"TemplateBody": repo("a")}).to_string(),
                "",
            ),
            (
                "create-stack-refactor",
                0,
                r#"{"StackRefactorId":"rf-1"}"#,
                "",
            ),
            (
                "describe-stack-refactor",
                0,
                r#"{"Status":"CREATE_COMPLETE","ExecutionStatus":"EXECUTE_COMPLETE"}"#,
                "",
            ),
        ]);
        deploy(&opts(d.clone()), &fake, &mut |_| {}).unwrap();
        let calls = fake.calls.borrow();
        let ops: Vec<&str> = calls
            .iter()
            .filter_map(|c| c.split(' ').nth(2))
            .filter(|op| op.contains("refactor") || *op == "deploy")
            .collect();
        assert_eq!(
            ops,
            vec![
                "create-stack-refactor",
                "describe-stack-refactor",
                "execute-stack-refactor",
                "describe-stack-refactor",
                "deploy"
            ]
        );
        let defs: Value = serde_json::from_slice(
            &std::fs::read(d.join("refactor/net.stack-definitions.json")).unwrap(),
        )
        .unwrap();
        let body: Value = serde_json::from_str(defs[0]["TemplateBody"].as_str().unwrap()).unwrap();
        assert!(body["Resources"].get("Images").is_some());
        assert!(
            calls
                .iter()
                .any(|c| c.contains(r#""LogicalResourceId":"Repo"},"Destination""#))
        );
    }
}
