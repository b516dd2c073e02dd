//! Shared test helpers: snapshots of exact emitted bytes into the repo's `snapshots/` folder.
#![allow(dead_code)]

use formwork_constructs::core::{Env, Error, Stack};

/// insta settings that put snapshots in `<repo>/snapshots/`.
pub fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    // Relative to this file (constructs/tests/common/): the repo-level snapshots/ folder.
    s.set_snapshot_path("../../../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

/// A fresh stack pinned to eu-west-1.
pub fn stack() -> Stack {
    Stack::new("Test", Env::region("eu-west-1")).expect("valid stack name")
}

/// A fresh stack pinned to a Region.
pub fn stack_in(region: &str) -> Stack {
    Stack::new("Test", Env::region(region)).expect("valid stack name")
}

/// Snapshots the stack's YAML (exact bytes) as `constructs__<name>`.
pub fn snapshot(name: &str, stack: &Stack) {
    let yaml = stack.to_yaml().expect("renders");
    settings().bind(|| insta::assert_snapshot!(format!("constructs__{name}"), yaml));
}

/// Asserts that a construct refused its input with a message containing `needle` at `path`.
pub fn assert_construct_error<T: std::fmt::Debug>(r: Result<T, Error>, path: &str, needle: &str) {
    match r {
        Err(Error::Construct { path: p, message }) => {
            assert_eq!(p, path, "error path");
            assert!(
                message.contains(needle),
                "message `{message}` lacks `{needle}`"
            );
        }
        other => {
            panic!("expected a construct error at {path} containing `{needle}`, got {other:?}")
        }
    }
}

/// A pinned tool (`cfnlint/bin/cfn-lint`) in `$FORMWORK_TOOLS` or `<repo>/.tools`. Missing: under
/// `CI=true` the test fails; otherwise it is skipped with a note (`None`).
pub fn tool(rel: &str) -> Option<std::path::PathBuf> {
    let base = std::env::var_os("FORMWORK_TOOLS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools"));
    let p = base.join(rel);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "{} is missing; run scripts/install-tools (CI=true: tests that need it fail, not skip)",
            p.display()
        );
    }
    eprintln!(
        "SKIP: {} is missing; run scripts/install-tools",
        p.display()
    );
    None
}

/// A directory under the system temp dir, removed on drop (kept with `FORMWORK_KEEP_ORACLE_OUT`).
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    /// A fresh directory named after the test.
    pub fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("formwork-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }

    /// Writes the stack's YAML as `<stack name>.yaml` and returns its path.
    pub fn render(&self, stack: &Stack) -> std::path::PathBuf {
        let path = self.0.join(format!("{}.yaml", stack.name()));
        std::fs::write(&path, stack.to_yaml().expect("renders")).expect("write template");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("FORMWORK_KEEP_ORACLE_OUT").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// cfn-lint reports nothing at all (no error, no warning) on `file`.
pub fn assert_cfn_lint_clean(cfn_lint: &std::path::Path, file: &std::path::Path) {
    let out = std::process::Command::new(cfn_lint)
        .arg(file)
        .output()
        .expect("runs cfn-lint");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.trim().is_empty(),
        "cfn-lint on {}:\n{text}",
        file.display()
    );
}

/// checkov fails no check on `file`, parses it, runs checks, and every skip (written in the
/// resource's Metadata) carries a reason.
pub fn assert_checkov_clean(checkov: &std::path::Path, file: &std::path::Path) {
    use serde_json::Value;
    let out = std::process::Command::new(checkov)
        .args([
            "--framework",
            "cloudformation",
            "--quiet",
            "--compact",
            "--skip-download",
            "-o",
            "json",
            "-f",
        ])
        .arg(file)
        .output()
        .expect("runs checkov");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("checkov output is not JSON ({e}):\n{stdout}"));
    let reports: Vec<&Value> = match &v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let mut failed = Vec::new();
    let mut passed = 0;
    for r in reports {
        passed += r
            .pointer("/summary/passed")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        assert_eq!(
            r.pointer("/summary/parsing_errors")
                .and_then(Value::as_u64)
                .unwrap_or(0),
            0,
            "checkov could not parse {}",
            file.display()
        );
        assert_eq!(
            r.pointer("/summary/failed")
                .and_then(Value::as_u64)
                .unwrap_or(0),
            0,
            "checkov summary for {}: {}",
            file.display(),
            r["summary"]
        );
        for c in r
            .pointer("/results/failed_checks")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            failed.push(format!(
                "{} {} {}",
                c["check_id"], c["resource"], c["check_name"]
            ));
        }
        for s in r
            .pointer("/results/skipped_checks")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            assert!(
                s["check_result"]["suppress_comment"]
                    .as_str()
                    .is_some_and(|c| c.len() > 10),
                "skip without reason in {}: {s}",
                file.display()
            );
        }
    }
    assert!(
        failed.is_empty(),
        "checkov failed checks in {}:\n{}",
        file.display(),
        failed.join("\n")
    );
    assert!(passed > 0, "checkov ran no checks on {}", file.display());
}

/// formwork's own validation finds nothing (no error, no warning) in the stack.
pub fn assert_formwork_valid(stack: &Stack) {
    let t = stack.to_template().expect("renders");
    let opts = formwork_constructs::validate::ValidateOptions {
        region: stack.region().map(str::to_owned),
        stack: Some(stack.name().to_owned()),
        ..Default::default()
    };
    let diags = formwork_constructs::validate::validate_template(&t, &opts);
    assert!(
        diags.is_empty(),
        "{}: {}",
        stack.name(),
        formwork_constructs::validate::render_human(&diags)
    );
}
