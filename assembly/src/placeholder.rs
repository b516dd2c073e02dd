//! `${Name}` placeholders: values known only after the stacks are deployed (repository URIs,
//! target group ARNs, the VPC id). The out dir's files (Kubernetes manifests, Helm values)
//! carry them verbatim; [`crate::Assembly::placeholders`] names the stack output that fills
//! each, and `formwork deploy` (or the runbook's manual step) replaces them.

use std::collections::{BTreeMap, BTreeSet};

/// `${name}` — the placeholder text for `name`.
pub fn placeholder(name: &str) -> String {
    format!("${{{name}}}")
}

/// Whether `name` is a valid placeholder name: an ASCII letter, then letters, digits or `_`
/// (the shape of a CloudFormation output key).
pub fn is_placeholder_name(name: &str) -> bool {
    let mut c = name.chars();
    c.next().is_some_and(|f| f.is_ascii_alphabetic())
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

/// Every placeholder name that occurs in `text` as `${Name}`, sorted and without duplicates.
/// `${…}` whose content is not a valid name (see [`is_placeholder_name`]) is not a placeholder.
pub fn placeholders_in(text: &str) -> BTreeSet<String> {
    spans(text)
        .into_iter()
        .map(|(_, _, n)| n.to_owned())
        .collect()
}

/// `(start, end, name)` of every placeholder, in order (`end` is exclusive, after the `}`).
fn spans(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("${") {
        let start = from + i;
        let body = start + 2;
        match text[body..].find('}') {
            Some(j) => {
                let name = &text[body..body + j];
                if is_placeholder_name(name) {
                    out.push((start, body + j + 1, name));
                    from = body + j + 1;
                } else {
                    from = body;
                }
            }
            None => break,
        }
    }
    out
}

/// Replaces every placeholder in `text` with its value from `values`.
///
/// The manifests' YAML writer puts every string holding a placeholder in a double-quoted
/// scalar, so a value must not contain `"`, `\` or control characters; such values are
/// refused rather than escaped. Errors list every missing name and every refused value.
pub fn resolve_placeholders(
    text: &str,
    values: &BTreeMap<String, String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut missing = BTreeSet::new();
    let mut refused = BTreeSet::new();
    let mut last = 0;
    for (start, end, name) in spans(text) {
        out.push_str(&text[last..start]);
        match values.get(name) {
            Some(v) if v.chars().any(|c| c == '"' || c == '\\' || c.is_control()) => {
                refused.insert(name.to_owned());
            }
            Some(v) => out.push_str(v),
            None => {
                missing.insert(name.to_owned());
            }
        }
        last = end;
    }
    out.push_str(&text[last..]);
    let mut errs = Vec::new();
    if !missing.is_empty() {
        errs.push(format!(
            "no value for placeholder(s): {}",
            missing.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if !refused.is_empty() {
        errs.push(format!(
            "value of placeholder(s) {} contains `\"`, `\\` or a control character",
            refused.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(errs.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_names_sorted_and_unique() {
        let t = "image: \"${GreeterRepositoryUri}:1.4.2\"\narn: ${GreeterTargetGroupArn}\nx: ${GreeterRepositoryUri}";
        let got: Vec<String> = placeholders_in(t).into_iter().collect();
        assert_eq!(got, ["GreeterRepositoryUri", "GreeterTargetGroupArn"]);
    }

    #[test]
    fn ignores_non_placeholders() {
        for t in [
            "$HOME", "${", "${}", "${1abc}", "${a b}", "$ {X}", "${X", "{X}",
        ] {
            assert!(placeholders_in(t).is_empty(), "{t:?}");
        }
        // A broken one does not hide a later valid one.
        let got: Vec<String> = placeholders_in("${a b} ${Ok_1}").into_iter().collect();
        assert_eq!(got, ["Ok_1"]);
        assert_eq!(placeholder("VpcId"), "${VpcId}");
    }

    #[test]
    fn resolves_and_reports_all_problems() {
        let mut v = BTreeMap::new();
        v.insert("A".to_owned(), "1".to_owned());
        assert_eq!(
            resolve_placeholders("x ${A} ${A}y $B", &v).as_deref(),
            Ok("x 1 1y $B")
        );
        v.insert("Q".to_owned(), "a\"b".to_owned());
        let e = resolve_placeholders("${A}${M}${N}${Q}", &v).unwrap_err();
        assert!(e.contains("no value for placeholder(s): M, N"), "{e}");
        assert!(e.contains("Q contains"), "{e}");
    }
}
