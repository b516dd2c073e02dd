//! Value-aware rules: the values a property can take. Only the properties a rule reads are
//! evaluated (never the whole template): a parameter's `AllowedValues` (or its `Default`), both
//! branches of `Fn::If`, and `Fn::FindInMap` over its mapping. A rule judges every choice; wrong
//! for every choice is the rule's error, wrong for some is a warning naming the parameter,
//! condition or mapping entry that leads there ([`Ctx::judge`]).

use serde_json::Value;

use super::Ctx;
use crate::validate::diagnostic::Severity;
use crate::validate::registry::Code;

/// One value a property can take, and how (`None`: it is written there).
#[derive(Debug, Clone)]
pub struct Choice<'a> {
    /// The value (a literal, or an intrinsic the evaluator does not expand, such as a `Ref` to
    /// a resource).
    pub value: &'a Value,
    /// How this value is chosen: `parameter Scope = CLOUDFRONT`, `condition InEu is true`, …
    pub via: Option<String>,
}

/// The values a property can take. `complete` is false when other values are possible too (a
/// parameter without `AllowedValues`, a mapping key that cannot be resolved).
#[derive(Debug, Clone, Default)]
pub struct Choices<'a> {
    /// The known choices.
    pub items: Vec<Choice<'a>>,
    /// Whether `items` are all the values there can be.
    pub complete: bool,
}

/// Nested `Fn::If`/`Fn::FindInMap`/parameter levels followed (templates use one or two).
const MAX_DEPTH: usize = 8;

fn join(a: Option<&str>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a}, {b}")),
        (Some(a), None) => Some(a.to_owned()),
        (None, b) => b,
    }
}

fn show(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

impl<'a> Ctx<'a> {
    /// Every value `v` can take.
    pub fn choices(&self, v: &'a Value) -> Choices<'a> {
        self.choices_at(v, None, 0)
    }

    fn choices_at(&self, v: &'a Value, via: Option<&str>, depth: usize) -> Choices<'a> {
        let single = |via: Option<&str>| Choices {
            items: vec![Choice {
                value: v,
                via: via.map(str::to_owned),
            }],
            complete: true,
        };
        let Some(m) = v.as_object().filter(|m| m.len() == 1) else {
            return single(via);
        };
        if depth >= MAX_DEPTH {
            return Choices::default();
        }
        if let Some(Value::String(p)) = m.get("Ref")
            && let Some(param) = self.root.get("Parameters").and_then(|ps| ps.get(p))
        {
            return self.parameter(p, param, via, depth);
        }
        if let Some(Value::Array(a)) = m.get("Fn::If")
            && let [Value::String(c), yes, no] = a.as_slice()
        {
            let mut out = Choices {
                items: Vec::new(),
                complete: true,
            };
            for (branch, word) in [(yes, "true"), (no, "false")] {
                let how = join(via, Some(format!("condition {c} is {word}")));
                let sub = self.choices_at(branch, how.as_deref(), depth + 1);
                out.complete &= sub.complete;
                out.items.extend(sub.items);
            }
            return out;
        }
        if let Some(Value::Array(a)) = m.get("Fn::FindInMap") {
            return self.find_in_map(a, via, depth);
        }
        single(via)
    }

    fn parameter(
        &self,
        name: &str,
        param: &'a Value,
        via: Option<&str>,
        depth: usize,
    ) -> Choices<'a> {
        if let Some(Value::Array(allowed)) = param.get("AllowedValues") {
            let mut out = Choices {
                items: Vec::new(),
                complete: true,
            };
            for a in allowed {
                let how = join(via, Some(format!("parameter {name} = {}", show(a))));
                let sub = self.choices_at(a, how.as_deref(), depth + 1);
                out.complete &= sub.complete;
                out.items.extend(sub.items);
            }
            return out;
        }
        match param.get("Default") {
            Some(d) => Choices {
                items: vec![Choice {
                    value: d,
                    via: join(via, Some(format!("parameter {name}'s Default {}", show(d)))),
                }],
                complete: false,
            },
            None => Choices::default(),
        }
    }

    fn find_in_map(&self, a: &'a [Value], via: Option<&str>, depth: usize) -> Choices<'a> {
        let (Some(Value::String(map)), Some(k1), Some(k2)) = (a.first(), a.get(1), a.get(2)) else {
            return Choices::default();
        };
        let Some(mapping) = self
            .root
            .get("Mappings")
            .and_then(|ms| ms.get(map))
            .and_then(Value::as_object)
        else {
            return Choices::default();
        };
        let mut out = Choices {
            items: Vec::new(),
            complete: true,
        };
        for (top, second) in mapping {
            if k1.as_str().is_some_and(|k| k != top) {
                continue;
            }
            let Some(second) = second.as_object() else {
                continue;
            };
            for (key, val) in second {
                if k2.as_str().is_some_and(|k| k != key) {
                    continue;
                }
                let how = join(via, Some(format!("mapping {map}[{top}][{key}]")));
                let sub = self.choices_at(val, how.as_deref(), depth + 1);
                out.complete &= sub.complete;
                out.items.extend(sub.items);
            }
        }
        out
    }

    /// Judges every value of `v` with `wrong` (`Some(true)`: wrong, `Some(false)`: fine, `None`:
    /// unknown). Wrong for every choice, with all choices known: `code` with its own severity
    /// and `message`. Wrong for some: a warning naming how (`when parameter Scope = CLOUDFRONT:
    /// …`). Returns whether anything was reported.
    #[expect(
        clippy::too_many_arguments,
        reason = "the emit arguments plus the value, the judge and the message"
    )]
    pub fn judge(
        &mut self,
        code: Code,
        id: &str,
        pointer: &str,
        v: &'a Value,
        wrong: impl Fn(&Self, &'a Value) -> Option<bool>,
        message: impl Fn(&'a Value) -> String,
        fix: &str,
    ) -> bool {
        let c = self.choices(v);
        let verdicts: Vec<(Option<bool>, &Choice)> = c
            .items
            .iter()
            .map(|ch| (wrong(self, ch.value), ch))
            .collect();
        let bad: Vec<&Choice> = verdicts
            .iter()
            .filter(|(w, _)| *w == Some(true))
            .map(|(_, ch)| *ch)
            .collect();
        let Some(first) = bad.first() else {
            return false;
        };
        let every = c.complete && bad.len() == verdicts.len();
        let vias: Vec<&str> = bad.iter().filter_map(|ch| ch.via.as_deref()).collect();
        let mut msg = message(first.value);
        if !vias.is_empty() {
            msg = format!("when {}: {msg}", vias.join("; or "));
        }
        self.emit(code, Some(id), pointer, msg, fix);
        if !every && let Some(d) = self.out.last_mut() {
            d.severity = Severity::Warning;
        }
        true
    }
}
