//! The own-app path in process: the CLI's verbs driven through `cli::run_with` /
//! `cli::run_app_with` with captured output, `formwork new`'s scaffold, and the cross-stack
//! mode flag. (`scripts/test-own-app` builds and runs a scaffolded project for real.)

use std::ffi::OsString;

use formwork::assembly::{Assembly, Source};
use formwork::cli::{Io, run_app_with, run_with};
use formwork::constructs::core::{App, Env, Output};
use formwork::constructs::ecr::{Repository, RepositoryProps};
use formwork::constructs::l1::sns::topic::Topic;

use crate::support::temp_dir;

fn args(a: &[&str]) -> Vec<OsString> {
    a.iter().map(OsString::from).collect()
}

/// Runs `formwork` in process; returns (exit code, stdout, stderr).
fn formwork_in_process(a: &[&str]) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = {
        let mut io = Io {
            out: &mut out,
            err: &mut err,
            out_is_terminal: false,
        };
        run_with(args(a), &mut io)
    };
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// A two-stack app whose second stack reads the first's repository.
fn compose(app: &mut App) -> Result<(), formwork::constructs::core::Error> {
    let images = app.add_stack("demo-images", Env::region("eu-west-1"))?;
    let repo = Repository::new(&mut images.root(), "Greeter", RepositoryProps::default())?;
    let consumer = app.add_stack("demo-app", Env::region("us-east-1"))?;
    consumer.root().add(
        "Alerts",
        Topic {
            display_name: Some((&repo.name).into()),
            ..Default::default()
        },
    )?;
    consumer.add_output(
        "GreeterUri",
        Output::new(repo.uri.clone(), "from demo-images"),
    )?;
    Ok(())
}

fn run_app(a: &[&str]) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = {
        let mut io = Io {
            out: &mut out,
            err: &mut err,
            out_is_terminal: false,
        };
        run_app_with(
            args(a),
            |opts| {
                let mut app = App::new();
                compose(&mut app).map_err(|e| e.to_string())?;
                opts.apply(&mut app);
                Assembly::from_app(
                    Source::App {
                        name: "demo".into(),
                    },
                    app,
                )
                .map_err(|e| e.to_string())
            },
            &mut io,
        )
    };
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

#[test]
fn an_app_binary_synthesizes_and_diffs_its_out_dir() {
    let d = temp_dir("own-app-synth");
    let out = d.join("out");
    let (code, stdout, stderr) = run_app(&["app", "synth", "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("synthesized demo (demo) into"), "{stdout}");
    let asm = Assembly::read(&out).unwrap();
    assert_eq!(
        asm.source,
        Source::App {
            name: "demo".into()
        }
    );
    let consumer = asm.stack("demo-app").unwrap();
    assert_eq!(
        consumer.body["Outputs"]["GreeterUri"]["Value"]["Fn::GetStackOutput"]["Region"],
        "eu-west-1",
        "a cross-Region read names the producer's Region"
    );
    let (code, stdout, _) = run_app(&[
        "app",
        "diff",
        out.to_str().unwrap(),
        out.to_str().unwrap(),
        "--fail-on-change",
    ]);
    assert_eq!(code, 0, "{stdout}");
    // the same out dir through the formwork binary's verbs
    let (code, stdout, stderr) =
        formwork_in_process(&["formwork", "deploy", out.to_str().unwrap(), "--dry-run"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("--stack-name demo-images"), "{stdout}");
    assert!(
        !stdout.contains("--parameter-overrides"),
        "GetStackOutput needs none: {stdout}"
    );
}

#[test]
fn the_parameters_mode_is_chosen_on_the_command_line() {
    let d = temp_dir("own-app-params");
    let out = d.join("out");
    let (code, _, stderr) = run_app(&[
        "app",
        "synth",
        "-o",
        out.to_str().unwrap(),
        "--cross-stack",
        "parameters",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let asm = Assembly::read(&out).unwrap();
    let consumer = asm.stack("demo-app").unwrap();
    assert_eq!(
        consumer.body["Outputs"]["GreeterUri"]["Value"],
        serde_json::json!({"Ref": "GreeterRepositoryUri"})
    );
    let names: Vec<&str> = consumer
        .parameters
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["Greeter", "GreeterRepositoryUri"]);
    let (code, stdout, stderr) =
        formwork_in_process(&["formwork", "deploy", out.to_str().unwrap(), "--dry-run"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("'GreeterRepositoryUri=<output of demo-images.GreeterRepositoryUri>'"),
        "{stdout}"
    );
}

#[test]
fn a_failing_app_writes_nothing_and_says_why() {
    let d = temp_dir("own-app-fail");
    let out = d.join("out");
    let (mut o, mut e) = (Vec::new(), Vec::new());
    let code = run_app_with(
        args(&["app", "synth", "-o", out.to_str().unwrap()]),
        |_| Err("demo/Repo: repository names are lowercase".to_owned()),
        &mut Io {
            out: &mut o,
            err: &mut e,
            out_is_terminal: false,
        },
    );
    assert_eq!(code, 1);
    let e = String::from_utf8_lossy(&e);
    assert!(
        e.contains("repository names are lowercase") && e.contains("nothing was written"),
        "{e}"
    );
    assert!(!out.exists());
    // usage errors are 2, help is 0
    assert_eq!(run_app(&["app", "synth", "--bogus"]).0, 2);
    let (code, stdout, _) = run_app(&["app", "--help"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("synth") && stdout.contains("deploy"),
        "{stdout}"
    );
}

#[test]
fn new_scaffolds_a_project_and_refuses_to_overwrite() {
    let d = temp_dir("own-app-new");
    let target = d.join("my-infra");
    let repo = crate::support::repo();
    let (code, stdout, stderr) = formwork_in_process(&[
        "formwork",
        "new",
        target.to_str().unwrap(),
        "--path",
        repo.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("cargo test && cargo run -- synth -o out"),
        "{stdout}"
    );
    let lib = std::fs::read_to_string(target.join("src/lib.rs")).unwrap();
    assert!(lib.contains("pub const APP: &str = \"my-infra\";"), "{lib}");
    let cargo = std::fs::read_to_string(target.join("Cargo.toml")).unwrap();
    assert!(
        cargo.contains(&format!(
            "formwork = {{ path = \"{}\" }}",
            repo.canonicalize().unwrap().display()
        )),
        "{cargo}"
    );
    for f in [
        "src/main.rs",
        "tests/stacks.rs",
        "tests/snapshots/stacks__my-infra-network.snap",
        "tests/snapshots/stacks__my-infra-greeter.snap",
        "README.md",
        ".github/workflows/formwork-diff.yml",
        "Cargo.lock",
    ] {
        assert!(target.join(f).is_file(), "{f}");
    }
    let snap =
        std::fs::read_to_string(target.join("tests/snapshots/stacks__my-infra-greeter.snap"))
            .unwrap();
    assert!(
        snap.contains("StackName: my-infra-network"),
        "the snapshot is the project's own: {snap}"
    );
    // a second run refuses: the directory is not empty
    let (code, _, stderr) = formwork_in_process(&["formwork", "new", target.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("is not empty"), "{stderr}");
    // a name that cannot be a package
    let (code, _, stderr) =
        formwork_in_process(&["formwork", "new", d.join("My_Infra").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("lowercase letters"), "{stderr}");
    assert!(!d.join("My_Infra").exists());
    // without --path, the crate version
    let other = d.join("other");
    assert_eq!(
        formwork_in_process(&["formwork", "new", other.to_str().unwrap()]).0,
        0
    );
    let cargo = std::fs::read_to_string(other.join("Cargo.toml")).unwrap();
    assert!(
        cargo.contains(&format!("formwork = \"{}\"", env!("CARGO_PKG_VERSION"))),
        "{cargo}"
    );
    assert!(!other.join("Cargo.lock").exists());
}

#[test]
fn the_scaffolded_composition_is_valid_and_wired() {
    let (asm, warnings) =
        formwork::testing::synth("example", formwork::new::app::compose).expect("synthesizes");
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert_eq!(
        asm.stacks
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["example-network", "example-greeter"]
    );
    let greeter = asm.stack("example-greeter").unwrap();
    assert!(
        greeter
            .reads
            .iter()
            .any(|r| r.stack == "example-network" && r.output == "Vpc")
    );
}
