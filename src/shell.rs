//! Shell words: the one quoter of the toolkit (runbook commands, printed deploy commands).

/// Quotes a word for a POSIX shell: bare when it only has safe characters, else in single
/// quotes.
pub fn sh_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '-' | '.' | '/' | ':' | '=' | ',' | '@' | '+' | '%')
        });
    if safe {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A command line as one shell-quoted string.
pub fn quote_argv(argv: &[String]) -> String {
    argv.iter()
        .map(|a| sh_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("eu-west-1"), "eu-west-1");
        assert_eq!(sh_quote("a=b"), "a=b");
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote(""), "''");
        assert_eq!(sh_quote("$(rm -rf /)"), "'$(rm -rf /)'");
        assert_eq!(quote_argv(&["aws".into(), "a b".into()]), "aws 'a b'");
    }
}
