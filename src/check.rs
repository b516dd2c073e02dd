//! Validation of rendered stacks before anything is written: the same checks as
//! `formwork validate`, with each stack's own Region and body size.

use formwork_assembly::{Assembly, StackArtifact};
use formwork_constructs::validate::{
    Diagnostic, Severity, ValidateOptions, sort_diagnostics, validate_template,
};

/// Validates every stack of an assembly (stacks split over two threads); returns all
/// diagnostics, sorted.
pub fn check_assembly(asm: &Assembly) -> Vec<Diagnostic> {
    // Build every type's validator first, on two threads (validate_template would do it per
    // template; here all stacks' types are shared out at once).
    formwork_constructs::validate::prewarm(
        asm.stacks
            .iter()
            .filter_map(|r| {
                r.body
                    .get("Resources")
                    .and_then(serde_json::Value::as_object)
            })
            .flat_map(|res| {
                res.values()
                    .filter_map(|v| v.get("Type").and_then(serde_json::Value::as_str))
            }),
    );
    let one = |stack: &StackArtifact| {
        let opts = ValidateOptions {
            region: stack.region.clone(),
            stack: Some(stack.name.clone()),
            file: Some(stack.template.clone()),
            body_bytes: Some(stack.body_bytes),
        };
        validate_template(&stack.body, &opts)
    };
    let stacks: Vec<&StackArtifact> = asm.stacks.iter().collect();
    let mut out: Vec<Diagnostic> = if stacks.len() < 2 {
        stacks.into_iter().flat_map(one).collect()
    } else {
        let (a, b) = stacks.split_at(stacks.len() / 2);
        std::thread::scope(|scope| {
            let h = scope.spawn(|| b.iter().copied().flat_map(one).collect::<Vec<_>>());
            let mut v: Vec<Diagnostic> = a.iter().copied().flat_map(one).collect();
            // A panic there is a bug: pass it on rather than lose that half's diagnostics.
            v.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
            v
        })
    };
    sort_diagnostics(&mut out);
    out
}

/// Whether a diagnostic blocks synth.
pub fn is_error(d: &Diagnostic) -> bool {
    d.severity == Severity::Error
}

/// The distinct resource types of an assembly, sorted.
pub fn used_types(asm: &Assembly) -> Vec<String> {
    let mut types: Vec<String> = asm
        .stacks
        .iter()
        .filter_map(|s| {
            s.body
                .get("Resources")
                .and_then(serde_json::Value::as_object)
        })
        .flat_map(|res| {
            res.values()
                .filter_map(|v| v.get("Type").and_then(serde_json::Value::as_str))
                .map(str::to_owned)
        })
        .collect();
    types.sort_unstable();
    types.dedup();
    types
}

/// Compiles (and caches) the registry-schema validators of `types`, in order or reversed; two
/// threads walking from both ends share the work.
pub fn warm<T: AsRef<str>>(types: &[T], reversed: bool) {
    let compile = |t: &T| {
        let t = t.as_ref();
        let _ = formwork_constructs::validate::schema::compiled(t);
    };
    if reversed {
        types.iter().rev().for_each(compile);
    } else {
        types.iter().for_each(compile);
    }
}
