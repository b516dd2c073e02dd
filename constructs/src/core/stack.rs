//! App, Stack and Scope: the stack is an arena that constructs write their resources into.
//!
//! A construct's constructor takes `&mut Scope` (a stack plus a construct path), adds its L1
//! resources at once and returns a small handle. Logical ids come from the path: PascalCase
//! segments below the stack, concatenated, with `Default` segments and a trailing `Resource`
//! dropped. Two paths that give the same id are an error naming both.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::error::Error;
use super::expr::{Attr, Expr};
use super::render;
use super::resource::{ErasedResource, Resource, ResourceRef, TagStyle};

/// Where a stack is deployed. `None` means environment-agnostic (taken from the CLI at deploy).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    /// The Region, e.g. `eu-west-1`.
    pub region: Option<String>,
    /// The account id.
    pub account: Option<String>,
}

impl Env {
    /// An environment pinned to a Region, any account.
    pub fn region(region: impl Into<String>) -> Env {
        Env {
            region: Some(region.into()),
            account: None,
        }
    }
}

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

/// A template parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// `String`, `Number`, `List<Number>`, `CommaDelimitedList`, `AWS::EC2::VPC::Id`, …
    pub type_: String,
    /// Shown in the console and in `DEPLOY.md`.
    pub description: Option<String>,
    /// Default value. Default: none (the value must be given at deploy).
    pub default: Option<Value>,
    /// Allowed values. Default: any.
    pub allowed_values: Vec<Value>,
    /// Regex the value must match. Default: none.
    pub allowed_pattern: Option<String>,
    /// Message shown when a constraint fails.
    pub constraint_description: Option<String>,
    /// Minimum length (String). Default: none.
    pub min_length: Option<u32>,
    /// Maximum length (String). Default: none.
    pub max_length: Option<u32>,
    /// Mask the value in the console and API. Default: false.
    pub no_echo: bool,
}

impl Parameter {
    /// A `String` parameter.
    pub fn string(description: impl Into<String>) -> Parameter {
        Parameter::of_type("String", description)
    }

    /// A parameter of any CloudFormation parameter type.
    pub fn of_type(type_: impl Into<String>, description: impl Into<String>) -> Parameter {
        Parameter {
            type_: type_.into(),
            description: Some(description.into()),
            default: None,
            allowed_values: Vec::new(),
            allowed_pattern: None,
            constraint_description: None,
            min_length: None,
            max_length: None,
            no_echo: false,
        }
    }

    /// Sets the default value.
    pub fn with_default(mut self, v: impl Into<Value>) -> Parameter {
        self.default = Some(v.into());
        self
    }

    /// Sets the allowed pattern and the message shown when it fails.
    pub fn with_pattern(
        mut self,
        pattern: impl Into<String>,
        message: impl Into<String>,
    ) -> Parameter {
        self.allowed_pattern = Some(pattern.into());
        self.constraint_description = Some(message.into());
        self
    }

    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("Type".into(), json!(self.type_));
        if let Some(d) = &self.description {
            m.insert("Description".into(), json!(d));
        }
        if let Some(d) = &self.default {
            m.insert("Default".into(), d.clone());
        }
        if !self.allowed_values.is_empty() {
            m.insert(
                "AllowedValues".into(),
                Value::Array(self.allowed_values.clone()),
            );
        }
        if let Some(p) = &self.allowed_pattern {
            m.insert("AllowedPattern".into(), json!(p));
        }
        if let Some(c) = &self.constraint_description {
            m.insert("ConstraintDescription".into(), json!(c));
        }
        if let Some(n) = self.min_length {
            m.insert("MinLength".into(), json!(n));
        }
        if let Some(n) = self.max_length {
            m.insert("MaxLength".into(), json!(n));
        }
        if self.no_echo {
            m.insert("NoEcho".into(), json!(true));
        }
        Value::Object(m)
    }
}

/// Marker for `Ref` to a template parameter.
pub enum ParameterRef {}

/// Where the value of a stack parameter comes from at deploy time (recorded in `manifest.json`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ParamSource {
    /// The parameter's own default.
    Default,
    /// A value fixed by the config.
    Value {
        /// The value passed to `--parameter-overrides`.
        value: String,
    },
    /// An output of a stack deployed earlier.
    StackOutput {
        /// Producer stack name.
        stack: String,
        /// Output id in that stack.
        output: String,
    },
    /// Must be given by the operator (no default).
    Operator,
}

/// A stack output.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// The value.
    pub value: Expr,
    /// Description.
    pub description: Option<String>,
    /// Export name (same-Region cross-stack references). Default: not exported.
    pub export_name: Option<Expr>,
    /// Condition that gates the output.
    pub condition: Option<String>,
}

impl Output {
    /// An output with a description.
    pub fn new(value: impl Into<Expr>, description: impl Into<String>) -> Output {
        Output {
            value: value.into(),
            description: Some(description.into()),
            export_name: None,
            condition: None,
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
}

/// A CloudFormation stack: an arena of resources plus parameters, mappings, conditions, outputs.
#[derive(Debug)]
pub struct Stack {
    name: String,
    env: Env,
    description: Option<String>,
    parameters: Vec<(String, Parameter)>,
    mappings: Vec<(String, Value)>,
    conditions: Vec<(String, Expr)>,
    resources: Vec<ResourceEntry>,
    outputs: Vec<(String, Output)>,
    tags: BTreeMap<String, String>,
    sources: BTreeMap<String, ParamSource>,
    /// logical id → construct path, for resources and parameters (one namespace in CFN).
    ids: BTreeMap<String, String>,
    /// Every construct path claimed so far (for sibling uniqueness).
    paths: BTreeSet<String>,
}

impl Stack {
    /// A new, empty stack. The name must be a valid CloudFormation stack name.
    pub fn new(name: impl Into<String>, env: Env) -> Result<Stack, Error> {
        let name = name.into();
        validate_stack_name(&name)?;
        Ok(Stack {
            name,
            env,
            description: None,
            parameters: Vec::new(),
            mappings: Vec::new(),
            conditions: Vec::new(),
            resources: Vec::new(),
            outputs: Vec::new(),
            tags: BTreeMap::new(),
            sources: BTreeMap::new(),
            ids: BTreeMap::new(),
            paths: BTreeSet::new(),
        })
    }

    /// The stack name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The environment.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// The Region, when the stack is pinned to one.
    pub fn region(&self) -> Option<&str> {
        self.env.region.as_deref()
    }

    /// Sets the template `Description`.
    pub fn set_description(&mut self, d: impl Into<String>) {
        self.description = Some(d.into());
    }

    /// Adds a tag applied to every taggable resource (in the style of its type) at render time.
    pub fn add_tag(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.tags.insert(key.into(), value.into());
    }

    /// Stack-level tags (also passed to `aws cloudformation deploy --tags`).
    pub fn tags(&self) -> &BTreeMap<String, String> {
        &self.tags
    }

    /// The root scope of this stack.
    pub fn root(&mut self) -> Scope<'_> {
        Scope {
            stack: self,
            path: Vec::new(),
        }
    }

    /// Adds a parameter and returns a typed `Ref` to it. Parameters share the logical-id
    /// namespace with resources.
    pub fn add_parameter<K>(&mut self, id: &str, p: Parameter) -> Result<Attr<K>, Error> {
        validate_logical_id(id)?;
        self.claim_id(id, &format!("Parameters/{id}"))?;
        let src = if p.default.is_some() {
            ParamSource::Default
        } else {
            ParamSource::Operator
        };
        self.sources.insert(id.to_owned(), src);
        self.parameters.push((id.to_owned(), p));
        Ok(Attr::new(Expr::Ref(id.to_owned())))
    }

    /// Records where a parameter's value comes from at deploy time.
    pub fn set_parameter_source(&mut self, id: &str, src: ParamSource) -> Result<(), Error> {
        if !self.has_parameter(id) {
            return Err(Error::Stack {
                stack: self.name.clone(),
                message: format!("no parameter `{id}` to wire"),
            });
        }
        self.sources.insert(id.to_owned(), src);
        Ok(())
    }

    /// Where a parameter's value comes from.
    pub fn parameter_source(&self, id: &str) -> Option<&ParamSource> {
        self.sources.get(id)
    }

    /// Whether a parameter exists.
    pub fn has_parameter(&self, id: &str) -> bool {
        self.parameters.iter().any(|(k, _)| k == id)
    }

    /// Parameters in declaration order.
    pub fn parameters(&self) -> &[(String, Parameter)] {
        &self.parameters
    }

    /// Adds a mapping (`Mappings.<id>`), a two-level object.
    pub fn add_mapping(&mut self, id: &str, value: Value) -> Result<(), Error> {
        validate_logical_id(id)?;
        if self.mappings.iter().any(|(k, _)| k == id) {
            return Err(Error::Stack {
                stack: self.name.clone(),
                message: format!("mapping `{id}` is defined twice"),
            });
        }
        self.mappings.push((id.to_owned(), value));
        Ok(())
    }

    /// Adds a condition and returns its name.
    pub fn add_condition(&mut self, id: &str, e: Expr) -> Result<String, Error> {
        validate_logical_id(id)?;
        if self.conditions.iter().any(|(k, _)| k == id) {
            return Err(Error::Stack {
                stack: self.name.clone(),
                message: format!("condition `{id}` is defined twice"),
            });
        }
        self.conditions.push((id.to_owned(), e));
        Ok(id.to_owned())
    }

    /// Adds an output.
    pub fn add_output(&mut self, id: &str, o: Output) -> Result<(), Error> {
        validate_logical_id(id)?;
        if self.outputs.iter().any(|(k, _)| k == id) {
            return Err(Error::Stack {
                stack: self.name.clone(),
                message: format!("output `{id}` is defined twice"),
            });
        }
        self.outputs.push((id.to_owned(), o));
        Ok(())
    }

    /// Outputs in declaration order.
    pub fn outputs(&self) -> &[(String, Output)] {
        &self.outputs
    }

    /// Resources in insertion order.
    pub fn resources(&self) -> &[ResourceEntry] {
        &self.resources
    }

    /// Number of resources.
    pub fn resource_count(&self) -> usize {
        self.resources.len()
    }

    /// Mutable access to a resource entry (DependsOn, policies, metadata, overrides).
    pub fn entry_mut(&mut self, logical_id: &str) -> Option<&mut ResourceEntry> {
        self.resources
            .iter_mut()
            .find(|e| e.logical_id == logical_id)
    }

    /// Typed access to an L1 resource after it was added: the first escape hatch.
    pub fn l1_mut<R: Resource>(&mut self, r: &ResourceRef<R>) -> Option<&mut R> {
        self.entry_mut(r.logical_id())?
            .resource
            .as_any_mut()
            .downcast_mut::<R>()
    }

    /// Typed read access to an L1 resource.
    pub fn l1<R: Resource>(&self, r: &ResourceRef<R>) -> Option<&R> {
        self.resources
            .iter()
            .find(|e| e.logical_id == r.logical_id())?
            .resource
            .as_any()
            .downcast_ref::<R>()
    }

    fn claim_id(&mut self, id: &str, path: &str) -> Result<(), Error> {
        if let Some(other) = self.ids.get(id) {
            return Err(Error::IdCollision {
                stack: self.name.clone(),
                id: id.to_owned(),
                first: other.clone(),
                second: path.to_owned(),
            });
        }
        self.ids.insert(id.to_owned(), path.to_owned());
        Ok(())
    }

    fn claim_path(&mut self, path: &str) -> Result<(), Error> {
        if !self.paths.insert(path.to_owned()) {
            return Err(Error::DuplicateId {
                stack: self.name.clone(),
                path: path.to_owned(),
            });
        }
        Ok(())
    }

    /// Renders the template as a JSON value (deterministic: model order everywhere).
    pub fn to_template(&self) -> Result<Value, Error> {
        let mut t = Map::new();
        t.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        if let Some(d) = &self.description {
            t.insert("Description".into(), json!(d));
        }
        if !self.parameters.is_empty() {
            let mut m = Map::new();
            for (k, p) in &self.parameters {
                m.insert(k.clone(), p.to_value());
            }
            t.insert("Parameters".into(), Value::Object(m));
        }
        if !self.mappings.is_empty() {
            let mut m = Map::new();
            for (k, v) in &self.mappings {
                m.insert(k.clone(), v.clone());
            }
            t.insert("Mappings".into(), Value::Object(m));
        }
        if !self.conditions.is_empty() {
            let mut m = Map::new();
            for (k, e) in &self.conditions {
                m.insert(k.clone(), e.to_value());
            }
            t.insert("Conditions".into(), Value::Object(m));
        }
        let mut res = Map::new();
        for e in &self.resources {
            res.insert(e.logical_id.clone(), self.render_entry(e)?);
        }
        t.insert("Resources".into(), Value::Object(res));
        if !self.outputs.is_empty() {
            let mut m = Map::new();
            for (k, o) in &self.outputs {
                let mut om = Map::new();
                if let Some(d) = &o.description {
                    om.insert("Description".into(), json!(d));
                }
                if let Some(c) = &o.condition {
                    om.insert("Condition".into(), json!(c));
                }
                om.insert("Value".into(), o.value.to_value());
                if let Some(x) = &o.export_name {
                    om.insert("Export".into(), json!({"Name": x.to_value()}));
                }
                m.insert(k.clone(), Value::Object(om));
            }
            t.insert("Outputs".into(), Value::Object(m));
        }
        Ok(Value::Object(t))
    }

    fn render_entry(&self, e: &ResourceEntry) -> Result<Value, Error> {
        let mut props = e.resource.to_value().map_err(|err| Error::Render {
            stack: self.name.clone(),
            logical_id: e.logical_id.clone(),
            message: err.to_string(),
        })?;
        apply_tags(
            &mut props,
            e.resource.tag_style(),
            e.resource.tag_property(),
            &self.tags,
        );
        let mut m = Map::new();
        m.insert("Type".into(), json!(e.resource.cfn_type()));
        if let Some(c) = &e.condition {
            m.insert("Condition".into(), json!(c));
        }
        if !e.depends_on.is_empty() {
            m.insert("DependsOn".into(), json!(e.depends_on));
        }
        if let Some(p) = e.deletion_policy {
            m.insert("DeletionPolicy".into(), json!(p.as_str()));
        }
        if let Some(p) = e.update_replace_policy {
            m.insert("UpdateReplacePolicy".into(), json!(p.as_str()));
        }
        if !e.metadata.is_empty() {
            m.insert("Metadata".into(), Value::Object(e.metadata.clone()));
        }
        if props.as_object().is_some_and(|o| !o.is_empty()) {
            m.insert("Properties".into(), props);
        }
        let mut v = Value::Object(m);
        for (ptr, val) in &e.overrides {
            apply_override(&mut v, ptr, val.clone()).map_err(|message| Error::Render {
                stack: self.name.clone(),
                logical_id: e.logical_id.clone(),
                message,
            })?;
        }
        Ok(v)
    }

    /// Canonical JSON text of the template.
    pub fn to_json(&self) -> Result<String, Error> {
        Ok(render::to_json(&self.to_template()?))
    }

    /// YAML text of the template (same meaning as the JSON).
    pub fn to_yaml(&self) -> Result<String, Error> {
        Ok(render::to_yaml(&self.to_template()?))
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
        .map(|p| super::pointer::unescape_segment(p))
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

/// A construct path inside a stack, with mutable access to the stack.
pub struct Scope<'s> {
    stack: &'s mut Stack,
    path: Vec<String>,
}

impl<'s> Scope<'s> {
    /// The construct path below the stack (`Api/Repo`), empty at the root.
    pub fn path(&self) -> String {
        self.path.join("/")
    }

    /// The path including the stack name (`Regional/Api/Repo`), used in error messages.
    pub fn full_path(&self) -> String {
        if self.path.is_empty() {
            self.stack.name.clone()
        } else {
            format!("{}/{}", self.stack.name, self.path.join("/"))
        }
    }

    /// The stack this scope writes into.
    pub fn stack(&mut self) -> &mut Stack {
        self.stack
    }

    /// Read access to the stack.
    pub fn stack_ref(&self) -> &Stack {
        self.stack
    }

    /// The stack's Region, if pinned.
    pub fn region(&self) -> Option<&str> {
        self.stack.region()
    }

    /// A child scope. `id` must be PascalCase and unique among its siblings.
    pub fn child(&mut self, id: &str) -> Result<Scope<'_>, Error> {
        validate_segment(id, &self.full_path())?;
        let mut path = self.path.clone();
        path.push(id.to_owned());
        let joined = path.join("/");
        self.stack.claim_path(&joined)?;
        Ok(Scope {
            stack: self.stack,
            path,
        })
    }

    /// An error located at this scope's path.
    pub fn error(&self, message: impl Into<String>) -> Error {
        Error::Construct {
            path: self.full_path(),
            message: message.into(),
        }
    }

    /// The logical id a child `id` of this scope would get.
    pub fn logical_id_for(&self, id: &str) -> String {
        let mut segs: Vec<&str> = self.path.iter().map(String::as_str).collect();
        segs.push(id);
        logical_id_from_path(&segs)
    }

    /// Adds an L1 resource as child `id` of this scope (use `Resource` for a construct's main
    /// resource so it takes the construct's own id).
    pub fn add<R: Resource>(&mut self, id: &str, resource: R) -> Result<ResourceRef<R>, Error> {
        let logical_id = self.logical_id_for(id);
        self.add_with_logical_id(id, &logical_id, resource)
    }

    /// Adds an L1 resource with an explicit logical id (the override hook: keeps a resource's
    /// id stable when its construct moves in the tree).
    pub fn add_with_logical_id<R: Resource>(
        &mut self,
        id: &str,
        logical_id: &str,
        resource: R,
    ) -> Result<ResourceRef<R>, Error> {
        validate_segment(id, &self.full_path())?;
        if logical_id.is_empty() {
            return Err(self.error(format!(
                "resource `{id}` has an empty logical id: a path of only `Default`/`Resource` segments needs a named parent"
            )));
        }
        validate_logical_id(logical_id).map_err(|e| self.error(e.to_string()))?;
        let mut path = self.path.clone();
        path.push(id.to_owned());
        let joined = path.join("/");
        self.stack.claim_path(&joined)?;
        self.stack.claim_id(logical_id, &joined)?;
        self.stack.resources.push(ResourceEntry {
            logical_id: logical_id.to_owned(),
            path: joined,
            resource: Box::new(resource),
            depends_on: Vec::new(),
            condition: None,
            deletion_policy: None,
            update_replace_policy: None,
            metadata: Map::new(),
            overrides: Vec::new(),
        });
        Ok(ResourceRef::new(logical_id))
    }

    /// Mutable access to a resource entry added earlier.
    pub fn entry_mut<R>(&mut self, r: &ResourceRef<R>) -> &mut ResourceEntry {
        let id = r.logical_id().to_owned();
        // A ResourceRef is only handed out by `add`, so the entry exists in this stack unless a
        // handle from another stack was passed in: that is a programming error, not user input.
        let idx = self
            .stack
            .resources
            .iter()
            .position(|e| e.logical_id == id)
            .unwrap_or_else(|| panic!("resource `{id}` is not in stack `{}`", self.stack.name));
        &mut self.stack.resources[idx]
    }
}

/// The logical id of a construct path: PascalCase segments concatenated, `Default` segments and
/// a trailing `Resource` dropped.
pub fn logical_id_from_path(segments: &[&str]) -> String {
    let mut segs: Vec<&str> = segments
        .iter()
        .copied()
        .filter(|s| *s != "Default")
        .collect();
    if segs.last() == Some(&"Resource") {
        segs.pop();
    }
    segs.concat()
}

fn validate_segment(id: &str, parent: &str) -> Result<(), Error> {
    let ok = id.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && id.chars().all(|c| c.is_ascii_alphanumeric())
        && id.len() <= 255;
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidId {
            path: parent.to_owned(),
            id: id.to_owned(),
            reason:
                "construct ids are PascalCase: an ASCII capital letter, then letters and digits"
                    .to_owned(),
        })
    }
}

/// Checks CloudFormation's logical-id rule `^[A-Za-z0-9]{1,255}$`.
pub fn validate_logical_id(id: &str) -> Result<(), Error> {
    if !id.is_empty() && id.len() <= 255 && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(Error::InvalidId {
            path: String::new(),
            id: id.to_owned(),
            reason: "logical ids must match ^[A-Za-z0-9]{1,255}$".to_owned(),
        })
    }
}

fn validate_stack_name(name: &str) -> Result<(), Error> {
    let ok = name.len() <= 128
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Error::Stack {
            stack: name.to_owned(),
            message: "stack names start with a letter and contain only letters, digits and hyphens (≤128)".to_owned(),
        })
    }
}

/// An application: stacks in deploy order.
#[derive(Debug, Default)]
pub struct App {
    stacks: Vec<Stack>,
}

impl App {
    /// An empty app.
    pub fn new() -> App {
        App::default()
    }

    /// Adds a stack (deployed after the ones added before it).
    pub fn add_stack(&mut self, name: impl Into<String>, env: Env) -> Result<&mut Stack, Error> {
        let stack = Stack::new(name, env)?;
        if self.stacks.iter().any(|s| s.name == stack.name) {
            return Err(Error::Stack {
                stack: stack.name,
                message: "a stack with this name already exists in the app".into(),
            });
        }
        self.stacks.push(stack);
        let last = self.stacks.len() - 1;
        Ok(&mut self.stacks[last])
    }

    /// Stacks in deploy order.
    pub fn stacks(&self) -> &[Stack] {
        &self.stacks
    }

    /// Mutable access to a stack by name.
    pub fn stack_mut(&mut self, name: &str) -> Option<&mut Stack> {
        self.stacks.iter_mut().find(|s| s.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_drop_default_and_trailing_resource() {
        assert_eq!(
            logical_id_from_path(&["Api", "Repo", "Resource"]),
            "ApiRepo"
        );
        assert_eq!(
            logical_id_from_path(&["Default", "Repo", "Resource"]),
            "Repo"
        );
        assert_eq!(
            logical_id_from_path(&["Net", "Default", "Subnet1"]),
            "NetSubnet1"
        );
        assert_eq!(
            logical_id_from_path(&["Resource", "Policy"]),
            "ResourcePolicy"
        );
        assert_eq!(logical_id_from_path(&["Default", "Resource"]), "");
    }

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

    #[test]
    fn stack_names_are_checked() {
        assert!(Stack::new("grpc-edge-1", Env::default()).is_ok());
        assert!(Stack::new("1abc", Env::default()).is_err());
        assert!(Stack::new("a_b", Env::default()).is_err());
    }
}
