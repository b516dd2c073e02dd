//! `formwork synth`: config → blueprint → templates → validation → out dir.

use std::collections::BTreeMap;
use std::path::Path;

use formwork_blueprints::{Blueprint, ConfigError};

use crate::assembly::{self, Manifest};

/// What a successful synth produced.
#[derive(Debug)]
pub struct SynthReport {
    /// Blueprint name.
    pub blueprint: String,
    /// The config file label (path as given, or `<built-in example>`).
    pub config_label: String,
    /// The manifest written.
    pub manifest: Manifest,
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

/// Everything `synth` would write, in memory: `(relative path, bytes)` and the manifest.
pub fn build_files(
    bytes: &[u8],
    label: &str,
) -> Result<(Vec<(String, Vec<u8>)>, SynthReport), SynthError> {
    build_files_for(bytes, label, "out")
}

/// [`build_files`] for an out dir other than `out` (the runbook's commands name it).
pub fn build_files_for(
    bytes: &[u8],
    label: &str,
    out_dir: &str,
) -> Result<(Vec<(String, Vec<u8>)>, SynthReport), SynthError> {
    // Compiling the registry-schema validators is most of the cost of validation. A second
    // thread starts on the blueprint's types as soon as the config names its blueprint, while
    // this one checks the config, builds, renders and writes the runbook; both then finish it.
    let (bp, synth, rendered, stacks, runbook) = std::thread::scope(|scope| {
        let mut warm = None;
        let built = formwork_blueprints::load_and_build_with(bytes, |bp| {
            warm = Some(scope.spawn(move || crate::check::warm(bp.resource_types, false)));
        });
        let result = built
            .map_err(|errors| SynthError::Config {
                label: label.to_owned(),
                errors,
            })
            .and_then(|(bp, synth)| {
                let (rendered, stacks, runbook) = render_and_runbook(&synth, label, out_dir)?;
                let types = crate::check::used_types(&synth.app);
                crate::check::warm(&types, true);
                Ok((bp, synth, rendered, stacks, runbook))
            });
        if let Some(h) = warm {
            let _ = h.join();
        }
        result
    })?;
    let diagnostics = crate::check::check_rendered(&synth.app, &rendered);
    if diagnostics.iter().any(crate::check::is_error) {
        return Err(SynthError::Diagnostics(
            diagnostics.iter().map(|d| d.render()).collect(),
        ));
    }
    let warnings: Vec<String> = diagnostics.iter().map(|d| d.render()).collect();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (m, r) in stacks.iter().zip(rendered) {
        files.push((m.template.clone(), r.json.into_bytes()));
        files.push((m.template_yaml.clone(), r.yaml.into_bytes()));
    }
    let mut extra: Vec<String> = Vec::new();
    if let Some(md) = runbook {
        files.push(("DEPLOY.md".to_owned(), md.into_bytes()));
        extra.push("DEPLOY.md".to_owned());
    }
    for (rel, text) in synth.files {
        extra.push(rel.clone());
        files.push((rel, text.into_bytes()));
    }
    let manifest = Manifest {
        format: 1,
        blueprint: bp.name.to_owned(),
        stacks,
        files: extra,
        placeholders: synth
            .runbook
            .iter()
            .flat_map(|r| &r.placeholders)
            .map(|p| {
                let src = assembly::PlaceholderSource {
                    stack: p.source.stack.clone(),
                    output: p.source.output.clone(),
                };
                (p.name.clone(), src)
            })
            .collect::<BTreeMap<_, _>>(),
    };
    let mut json =
        serde_json::to_string_pretty(&manifest).map_err(|e| SynthError::Io(e.to_string()))?;
    json.push('\n');
    files.push(("manifest.json".to_owned(), json.into_bytes()));
    Ok((
        files,
        SynthReport {
            blueprint: bp.name.to_owned(),
            config_label: label.to_owned(),
            manifest,
            warnings,
        },
    ))
}

type Rendered = (
    Vec<assembly::RenderedStack>,
    Vec<assembly::StackManifest>,
    Option<String>,
);

/// Renders every stack, its manifest entry and the runbook.
fn render_and_runbook(
    synth: &formwork_blueprints::Synth,
    label: &str,
    out_dir: &str,
) -> Result<Rendered, SynthError> {
    let rendered = assembly::render_app(&synth.app).map_err(|e| SynthError::Config {
        label: label.to_owned(),
        errors: vec![ConfigError::at("", e.to_string())],
    })?;
    let stacks: Vec<assembly::StackManifest> = synth
        .app
        .stacks()
        .iter()
        .zip(&rendered)
        .map(|(stack, r)| assembly::stack_manifest(stack, r))
        .collect();
    let runbook = match &synth.runbook {
        Some(ctx) => {
            let mut ctx = ctx.clone();
            ctx.out_dir = out_dir.trim_end_matches('/').to_owned();
            ctx.stacks = stacks.iter().map(|m| runbook_step(&synth.app, m)).collect();
            Some(
                formwork_blueprints::runbook::deploy_md(&ctx).map_err(|e| SynthError::Config {
                    label: label.to_owned(),
                    errors: vec![ConfigError::at(
                        "",
                        format!("internal error rendering DEPLOY.md: {e}"),
                    )],
                })?,
            )
        }
        None => None,
    };
    Ok((rendered, stacks, runbook))
}

/// Reads the config (or the built-in example), builds, validates and writes `dir` atomically.
pub fn synthesize(config: Option<&Path>, dir: &Path) -> Result<SynthReport, SynthError> {
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
    let (files, report) = build_files_for(&bytes, &label, &dir.display().to_string())?;
    assembly::write_out_dir(dir, &files)
        .map_err(|e| SynthError::Io(format!("cannot write `{}`: {e}", dir.display())))?;
    Ok(report)
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

/// The runbook's view of one stack: its deploy command's inputs, with each parameter's source.
fn runbook_step(
    app: &formwork_constructs::core::App,
    m: &assembly::StackManifest,
) -> formwork_blueprints::runbook::StackStep {
    use formwork_blueprints::runbook::{OutputRef, ParamValue, ParameterOverride, StackStep};
    use formwork_constructs::core::ParamSource;
    let region_of = |name: &str| {
        app.stacks()
            .iter()
            .find(|s| s.name() == name)
            .and_then(|s| s.region())
            .unwrap_or("")
            .to_owned()
    };
    let stack = app.stacks().iter().find(|s| s.name() == m.name);
    let parameters = m
        .parameters
        .iter()
        .filter_map(|p| {
            let value = match &p.source {
                ParamSource::Default => return None,
                ParamSource::Value { value } => ParamValue::Literal {
                    value: value.clone(),
                },
                ParamSource::StackOutput { stack, output } => ParamValue::Output(OutputRef {
                    stack: stack.clone(),
                    region: region_of(stack),
                    output: output.clone(),
                }),
                ParamSource::Operator => ParamValue::Operator {
                    variable: p.name.clone(),
                    hint: stack
                        .and_then(|s| s.parameters().iter().find(|(k, _)| *k == p.name))
                        .and_then(|(_, prm)| prm.description.clone())
                        .unwrap_or_else(|| format!("the value of parameter {}", p.name)),
                },
            };
            Some(ParameterOverride {
                key: p.name.clone(),
                value,
            })
        })
        .collect();
    StackStep {
        name: m.name.clone(),
        region: m.region.clone().unwrap_or_default(),
        template: m.template.clone(),
        capabilities: m.capabilities.clone(),
        parameters,
        tags: m.tags.clone(),
        needs_s3_bucket: m.body_bytes > assembly::INLINE_BODY_LIMIT,
    }
}
