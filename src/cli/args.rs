//! The arguments of the verbs, shared by `formwork` and a user's app binary.

use std::path::PathBuf;

use clap::Args;

/// `synth` options (besides `-c CONFIG`, which only `formwork` has).
#[derive(Debug, Clone, Args)]
pub struct SynthArgs {
    /// Out directory, replaced atomically.
    #[arg(short, long, default_value = "out")]
    pub out: PathBuf,
    /// How values cross stacks: `get-stack-output` (Fn::GetStackOutput: each stack deploys with
    /// a plain `aws cloudformation deploy`, across Regions) or `parameters` (stack parameters
    /// that `formwork deploy` fills from the producer's outputs: for partitions and emulators
    /// without Fn::GetStackOutput). Default: the app's choice, `get-stack-output`.
    #[arg(long, value_enum, value_name = "MODE")]
    pub cross_stack: Option<CrossStackArg>,
}

/// `--cross-stack` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CrossStackArg {
    /// `Fn::GetStackOutput`.
    GetStackOutput,
    /// Parameters filled by `formwork deploy`.
    Parameters,
}

/// `validate` options.
#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// The Region the templates deploy to (enables the us-east-1 rules).
    #[arg(long)]
    pub region: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Template files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per finding.
    Text,
    /// A JSON array.
    Json,
}

/// `diff` options.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The old out dir or template.
    pub old: PathBuf,
    /// The new out dir or template.
    pub new: PathBuf,
    /// Output format: text (terminal), markdown (a pull-request comment), json.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Exit 3 when anything changes (CI gates).
    #[arg(long)]
    pub fail_on_change: bool,
    /// No ANSI colours (text is only coloured when stdout is a terminal anyway).
    #[arg(long)]
    pub no_color: bool,
}

/// `diff` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Human-readable; coloured on a terminal.
    Text,
    /// A pull-request comment.
    Markdown,
    /// Machine-readable.
    Json,
}

/// `deploy` options.
#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    /// The out dir written by `formwork synth`.
    #[arg(default_value = "out")]
    pub dir: PathBuf,
    /// Print every command in order (shell-quoted), run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Region for stacks the manifest gives none.
    #[arg(long)]
    pub region: Option<String>,
    /// AWS CLI profile, passed to every aws command.
    #[arg(long)]
    pub profile: Option<String>,
    /// Artifact bucket for templates over 51,200 bytes (`aws cloudformation deploy
    /// --s3-bucket`). Default: $FORMWORK_ARTIFACT_BUCKET.
    #[arg(long)]
    pub s3_bucket: Option<String>,
    /// Allow replacing or deleting this stateful resource (logical id; repeatable).
    #[arg(long, value_name = "LOGICAL_ID")]
    pub allow_replace: Vec<String>,
    /// Allow changing or removing this output although a deployed stack reads it with
    /// Fn::GetStackOutput (Stack.Output; repeatable).
    #[arg(long, value_name = "STACK.OUTPUT")]
    pub allow_output_change: Vec<String>,
    /// A parameter value: Stack.Key=Value (repeatable); overrides a looked-up value.
    #[arg(long, value_name = "STACK.KEY=VALUE")]
    pub parameter: Vec<String>,
    /// Run `kubectl apply -f DIR/k8s-resolved -R` after the stacks.
    #[arg(long)]
    pub apply_k8s: bool,
    /// After the stacks (ECS: right after the stack that creates the ECR repositories, before
    /// the service stacks, which need the images), build each service image (`docker
    /// build --platform` of the nodes or tasks), log in to ECR and push it under the configured
    /// tag; refuses to push over an existing tag of an IMMUTABLE repository. For ECS the public
    /// smoke test follows the stacks.
    #[arg(long)]
    pub build: bool,
    /// Compare with this out dir instead of the deployed templates (offline; with --dry-run it
    /// shows the renames and the guards).
    #[arg(long, value_name = "OLD_DIR")]
    pub previous: Option<PathBuf>,
    /// The aws binary. Default: $FORMWORK_AWS_CLI, else `aws` on PATH.
    #[arg(long, value_name = "PATH")]
    pub aws_cli: Option<String>,
    /// Seconds between stack-event polls while a deploy runs.
    #[arg(long, default_value_t = 3)]
    pub poll_seconds: u64,
}
