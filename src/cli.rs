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
                    .map(|a| assembly::shell_quote(a))
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
