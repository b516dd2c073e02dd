//! One stack's diff: resources added, removed, updated or replaced (from the registry schemas'
//! `createOnlyProperties`), and the named template sections.

use std::collections::{BTreeMap, BTreeSet};

use formwork_constructs::core::pointer::{escape_segment, unescape_segment};
use formwork_constructs::validate::schemas;
use serde_json::{Map, Value};

use super::knock_on::{OutputEffects, propagate};
use super::renames::{match_renames, rewrite_refs};
use super::{
    Action, EntryChange, ResourceChange, Risk, StackDiff, StackStatus, ValueChange, is_stateful,
};

pub(super) fn section(t: &Value, key: &str) -> Map<String, Value> {
    t.get(key)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Diffs two templates of one stack.
pub fn diff_templates(name: &str, old: &Value, new: &Value, status: StackStatus) -> StackDiff {
    let old_res = section(old, "Resources");
    let new_res = section(new, "Resources");

    let removed: Vec<&String> = old_res
        .keys()
        .filter(|k| !new_res.contains_key(*k))
        .collect();
    let added: Vec<&String> = new_res
        .keys()
        .filter(|k| !old_res.contains_key(*k))
        .collect();
    let renames = match_renames(&old_res, &new_res, &removed, &added);
    let map: BTreeMap<String, String> = renames
        .iter()
        .map(|r| (r.from.clone(), r.to.clone()))
        .collect();

    let mut resources = Vec::new();
    for (id, o) in &old_res {
        if map.contains_key(id) {
            continue;
        }
        match new_res.get(id) {
            None => resources.push(removed_resource(id, o)),
            Some(n) => {
                // References to renamed resources point at the same physical resource: compare
                // with the old side rewritten to the new ids.
                let o = rewrite_refs(o, &map);
                if let Some(c) = changed_resource(id, &o, n) {
                    resources.push(c);
                }
            }
        }
    }
    let renamed_to: BTreeSet<&String> = map.values().collect();
    for (id, n) in &new_res {
        if !old_res.contains_key(id) && !renamed_to.contains(id) {
            let t = type_of(n);
            resources.push(ResourceChange {
                logical_id: id.clone(),
                type_name: t.clone(),
                old_type: None,
                action: Action::Add,
                changes: Vec::new(),
                stateful: is_stateful(&t),
                risk: None,
                kept_by: None,
                knock_on: Vec::new(),
                will_fail: None,
                moves_vpc: false,
                schema_known: schemas::get(&t).is_some(),
            });
        }
    }
    resources.sort_by(|a, b| a.logical_id.cmp(&b.logical_id));

    let outputs_old = rewrite_refs(&Value::Object(section(old, "Outputs")), &map);
    let outputs_old = outputs_old.as_object().cloned().unwrap_or_default();
    let outputs_new = section(new, "Outputs");

    let mut other = Vec::new();
    for key in [
        "AWSTemplateFormatVersion",
        "Description",
        "Transform",
        "Metadata",
        "Rules",
    ] {
        let (o, n) = (old.get(key), new.get(key));
        if o != n {
            other.push(entry(key, o, n));
        }
    }

    let mut d = StackDiff {
        name: name.to_owned(),
        status,
        resources,
        renames,
        parameters: entries(&section(old, "Parameters"), &section(new, "Parameters")),
        exports: entries(&exports(&outputs_old), &exports(&outputs_new)),
        outputs: entries(&outputs_old, &outputs_new),
        conditions: entries(&section(old, "Conditions"), &section(new, "Conditions")),
        mappings: entries(&section(old, "Mappings"), &section(new, "Mappings")),
        other,
    };
    propagate(&mut d, new, &OutputEffects::new());
    d
}

fn entry(name: &str, o: Option<&Value>, n: Option<&Value>) -> EntryChange {
    let mut changes = Vec::new();
    if let (Some(a), Some(b)) = (o, n) {
        let mut leaves = Vec::new();
        leaf_changes(a, b, &mut Vec::new(), &mut leaves);
        // A scalar entry (Description) changes as a whole: nothing to break down.
        if leaves.iter().all(|(p, _, _)| !p.is_empty()) {
            changes = leaves
                .into_iter()
                .map(|(p, old, new)| ValueChange {
                    pointer: pointer(&p),
                    old,
                    new,
                    action: Action::Update,
                })
                .collect();
        }
    }
    EntryChange {
        changes,
        name: name.to_owned(),
        action: match (o, n) {
            (None, _) => Action::Add,
            (_, None) => Action::Remove,
            _ => Action::Update,
        },
        old: o.cloned(),
        new: n.cloned(),
    }
}

fn entries(old: &Map<String, Value>, new: &Map<String, Value>) -> Vec<EntryChange> {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    keys.into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| entry(k, old.get(k), new.get(k)))
        .collect()
}

/// Export name → output id (`{"Output": id, "Value": …}`).
fn exports(outputs: &Map<String, Value>) -> Map<String, Value> {
    let mut m = Map::new();
    for (id, o) in outputs {
        if let Some(name) = o.get("Export").and_then(|e| e.get("Name")) {
            let key = match name {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            m.insert(
                key,
                serde_json::json!({"Output": id, "Value": o.get("Value").cloned().unwrap_or(Value::Null)}),
            );
        }
    }
    m
}

pub(super) fn type_of(r: &Value) -> String {
    r.get("Type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

/// `Some("DeletionPolicy: Retain")` when the policy `key` keeps the old resource (or a snapshot).
fn kept_by(r: &Value, key: &str) -> Option<String> {
    match r.get(key).and_then(Value::as_str) {
        Some(p @ ("Retain" | "RetainExceptOnCreate" | "Snapshot")) => Some(format!("{key}: {p}")),
        _ => None,
    }
}

/// The risk of replacing the stateful resource `r`: `UpdateReplacePolicy` decides (a
/// `DeletionPolicy` does not apply to the old resource of a replacement).
pub(super) fn replace_risk(r: &Value) -> (Option<Risk>, Option<String>) {
    match kept_by(r, "UpdateReplacePolicy") {
        Some(k) => (Some(Risk::Retained), Some(k)),
        None => (Some(Risk::DataLoss), None),
    }
}

fn removed_resource(id: &str, o: &Value) -> ResourceChange {
    let t = type_of(o);
    let stateful = is_stateful(&t);
    let kept = kept_by(o, "DeletionPolicy").filter(|_| stateful);
    ResourceChange {
        logical_id: id.to_owned(),
        type_name: t.clone(),
        old_type: None,
        action: Action::Remove,
        changes: Vec::new(),
        stateful,
        risk: stateful.then(|| {
            if kept.is_some() {
                Risk::Retained
            } else {
                Risk::DataLoss
            }
        }),
        kept_by: kept,
        knock_on: Vec::new(),
        will_fail: None,
        moves_vpc: false,
        schema_known: schemas::get(&t).is_some(),
    }
}

fn changed_resource(id: &str, o: &Value, n: &Value) -> Option<ResourceChange> {
    if o == n {
        return None;
    }
    let (ot, nt) = (type_of(o), type_of(n));
    let schema = schemas::get(&nt);
    let empty = Value::Object(Map::new());
    let op = o.get("Properties").unwrap_or(&empty);
    let np = n.get("Properties").unwrap_or(&empty);

    // Which createOnly / conditionalCreateOnly pointers have a different value.
    let mut replace_ptrs: Vec<Vec<String>> = Vec::new();
    let mut may_ptrs: Vec<Vec<String>> = Vec::new();
    if let Some(s) = schema {
        for (list, out) in [
            (&s.create_only_properties, &mut replace_ptrs),
            (&s.conditional_create_only_properties, &mut may_ptrs),
        ] {
            for p in list {
                let Some(rest) = p.strip_prefix("/properties/") else {
                    continue;
                };
                let segs: Vec<String> = rest.split('/').map(unescape_segment).collect();
                if select(op, &segs) != select(np, &segs) {
                    out.push(segs);
                }
            }
        }
    }

    let mut leaves = Vec::new();
    let (mut ao, mut an) = (o.clone(), n.clone());
    // Metadata-only and attribute changes are listed too; Type is reported via old_type.
    for v in [&mut ao, &mut an] {
        if let Some(m) = v.as_object_mut() {
            m.remove("Type");
        }
    }
    leaf_changes(&ao, &an, &mut Vec::new(), &mut leaves);

    let mut changes = Vec::new();
    for (segs, old, new) in leaves {
        let action = if segs.first().map(String::as_str) == Some("Properties") {
            let rel = &segs[1..];
            if replace_ptrs.iter().any(|p| overlaps(p, rel)) {
                Action::Replace
            } else if may_ptrs.iter().any(|p| overlaps(p, rel)) {
                Action::MayReplace
            } else {
                Action::Update
            }
        } else {
            Action::Update
        };
        changes.push(ValueChange {
            pointer: pointer(&segs),
            old,
            new,
            action,
        });
    }
    let mut action = changes
        .iter()
        .map(|c| c.action)
        .max()
        .unwrap_or(Action::Update);
    let old_type = (ot != nt).then(|| ot.clone());
    if old_type.is_some() {
        action = Action::Replace;
    }
    let stateful = is_stateful(&ot) || is_stateful(&nt);
    let (risk, kept_by) = if stateful && matches!(action, Action::Replace | Action::MayReplace) {
        replace_risk(o)
    } else {
        (None, None)
    };
    Some(ResourceChange {
        logical_id: id.to_owned(),
        type_name: nt,
        old_type,
        action,
        changes,
        stateful,
        risk,
        kept_by,
        knock_on: Vec::new(),
        will_fail: None,
        moves_vpc: false,
        schema_known: schema.is_some(),
    })
}

/// Whether one pointer (segments, `*` = any array item) is a prefix of the other.
fn overlaps(schema_ptr: &[String], changed: &[String]) -> bool {
    schema_ptr
        .iter()
        .zip(changed)
        .all(|(a, b)| a == "*" || a == b || b == "*")
}

/// The value(s) at a schema pointer: `*` maps over array items; missing = `Null`.
fn select(v: &Value, segs: &[String]) -> Value {
    let Some((first, rest)) = segs.split_first() else {
        return v.clone();
    };
    match (first.as_str(), v) {
        ("*", Value::Array(items)) => Value::Array(items.iter().map(|i| select(i, rest)).collect()),
        (_, Value::Object(m)) => m.get(first).map(|x| select(x, rest)).unwrap_or(Value::Null),
        (k, Value::Array(items)) => k
            .parse::<usize>()
            .ok()
            .and_then(|i| items.get(i))
            .map(|x| select(x, rest))
            .unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// An intrinsic function call (`{"Ref": …}`, `{"Fn::…": …}`) is compared as one value.
fn is_intrinsic(m: &Map<String, Value>) -> bool {
    m.len() == 1
        && m.keys()
            .next()
            .is_some_and(|k| k == "Ref" || k.starts_with("Fn::") || k == "Condition")
}

type Leaf = (Vec<String>, Option<Value>, Option<Value>);

fn leaf_changes(o: &Value, n: &Value, path: &mut Vec<String>, out: &mut Vec<Leaf>) {
    if o == n {
        return;
    }
    match (o, n) {
        (Value::Object(a), Value::Object(b)) if !is_intrinsic(a) && !is_intrinsic(b) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                path.push(k.clone());
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => leaf_changes(x, y, path, out),
                    (x, y) => out.push((path.clone(), x.cloned(), y.cloned())),
                }
                path.pop();
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                path.push(i.to_string());
                leaf_changes(x, y, path, out);
                path.pop();
            }
        }
        _ => out.push((path.clone(), Some(o.clone()), Some(n.clone()))),
    }
}

fn pointer(segs: &[String]) -> String {
    segs.iter()
        .map(|s| format!("/{}", escape_segment(s)))
        .collect()
}
