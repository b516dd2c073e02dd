//! Validation of CloudFormation templates — formwork's own output and hand-written ones.
//!
//! [`validate_template`] runs, on a parsed template: structure checks, registry-schema
//! validation of every resource ([`schema`]), and the rule set ([`rules`], codes documented in
//! `docs/rules.md`). Diagnostics come back all at once, sorted and deduplicated.

pub mod diagnostic;
mod engine;
pub mod json;
pub mod load;
pub mod registry;
pub mod rules;
pub mod schema;
pub mod schemas;

use serde_json::Value;

pub use diagnostic::{Diagnostic, Severity, counts, render_human, render_json, sort_diagnostics};
pub use load::{LoadError, load_file, load_template};
pub use registry::{Check, Code, RULES, Rule};

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

/// The names in the template's `Transform` (a string, a list of strings, or `{Name: …}`
/// objects such as `AWS::Include`).
pub fn transforms(root: &Value) -> Vec<&str> {
    fn one(v: &Value) -> Option<&str> {
        v.as_str().or_else(|| v.get("Name").and_then(Value::as_str))
    }
    match root.get("Transform") {
        Some(Value::Array(a)) => a.iter().filter_map(one).collect(),
        Some(v) => one(v).into_iter().collect(),
        None => Vec::new(),
    }
}

/// Does the template declare transform `name`?
pub fn has_transform(root: &Value, name: &str) -> bool {
    transforms(root).contains(&name)
}

/// The SAM transform: it expands `AWS::Serverless::*` resources.
pub const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";
/// The transform that provides `Fn::ForEach`, `Fn::Length`, `Fn::ToJsonString`.
pub const LANGUAGE_EXTENSIONS: &str = "AWS::LanguageExtensions";

/// Prefix of an `Fn::ForEach` loop key (`Fn::ForEach::Name: [Identifier, Collection, Fragment]`).
const FOR_EACH: &str = "Fn::ForEach::";

/// One entry of `Resources` as deployed: plain resources, and (with the LanguageExtensions
/// transform) the resource templates inside `Fn::ForEach` loops, nested loops included. The
/// logical id of a loop's resource still holds its `${Identifier}` placeholders.
pub enum ResourceEntry<'a> {
    /// A resource (or a loop's resource template).
    Resource {
        /// Logical id (may contain `${…}`/`&{…}` when `templated`).
        id: &'a str,
        /// The resource object.
        value: &'a Value,
        /// From inside an `Fn::ForEach` loop.
        templated: bool,
    },
    /// An `Fn::ForEach` key whose value is not `[Identifier, Collection, {fragment}]`, or one
    /// used without the LanguageExtensions transform.
    BadLoop {
        /// The `Fn::ForEach::…` key.
        id: &'a str,
        /// What is wrong.
        why: &'static str,
    },
}

/// Flattens `Resources` into [`ResourceEntry`]s, in template order.
pub fn resource_entries(root: &Value) -> Vec<ResourceEntry<'_>> {
    fn walk<'a>(
        m: &'a serde_json::Map<String, Value>,
        loops: bool,
        templated: bool,
        out: &mut Vec<ResourceEntry<'a>>,
    ) {
        for (id, v) in m {
            if !id.starts_with(FOR_EACH) {
                out.push(ResourceEntry::Resource {
                    id,
                    value: v,
                    templated,
                });
                continue;
            }
            if !loops {
                out.push(ResourceEntry::BadLoop {
                    id,
                    why: "Fn::ForEach needs `Transform: AWS::LanguageExtensions`",
                });
                continue;
            }
            match v.as_array().map(Vec::as_slice) {
                Some([Value::String(_), _, Value::Object(fragment)]) => {
                    walk(fragment, loops, true, out);
                }
                _ => out.push(ResourceEntry::BadLoop {
                    id,
                    why: "Fn::ForEach takes [Identifier, Collection, {LogicalId: resource}]",
                }),
            }
        }
    }
    let mut out = Vec::new();
    if let Some(m) = root.get("Resources").and_then(Value::as_object) {
        walk(m, has_transform(root, LANGUAGE_EXTENSIONS), false, &mut out);
    }
    out
}

/// `id` without its `${…}` / `&{…}` loop placeholders.
fn strip_placeholders(id: &str) -> String {
    let mut out = String::new();
    let mut rest = id;
    while let Some(i) = rest.find(['$', '&']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        match (tail.starts_with('{'), tail.find('}')) {
            (true, Some(j)) => rest = &tail[j + 1..],
            _ => {
                out.push_str(&rest[i..=i]);
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

fn structure(root: &Value, out: &mut Vec<Diagnostic>) {
    for section in [
        "Parameters",
        "Mappings",
        "Conditions",
        "Outputs",
        "Metadata",
        "Rules",
    ] {
        if root.get(section).is_some_and(|v| !v.is_object()) {
            out.push(Diagnostic::new(
                Code::SchemaStructure,
                None,
                format!("/{section}"),
                format!("{section} must be a mapping"),
                "write the section as a mapping of names to definitions",
            ));
        }
    }
    if let Some(res) = root.get("Resources").and_then(Value::as_object) {
        for (id, r) in res {
            let ok = match r.get("DependsOn") {
                None | Some(Value::String(_)) => true,
                Some(Value::Array(a)) => a.iter().all(Value::is_string),
                Some(_) => false,
            };
            if !ok {
                out.push(Diagnostic::new(
                    Code::SchemaStructure,
                    Some(id),
                    "/DependsOn",
                    "DependsOn must be a logical id or a list of logical ids",
                    "name the resources this one waits for",
                ));
            }
        }
    }
    let fix = "every resource needs Type (AWS::Service::Resource) and, usually, Properties";
    match root.get("Resources") {
        Some(Value::Object(m)) => {
            if m.is_empty() {
                out.push(Diagnostic::new(
                    Code::SchemaStructure,
                    None,
                    "/Resources",
                    "Resources is empty; a template needs at least one resource",
                    fix,
                ));
            }
            for e in resource_entries(root) {
                let (id, r, templated) = match e {
                    ResourceEntry::Resource {
                        id,
                        value,
                        templated,
                    } => (id, value, templated),
                    ResourceEntry::BadLoop { id, why } => {
                        out.push(Diagnostic::new(
                            Code::SchemaStructure,
                            Some(id),
                            "",
                            why,
                            "write the loop as Fn::ForEach::Name: [Identifier, [values…], \
                             {LogicalId${Identifier}: {Type: …}}] under Transform: \
                             AWS::LanguageExtensions",
                        ));
                        continue;
                    }
                };
                let ok_type = r.get("Type").is_some_and(Value::is_string);
                let bare = if templated {
                    strip_placeholders(id)
                } else {
                    id.to_owned()
                };
                if !r.is_object() || !ok_type {
                    out.push(Diagnostic::new(
                        Code::SchemaStructure,
                        Some(id),
                        "/Type",
                        "resource without a Type string",
                        fix,
                    ));
                } else if !bare.chars().all(|c| c.is_ascii_alphanumeric()) || id.len() > 255 {
                    out.push(Diagnostic::new(
                        Code::SchemaStructure,
                        Some(id),
                        "",
                        "logical ids must be alphanumeric (A-Za-z0-9) and at most 255 characters",
                        "rename the resource",
                    ));
                }
            }
        }
        _ => out.push(Diagnostic::new(
            Code::SchemaStructure,
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
    // Resources to check against their registry schema. With the SAM transform, the
    // `AWS::Serverless::*` types are macros expanded at deploy time, not registry types.
    let sam = has_transform(template, SAM_TRANSFORM);
    let typed: Vec<(&str, &str, Option<&Value>)> = resource_entries(template)
        .into_iter()
        .filter_map(|e| match e {
            ResourceEntry::Resource { id, value, .. } => Some((id, value)),
            ResourceEntry::BadLoop { .. } => None,
        })
        .filter_map(|(id, r)| Some((id, r.get("Type")?.as_str()?, r.get("Properties"))))
        .filter(|(_, ty, _)| !(sam && ty.starts_with("AWS::Serverless::")))
        .collect();
    prewarm(typed.iter().map(|(_, ty, _)| *ty));
    for (id, ty, props) in typed {
        out.extend(schema::validate_resource(id, ty, props));
    }
    let body = opts
        .body_bytes
        .unwrap_or_else(|| serde_json::to_vec(template).map_or(0, |v| v.len()));
    let mut ctx = rules::Ctx::new(template, opts.region.as_deref(), body);
    registry::run_all(&mut ctx);
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
    /// All diagnostics of all files, load errors (FW-LOAD-*) included.
    pub diagnostics: Vec<Diagnostic>,
    /// Files that could not be loaded.
    pub load_errors: Vec<LoadError>,
    /// The process exit code: 1 on any error or load error (or on a warning when strict), else 0.
    pub exit_code: i32,
}

/// Validates files (`formwork validate [--strict] [--region R] FILE...`) without printing.
/// Runs on a thread with a 64 MiB stack (belt and braces under the loaders' depth limit).
pub fn validate_files(paths: &[std::path::PathBuf], region: Option<&str>, strict: bool) -> Report {
    let region = region.map(str::to_owned);
    let paths = paths.to_vec();
    let run = move || validate_files_here(&paths, region.as_deref(), strict);
    match std::thread::Builder::new()
        .name("validate".into())
        .stack_size(64 << 20)
        .spawn(run)
        .map(std::thread::JoinHandle::join)
    {
        Ok(Ok(r)) => r,
        _ => {
            let e = LoadError::Io {
                file: "<validate>".into(),
                message: "the validation thread failed (please report this)".into(),
            };
            Report {
                diagnostics: vec![e.to_diagnostic()],
                load_errors: vec![e],
                exit_code: 1,
            }
        }
    }
}

fn validate_files_here(paths: &[std::path::PathBuf], region: Option<&str>, strict: bool) -> Report {
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
            Err(e) => {
                diagnostics.push(e.to_diagnostic());
                load_errors.push(e);
            }
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
