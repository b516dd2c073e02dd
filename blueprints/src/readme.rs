//! Blueprint READMEs, generated from each blueprint's config JSON Schema with tera
//! (`blueprints/docs/<name>.md`, committed and drift-tested).

use serde::Serialize;
use serde_json::Value;

use crate::Blueprint;

const TEMPLATE: &str = include_str!("../templates/README.md.tera");

/// One row of the config reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// Dotted path, `[]` for list items (`services[].port`).
    pub path: String,
    /// JSON type(s).
    pub kind: String,
    /// Whether the key must be present (in its parent).
    pub required: bool,
    /// The default, as JSON, or `—`.
    pub default: String,
    /// Ranges, lengths, patterns, allowed values.
    pub constraints: String,
    /// The doc comment of the config field.
    pub description: String,
}

#[derive(Serialize)]
struct Context<'a> {
    name: &'a str,
    summary: &'a str,
    fields: Vec<Field>,
    example: &'a str,
    /// The alarms of blueprints with an `alarms:` section.
    alarms: Vec<formwork_assembly::runbook::AlarmDoc>,
    alarms_note: &'static str,
}

/// The README of a blueprint.
pub fn readme(bp: &Blueprint) -> Result<String, String> {
    let schema = (bp.schema)();
    let mut fields = Vec::new();
    walk(&schema, &schema, "", &mut fields, 0);
    let ctx = Context {
        name: bp.name,
        summary: bp.summary,
        fields,
        example: bp.example,
        alarms: if schema.pointer("/properties/alarms").is_some() {
            crate::alarms::reference()
        } else {
            Vec::new()
        },
        alarms_note: crate::alarms::HTTP_STATUS_NOTE,
    };
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    tera.add_raw_template("README.md", TEMPLATE)
        .map_err(|e| e.to_string())?;
    let context = tera::Context::from_serialize(&ctx).map_err(|e| e.to_string())?;
    tera.render("README.md", &context)
        .map_err(|e| format!("{e:?}"))
}

/// Follows `$ref` (and `anyOf: [X, null]`, which is how an `Option` looks).
fn resolve<'a>(root: &'a Value, s: &'a Value) -> &'a Value {
    if let Some(r) = s.get("$ref").and_then(Value::as_str)
        && let Some(name) = r.strip_prefix("#/$defs/")
        && let Some(d) = root.get("$defs").and_then(|d| d.get(name))
    {
        return resolve(root, d);
    }
    if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
        let non_null: Vec<&Value> = any
            .iter()
            .filter(|v| v.get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        if non_null.len() == 1 {
            return resolve(root, non_null[0]);
        }
    }
    s
}

fn kind_of(root: &Value, s: &Value) -> String {
    let r = resolve(root, s);
    if let Some(c) = r.get("const") {
        return format!("`{c}`");
    }
    if let Some(e) = r.get("enum").and_then(Value::as_array) {
        return e
            .iter()
            .map(|v| {
                format!(
                    "`{}`",
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                )
            })
            .collect::<Vec<_>>()
            .join(" \\| ");
    }
    if let Some(one) = r.get("oneOf").and_then(Value::as_array) {
        let vals: Vec<String> = one
            .iter()
            .filter_map(|v| {
                v.get("const")
                    .or_else(|| v.get("enum").and_then(|e| e.get(0)))
            })
            .map(|v| {
                format!(
                    "`{}`",
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                )
            })
            .collect();
        if !vals.is_empty() {
            return vals.join(" \\| ");
        }
    }
    let base = match r.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(", "),
        _ => "any".to_owned(),
    };
    if base == "array"
        && let Some(items) = r.get("items")
    {
        return format!("list of {}", kind_of(root, items));
    }
    if base == "object" && r.get("additionalProperties").is_some_and(Value::is_object) {
        return "map of string".to_owned();
    }
    let nullable = s.get("anyOf").is_some()
        || matches!(s.get("type"), Some(Value::Array(ts)) if ts.iter().any(|t| t == "null"));
    if nullable {
        format!("{base} or null")
    } else {
        base
    }
}

fn constraints(root: &Value, s: &Value) -> String {
    let r = resolve(root, s);
    let mut out = Vec::new();
    let num = |k: &str| r.get(k).map(|v| v.to_string());
    match (num("minimum"), num("maximum")) {
        (Some(a), Some(b)) => out.push(format!("{a}–{b}")),
        (Some(a), None) => out.push(format!("≥ {a}")),
        (None, Some(b)) => out.push(format!("≤ {b}")),
        _ => {}
    }
    match (num("minLength"), num("maxLength")) {
        (Some(a), Some(b)) => out.push(format!("{a}–{b} chars")),
        (None, Some(b)) => out.push(format!("≤ {b} chars")),
        _ => {}
    }
    match (num("minItems"), num("maxItems")) {
        (Some(a), Some(b)) => out.push(format!("{a}–{b} items")),
        (None, Some(b)) => out.push(format!("≤ {b} items")),
        (Some(a), None) => out.push(format!("≥ {a} items")),
        _ => {}
    }
    if let Some(p) = r.get("pattern").and_then(Value::as_str) {
        out.push(format!("pattern `{}`", p.replace('|', "\\|")));
    }
    if out.is_empty() {
        "—".to_owned()
    } else {
        out.join(", ")
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn walk(root: &Value, node: &Value, prefix: &str, out: &mut Vec<Field>, depth: usize) {
    if depth > 6 {
        return;
    }
    let obj = resolve(root, node);
    let Some(props) = obj.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: Vec<&str> = obj
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (k, v) in props {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let description = v
            .get("description")
            .or_else(|| resolve(root, v).get("description"))
            .and_then(Value::as_str)
            .map(one_line)
            .unwrap_or_default();
        out.push(Field {
            path: path.clone(),
            kind: kind_of(root, v),
            required: required.contains(&k.as_str()),
            default: v
                .get("default")
                .map(|d| format!("`{d}`"))
                .unwrap_or_else(|| "—".to_owned()),
            constraints: constraints(root, v),
            description,
        });
        let r = resolve(root, v);
        if r.get("properties").is_some() {
            walk(root, r, &path, out, depth + 1);
        } else if let Some(items) = r.get("items")
            && resolve(root, items).get("properties").is_some()
        {
            walk(root, items, &format!("{path}[]"), out, depth + 1);
        }
    }
}
