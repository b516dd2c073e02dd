//! Registry-schema validation of each resource's `Properties` (VALIDATION-PROBE.md design).
//!
//! * Draft 7 forced; validators built once per type, on first use, and kept for the process
//!   (never dropped: no cost at exit).
//! * `pattern` is replaced by a lazy keyword: the regex is compiled on first use, and a masked
//!   intrinsic placeholder always matches.
//! * Intrinsics are masked before validation ([`mask`]): `Ref AWS::NoValue` removes the key or
//!   item; `Fn::If` takes a branch (each branch is validated in turn); any other `Ref`/`Fn::*`
//!   and `{{resolve:…}}` dynamic references become a placeholder string. Errors at or under a
//!   masked pointer, and combinator (`oneOf`/`anyOf`/`allOf`/`not`/`if`) errors above one, are
//!   dropped: a masked value stands for any value of the right kind.
//! * Read-only properties are rejected; `dependentRequired` and cfn-lint's `requiredXor`,
//!   `requiredOr`, `dependentExcluded` are honoured as custom keywords.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::Location;
use jsonschema::{Keyword, ValidationError, Validator};
use serde_json::{Map, Value, json};

use super::diagnostic::{Diagnostic, escape_segment};
use super::registry::Code;
use super::schemas::{self, SchemaEntry};

/// Prefix of the placeholder a masked intrinsic becomes.
pub const PLACEHOLDER_PREFIX: &str = "{{intrinsic#";

/// Result of masking one value.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Masked {
    /// The value with intrinsics replaced (or `None` if it was removed entirely).
    pub value: Option<Value>,
    /// JSON pointers (relative to the masked root) of every placeholder.
    pub pointers: Vec<String>,
    /// Whether an `Fn::If` was seen (so the other branch is worth validating too).
    pub has_if: bool,
}

/// Is `v` a single-key intrinsic object (`Ref` or `Fn::*`)? Returns the key.
pub fn intrinsic_key(v: &Value) -> Option<&str> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    let k = m.keys().next()?.as_str();
    (k == "Ref" || k.starts_with("Fn::")).then_some(k)
}

fn is_novalue(v: &Value) -> bool {
    v.as_object()
        .and_then(|m| m.get("Ref"))
        .and_then(Value::as_str)
        == Some("AWS::NoValue")
        && v.as_object().is_some_and(|m| m.len() == 1)
}

/// Masks intrinsics in `v`. `second_branch` picks the `else` branch of every `Fn::If`.
pub fn mask(v: &Value, second_branch: bool) -> Masked {
    let mut out = Masked::default();
    let mut path = String::new();
    out.value = mask_rec(
        v,
        &mut path,
        second_branch,
        &mut out.pointers,
        &mut out.has_if,
    );
    out
}

fn mask_rec(
    v: &Value,
    path: &mut String,
    second: bool,
    ptrs: &mut Vec<String>,
    has_if: &mut bool,
) -> Option<Value> {
    if let Some(k) = intrinsic_key(v) {
        if is_novalue(v) {
            return None;
        }
        if k == "Fn::If" {
            *has_if = true;
            if let Some(args) = v[k].as_array().filter(|a| a.len() == 3) {
                let (a, b) = if second {
                    (&args[2], &args[1])
                } else {
                    (&args[1], &args[2])
                };
                let pick = if is_novalue(a) { b } else { a };
                if is_novalue(pick) {
                    return None;
                }
                return mask_rec(pick, path, second, ptrs, has_if);
            }
        }
        ptrs.push(path.clone());
        return Some(Value::String(format!(
            "{PLACEHOLDER_PREFIX}{}}}}}",
            ptrs.len()
        )));
    }
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, child) in m {
                let len = path.len();
                path.push('/');
                path.push_str(&escape_segment(k));
                if let Some(c) = mask_rec(child, path, second, ptrs, has_if) {
                    out.insert(k.clone(), c);
                }
                path.truncate(len);
            }
            Some(Value::Object(out))
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for child in items {
                let len = path.len();
                path.push('/');
                path.push_str(&out.len().to_string());
                if let Some(c) = mask_rec(child, path, second, ptrs, has_if) {
                    out.push(c);
                }
                path.truncate(len);
            }
            Some(Value::Array(out))
        }
        Value::String(s) if s.starts_with("{{resolve:") => {
            ptrs.push(path.clone());
            Some(Value::String(format!(
                "{PLACEHOLDER_PREFIX}{}}}}}",
                ptrs.len()
            )))
        }
        other => Some(other.clone()),
    }
}

fn is_at_or_under(p: &str, base: &str) -> bool {
    p == base || (p.starts_with(base) && p[base.len()..].starts_with('/'))
}

// ------------------------------------------------------------------ custom keywords

struct LazyPattern {
    pattern: String,
    compiled: OnceLock<Option<Validator>>,
}

impl LazyPattern {
    fn ok(&self, instance: &Value) -> bool {
        let Some(s) = instance.as_str() else {
            return true;
        };
        if s.starts_with(PLACEHOLDER_PREFIX) {
            return true;
        }
        match self
            .compiled
            .get_or_init(|| {
                jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft7)
                    .build(&json!({ "pattern": self.pattern }))
                    .ok()
            })
            .as_ref()
        {
            Some(v) => v.is_valid(instance),
            None => true,
        }
    }
}

impl<'i> Keyword<'i> for LazyPattern {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        if self.ok(instance) {
            Ok(())
        } else {
            Err(ValidationError::custom(format!(
                "{instance} does not match {:?}",
                self.pattern
            )))
        }
    }
    fn is_valid(&self, instance: &'i Value) -> bool {
        self.ok(instance)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum PresenceKind {
    /// `dependentRequired` / `dependentExcluded`: `{prop: [others]}`.
    DependentRequired,
    DependentExcluded,
    /// `requiredXor` / `requiredOr`: `[props]`.
    RequiredXor,
    RequiredOr,
}

struct Presence {
    kind: PresenceKind,
    map: Vec<(String, Vec<String>)>,
    list: Vec<String>,
}

fn str_list(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl Presence {
    fn problems(&self, instance: &Value) -> Vec<String> {
        let Some(obj) = instance.as_object() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        match self.kind {
            PresenceKind::DependentRequired => {
                for (p, deps) in &self.map {
                    if obj.contains_key(p) {
                        for d in deps.iter().filter(|d| !obj.contains_key(d.as_str())) {
                            out.push(format!("'{d}' is required when '{p}' is set"));
                        }
                    }
                }
            }
            PresenceKind::DependentExcluded => {
                for (p, deps) in &self.map {
                    if obj.contains_key(p) {
                        for d in deps.iter().filter(|d| obj.contains_key(d.as_str())) {
                            out.push(format!("'{d}' must not be set together with '{p}'"));
                        }
                    }
                }
            }
            PresenceKind::RequiredXor => {
                let n = self
                    .list
                    .iter()
                    .filter(|p| obj.contains_key(p.as_str()))
                    .count();
                if n != 1 {
                    out.push(format!(
                        "exactly one of {:?} must be set (found {n})",
                        self.list
                    ));
                }
            }
            PresenceKind::RequiredOr => {
                if !self.list.iter().any(|p| obj.contains_key(p.as_str())) {
                    out.push(format!("one of {:?} is required", self.list));
                }
            }
        }
        out
    }
}

impl<'i> Keyword<'i> for Presence {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        match self.problems(instance).into_iter().next() {
            None => Ok(()),
            Some(m) => Err(ValidationError::custom(m)),
        }
    }
    fn is_valid(&self, instance: &'i Value) -> bool {
        self.problems(instance).is_empty()
    }
    fn iter_errors(
        &self,
        instance: &'i Value,
    ) -> Box<dyn Iterator<Item = ValidationError<'i>> + 'i> {
        Box::new(
            self.problems(instance)
                .into_iter()
                .map(|m| -> ValidationError<'i> { ValidationError::custom(m) }),
        )
    }
}

#[allow(clippy::type_complexity)]
fn presence_factory(
    kind: PresenceKind,
) -> impl for<'a> Fn(
    &'a Map<String, Value>,
    &'a Value,
    Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>>
+ Send
+ Sync
+ 'static {
    move |_parent, value, _loc| {
        let map = value
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), str_list(v))).collect())
            .unwrap_or_default();
        Ok(Box::new(Presence {
            kind,
            map,
            list: str_list(value),
        }))
    }
}

fn build_validator(schema: &Value) -> Option<Validator> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .with_keyword("pattern", |_parent, value: &Value, _loc| {
            Ok(Box::new(LazyPattern {
                pattern: value.as_str().unwrap_or("").to_owned(),
                compiled: OnceLock::new(),
            }) as Box<dyn for<'i> Keyword<'i>>)
        })
        .with_keyword(
            "dependentRequired",
            presence_factory(PresenceKind::DependentRequired),
        )
        .with_keyword(
            "dependentExcluded",
            presence_factory(PresenceKind::DependentExcluded),
        )
        .with_keyword("requiredXor", presence_factory(PresenceKind::RequiredXor))
        .with_keyword("requiredOr", presence_factory(PresenceKind::RequiredOr))
        .build(schema)
        .ok()
}

/// A compiled validator for one resource type, plus what is needed around it.
pub struct Compiled {
    /// `None` if the schema could not be compiled (reported once as a warning).
    validator: Option<Validator>,
    /// Read-only properties as instance pointer segments (`["Arn"]`, `["A", "*", "B"]`).
    read_only: Vec<Vec<String>>,
    /// The schema entry.
    pub entry: &'static SchemaEntry,
}

type Cache = Mutex<HashMap<String, Option<Arc<Compiled>>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Whether the validator of `type_name` is already built (or known to be missing).
pub fn is_compiled(type_name: &str) -> bool {
    cache()
        .lock()
        .map(|g| g.contains_key(type_name))
        .unwrap_or(false)
}

/// The compiled validator for `type_name` (built on first use, then shared), or `None` when the
/// bundle has no schema for the type.
pub fn compiled(type_name: &str) -> Option<Arc<Compiled>> {
    let cache = cache();
    if let Ok(g) = cache.lock()
        && let Some(c) = g.get(type_name)
    {
        return c.clone();
    }
    // Build outside the lock (another thread may race: harmless, one result wins).
    let built = schemas::get_with_schema(type_name).map(|(entry, doc)| {
        let doc = doc.or_else(|| schemas::schema_document(type_name));
        Arc::new(Compiled {
            validator: doc.as_ref().and_then(build_validator),
            read_only: entry
                .read_only_properties
                .iter()
                .filter_map(|p| p.strip_prefix("/properties/"))
                .map(|p| p.split('/').map(str::to_owned).collect())
                .collect(),
            entry,
        })
    });
    match cache.lock() {
        Ok(mut g) => g.entry(type_name.to_owned()).or_insert(built).clone(),
        Err(_) => built,
    }
}

/// Plain YAML scalars that CloudFormation's YAML 1.1 parser reads as booleans (the YAML 1.2
/// loader here keeps them as strings). A quoted `"yes"` cannot be told apart after loading, so
/// it is accepted too.
const YAML11_BOOLEANS: &[&str] = &[
    "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
];

/// CloudFormation converts scalars like cfn-lint does: `"443"` is a fine integer, `"true"` a
/// fine boolean, `443` a fine string. `msg` is jsonschema's `… is not of type(s) "x", "y"`.
fn coercible(instance: &Value, msg: &str) -> bool {
    let wants = |t: &str| {
        msg.rsplit_once(" is not of type")
            .is_some_and(|(_, tail)| tail.contains(&format!("\"{t}\"")))
    };
    match instance {
        Value::String(s) => {
            let s = s.trim();
            (wants("integer") && s.parse::<i64>().is_ok())
                || (wants("number") && s.parse::<f64>().is_ok_and(f64::is_finite))
                || (wants("boolean")
                    && (s.eq_ignore_ascii_case("true")
                        || s.eq_ignore_ascii_case("false")
                        || YAML11_BOOLEANS.contains(&s)))
        }
        Value::Number(_) | Value::Bool(_) => wants("string"),
        _ => false,
    }
}

const COMBINATOR_KEYWORDS: &[&str] = &["oneOf", "anyOf", "allOf", "not", "if", "then", "else"];

fn is_combinator(kind: &ValidationErrorKind) -> bool {
    COMBINATOR_KEYWORDS.contains(&kind.keyword())
}

fn find_present(v: &Value, segs: &[String], base: &mut String, out: &mut Vec<String>) {
    let Some((first, rest)) = segs.split_first() else {
        out.push(base.clone());
        return;
    };
    if first == "*" {
        if let Some(a) = v.as_array() {
            for (i, item) in a.iter().enumerate() {
                let len = base.len();
                base.push_str(&format!("/{i}"));
                find_present(item, rest, base, out);
                base.truncate(len);
            }
        }
        return;
    }
    if let Some(child) = v.as_object().and_then(|m| m.get(first)) {
        let len = base.len();
        base.push('/');
        base.push_str(&escape_segment(first));
        find_present(child, rest, base, out);
        base.truncate(len);
    }
}

/// Validates one resource's `Properties` against its registry schema. Pointers in the returned
/// diagnostics are relative to the resource (`/Properties/...`).
pub fn validate_resource(
    logical_id: &str,
    type_name: &str,
    properties: Option<&Value>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if type_name.starts_with("Custom::") {
        return out;
    }
    let Some(c) = compiled(type_name) else {
        out.push(Diagnostic::new(
            Code::SchemaUnknownType,
            Some(logical_id),
            "/Type",
            format!("no registry schema for type {type_name}: its properties are not checked"),
            "check the type name's spelling; a third-party or very new type cannot be checked offline",
        ));
        return out;
    };
    let empty = Value::Object(Map::new());
    let props = properties.unwrap_or(&empty);
    if !props.is_object() && intrinsic_key(props).is_none() {
        out.push(Diagnostic::new(
            Code::SchemaInvalid,
            Some(logical_id),
            "/Properties",
            "Properties must be an object",
            "write Properties as a mapping of property names to values",
        ));
        return out;
    }
    let Some(validator) = &c.validator else {
        out.push(Diagnostic::new(
            Code::SchemaUnknownType,
            Some(logical_id),
            "/Type",
            format!(
                "the registry schema for {type_name} could not be compiled: properties not checked"
            ),
            "report this; rebuild the schema bundle with scripts/update-schema-bundle",
        ));
        return out;
    };

    let first = mask(props, false);
    let mut variants = vec![first];
    if variants[0].has_if {
        let second = mask(props, true);
        if second.value != variants[0].value {
            variants.push(second);
        }
    }
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for m in &variants {
        let Some(value) = &m.value else { continue };
        // read-only properties
        for segs in &c.read_only {
            let mut found = Vec::new();
            find_present(value, segs, &mut String::new(), &mut found);
            for p in found {
                let msg = format!(
                    "{} is read-only (an attribute CloudFormation returns), it cannot be set",
                    segs.join(".")
                );
                if seen.insert((p.clone(), msg.clone())) {
                    out.push(Diagnostic::new(
                        Code::SchemaReadOnly,
                        Some(logical_id),
                        format!("/Properties{p}"),
                        msg,
                        "remove the property; read it with Fn::GetAtt instead",
                    ));
                }
            }
        }
        if validator.is_valid(value) {
            continue;
        }
        for err in validator.iter_errors(value) {
            let ip = err.instance_path().as_str().to_owned();
            if m.pointers.iter().any(|mp| is_at_or_under(&ip, mp)) {
                continue;
            }
            if is_combinator(err.kind()) && m.pointers.iter().any(|mp| is_at_or_under(mp, &ip)) {
                continue;
            }
            let mut msg = err.to_string();
            if err.kind().keyword() == "type" && coercible(err.instance(), &msg) {
                continue;
            }
            if msg.len() > 400 {
                let mut cut = 400;
                while !msg.is_char_boundary(cut) {
                    cut -= 1;
                }
                msg.truncate(cut);
                msg.push('…');
            }
            if seen.insert((ip.clone(), msg.clone())) {
                out.push(Diagnostic::new(
                    Code::SchemaInvalid,
                    Some(logical_id),
                    format!("/Properties{ip}"),
                    format!("{type_name}: {msg}"),
                    "fix the value to match the resource's registry schema (see the CloudFormation reference for this property)",
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Severity;

    #[test]
    fn masking() {
        let v = json!({
            "A": {"Ref": "X"},
            "B": {"Fn::If": ["C", {"Ref": "AWS::NoValue"}, 5]},
            "C": {"Fn::If": ["C", 1, {"Ref": "AWS::NoValue"}]},
            "D": [{"Ref": "AWS::NoValue"}, "x", {"Fn::GetAtt": ["R", "Arn"]}],
            "E": {"Ref": "AWS::NoValue"},
            "F": "{{resolve:ssm:/p}}",
            "G": {"a/b": {"Fn::Sub": "x"}},
            "H": {"Fn::If": ["C", {"K": {"Ref": "P"}}, {"K": 2}]}
        });
        let m = mask(&v, false);
        let mv = m.value.unwrap();
        assert_eq!(mv["B"], json!(5));
        assert_eq!(mv["C"], json!(1));
        assert_eq!(mv["D"][0], json!("x"));
        assert!(mv["D"][1].as_str().unwrap().starts_with(PLACEHOLDER_PREFIX));
        assert!(mv.get("E").is_none());
        assert!(m.has_if);
        assert_eq!(m.pointers, vec!["/A", "/D/1", "/F", "/G/a~1b", "/H/K"]);
        let m2 = mask(&v, true);
        let mv2 = m2.value.unwrap();
        assert_eq!(mv2["B"], json!(5));
        assert!(mv2.get("C").is_some()); // NoValue in else → first branch used
        assert_eq!(mv2["H"], json!({"K": 2}));
        assert!(is_at_or_under("/A/b", "/A"));
        assert!(!is_at_or_under("/AB", "/A"));
        assert!(mask(&json!({"Ref": "AWS::NoValue"}), false).value.is_none());
    }

    #[test]
    fn schema_checks() {
        let d = validate_resource(
            "Tg",
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            Some(
                &json!({"Protocol": "HTTP", "Port": {"Ref": "P"}, "VpcId": {"Ref": "V"}, "Bogus": 1, "LoadBalancerArns": ["x"], "ProtocolVersion": "GRPC"}),
            ),
        );
        let codes: Vec<_> = d.iter().map(|d| (d.code, d.pointer.as_str())).collect();
        assert!(codes.contains(&("FW-SCHEMA-001", "/Properties")), "{d:#?}");
        assert!(
            codes.contains(&("FW-SCHEMA-003", "/Properties/LoadBalancerArns")),
            "{d:#?}"
        );
        assert_eq!(d.len(), 2, "{d:#?}");
        // CloudFront: AcmCertificateArn requires SslSupportMethod (dependentRequired)
        let d = validate_resource(
            "D",
            "AWS::CloudFront::Distribution",
            Some(
                &json!({"DistributionConfig": {"Enabled": true, "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "https-only"}, "Origins": [{"Id": "o", "DomainName": "x.example.com", "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"}}], "ViewerCertificate": {"AcmCertificateArn": {"Ref": "C"}}}}),
            ),
        );
        assert!(
            d.iter().any(|d| d.message.contains("SslSupportMethod")),
            "{d:#?}"
        );
        assert!(validate_resource("X", "Custom::Thing", None).is_empty());
        // quoted scalars are converted by CloudFormation: not errors
        let d = validate_resource(
            "Q",
            "AWS::SQS::Queue",
            Some(
                &json!({"VisibilityTimeout": "30", "FifoQueue": "true", "QueueName": "a.fifo", "Tags": [{"Key": "n", "Value": 1}]}),
            ),
        );
        assert!(d.is_empty(), "{d:#?}");
        let d = validate_resource(
            "Q",
            "AWS::SQS::Queue",
            Some(&json!({"VisibilityTimeout": "thirty", "FifoQueue": "maybe"})),
        );
        assert_eq!(d.len(), 2, "{d:#?}");
        // plain YAML 1.1 booleans (CloudFormation's parser reads `yes` as true)
        let d = validate_resource(
            "Q",
            "AWS::SQS::Queue",
            Some(
                &json!({"FifoQueue": "yes", "ContentBasedDeduplication": "Off", "QueueName": "a.fifo"}),
            ),
        );
        assert!(d.is_empty(), "{d:#?}");
        let d = validate_resource("X", "AWS::Nope::Nope", None);
        assert_eq!(d[0].code, "FW-SCHEMA-002");
        assert_eq!(d[0].severity, Severity::Warning);
    }
}
