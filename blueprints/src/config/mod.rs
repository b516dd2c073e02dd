//! Config loading: YAML → JSON value (`yaml.rs`: size cap, BOM, merge keys, YAML 1.1 traps) →
//! JSON Schema (`schema.rs`: all errors, each rendered `what is wrong — what is allowed (an
//! example)`) → typed deserialize → semantic checks. This file: the error type and line lookup.

mod schema;
mod yaml;

pub use schema::{schema_errors, schema_errors_in};
pub use yaml::{MAX_CONFIG_BYTES, parse_yaml};

use std::fmt;

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
}
