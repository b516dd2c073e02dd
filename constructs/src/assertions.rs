//! Assertions on synthesized templates, for tests — like CDK's `assertions` module.
//!
//! ```
//! use formwork_constructs::assertions::Template;
//! use formwork_constructs::core::{Env, Stack};
//! use formwork_constructs::ecr::{Repository, RepositoryProps};
//! use serde_json::json;
//!
//! let mut stack = Stack::new("images", Env::region("eu-west-1")).unwrap();
//! Repository::new(&mut stack.root(), "Greeter", RepositoryProps::default()).unwrap();
//! let t = Template::from_stack(&stack).unwrap();
//! t.resource_count_is("AWS::ECR::Repository", 1);
//! t.has_resource_properties("AWS::ECR::Repository", json!({"ImageTagMutability": "IMMUTABLE"}));
//! ```
//!
//! Matching is *object-like*: every key of the expected object must be present with a matching
//! value, other keys are ignored; arrays must have the same length and match item by item;
//! scalars must be equal. A failed assertion panics with the closest candidate and what differs.

use serde_json::{Map, Value};

use crate::core::{Error, Stack, pointer::escape_segment};

/// A template under test.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    value: Value,
}

/// One difference between an expected value and a candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// JSON pointer below the compared value.
    pub pointer: String,
    /// What was expected there.
    pub expected: Value,
    /// What is there (`None`: missing).
    pub actual: Option<Value>,
}

impl Template {
    /// A template value (for example a stack of a synthesized app or assembly).
    pub fn new(value: Value) -> Template {
        Template { value }
    }

    /// Renders a stack alone (see [`Stack::to_template`]).
    pub fn from_stack(stack: &Stack) -> Result<Template, Error> {
        stack.to_template().map(Template::new)
    }

    /// The template value.
    pub fn value(&self) -> &Value {
        &self.value
    }

    fn section(&self, key: &str) -> Map<String, Value> {
        self.value
            .get(key)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }

    /// Resources of `type_name` whose `Properties` match `props` (object-like), as
    /// `(logical id, resource)`.
    pub fn find_resources(&self, type_name: &str, props: &Value) -> Vec<(String, Value)> {
        self.of_type(type_name)
            .into_iter()
            .filter(|(_, r)| {
                mismatches(props, r.get("Properties").unwrap_or(&Value::Null)).is_empty()
            })
            .collect()
    }

    fn of_type(&self, type_name: &str) -> Vec<(String, Value)> {
        self.section("Resources")
            .into_iter()
            .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(type_name))
            .collect()
    }

    /// Panics unless exactly `n` resources have type `type_name`.
    #[track_caller]
    pub fn resource_count_is(&self, type_name: &str, n: usize) {
        let found = self.of_type(type_name);
        if found.len() != n {
            let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
            panic!(
                "expected {n} resource(s) of type {type_name}, found {}{}",
                found.len(),
                if ids.is_empty() {
                    String::new()
                } else {
                    format!(": {}", ids.join(", "))
                }
            );
        }
    }

    /// Panics unless some resource of `type_name` has `Properties` matching `props`; the
    /// message shows the closest candidate and what differs.
    #[track_caller]
    pub fn has_resource_properties(&self, type_name: &str, props: Value) {
        let candidates: Vec<(String, Value)> = self
            .of_type(type_name)
            .into_iter()
            .map(|(id, r)| (id, r.get("Properties").cloned().unwrap_or(Value::Null)))
            .collect();
        assert_some_match(
            &format!("a {type_name} with these properties"),
            &props,
            &candidates,
        );
    }

    /// Panics unless the template has an output `id` matching `expected` (object-like, e.g.
    /// `{"Value": {"Ref": "Repo"}}`).
    #[track_caller]
    pub fn has_output(&self, id: &str, expected: Value) {
        self.has_entry("Outputs", "output", id, expected);
    }

    /// Panics unless the template has a parameter `id` matching `expected`.
    #[track_caller]
    pub fn has_parameter(&self, id: &str, expected: Value) {
        self.has_entry("Parameters", "parameter", id, expected);
    }

    #[track_caller]
    fn has_entry(&self, section: &str, what: &str, id: &str, expected: Value) {
        let entries: Vec<(String, Value)> = self.section(section).into_iter().collect();
        match entries.iter().find(|(k, _)| k == id) {
            Some(e) => assert_some_match(
                &format!("{what} `{id}`"),
                &expected,
                std::slice::from_ref(e),
            ),
            None => {
                let names: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
                let near = closest_name(id, &names);
                panic!(
                    "no {what} `{id}`{}; the template has: {}",
                    near.map(|n| format!(" (did you mean `{n}`?)"))
                        .unwrap_or_default(),
                    if names.is_empty() {
                        "none".to_owned()
                    } else {
                        names.join(", ")
                    }
                );
            }
        }
    }

    /// Outputs whose id contains `pattern`, as `(id, output)`.
    pub fn find_outputs(&self, pattern: &str) -> Vec<(String, Value)> {
        self.section("Outputs")
            .into_iter()
            .filter(|(k, _)| k.contains(pattern))
            .collect()
    }

    /// Parameters whose id contains `pattern`, as `(id, parameter)`.
    pub fn find_parameters(&self, pattern: &str) -> Vec<(String, Value)> {
        self.section("Parameters")
            .into_iter()
            .filter(|(k, _)| k.contains(pattern))
            .collect()
    }
}

#[track_caller]
fn assert_some_match(what: &str, expected: &Value, candidates: &[(String, Value)]) {
    let mut best: Option<(&str, Vec<Mismatch>)> = None;
    for (id, v) in candidates {
        let m = mismatches(expected, v);
        if m.is_empty() {
            return;
        }
        if best.as_ref().is_none_or(|(_, b)| m.len() < b.len()) {
            best = Some((id, m));
        }
    }
    match best {
        None => panic!("expected {what}, but there is none of that kind"),
        Some((id, m)) => {
            let lines: Vec<String> = m
                .iter()
                .map(|x| {
                    format!(
                        "  {}: expected {}, found {}",
                        if x.pointer.is_empty() {
                            "/"
                        } else {
                            &x.pointer
                        },
                        x.expected,
                        x.actual
                            .as_ref()
                            .map(Value::to_string)
                            .unwrap_or_else(|| "nothing".to_owned())
                    )
                })
                .collect();
            panic!(
                "expected {what}; the closest of {} candidate(s) is `{id}`, which differs:\n{}",
                candidates.len(),
                lines.join("\n")
            );
        }
    }
}

/// Where `actual` fails to match `expected` object-like (empty: it matches).
pub fn mismatches(expected: &Value, actual: &Value) -> Vec<Mismatch> {
    let mut out = Vec::new();
    walk(expected, Some(actual), &mut String::new(), &mut out);
    out
}

fn walk(expected: &Value, actual: Option<&Value>, ptr: &mut String, out: &mut Vec<Mismatch>) {
    let mismatch = |ptr: &str, out: &mut Vec<Mismatch>| {
        out.push(Mismatch {
            pointer: ptr.to_owned(),
            expected: expected.clone(),
            actual: actual.cloned(),
        })
    };
    match (expected, actual) {
        (Value::Object(e), Some(Value::Object(a))) => {
            for (k, ev) in e {
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(&escape_segment(k));
                walk(ev, a.get(k), ptr, out);
                ptr.truncate(len);
            }
        }
        (Value::Array(e), Some(Value::Array(a))) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                let len = ptr.len();
                ptr.push_str(&format!("/{i}"));
                walk(ev, Some(av), ptr, out);
                ptr.truncate(len);
            }
        }
        (e, Some(a)) if e == a => {}
        _ => mismatch(ptr, out),
    }
}

/// The name closest to `want` (edit distance at most a third of its length).
fn closest_name<'a>(want: &str, names: &[&'a str]) -> Option<&'a str> {
    names
        .iter()
        .map(|n| (distance(want, n), *n))
        .filter(|(d, _)| *d <= want.len().max(3) / 3)
        .min()
        .map(|(_, n)| n)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t() -> Template {
        Template::new(json!({
            "Parameters": {"Stage": {"Type": "String"}},
            "Resources": {
                "A": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "a", "ImageTagMutability": "IMMUTABLE", "Tags": [{"Key": "k", "Value": "v"}]}},
                "B": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "b"}},
                "Q": {"Type": "AWS::SQS::Queue"}
            },
            "Outputs": {"RepoArn": {"Value": {"Fn::GetAtt": ["A", "Arn"]}}}
        }))
    }

    #[test]
    fn object_like_matching() {
        let t = t();
        t.resource_count_is("AWS::ECR::Repository", 2);
        t.has_resource_properties("AWS::ECR::Repository", json!({"RepositoryName": "b"}));
        t.has_resource_properties(
            "AWS::ECR::Repository",
            json!({"Tags": [{"Key": "k"}], "ImageTagMutability": "IMMUTABLE"}),
        );
        assert_eq!(
            t.find_resources("AWS::ECR::Repository", &json!({"RepositoryName": "a"}))[0].0,
            "A"
        );
        t.has_output("RepoArn", json!({"Value": {"Fn::GetAtt": ["A", "Arn"]}}));
        t.has_parameter("Stage", json!({"Type": "String"}));
        assert_eq!(t.find_outputs("Repo").len(), 1);
        assert_eq!(t.find_parameters("Sta").len(), 1);
        // arrays must match in length
        assert_eq!(
            mismatches(&json!({"L": [1]}), &json!({"L": [1, 2]})).len(),
            1
        );
    }

    fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
        let e = std::panic::catch_unwind(f).unwrap_err();
        e.downcast_ref::<String>().cloned().unwrap_or_default()
    }

    #[test]
    fn failures_show_the_closest_candidate() {
        let msg = panic_message(|| {
            t().has_resource_properties(
                "AWS::ECR::Repository",
                json!({"RepositoryName": "a", "ImageTagMutability": "MUTABLE"}),
            )
        });
        assert!(msg.contains("closest of 2 candidate(s) is `A`"), "{msg}");
        assert!(
            msg.contains("/ImageTagMutability: expected \"MUTABLE\", found \"IMMUTABLE\""),
            "{msg}"
        );
        let msg = panic_message(|| t().resource_count_is("AWS::ECR::Repository", 3));
        assert!(msg.contains("expected 3") && msg.contains("A, B"), "{msg}");
        let msg = panic_message(|| t().has_output("RepoArm", json!({})));
        assert!(msg.contains("did you mean `RepoArn`"), "{msg}");
        let msg = panic_message(|| t().has_resource_properties("AWS::SNS::Topic", json!({})));
        assert!(msg.contains("none of that kind"), "{msg}");
    }
}
