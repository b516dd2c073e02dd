//! Doc comments from schema descriptions, made safe for rustdoc.

/// Maximum length of a generated doc paragraph, in characters.
pub const MAX_DOC: usize = 600;

/// Wraps a literal value in a Markdown code span that survives backticks inside it.
pub fn code_span(v: &str) -> String {
    if v.is_empty() {
        return "(empty string)".to_owned();
    }
    if v.contains('`') {
        format!("`` {v} ``")
    } else {
        format!("`{v}`")
    }
}

/// Turns `[text](url)` into `text`.
fn strip_links(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find("](") else { break };
        let Some(end) = after[close + 2..].find(')') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&after[..close]);
        rest = &after[close + 2 + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Escapes what rustdoc would read as links or HTML outside code spans, and turns bare URLs into
/// autolinks.
fn escape(s: &str) -> String {
    // Code spans are delimited by backtick runs; drop all backticks if they are unbalanced.
    let runs = s.split('`').count() - 1;
    let s = if runs % 2 == 1 {
        s.replace('`', "")
    } else {
        s.to_owned()
    };
    let mut out = String::new();
    let mut in_code = false;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            // a run of backticks toggles code once
            while i < chars.len() && chars[i] == '`' {
                out.push('`');
                i += 1;
            }
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push(c);
            i += 1;
            continue;
        }
        let rest: String = chars[i..].iter().take(8).collect();
        if rest.starts_with("http://") || rest.starts_with("https://") {
            let mut j = i;
            while j < chars.len()
                && !chars[j].is_whitespace()
                && !matches!(chars[j], '<' | '>' | '`' | '"')
            {
                j += 1;
            }
            while j > i && matches!(chars[j - 1], '.' | ',' | ')' | ';' | ':') {
                j -= 1;
            }
            out.push('<');
            out.extend(&chars[i..j]);
            out.push('>');
            i = j;
            continue;
        }
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// The first paragraph of a description, sanitized, at most [`MAX_DOC`] characters, wrapped at
/// about 100 columns.
pub fn doc_lines(desc: &str) -> Vec<String> {
    let first = desc
        .split('\n')
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let text = strip_links(&first.replace("```", ""));
    let mut text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > MAX_DOC {
        let cut: String = text.chars().take(MAX_DOC).collect();
        let cut = match cut.rfind(' ') {
            Some(i) => cut[..i].to_owned(),
            None => cut,
        };
        text = format!("{cut} …");
    }
    let text = escape(&text);
    let mut lines = Vec::new();
    let mut cur = String::new();
    for w in text.split(' ') {
        if !cur.is_empty() && cur.len() + w.len() + 1 > 100 {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_links_html_and_urls() {
        let d = "See [Tagging](https://x.example/t) for <b>more</b>, ``a[0]`` and https://y.example/z.\n Second paragraph.";
        assert_eq!(
            doc_lines(d),
            vec![
                "See Tagging for &lt;b&gt;more&lt;/b&gt;, ``a[0]`` and <https://y.example/z>."
                    .to_owned()
            ]
        );
        assert_eq!(doc_lines("a [b] c"), vec!["a \\[b\\] c".to_owned()]);
        assert_eq!(doc_lines("odd ` tick"), vec!["odd  tick".to_owned()]);
        let long = "word ".repeat(300);
        let lines = doc_lines(&long);
        assert!(lines.concat().len() <= MAX_DOC + 10);
        assert!(lines.last().unwrap().ends_with('…'));
    }
}
