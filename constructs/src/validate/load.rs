//! Loading a template from bytes: JSON, or YAML with the short intrinsic tags (`!Ref`, `!GetAtt`,
//! `!Sub`, …) turned into their long JSON form. Never panics; errors carry file/line/column.

use serde_json::{Map, Number, Value};
use serde_yaml::Value as Y;

use super::diagnostic::Diagnostic;
use super::json;
use super::registry::Code;

/// Largest template accepted, in bytes. CloudFormation's own cap is 1 MB (a body from S3);
/// 16 MiB leaves room for unminified sources while bounding time and memory.
pub const MAX_BYTES: usize = 16 << 20;

/// Why a template could not be loaded. Each kind has a stable code (FW-LOAD-001..004) and, except
/// I/O and size, a `line:column` (and the byte offset for encoding errors).
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
    /// The file is larger than [`MAX_BYTES`].
    #[error("{file}: {bytes} bytes is larger than the {MAX_BYTES}-byte limit")]
    TooLarge {
        /// Path.
        file: String,
        /// Its size.
        bytes: usize,
    },
    /// JSON or YAML syntax error (including nesting deeper than the limit).
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// Path (or `<input>`).
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Parser message.
        message: String,
    },
    /// Not UTF-8 text, or binary (a NUL byte).
    #[error("{file}:{line}:{column}: byte {offset}: {message}")]
    Encoding {
        /// Path.
        file: String,
        /// 1-based line of the first bad byte.
        line: usize,
        /// 1-based column of the first bad byte.
        column: usize,
        /// Its byte offset.
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// A key repeated in one mapping, at the second occurrence.
    #[error("{file}:{line}:{column}: duplicate key {key}")]
    DuplicateKey {
        /// Path.
        file: String,
        /// 1-based line of the second key.
        line: usize,
        /// 1-based column of the second key.
        column: usize,
        /// The key.
        key: String,
    },
    /// A YAML tag that is not a CloudFormation intrinsic.
    #[error(
        "{file}:{line}:{column}: unknown YAML tag !{tag} (expected a CloudFormation short form such as !Ref, !GetAtt, !Sub)"
    )]
    UnknownTag {
        /// Path.
        file: String,
        /// 1-based line of the tag.
        line: usize,
        /// 1-based column of the tag.
        column: usize,
        /// Tag without `!`.
        tag: String,
    },
    /// The document is not a mapping.
    #[error("{file}:1:1: a template must be a JSON object / YAML mapping")]
    NotAnObject {
        /// Path.
        file: String,
    },
}

impl LoadError {
    /// The stable code: FW-LOAD-001 (unreadable or too large), -002 (syntax), -003 (encoding),
    /// -004 (duplicate key).
    pub fn code(&self) -> Code {
        match self {
            LoadError::Io { .. } | LoadError::TooLarge { .. } => Code::LoadUnreadable,
            LoadError::Syntax { .. }
            | LoadError::UnknownTag { .. }
            | LoadError::NotAnObject { .. } => Code::LoadSyntax,
            LoadError::Encoding { .. } => Code::LoadNotUtf8,
            LoadError::DuplicateKey { .. } => Code::LoadDuplicateKey,
        }
    }

    /// The error as a diagnostic (counted in the summary, present in `--format json`).
    pub fn to_diagnostic(&self) -> Diagnostic {
        let (file, at) = match self {
            LoadError::Io { file, .. } | LoadError::TooLarge { file, .. } => (file, None),
            LoadError::NotAnObject { file } => (file, Some((1, 1))),
            LoadError::Syntax {
                file, line, column, ..
            }
            | LoadError::Encoding {
                file, line, column, ..
            }
            | LoadError::DuplicateKey {
                file, line, column, ..
            }
            | LoadError::UnknownTag {
                file, line, column, ..
            } => (file, Some((*line, *column))),
        };
        let text = self.to_string();
        let prefix = match at {
            Some((l, c)) => format!("{file}:{l}:{c}: "),
            None => format!("{file}: "),
        };
        let fix = match self.code() {
            Code::LoadUnreadable => {
                "check the path and that the file is a template (at most 16 MiB)"
            }
            Code::LoadNotUtf8 => "save the template as UTF-8 text",
            Code::LoadDuplicateKey => {
                "remove or rename one of the two keys (CloudFormation refuses duplicates)"
            }
            _ => "fix the syntax at this position",
        };
        let mut d = Diagnostic::new(
            self.code(),
            None,
            "",
            text.strip_prefix(&prefix).unwrap_or(&text),
            fix,
        );
        d.file = Some(file.clone());
        d.line = at.map(|a| a.0);
        d.column = at.map(|a| a.1);
        d
    }
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
    ("GetStackOutput", "Fn::GetStackOutput"),
];

/// Parses a template (JSON if it starts with `{`, YAML otherwise). `file` names the source in
/// errors (use `<input>` when there is none).
pub fn load_template(bytes: &[u8], file: &str) -> Result<Value, LoadError> {
    let f = || file.to_owned();
    if bytes.len() > MAX_BYTES {
        return Err(LoadError::TooLarge {
            file: f(),
            bytes: bytes.len(),
        });
    }
    let encoding = |offset: usize, message: String| {
        let (line, column) = json::line_col(&String::from_utf8_lossy(&bytes[..offset]), offset);
        LoadError::Encoding {
            file: f(),
            line,
            column,
            offset,
            message,
        }
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.valid_up_to();
            return Err(encoding(
                at,
                format!("not UTF-8 (invalid byte 0x{:02x})", bytes[at]),
            ));
        }
    };
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(encoding(
            at,
            "binary data (a NUL byte), not a template".to_owned(),
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value = if text.trim_start().starts_with('{') {
        json::parse(text).map_err(|e| {
            let (line, column) = json::line_col(text, e.offset);
            if e.duplicate {
                LoadError::DuplicateKey {
                    file: f(),
                    line,
                    column,
                    key: e.message,
                }
            } else {
                LoadError::Syntax {
                    file: f(),
                    line,
                    column,
                    message: e.message,
                }
            }
        })?
    } else {
        if let Some(at) = flow_too_deep(text) {
            let (line, column) = json::line_col(text, at);
            return Err(LoadError::Syntax {
                file: f(),
                line,
                column,
                message: format!("nested deeper than {} levels", json::MAX_DEPTH),
            });
        }
        let y: Y = serde_yaml::from_str(text).map_err(|e| yaml_error(text, file, &e))?;
        yaml_to_json(y, file).map_err(|e| locate_tag(text, e))?
    };
    if value.is_object() {
        Ok(value)
    } else {
        Err(LoadError::NotAnObject { file: f() })
    }
}

/// The offset of the first `[`/`{` nested deeper than [`json::MAX_DEPTH`] in YAML flow
/// collections (quotes and comments skipped). libyaml takes quadratic time on deep flow nesting
/// (20,000 `!If [` levels: 18 s), so this linear pre-scan refuses it first. Block nesting is
/// bounded by serde_yaml's own recursion limit.
fn flow_too_deep(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'[' | b'{' => {
                depth += 1;
                if depth > json::MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q && b[i] != b'\n' {
                    i += usize::from(q == b'"' && b[i] == b'\\') + 1;
                }
            }
            b'#' if i == 0 || b[i - 1].is_ascii_whitespace() => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// A serde_yaml error, located; duplicate keys (which serde_yaml places at the mapping's start)
/// are placed at the second key.
fn yaml_error(text: &str, file: &str, e: &serde_yaml::Error) -> LoadError {
    let (line, column) = e
        .location()
        .map_or((1, 1), |l| (l.line().max(1), l.column().max(1)));
    let msg = e.to_string();
    let dup = msg
        .split_once("duplicate entry with key ")
        .map(|(_, k)| k.split(" at line").next().unwrap_or(k).to_owned());
    if let Some(key) = dup {
        let bare = key.trim_matches('"');
        let at = text
            .lines()
            .enumerate()
            .skip(line.saturating_sub(1))
            .filter_map(|(i, l)| {
                let t = l.trim_start().trim_start_matches("- ");
                let k = t.split_once(':')?.0.trim().trim_matches(['"', '\'']);
                (k == bare).then(|| (i + 1, l.len() - t.len() + 1))
            })
            .nth(1);
        let (line, column) = at.unwrap_or((line, column));
        return LoadError::DuplicateKey {
            file: file.to_owned(),
            line,
            column,
            key,
        };
    }
    let message = msg
        .rsplit_once(" at line ")
        .map_or(msg.as_str(), |(m, _)| m)
        .to_owned();
    LoadError::Syntax {
        file: file.to_owned(),
        line,
        column,
        message,
    }
}

/// Gives an unknown tag the position of its first use in `text`.
fn locate_tag(text: &str, e: LoadError) -> LoadError {
    let LoadError::UnknownTag { file, tag, .. } = e else {
        return e;
    };
    let needle = format!("!{tag}");
    let at = text
        .match_indices(&needle)
        .find(|(i, _)| {
            let after = text[i + needle.len()..].chars().next();
            !after.is_some_and(|c| c.is_alphanumeric() || c == ':') || tag.ends_with(':')
        })
        .map_or(0, |(i, _)| i);
    let (line, column) = json::line_col(text, at);
    LoadError::UnknownTag {
        file,
        line,
        column,
        tag,
    }
}

/// Reads and parses a file; returns the template and its size in bytes.
pub fn load_file(path: &std::path::Path) -> Result<(Value, usize), LoadError> {
    let name = path.display().to_string();
    if let Ok(m) = std::fs::metadata(path)
        && m.len() > MAX_BYTES as u64
    {
        return Err(LoadError::TooLarge {
            file: name,
            bytes: usize::try_from(m.len()).unwrap_or(usize::MAX),
        });
    }
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
                            line: 0,
                            column: 0,
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
