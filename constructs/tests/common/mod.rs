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
            assert!(message.contains(needle), "message `{message}` lacks `{needle}`");
        }
        other => panic!("expected a construct error at {path} containing `{needle}`, got {other:?}"),
    }
}
