//! The construct core: expressions, typed attributes, the stack arena, logical ids, rendering.

pub mod expr;
pub mod resource;

pub use expr::{Attr, Expr, Pseudo, Val, list};
pub use resource::{Resource, ResourceRef, TagStyle};
