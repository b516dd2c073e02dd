//! An iterative JSON parser for templates: no recursion (any nesting up to [`MAX_DEPTH`] in
//! linear time, never a stack overflow), duplicate keys refused at the second key, and every
//! error at a byte offset that [`line_col`] turns into `line:col`.

use serde_json::{Map, Number, Value};

/// Deepest nesting of arrays and objects accepted. CloudFormation itself accepts at least the
/// 130-odd levels of 42 nested `Fn::Join`s; 1000 leaves room while keeping the (recursive)
/// rule walkers and `Value`'s drop far from the 64 MiB validation thread's stack.
pub const MAX_DEPTH: usize = 1000;

/// A JSON error at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
    /// A key repeated in one object.
    pub duplicate: bool,
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

enum Frame {
    Array(Vec<Value>),
    Object(Map<String, Value>, String),
}

struct Parser<'a> {
    text: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn err<T>(&self, offset: usize, message: impl Into<String>) -> Result<T, JsonError> {
        Err(JsonError {
            offset,
            message: message.into(),
            duplicate: false,
        })
    }

    fn ws(&mut self) {
        let b = self.text.as_bytes();
        while self.i < b.len() && matches!(b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        let hit = self.peek() == Some(c);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let s = self.text.get(self.i..self.i + 4).unwrap_or("");
        match u32::from_str_radix(s, 16) {
            Ok(n) if s.len() == 4 && s.bytes().all(|c| c.is_ascii_hexdigit()) => {
                self.i += 4;
                Ok(n)
            }
            _ => self.err(self.i, "invalid \\u escape (expected 4 hex digits)"),
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.i;
        self.i += 1; // opening quote
        let b = self.text.as_bytes();
        let mut out = String::new();
        loop {
            let run = self.i;
            while self.i < b.len() && b[self.i] != b'"' && b[self.i] != b'\\' && b[self.i] >= 0x20 {
                self.i += 1;
            }
            out.push_str(&self.text[run..self.i]);
            match b.get(self.i) {
                None => return self.err(start, "unterminated string"),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => return self.err(self.i, "control character inside a string"),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let at = self.i;
        self.i += 2;
        let c = match self.text.as_bytes().get(at + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let hi = self.hex4()?;
                let code =
                    if (0xD800..0xDC00).contains(&hi) && self.text[self.i..].starts_with("\\u") {
                        self.i += 2;
                        let lo = self.hex4()?;
                        0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF)
                    } else {
                        hi
                    };
                match char::from_u32(code) {
                    Some(c) => c,
                    None => return self.err(at, "invalid unicode escape (lone surrogate)"),
                }
            }
            _ => return self.err(at, "invalid escape in a string"),
        };
        out.push(c);
        Ok(())
    }

    fn key(&mut self) -> Result<(String, usize), JsonError> {
        self.ws();
        let at = self.i;
        if self.peek() != Some(b'"') {
            return self.err(at, "expected a quoted object key");
        }
        let k = self.string()?;
        if !self.eat(b':') {
            return self.err(self.i, "expected `:` after an object key");
        }
        Ok((k, at))
    }

    fn scalar(&mut self) -> Result<Value, JsonError> {
        let at = self.i;
        let rest = &self.text[at..];
        for (word, v) in [
            ("true", Value::Bool(true)),
            ("false", Value::Bool(false)),
            ("null", Value::Null),
        ] {
            if rest.starts_with(word) {
                self.i += word.len();
                return Ok(v);
            }
        }
        let len = rest
            .bytes()
            .take_while(|c| matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
            .count();
        match rest[..len].parse::<Number>() {
            Ok(n) if len > 0 => {
                self.i += len;
                Ok(Value::Number(n))
            }
            _ => self.err(
                at,
                "expected a value (object, array, string, number, true, false, null)",
            ),
        }
    }
}

/// Parses `text` as one JSON value.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut p = Parser { text, i: 0 };
    let mut stack: Vec<Frame> = Vec::new();
    loop {
        p.ws();
        let at = p.i;
        let mut v = match p.peek() {
            Some(c @ (b'{' | b'[')) => {
                p.i += 1;
                if stack.len() >= MAX_DEPTH {
                    return p.err(at, format!("nested deeper than {MAX_DEPTH} levels"));
                }
                if c == b'[' {
                    if p.eat(b']') {
                        Value::Array(Vec::new())
                    } else {
                        stack.push(Frame::Array(Vec::new()));
                        continue;
                    }
                } else if p.eat(b'}') {
                    Value::Object(Map::new())
                } else {
                    let (k, _) = p.key()?;
                    stack.push(Frame::Object(Map::new(), k));
                    continue;
                }
            }
            Some(b'"') => Value::String(p.string()?),
            None => return p.err(at, "unexpected end of input (expected a value)"),
            Some(_) => p.scalar()?,
        };
        // Attach `v` to its parent, closing every container that ends here.
        loop {
            match stack.last_mut() {
                None => {
                    p.ws();
                    if p.i != text.len() {
                        return p.err(p.i, "trailing characters after the JSON value");
                    }
                    return Ok(v);
                }
                Some(Frame::Array(a)) => {
                    a.push(v);
                    if p.eat(b',') {
                        break;
                    }
                    if !p.eat(b']') {
                        return p.err(p.i, "expected `,` or `]` in an array");
                    }
                    let Some(Frame::Array(a)) = stack.pop() else {
                        unreachable!()
                    };
                    v = Value::Array(a);
                }
                Some(Frame::Object(m, key)) => {
                    m.insert(std::mem::take(key), v);
                    if p.eat(b',') {
                        let (k, at) = p.key()?;
                        if m.contains_key(&k) {
                            return Err(JsonError {
                                offset: at,
                                message: format!("\"{k}\""),
                                duplicate: true,
                            });
                        }
                        *key = k;
                        break;
                    }
                    if !p.eat(b'}') {
                        return p.err(p.i, "expected `,` or `}` in an object");
                    }
                    let Some(Frame::Object(m, _)) = stack.pop() else {
                        unreachable!()
                    };
                    v = Value::Object(m);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_like_serde_json() {
        let t = r#" {"a": [1, -2.5e3, true, false, null, "x\"\u00e9\ud83d\ude00\n"], "b": {}, "c": []} "#;
        assert_eq!(parse(t).unwrap(), serde_json::from_str::<Value>(t).unwrap());
        assert_eq!(parse("3").unwrap(), json!(3));
    }

    #[test]
    fn errors_are_located() {
        let e = parse("{\"a\": 1,\n \"a\": 2}").unwrap_err();
        assert!(e.duplicate);
        assert_eq!(line_col("{\"a\": 1,\n \"a\": 2}", e.offset), (2, 2));
        for bad in [
            "{",
            "[1,]",
            "{\"a\" 1}",
            "tru",
            "\"abc",
            "[1] 2",
            "{\"a\":1,}",
            "\"\\x\"",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.offset <= bad.len(), "{bad}: {e:?}");
        }
    }

    #[test]
    fn deep_nesting_is_linear_and_bounded() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let deep = "[".repeat(200_000);
        let t = std::time::Instant::now();
        let e = parse(&deep).unwrap_err();
        assert_eq!(e.offset, MAX_DEPTH);
        assert!(t.elapsed().as_secs() < 2);
    }
}
