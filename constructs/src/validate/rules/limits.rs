//! CloudFormation template limits (FACTS.md §0.8, §7.1): FW-LIMIT-001…006.

use serde_json::Value;

use super::Ctx;
use crate::validate::diagnostic::Severity;
use crate::validate::registry::{Check, Code, Rule};

/// Inline `--template-body` limit.
pub const INLINE_BODY_MAX: usize = 51_200;
/// S3-hosted template limit (1 MB).
pub const S3_BODY_MAX: usize = 1_048_576;

fn resources(ctx: &mut Ctx<'_>) {
    let n = ctx.resources.len();
    if n > 500 {
        ctx.emit(
            Code::LimitResources,
            None,
            "/Resources",
            format!("{n} resources; a template may declare at most 500"),
            "split the template into several stacks (pass values between them as parameters)",
        );
    }
}

/// More than 200 entries in section `key`.
fn section_count(ctx: &mut Ctx<'_>, key: &str, code: Code) {
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

fn parameters(ctx: &mut Ctx<'_>) {
    section_count(ctx, "Parameters", Code::LimitParameters);
}

fn outputs(ctx: &mut Ctx<'_>) {
    section_count(ctx, "Outputs", Code::LimitOutputs);
}

fn mappings(ctx: &mut Ctx<'_>) {
    section_count(ctx, "Mappings", Code::LimitMappings);
    let Some(m) = ctx.root.get("Mappings").and_then(Value::as_object) else {
        return;
    };
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
            Code::LimitMappings,
            None,
            format!("/Mappings/{name}"),
            format!("mapping {name} has a key with {a} attributes; at most 200 are allowed"),
            "split the mapping",
        );
    }
}

fn body(ctx: &mut Ctx<'_>) {
    let b = ctx.body_bytes;
    if b > S3_BODY_MAX {
        ctx.emit(
            Code::LimitBody,
            None,
            "",
            format!("template body is {b} bytes; the maximum, even from S3, is 1 MB ({S3_BODY_MAX} bytes)"),
            "split the template into several stacks, or minify it (JSON without indentation)",
        );
    }
}

fn inline_body(ctx: &mut Ctx<'_>) {
    let b = ctx.body_bytes;
    if b > INLINE_BODY_MAX && b <= S3_BODY_MAX {
        ctx.emit(
            Code::LimitInlineBody,
            None,
            "",
            format!("template body is {b} bytes, over the 51,200-byte inline limit: deploy needs an S3 bucket"),
            "deploy with `aws cloudformation deploy --s3-bucket <bucket>` (or a TemplateURL), or minify / split the template",
        );
    }
}

/// The rules of this family (see [`crate::validate::registry`]).
pub(crate) const RULES: &[Rule] = &[
    Rule {
        code: Code::LimitResources,
        severity: Severity::Error,
        summary: "more than 500 resources",
        what: "a template may declare at most 500 resources.",
        fix: "split into several stacks (pass values as parameters).",
        source: "FACTS.md §0.8, §7.1; https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html",
        check: Check::Fn(resources),
    },
    Rule {
        code: Code::LimitParameters,
        severity: Severity::Error,
        summary: "more than 200 parameters",
        what: "at most 200 parameters per template.",
        fix: "split the template or combine parameters.",
        source: "FACTS.md §7.1",
        check: Check::Fn(parameters),
    },
    Rule {
        code: Code::LimitOutputs,
        severity: Severity::Error,
        summary: "more than 200 outputs",
        what: "at most 200 outputs per template.",
        fix: "split the template or drop outputs.",
        source: "FACTS.md §7.1",
        check: Check::Fn(outputs),
    },
    Rule {
        code: Code::LimitMappings,
        severity: Severity::Error,
        summary: "more than 200 mappings, or more than 200 attributes in a mapping",
        what: "at most 200 mappings per template and 200 attributes per mapping.",
        fix: "split the mapping/template.",
        source: "FACTS.md §7.1",
        check: Check::Fn(mappings),
    },
    Rule {
        code: Code::LimitInlineBody,
        severity: Severity::Warning,
        summary: "template body over 51,200 bytes: deploy needs an S3 bucket",
        what: "an inline template body (`--template-body`, and what `aws cloudformation deploy` sends without `--s3-bucket`) is limited to 51,200 bytes. The size is the file size for `validate`, the rendered size for `synth`.",
        fix: "deploy with `--s3-bucket <bucket>` (or a TemplateURL), or minify/split.",
        source: "FACTS.md §0.8, §7.2",
        check: Check::Fn(inline_body),
    },
    Rule {
        code: Code::LimitBody,
        severity: Severity::Error,
        summary: "template body over 1 MB",
        what: "a template body, even from S3, is limited to 1 MB (1,048,576 bytes).",
        fix: "split the template; JSON without indentation is smaller.",
        source: "FACTS.md §7.1",
        check: Check::Fn(body),
    },
];
