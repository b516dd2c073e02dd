//! The state of one deploy run and the helpers every step uses: build `aws` command lines,
//! log and run them (or only log them in a dry run), mask secrets, read stack outputs once.

use std::collections::BTreeMap;
use std::io;

use serde_json::Value;

use super::failure::{self, AwsFailure};
use super::runner::{CmdOutput, Runner};
use super::{DeployError, DeployOptions, Note};
use crate::shell::quote_argv;

pub(super) struct Ctx<'a> {
    pub(super) opts: &'a DeployOptions,
    pub(super) runner: &'a dyn Runner,
    pub(super) log: &'a mut dyn FnMut(Note),
    /// Stack outputs read so far, by (Region, stack name): two Regions may hold stacks of one name.
    pub(super) outputs: BTreeMap<(Option<String>, String), BTreeMap<String, String>>,
    /// Values of `NoEcho` parameters: masked as `****` in every command line printed.
    pub(super) secrets: Vec<String>,
}

pub(super) fn s(x: &str) -> String {
    x.to_owned()
}

impl Ctx<'_> {
    pub(super) fn info(&mut self, m: impl Into<String>) {
        (self.log)(Note::Info(m.into()));
    }

    /// `aws cloudformation <op> … [--region R] [--profile P]`.
    pub(super) fn cfn(&self, op: &str, region: Option<&str>, args: &[String]) -> Vec<String> {
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
    pub(super) fn mask(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            out = out.replace(secret.as_str(), "****");
        }
        out
    }

    /// A command line as printed anywhere (log, errors): each argument masked, then quoted.
    pub(super) fn shown(&self, argv: &[String]) -> String {
        let masked: Vec<String> = argv.iter().map(|a| self.mask(a)).collect();
        quote_argv(&masked)
    }

    /// Logs and runs a command (in a dry run: only logs, returns `None`).
    pub(super) fn exec(&mut self, argv: Vec<String>) -> Result<Option<CmdOutput>, DeployError> {
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

    pub(super) fn spawn_error(&self, argv: &[String], e: io::Error) -> DeployError {
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

    /// What a failed `aws` command means, with the next step ([`super::failure`]).
    pub(super) fn aws_failure(&self, argv: &[String], o: &CmdOutput) -> AwsFailure {
        let t = failure::Target::current(self.opts.profile.as_deref());
        failure::classify(&self.shown(argv), &self.mask(&o.stderr), &t)
    }

    pub(super) fn failed(&self, argv: &[String], o: &CmdOutput) -> DeployError {
        if argv[0] == "aws" {
            let f = self.aws_failure(argv, o);
            if f.kind != failure::Kind::Other {
                return DeployError::Aws(f);
            }
        }
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
    pub(super) fn exec_json(&mut self, argv: Vec<String>) -> Result<Value, DeployError> {
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
    pub(super) fn describe_stack(
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
    pub(super) fn stack_outputs(
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

pub(super) fn outputs_of(stack: &Value) -> BTreeMap<String, String> {
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
