//! Renames by CloudFormation stack refactoring: the deployed template with the resources under
//! their new ids is moved into place before the deploy, so nothing is replaced.

use std::time::{Duration, Instant};

use formwork_assembly::INLINE_BODY_LIMIT;
use serde_json::Value;

use super::ctx::{Ctx, s};
use super::{DeployError, Note};
use crate::diff::{self, StackDiff};

pub(super) fn refactor(
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
