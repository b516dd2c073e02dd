//! Diagnostics: one finding with severity, stable code, location, message and fix.

use serde::Serialize;

use super::registry::Code;

/// How bad a finding is. `Error` fails `validate` (and blocks `synth`); `Warning` fails only
/// with `--strict`; `Info` never fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The template will not deploy, or deploys broken.
    Error,
    /// The template deploys but is probably wrong or unsafe.
    Warning,
    /// Worth knowing, never fails.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Severity.
    pub severity: Severity,
    /// Stable rule code, e.g. `FW-GRPC-001` (documented in `docs/rules.md`).
    pub code: &'static str,
    /// Source file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line in `file` (load errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column in `file` (load errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Stack name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    /// Logical id of the resource (or parameter/output) concerned; `None` for the template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logical_id: Option<String>,
    /// JSON pointer inside the resource (`/Properties/Protocol`), or inside the template when
    /// `logical_id` is `None`. Empty for the whole object.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

impl Diagnostic {
    /// A new diagnostic, with the code's registry severity, without file/stack (filled in by [`super::validate_template`]).
    pub fn new(
        code: Code,
        logical_id: Option<&str>,
        pointer: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity: code.severity(),
            code: code.as_str(),
            file: None,
            line: None,
            column: None,
            stack: None,
            logical_id: logical_id.map(str::to_owned),
            pointer: pointer.into(),
            message: message.into(),
            fix: fix.into(),
        }
    }

    fn sort_key(&self) -> impl Ord + '_ {
        (
            &self.file,
            &self.stack,
            &self.logical_id,
            &self.pointer,
            self.code,
            self.severity,
            &self.message,
        )
    }

    /// `error FW-GRPC-003 file.yaml:Stack/LogicalId /Properties/Protocol: message (fix: …)`
    pub fn render(&self) -> String {
        let mut loc = String::new();
        if let Some(f) = &self.file {
            loc.push_str(f);
            loc.push(':');
        }
        if let (Some(l), Some(c)) = (self.line, self.column) {
            let out = format!(
                "{} {} {loc}{l}:{c}: {}",
                self.severity.as_str(),
                self.code,
                self.message
            );
            return format!("{out} (fix: {})", self.fix);
        }
        if let Some(s) = &self.stack {
            loc.push_str(s);
            loc.push('/');
        }
        loc.push_str(self.logical_id.as_deref().unwrap_or("template"));
        let mut out = format!("{} {} {}", self.severity.as_str(), self.code, loc);
        if !self.pointer.is_empty() {
            out.push(' ');
            out.push_str(&self.pointer);
        }
        out.push_str(": ");
        out.push_str(&self.message);
        if !self.fix.is_empty() {
            out.push_str(" (fix: ");
            out.push_str(&self.fix);
            out.push(')');
        }
        out
    }
}

/// Sorts by location then code, and removes exact duplicates. Deterministic.
pub fn sort_diagnostics(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
}

/// One line per diagnostic (see [`Diagnostic::render`]), each ending in `\n`.
pub fn render_human(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&d.render());
        out.push('\n');
    }
    out
}

/// A pretty JSON array of diagnostics (`--format json`).
pub fn render_json(diags: &[Diagnostic]) -> String {
    serde_json::to_string_pretty(diags).unwrap_or_else(|_| "[]".to_owned())
}

/// Counts `(errors, warnings, infos)`.
pub fn counts(diags: &[Diagnostic]) -> (usize, usize, usize) {
    diags
        .iter()
        .fold((0, 0, 0), |(e, w, i), d| match d.severity {
            Severity::Error => (e + 1, w, i),
            Severity::Warning => (e, w + 1, i),
            Severity::Info => (e, w, i + 1),
        })
}

pub use crate::core::pointer::{escape_segment, unescape_segment};
