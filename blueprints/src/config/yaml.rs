//! YAML text → JSON value: size cap, byte-order mark, merge keys (`<<: *anchor`, resolved
//! before the schema check), and the YAML 1.1 traps explained.

use formwork_constructs::core::pointer::escape_segment;
use serde_json::Value;

use super::ConfigError;

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
    let mut yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line());
        ConfigError {
            line,
            pointer: String::new(),
            message: format!("not valid YAML: {e}"),
        }
    })?;
    // Merge keys (`<<: *defaults`) are resolved here, before the schema sees the mapping; the
    // keys written beside `<<` win over the merged ones.
    yaml.apply_merge().map_err(|e| {
        ConfigError::at(
            "",
            format!("a merge key `<<` must name a mapping (`<<: *anchor`) or a list of them — {e}"),
        )
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
                    .ok_or_else(|| {
                        ConfigError::at(
                            ptr,
                            "`.inf` / `.nan` was read as a non-finite number (YAML) — a finite number is allowed; quote it if you meant text",
                        )
                    })?
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_byte_order_mark_and_caps_the_size() {
        let v = parse_yaml(b"\xEF\xBB\xBFblueprint: grpc-alb\nname: x\n").unwrap();
        assert_eq!(v["blueprint"], "grpc-alb");
        let big = vec![b'#'; MAX_CONFIG_BYTES + 1];
        let e = parse_yaml(&big).unwrap_err();
        assert!(e.message.contains("at most 1 MiB"), "{}", e.message);
    }

    #[test]
    fn merge_keys_are_resolved_and_local_keys_win() {
        let v = parse_yaml(
            b"base: &svc {port: 50051, image_tag: \"1.0\"}\nservices:\n  - <<: *svc\n    name: a\n    port: 9000\n",
        )
        .unwrap();
        assert_eq!(
            v["services"][0],
            serde_json::json!({"name": "a", "port": 9000, "image_tag": "1.0"})
        );
        let e = parse_yaml(b"a:\n  <<: 3\n").unwrap_err();
        assert!(e.message.contains("merge key"), "{}", e.message);
        let e = parse_yaml(b"x: .inf\n").unwrap_err();
        assert!(e.message.contains("`.inf`") && e.pointer == "/x", "{e:?}");
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
