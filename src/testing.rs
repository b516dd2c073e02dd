//! For the tests of your own app: synthesize it in memory, validated as `synth` would, and
//! assert on its templates with [`formwork_constructs::assertions`].

use formwork_assembly::{Assembly, Source};
use formwork_constructs::assertions::Template;
use formwork_constructs::core::{App, Error};

/// Builds the app with `compose` and synthesizes it, with the same validation as `synth`:
/// `Err` lists every error (and the app's own construct error) one per line. Warnings are
/// returned beside the assembly.
pub fn synth(
    name: &str,
    compose: impl FnOnce(&mut App) -> Result<(), Error>,
) -> Result<(Assembly, Vec<String>), String> {
    let mut app = App::new();
    compose(&mut app).map_err(|e| e.to_string())?;
    let asm = Assembly::from_app(
        Source::App {
            name: name.to_owned(),
        },
        app,
    )
    .map_err(|e| e.to_string())?;
    let diagnostics = crate::check::check_assembly(&asm);
    let (errors, warnings): (Vec<_>, Vec<_>) =
        diagnostics.iter().partition(|d| crate::check::is_error(d));
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|d| d.render())
            .collect::<Vec<_>>()
            .join("\n"));
    }
    Ok((asm, warnings.iter().map(|d| d.render()).collect()))
}

/// The synthesized template of stack `name`, for assertions; `None` when there is no such stack.
pub fn template(asm: &Assembly, name: &str) -> Option<Template> {
    asm.stack(name).map(|s| Template::new(s.body.clone()))
}
