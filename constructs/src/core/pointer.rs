//! JSON-pointer segments (RFC 6901), used by overrides, diagnostics, config errors and diff.

/// Escapes one JSON-pointer segment (`~` → `~0`, `/` → `~1`).
pub fn escape_segment(s: &str) -> String {
    if s.contains(['~', '/']) {
        s.replace('~', "~0").replace('/', "~1")
    } else {
        s.to_owned()
    }
}

/// Unescapes one JSON-pointer segment (`~1` → `/`, `~0` → `~`).
pub fn unescape_segment(s: &str) -> String {
    s.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in ["a", "a/b", "~x", "~1/~0"] {
            assert_eq!(unescape_segment(&escape_segment(s)), s);
        }
        assert_eq!(escape_segment("a/b~c"), "a~1b~0c");
    }
}
