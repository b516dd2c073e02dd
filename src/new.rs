//! `formwork new DIR [--path CHECKOUT]`: a Cargo project of the user's own app — a small gRPC
//! composition (VPC, ECR, ALB with a gRPC target group and route, WAF) in two stacks, a `main`
//! that hands it to [`crate::run`], an insta snapshot test of the rendered templates (the
//! snapshots written now, rendered by this very code), an assertion-style test, a README with
//! the loop, and the pull-request diff workflow.
//!
//! The composition is [`app`], compiled and tested as part of formwork, and copied verbatim
//! with the project's name in `APP`.

pub mod app;

use std::fs;
use std::path::Path;

use formwork_assembly::{Assembly, Source};
use formwork_constructs::core::{App, render};

/// The composition's source, copied into the new project's `src/lib.rs`.
const APP_RS: &str = include_str!("new/app.rs");

/// Creates the project in `dir` (which must not exist, or be empty) and returns the files
/// written, relative to `dir`. With `checkout`, the dependencies point at that formwork
/// checkout (and its `Cargo.lock` is copied, so the build needs no registry look-up);
/// without, they name the crate versions.
pub fn scaffold(dir: &Path, checkout: Option<&Path>) -> Result<Vec<String>, String> {
    if dir.exists()
        && fs::read_dir(dir)
            .map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?
            .next()
            .is_some()
    {
        return Err(format!(
            "`{}` exists and is not empty; formwork new only writes into a new or empty directory",
            dir.display()
        ));
    }
    let name = project_name(dir)?;
    let checkout = match checkout {
        Some(c) => Some(
            c.canonicalize()
                .map_err(|e| format!("--path `{}`: {e}", c.display()))
                .and_then(|c| {
                    if c.join("Cargo.toml").is_file() && c.join("constructs").is_dir() {
                        Ok(c)
                    } else {
                        Err(format!(
                            "--path `{}` is not a formwork checkout (no Cargo.toml and constructs/)",
                            c.display()
                        ))
                    }
                })?,
        ),
        None => None,
    };
    let files = files(&name, checkout.as_deref())?;
    let tmp = dir.with_file_name(format!(
        ".{}.new-{}",
        dir.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id()
    ));
    let write_all = || -> std::io::Result<()> {
        for (rel, text) in &files {
            let p = tmp.join(rel);
            if let Some(d) = p.parent() {
                fs::create_dir_all(d)?;
            }
            fs::write(p, text)?;
        }
        if let Some(c) = &checkout
            && c.join("Cargo.lock").is_file()
        {
            fs::copy(c.join("Cargo.lock"), tmp.join("Cargo.lock"))?;
        }
        if dir.exists() {
            fs::remove_dir(dir)?;
        }
        fs::rename(&tmp, dir)
    };
    if let Err(e) = write_all() {
        let _ = fs::remove_dir_all(&tmp);
        return Err(format!("cannot write `{}`: {e}", dir.display()));
    }
    let mut written: Vec<String> = files.into_iter().map(|(p, _)| p).collect();
    if dir.join("Cargo.lock").is_file() {
        written.push("Cargo.lock".to_owned());
    }
    Ok(written)
}

/// The package name: the directory's name, which must be a valid Cargo package name.
fn project_name(dir: &Path) -> Result<String, String> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ok = name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-');
    if ok {
        Ok(name)
    } else {
        Err(format!(
            "`{name}`: the directory name becomes the package name and the stack-name prefix: use lowercase letters, digits and `-`, starting with a letter (≤ 40), e.g. my-infra"
        ))
    }
}

/// Every file of the new project.
fn files(name: &str, checkout: Option<&Path>) -> Result<Vec<(String, String)>, String> {
    let krate = name.replace('-', "_");
    let app_rs = app_source(name)?;
    let mut files = vec![
        ("Cargo.toml".to_owned(), cargo_toml(name, checkout)),
        (
            ".gitignore".to_owned(),
            "/target\n/out\n/main-out\n*.snap.new\n".to_owned(),
        ),
        ("src/lib.rs".to_owned(), app_rs),
        ("src/main.rs".to_owned(), main_rs(&krate)),
        ("tests/stacks.rs".to_owned(), tests_rs(&krate)),
        ("README.md".to_owned(), readme(name)),
        (".github/workflows/formwork-diff.yml".to_owned(), workflow()),
    ];
    for (stack, yaml) in rendered_stacks(name)? {
        files.push((
            format!("tests/snapshots/stacks__{stack}.snap"),
            format!("---\nsource: tests/stacks.rs\nexpression: yaml\n---\n{yaml}"),
        ));
    }
    Ok(files)
}

/// The composition with the project's name.
fn app_source(name: &str) -> Result<String, String> {
    const LINE: &str = "pub const APP: &str = \"example\";";
    if APP_RS.matches(LINE).count() != 1 {
        return Err("internal error: the app template has no single APP line".to_owned());
    }
    Ok(APP_RS.replacen(LINE, &format!("pub const APP: &str = \"{name}\";"), 1))
}

/// The stacks the new project synthesizes, as its snapshot test renders them: the template
/// composition, run here with the project's name.
fn rendered_stacks(name: &str) -> Result<Vec<(String, String)>, String> {
    let mut example = App::new();
    app::stacks(&mut example, name).map_err(|e| format!("internal error: {e}"))?;
    let asm = Assembly::from_app(
        Source::App {
            name: name.to_owned(),
        },
        example,
    )
    .map_err(|e| format!("internal error: {e}"))?;
    Ok(asm
        .stacks
        .iter()
        .map(|s| (s.name.clone(), render::to_yaml(&s.body)))
        .collect())
}

fn cargo_toml(name: &str, checkout: Option<&Path>) -> String {
    let formwork = match checkout {
        Some(c) => format!("{{ path = {} }}", toml_string(&c.display().to_string())),
        None => format!("\"{}\"", env!("CARGO_PKG_VERSION")),
    };
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
formwork = {formwork}

[dev-dependencies]
insta = "1.49"
serde_json = "1"

# A workspace of its own, wherever the directory is.
[workspace]
"#
    )
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn main_rs(krate: &str) -> String {
    format!(
        r#"//! `cargo run -- synth -o out` writes the out dir; `cargo run -- diff`, `validate` and
//! `deploy` work on out dirs (see `cargo run -- --help`).

fn main() -> std::process::ExitCode {{
    formwork::run({krate}::APP, {krate}::compose)
}}
"#
    )
}

fn tests_rs(krate: &str) -> String {
    format!(
        r#"//! The app's tests: the rendered templates against the reviewed snapshots
//! (`tests/snapshots/`; after a change, `cargo insta review` shows every changed line), and
//! assertions on what matters for gRPC.

use {krate}::{{APP, compose}};
use serde_json::json;

/// Synthesizes and validates the app as `cargo run -- synth` does.
fn synth() -> formwork::assembly::Assembly {{
    let (asm, warnings) = formwork::testing::synth(APP, compose).expect("the app synthesizes");
    assert!(warnings.is_empty(), "validation warnings: {{warnings:#?}}");
    asm
}}

#[test]
fn templates_match_the_reviewed_snapshots() {{
    for stack in &synth().stacks {{
        let yaml = formwork::constructs::core::render::to_yaml(&stack.body);
        insta::assert_snapshot!(stack.name.clone(), yaml);
    }}
}}

#[test]
fn grpc_is_enabled_end_to_end() {{
    let asm = synth();
    let greeter = formwork::testing::template(&asm, &format!("{{APP}}-greeter")).expect("stack");
    greeter.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        json!({{"ProtocolVersion": "GRPC", "TargetType": "ip", "HealthCheckPath": "/grpc.health.v1.Health/Check", "Matcher": {{"GrpcCode": "0"}}}}),
    );
    greeter.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({{"Protocol": "HTTPS"}}),
    );
    greeter.resource_count_is("AWS::WAFv2::WebACLAssociation", 1);
    // The VPC comes from the network stack, deployed first.
    greeter.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        json!({{"VpcId": {{"Fn::GetStackOutput": {{"StackName": format!("{{APP}}-network"), "OutputName": "Vpc"}}}}}}),
    );
}}
"#
    )
}

fn readme(name: &str) -> String {
    format!(
        r#"# {name}

Infrastructure as Rust code with [formwork](https://example.invalid/formwork): typed constructs
that emit CloudFormation, expert in gRPC on AWS. `src/lib.rs` composes the stacks; `src/main.rs`
hands the composition to `formwork::run`, so this binary synthesizes it and diffs, validates
and deploys out dirs.

## The loop

```sh
$EDITOR src/lib.rs                      # compose: constructs, typed cross-stack references
cargo test                              # snapshots + assertions; after a change: cargo insta review
cargo run -- synth -o out               # templates + manifest.json → out/ (validated, atomic)
cargo run -- diff main-out out          # what changes: replacements and data loss flagged
cargo run -- validate --strict out/*.template.json
cargo run -- deploy out --dry-run       # the exact aws CLI sequence
cargo run -- deploy out                 # aws cloudformation deploy, stack by stack, in order
```

`.github/workflows/formwork-diff.yml` synthesizes the base branch and the pull request and posts
`diff --format markdown` as a PR comment.

Before the first deploy, put your ACM certificate's ARN in `CERTIFICATE_ARN` (`src/lib.rs`).
"#
    )
}

fn workflow() -> String {
    r#"# formwork diff on every pull request: synthesizes the base branch and the PR (each with its
# own code) and posts `diff --format markdown` as a sticky PR comment.
name: formwork diff

on:
  pull_request:

permissions:
  contents: read
  pull-requests: write   # to post the comment

jobs:
  diff:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          path: pr
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.base.sha }}
          path: base
      - uses: dtolnay/rust-toolchain@stable
      - uses: Swatinem/rust-cache@v2
        with:
          workspaces: pr
      - name: Synthesize base and PR
        run: |
          (cd pr && cargo run --release --locked -- synth -o "$GITHUB_WORKSPACE/out")
          if [ -f base/Cargo.toml ]; then
            (cd base && cargo run --release --locked -- synth -o "$GITHUB_WORKSPACE/main-out")
          fi
      - name: diff
        id: diff
        run: |
          set +e
          if [ -d main-out ]; then
            (cd pr && cargo run --release --locked -- diff ../main-out ../out --format markdown --fail-on-change) > diff.md
          else
            printf '## formwork diff\n\nThe base branch has no app yet: every stack is new.\n' > diff.md
          fi
          code=$?
          set -e
          if [ "$code" != 0 ] && [ "$code" != 3 ]; then exit "$code"; fi
          cat diff.md >> "$GITHUB_STEP_SUMMARY"
      - uses: marocchino/sticky-pull-request-comment@v2
        with:
          header: formwork-diff
          path: diff.md
"#
    .to_owned()
}
