//! CloudFormation template limits (FACTS.md §0.8, §7.1): FW-LIMIT-001…006.

use serde_json::Value;

use super::Ctx;

/// Inline `--template-body` limit.
pub const INLINE_BODY_MAX: usize = 51_200;
/// S3-hosted template limit (1 MB).
pub const S3_BODY_MAX: usize = 1_048_576;

pub(super) fn run(ctx: &mut Ctx<'_>) {
    let n = ctx.resources.len();
    if n > 500 {
        ctx.emit(
            "FW-LIMIT-001",
            None,
            "/Resources",
            format!("{n} resources; a template may declare at most 500"),
            "split the template into several stacks (pass values between them as parameters)",
        );
    }
    for (key, code) in [
        ("Parameters", "FW-LIMIT-002"),
        ("Outputs", "FW-LIMIT-003"),
        ("Mappings", "FW-LIMIT-004"),
    ] {
        if let Some(m) = ctx.root.get(key).and_then(Value::as_object)
            && m.len() > 200
        {
            ctx.emit(
                code,
                None,
                format!("/{key}"),
                format!(
                    "{} {}; a template may declare at most 200",
                    m.len(),
                    key.to_lowercase()
                ),
                "split the template, or combine values (e.g. one CommaDelimitedList parameter)",
            );
        }
    }
    if let Some(m) = ctx.root.get("Mappings").and_then(Value::as_object) {
        let over: Vec<(String, usize)> = m
            .iter()
            .filter_map(|(name, v)| {
                let a = v
                    .as_object()?
                    .values()
                    .filter_map(Value::as_object)
                    .map(|o| o.len())
                    .max()?;
                (a > 200).then(|| (name.clone(), a))
            })
            .collect();
        for (name, a) in over {
            ctx.emit(
                "FW-LIMIT-004",
                None,
                format!("/Mappings/{name}"),
                format!("mapping {name} has a key with {a} attributes; at most 200 are allowed"),
                "split the mapping",
            );
        }
    }
    let b = ctx.body_bytes;
    if b > S3_BODY_MAX {
        ctx.emit(
            "FW-LIMIT-006",
            None,
            "",
            format!("template body is {b} bytes; the maximum, even from S3, is 1 MB ({S3_BODY_MAX} bytes)"),
            "split the template into several stacks, or minify it (JSON without indentation)",
        );
    } else if b > INLINE_BODY_MAX {
        ctx.emit(
            "FW-LIMIT-005",
            None,
            "",
            format!("template body is {b} bytes, over the 51,200-byte inline limit: deploy needs an S3 bucket"),
            "deploy with `aws cloudformation deploy --s3-bucket <bucket>` (or a TemplateURL), or minify / split the template",
        );
    }
}
