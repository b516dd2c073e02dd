//! Config loading: YAML → JSON value → JSON Schema (all errors, with pointer and line) →
//! typed deserialize → semantic checks.

use std::fmt;

use formwork_constructs::core::pointer::escape_segment;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One problem in a config file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct ConfigError {
    /// 1-based line in the file, when it could be located.
    pub line: Option<usize>,
    /// JSON pointer of the offending value (`/services/0/port`), empty for the whole file.
    pub pointer: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl ConfigError {
    /// An error at a pointer.
    pub fn at(pointer: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            line: None,
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    /// Renders the error with the file label: `file:12: /services/0/port: message`.
    pub fn render(&self, file: &str) -> String {
        let ptr = if self.pointer.is_empty() {
            "/"
        } else {
            self.pointer.as_str()
        };
        match self.line {
            Some(l) => format!("{file}:{l}: {ptr}: {}", self.message),
            None => format!("{file}: {ptr}: {}", self.message),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render("config"))
    }
}

/// Configs larger than this are refused before parsing (a 50 MB file took 6 s and 1.2 GB).
pub const MAX_CONFIG_BYTES: usize = 1 << 20;

/// Parses YAML text into a JSON value. Refuses non-UTF-8, empty documents, several documents,
/// tags and non-string keys, with a message rather than a panic.
pub fn parse_yaml(bytes: &[u8]) -> Result<Value, ConfigError> {
    if bytes.len() > MAX_CONFIG_BYTES {
        return Err(ConfigError::at(
            "",
            format!(
                "the file has {} bytes; a config is at most 1 MiB ({MAX_CONFIG_BYTES} bytes) — is this the right file?",
                bytes.len()
            ),
        ));
    }
    // A UTF-8 byte-order mark (some Windows editors write one) is not part of the YAML.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ConfigError::at(
            "",
            format!("the file is not UTF-8 text ({e}); a config is a YAML file"),
        )
    })?;
    if text.trim().is_empty() {
        return Err(ConfigError::at(
            "",
            "the file is empty; start from `formwork init <blueprint>`",
        ));
    }
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line());
        ConfigError {
            line,
            pointer: String::new(),
            message: format!("not valid YAML: {e}"),
        }
    })?;
    yaml_to_json(&yaml, "")
}

fn yaml_to_json(y: &serde_yaml::Value, ptr: &str) -> Result<Value, ConfigError> {
    use serde_yaml::Value as Y;
    Ok(match y {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| ConfigError::at(ptr, "numbers must be finite"))?
            }
        }
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| yaml_to_json(v, &format!("{ptr}/{i}")))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(m) => {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s.clone(),
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    _ => return Err(ConfigError::at(ptr, "mapping keys must be plain strings")),
                };
                let child = format!("{ptr}/{}", escape_segment(&key));
                out.insert(key, yaml_to_json(v, &child)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => {
            return Err(ConfigError::at(
                ptr,
                format!("YAML tags such as `{}` are not used in configs", t.tag),
            ));
        }
    })
}

/// Validates `value` against a JSON Schema and returns every error with its pointer.
pub fn schema_errors(schema: &Value, value: &Value) -> Vec<ConfigError> {
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
        let msg = e.to_string();
        if let Some(names) = unexpected_keys(&msg) {
            // Point at each unknown key itself, so the line number is the key's line.
            for n in names {
                out.push(ConfigError::at(
                    format!("{ptr}/{}", escape_segment(&n)),
                    format!("unknown key `{n}`; check the spelling against `formwork schema`"),
                ));
            }
        } else {
            out.push(ConfigError::at(
                ptr,
                humanize_schema_error(&msg, e.instance()),
            ));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The key names of an "Additional properties are not allowed ('a', 'b' were unexpected)" message.
fn unexpected_keys(msg: &str) -> Option<Vec<String>> {
    let rest = msg.strip_prefix("Additional properties are not allowed (")?;
    let list = rest.rsplit_once(" unexpected)")?.0;
    let list = list
        .strip_suffix(" were")
        .or_else(|| list.strip_suffix(" was"))?;
    Some(
        list.split(", ")
            .map(|n| n.trim().trim_matches('\'').to_owned())
            .filter(|n| !n.is_empty())
            .collect(),
    )
}

/// jsonschema messages start with the offending value; a long value (a whole list) is replaced
/// by a short description so the message stays one readable line.
fn humanize_schema_error(msg: &str, instance: &Value) -> String {
    let shown = serde_json::to_string(instance).unwrap_or_default();
    if shown.len() > 80
        && let Some(rest) = msg.strip_prefix(shown.as_str())
    {
        let what = match instance {
            Value::Array(a) => format!("the list ({} items)", a.len()),
            Value::Object(_) => "the mapping".to_owned(),
            Value::String(_) => "the string".to_owned(),
            _ => "the value".to_owned(),
        };
        return format!("{what}{rest}");
    }
    msg.to_owned()
}

/// Deserializes a value already checked against the schema; errors carry serde's path.
pub fn deserialize<T: DeserializeOwned>(value: &Value) -> Result<T, ConfigError> {
    T::deserialize(value).map_err(|e| ConfigError::at("", e.to_string()))
}

/// Finds the 1-based line of a JSON pointer in YAML text by following indentation. Best effort:
/// returns the deepest line it could locate.
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let segs: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(formwork_constructs::core::pointer::unescape_segment)
        .collect();
    let mut start = 0usize; // first line to search
    let mut min_indent: isize = -1; // children are indented more than this
    let mut found: Option<usize> = None;
    for seg in &segs {
        let mut hit = None;
        if let Ok(idx) = seg.parse::<usize>() {
            // The idx-th `- ` item at the first item indentation found.
            let mut item_indent: Option<usize> = None;
            let mut count = 0usize;
            for (i, l) in lines.iter().enumerate().skip(start) {
                let t = l.trim_start();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                let ind = l.len() - t.len();
                if (ind as isize) < min_indent
                    || (ind as isize == min_indent && !t.starts_with('-'))
                {
                    break;
                }
                if t.starts_with("- ") || t == "-" {
                    match item_indent {
                        None => item_indent = Some(ind),
                        Some(ii) if ii != ind => continue,
                        _ => {}
                    }
                    if count == idx {
                        hit = Some((i, ind + 1));
                        break;
                    }
                    count += 1;
                }
            }
        } else {
            for (i, l) in lines.iter().enumerate().skip(start) {
                let t = l.trim_start().trim_start_matches("- ");
                if t.is_empty() || l.trim_start().starts_with('#') {
                    continue;
                }
                let ind = l.len() - t.len();
                if (ind as isize) <= min_indent && i > start {
                    break;
                }
                let key = t
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches('"')
                    .trim_matches('\'');
                if key == seg && t.contains(':') {
                    hit = Some((i, ind));
                    break;
                }
            }
        }
        match hit {
            Some((i, ind)) => {
                found = Some(i + 1);
                start = i + 1;
                min_indent = ind as isize;
                // A scalar item `- key: v` keeps searching its siblings below.
                if seg.parse::<usize>().is_ok() {
                    start = i;
                }
            }
            None => break,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lines_of_pointers() {
        let text = "blueprint: x\nvpc:\n  cidr: 10.0.0.0/16\nservices:\n  - name: a\n    port: 1\n  - name: b\n    port: 2\n";
        assert_eq!(line_of(text, "/vpc/cidr"), Some(3));
        assert_eq!(line_of(text, "/services/1/port"), Some(8));
        assert_eq!(line_of(text, "/services/0/name"), Some(5));
        assert_eq!(line_of(text, "/nope"), None);
    }

    #[test]
    fn accepts_a_byte_order_mark_and_caps_the_size() {
        let v = parse_yaml(b"\xEF\xBB\xBFblueprint: grpc-alb\nname: x\n").unwrap();
        assert_eq!(v["blueprint"], "grpc-alb");
        let big = vec![b'#'; MAX_CONFIG_BYTES + 1];
        let e = parse_yaml(&big).unwrap_err();
        assert!(e.message.contains("at most 1 MiB"), "{}", e.message);
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert!(parse_yaml(b"").is_err());
        assert!(parse_yaml(&[0xff, 0xfe, 0x00]).is_err());
        assert!(parse_yaml(b"a: [1, 2").is_err());
        assert!(parse_yaml(b"!!binary aGk=").is_err() || parse_yaml(b"!!binary aGk=").is_ok());
        assert!(parse_yaml(b"? [1]\n: 2").is_err());
    }
}
