//! Rendering a template value to JSON (pretty, or minified as the deploy body) and YAML (for
//! review).
//!
//! The YAML writer is our own, deliberately small: it emits block style and quotes every string
//! that a YAML 1.1 reader (CloudFormation, PyYAML) could retype — `yes`/`no`/`on`/`off`/`y`/`n`,
//! `null`, `~`, numbers and version strings like `1.30`, octal-looking `0755`, sexagesimal
//! `12:30`, timestamps, and anything with YAML indicators. Only plain identifiers, paths and
//! ARNs without special characters stay unquoted. Quoted strings use JSON escapes, which are
//! valid YAML double-quoted scalars. The output therefore means the same as the JSON.

use serde_json::Value;

/// Canonical JSON: two-space indentation, keys in model order, trailing newline.
pub fn to_json(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".to_owned());
    s.push('\n');
    s
}

/// The body sent to CloudFormation: minified JSON (keys in model order) and a trailing newline.
/// CloudFormation takes at most 51,200 bytes inline, so the deployed file carries no
/// indentation; the YAML rendering is the one to read.
pub fn to_body(v: &Value) -> String {
    let mut s = serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned());
    s.push('\n');
    s
}

/// YAML with the same meaning as [`to_json`] to a YAML 1.1 or 1.2 reader.
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::with_capacity(4096);
    match v {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        other => {
            write_scalar(&mut out, other);
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    }
}

fn write_map(out: &mut String, m: &serde_json::Map<String, Value>, ind: usize) {
    for (k, v) in m {
        indent(out, ind);
        write_str(out, k);
        out.push(':');
        match v {
            Value::Object(child) if !child.is_empty() => {
                out.push('\n');
                write_map(out, child, ind + 2);
            }
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                write_seq(out, items, ind + 2);
            }
            scalar => {
                out.push(' ');
                write_scalar(out, scalar);
                out.push('\n');
            }
        }
    }
}

fn write_seq(out: &mut String, a: &[Value], ind: usize) {
    for v in a {
        indent(out, ind);
        out.push('-');
        match v {
            Value::Object(child) if !child.is_empty() => {
                out.push(' ');
                // First entry on the dash line, the rest aligned under it.
                let mut first = true;
                for (k, cv) in child {
                    if !first {
                        indent(out, ind + 2);
                    }
                    first = false;
                    write_str(out, k);
                    out.push(':');
                    if is_block(cv) {
                        out.push('\n');
                        match cv {
                            Value::Object(m) => write_map(out, m, ind + 4),
                            Value::Array(items) => write_seq(out, items, ind + 4),
                            _ => unreachable!("is_block"),
                        }
                    } else {
                        out.push(' ');
                        write_scalar(out, cv);
                        out.push('\n');
                    }
                }
            }
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                write_seq(out, items, ind + 2);
            }
            scalar => {
                out.push(' ');
                write_scalar(out, scalar);
                out.push('\n');
            }
        }
    }
}

fn write_scalar(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_str(out, s),
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
    }
}

fn write_str(out: &mut String, s: &str) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else {
        write_quoted(out, s);
    }
}

/// A YAML double-quoted scalar. Escapes what JSON escapes plus what YAML does not allow
/// unescaped or reads as a line break (DEL, C1 controls, U+2028/U+2029, U+FEFF).
fn write_quoted(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20
                || (0x7f..=0x9f).contains(&(c as u32))
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Words that YAML 1.1 resolves to booleans or null (compared case-insensitively, which is
/// stricter than the spec and harmless).
const RETYPED_WORDS: &[&str] = &["y", "n", "yes", "no", "true", "false", "on", "off", "null"];

/// Whether `s` can be written as a plain scalar and read back as the same string by both YAML
/// 1.1 and 1.2 readers.
pub fn is_plain_safe(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == b'/' || first == b'_') {
        return false;
    }
    let last = b[b.len() - 1];
    if last == b' ' || last == b':' {
        return false;
    }
    let mut prev = 0u8;
    for &c in b {
        let ok = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b':' | b'-' | b' ');
        if !ok || (prev == b':' && c == b' ') {
            return false;
        }
        prev = c;
    }
    // ` #` cannot occur: `#` is not an allowed byte. Retyped words are at most 5 bytes.
    b.len() > 5 || !RETYPED_WORDS.iter().any(|w| s.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quotes_what_yaml_1_1_would_retype() {
        for s in [
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "n",
            "null",
            "~",
            "1.30",
            "0755",
            "12:30",
            "2001-12-14",
            "",
            " x",
            "x ",
            "a: b",
            "a #b",
            "*ref",
            "&a",
            "!tag",
            "@x",
            "`x",
            "%x",
            "{x}",
            "[x]",
            "-x",
            "?x",
            "|",
            ">",
            "1e3",
            ".inf",
            "123456789012",
            "x\ny",
            "x\"y",
        ] {
            assert!(!is_plain_safe(s), "{s:?} must be quoted");
        }
        for s in [
            "AWS::ECR::Repository",
            "Fn::GetAtt",
            "http2and3",
            "/grpc.health.v1.Health/Check",
            "TLSv1.2_2021",
            "Managed by formwork",
        ] {
            assert!(is_plain_safe(s), "{s:?} may stay plain");
        }
    }

    #[test]
    fn renders_nested_blocks() {
        let v = json!({
            "A": "yes",
            "B": [ {"Key": "k", "Value": "1.30"}, ["x", 1], {} ],
            "C": {"D": {}, "E": [], "F": true, "G": null, "H": 1.5},
            "I": [{"J": {"K": ["z"]}, "L": [1, 2]}]
        });
        let y = to_yaml(&v);
        assert_eq!(
            y,
            "A: \"yes\"\nB:\n  - Key: k\n    Value: \"1.30\"\n  -\n    - x\n    - 1\n  - {}\nC:\n  D: {}\n  E: []\n  F: true\n  G: null\n  H: 1.5\nI:\n  - J:\n      K:\n        - z\n    L:\n      - 1\n      - 2\n"
        );
    }
}
