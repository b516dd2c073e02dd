//! Helpers for the toolkit's integration tests: temp dirs, the binary, external tools.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh, empty directory under `target/test-tmp/`.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = repo()
        .join("target")
        .join("test-tmp")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

/// Runs the `formwork` binary in `cwd`.
pub fn formwork(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_formwork"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run formwork")
}

/// The path of a pinned tool (`cfnlint/bin/cfn-lint`) in `$FORMWORK_TOOLS` or `<repo>/.tools`.
/// Missing: under `CI=true` the test fails; otherwise it is skipped with a note (`None`).
pub fn tool(rel: &str) -> Option<PathBuf> {
    let base = std::env::var_os("FORMWORK_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".tools"));
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

/// Every file with the given suffix under `dir`, sorted.
pub fn files_with_suffix(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    out
}

/// insta settings that put snapshots in `<repo>/snapshots/`.
pub fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    // Relative to the test file that asserts (tests/*.rs): the repo-level snapshots/ folder.
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}
