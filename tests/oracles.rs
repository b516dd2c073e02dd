//! External oracles on every blueprint example's output: cfn-lint (0 errors, 0 warnings) and
//! PyYAML (the YAML means the same as the JSON to a YAML 1.1 reader).

use std::process::Command;

use crate::support::{files_with_suffix, temp_dir, tool};

fn synth_all() -> std::path::PathBuf {
    let root = temp_dir("oracles");
    for bp in formwork_blueprints::BLUEPRINTS {
        let (files, _) =
            formwork::synth::build_files(bp.example.as_bytes(), bp.name).expect("builds");
        formwork::assembly::write_out_dir(&root.join(bp.name), &files).expect("writes");
    }
    root
}

#[test]
fn cfn_lint_finds_nothing() {
    let Some(cfn_lint) = tool("cfnlint/bin/cfn-lint") else {
        return;
    };
    let root = synth_all();
    let mut files = Vec::new();
    for bp in formwork_blueprints::BLUEPRINTS {
        files.extend(files_with_suffix(&root.join(bp.name), ".template.json"));
        files.extend(files_with_suffix(&root.join(bp.name), ".template.yaml"));
    }
    assert!(!files.is_empty());
    let out = Command::new(cfn_lint)
        .args(&files)
        .output()
        .expect("run cfn-lint");
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "cfn-lint found problems:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn yaml_means_the_json_to_pyyaml() {
    let Some(python) = tool("cfnlint/bin/python") else {
        return;
    };
    let root = synth_all();
    let script = r#"
import json, sys, yaml
bad = 0
for path in sys.argv[1:]:
    with open(path) as f: y = yaml.safe_load(f)
    with open(path[:-5] + ".json") as f: j = json.load(f)
    if y != j:
        bad += 1
        print("differs:", path)
print("checked", len(sys.argv) - 1)
sys.exit(1 if bad else 0)
"#;
    let mut files = Vec::new();
    for bp in formwork_blueprints::BLUEPRINTS {
        files.extend(files_with_suffix(&root.join(bp.name), ".template.yaml"));
    }
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(&files)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn yaml_writer_survives_tricky_strings_under_pyyaml() {
    let Some(python) = tool("cfnlint/bin/python") else {
        return;
    };
    let tricky = serde_json::json!({
        "bools": ["yes", "No", "on", "OFF", "y", "n", "true", "False", "null", "~"],
        "numbers": ["1.30", "0755", "0x1F", "1e3", "12:30", "1_000", ".inf", "-.5", "+1", "123456789012"],
        "dates": ["2001-12-14", "2026-11-26T03:39:04Z"],
        "syntax": ["a: b", "a #b", "- x", "*ref", "&a", "!tag", "@x", "`x", "%x", "{x}", "[x]", "|", ">", "?", "", " lead", "trail "],
        "text": ["line\nbreak", "tab\there", "quote\"s", "back\\slash", "ünïcödé", "emoji 🚀"],
        "keys": {"yes": 1, "1.30": 2, "on": 3, "": 4},
        "nested": [[], {}, [[1, [2]]], {"a": []}]
    });
    let dir = temp_dir("yaml-tricky");
    let y = dir.join("t.yaml");
    std::fs::write(&y, formwork_constructs::core::render::to_yaml(&tricky)).unwrap();
    std::fs::write(
        dir.join("t.json"),
        formwork_constructs::core::render::to_json(&tricky),
    )
    .unwrap();
    let out = Command::new(python)
        .arg("-c")
        .arg("import json,sys,yaml; y=yaml.safe_load(open(sys.argv[1])); j=json.load(open(sys.argv[2])); print(y==j); sys.exit(0 if y==j else 1)")
        .arg(&y)
        .arg(dir.join("t.json"))
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
