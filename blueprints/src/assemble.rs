//! From a composed [`App`] to the blueprint's [`Assembly`]: synthesis with the operator's
//! options, and the out dir's extra files.

use formwork_assembly::{Assembly, FileKind, Source, SynthOptions};
use formwork_constructs::core::App;

use crate::config::ConfigError;

/// Synthesizes the stacks of blueprint `name`.
pub(crate) fn assemble(
    name: &str,
    mut app: App,
    opts: &SynthOptions,
) -> Result<Assembly, Vec<ConfigError>> {
    opts.apply(&mut app);
    Assembly::from_app(
        Source::Blueprint {
            name: name.to_owned(),
        },
        app,
    )
    .map_err(crate::construct_error)
}

/// Adds rendered files (`k8s/…` manifests, `helm/…` values) to the assembly; their
/// placeholders must have been added first.
pub(crate) fn add_files(
    asm: &mut Assembly,
    files: Vec<(String, String)>,
) -> Result<(), Vec<ConfigError>> {
    for (path, text) in files {
        let kind = if path.starts_with("helm/") {
            FileKind::HelmValues
        } else {
            FileKind::K8sManifest
        };
        asm.add_file(path, kind, text)
            .map_err(|m| vec![ConfigError::at("", m)])?;
    }
    Ok(())
}
