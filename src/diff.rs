//! `formwork diff`: what changes between two syntheses (or a deployed template and a new one),
//! and what CloudFormation will do about it — update in place, replace, or (for a changed
//! logical id whose resource is otherwise identical) a rename that stack refactoring performs
//! without replacement.
//!
//! Everything here returns data; rendering lives in [`crate::diff_render`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use formwork_constructs::core::pointer::{escape_segment, unescape_segment};
use formwork_constructs::validate::{load_file, schemas};
use serde::Serialize;
use serde_json::{Map, Value};

/// Resource types that hold data: replacing or deleting one loses it (unless retained).
/// The one place this list lives.
pub const STATEFUL_TYPES: &[&str] = &[
    "AWS::Backup::BackupVault",
    "AWS::Cognito::UserPool",
    "AWS::DocDB::DBCluster",
    "AWS::DocDB::DBInstance",
    "AWS::DynamoDB::GlobalTable",
    "AWS::DynamoDB::Table",
    "AWS::EC2::Volume",
    "AWS::ECR::Repository",
    "AWS::EFS::FileSystem",
    "AWS::EKS::Cluster",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::ServerlessCache",
    "AWS::Elasticsearch::Domain",
    "AWS::FSx::FileSystem",
    "AWS::KMS::Key",
    "AWS::Kinesis::Stream",
    "AWS::Logs::LogGroup",
    "AWS::MemoryDB::Cluster",
    "AWS::Neptune::DBCluster",
    "AWS::Neptune::DBInstance",
    "AWS::OpenSearchService::Domain",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
    "AWS::S3::Bucket",
    "AWS::S3Express::DirectoryBucket",
    "AWS::SQS::Queue",
    "AWS::SecretsManager::Secret",
];

/// Whether `type_name` holds data (see [`STATEFUL_TYPES`]).
pub fn is_stateful(type_name: &str) -> bool {
    STATEFUL_TYPES.contains(&type_name)
}

/// Resource attributes (besides `Type` and `Properties`) that must match for a rename.
const RENAME_ATTRIBUTES: &[&str] = &[
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
];

/// Why a side of a diff could not be read.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("{0}")]
pub struct DiffError(pub String);

/// One side of a diff: named templates in deploy order.
#[derive(Debug, Clone, Default)]
pub struct Side {
    /// `(stack name, template)`.
    pub stacks: Vec<(String, Value)>,
    /// Whether it came from a single template file (then the two sides pair regardless of name).
    pub single_file: bool,
}

/// Reads an out dir (`manifest.json` + templates) or a single template file (JSON or YAML).
pub fn load_side(path: &Path) -> Result<Side, DiffError> {
    if path.is_dir() {
        let manifest = crate::assembly::read_manifest(path).map_err(DiffError)?;
        let mut stacks = Vec::new();
        for s in &manifest.stacks {
            let (t, _) =
                load_file(&path.join(&s.template)).map_err(|e| DiffError(e.to_string()))?;
            stacks.push((s.name.clone(), t));
        }
        Ok(Side {
            stacks,
            single_file: false,
        })
    } else {
        let (t, _) = load_file(path).map_err(|e| DiffError(e.to_string()))?;
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = [
            ".template.json",
            ".template.yaml",
            ".template.yml",
            ".json",
            ".yaml",
            ".yml",
        ]
        .iter()
        .find_map(|sfx| file.strip_suffix(sfx))
        .unwrap_or(&file)
        .to_owned();
        Ok(Side {
            stacks: vec![(name, t)],
            single_file: true,
        })
    }
}

/// What happens to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Created.
    Add,
    /// Deleted.
    Remove,
    /// Updated in place.
    Update,
    /// Possibly replaced (a `conditionalCreateOnlyProperties` change).
    MayReplace,
    /// Replaced: a new physical resource, the old one deleted.
    Replace,
}

impl Action {
    /// Short word for reports.
    pub fn word(self) -> &'static str {
        match self {
            Action::Add => "add",
            Action::Remove => "remove",
            Action::Update => "update",
            Action::MayReplace => "may replace",
            Action::Replace => "replace",
        }
    }
}

/// The risk to a stateful resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Its data will be deleted (no Retain/Snapshot policy).
    DataLoss,
    /// Replaced or removed, but the policy keeps the old resource (orphaned, still billed).
    Retained,
}

/// One changed value inside a resource (or a template section entry).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueChange {
    /// JSON pointer within the resource (`/Properties/RepositoryName`) or entry.
    pub pointer: String,
    /// Old value (absent = added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// New value (absent = removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    /// What this change alone causes.
    pub action: Action,
}

/// A resource that changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceChange {
    /// Logical id.
    pub logical_id: String,
    /// Resource type (the new one when it changed).
    #[serde(rename = "type")]
    pub type_name: String,
    /// The old type when `Type` changed (that replaces the resource).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_type: Option<String>,
    /// The overall action.
    pub action: Action,
    /// Changed values, for updates and replacements.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ValueChange>,
    /// Whether the type holds data.
    pub stateful: bool,
    /// For a stateful resource that is replaced or removed: data loss or retained.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<Risk>,
    /// Whether the registry schema of the type was known (unknown types: changes are updates).
    pub schema_known: bool,
}

/// A logical id changed while the resource stayed the same: stack refactoring moves it without
/// replacement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rename {
    /// Old logical id.
    pub from: String,
    /// New logical id.
    pub to: String,
    /// Resource type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Whether the type holds data.
    pub stateful: bool,
}

/// A change in a named template section (Parameters, Outputs, Exports, Conditions, Mappings…).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryChange {
    /// Entry name (export names: the export name, rendered if it is an intrinsic).
    pub name: String,
    /// Add, remove or update.
    pub action: Action,
    /// Old value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// New value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    /// For updates: what changed inside the entry (pointers relative to the entry).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ValueChange>,
}

/// Whether a stack is new, gone or present on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StackStatus {
    /// Only in NEW.
    Added,
    /// Only in OLD.
    Removed,
    /// In both.
    Both,
}

/// Everything that changes in one stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackDiff {
    /// Stack name.
    pub name: String,
    /// Added, removed or both.
    pub status: StackStatus,
    /// Changed resources, sorted by logical id.
    pub resources: Vec<ResourceChange>,
    /// Renamed resources, sorted by old id.
    pub renames: Vec<Rename>,
    /// `Parameters` changes.
    pub parameters: Vec<EntryChange>,
    /// `Outputs` changes.
    pub outputs: Vec<EntryChange>,
    /// Export name changes (an export removed while another stack imports it fails the deploy).
    pub exports: Vec<EntryChange>,
    /// `Conditions` changes.
    pub conditions: Vec<EntryChange>,
    /// `Mappings` changes.
    pub mappings: Vec<EntryChange>,
    /// Other top-level sections (Description, Transform, Metadata, Rules).
    pub other: Vec<EntryChange>,
}

impl StackDiff {
    /// Whether anything changes.
    pub fn has_changes(&self) -> bool {
        self.status != StackStatus::Both
            || !self.resources.is_empty()
            || !self.renames.is_empty()
            || !self.parameters.is_empty()
            || !self.outputs.is_empty()
            || !self.exports.is_empty()
            || !self.conditions.is_empty()
            || !self.mappings.is_empty()
            || !self.other.is_empty()
    }

    /// Number of resources with the given action.
    pub fn count(&self, action: Action) -> usize {
        self.resources.iter().filter(|r| r.action == action).count()
    }

    /// Stateful resources replaced (or possibly replaced) or removed.
    pub fn stateful_at_risk(&self) -> impl Iterator<Item = &ResourceChange> {
        self.resources.iter().filter(|r| r.risk.is_some())
    }
}

/// The diff of two sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// Stacks in NEW's order, then stacks only in OLD.
    pub stacks: Vec<StackDiff>,
}

impl Diff {
    /// Whether anything changes in any stack.
    pub fn has_changes(&self) -> bool {
        self.stacks.iter().any(StackDiff::has_changes)
    }
}

/// Diffs two sides: stacks paired by name (two single files pair regardless of name).
pub fn diff_sides(old: &Side, new: &Side) -> Diff {
    let empty = Value::Object(Map::new());
    let mut stacks = Vec::new();
    if old.single_file && new.single_file && old.stacks.len() == 1 && new.stacks.len() == 1 {
        let (name, n) = &new.stacks[0];
        stacks.push(diff_templates(name, &old.stacks[0].1, n, StackStatus::Both));
        return Diff { stacks };
    }
    for (name, n) in &new.stacks {
        match old.stacks.iter().find(|(o, _)| o == name) {
            Some((_, o)) => stacks.push(diff_templates(name, o, n, StackStatus::Both)),
            None => stacks.push(diff_templates(name, &empty, n, StackStatus::Added)),
        }
    }
    for (name, o) in &old.stacks {
        if !new.stacks.iter().any(|(n, _)| n == name) {
            stacks.push(diff_templates(name, o, &empty, StackStatus::Removed));
        }
    }
    Diff { stacks }
}

fn section(t: &Value, key: &str) -> Map<String, Value> {
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

    StackDiff {
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
    }
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

fn type_of(r: &Value) -> String {
    r.get("Type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

fn policy_retains(r: &Value, key: &str) -> bool {
    matches!(
        r.get(key).and_then(Value::as_str),
        Some("Retain" | "RetainExceptOnCreate" | "Snapshot")
    )
}

fn removed_resource(id: &str, o: &Value) -> ResourceChange {
    let t = type_of(o);
    let stateful = is_stateful(&t);
    ResourceChange {
        logical_id: id.to_owned(),
        type_name: t.clone(),
        old_type: None,
        action: Action::Remove,
        changes: Vec::new(),
        stateful,
        risk: stateful.then(|| {
            if policy_retains(o, "DeletionPolicy") {
                Risk::Retained
            } else {
                Risk::DataLoss
            }
        }),
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
    let risk = (stateful && matches!(action, Action::Replace | Action::MayReplace)).then(|| {
        if policy_retains(o, "UpdateReplacePolicy") {
            Risk::Retained
        } else {
            Risk::DataLoss
        }
    });
    Some(ResourceChange {
        logical_id: id.to_owned(),
        type_name: nt,
        old_type,
        action,
        changes,
        stateful,
        risk,
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
fn match_renames(
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

fn rewrite_sub(s: &str, map: &BTreeMap<String, String>) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(old: Value, new: Value) -> StackDiff {
        diff_templates("s", &old, &new, StackStatus::Both)
    }

    fn repo(name: &str) -> Value {
        json!({"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": name, "ImageTagMutability": "IMMUTABLE"}})
    }

    #[test]
    fn create_only_change_replaces_a_stateful_repository() {
        let d = one(
            json!({"Resources": {"Repo": repo("a")}}),
            json!({"Resources": {"Repo": repo("b")}}),
        );
        assert_eq!(d.resources.len(), 1);
        let r = &d.resources[0];
        assert_eq!(r.action, Action::Replace);
        assert!(r.stateful);
        assert_eq!(r.risk, Some(Risk::DataLoss));
        assert_eq!(r.changes[0].pointer, "/Properties/RepositoryName");
        assert_eq!(r.changes[0].action, Action::Replace);
    }

    #[test]
    fn mutable_change_updates_in_place_and_retain_is_noted() {
        let mut n = repo("a");
        n["Properties"]["ImageTagMutability"] = json!("MUTABLE");
        let d = one(
            json!({"Resources": {"Repo": repo("a")}}),
            json!({"Resources": {"Repo": n}}),
        );
        assert_eq!(d.resources[0].action, Action::Update);
        assert_eq!(d.resources[0].risk, None);

        let mut o = repo("a");
        o["UpdateReplacePolicy"] = json!("Retain");
        let mut n = repo("b");
        n["UpdateReplacePolicy"] = json!("Retain");
        let d = one(
            json!({"Resources": {"Repo": o}}),
            json!({"Resources": {"Repo": n}}),
        );
        assert_eq!(d.resources[0].risk, Some(Risk::Retained));
    }

    #[test]
    fn nested_create_only_pointer_replaces() {
        let o = json!({"Type": "AWS::ECR::Repository", "Properties": {"EncryptionConfiguration": {"EncryptionType": "AES256"}}});
        let n = json!({"Type": "AWS::ECR::Repository", "Properties": {"EncryptionConfiguration": {"EncryptionType": "KMS"}}});
        let d = one(
            json!({"Resources": {"R": o}}),
            json!({"Resources": {"R": n}}),
        );
        assert_eq!(d.resources[0].action, Action::Replace);
        assert_eq!(
            d.resources[0].changes[0].pointer,
            "/Properties/EncryptionConfiguration/EncryptionType"
        );
    }

    #[test]
    fn conditional_create_only_may_replace() {
        let s = schemas::get("AWS::RDS::DBInstance").unwrap();
        let p = s
            .conditional_create_only_properties
            .first()
            .expect("RDS has conditional create-only properties")
            .strip_prefix("/properties/")
            .unwrap()
            .to_owned();
        assert!(!s.create_only_properties.iter().any(|c| c.ends_with(&p)));
        let o = json!({"Type": "AWS::RDS::DBInstance", "Properties": {&p: "a"}});
        let n = json!({"Type": "AWS::RDS::DBInstance", "Properties": {&p: "b"}});
        let d = one(
            json!({"Resources": {"Db": o}}),
            json!({"Resources": {"Db": n}}),
        );
        assert_eq!(d.resources[0].action, Action::MayReplace, "{p}");
        assert_eq!(d.resources[0].risk, Some(Risk::DataLoss));
    }

    #[test]
    fn type_change_replaces() {
        let d = one(
            json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}),
            json!({"Resources": {"T": {"Type": "AWS::SQS::Queue"}}}),
        );
        assert_eq!(d.resources[0].action, Action::Replace);
        assert_eq!(d.resources[0].old_type.as_deref(), Some("AWS::SNS::Topic"));
    }

    #[test]
    fn removal_of_stateful_is_data_loss_unless_retained() {
        let mut kept = repo("k");
        kept["DeletionPolicy"] = json!("Retain");
        let d = one(
            json!({"Resources": {"A": repo("a"), "K": kept, "T": {"Type": "AWS::SNS::Topic"}}}),
            json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}),
        );
        let risks: Vec<_> = d
            .resources
            .iter()
            .map(|r| (r.logical_id.as_str(), r.action, r.risk))
            .collect();
        assert_eq!(
            risks,
            vec![
                ("A", Action::Remove, Some(Risk::DataLoss)),
                ("K", Action::Remove, Some(Risk::Retained))
            ]
        );
    }

    #[test]
    fn changed_logical_id_with_identical_resource_is_a_rename() {
        let d = one(
            json!({"Resources": {"OldRepo": repo("a"), "Gone": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "x"}}}}),
            json!({"Resources": {"NewRepo": repo("a"), "Fresh": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "y"}}}}),
        );
        assert_eq!(
            d.renames,
            vec![Rename {
                from: "OldRepo".into(),
                to: "NewRepo".into(),
                type_name: "AWS::ECR::Repository".into(),
                stateful: true
            }]
        );
        let ids: Vec<_> = d
            .resources
            .iter()
            .map(|r| (r.logical_id.as_str(), r.action))
            .collect();
        assert_eq!(ids, vec![("Fresh", Action::Add), ("Gone", Action::Remove)]);
    }

    #[test]
    fn construct_moved_in_the_tree_is_a_chain_of_renames() {
        // Network/Vpc + Network/Subnet → Vpc + Subnet; the subnet references the VPC, and an
        // unchanged route table references the subnet.
        let old = json!({"Resources": {
            "NetworkVpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "NetworkSubnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "NetworkVpc"}, "CidrBlock": "10.0.0.0/24"}},
            "Assoc": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": "NetworkSubnet"}, "RouteTableId": "rtb-1"}}
        }});
        let new = json!({"Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"}},
            "Assoc": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": "Subnet"}, "RouteTableId": "rtb-1"}}
        }});
        let d = one(old.clone(), new.clone());
        let pairs: Vec<_> = d
            .renames
            .iter()
            .map(|r| (r.from.as_str(), r.to.as_str()))
            .collect();
        assert_eq!(
            pairs,
            vec![("NetworkSubnet", "Subnet"), ("NetworkVpc", "Vpc")]
        );
        assert!(d.resources.is_empty(), "{:?}", d.resources);
        let t = refactor_template(&old, &d.renames);
        assert_eq!(t, new);
    }

    #[test]
    fn ambiguous_renames_match_one_to_one_by_suffix() {
        let t = json!({"Type": "AWS::SNS::Topic"});
        let d = one(
            json!({"Resources": {"OldA": t, "OldB": t}}),
            json!({"Resources": {"NewB": t, "NewA": t}}),
        );
        let pairs: Vec<_> = d
            .renames
            .iter()
            .map(|r| (r.from.as_str(), r.to.as_str()))
            .collect();
        assert_eq!(pairs, vec![("OldA", "NewA"), ("OldB", "NewB")]);
    }

    #[test]
    fn rename_needs_same_deletion_policy() {
        let mut n = repo("a");
        n["DeletionPolicy"] = json!("Retain");
        let d = one(
            json!({"Resources": {"A": repo("a")}}),
            json!({"Resources": {"B": n}}),
        );
        assert!(d.renames.is_empty());
        assert_eq!(d.resources.len(), 2);
    }

    #[test]
    fn parameters_outputs_exports_conditions_mappings() {
        let old = json!({
            "Parameters": {"A": {"Type": "String"}, "B": {"Type": "String"}},
            "Conditions": {"C": {"Fn::Equals": ["a", "b"]}},
            "Mappings": {"M": {"k": {"v": "1"}}},
            "Resources": {"T": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {"O": {"Value": {"Ref": "T"}, "Export": {"Name": "old-export"}}}
        });
        let new = json!({
            "Parameters": {"A": {"Type": "String", "Default": "x"}, "N": {"Type": "String"}},
            "Mappings": {"M": {"k": {"v": "2"}}},
            "Resources": {"T": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {"O": {"Value": {"Ref": "T"}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-t"}}}}
        });
        let d = one(old, new);
        let p: Vec<_> = d
            .parameters
            .iter()
            .map(|e| (e.name.as_str(), e.action))
            .collect();
        assert_eq!(
            p,
            vec![
                ("A", Action::Update),
                ("B", Action::Remove),
                ("N", Action::Add)
            ]
        );
        let e: Vec<_> = d
            .exports
            .iter()
            .map(|e| (e.name.as_str(), e.action))
            .collect();
        assert_eq!(
            e,
            vec![
                ("old-export", Action::Remove),
                (r#"{"Fn::Sub":"${AWS::StackName}-t"}"#, Action::Add)
            ]
        );
        assert_eq!(d.outputs.len(), 1);
        assert_eq!(d.conditions[0].action, Action::Remove);
        assert_eq!(d.mappings[0].action, Action::Update);
        assert!(d.resources.is_empty());
    }

    #[test]
    fn sub_references_are_rewritten() {
        let map = BTreeMap::from([("A".to_owned(), "B".to_owned())]);
        assert_eq!(
            rewrite_sub("x-${A}-${A.Arn}-${!A}-${AB}", &map),
            "x-${B}-${B.Arn}-${!A}-${AB}"
        );
    }

    #[test]
    fn stacks_pair_by_name() {
        let t = json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}});
        let old = Side {
            stacks: vec![("a".into(), t.clone()), ("b".into(), t.clone())],
            single_file: false,
        };
        let new = Side {
            stacks: vec![("b".into(), t.clone()), ("c".into(), t.clone())],
            single_file: false,
        };
        let d = diff_sides(&old, &new);
        let s: Vec<_> = d
            .stacks
            .iter()
            .map(|s| (s.name.as_str(), s.status, s.has_changes()))
            .collect();
        assert_eq!(
            s,
            vec![
                ("b", StackStatus::Both, false),
                ("c", StackStatus::Added, true),
                ("a", StackStatus::Removed, true)
            ]
        );
        assert_eq!(d.stacks[1].resources[0].action, Action::Add);
        assert_eq!(d.stacks[2].resources[0].action, Action::Remove);
    }
}
