//! JSON Schema errors in the user's words: one renderer for every error, as
//! `what is wrong — what is allowed (an example)`. For `anyOf` / `oneOf` the closest
//! alternative's own error is shown instead of the keyword; a value YAML read as a number or a
//! boolean where text is expected says so and how to quote it (the YAML 1.1 traps).

use formwork_constructs::core::pointer::escape_segment;
use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::Location;
use serde_json::Value;

use super::{ConfigError, line_of};

/// Validates `value` against a JSON Schema and returns every error with its pointer.
pub fn schema_errors(schema: &Value, value: &Value) -> Vec<ConfigError> {
    schema_errors_in(schema, value, "")
}

/// [`schema_errors`], with the config's text: a scalar's messages quote it as written there
/// (`1.10`, not the number YAML made of it).
pub fn schema_errors_in(schema: &Value, value: &Value, text: &str) -> Vec<ConfigError> {
    let validator = match jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(schema)
    {
        Ok(v) => v,
        Err(e) => {
            return vec![ConfigError::at(
                "",
                format!("internal error: the blueprint schema does not compile: {e}"),
            )];
        }
    };
    let mut out: Vec<ConfigError> = Vec::new();
    for e in validator.iter_errors(value) {
        let ptr = e.instance_path().to_string();
        if let ValidationErrorKind::AdditionalProperties { unexpected } = e.kind() {
            // Point at each unknown key itself, so the line number is the key's line.
            for n in unexpected {
                out.push(ConfigError::at(
                    format!("{ptr}/{}", escape_segment(n)),
                    format!("unknown key `{n}`; check the spelling against `formwork schema`"),
                ));
            }
            continue;
        }
        let (ptr, message) = render(&e, text);
        out.push(ConfigError::at(ptr, message));
    }
    out.sort();
    out.dedup();
    out
}

/// The pointer and the message of one error (for `anyOf`/`oneOf`: of the closest alternative).
fn render(e: &ValidationError<'_>, text: &str) -> (String, String) {
    let ptr = e.instance_path().to_string();
    match e.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            let raw = raw_scalar(text, &ptr);
            if let Some(want) = all_wrong_type(context, e.instance_path()) {
                return (ptr, type_message(e.instance(), raw.as_deref(), &want));
            }
            if let Some(choices) = all_choices(context, e.instance_path()) {
                return (
                    ptr,
                    format!(
                        "{} is not one of the choices — allowed: {}",
                        show(e.instance(), raw.as_deref()),
                        choices.join(", ")
                    ),
                );
            }
            if let Some(best) = closest(context, e.instance_path()) {
                return render(best, text);
            }
        }
        _ => {}
    }
    let raw = raw_scalar(text, &ptr);
    (ptr, message(e, raw.as_deref()))
}

/// When every alternative refuses the value's type: the types they allow.
fn all_wrong_type(context: &[Vec<ValidationError<'static>>], at: &Location) -> Option<Vec<String>> {
    let mut want = Vec::new();
    for errs in context {
        let t = errs.iter().find_map(|x| match x.kind() {
            ValidationErrorKind::Type { kind } if x.instance_path() == at => Some(kind),
            _ => None,
        })?;
        want.extend(type_names(t));
    }
    want.dedup();
    (!want.is_empty()).then_some(want)
}

/// When every alternative is one fixed value (`const`/`enum`) the value is not: those values.
fn all_choices(context: &[Vec<ValidationError<'static>>], at: &Location) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for errs in context {
        match errs.iter().find(|x| x.instance_path() == at)?.kind() {
            ValidationErrorKind::Constant { expected_value } => out.push(choice(expected_value)),
            ValidationErrorKind::Enum { options } => {
                out.extend(options.as_array()?.iter().map(choice))
            }
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A choice as the user writes it (`grpc`, `3`).
fn choice(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

fn type_names(k: &TypeKind) -> Vec<String> {
    match k {
        TypeKind::Single(t) => vec![t.as_str().to_owned()],
        TypeKind::Multiple(ts) => ts.iter().map(|t| t.as_str().to_owned()).collect(),
    }
}

/// The alternative the value was most likely meant for: one whose errors do not say the value
/// itself has the wrong type, with the fewest errors; its first error.
fn closest<'e>(
    context: &'e [Vec<ValidationError<'static>>],
    at: &Location,
) -> Option<&'e ValidationError<'static>> {
    let wrong_type = |errs: &[ValidationError<'static>]| {
        errs.iter().any(|x| {
            x.instance_path() == at && matches!(x.kind(), ValidationErrorKind::Type { .. })
        })
    };
    context
        .iter()
        .filter(|errs| !errs.is_empty())
        .min_by_key(|errs| (wrong_type(errs), errs.len()))
        .and_then(|errs| errs.first())
}

/// The scalar as written in the config (`1.10`, `off`), from its line; `None` if not found.
fn raw_scalar(text: &str, ptr: &str) -> Option<String> {
    let line = text.lines().nth(line_of(text, ptr)?.checked_sub(1)?)?;
    let t = line.trim_start().trim_start_matches("- ");
    let last = ptr.rsplit('/').next().unwrap_or("");
    let flow = format!("{last}: ");
    let v = match t.split_once(": ") {
        Some((k, v)) if k.trim().trim_matches(['"', '\'']) == last => v,
        // `cluster: {version: 1.30}`: the key inside a flow mapping on this line.
        _ if t.contains(&flow) => {
            let after = &t[t.find(&flow)? + flow.len()..];
            after.split([',', '}']).next().unwrap_or(after)
        }
        _ if last.parse::<usize>().is_ok() => t,
        _ => return None,
    };
    let v = v.split(" #").next().unwrap_or(v).trim();
    (!v.is_empty() && !v.starts_with(['{', '[', '|', '>'])).then(|| v.to_owned())
}

/// `what is wrong — what is allowed (an example)`.
fn message(e: &ValidationError<'_>, raw: Option<&str>) -> String {
    let v: &Value = e.instance();
    let shown = show(v, raw);
    match e.kind() {
        ValidationErrorKind::Type { kind } => type_message(v, raw, &type_names(kind)),
        ValidationErrorKind::Enum { options } => {
            let list: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(choice).collect())
                .unwrap_or_default();
            let trap = match (v, raw) {
                (Value::String(_), Some(r)) if is_yaml11_bool(r) => format!(
                    " (`{r}` is a boolean to YAML 1.1 readers but text here; write what you mean)"
                ),
                _ => String::new(),
            };
            format!(
                "{shown} is not one of the choices{trap} — allowed: {}",
                list.join(", ")
            )
        }
        ValidationErrorKind::Pattern { pattern } => format!(
            "{shown} has the wrong form — allowed: {}",
            pattern_words(pattern)
        ),
        ValidationErrorKind::Constant { expected_value } => format!(
            "{shown} is not the allowed value — allowed: {}",
            show(expected_value, None)
        ),
        ValidationErrorKind::Maximum { limit } => {
            format!("{shown} is too large — at most {limit} is allowed")
        }
        ValidationErrorKind::Minimum { limit } => {
            format!("{shown} is too small — at least {limit} is allowed")
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            format!("{shown} is too large — less than {limit} is allowed")
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("{shown} is too small — more than {limit} is allowed")
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!("{shown} is too long — at most {limit} characters are allowed")
        }
        ValidationErrorKind::MinLength { limit } => {
            format!("{shown} is too short — at least {limit} character(s) are allowed")
        }
        ValidationErrorKind::MaxItems { limit } => {
            format!("{} — at most {limit} item(s) are allowed", describe(v))
        }
        ValidationErrorKind::MinItems { limit } => {
            format!("{} — at least {limit} item(s) are needed", describe(v))
        }
        ValidationErrorKind::Required { property } => format!(
            "missing key `{}` — it is required here",
            property.as_str().unwrap_or_default()
        ),
        _ => humanize(&e.to_string(), v),
    }
}

/// `<value> is <what it is> — <types> is allowed (e.g. …)`, or the YAML trap that made it so.
fn type_message(v: &Value, raw: Option<&str>, want: &[String]) -> String {
    if let Some(trap) = yaml_trap(v, raw, want) {
        return trap;
    }
    let mut allowed: Vec<String> = want
        .iter()
        .filter(|w| *w != "null")
        .map(|w| article(w))
        .collect();
    if want.iter().any(|w| w == "null") {
        allowed.push("nothing (leave the key out)".to_owned());
    }
    let note = match (v, raw) {
        (Value::String(_), Some(r)) if is_yaml11_bool(r) => {
            format!(" (`{r}` means a boolean only to YAML 1.1 readers; here it is text)")
        }
        _ => String::new(),
    };
    format!(
        "{} is {}{note} — {} is allowed{}",
        show(v, raw),
        describe(v),
        allowed.join(" or "),
        example(want)
    )
}

/// A value YAML typed for the user: a number or boolean where text is wanted, or an
/// infinity/NaN where a number is.
fn yaml_trap(v: &Value, raw: Option<&str>, want: &[String]) -> Option<String> {
    let wants_string = want.iter().any(|w| w == "string");
    let Some(raw) = raw else {
        return matches!(v, Value::Number(_) | Value::Bool(_))
            .then(|| wants_string)
            .filter(|w| *w)
            .map(|_| {
                format!(
                    "`{v}` was read as {} (YAML types unquoted values) — text is allowed: quote the value as you wrote it",
                    describe(v)
                )
            });
    };
    let wants_bool = want.iter().any(|w| w == "boolean");
    match v {
        Value::Number(n) if wants_string => Some(format!(
            "`{raw}` was read as the number {n} (YAML reads unquoted digits as a number{}) — text is allowed: quote it, \"{raw}\"",
            if raw.starts_with('0') && raw.len() > 1 && !raw.contains('.') {
                "; YAML 1.1 readers even take a leading 0 as octal"
            } else {
                ""
            }
        )),
        Value::Bool(b) if wants_string => Some(format!(
            "`{raw}` was read as the boolean {b} — text is allowed: quote it, \"{raw}\""
        )),
        Value::String(_) if wants_bool && is_yaml11_bool(raw) => Some(format!(
            "`{raw}` is read as text here (a boolean only to YAML 1.1 readers) — true or false is allowed"
        )),
        Value::String(t)
            if want.iter().any(|w| w == "integer" || w == "number")
                && t.len() > 1
                && t.starts_with('0')
                && t.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Some(format!(
                "`{raw}` was read as text (a leading 0; YAML 1.1 readers take it as an octal number) — a whole number is allowed: write {}",
                t.trim_start_matches('0')
            ))
        }
        _ => None,
    }
}

fn is_yaml11_bool(raw: &str) -> bool {
    matches!(
        raw.to_ascii_lowercase().as_str(),
        "on" | "off" | "yes" | "no" | "y" | "n"
    )
}

fn show(v: &Value, raw: Option<&str>) -> String {
    if let Some(r) = raw
        && !r.is_empty()
        && r.len() <= 80
    {
        return format!("`{r}`");
    }
    let s = serde_json::to_string(v).unwrap_or_default();
    if s.chars().count() > 80 {
        describe(v)
    } else {
        format!("`{s}`")
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "empty".to_owned(),
        Value::Bool(_) => "a boolean".to_owned(),
        Value::Number(_) => "a number".to_owned(),
        Value::String(_) => "text".to_owned(),
        Value::Array(a) => format!("a list of {} item(s)", a.len()),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

fn article(t: &str) -> String {
    match t {
        "string" => "text".to_owned(),
        "integer" => "a whole number".to_owned(),
        "number" => "a number".to_owned(),
        "boolean" => "true or false".to_owned(),
        "array" => "a list".to_owned(),
        "object" => "a mapping".to_owned(),
        other => other.to_owned(),
    }
}

fn example(want: &[String]) -> String {
    let e = match want.iter().find(|w| *w != "null").map(String::as_str) {
        Some("string") => "\"1.0.0\"",
        Some("integer") => "50051",
        Some("number") => "1.5",
        Some("boolean") => "true",
        Some("array") => "[a, b]",
        Some("object") => "{key: value}",
        _ => return String::new(),
    };
    format!(" (e.g. {e})")
}

/// The patterns of the blueprint schemas in words, with an example; others show the pattern.
const PATTERNS: &[(&str, &str)] = &[
    (
        "^[a-z][a-z0-9-]*$",
        "lowercase letters, digits and `-`, starting with a letter (e.g. `payments-api`)",
    ),
    (
        "^\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}/\\d{1,2}$",
        "an IPv4 CIDR block (e.g. `10.0.0.0/16`)",
    ),
    (
        "^[a-z]{2}(-[a-z]+)+-\\d$",
        "an AWS Region name: area, place and number joined by `-` (e.g. `eu-west-1`)",
    ),
    (
        "^\\d{1,2}([,-]\\d{1,2})*$",
        "gRPC status codes 0–99, as a list or ranges, in quotes (e.g. `\"0\"`, `\"0,12\"`, `\"0-99\"`)",
    ),
    (
        "^[^\\x00-\\x1f]+$",
        "one line of text without control characters such as tabs (e.g. `./payments`)",
    ),
    (
        "^[A-Za-z0-9_][A-Za-z0-9_.-]*$",
        "letters, digits, `_`, `.` and `-`, not starting with `.` or `-` (e.g. `\"1.4.2\"`)",
    ),
    (
        "^/[A-Za-z0-9_.\\-]+/[A-Za-z0-9_.\\-]+$",
        "a gRPC method path `/<package.Service>/<Method>` (e.g. `/grpc.health.v1.Health/Check`)",
    ),
    (
        "^[0-9]+(\\.[0-9]+)?m?$",
        "Kubernetes CPU: cores or millicores (e.g. `250m`, `0.5`, `2`)",
    ),
    (
        "^[0-9]+(Ki|Mi|Gi)$",
        "Kubernetes memory in Ki, Mi or Gi (e.g. `256Mi`, `1Gi`)",
    ),
    (
        "^1\\.\\d\\d$",
        "a Kubernetes minor version, in quotes (e.g. `\"1.33\"`)",
    ),
    (
        "^/[^\\x00-\\x1f ]+$",
        "a path starting with `/`, without spaces (e.g. `/healthz`)",
    ),
    ("^/", "a path starting with `/` (e.g. `/healthz`)"),
];

/// What `pattern` allows, in words.
fn pattern_words(pattern: &str) -> String {
    PATTERNS
        .iter()
        .find(|(p, _)| *p == pattern)
        .map(|(_, w)| (*w).to_owned())
        .unwrap_or_else(|| format!("text matching `{pattern}`"))
}

/// jsonschema messages start with the offending value; a long value (a whole list) is replaced
/// by a short description so the message stays one readable line.
fn humanize(msg: &str, instance: &Value) -> String {
    let shown = serde_json::to_string(instance).unwrap_or_default();
    if shown.len() > 80
        && let Some(rest) = msg.strip_prefix(shown.as_str())
    {
        return format!("{}{rest}", describe(instance));
    }
    msg.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errs(schema: Value, text: &str) -> Vec<String> {
        let v = super::super::parse_yaml(text.as_bytes()).unwrap();
        schema_errors_in(&schema, &v, text)
            .into_iter()
            .map(|e| format!("{}: {}", e.pointer, e.message))
            .collect()
    }

    #[test]
    fn yaml_traps_are_explained() {
        let s = json!({"type": "object", "properties": {
            "tag": {"type": "string"}, "on": {"type": ["boolean", "null"]}}});
        assert_eq!(
            errs(s.clone(), "tag: 1.10\n"),
            [
                "/tag: `1.10` was read as the number 1.1 (YAML reads unquoted digits as a number) — text is allowed: quote it, \"1.10\""
            ]
        );
        let port = json!({"type": "object", "properties": {"port": {"type": "integer"}}});
        assert_eq!(
            errs(port, "port: 050051\n"),
            [
                "/port: `050051` was read as text (a leading 0; YAML 1.1 readers take it as an octal number) — a whole number is allowed: write 50051"
            ]
        );
        assert!(
            errs(s.clone(), "tag: 1e3\n")[0].starts_with("/tag: `1e3` was read as the number 1000")
        );
        assert_eq!(
            errs(s.clone(), "on: off\n"),
            [
                "/on: `off` is read as text here (a boolean only to YAML 1.1 readers) — true or false is allowed"
            ]
        );
    }

    #[test]
    fn any_of_shows_the_closest_alternative() {
        let hpa = json!({"type": "object", "properties": {"hpa": {"anyOf": [
            {"type": "null"},
            {"type": "object", "properties": {"target_cpu_percent": {"type": "integer", "maximum": 100}}}
        ]}}});
        assert_eq!(
            errs(hpa.clone(), "hpa: {target_cpu_percent: 150}\n"),
            ["/hpa/target_cpu_percent: `150` is too large — at most 100 is allowed"]
        );
        let e = errs(hpa, "hpa: off\n");
        assert_eq!(e.len(), 1);
        assert!(
            e[0] == "/hpa: `off` is text (`off` means a boolean only to YAML 1.1 readers; here it is text) — a mapping or nothing (leave the key out) is allowed (e.g. {key: value})",
            "{e:?}"
        );
    }
}
