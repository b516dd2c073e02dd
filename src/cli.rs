//! The `formwork` command line. Only this module writes to stdout/stderr.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::assembly;
use crate::synth::{SynthError, synthesize};

/// formwork: typed CloudFormation for gRPC on AWS.
#[derive(Debug, Parser)]
#[command(name = "formwork", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Render a blueprint config into CloudFormation templates, manifests and a runbook.
    Synth {
        /// Config file (YAML). Default: the built-in example of the default blueprint.
        #[arg(short, long)]
        config: Option<PathBuf>,
        /// Out directory, replaced atomically.
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
    },
    /// Validate CloudFormation templates (JSON or YAML, long or short intrinsic form).
    Validate {
        /// Exit 1 on warnings too.
        #[arg(long)]
        strict: bool,
        /// The Region the templates deploy to (enables the us-east-1 rules).
        #[arg(long)]
        region: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Template files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Show what changes between two syntheses: resources added, removed, updated, replaced or
    /// renamed, with stateful resources at risk flagged; parameters, outputs, exports, conditions
    /// and mappings too.
    ///
    /// OLD and NEW are out dirs (stacks paired by name) or single template files (JSON or YAML).
    ///
    /// Exit codes: 0 no changes (also with changes, unless --fail-on-change), 1 error
    /// (unreadable file, bad template), 3 changes found with --fail-on-change.
    Diff {
        /// The old out dir or template.
        old: PathBuf,
        /// The new out dir or template.
        new: PathBuf,
        /// Output format: text (terminal), markdown (a pull-request comment), json.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Exit 3 when anything changes (CI gates).
        #[arg(long)]
        fail_on_change: bool,
        /// No ANSI colours (text is only coloured when stdout is a terminal anyway).
        #[arg(long)]
        no_color: bool,
    },
    /// Deploy an out dir's stacks in order with the AWS CLI (`aws cloudformation deploy`).
    ///
    /// Per stack: compares the deployed template (get-template) with the new one and refuses to
    /// replace or delete stateful resources (ECR repositories, S3 buckets, KMS keys, log groups,
    /// EKS clusters, databases…) unless --allow-replace names them; moves renamed resources with
    /// CloudFormation stack refactoring instead of replacing them; fills parameters from earlier
    /// stacks' outputs; streams stack events. Afterwards writes DIR/k8s-resolved/ with the
    /// Kubernetes manifests' placeholders filled. AWS_* environment variables (AWS_PROFILE,
    /// AWS_REGION, AWS_ENDPOINT_URL…) pass through to the aws CLI.
    ///
    /// Exit codes: 0 deployed (or dry run printed), 1 error or refusal.
    Deploy {
        /// The out dir written by `formwork synth`.
        #[arg(default_value = "out")]
        dir: PathBuf,
        /// Print every command in order (shell-quoted), run nothing.
        #[arg(long)]
        dry_run: bool,
        /// Region for stacks the manifest gives none.
        #[arg(long)]
        region: Option<String>,
        /// AWS CLI profile, passed to every aws command.
        #[arg(long)]
        profile: Option<String>,
        /// Artifact bucket for templates over 51,200 bytes (`aws cloudformation deploy --s3-bucket`).
        #[arg(long)]
        s3_bucket: Option<String>,
        /// Allow replacing or deleting this stateful resource (logical id; repeatable).
        #[arg(long, value_name = "LOGICAL_ID")]
        allow_replace: Vec<String>,
        /// A parameter the manifest leaves to the operator: Stack.Key=Value (repeatable).
        #[arg(long, value_name = "STACK.KEY=VALUE")]
        parameter: Vec<String>,
        /// Run `kubectl apply -f DIR/k8s-resolved -R` after the stacks.
        #[arg(long)]
        apply_k8s: bool,
        /// Compare with this out dir instead of the deployed templates (offline; with
        /// --dry-run it shows the renames and the replacement guard).
        #[arg(long, value_name = "OLD_DIR")]
        previous: Option<PathBuf>,
        /// The aws binary. Default: $FORMWORK_AWS_CLI, else `aws` on PATH.
        #[arg(long, value_name = "PATH")]
        aws_cli: Option<String>,
        /// Seconds between stack-event polls while a deploy runs.
        #[arg(long, default_value_t = 3)]
        poll_seconds: u64,
    },
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
        file: Option<PathBuf>,
    },
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per finding.
    Text,
    /// A JSON array.
    Json,
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

/// Runs the CLI with the process arguments and returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    run(cli)
}

fn run(cli: Cli) -> i32 {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Command::Synth { config, out: dir } => cmd_synth(config.as_deref(), &dir, &mut out),
        Command::Validate {
            strict,
            region,
            format,
            files,
        } => {
            let report =
                formwork_constructs::validate::validate_files(&files, region.as_deref(), strict);
            for e in &report.load_errors {
                eprintln!("error: {e}");
            }
            match format {
                Format::Json => {
                    let _ = writeln!(
                        out,
                        "{}",
                        formwork_constructs::validate::render_json(&report.diagnostics)
                    );
                }
                Format::Text => {
                    let _ = out.write_all(
                        formwork_constructs::validate::render_human(&report.diagnostics).as_bytes(),
                    );
                    let (e, w, i) = formwork_constructs::validate::counts(&report.diagnostics);
                    eprintln!(
                        "{} file(s): {e} error(s), {w} warning(s), {i} note(s)",
                        files.len()
                    );
                }
            }
            report.exit_code
        }
        Command::Diff {
            old,
            new,
            format,
            fail_on_change,
            no_color,
        } => cmd_diff(&old, &new, format, fail_on_change, no_color, &mut out),
        Command::Deploy {
            dir,
            dry_run,
            region,
            profile,
            s3_bucket,
            allow_replace,
            parameter,
            apply_k8s,
            previous,
            aws_cli,
            poll_seconds,
        } => {
            let mut parameters = Vec::new();
            for p in &parameter {
                match crate::deploy::parse_parameter(p) {
                    Ok(t) => parameters.push(t),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return 2;
                    }
                }
            }
            let opts = crate::deploy::DeployOptions {
                dir,
                region,
                profile,
                s3_bucket,
                allow_replace,
                parameters,
                apply_k8s,
                dry_run,
                previous,
                poll: std::time::Duration::from_secs(poll_seconds),
            };
            let aws = aws_cli
                .or_else(|| {
                    std::env::var("FORMWORK_AWS_CLI")
                        .ok()
                        .filter(|s| !s.is_empty())
                })
                .unwrap_or_else(|| "aws".to_owned());
            let runner = crate::deploy::ProcessRunner {
                aws,
                kubectl: "kubectl".to_owned(),
            };
            cmd_deploy(&opts, &runner, &mut out)
        }
        Command::List => {
            for b in formwork_blueprints::BLUEPRINTS {
                let _ = writeln!(out, "{:<16} {}", b.name, b.summary);
            }
            0
        }
        Command::Schema { blueprint } => match formwork_blueprints::find(&blueprint) {
            Some(b) => {
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&(b.schema)()).unwrap_or_default()
                );
                0
            }
            None => unknown_blueprint(&blueprint),
        },
        Command::Init { blueprint, file } => match formwork_blueprints::find(&blueprint) {
            Some(b) => {
                let text = crate::synth::init_text(b);
                match file {
                    None => {
                        let _ = out.write_all(text.as_bytes());
                        0
                    }
                    Some(f) if f.exists() => {
                        eprintln!(
                            "error: `{}` exists; formwork init never overwrites a file",
                            f.display()
                        );
                        1
                    }
                    Some(f) => match std::fs::write(&f, text) {
                        Ok(()) => {
                            eprintln!("wrote {}", f.display());
                            let schema_path = f
                                .parent()
                                .map(|p| p.join(format!("{}.schema.json", b.name)))
                                .unwrap_or_else(|| {
                                    PathBuf::from(format!("{}.schema.json", b.name))
                                });
                            if !schema_path.exists() {
                                let mut json =
                                    serde_json::to_string_pretty(&(b.schema)()).unwrap_or_default();
                                json.push('\n');
                                match std::fs::write(&schema_path, json) {
                                    Ok(()) => eprintln!(
                                        "wrote {} (editor completion and checks)",
                                        schema_path.display()
                                    ),
                                    Err(e) => eprintln!(
                                        "warning: cannot write `{}`: {e}",
                                        schema_path.display()
                                    ),
                                }
                            }
                            0
                        }
                        Err(e) => {
                            eprintln!("error: cannot write `{}`: {e}", f.display());
                            1
                        }
                    },
                }
            }
            None => unknown_blueprint(&blueprint),
        },
    }
}

fn unknown_blueprint(name: &str) -> i32 {
    let names: Vec<&str> = formwork_blueprints::BLUEPRINTS
        .iter()
        .map(|b| b.name)
        .collect();
    eprintln!(
        "error: unknown blueprint `{name}`; known: {}",
        names.join(", ")
    );
    1
}

fn cmd_synth(config: Option<&Path>, dir: &Path, out: &mut impl Write) -> i32 {
    match synthesize(config, dir) {
        Ok(report) => {
            for w in &report.warnings {
                eprintln!("{w}");
            }
            let _ = writeln!(
                out,
                "synthesized {} ({}) into {}/",
                report.blueprint,
                report.config_label,
                dir.display()
            );
            let dir_s = dir.display().to_string();
            for s in &report.manifest.stacks {
                let _ = writeln!(
                    out,
                    "  {} — {} resources, {} bytes{}",
                    s.template,
                    s.resources,
                    s.body_bytes,
                    if s.body_bytes > assembly::INLINE_BODY_LIMIT {
                        " (over 51,200: deploy needs --s3-bucket)"
                    } else {
                        ""
                    }
                );
            }
            let _ = writeln!(out, "\ndeploy, in this order:");
            for s in &report.manifest.stacks {
                let cmd: Vec<String> = assembly::deploy_command(&dir_s, s)
                    .iter()
                    .map(|a| formwork_blueprints::runbook::sh_quote(a))
                    .collect();
                let _ = writeln!(out, "  {}", cmd.join(" "));
            }
            0
        }
        Err(SynthError::Config { label, errors }) => {
            for e in &errors {
                eprintln!("error: {}", e.render(&label));
            }
            eprintln!("{} error(s); nothing was written", errors.len());
            1
        }
        Err(SynthError::Diagnostics(lines)) => {
            for l in &lines {
                eprintln!("{l}");
            }
            eprintln!("the templates have errors; nothing was written");
            1
        }
        Err(SynthError::Io(msg)) => {
            eprintln!("error: {msg}");
            1
        }
    }
}

fn cmd_diff(
    old: &Path,
    new: &Path,
    format: DiffFormat,
    fail_on_change: bool,
    no_color: bool,
    out: &mut impl Write,
) -> i32 {
    use std::io::IsTerminal;
    let sides =
        crate::diff::load_side(old).and_then(|o| crate::diff::load_side(new).map(|n| (o, n)));
    let (o, n) = match sides {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let diff = crate::diff::diff_sides(&o, &n);
    let text = match format {
        DiffFormat::Text => {
            let color = !no_color
                && std::env::var_os("NO_COLOR").is_none()
                && std::io::stdout().is_terminal();
            crate::diff_render::render_text(&diff, color)
        }
        DiffFormat::Json => crate::diff_render::render_json(&diff),
        DiffFormat::Markdown => match crate::diff_render::render_markdown(&diff) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: rendering the Markdown report: {e}");
                return 1;
            }
        },
    };
    let _ = out.write_all(text.as_bytes());
    if fail_on_change && diff.has_changes() {
        3
    } else {
        0
    }
}

fn cmd_deploy(
    opts: &crate::deploy::DeployOptions,
    runner: &dyn crate::deploy::Runner,
    out: &mut impl Write,
) -> i32 {
    use crate::deploy::Note;
    let dry = opts.dry_run;
    let mut log = |n: Note| match n {
        Note::Command(c) if dry => {
            let _ = writeln!(out, "{c}");
        }
        Note::Command(c) => eprintln!("$ {c}"),
        Note::Info(i) if dry => {
            let _ = writeln!(out, "# {}", i.trim_start());
        }
        Note::Info(i) => eprintln!("{i}"),
    };
    match crate::deploy::deploy(opts, runner, &mut log) {
        Ok(report) => {
            if !dry {
                eprintln!("deployed {} stack(s)", report.stacks.len());
            }
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}
