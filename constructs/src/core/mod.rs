//! The construct core: expressions, typed attributes, the stack arena, logical ids, rendering.

pub mod error;
pub mod expr;
pub mod pointer;
pub mod render;
pub mod resource;
pub mod stack;

pub use error::Error;
pub use expr::{Attr, Expr, Pseudo, Val, list};
pub use resource::{Resource, ResourceRef, TagStyle};
pub use stack::{
    App, Env, Output, ParamSource, Parameter, ParameterRef, RemovalPolicy, ResourceEntry, Scope,
    Stack, logical_id_from_path,
};
