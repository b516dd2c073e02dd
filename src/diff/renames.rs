//! Renames: a changed logical id whose resource is otherwise identical is moved by stack
//! refactoring, not replaced.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::template::type_of;
use super::{Rename, is_stateful};

/// Resource attributes (besides `Type` and `Properties`) that must match for a rename.
const RENAME_ATTRIBUTES: &[&str] = &[
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
];

/// The part of a resource that must be identical for a rename.
fn rename_key(r: &Value) -> Value {
    let mut m = Map::new();
    for k in ["Type", "Properties"].iter().chain(RENAME_ATTRIBUTES) {
        if let Some(v) = r.get(*k) {
            m.insert((*k).to_owned(), v.clone());
        }
    }
    Value::Object(m)
}

fn common_suffix(a: &str, b: &str) -> usize {
    a.chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Pairs removed and added resources with the same type and identical properties/attributes,
/// one to one. Repeats until no new pair appears, rewriting references to already renamed
/// resources, so that a construct moved in the tree (all ids change, children reference each
/// other) is recognised. Among several candidates the one sharing the longest id suffix wins,
/// then the lexically first.
pub(super) fn match_renames(
    old_res: &Map<String, Value>,
    new_res: &Map<String, Value>,
    removed: &[&String],
    added: &[&String],
) -> Vec<Rename> {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    let new_keys: BTreeMap<&String, Value> = added
        .iter()
        .map(|id| (*id, rename_key(&new_res[*id])))
        .collect();
    loop {
        let taken: BTreeSet<&String> = map.values().collect();
        let mut found: Option<(String, String)> = None;
        let mut best = 0usize;
        for old_id in removed {
            if map.contains_key(*old_id) {
                continue;
            }
            let key = rename_key(&rewrite_refs(&old_res[*old_id], &map));
            for new_id in added {
                if taken.contains(*new_id) || new_keys[*new_id] != key {
                    continue;
                }
                let score = common_suffix(old_id, new_id) + 1;
                if found.is_none() || score > best {
                    best = score;
                    found = Some(((*old_id).clone(), (*new_id).clone()));
                }
            }
            if found.is_some() {
                break;
            }
        }
        match found {
            Some((a, b)) => {
                map.insert(a, b);
            }
            None => break,
        }
    }
    map.into_iter()
        .map(|(from, to)| {
            let t = type_of(&new_res[&to]);
            Rename {
                stateful: is_stateful(&t),
                from,
                to,
                type_name: t,
            }
        })
        .collect()
}

/// Rewrites references (`Ref`, `Fn::GetAtt`, `${Id}` / `${Id.Attr}` in `Fn::Sub`, `DependsOn`)
/// from old logical ids to new ones.
pub fn rewrite_refs(v: &Value, map: &BTreeMap<String, String>) -> Value {
    if map.is_empty() {
        return v.clone();
    }
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                let nx = match (k.as_str(), x) {
                    ("Ref", Value::String(s)) => {
                        Value::String(map.get(s).cloned().unwrap_or(s.clone()))
                    }
                    ("Fn::GetAtt", Value::Array(a)) if !a.is_empty() => {
                        let mut a = a.clone();
                        if let Value::String(s) = &a[0]
                            && let Some(t) = map.get(s)
                        {
                            a[0] = Value::String(t.clone());
                        }
                        Value::Array(a.iter().map(|i| rewrite_refs(i, map)).collect())
                    }
                    ("Fn::GetAtt", Value::String(s)) => {
                        let (id, rest) = s.split_once('.').unwrap_or((s, ""));
                        match map.get(id) {
                            Some(t) if !rest.is_empty() => Value::String(format!("{t}.{rest}")),
                            _ => x.clone(),
                        }
                    }
                    ("Fn::Sub", Value::String(s)) => Value::String(rewrite_sub(s, map)),
                    ("Fn::Sub", Value::Array(a)) if !a.is_empty() => {
                        let mut a: Vec<Value> = a.iter().map(|i| rewrite_refs(i, map)).collect();
                        if let Value::String(s) = &a[0] {
                            a[0] = Value::String(rewrite_sub(s, map));
                        }
                        Value::Array(a)
                    }
                    ("DependsOn", Value::String(s)) => {
                        Value::String(map.get(s).cloned().unwrap_or(s.clone()))
                    }
                    ("DependsOn", Value::Array(a)) => Value::Array(
                        a.iter()
                            .map(|i| match i {
                                Value::String(s) => {
                                    Value::String(map.get(s).cloned().unwrap_or(s.clone()))
                                }
                                o => o.clone(),
                            })
                            .collect(),
                    ),
                    _ => rewrite_refs(x, map),
                };
                out.insert(k.clone(), nx);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|i| rewrite_refs(i, map)).collect()),
        o => o.clone(),
    }
}

pub(super) fn rewrite_sub(s: &str, map: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        if let Some(literal) = after.strip_prefix('!') {
            out.push_str("${!");
            rest = literal;
            continue;
        }
        match after.find('}') {
            Some(j) => {
                let inner = &after[..j];
                let (id, attr) = match inner.split_once('.') {
                    Some((a, b)) => (a, Some(b)),
                    None => (inner, None),
                };
                let id = map.get(id).map(String::as_str).unwrap_or(id);
                out.push_str("${");
                out.push_str(id);
                if let Some(a) = attr {
                    out.push('.');
                    out.push_str(a);
                }
                out.push('}');
                rest = &after[j + 1..];
            }
            None => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The template CloudFormation stack refactoring needs: the *deployed* template with the renamed
/// resources under their new ids and every reference rewritten (a refactor may not change
/// anything else).
pub fn refactor_template(deployed: &Value, renames: &[Rename]) -> Value {
    let map: BTreeMap<String, String> = renames
        .iter()
        .map(|r| (r.from.clone(), r.to.clone()))
        .collect();
    let mut t = rewrite_refs(deployed, &map);
    if let Some(Value::Object(res)) = t.get_mut("Resources") {
        let old = std::mem::take(res);
        for (k, v) in old {
            res.insert(map.get(&k).cloned().unwrap_or(k), v);
        }
    }
    t
}
