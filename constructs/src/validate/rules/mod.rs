//! The rule set. One file per family; each family declares its rules (code, severity, doc text,
//! check function) in its `RULES`, joined in [`crate::validate::registry`]; `docs/rules.md` is
//! generated from them.

use serde_json::{Map, Value};

use super::diagnostic::Diagnostic;
use super::registry::Code;

pub mod cloudfront;
pub mod ecs;
pub mod eks;
pub mod elbv2;
pub mod events;
pub mod fns;
pub mod graph;
pub mod limits;
pub mod refs;
pub mod security;
pub mod values;
pub mod waf;

/// What the rules see: the template plus a few indexes, and where diagnostics go.
pub struct Ctx<'a> {
    /// The whole template.
    pub root: &'a Value,
    /// `Resources` (empty if missing).
    pub resources: &'a Map<String, Value>,
    /// Stack region, when known.
    pub region: Option<&'a str>,
    /// Size of the template body in bytes.
    pub body_bytes: usize,
    /// Collected diagnostics.
    pub out: Vec<Diagnostic>,
}

static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

impl<'a> Ctx<'a> {
    /// A context over `root`.
    pub fn new(root: &'a Value, region: Option<&'a str>, body_bytes: usize) -> Ctx<'a> {
        let resources = root
            .get("Resources")
            .and_then(Value::as_object)
            .unwrap_or(&EMPTY);
        Ctx {
            root,
            resources,
            region,
            body_bytes,
            out: Vec::new(),
        }
    }

    /// Reports `code` (with its registry severity).
    pub fn emit(
        &mut self,
        code: Code,
        logical_id: Option<&str>,
        pointer: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.out
            .push(Diagnostic::new(code, logical_id, pointer, message, fix));
    }

    /// The type of resource `id`.
    pub fn type_of(&self, id: &str) -> Option<&'a str> {
        self.resources.get(id)?.get("Type")?.as_str()
    }

    /// The `Properties` of resource `id` (as an object).
    pub fn props(&self, id: &str) -> Option<&'a Map<String, Value>> {
        self.resources.get(id)?.get("Properties")?.as_object()
    }

    /// `(logical id, properties)` of every resource of type `ty`, in template order.
    pub fn of_type(&self, ty: &str) -> Vec<(&'a str, &'a Map<String, Value>)> {
        self.resources
            .iter()
            .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(ty))
            .map(|(id, r)| {
                (
                    id.as_str(),
                    r.get("Properties")
                        .and_then(Value::as_object)
                        .unwrap_or(&EMPTY),
                )
            })
            .collect()
    }

    /// If `v` is `Ref R` or `Fn::GetAtt [R, _]` (or `"R.attr"`) and `R` is a resource of this
    /// template, returns `R`.
    pub fn target(&self, v: &Value) -> Option<&'a str> {
        let id = ref_or_getatt_id(v)?;
        self.resources.get_key_value(id).map(|(k, _)| k.as_str())
    }
}

/// The logical id named by `Ref` or `Fn::GetAtt`, without checking it exists.
pub fn ref_or_getatt_id(v: &Value) -> Option<&str> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    if let Some(r) = m.get("Ref") {
        return r.as_str();
    }
    match m.get("Fn::GetAtt")? {
        Value::Array(a) => a.first()?.as_str(),
        Value::String(s) => s.split('.').next(),
        _ => None,
    }
}

/// A literal string (not an intrinsic).
pub fn lit_str(v: Option<&Value>) -> Option<&str> {
    v?.as_str()
}

/// A literal boolean, accepting `"true"`/`"false"` strings as CloudFormation does, and the plain
/// YAML 1.1 words (`yes`/`no`/`on`/`off`) its YAML parser reads as booleans.
pub fn lit_bool(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" => Some(true),
            "false" | "no" | "off" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A literal integer, accepting numeric strings.
pub fn lit_int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
