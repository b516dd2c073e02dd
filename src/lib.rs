//! # formwork (toolkit)
//!
//! The CLI and the pieces it drives: synth into an out dir, validation, diff, deploy.

pub mod assembly;
pub mod check;
pub mod cli;
pub mod deploy;
pub mod diff;
pub mod diff_render;
pub mod synth;
