//! Validation of rendered stacks before anything is written.

use formwork_constructs::core::App;

use crate::assembly::RenderedStack;

/// One rendered diagnostic line.
#[derive(Debug, Clone)]
pub struct Line {
    /// Whether it is an error (blocks synth).
    pub is_error: bool,
    /// The human line.
    pub line: String,
}

/// Validates every rendered stack; returns all diagnostics, errors first.
pub fn check_rendered(_app: &App, _rendered: &[RenderedStack]) -> Vec<Line> {
    Vec::new()
}
