//! Validation of CloudFormation templates — formwork's own output and hand-written ones.
//!
//! [`validate_template`] runs, on a parsed template: structure checks, registry-schema
//! validation of every resource ([`schema`]), and the rule set ([`rules`], codes documented in
//! `docs/rules.md`). Diagnostics come back all at once, sorted and deduplicated.

pub mod diagnostic;
pub mod load;
pub mod rules;
pub mod schema;
pub mod schemas;

use serde_json::Value;

pub use diagnostic::{Diagnostic, Severity, counts, render_human, render_json, sort_diagnostics};
pub use load::{LoadError, load_file, load_template};
pub use rules::{RULES, RuleInfo};

/// Options of one validation run.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// The stack's region. Region-bound rules (CLOUDFRONT-scope WAF and CloudFront certificates
    /// created in the stack must be in us-east-1) only fire when it is known.
    pub region: Option<String>,
    /// Stack name, copied into diagnostics.
    pub stack: Option<String>,
    /// Source file, copied into diagnostics.
    pub file: Option<String>,
    /// Size of the template body as it will be deployed. When `None`, the size of the
    /// minified JSON rendering is used.
    pub body_bytes: Option<usize>,
}

fn structure(root: &Value, out: &mut Vec<Diagnostic>) {
    let fix = "every resource needs Type (AWS::Service::Resource) and, usually, Properties";
    match root.get("Resources") {
        Some(Value::Object(m)) => {
            if m.is_empty() {
                out.push(Diagnostic::new(
                    Severity::Error,
                    "FW-SCHEMA-004",
                    None,
                    "/Resources",
                    "Resources is empty; a template needs at least one resource",
                    fix,
                ));
            }
            for (id, r) in m {
                let ok_type = r.get("Type").is_some_and(Value::is_string);
                if !r.is_object() || !ok_type {
                    out.push(Diagnostic::new(
                        Severity::Error,
                        "FW-SCHEMA-004",
                        Some(id),
                        "/Type",
                        "resource without a Type string",
                        fix,
                    ));
                } else if !id.chars().all(|c| c.is_ascii_alphanumeric()) || id.len() > 255 {
                    out.push(Diagnostic::new(
                        Severity::Error,
                        "FW-SCHEMA-004",
                        Some(id),
                        "",
                        "logical ids must be alphanumeric (A-Za-z0-9) and at most 255 characters",
                        "rename the resource",
                    ));
                }
            }
        }
        _ => out.push(Diagnostic::new(
            Severity::Error,
            "FW-SCHEMA-004",
            None,
            "/Resources",
            "template without a Resources mapping",
            fix,
        )),
    }
}

/// Builds the validators of `types` that are not cached yet, on two threads: compiling the
/// registry schemas is most of the cost of validating a template the first time.
pub fn prewarm<'a>(types: impl Iterator<Item = &'a str>) {
    let mut todo: Vec<&str> = types.filter(|t| !schema::is_compiled(t)).collect();
    todo.sort_unstable();
    todo.dedup();
    if todo.len() < 4 {
        return;
    }
    let (a, b): (Vec<(usize, &str)>, Vec<(usize, &str)>) = todo
        .iter()
        .copied()
        .enumerate()
        .partition(|(i, _)| i % 2 == 0);
    std::thread::scope(|scope| {
        scope.spawn(|| b.iter().for_each(|(_, t)| drop(schema::compiled(t))));
        a.iter().for_each(|(_, t)| drop(schema::compiled(t)));
    });
}

/// Validates a parsed template. Never panics; the result is sorted and deterministic.
pub fn validate_template(template: &Value, opts: &ValidateOptions) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    structure(template, &mut out);
    if let Some(res) = template.get("Resources").and_then(Value::as_object) {
        prewarm(
            res.values()
                .filter_map(|r| r.get("Type").and_then(Value::as_str)),
        );
        for (id, r) in res {
            let Some(ty) = r.get("Type").and_then(Value::as_str) else {
                continue;
            };
            out.extend(schema::validate_resource(id, ty, r.get("Properties")));
        }
    }
    let body = opts
        .body_bytes
        .unwrap_or_else(|| serde_json::to_vec(template).map_or(0, |v| v.len()));
    let mut ctx = rules::Ctx::new(template, opts.region.as_deref(), body);
    rules::run_all(&mut ctx);
    out.append(&mut ctx.out);
    for d in &mut out {
        d.file.clone_from(&opts.file);
        d.stack.clone_from(&opts.stack);
    }
    sort_diagnostics(&mut out);
    out
}

/// Loads (JSON or YAML) and validates `bytes`; `opts.file` names the source in errors.
pub fn validate_bytes(bytes: &[u8], opts: &ValidateOptions) -> Result<Vec<Diagnostic>, LoadError> {
    let name = opts.file.as_deref().unwrap_or("<input>");
    let t = load_template(bytes, name)?;
    let mut o = opts.clone();
    o.body_bytes.get_or_insert(bytes.len());
    Ok(validate_template(&t, &o))
}

/// Outcome of validating files the way `formwork validate` does.
#[derive(Debug, Clone)]
pub struct Report {
    /// All diagnostics of all files (load errors are not diagnostics; see `load_errors`).
    pub diagnostics: Vec<Diagnostic>,
    /// Files that could not be loaded.
    pub load_errors: Vec<LoadError>,
    /// The process exit code: 1 on any error or load error (or on a warning when strict), else 0.
    pub exit_code: i32,
}

/// Validates files (`formwork validate [--strict] [--region R] FILE...`) without printing.
pub fn validate_files(paths: &[std::path::PathBuf], region: Option<&str>, strict: bool) -> Report {
    let mut diagnostics = Vec::new();
    let mut load_errors = Vec::new();
    for p in paths {
        match load_file(p) {
            Ok((t, n)) => {
                let o = ValidateOptions {
                    region: region.map(str::to_owned),
                    stack: None,
                    file: Some(p.display().to_string()),
                    body_bytes: Some(n),
                };
                diagnostics.extend(validate_template(&t, &o));
            }
            Err(e) => load_errors.push(e),
        }
    }
    sort_diagnostics(&mut diagnostics);
    let (e, w, _) = counts(&diagnostics);
    let fail = e > 0 || !load_errors.is_empty() || (strict && w > 0);
    Report {
        diagnostics,
        load_errors,
        exit_code: i32::from(fail),
    }
}
