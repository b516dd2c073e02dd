//! The construct core: expressions, typed attributes, the stack arena, logical ids, rendering,
//! and the app that wires values across stacks.

pub mod app;
pub mod arn;
pub mod entry;
pub mod error;
pub mod expr;
pub mod parameter;
pub mod pointer;
pub mod render;
pub mod resource;
pub mod scope;
pub mod stack;
pub mod xref;

pub use app::{App, StackRead, StackTemplate};
pub use entry::{RemovalPolicy, ResourceEntry};
pub use error::Error;
pub use expr::{Attr, Expr, Pseudo, Val, list};
pub use parameter::{Lookup, Output, Parameter, ParameterRef};
pub use resource::{Resource, ResourceRef, TagStyle};
pub use scope::{Scope, logical_id_from_path, validate_logical_id};
pub use stack::{Env, L1Handle, Stack};
pub use xref::CrossStackMode;
