//! Validation of rendered stacks before anything is written: the same checks as
//! `formwork validate`, with each stack's own Region and body size.

use formwork_constructs::core::App;
use formwork_constructs::validate::{
    Diagnostic, Severity, ValidateOptions, sort_diagnostics, validate_template,
};

use crate::assembly::RenderedStack;

/// Validates every rendered stack; returns all diagnostics, sorted.
pub fn check_rendered(app: &App, rendered: &[RenderedStack]) -> Vec<Diagnostic> {
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
