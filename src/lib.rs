//! # formwork (toolkit)
//!
//! The CLI and the pieces it drives: synth into an out dir, validation, diff, deploy — for the
//! built-in blueprints and for your own app.
//!
//! ## Your own app
//!
//! A binary whose `main` hands its composition to [`run`] understands `synth -o DIR`
//! (validation included, the out dir replaced atomically), `diff`, `validate` and `deploy`,
//! exactly like `formwork` does for a blueprint:
//!
//! ```no_run
//! use formwork::constructs::core::{App, Env, Error};
//! use formwork::constructs::ecr::{Repository, RepositoryProps};
//!
//! fn compose(app: &mut App) -> Result<(), Error> {
//!     let stack = app.add_stack("images", Env::region("eu-west-1"))?;
//!     Repository::new(&mut stack.root(), "Greeter", RepositoryProps::default())?;
//!     Ok(())
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     formwork::run("my-infra", compose)
//! }
//! ```
//!
//! `formwork new DIR` scaffolds such a project with tests and the pull-request workflow.

extern crate self as formwork;

pub mod check;
pub mod cli;
pub mod deploy;
pub mod diff;
pub mod diff_render;
pub mod new;
pub mod outdir;
pub mod runbook;
pub mod shell;
pub mod synth;
pub mod testing;

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}

pub use formwork_assembly as assembly;
pub use formwork_constructs as constructs;

use formwork_assembly::{Assembly, Source};
use formwork_constructs::core::{App, Error};

/// The `main` of a user's app binary: parses the process arguments (`synth`, `diff`,
/// `validate`, `deploy`), builds the app with `compose` when synthesizing, and returns the exit
/// code. See the crate docs.
pub fn run(
    name: &str,
    compose: impl FnOnce(&mut App) -> Result<(), Error>,
) -> std::process::ExitCode {
    run_assembly(|opts| {
        let mut app = App::new();
        compose(&mut app).map_err(|e| e.to_string())?;
        // The operator's `--cross-stack` wins over the app's own choice.
        opts.apply(&mut app);
        Assembly::from_app(
            Source::App {
                name: name.to_owned(),
            },
            app,
        )
        .map_err(|e| e.to_string())
    })
}

/// [`run`] for an app that builds its whole [`Assembly`] itself: extra files (Kubernetes
/// manifests, Helm values) with their placeholders, and a runbook spec.
pub fn run_assembly(
    build: impl FnOnce(&formwork_assembly::SynthOptions) -> Result<Assembly, String>,
) -> std::process::ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let (mut out, mut err) = (stdout.lock(), stderr.lock());
    let mut io = cli::Io {
        out: &mut out,
        err: &mut err,
        out_is_terminal: std::io::IsTerminal::is_terminal(&std::io::stdout()),
    };
    let code = cli::run_app_with(std::env::args_os(), build, &mut io);
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
