//! The stack: an arena that constructs write their resources into, plus its parameters,
//! mappings, conditions and outputs, rendered as one CloudFormation template.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::entry::ResourceEntry;
use super::error::Error;
use super::expr::{Attr, Expr};
use super::parameter::{Output, Parameter};
use super::render;
use super::resource::{Resource, ResourceRef};
use super::scope::{Scope, logical_id_from_path, validate_logical_id};
use super::xref::{self, Wiring};

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

/// A CloudFormation stack: an arena of resources plus parameters, mappings, conditions, outputs.
#[derive(Debug)]
pub struct Stack {
    name: String,
    /// The name, shared by every reference this stack hands out (see [`Expr::Stack`]).
    key: Arc<str>,
    env: Env,
    description: Option<String>,
    parameters: Vec<(String, Parameter)>,
    mappings: Vec<(String, Value)>,
    conditions: Vec<(String, Expr)>,
    resources: Vec<ResourceEntry>,
    outputs: Vec<(String, Output)>,
    tags: BTreeMap<String, String>,
    /// logical id → construct path, for resources and parameters (one namespace in CFN).
    ids: BTreeMap<String, String>,
    /// Every construct path claimed so far (for sibling uniqueness).
    paths: BTreeSet<String>,
    /// Construct paths with an explicit logical id ([`Scope::pin_logical_id`]).
    pins: BTreeMap<String, String>,
}

impl Stack {
    /// A new, empty stack. The name must be a valid CloudFormation stack name.
    pub fn new(name: impl Into<String>, env: Env) -> Result<Stack, Error> {
        let name = name.into();
        validate_stack_name(&name)?;
        Ok(Stack {
            key: Arc::from(name.as_str()),
            name,
            env,
            description: None,
            parameters: Vec::new(),
            mappings: Vec::new(),
            conditions: Vec::new(),
            resources: Vec::new(),
            outputs: Vec::new(),
            tags: BTreeMap::new(),
            ids: BTreeMap::new(),
            paths: BTreeSet::new(),
            pins: BTreeMap::new(),
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
        self.parameters.push((id.to_owned(), p));
        self.parameter_ref(id)
            .ok_or_else(|| missing_resource(&self.name, id))
    }

    /// Whether a parameter exists.
    pub fn has_parameter(&self, id: &str) -> bool {
        self.parameters.iter().any(|(k, _)| k == id)
    }

    /// A typed `Ref` to parameter `id`, when the stack has it (the same value
    /// [`Stack::add_parameter`] returned).
    pub fn parameter_ref<K>(&self, id: &str) -> Option<Attr<K>> {
        self.has_parameter(id).then(|| {
            Attr::new(Expr::Stack(
                self.key.clone(),
                Box::new(Expr::Ref(id.to_owned())),
            ))
        })
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
            .find(|e| e.logical_id() == logical_id)
    }

    /// Typed access to the L1 resource behind a handle (an L1 [`ResourceRef`] or an L2 handle):
    /// the first escape hatch. An error, not `None`, when the handle is of another stack or
    /// names no resource of that type here.
    pub fn l1_mut<H: L1Handle>(&mut self, h: &H) -> Result<&mut H::L1, Error> {
        let r = h.l1_ref()?;
        let (stack, id) = (self.name.clone(), r.logical_id().to_owned());
        self.check_own(&r)?;
        let entry = self
            .entry_mut(&id)
            .ok_or_else(|| missing_resource(&stack, &id))?;
        let found = entry.cfn_type();
        entry
            .l1_mut::<H::L1>()
            .ok_or_else(|| wrong_type(&stack, &id, found, H::L1::CFN_TYPE))
    }

    /// Typed read access to the L1 resource behind a handle (see [`Stack::l1_mut`]).
    pub fn l1<H: L1Handle>(&self, h: &H) -> Result<&H::L1, Error> {
        let r = h.l1_ref()?;
        self.check_own(&r)?;
        let id = r.logical_id();
        let entry = self
            .resources
            .iter()
            .find(|e| e.logical_id() == id)
            .ok_or_else(|| missing_resource(&self.name, id))?;
        entry
            .l1::<H::L1>()
            .ok_or_else(|| wrong_type(&self.name, id, entry.cfn_type(), H::L1::CFN_TYPE))
    }

    fn check_own<R>(&self, r: &ResourceRef<R>) -> Result<(), Error> {
        if r.stack_name() == self.name {
            Ok(())
        } else {
            Err(Error::Stack {
                stack: self.name.clone(),
                message: format!(
                    "resource `{}` belongs to stack `{}`: edit it through that stack",
                    r.logical_id(),
                    r.stack_name()
                ),
            })
        }
    }

    /// The shared name every reference of this stack carries.
    pub(crate) fn key(&self) -> &Arc<str> {
        &self.key
    }

    pub(crate) fn push_entry(&mut self, e: ResourceEntry) {
        self.resources.push(e);
    }

    pub(crate) fn pin(&mut self, path: String, logical_id: String) -> Result<(), Error> {
        if self.paths.contains(&path) || self.pins.contains_key(&path) {
            return Err(Error::Stack {
                stack: self.name.clone(),
                message: format!(
                    "`{path}` already exists or has an explicit logical id: pin a logical id before the construct is created, once"
                ),
            });
        }
        self.pins.insert(path, logical_id);
        Ok(())
    }

    /// The logical id of a construct path: the path rule of [`logical_id_from_path`], below the
    /// deepest pinned ancestor when there is one.
    pub(crate) fn logical_id_of(&self, segments: &[&str]) -> String {
        for n in (1..=segments.len()).rev() {
            if self.pins.is_empty() {
                break;
            }
            if let Some(pinned) = self.pins.get(&segments[..n].join("/")) {
                return format!("{pinned}{}", logical_id_from_path(&segments[n..]));
            }
        }
        logical_id_from_path(segments)
    }

    pub(crate) fn claim_id(&mut self, id: &str, path: &str) -> Result<(), Error> {
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

    pub(crate) fn claim_path(&mut self, path: &str) -> Result<(), Error> {
        if !self.paths.insert(path.to_owned()) {
            return Err(Error::DuplicateId {
                stack: self.name.clone(),
                path: path.to_owned(),
            });
        }
        Ok(())
    }

    /// Renders the template as a JSON value (deterministic: model order everywhere). A stack
    /// rendered alone cannot read another stack's values: render the app
    /// ([`super::App::synthesize`]) to wire cross-stack references.
    pub fn to_template(&self) -> Result<Value, Error> {
        let (t, found) = self.render(&Arc::new(Wiring::default()));
        let t = t?;
        if let Some(r) = found.foreign.first() {
            return Err(self.unwired(&r.producer));
        }
        if let Some(s) = found.unknown.first() {
            return Err(self.unwired(s));
        }
        Ok(t)
    }

    fn unwired(&self, other: &str) -> Error {
        Error::Stack {
            stack: self.name.clone(),
            message: format!(
                "uses a value of stack `{other}`: add both stacks to one App and synthesize the app, which wires the reference"
            ),
        }
    }

    /// Renders the template with `wiring` describing the other stacks of the app.
    pub(crate) fn render(&self, wiring: &Arc<Wiring>) -> (Result<Value, Error>, xref::Found) {
        xref::render_in(&self.key, self.region(), wiring, || self.render_template())
    }

    fn render_template(&self) -> Result<Value, Error> {
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
            res.insert(e.logical_id().to_owned(), e.render(&self.name, &self.tags)?);
        }
        t.insert("Resources".into(), Value::Object(res));
        if !self.outputs.is_empty() {
            let mut m = Map::new();
            for (k, o) in &self.outputs {
                m.insert(k.clone(), o.to_value());
            }
            t.insert("Outputs".into(), Value::Object(m));
        }
        Ok(Value::Object(t))
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

/// A handle that stands for one L1 resource of a stack: an L1 [`ResourceRef`] or an L2
/// construct's handle, for [`Stack::l1_mut`].
pub trait L1Handle {
    /// The generated L1 struct.
    type L1: Resource;
    /// The resource, or an error when the handle stands for none (an imported resource).
    fn l1_ref(&self) -> Result<ResourceRef<Self::L1>, Error>;
}

impl<R: Resource> L1Handle for ResourceRef<R> {
    type L1 = R;
    fn l1_ref(&self) -> Result<ResourceRef<R>, Error> {
        Ok(self.clone())
    }
}

fn missing_resource(stack: &str, id: &str) -> Error {
    Error::Stack {
        stack: stack.to_owned(),
        message: format!("no resource `{id}` in this stack"),
    }
}

fn wrong_type(stack: &str, id: &str, found: &str, wanted: &str) -> Error {
    Error::Stack {
        stack: stack.to_owned(),
        message: format!("resource `{id}` is a `{found}`, not a `{wanted}`"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_names_are_checked() {
        assert!(Stack::new("grpc-edge-1", Env::default()).is_ok());
        assert!(Stack::new("1abc", Env::default()).is_err());
        assert!(Stack::new("a_b", Env::default()).is_err());
    }
}
