//! Cross-stack reads. `Fn::GetStackOutput` is a weak reference: CloudFormation resolves it when
//! the consumer is created or updated and never again, and nothing stops the producer from
//! removing or changing the output. So a change to an output that a deployed consumer reads is
//! reported (and refused by `formwork deploy` unless allowed): the consumer would keep the old
//! value, or fail to roll back once the output is gone.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use super::{Action, Diff, Side, StackDiff};

/// An output a deployed consumer reads that the change removes or changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenRead {
    /// The producer stack.
    pub stack: String,
    /// Its output.
    pub output: String,
    /// The stack that reads it (on the old, deployed side).
    pub reader: String,
    /// What happens to the output, in words.
    pub why: String,
}

impl BrokenRead {
    /// `stack.output`, as `--allow-output-change` takes it.
    pub fn key(&self) -> String {
        format!("{}.{}", self.stack, self.output)
    }
}

/// The `(stack, output)` pairs a template reads with `Fn::GetStackOutput` (literal names only),
/// once each, in order of appearance.
pub fn template_reads(t: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut todo: Vec<&Value> = vec![t];
    while let Some(v) = todo.pop() {
        match v {
            Value::Object(m) => {
                if let Some(Value::Object(args)) = m.get("Fn::GetStackOutput")
                    && let (Some(Value::String(s)), Some(Value::String(o))) =
                        (args.get("StackName"), args.get("OutputName"))
                {
                    let pair = (s.clone(), o.clone());
                    if !out.contains(&pair) {
                        out.push(pair);
                    }
                }
                todo.extend(m.values().rev());
            }
            Value::Array(a) => todo.extend(a.iter().rev()),
            _ => {}
        }
    }
    out
}

/// The logical ids a value refers to with `Ref` or `Fn::GetAtt`.
fn referenced_ids(v: &Value) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        match v {
            Value::Object(m) => {
                match (m.get("Ref"), m.get("Fn::GetAtt")) {
                    (Some(Value::String(id)), _) => {
                        ids.insert(id.clone());
                    }
                    (_, Some(Value::Array(a))) => {
                        if let Some(Value::String(id)) = a.first() {
                            ids.insert(id.clone());
                        }
                    }
                    (_, Some(Value::String(s))) => {
                        ids.insert(s.split('.').next().unwrap_or(s).to_owned());
                    }
                    _ => {}
                }
                todo.extend(m.values());
            }
            Value::Array(a) => todo.extend(a.iter()),
            _ => {}
        }
    }
    ids
}

/// What a producer's diff does to one of its outputs, if anything: removed, changed, or its
/// value refers to a resource that is replaced (a new physical id, so a new value).
fn output_change(old_producer: &Value, d: &StackDiff, output: &str) -> Option<String> {
    if let Some(e) = d.outputs.iter().find(|e| e.name == output) {
        return match e.action {
            Action::Remove => Some("the output is removed".to_owned()),
            _ => Some("the output's value changes".to_owned()),
        };
    }
    let value = old_producer.pointer(&format!(
        "/Outputs/{}/Value",
        formwork_constructs::core::pointer::escape_segment(output)
    ))?;
    let ids = referenced_ids(value);
    d.resources
        .iter()
        .find(|r| {
            matches!(
                r.action,
                Action::Replace | Action::MayReplace | Action::Remove
            ) && ids.contains(&r.logical_id)
        })
        .map(|r| {
            format!(
                "it refers to `{}`, which is {}",
                r.logical_id,
                match r.action {
                    Action::Remove => "removed",
                    Action::MayReplace => "possibly replaced",
                    _ => "replaced",
                }
            )
        })
}

/// Every output that a stack of `old` reads and `diff` removes or changes.
pub fn broken_reads(old: &Side, diff: &Diff) -> Vec<BrokenRead> {
    let mut out = Vec::new();
    for (reader, t) in &old.stacks {
        for (stack, output) in template_reads(t) {
            let Some(d) = diff.stacks.iter().find(|d| d.name == stack) else {
                continue;
            };
            let Some((_, producer)) = old.stacks.iter().find(|(n, _)| *n == stack) else {
                continue;
            };
            if let Some(why) = output_change(producer, d, &output) {
                out.push(BrokenRead {
                    stack: stack.clone(),
                    output,
                    reader: reader.clone(),
                    why,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::diff_sides;
    use serde_json::json;

    fn gso(stack: &str, output: &str) -> Value {
        json!({"Fn::GetStackOutput": {"StackName": stack, "OutputName": output}})
    }

    fn side(stacks: Vec<(&str, Value)>) -> Side {
        Side {
            stacks: stacks.into_iter().map(|(n, t)| (n.to_owned(), t)).collect(),
            single_file: false,
        }
    }

    #[test]
    fn reads_are_found_anywhere_once() {
        let t = json!({"Resources": {"A": {"Properties": {"X": gso("net", "Vpc"), "L": [gso("net", "Vpc"), gso("edge", "Acl")]}}}});
        assert_eq!(
            template_reads(&t),
            vec![
                ("net".to_owned(), "Vpc".to_owned()),
                ("edge".to_owned(), "Acl".to_owned())
            ]
        );
        assert!(
            template_reads(
                &json!({"Fn::GetStackOutput": {"StackName": {"Ref": "P"}, "OutputName": "X"}})
            )
            .is_empty()
        );
    }

    #[test]
    fn removed_changed_and_replaced_outputs_break_their_readers() {
        let producer = |out: Value, vpc: &str| {
            json!({"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": vpc}}},
                   "Outputs": out})
        };
        let consumer = json!({"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": gso("net", "Vpc")}}}});
        let old = side(vec![
            (
                "net",
                producer(json!({"Vpc": {"Value": {"Ref": "Vpc"}}}), "10.0.0.0/16"),
            ),
            ("app", consumer.clone()),
        ]);
        // replaced: CidrBlock is create-only
        let new = side(vec![
            (
                "net",
                producer(json!({"Vpc": {"Value": {"Ref": "Vpc"}}}), "10.1.0.0/16"),
            ),
            ("app", consumer.clone()),
        ]);
        let b = broken_reads(&old, &diff_sides(&old, &new));
        assert_eq!(b.len(), 1, "{b:?}");
        assert_eq!(b[0].key(), "net.Vpc");
        assert_eq!(b[0].reader, "app");
        assert!(
            b[0].why.contains("`Vpc`, which is replaced"),
            "{}",
            b[0].why
        );
        // removed
        let new = side(vec![
            ("net", producer(json!({}), "10.0.0.0/16")),
            ("app", json!({"Resources": {}})),
        ]);
        let b = broken_reads(&old, &diff_sides(&old, &new));
        assert_eq!(b[0].why, "the output is removed");
        // unchanged: nothing
        assert!(broken_reads(&old, &diff_sides(&old, &old)).is_empty());
    }
}
