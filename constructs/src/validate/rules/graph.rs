//! Dependency cycles: FW-GRAPH-001 (resources: DependsOn, Ref, Fn::GetAtt, Fn::Sub variables)
//! and FW-GRAPH-002 (conditions naming conditions). CloudFormation refuses both before creating
//! anything (`Circular dependency between resources: [A, B]`); the message gives the path.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Ctx, ref_or_getatt_id};
use crate::core::expr::sub_variables;
use crate::validate::diagnostic::Severity;
use crate::validate::registry::{Check, Code, Rule};

/// Edges of a graph: node → (target, how) in first-seen order.
type Edges<'a> = BTreeMap<&'a str, Vec<(&'a str, &'static str)>>;

fn add<'a>(edges: &mut Edges<'a>, from: &'a str, to: &'a str, how: &'static str) {
    let v = edges.entry(from).or_default();
    if !v.iter().any(|(t, _)| *t == to) {
        v.push((to, how));
    }
}

/// Every name `v` references through `Ref`, `Fn::GetAtt` and `Fn::Sub` variables (also
/// `key`-named references, e.g. `Condition` inside conditions), with how.
fn references<'v>(v: &'v Value, key: &str, out: &mut Vec<(&'v str, &'static str)>) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                if m.len() == 1 {
                    if let Some(id) = ref_or_getatt_id(v) {
                        out.push((
                            id,
                            if m.contains_key("Ref") {
                                "Ref"
                            } else {
                                "GetAtt"
                            },
                        ));
                    }
                    if let Some(Value::String(c)) = m.get(key) {
                        out.push((c, "Condition"));
                    }
                    let (text, locals) = match m.get("Fn::Sub") {
                        Some(Value::String(s)) => (Some(s.as_str()), None),
                        Some(Value::Array(a)) => (
                            a.first().and_then(Value::as_str),
                            a.get(1).and_then(Value::as_object),
                        ),
                        _ => (None, None),
                    };
                    if let Some(text) = text {
                        for var in sub_variables(text) {
                            let name = var.split('.').next().unwrap_or(&var);
                            if locals.is_some_and(|l| l.contains_key(name)) {
                                continue;
                            }
                            // Borrow the name from the text (sub_variables returns owned names).
                            if let Some(i) = text.find(name) {
                                out.push((&text[i..i + name.len()], "Sub"));
                            }
                        }
                    }
                }
                stack.extend(m.values());
            }
            Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
}

/// The first cycle through each strongly connected part of `edges`, as a path `a → … → a`,
/// found by an iterative depth-first search (any depth, linear time).
fn cycles<'a>(edges: &Edges<'a>) -> Vec<Vec<(&'a str, &'static str)>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    let mut mark: BTreeMap<&str, Mark> = BTreeMap::new();
    let mut found: Vec<Vec<(&str, &str)>> = Vec::new();
    let mut seen: BTreeSet<Vec<&str>> = BTreeSet::new();
    for &start in edges.keys() {
        if mark.contains_key(start) {
            continue;
        }
        // (node, index of the next edge to follow); path = nodes on the stack.
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        mark.insert(start, Mark::Open);
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let out = edges.get(node).map_or(&[][..], Vec::as_slice);
            let Some(&(to, _)) = out.get(*next) else {
                mark.insert(node, Mark::Done);
                stack.pop();
                continue;
            };
            *next += 1;
            match mark.get(to) {
                None => {
                    mark.insert(to, Mark::Open);
                    stack.push((to, 0));
                }
                Some(Mark::Open) => {
                    let at = stack.iter().position(|(n, _)| *n == to).unwrap_or(0);
                    let path: Vec<(&str, &str)> = stack[at..]
                        .iter()
                        .map(|(n, i)| (*n, edges[n][i - 1].1))
                        .collect();
                    let mut key: Vec<&str> = path.iter().map(|(n, _)| *n).collect();
                    key.sort_unstable();
                    if seen.insert(key) {
                        found.push(path);
                    }
                }
                Some(Mark::Done) => {}
            }
        }
    }
    found
}

/// `A --Ref--> B --DependsOn--> A`.
fn render(path: &[(&str, &str)]) -> String {
    let mut s = String::new();
    for (n, how) in path {
        s.push_str(n);
        s.push_str(" --");
        s.push_str(how);
        s.push_str("--> ");
    }
    s.push_str(path.first().map_or("", |p| p.0));
    s
}

fn resource_cycles(ctx: &mut Ctx<'_>) {
    let mut edges: Edges = BTreeMap::new();
    for (id, r) in ctx.resources {
        let Some(r) = r.as_object() else { continue };
        if r.get("Type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.starts_with("AWS::Serverless::"))
        {
            continue; // SAM expands these into several resources (cfn-lint skips them too)
        }
        let mut refs = Vec::new();
        match r.get("DependsOn") {
            Some(Value::String(s)) => refs.push((s.as_str(), "DependsOn")),
            Some(Value::Array(a)) => {
                refs.extend(a.iter().filter_map(Value::as_str).map(|s| (s, "DependsOn")))
            }
            _ => {}
        }
        for (k, v) in r {
            if k != "DependsOn" && k != "Condition" && k != "Type" {
                references(v, "", &mut refs);
            }
        }
        for (to, how) in refs {
            if let Some((to, _)) = ctx.resources.get_key_value(to)
                && !ctx
                    .type_of(to)
                    .is_some_and(|t| t.starts_with("AWS::Serverless::"))
            {
                add(&mut edges, id, to, how);
            }
        }
    }
    for path in cycles(&edges) {
        let first = path[0].0.to_owned();
        ctx.emit(
            Code::GraphResourceCycle,
            Some(&first),
            "",
            format!("circular dependency: {}", render(&path)),
            "break the cycle: drop a DependsOn, or move the property that references the other resource into a separate resource (e.g. an AWS::EC2::SecurityGroupIngress instead of an inline rule)",
        );
    }
}

fn condition_cycles(ctx: &mut Ctx<'_>) {
    let Some(conds) = ctx.root.get("Conditions").and_then(Value::as_object) else {
        return;
    };
    let mut edges: Edges = BTreeMap::new();
    for (name, v) in conds {
        let mut refs = Vec::new();
        references(v, "Condition", &mut refs);
        for (to, how) in refs {
            if how == "Condition"
                && let Some((to, _)) = conds.get_key_value(to)
            {
                add(&mut edges, name, to, how);
            }
        }
    }
    for path in cycles(&edges) {
        ctx.emit(
            Code::GraphConditionCycle,
            None,
            format!("/Conditions/{}", path[0].0),
            format!("circular condition: {}", render(&path)),
            "a condition may only use conditions that do not, directly or through others, use it",
        );
    }
}

/// The rules of this family (see [`crate::validate::registry`]).
pub(crate) const RULES: &[Rule] = &[
    Rule {
        code: Code::GraphResourceCycle,
        severity: Severity::Error,
        summary: "circular dependency among resources (DependsOn, Ref, Fn::GetAtt, Fn::Sub)",
        what: "CloudFormation orders creation by the dependencies a resource declares (`DependsOn`) and implies (`Ref`, `Fn::GetAtt`, `${X}` / `${X.Attr}` in `Fn::Sub`, anywhere in the resource); a cycle is refused before anything is created (`Circular dependency between resources`). The message prints one path of each cycle with the kind of every edge. Found by an iterative depth-first search (linear, any depth). SAM resources are skipped (the transform splits them), as cfn-lint E3004 does.",
        fix: "break the cycle: drop a `DependsOn`, or move the referencing property into its own resource (a security group's self-referencing rule into an `AWS::EC2::SecurityGroupIngress`).",
        source: "https://repost.aws/knowledge-center/cloudformation-circular-dependency-error; cfn-lint E3004",
        check: Check::Fn(resource_cycles),
    },
    Rule {
        code: Code::GraphConditionCycle,
        severity: Severity::Error,
        summary: "circular condition (conditions naming each other through Condition)",
        what: "a condition can use another through `{Condition: Name}` inside `Fn::And`/`Fn::Or`/`Fn::Not`; a condition that reaches itself cannot be evaluated and the template is refused. The message prints the cycle's path.",
        fix: "rewrite one of the conditions without the other.",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html (cfn-lint 1.58.0 has no rule for it: on tests/validate/bad/FW-GRAPH-002-condition-cycle.yaml it stops with an internal E3001 exception)",
        check: Check::Fn(condition_cycles),
    },
];
