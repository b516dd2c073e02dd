//! One function per verb: arguments in, exit code out, text to [`Io`].

use std::io::Write;
use std::path::{Path, PathBuf};

use formwork_assembly::{
    Assembly, CrossStackMode, INLINE_BODY_LIMIT, StackArtifact, SynthOptions, ValueSource,
};

use super::Io;
use super::args::{
    CrossStackArg, DeployArgs, DiffArgs, DiffFormat, Format, SynthArgs, ValidateArgs,
};
use crate::shell::quote_argv;
use crate::synth::{SynthError, SynthReport};
use formwork_constructs::core::Lookup;

fn synth_options(a: &SynthArgs) -> SynthOptions {
    SynthOptions {
        cross_stack: a.cross_stack.map(|m| match m {
            CrossStackArg::GetStackOutput => CrossStackMode::GetStackOutput,
            CrossStackArg::Parameters => CrossStackMode::Parameters,
        }),
    }
}

/// `formwork synth [-c CONFIG]`.
pub(super) fn synth_blueprint(config: Option<&Path>, a: &SynthArgs, io: &mut Io<'_>) -> i32 {
    let r = crate::synth::synthesize(config, &a.out, &synth_options(a));
    synth_result(r, &a.out, io)
}

/// `<app> synth`.
pub(super) fn synth_app<F>(build: F, a: &SynthArgs, io: &mut Io<'_>) -> i32
where
    F: FnOnce(&SynthOptions) -> Result<Assembly, String>,
{
    let r = build(&synth_options(a))
        .map_err(SynthError::App)
        .and_then(|asm| {
            let label = asm.source.name().to_owned();
            crate::synth::write(asm, &label, &a.out)
        });
    synth_result(r, &a.out, io)
}

fn synth_result(r: Result<SynthReport, SynthError>, dir: &Path, io: &mut Io<'_>) -> i32 {
    match r {
        Ok(report) => {
            for w in &report.warnings {
                let _ = writeln!(io.err, "{w}");
            }
            print_synth(&report, dir, io);
            0
        }
        Err(SynthError::Config { label, errors }) => {
            for e in &errors {
                let _ = writeln!(io.err, "error: {}", e.render(&label));
            }
            let _ = writeln!(io.err, "{} error(s); nothing was written", errors.len());
            1
        }
        Err(SynthError::App(msg)) => {
            let _ = writeln!(io.err, "error: {msg}");
            let _ = writeln!(io.err, "the app did not build; nothing was written");
            1
        }
        Err(SynthError::Diagnostics(lines)) => {
            for l in &lines {
                let _ = writeln!(io.err, "{l}");
            }
            let _ = writeln!(io.err, "the templates have errors; nothing was written");
            1
        }
        Err(SynthError::Io(msg)) => {
            let _ = writeln!(io.err, "error: {msg}");
            1
        }
    }
}

fn print_synth(report: &SynthReport, dir: &Path, io: &mut Io<'_>) {
    let _ = writeln!(
        io.out,
        "synthesized {} ({}) into {}/",
        report.source,
        report.label,
        dir.display()
    );
    let stacks = &report.assembly.stacks;
    for s in stacks {
        let _ = writeln!(
            io.out,
            "  {} — {} resources, {} bytes{}",
            s.template,
            s.resources,
            s.body_bytes,
            if s.body_bytes > INLINE_BODY_LIMIT {
                " (over 51,200: deploy needs an artifact bucket)"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(
        io.out,
        "\ndeploy, in this order (or: formwork deploy {}):",
        dir.display()
    );
    for s in stacks {
        let _ = writeln!(io.out, "  {}", quote_argv(&shown_deploy_command(dir, s)));
    }
}

/// The deploy command of a stack as the synth summary shows it: values only known at deploy
/// are `<…>` words.
fn shown_deploy_command(dir: &Path, s: &StackArtifact) -> Vec<String> {
    let overrides = s
        .parameters
        .iter()
        .filter_map(|p| match &p.source {
            ValueSource::Default => None,
            ValueSource::StackOutput { stack, output } => {
                Some(format!("{}=<{stack}.{output}>", p.name))
            }
            ValueSource::Lookup {
                lookup: Lookup::GeneratedSecret { .. },
            } => Some(format!("{}=<generated on the first deploy>", p.name)),
            ValueSource::Lookup { .. } => Some(format!("{}=<looked up>", p.name)),
            ValueSource::Operator { .. } => Some(format!("{}=<{}>", p.name, p.name)),
        })
        .collect();
    let template = dir.join(&s.template).display().to_string();
    let bucket = (s.body_bytes > INLINE_BODY_LIMIT).then_some("<artifact-bucket>");
    let mut cmd = vec![
        "aws".to_owned(),
        "cloudformation".to_owned(),
        "deploy".to_owned(),
    ];
    if let Some(r) = &s.region {
        cmd.push("--region".to_owned());
        cmd.push(r.clone());
    }
    cmd.extend(crate::deploy::deploy_args(s, &template, bucket, overrides));
    cmd
}

/// `validate`.
pub(super) fn validate(a: &ValidateArgs, io: &mut Io<'_>) -> i32 {
    let report =
        formwork_constructs::validate::validate_files(&a.files, a.region.as_deref(), a.strict);
    // Load errors are FW-LOAD-* diagnostics in `report.diagnostics`: counted and rendered below.
    match a.format {
        Format::Json => {
            let _ = writeln!(
                io.out,
                "{}",
                formwork_constructs::validate::render_json(&report.diagnostics)
            );
        }
        Format::Text => {
            let _ = io.out.write_all(
                formwork_constructs::validate::render_human(&report.diagnostics).as_bytes(),
            );
            let (e, w, i) = formwork_constructs::validate::counts(&report.diagnostics);
            let _ = writeln!(
                io.err,
                "{} file(s): {e} error(s), {w} warning(s), {i} note(s)",
                a.files.len()
            );
        }
    }
    report.exit_code
}

/// `diff OLD NEW`.
pub(super) fn diff(a: &DiffArgs, io: &mut Io<'_>) -> i32 {
    let diff = match crate::diff::diff_paths(&a.old, &a.new) {
        Ok(d) => d,
        Err(e) => {
            let _ = writeln!(io.err, "error: {e}");
            return 1;
        }
    };
    let text = match a.format {
        DiffFormat::Text => {
            let color = !a.no_color && std::env::var_os("NO_COLOR").is_none() && io.out_is_terminal;
            crate::diff_render::render_text(&diff, color)
        }
        DiffFormat::Json => crate::diff_render::render_json(&diff),
        DiffFormat::Markdown => match crate::diff_render::render_markdown(&diff) {
            Ok(t) => t,
            Err(e) => {
                let _ = writeln!(io.err, "error: rendering the Markdown report: {e}");
                return 1;
            }
        },
    };
    let _ = io.out.write_all(text.as_bytes());
    if a.fail_on_change && diff.has_changes() {
        3
    } else {
        0
    }
}

/// `deploy DIR`.
pub(super) fn deploy(a: &DeployArgs, io: &mut Io<'_>) -> i32 {
    let mut parameters = Vec::new();
    for p in &a.parameter {
        match crate::deploy::parse_parameter(p) {
            Ok(t) => parameters.push(t),
            Err(e) => {
                let _ = writeln!(io.err, "error: {e}");
                return 2;
            }
        }
    }
    let env = |k: &str| std::env::var(k).ok().filter(|s| !s.is_empty());
    let opts = crate::deploy::DeployOptions {
        dir: a.dir.clone(),
        region: a.region.clone(),
        profile: a.profile.clone(),
        s3_bucket: a
            .s3_bucket
            .clone()
            .or_else(|| env("FORMWORK_ARTIFACT_BUCKET")),
        allow_replace: a.allow_replace.clone(),
        allow_output_change: a.allow_output_change.clone(),
        parameters,
        apply_k8s: a.apply_k8s,
        build: a.build,
        dry_run: a.dry_run,
        previous: a.previous.clone(),
        poll: std::time::Duration::from_secs(a.poll_seconds),
    };
    let runner = crate::deploy::ProcessRunner {
        aws: a
            .aws_cli
            .clone()
            .or_else(|| env("FORMWORK_AWS_CLI"))
            .unwrap_or_else(|| "aws".to_owned()),
        kubectl: "kubectl".to_owned(),
    };
    run_deploy(&opts, &runner, io)
}

/// Runs a deploy with `runner`, printing progress: in a dry run the commands go to stdout
/// (a script), otherwise to stderr.
pub fn run_deploy(
    opts: &crate::deploy::DeployOptions,
    runner: &dyn crate::deploy::Runner,
    io: &mut Io<'_>,
) -> i32 {
    use crate::deploy::Note;
    let dry = opts.dry_run;
    let Io { out, err, .. } = io;
    let mut log = |n: Note| match n {
        Note::Command(c) if dry => {
            let _ = writeln!(out, "{c}");
        }
        Note::Command(c) => {
            let _ = writeln!(err, "$ {c}");
        }
        Note::Info(i) if dry => {
            let _ = writeln!(out, "# {}", i.trim_start());
        }
        Note::Info(i) => {
            let _ = writeln!(err, "{i}");
        }
    };
    match crate::deploy::deploy(opts, runner, &mut log) {
        Ok(report) => {
            if !dry {
                let _ = writeln!(io.err, "deployed {} stack(s)", report.stacks.len());
            }
            0
        }
        Err(e) => {
            let _ = writeln!(io.err, "error: {e}");
            1
        }
    }
}

/// `list`.
pub(super) fn list(io: &mut Io<'_>) -> i32 {
    for b in formwork_blueprints::BLUEPRINTS {
        let _ = writeln!(io.out, "{:<16} {}", b.name, b.summary);
    }
    0
}

fn unknown_blueprint(name: &str, io: &mut Io<'_>) -> i32 {
    let names: Vec<&str> = formwork_blueprints::BLUEPRINTS
        .iter()
        .map(|b| b.name)
        .collect();
    let _ = writeln!(
        io.err,
        "error: unknown blueprint `{name}`; known: {}",
        names.join(", ")
    );
    1
}

/// `schema BLUEPRINT`.
pub(super) fn schema(blueprint: &str, io: &mut Io<'_>) -> i32 {
    match formwork_blueprints::find(blueprint) {
        Some(b) => {
            let _ = writeln!(
                io.out,
                "{}",
                serde_json::to_string_pretty(&(b.schema)()).unwrap_or_default()
            );
            0
        }
        None => unknown_blueprint(blueprint, io),
    }
}

/// `init BLUEPRINT [FILE]`.
pub(super) fn init(blueprint: &str, file: Option<&Path>, io: &mut Io<'_>) -> i32 {
    let Some(b) = formwork_blueprints::find(blueprint) else {
        return unknown_blueprint(blueprint, io);
    };
    let text = crate::synth::init_text(b);
    let Some(f) = file else {
        let _ = io.out.write_all(text.as_bytes());
        return 0;
    };
    if f.exists() {
        let _ = writeln!(
            io.err,
            "error: `{}` exists; formwork init never overwrites a file",
            f.display()
        );
        return 1;
    }
    if let Err(e) = std::fs::write(f, text) {
        let _ = writeln!(io.err, "error: cannot write `{}`: {e}", f.display());
        return 1;
    }
    let _ = writeln!(io.err, "wrote {}", f.display());
    let schema_path = f
        .parent()
        .map(|p| p.join(format!("{}.schema.json", b.name)))
        .unwrap_or_else(|| PathBuf::from(format!("{}.schema.json", b.name)));
    if !schema_path.exists() {
        let mut json = serde_json::to_string_pretty(&(b.schema)()).unwrap_or_default();
        json.push('\n');
        match std::fs::write(&schema_path, json) {
            Ok(()) => {
                let _ = writeln!(
                    io.err,
                    "wrote {} (editor completion and checks)",
                    schema_path.display()
                );
            }
            Err(e) => {
                let _ = writeln!(
                    io.err,
                    "warning: cannot write `{}`: {e}",
                    schema_path.display()
                );
            }
        }
    }
    0
}

/// `new DIR [--path CHECKOUT]`.
pub(super) fn new(dir: &Path, checkout: Option<&Path>, io: &mut Io<'_>) -> i32 {
    match crate::new::scaffold(dir, checkout) {
        Ok(files) => {
            for f in &files {
                let _ = writeln!(io.err, "wrote {}", dir.join(f).display());
            }
            let _ = writeln!(
                io.out,
                "created {}: cd {} && cargo test && cargo run -- synth -o out",
                dir.display(),
                dir.display()
            );
            0
        }
        Err(e) => {
            let _ = writeln!(io.err, "error: {e}");
            1
        }
    }
}
