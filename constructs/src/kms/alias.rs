//! [`Alias`]: a friendly name for a KMS key.

use crate::core::{Attr, Error, Scope};
use crate::l1::kms::alias as l1;

use super::key::KeyHandle;

/// What [`Alias::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::Alias>,
    /// `Ref`: the alias name (`alias/…`).
    pub name: Attr<l1::attr::Ref>,
}

crate::l1_handle!(AliasHandle, l1::Alias);

/// An alias `alias/<name>` pointing at a [`Key`](super::Key).
///
/// CloudFormation: [`AWS::KMS::Alias`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-alias.html).
///
/// ```
/// use formwork_constructs::core::{Env, Stack};
/// use formwork_constructs::kms::{Alias, Key, KeyProps};
/// let mut stack = Stack::new("Keys", Env::region("eu-west-1")).unwrap();
/// let mut root = stack.root();
/// let key = Key::new(&mut root, "Platform", KeyProps::default()).unwrap();
/// Alias::new(&mut root, "PlatformAlias", "alias/platform", &key).unwrap();
/// ```
pub struct Alias;

impl Alias {
    /// Adds `alias_name` (starting `alias/`, not `alias/aws/`) for `key` as `scope/id`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        alias_name: &str,
        key: &KeyHandle,
    ) -> Result<AliasHandle, Error> {
        let mut s = scope.child(id)?;
        let rest = alias_name.strip_prefix("alias/");
        let ok = rest.is_some_and(|r| {
            !r.is_empty()
                && alias_name.len() <= 256
                && !r.starts_with("aws/")
                && r.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_-".contains(c))
        });
        if !ok {
            return Err(s.error(format!(
                "alias `{alias_name}` must be `alias/<name>` (letters, digits, /_-; not `alias/aws/`, ≤256)"
            )));
        }
        let a = s.add("Resource", l1::Alias::new(alias_name, &key.key_id))?;
        Ok(AliasHandle {
            resource: a.clone(),
            name: a.ref_(),
        })
    }
}
