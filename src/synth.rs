//! `formwork synth`: build the assembly (a blueprint from its config, or a user's app) →
//! validate every stack → render the runbook → write the out dir atomically.

use std::path::Path;

use formwork_assembly::{Assembly, FileKind, SynthOptions};
use formwork_blueprints::{Blueprint, ConfigError};

use crate::check;

/// What a successful synth produced.
#[derive(Debug)]
pub struct SynthReport {
    /// Blueprint or app name.
    pub source: String,
    /// The config file label (path as given, `<built-in example>`, or the app's name).
    pub label: String,
    /// The assembly written.
    pub assembly: Assembly,
    /// Warnings (validation), one line each.
    pub warnings: Vec<String>,
}

/// Why synth wrote nothing.
#[derive(Debug)]
pub enum SynthError {
    /// The config is wrong.
    Config {
        /// File label.
        label: String,
        /// Every error found.
        errors: Vec<ConfigError>,
    },
    /// The user's app refused to build (its construct error, with the construct path).
    App(String),
    /// Validation found errors in the rendered templates (rendered lines).
    Diagnostics(Vec<String>),
    /// Reading the config or writing the out dir failed.
    Io(String),
}

/// The built-in config used when no `-c` is given.
pub fn default_config() -> &'static str {
    formwork_blueprints::find(formwork_blueprints::DEFAULT_BLUEPRINT)
        .map(|b| b.example)
        .unwrap_or("")
}

/// Builds a blueprint's assembly from config bytes. The registry-schema validators of the
/// blueprint's types start compiling on a second thread as soon as the config names its
/// blueprint, while this one checks the config and builds.
pub fn build_blueprint(
    bytes: &[u8],
    label: &str,
    opts: &SynthOptions,
) -> Result<Assembly, SynthError> {
    std::thread::scope(|scope| {
        let mut warm = None;
        let built = formwork_blueprints::load_and_build_with(bytes, opts, |bp| {
            warm = Some(scope.spawn(move || check::warm(bp.resource_types, false)));
        });
        let result = built
            .map(|(_, asm)| asm)
            .map_err(|errors| SynthError::Config {
                label: label.to_owned(),
                errors,
            });
        if let Ok(asm) = &result {
            check::warm(&check::used_types(asm), true);
        }
        if let Some(h) = warm {
            let _ = h.join();
        }
        result
    })
}

/// Every file of an out dir, `(relative path, bytes)`, and what synth reports.
pub type Files = (Vec<(String, Vec<u8>)>, SynthReport);

/// Validates an assembly and renders its runbook: every file of the out dir, in memory (the
/// same whatever the out dir is called: the runbook names it `$OUT`).
pub fn finish(mut asm: Assembly, label: &str) -> Result<Files, SynthError> {
    let diagnostics = check::check_assembly(&asm);
    if diagnostics.iter().any(check::is_error) {
        return Err(SynthError::Diagnostics(
            diagnostics.iter().map(|d| d.render()).collect(),
        ));
    }
    let warnings: Vec<String> = diagnostics.iter().map(|d| d.render()).collect();
    if asm.runbook.is_some() {
        let md = crate::runbook::deploy_md(&asm)
            .map_err(|e| SynthError::Io(format!("internal error rendering DEPLOY.md: {e}")))?;
        asm.add_file(
            formwork_assembly::layout::RUNBOOK_FILE,
            FileKind::Runbook,
            md,
        )
        .map_err(SynthError::Io)?;
    }
    let files = asm.to_files();
    Ok((
        files,
        SynthReport {
            source: asm.source.name().to_owned(),
            label: label.to_owned(),
            assembly: asm,
            warnings,
        },
    ))
}

/// Everything `synth -c` of these config bytes would write into an out dir named `out`, in
/// memory, with the default options.
pub fn build_files(bytes: &[u8], label: &str) -> Result<Files, SynthError> {
    let asm = build_blueprint(bytes, label, &SynthOptions::default())?;
    finish(asm, label)
}

/// Writes `asm` (validated, with its runbook) into `dir` atomically.
pub fn write(asm: Assembly, label: &str, dir: &Path) -> Result<SynthReport, SynthError> {
    let (files, report) = finish(asm, label)?;
    crate::outdir::write_out_dir(dir, &files)
        .map_err(|e| SynthError::Io(format!("cannot write `{}`: {e}", dir.display())))?;
    Ok(report)
}

/// Reads the config (or the built-in example), builds, validates and writes `dir` atomically.
pub fn synthesize(
    config: Option<&Path>,
    dir: &Path,
    opts: &SynthOptions,
) -> Result<SynthReport, SynthError> {
    let (bytes, label) = match config {
        Some(p) => (
            std::fs::read(p).map_err(|e| {
                SynthError::Io(format!("cannot read config `{}`: {e}", p.display()))
            })?,
            p.display().to_string(),
        ),
        None => (
            default_config().as_bytes().to_vec(),
            "<built-in example>".to_owned(),
        ),
    };
    let asm = build_blueprint(&bytes, &label, opts)?;
    write(asm, &label, dir)
}

/// The text `formwork init` writes: a schema line for editors (the schema file sits beside the
/// config; `formwork init` writes it there), then the commented example.
pub fn init_text(bp: &Blueprint) -> String {
    format!(
        "# yaml-language-server: $schema=./{name}.schema.json\n# The schema: `formwork schema {name} > {name}.schema.json`. Synthesize: `formwork synth -c <this file>`.\n{example}",
        name = bp.name,
        example = bp.example
    )
}
