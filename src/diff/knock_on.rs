//! Knock-on effects of replacements. A replaced resource gets a new physical id, so every value
//! that refers to it (`Ref`, `Fn::GetAtt`, `${Id}` in `Fn::Sub`, and across stacks an output read
//! with `Fn::GetStackOutput`) changes too: under a create-only property of the referring resource
//! that replaces it as well (VPC → subnets → node group), elsewhere it is an update. Repeated to a
//! fixed point, in deploy order across stacks.
//!
//! Some of those updates cannot succeed: an EKS cluster cannot move to another VPC (new subnets
//! must be in the cluster's VPC and in the Availability Zones given at creation:
//! <https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html>), so the deploy would
//! fail halfway. Those are flagged [`ResourceChange::will_fail`].

use std::collections::BTreeMap;

use formwork_constructs::core::pointer::escape_segment;
use formwork_constructs::validate::schemas;
use serde::Serialize;
use serde_json::Value;

use super::template::{replace_risk, type_of};
use super::{Action, ResourceChange, StackDiff, StackStatus, is_stateful};

/// A value that refers to a resource which is replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KnockOn {
    /// Where the reference is (`/Properties/Subnets/0`).
    pub pointer: String,
    /// What it refers to: a logical id of the same stack, or `stack.Output` for a cross-stack read.
    pub refers_to: String,
    /// What the reference causes here: replace (a create-only property), may replace, update.
    pub action: Action,
}

/// Updates that cannot succeed: (type, property pointer, reason). Checked when the value at the
/// pointer refers to something that moves to another VPC.
const CANNOT_MOVE_VPC: &[(&str, &str, &str)] = &[(
    "AWS::EKS::Cluster",
    "/Properties/ResourcesVpcConfig",
    "an EKS cluster cannot move to another VPC: its VPC is fixed at creation and new subnets \
     must be in it (and in the Availability Zones given at creation), so EKS rejects this \
     update and the deploy fails halfway, after the replacements before it; to move, create a \
     new cluster (a new name) beside the old one and delete the old one when the workloads moved",
)];

/// A replaced resource as seen by the resources referring to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replaced {
    /// Replace or may replace.
    pub action: Action,
    /// Whether the replacement puts it into another VPC (a replaced VPC, or anything replaced
    /// because of one).
    pub moves_vpc: bool,
}

/// Cross-stack knock-ons: `(stack, output)` → what its value refers to.
pub type OutputEffects = BTreeMap<(String, String), Replaced>;

/// A reference found in a resource: where, and to what.
enum Target {
    Local(String),
    Output(String, String),
}

/// Propagates replacements through `diff` (the diff of `new`, one stack), with the outputs of
/// earlier stacks that change because of replacements (`upstream`). Idempotent.
pub fn propagate(diff: &mut StackDiff, new: &Value, upstream: &OutputEffects) {
    if diff.status != StackStatus::Both {
        return;
    }
    let Some(resources) = new.get("Resources").and_then(Value::as_object) else {
        return;
    };
    loop {
        let replaced = replaced_ids(diff);
        let mut changed = false;
        for (id, r) in resources {
            let found = references(r.get("Properties"));
            if found.is_empty() {
                continue;
            }
            let t = type_of(r);
            let schema = schemas::get(&t);
            for (ptr, target) in found {
                let (refers_to, hit) = match &target {
                    Target::Local(x) => (x.clone(), replaced.get(x).copied()),
                    Target::Output(s, o) => (
                        format!("{s}.{o}"),
                        upstream.get(&(s.clone(), o.clone())).copied(),
                    ),
                };
                let Some(hit) = hit else { continue };
                if refers_to == *id {
                    continue;
                }
                let action = match schema.map(|s| create_only_at(s, &ptr)) {
                    Some(Some(a)) => a.min(hit.action),
                    _ => Action::Update,
                };
                let pointer = format!(
                    "/Properties{}",
                    ptr.iter()
                        .map(|s| format!("/{}", escape_segment(s)))
                        .collect::<String>()
                );
                let k = KnockOn {
                    pointer,
                    refers_to,
                    action,
                };
                changed |= record(diff, id, r, k, hit.moves_vpc);
            }
        }
        if !changed {
            break;
        }
    }
    diff.resources
        .sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
}

/// Replaced (or possibly replaced) resources of a stack diff, by logical id.
fn replaced_ids(d: &StackDiff) -> BTreeMap<String, Replaced> {
    d.resources
        .iter()
        .filter(|r| matches!(r.action, Action::Replace | Action::MayReplace))
        .map(|r| {
            let moves_vpc = r.type_name == "AWS::EC2::VPC"
                || r.changes
                    .iter()
                    .any(|c| c.action == Action::Replace && c.pointer == "/Properties/VpcId")
                || r.moves_vpc;
            (
                r.logical_id.clone(),
                Replaced {
                    action: r.action,
                    moves_vpc,
                },
            )
        })
        .collect()
}

/// The outputs of `new` whose value refers to a replaced resource of `d`.
pub fn output_effects(stack: &str, d: &StackDiff, new: &Value, into: &mut OutputEffects) {
    let replaced = replaced_ids(d);
    let Some(outputs) = new.get("Outputs").and_then(Value::as_object) else {
        return;
    };
    for (name, o) in outputs {
        let hits = references(o.get("Value"))
            .into_iter()
            .filter_map(|(_, t)| match t {
                Target::Local(x) => replaced.get(&x).copied(),
                Target::Output(..) => None,
            });
        let mut best: Option<Replaced> = None;
        for h in hits {
            best = Some(match best {
                None => h,
                Some(b) => Replaced {
                    action: b.action.max(h.action),
                    moves_vpc: b.moves_vpc || h.moves_vpc,
                },
            });
        }
        if let Some(b) = best {
            into.insert((stack.to_owned(), name.clone()), b);
        }
    }
}

/// Adds a knock-on to the resource `id`; whether anything changed.
fn record(diff: &mut StackDiff, id: &str, r: &Value, k: KnockOn, moves_vpc: bool) -> bool {
    let t = type_of(r);
    let idx = match diff.resources.iter().position(|c| c.logical_id == id) {
        Some(i) => i,
        None => {
            diff.resources.push(ResourceChange {
                logical_id: id.to_owned(),
                type_name: t.clone(),
                old_type: None,
                action: Action::Update,
                changes: Vec::new(),
                stateful: is_stateful(&t),
                risk: None,
                kept_by: None,
                knock_on: Vec::new(),
                will_fail: None,
                moves_vpc: false,
                schema_known: schemas::get(&t).is_some(),
            });
            diff.resources.len() - 1
        }
    };
    let c = &mut diff.resources[idx];
    if matches!(c.action, Action::Add | Action::Remove) {
        return false;
    }
    let mut changed = false;
    if moves_vpc && c.will_fail.is_none() {
        c.will_fail = CANNOT_MOVE_VPC
            .iter()
            .find(|(ty, p, _)| *ty == t && k.pointer.starts_with(p))
            .map(|(_, _, why)| (*why).to_owned());
        changed |= c.will_fail.is_some();
    }
    if k.action != Action::Update && moves_vpc && !c.moves_vpc {
        c.moves_vpc = true;
        changed = true;
    }
    if c.knock_on.contains(&k) {
        return changed;
    }
    if k.action > c.action {
        c.action = k.action;
        if c.stateful {
            (c.risk, c.kept_by) = replace_risk(r);
        }
    }
    c.knock_on.push(k);
    true
}

/// Whether a property path lies in a create-only property: replace, may replace, or neither.
fn create_only_at(s: &schemas::SchemaEntry, path: &[String]) -> Option<Action> {
    let inside = |list: &[String]| {
        list.iter().any(|p| {
            p.strip_prefix("/properties/").is_some_and(|rest| {
                let segs: Vec<&str> = rest.split('/').collect();
                segs.len() <= path.len() && segs.iter().zip(path).all(|(a, b)| *a == "*" || a == b)
            })
        })
    };
    if inside(&s.create_only_properties) {
        Some(Action::Replace)
    } else if inside(&s.conditional_create_only_properties) {
        Some(Action::MayReplace)
    } else {
        None
    }
}

/// Every reference in a value with its property path (array items as indices).
fn references(v: Option<&Value>) -> Vec<(Vec<String>, Target)> {
    let mut out = Vec::new();
    if let Some(v) = v {
        walk(v, &mut Vec::new(), false, &mut out);
    }
    out
}

/// `flat`: inside an intrinsic function, whose arguments are not property paths (the reference
/// is located at the property that holds the function).
fn walk(v: &Value, path: &mut Vec<String>, flat: bool, out: &mut Vec<(Vec<String>, Target)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("Ref", Value::String(s)) if !s.starts_with("AWS::") => {
                        out.push((path.clone(), Target::Local(s.clone())));
                    }
                    ("Fn::GetAtt", Value::Array(a)) => {
                        if let Some(Value::String(s)) = a.first() {
                            out.push((path.clone(), Target::Local(s.clone())));
                        }
                    }
                    ("Fn::GetAtt", Value::String(s)) => {
                        let id = s.split('.').next().unwrap_or(s);
                        out.push((path.clone(), Target::Local(id.to_owned())));
                    }
                    ("Fn::Sub", x) => {
                        let (text, vars) = match x {
                            Value::String(s) => (Some(s.as_str()), None),
                            Value::Array(a) => (a.first().and_then(Value::as_str), a.get(1)),
                            _ => (None, None),
                        };
                        let bound = vars.and_then(Value::as_object);
                        for id in sub_ids(text.unwrap_or("")) {
                            if !bound.is_some_and(|b| b.contains_key(&id)) {
                                out.push((path.clone(), Target::Local(id)));
                            }
                        }
                        if let Some(vars) = vars {
                            walk(vars, path, true, out);
                        }
                    }
                    ("Fn::GetStackOutput", Value::Object(a)) => {
                        if let (Some(Value::String(s)), Some(Value::String(o))) =
                            (a.get("StackName"), a.get("OutputName"))
                        {
                            out.push((path.clone(), Target::Output(s.clone(), o.clone())));
                        }
                    }
                    _ if flat || k == "Ref" || k.starts_with("Fn::") => walk(x, path, true, out),
                    _ => {
                        path.push(k.clone());
                        walk(x, path, false, out);
                        path.pop();
                    }
                }
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                if flat {
                    walk(x, path, true, out);
                } else {
                    path.push(i.to_string());
                    walk(x, path, false, out);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

/// The logical ids in a `Fn::Sub` string (`${Id}`, `${Id.Attr}`; not `${!Literal}` nor
/// pseudo parameters).
fn sub_ids(s: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        if let Some(lit) = after.strip_prefix('!') {
            rest = lit;
            continue;
        }
        let Some(j) = after.find('}') else { break };
        let id = after[..j].split('.').next().unwrap_or("");
        if !id.is_empty() && !id.starts_with("AWS::") {
            ids.push(id.to_owned());
        }
        rest = &after[j + 1..];
    }
    ids
}
