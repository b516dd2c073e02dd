//! Validation of rendered stacks before anything is written: the same checks as
//! `formwork validate`, with each stack's own Region and body size.

use formwork_constructs::core::App;
use formwork_constructs::validate::{
    Diagnostic, Severity, ValidateOptions, sort_diagnostics, validate_template,
};

use crate::assembly::RenderedStack;

/// Validates every rendered stack; returns all diagnostics, sorted.
pub fn check_rendered(app: &App, rendered: &[RenderedStack]) -> Vec<Diagnostic> {
    prewarm(rendered);
    let mut out = Vec::new();
    for (stack, r) in app.stacks().iter().zip(rendered) {
        let opts = ValidateOptions {
            region: stack.region().map(str::to_owned),
            stack: Some(stack.name().to_owned()),
            file: Some(format!("{}.template.json", stack.name())),
            body_bytes: Some(r.json.len()),
        };
        out.extend(validate_template(&r.template, &opts));
    }
    sort_diagnostics(&mut out);
    out
}

/// Whether a diagnostic blocks synth.
pub fn is_error(d: &Diagnostic) -> bool {
    d.severity == Severity::Error
}

/// Compiles the registry-schema validators of every type the templates use, split over two
/// threads (building validators is most of validation's cost; they are cached per type).
fn prewarm(rendered: &[RenderedStack]) {
    let mut types: Vec<&str> = rendered
        .iter()
        .filter_map(|r| {
            r.template
                .get("Resources")
                .and_then(serde_json::Value::as_object)
        })
        .flat_map(|res| {
            res.values()
                .filter_map(|v| v.get("Type").and_then(serde_json::Value::as_str))
        })
        .collect();
    types.sort_unstable();
    types.dedup();
    if types.len() < 4 {
        return;
    }
    // Interleave so both halves get a mix of large and small schemas.
    let (a, b): (Vec<(usize, &str)>, Vec<(usize, &str)>) = types
        .iter()
        .copied()
        .enumerate()
        .partition(|(i, _)| i % 2 == 0);
    std::thread::scope(|s| {
        s.spawn(|| {
            for (_, t) in &b {
                let _ = formwork_constructs::validate::schema::compiled(t);
            }
        });
        for (_, t) in &a {
            let _ = formwork_constructs::validate::schema::compiled(t);
        }
    });
}
