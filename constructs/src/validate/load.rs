//! Loading a template from bytes: JSON, or YAML with the short intrinsic tags (`!Ref`, `!GetAtt`,
//! `!Sub`, …) turned into their long JSON form. Never panics; errors carry file/line/column.

use serde_json::{Map, Number, Value};
use serde_yaml::Value as Y;

/// Why a template could not be loaded.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{file}: cannot read: {message}")]
    Io {
        /// Path.
        file: String,
        /// OS error text.
        message: String,
    },
    /// JSON or YAML syntax error.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// Path (or `<input>`).
        file: String,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// Parser message.
        message: String,
    },
    /// A YAML tag that is not a CloudFormation intrinsic.
    #[error(
        "{file}: unknown YAML tag !{tag} (expected a CloudFormation short form such as !Ref, !GetAtt, !Sub)"
    )]
    UnknownTag {
        /// Path.
        file: String,
        /// Tag without `!`.
        tag: String,
    },
    /// The document is not a mapping.
    #[error("{file}: a template must be a JSON object / YAML mapping")]
    NotAnObject {
        /// Path.
        file: String,
    },
}

/// The short-form tags and the long form they stand for.
const FN_TAGS: &[(&str, &str)] = &[
    ("Sub", "Fn::Sub"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("If", "Fn::If"),
    ("Equals", "Fn::Equals"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Not", "Fn::Not"),
    ("FindInMap", "Fn::FindInMap"),
    ("ImportValue", "Fn::ImportValue"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("GetAZs", "Fn::GetAZs"),
    ("Transform", "Fn::Transform"),
    ("ToJsonString", "Fn::ToJsonString"),
    ("Length", "Fn::Length"),
    ("ForEach", "Fn::ForEach"),
];

/// Parses a template (JSON if it starts with `{`, YAML otherwise). `file` names the source in
/// errors (use `<input>` when there is none).
pub fn load_template(bytes: &[u8], file: &str) -> Result<Value, LoadError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            return Err(LoadError::Syntax {
                file: file.to_owned(),
                line: 0,
                column: 0,
                message: format!("not UTF-8: {e}"),
            });
        }
    };
    let value = if text.trim_start().starts_with('{') {
        serde_json::from_str::<Value>(text).map_err(|e| LoadError::Syntax {
            file: file.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?
    } else {
        let y: Y = serde_yaml::from_str(text).map_err(|e| {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            LoadError::Syntax {
                file: file.to_owned(),
                line,
                column,
                message: e.to_string(),
            }
        })?;
        yaml_to_json(y, file)?
    };
    if value.is_object() {
        Ok(value)
    } else {
        Err(LoadError::NotAnObject {
            file: file.to_owned(),
        })
    }
}

/// Reads and parses a file; returns the template and its size in bytes.
pub fn load_file(path: &std::path::Path) -> Result<(Value, usize), LoadError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| LoadError::Io {
        file: name.clone(),
        message: e.to_string(),
    })?;
    let v = load_template(&bytes, &name)?;
    Ok((v, bytes.len()))
}

fn scalar_key(y: Y) -> String {
    match y {
        Y::String(s) => s,
        Y::Bool(b) => b.to_string(),
        Y::Number(n) => n.to_string(),
        Y::Null => "null".to_owned(),
        other => serde_yaml::to_string(&other)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

fn one(key: &str, v: Value) -> Value {
    let mut m = Map::new();
    m.insert(key.to_owned(), v);
    Value::Object(m)
}

/// Converts a YAML value (with CloudFormation tags) to JSON.
pub fn yaml_to_json(y: Y, file: &str) -> Result<Value, LoadError> {
    Ok(match y {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                n.as_f64()
                    .and_then(Number::from_f64)
                    .map_or_else(|| Value::String(n.to_string()), Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(|i| yaml_to_json(i, file))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(scalar_key(k), yaml_to_json(v, file)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let tag = tag.trim_start_matches('!');
            let inner = yaml_to_json(t.value, file)?;
            match tag {
                "Ref" => one("Ref", inner),
                "Condition" => one("Condition", inner),
                "GetAtt" => match inner {
                    Value::String(s) => {
                        let v = match s.split_once('.') {
                            Some((a, b)) => vec![Value::String(a.into()), Value::String(b.into())],
                            None => vec![Value::String(s)],
                        };
                        one("Fn::GetAtt", Value::Array(v))
                    }
                    other => one("Fn::GetAtt", other),
                },
                _ => match FN_TAGS.iter().find(|(short, _)| *short == tag) {
                    Some((_, long)) => one(long, inner),
                    None => {
                        return Err(LoadError::UnknownTag {
                            file: file.to_owned(),
                            tag: tag.to_owned(),
                        });
                    }
                },
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_forms() {
        let y = r#"
Resources:
  A:
    Type: X
    Properties:
      R: !Ref B
      G1: !GetAtt B.Arn
      G2: !GetAtt [B, Nested.Attr]
      G3: !GetAtt B.Nested.Attr
      S: !Sub "${B}-x"
      S2: !Sub ["${x}", {x: !Ref B}]
      J: !Join [",", [!Ref B, !Select [0, !GetAZs ""]]]
      I: !If [C, !Base64 "x", !Ref "AWS::NoValue"]
      E: !Not [!Equals [!Ref P, ""]]
      F: !FindInMap [M, !Ref "AWS::Region", K]
      Imp: !ImportValue exp
      Cd: !Cidr [!Ref V, 2, 8]
      Sp: !Split [",", "a,b"]
      Ao: !And [!Condition C1, !Or [!Condition C2, !Condition C3]]
"#;
        let v = load_template(y.as_bytes(), "t.yaml").unwrap();
        let p = &v["Resources"]["A"]["Properties"];
        assert_eq!(p["R"], json!({"Ref": "B"}));
        assert_eq!(p["G1"], json!({"Fn::GetAtt": ["B", "Arn"]}));
        assert_eq!(p["G2"], json!({"Fn::GetAtt": ["B", "Nested.Attr"]}));
        assert_eq!(p["G3"], json!({"Fn::GetAtt": ["B", "Nested.Attr"]}));
        assert_eq!(p["S"], json!({"Fn::Sub": "${B}-x"}));
        assert_eq!(p["S2"], json!({"Fn::Sub": ["${x}", {"x": {"Ref": "B"}}]}));
        assert_eq!(
            p["J"],
            json!({"Fn::Join": [",", [{"Ref": "B"}, {"Fn::Select": [0, {"Fn::GetAZs": ""}]}]]})
        );
        assert_eq!(
            p["I"],
            json!({"Fn::If": ["C", {"Fn::Base64": "x"}, {"Ref": "AWS::NoValue"}]})
        );
        assert_eq!(
            p["E"],
            json!({"Fn::Not": [{"Fn::Equals": [{"Ref": "P"}, ""]}]})
        );
        assert_eq!(
            p["F"],
            json!({"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "K"]})
        );
        assert_eq!(p["Imp"], json!({"Fn::ImportValue": "exp"}));
        assert_eq!(p["Cd"], json!({"Fn::Cidr": [{"Ref": "V"}, 2, 8]}));
        assert_eq!(p["Sp"], json!({"Fn::Split": [",", "a,b"]}));
        assert_eq!(
            p["Ao"],
            json!({"Fn::And": [{"Condition": "C1"}, {"Fn::Or": [{"Condition": "C2"}, {"Condition": "C3"}]}]})
        );
    }

    #[test]
    fn errors_not_panics() {
        let e = load_template(b"a: [1, 2\nb: c", "bad.yaml").unwrap_err();
        assert!(
            matches!(e, LoadError::Syntax { line, .. } if line > 0),
            "{e}"
        );
        let e = load_template(b"{\"a\": }", "bad.json").unwrap_err();
        assert!(matches!(e, LoadError::Syntax { line: 1, .. }), "{e}");
        let e = load_template(b"a: !Bogus x", "t.yaml").unwrap_err();
        assert!(matches!(e, LoadError::UnknownTag { .. }), "{e}");
        let e = load_template(b"- 1", "t.yaml").unwrap_err();
        assert!(matches!(e, LoadError::NotAnObject { .. }), "{e}");
        assert!(load_template(&[0xff, 0xfe], "t").is_err());
        assert!(load_template(b"", "t").is_err());
    }
}
