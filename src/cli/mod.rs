//! The command lines: `formwork` (blueprints, configs and every verb) and a user's own app
//! binary (`formwork::run`: synth of the app, and the verbs that work on out dirs).
//!
//! Verbs take their parsed arguments and an [`Io`] (stdout and stderr as writers), return an
//! exit code — 0 ok, 1 errors or refusals, 2 usage, 3 changes under `diff --fail-on-change` —
//! and never print anywhere else, so tests run them in process.

mod args;
mod verbs;

use std::ffi::OsString;
use std::io::Write;

use clap::{Parser, Subcommand};
use formwork_assembly::{Assembly, SynthOptions};

pub use args::{DeployArgs, DiffArgs, DiffFormat, Format, SynthArgs, ValidateArgs};

/// Where a verb writes.
pub struct Io<'a> {
    /// Results (what a script reads).
    pub out: &'a mut dyn Write,
    /// Progress, warnings and errors.
    pub err: &'a mut dyn Write,
    /// Whether `out` is a terminal (colours in `diff`).
    pub out_is_terminal: bool,
}

/// formwork: typed CloudFormation for gRPC on AWS.
#[derive(Debug, Parser)]
#[command(name = "formwork", version, about, long_about = None)]
struct FormworkCli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Render a blueprint config into CloudFormation templates, manifests and a runbook.
    Synth {
        /// Config file (YAML). Default: the built-in example of the default blueprint.
        #[arg(short, long)]
        config: Option<std::path::PathBuf>,
        #[command(flatten)]
        args: SynthArgs,
    },
    /// Validate CloudFormation templates (JSON or YAML, long or short intrinsic form).
    Validate(ValidateArgs),
    /// Show what changes between two syntheses: resources added, removed, updated, replaced or
    /// renamed, with stateful resources at risk flagged; parameters, outputs, exports, conditions
    /// and mappings too, and outputs that a deployed stack reads.
    ///
    /// OLD and NEW are out dirs (stacks paired by name) or single template files (JSON or YAML).
    ///
    /// Exit codes: 0 no changes (also with changes, unless --fail-on-change), 1 error
    /// (unreadable file, bad template), 3 changes found with --fail-on-change.
    Diff(DiffArgs),
    /// Deploy an out dir's stacks in order with the AWS CLI (`aws cloudformation deploy`).
    ///
    /// First, before anything changes: compares each deployed template (get-template) with the
    /// new one and refuses to replace or delete stateful resources (ECR repositories, S3
    /// buckets, KMS keys, log groups, EKS clusters, databases…) unless --allow-replace names
    /// them, and to change outputs that deployed stacks read with Fn::GetStackOutput unless
    /// --allow-output-change names them. Then per stack: moves renamed resources with
    /// CloudFormation stack refactoring instead of replacing them; fills the parameters it needs
    /// (earlier stacks' outputs, looked-up values, --parameter); streams stack events.
    /// Afterwards writes DIR/k8s-resolved/ with the Kubernetes manifests' placeholders filled.
    /// AWS_* environment variables (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL…) pass through to
    /// the aws CLI.
    ///
    /// Exit codes: 0 deployed (or dry run printed), 1 error or refusal.
    Deploy(DeployArgs),
    /// List the blueprints.
    List,
    /// Print a blueprint's config JSON Schema.
    Schema {
        /// Blueprint name.
        blueprint: String,
    },
    /// Write a commented starting config for a blueprint.
    Init {
        /// Blueprint name.
        blueprint: String,
        /// File to write (refuses to overwrite). Default: stdout.
        file: Option<std::path::PathBuf>,
    },
    /// Scaffold a Cargo project of your own app: a gRPC composition in Rust, its tests, the
    /// pull-request diff workflow.
    New {
        /// The directory to create (must not exist or be empty).
        dir: std::path::PathBuf,
        /// Point the dependencies at this formwork checkout instead of the crate versions.
        #[arg(long, value_name = "CHECKOUT")]
        path: Option<std::path::PathBuf>,
    },
}

/// The command line of a user's app binary (`formwork::run`).
#[derive(Debug, Parser)]
#[command(about = "Your formwork app: synthesize it, then diff, validate and deploy out dirs.")]
struct AppCli {
    #[command(subcommand)]
    command: AppCommand,
}

#[derive(Debug, Subcommand)]
enum AppCommand {
    /// Synthesize the app: templates, manifest.json (and the app's files and runbook) into the
    /// out dir, validated; nothing is written on an error.
    Synth(SynthArgs),
    /// Validate CloudFormation templates.
    Validate(ValidateArgs),
    /// Show what changes between two out dirs or templates (see `formwork diff --help`).
    Diff(DiffArgs),
    /// Deploy an out dir with the AWS CLI (see `formwork deploy --help`).
    Deploy(DeployArgs),
}

/// Runs `formwork` with the process arguments; returns the exit code.
pub fn main() -> i32 {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let (mut out, mut err) = (stdout.lock(), stderr.lock());
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        out_is_terminal: std::io::IsTerminal::is_terminal(&std::io::stdout()),
    };
    run_with(std::env::args_os(), &mut io)
}

/// Parses `args` (program name first); a usage error or `--help` is printed to `io`.
fn parse<P: Parser, I: IntoIterator<Item = OsString>>(args: I, io: &mut Io<'_>) -> Result<P, i32> {
    P::try_parse_from(args).map_err(|e| {
        let (code, w): (i32, &mut dyn Write) = if e.use_stderr() {
            (2, &mut *io.err)
        } else {
            (0, &mut *io.out)
        };
        let _ = write!(w, "{}", e.render());
        code
    })
}

/// Runs `formwork` with `args` (program name first).
pub fn run_with<I: IntoIterator<Item = OsString>>(args: I, io: &mut Io<'_>) -> i32 {
    let cli: FormworkCli = match parse(args, io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match cli.command {
        Command::Synth { config, args } => verbs::synth_blueprint(config.as_deref(), &args, io),
        Command::Validate(a) => verbs::validate(&a, io),
        Command::Diff(a) => verbs::diff(&a, io),
        Command::Deploy(a) => verbs::deploy(&a, io),
        Command::List => verbs::list(io),
        Command::Schema { blueprint } => verbs::schema(&blueprint, io),
        Command::Init { blueprint, file } => verbs::init(&blueprint, file.as_deref(), io),
        Command::New { dir, path } => verbs::new(&dir, path.as_deref(), io),
    }
}

/// Runs a user's app binary with `args`: `synth` builds the assembly with `build`; the other
/// verbs work on out dirs and templates.
pub fn run_app_with<I, F>(args: I, build: F, io: &mut Io<'_>) -> i32
where
    I: IntoIterator<Item = OsString>,
    F: FnOnce(&SynthOptions) -> Result<Assembly, String>,
{
    let cli: AppCli = match parse(args, io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match cli.command {
        AppCommand::Synth(a) => verbs::synth_app(build, &a, io),
        AppCommand::Validate(a) => verbs::validate(&a, io),
        AppCommand::Diff(a) => verbs::diff(&a, io),
        AppCommand::Deploy(a) => verbs::deploy(&a, io),
    }
}
