//! Scopes (a construct path inside a stack) and the logical-id rules.
//!
//! A construct's constructor takes `&mut Scope`, adds its L1 resources at once and returns a
//! small handle. Logical ids come from the path: PascalCase segments below the stack,
//! concatenated, with `Default` segments and a trailing `Resource` dropped. Two paths that give
//! the same id are an error naming both. [`Scope::pin_logical_id`] gives a construct an explicit
//! id (everything below it keeps its relative naming).

use super::entry::ResourceEntry;
use super::error::Error;
use super::resource::{Resource, ResourceRef};
use super::stack::Stack;

/// A construct path inside a stack, with mutable access to the stack.
pub struct Scope<'s> {
    pub(crate) stack: &'s mut Stack,
    pub(crate) path: Vec<String>,
}

impl<'s> Scope<'s> {
    /// The construct path below the stack (`Api/Repo`), empty at the root.
    pub fn path(&self) -> String {
        self.path.join("/")
    }

    /// The path including the stack name (`Regional/Api/Repo`), used in error messages.
    pub fn full_path(&self) -> String {
        if self.path.is_empty() {
            self.stack.name().to_owned()
        } else {
            format!("{}/{}", self.stack.name(), self.path.join("/"))
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

    /// Gives the construct that will be created as child `id` of this scope an explicit logical
    /// id: its main resource (`id/Resource`) gets `logical_id`, and every other resource below
    /// it `logical_id` followed by its relative path (`id/Policy` → `<logical_id>Policy`). Call
    /// it before the construct is created. Use it to keep a resource's id (and so the resource)
    /// when its construct moves in the tree, or to adopt ids of a template written by hand.
    pub fn pin_logical_id(&mut self, id: &str, logical_id: &str) -> Result<(), Error> {
        validate_segment(id, &self.full_path())?;
        validate_logical_id(logical_id).map_err(|e| self.error(e.to_string()))?;
        let mut path = self.path.clone();
        path.push(id.to_owned());
        self.stack.pin(path.join("/"), logical_id.to_owned())
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
        self.stack.logical_id_of(&segs)
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
        self.stack
            .push_entry(ResourceEntry::new(logical_id.to_owned(), joined, resource));
        Ok(ResourceRef::in_stack(self.stack.key().clone(), logical_id))
    }

    /// Mutable access to a resource entry added earlier in this scope's stack.
    pub fn entry_mut<R>(&mut self, r: &ResourceRef<R>) -> &mut ResourceEntry {
        // A ResourceRef is only handed out by `add`, so the entry exists in this stack unless a
        // handle from another stack was passed in: that is a programming error, not user input.
        let stack = self.stack.name().to_owned();
        self.stack
            .entry_mut(r.logical_id())
            .unwrap_or_else(|| panic!("resource `{}` is not in stack `{stack}`", r.logical_id()))
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

pub(crate) fn validate_segment(id: &str, parent: &str) -> Result<(), Error> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{App, Env};
    use crate::l1::ecr::repository::Repository;

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
    fn pinned_logical_ids_replace_the_path_prefix() {
        let mut app = App::new();
        let st = app.add_stack("s", Env::default()).unwrap();
        let mut root = st.root();
        root.pin_logical_id("Api", "LegacyRepo").unwrap();
        let mut api = root.child("Api").unwrap();
        let main = api.add("Resource", Repository::new()).unwrap();
        let other = api.add("Mirror", Repository::new()).unwrap();
        let mut deep = api.child("Inner").unwrap();
        let inner = deep.add("Resource", Repository::new()).unwrap();
        assert_eq!(main.logical_id(), "LegacyRepo");
        assert_eq!(other.logical_id(), "LegacyRepoMirror");
        assert_eq!(inner.logical_id(), "LegacyRepoInner");
        assert!(root.pin_logical_id("Api", "X").is_err(), "pinned twice");
        assert!(root.pin_logical_id("Other", "bad-id").is_err());
    }
}
