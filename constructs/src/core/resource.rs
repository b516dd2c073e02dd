//! The contract between the generated L1 structs and the stack.

use std::any::Any;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::Serialize;

use super::expr::{Attr, Expr};

/// How a resource type takes tags, as its registry schema says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagStyle {
    /// The type takes no tags through CloudFormation.
    None,
    /// `Tags: [{Key, Value}, …]` (the common style).
    List,
    /// `Tags: {key: value, …}` (for example `AWS::EKS::Nodegroup`).
    Map,
}

/// A CloudFormation resource type: implemented by every generated L1 struct.
pub trait Resource: Serialize + Any + Clone + std::fmt::Debug + Send + Sync {
    /// The CloudFormation type name, e.g. `AWS::ECR::Repository`.
    const CFN_TYPE: &'static str;
    /// How stack-level tags are applied to this type.
    const TAG_STYLE: TagStyle;
    /// The property that holds the tags (usually `Tags`), when the type is taggable.
    const TAG_PROPERTY: &'static str = "Tags";
}

/// A handle to a resource added to a stack: its stack and logical id, typed by the L1 struct so
/// that the generated attribute accessors (`repo.attr_arn()`) exist only for the right type.
/// The attributes it hands out name their stack, so passing one to a construct of another stack
/// makes a cross-stack reference (see [`super::xref`]).
pub struct ResourceRef<R> {
    stack: Arc<str>,
    logical_id: String,
    kind: PhantomData<fn() -> R>,
}

impl<R> ResourceRef<R> {
    /// A handle for a logical id in the named stack. Normally returned by `Scope::add`.
    pub fn new(stack: &str, logical_id: impl Into<String>) -> Self {
        Self::in_stack(Arc::from(stack), logical_id)
    }

    pub(crate) fn in_stack(stack: Arc<str>, logical_id: impl Into<String>) -> Self {
        ResourceRef {
            stack,
            logical_id: logical_id.into(),
            kind: PhantomData,
        }
    }

    /// The logical id.
    pub fn logical_id(&self) -> &str {
        &self.logical_id
    }

    /// The name of the stack the resource is in.
    pub fn stack_name(&self) -> &str {
        &self.stack
    }

    /// `Ref` to this resource, with the marker `K` chosen by the caller (the generated
    /// `ref_()` accessor picks the type's own marker).
    pub fn ref_as<K>(&self) -> Attr<K> {
        Attr::new(Expr::Stack(
            self.stack.clone(),
            Box::new(Expr::Ref(self.logical_id.clone())),
        ))
    }

    /// `Fn::GetAtt` on this resource. Used by the generated accessors; attribute names are
    /// written only there.
    pub fn get_att_as<K>(&self, attribute: &str) -> Attr<K> {
        Attr::new(Expr::Stack(
            self.stack.clone(),
            Box::new(Expr::GetAtt(self.logical_id.clone(), attribute.to_owned())),
        ))
    }
}

impl<R> Clone for ResourceRef<R> {
    fn clone(&self) -> Self {
        ResourceRef::in_stack(self.stack.clone(), self.logical_id.clone())
    }
}

impl<R> std::fmt::Debug for ResourceRef<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ResourceRef({}/{})", self.stack, self.logical_id)
    }
}

impl<R> PartialEq for ResourceRef<R> {
    fn eq(&self, other: &Self) -> bool {
        self.stack == other.stack && self.logical_id == other.logical_id
    }
}

/// Object-safe view of a resource, so a stack can hold many types and still hand back typed
/// access to the L1 (`Stack::l1_mut`).
pub(crate) trait ErasedResource: std::fmt::Debug + Send + Sync {
    fn cfn_type(&self) -> &'static str;
    fn tag_style(&self) -> TagStyle;
    fn tag_property(&self) -> &'static str;
    fn to_value(&self) -> Result<serde_json::Value, serde_json::Error>;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn as_any(&self) -> &dyn Any;
}

impl<R: Resource> ErasedResource for R {
    fn cfn_type(&self) -> &'static str {
        R::CFN_TYPE
    }
    fn tag_style(&self) -> TagStyle {
        R::TAG_STYLE
    }
    fn tag_property(&self) -> &'static str {
        R::TAG_PROPERTY
    }
    fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::to_value(self)
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Implements [`super::L1Handle`] and `logical_id()` for an L2 handle whose `resource` field is
/// the L1 resource it stands for (`imported` when the field is an `Option`: `None` for an
/// existing resource that formwork did not create).
#[macro_export]
macro_rules! l1_handle {
    ($handle:ty, $l1:ty) => {
        impl $crate::core::L1Handle for $handle {
            type L1 = $l1;
            fn l1_ref(&self) -> Result<$crate::core::ResourceRef<$l1>, $crate::core::Error> {
                Ok(self.resource.clone())
            }
        }

        impl $handle {
            /// The logical id of the construct's main resource.
            pub fn logical_id(&self) -> &str {
                self.resource.logical_id()
            }
        }
    };
    (imported $handle:ty, $l1:ty) => {
        impl $crate::core::L1Handle for $handle {
            type L1 = $l1;
            fn l1_ref(&self) -> Result<$crate::core::ResourceRef<$l1>, $crate::core::Error> {
                self.resource
                    .clone()
                    .ok_or_else(|| $crate::core::Error::Construct {
                        path: stringify!($handle).to_owned(),
                        message: "an imported resource: formwork did not create it, so it has no L1 to edit".to_owned(),
                    })
            }
        }

        impl $handle {
            /// The logical id of the construct's main resource; `None` when it is imported.
            pub fn logical_id(&self) -> Option<&str> {
                self.resource.as_ref().map(|r| r.logical_id())
            }

            /// Whether the handle stands for an existing resource that formwork did not create.
            pub fn is_imported(&self) -> bool {
                self.resource.is_none()
            }
        }
    };
}
