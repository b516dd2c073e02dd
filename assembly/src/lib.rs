//! # formwork-assembly
//!
//! The cloud assembly: the one typed model of everything synth hands `diff` and `deploy` — per
//! stack its template, Region, parameters and where each value comes from, outputs and who
//! reads them, capabilities, tags and deploy order; the extra files (Kubernetes manifests, Helm
//! values) and their `${Name}` placeholders; the runbook spec. Built-in blueprints and users'
//! own apps both produce an [`Assembly`] (from a construct [`App`](formwork_constructs::core::App));
//! `manifest.json` is its serialization (with a `format` version and a committed JSON Schema,
//! `assembly/manifest.schema.json`).
//!
//! Layering: construct core → L1 → L2 → **assembly** → blueprints → toolkit.

pub mod build;
pub mod io;
pub mod layout;
pub mod model;
pub mod placeholder;
pub mod runbook;

pub use build::capabilities;
pub use formwork_constructs::core::CrossStackMode;
pub use io::{ReadError, manifest_schema};
pub use model::{
    Assembly, CrossStack, FORMAT, FileArtifact, FileKind, OutputRef, OutputSpec, ParameterSpec,
    Source, StackArtifact, StackRead, ValueSource,
};
pub use placeholder::{placeholder, placeholders_in, resolve_placeholders};
pub use runbook::RunbookSpec;

/// CloudFormation's limit for a template body passed inline (`--template-body`).
pub const INLINE_BODY_LIMIT: usize = 51_200;

/// Options of one synth that reach the app being built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SynthOptions {
    /// How values cross stacks, when the operator chose (`formwork synth --cross-stack`); `None`
    /// keeps the app's own choice (by default `Fn::GetStackOutput`).
    pub cross_stack: Option<CrossStackMode>,
}

impl SynthOptions {
    /// Applies the options to an app before it is synthesized.
    pub fn apply(&self, app: &mut formwork_constructs::core::App) {
        if let Some(m) = self.cross_stack {
            app.set_cross_stack_mode(m);
        }
    }
}
