//! One resource in a stack: its L1 value plus the template attributes around it (`DependsOn`,
//! `Condition`, policies, metadata) and the JSON-pointer overrides applied when it is rendered.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::error::Error;
use super::resource::{ErasedResource, Resource, TagStyle};

/// `DeletionPolicy` / `UpdateReplacePolicy` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalPolicy {
    /// Delete the physical resource.
    Delete,
    /// Keep the physical resource (stateful resources default to this).
    Retain,
    /// Keep it unless the stack is deleted… see CloudFormation's `RetainExceptOnCreate`.
    RetainExceptOnCreate,
    /// Take a snapshot first (only some types).
    Snapshot,
}

impl RemovalPolicy {
    fn as_str(self) -> &'static str {
        match self {
            RemovalPolicy::Delete => "Delete",
            RemovalPolicy::Retain => "Retain",
            RemovalPolicy::RetainExceptOnCreate => "RetainExceptOnCreate",
            RemovalPolicy::Snapshot => "Snapshot",
        }
    }
}

/// One resource in a stack.
#[derive(Debug)]
pub struct ResourceEntry {
    logical_id: String,
    path: String,
    resource: Box<dyn ErasedResource>,
    depends_on: Vec<String>,
    condition: Option<String>,
    deletion_policy: Option<RemovalPolicy>,
    update_replace_policy: Option<RemovalPolicy>,
    metadata: Map<String, Value>,
    overrides: Vec<(String, Option<Value>)>,
}

impl ResourceEntry {
    pub(crate) fn new<R: Resource>(logical_id: String, path: String, resource: R) -> ResourceEntry {
        ResourceEntry {
            logical_id,
            path,
            resource: Box::new(resource),
            depends_on: Vec::new(),
            condition: None,
            deletion_policy: None,
            update_replace_policy: None,
            metadata: Map::new(),
            overrides: Vec::new(),
        }
    }

    /// The logical id.
    pub fn logical_id(&self) -> &str {
        &self.logical_id
    }

    /// The construct path (`Api/Repo/Resource`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The CloudFormation type.
    pub fn cfn_type(&self) -> &'static str {
        self.resource.cfn_type()
    }

    /// Adds a `DependsOn` entry (kept in insertion order, without duplicates).
    pub fn add_depends_on(&mut self, logical_id: impl Into<String>) -> &mut Self {
        let id = logical_id.into();
        if !self.depends_on.contains(&id) {
            self.depends_on.push(id);
        }
        self
    }

    /// Sets `Condition`.
    pub fn set_condition(&mut self, condition: impl Into<String>) -> &mut Self {
        self.condition = Some(condition.into());
        self
    }

    /// Sets both `DeletionPolicy` and `UpdateReplacePolicy`.
    pub fn set_removal_policy(&mut self, p: RemovalPolicy) -> &mut Self {
        self.deletion_policy = Some(p);
        self.update_replace_policy = Some(match p {
            RemovalPolicy::RetainExceptOnCreate => RemovalPolicy::Retain,
            other => other,
        });
        self
    }

    /// Sets `DeletionPolicy` only.
    pub fn set_deletion_policy(&mut self, p: RemovalPolicy) -> &mut Self {
        self.deletion_policy = Some(p);
        self
    }

    /// Sets `UpdateReplacePolicy` only.
    pub fn set_update_replace_policy(&mut self, p: RemovalPolicy) -> &mut Self {
        self.update_replace_policy = Some(p);
        self
    }

    /// Adds a `Metadata` entry.
    pub fn add_metadata(&mut self, key: impl Into<String>, value: Value) -> &mut Self {
        self.metadata.insert(key.into(), value);
        self
    }

    /// Records a checkov skip (`Metadata.checkov.skip`) with the reason reviewers will read.
    pub fn add_checkov_skip(&mut self, id: &str, comment: &str) -> &mut Self {
        let entry = self
            .metadata
            .entry("checkov".to_owned())
            .or_insert_with(|| json!({"skip": []}));
        if let Some(list) = entry.get_mut("skip").and_then(Value::as_array_mut) {
            list.push(json!({"id": id, "comment": comment}));
        }
        self
    }

    /// The last-resort escape hatch: sets the value at a JSON pointer below the resource entry
    /// (e.g. `/Properties/LoadBalancerAttributes/0/Value`), creating objects on the way.
    pub fn add_override(&mut self, pointer: impl Into<String>, value: Value) -> &mut Self {
        self.overrides.push((pointer.into(), Some(value)));
        self
    }

    /// Deletes the value at a JSON pointer below the resource entry.
    pub fn add_deletion_override(&mut self, pointer: impl Into<String>) -> &mut Self {
        self.overrides.push((pointer.into(), None));
        self
    }

    /// Whether an override (the JSON-pointer escape hatch) changes this resource: its rendered
    /// properties are then not only what the typed L1 value says.
    pub fn has_overrides(&self) -> bool {
        !self.overrides.is_empty()
    }

    /// The typed L1 value, when it is an `R`.
    pub fn l1<R: Resource>(&self) -> Option<&R> {
        self.resource.as_any().downcast_ref::<R>()
    }

    /// Mutable typed L1 value, when it is an `R`.
    pub fn l1_mut<R: Resource>(&mut self) -> Option<&mut R> {
        self.resource.as_any_mut().downcast_mut::<R>()
    }

    /// Renders the entry (`Type`, `Condition`, `DependsOn`, policies, `Metadata`, `Properties`)
    /// with the stack's tags applied in the type's style, then the overrides.
    pub(crate) fn render(
        &self,
        stack: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<Value, Error> {
        let render_error = |message: String| Error::Render {
            stack: stack.to_owned(),
            logical_id: self.logical_id.clone(),
            message,
        };
        let mut props = self
            .resource
            .to_value()
            .map_err(|err| render_error(err.to_string()))?;
        apply_tags(
            &mut props,
            self.resource.tag_style(),
            self.resource.tag_property(),
            tags,
        );
        let mut m = Map::new();
        m.insert("Type".into(), json!(self.resource.cfn_type()));
        if let Some(c) = &self.condition {
            m.insert("Condition".into(), json!(c));
        }
        if !self.depends_on.is_empty() {
            m.insert("DependsOn".into(), json!(self.depends_on));
        }
        if let Some(p) = self.deletion_policy {
            m.insert("DeletionPolicy".into(), json!(p.as_str()));
        }
        if let Some(p) = self.update_replace_policy {
            m.insert("UpdateReplacePolicy".into(), json!(p.as_str()));
        }
        if !self.metadata.is_empty() {
            m.insert("Metadata".into(), Value::Object(self.metadata.clone()));
        }
        if props.as_object().is_some_and(|o| !o.is_empty()) {
            m.insert("Properties".into(), props);
        }
        let mut v = Value::Object(m);
        for (ptr, val) in &self.overrides {
            apply_override(&mut v, ptr, val.clone()).map_err(render_error)?;
        }
        Ok(v)
    }
}

fn apply_tags(props: &mut Value, style: TagStyle, prop: &str, tags: &BTreeMap<String, String>) {
    if tags.is_empty() || style == TagStyle::None {
        return;
    }
    let Some(obj) = props.as_object_mut() else {
        return;
    };
    match style {
        TagStyle::None => {}
        TagStyle::List => {
            let entry = obj
                .entry(prop.to_owned())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Some(list) = entry.as_array_mut() {
                for (k, v) in tags {
                    let present = list
                        .iter()
                        .any(|t| t.get("Key").and_then(Value::as_str) == Some(k.as_str()));
                    if !present {
                        list.push(json!({"Key": k, "Value": v}));
                    }
                }
            }
        }
        TagStyle::Map => {
            let entry = obj
                .entry(prop.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(map) = entry.as_object_mut() {
                for (k, v) in tags {
                    map.entry(k.clone()).or_insert_with(|| json!(v));
                }
            }
        }
    }
}

fn apply_override(root: &mut Value, pointer: &str, value: Option<Value>) -> Result<(), String> {
    if !pointer.starts_with('/') {
        return Err(format!("override pointer `{pointer}` must start with `/`"));
    }
    let parts: Vec<String> = pointer[1..]
        .split('/')
        .map(super::pointer::unescape_segment)
        .collect();
    let (last, parents) = parts
        .split_last()
        .ok_or_else(|| "empty override pointer".to_owned())?;
    let mut cur = root;
    for p in parents {
        cur = match cur {
            Value::Object(m) => m
                .entry(p.clone())
                .or_insert_with(|| Value::Object(Map::new())),
            Value::Array(a) => {
                let i: usize = p
                    .parse()
                    .map_err(|_| format!("override pointer `{pointer}`: `{p}` is not an index"))?;
                a.get_mut(i).ok_or_else(|| {
                    format!("override pointer `{pointer}`: index {i} is out of range")
                })?
            }
            _ => {
                return Err(format!(
                    "override pointer `{pointer}` goes through a scalar at `{p}`"
                ));
            }
        };
    }
    match (cur, value) {
        (Value::Object(m), Some(v)) => {
            m.insert(last.clone(), v);
        }
        (Value::Object(m), None) => {
            m.remove(last);
        }
        (Value::Array(a), v) => {
            let i: usize = last
                .parse()
                .map_err(|_| format!("override pointer `{pointer}`: `{last}` is not an index"))?;
            match v {
                Some(v) if i < a.len() => a[i] = v,
                Some(v) if i == a.len() => a.push(v),
                None if i < a.len() => {
                    a.remove(i);
                }
                _ => {
                    return Err(format!(
                        "override pointer `{pointer}`: index {i} is out of range"
                    ));
                }
            }
        }
        _ => return Err(format!("override pointer `{pointer}` ends in a scalar")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_pointer_sets_and_deletes() {
        let mut v = json!({"Properties": {"A": [1, 2], "B": {"C": 1}}});
        apply_override(&mut v, "/Properties/A/1", Some(json!(3))).unwrap();
        apply_override(&mut v, "/Properties/A/2", Some(json!(4))).unwrap();
        apply_override(&mut v, "/Properties/B/C", None).unwrap();
        apply_override(&mut v, "/Properties/D~1E/F", Some(json!("x"))).unwrap();
        assert_eq!(
            v,
            json!({"Properties": {"A": [1, 3, 4], "B": {}, "D/E": {"F": "x"}}})
        );
        assert!(apply_override(&mut v, "/Properties/A/9", Some(json!(1))).is_err());
        assert!(apply_override(&mut v, "Properties", Some(json!(1))).is_err());
    }

    #[test]
    fn tags_follow_the_type_style() {
        let mut tags = BTreeMap::new();
        tags.insert("team".to_owned(), "grpc".to_owned());
        let mut list =
            json!({"Tags": [{"Key": "team", "Value": "mine"}, {"Key": "x", "Value": "y"}]});
        apply_tags(&mut list, TagStyle::List, "Tags", &tags);
        assert_eq!(
            list,
            json!({"Tags": [{"Key": "team", "Value": "mine"}, {"Key": "x", "Value": "y"}]})
        );
        let mut empty = json!({});
        apply_tags(&mut empty, TagStyle::List, "Tags", &tags);
        assert_eq!(empty, json!({"Tags": [{"Key": "team", "Value": "grpc"}]}));
        let mut map = json!({});
        apply_tags(&mut map, TagStyle::Map, "Tags", &tags);
        assert_eq!(map, json!({"Tags": {"team": "grpc"}}));
        let mut none = json!({});
        apply_tags(&mut none, TagStyle::None, "Tags", &tags);
        assert_eq!(none, json!({}));
    }
}
