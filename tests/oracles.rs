//! External oracles on every blueprint example's output: cfn-lint (0 errors, 0 warnings), AWS's
//! cloudformation-validate (no FATAL or ERROR finding) and PyYAML (the YAML means the same as the
//! JSON to a YAML 1.1 reader).

use std::process::Command;

use crate::support::{files_with_suffix, temp_dir, tool};

/// The configs the oracles judge: every blueprint's example, and the configs of
/// `tests/configs/good/` (options the examples do not use, such as `dns:` without certificates).
fn configs() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = formwork_blueprints::BLUEPRINTS
        .iter()
        .map(|bp| (bp.name.to_owned(), bp.example.as_bytes().to_vec()))
        .collect();
    let good = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/configs/good");
    let mut paths: Vec<_> = std::fs::read_dir(&good)
        .expect("tests/configs/good")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    for p in paths {
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        out.push((format!("good-{name}"), std::fs::read(&p).expect("reads")));
    }
    out
}

/// Every config of [`configs`] written to its own out dir under a directory named after the
/// calling test (tests may run as threads of one process); returns `(label, out dir)`.
fn synth_all(test: &str) -> Vec<(String, std::path::PathBuf)> {
    let root = temp_dir(&format!("oracles-{test}"));
    configs()
        .into_iter()
        .map(|(label, bytes)| {
            let (files, _) = formwork::synth::build_files(&bytes, &label)
                .unwrap_or_else(|e| panic!("{label} builds: {e:?}"));
            let dir = root.join(&label);
            formwork::outdir::write_out_dir(&dir, &files).expect("writes");
            (label, dir)
        })
        .collect()
}

#[test]
fn cfn_lint_finds_nothing() {
    let Some(cfn_lint) = tool("cfnlint/bin/cfn-lint") else {
        return;
    };
    let mut files = Vec::new();
    for (_, dir) in synth_all("cfn_lint") {
        files.extend(files_with_suffix(&dir, ".template.json"));
        files.extend(files_with_suffix(&dir, ".template.yaml"));
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

/// The second, independent oracle (issue #10 point 8): AWS's own validator, on the same files.
#[test]
fn cloudformation_validate_finds_no_fatal_or_error() {
    let Some(python) = tool("cfnvalidate/bin/python") else {
        return;
    };
    let mut files = Vec::new();
    for (_, dir) in synth_all("cloudformation_validate") {
        files.extend(files_with_suffix(&dir, ".template.json"));
        files.extend(files_with_suffix(&dir, ".template.yaml"));
    }
    assert!(!files.is_empty());
    let script = crate::support::repo().join("scripts/cloudformation-validate.py");
    let out = Command::new(python)
        .arg(script)
        .args(&files)
        .output()
        .expect("run cloudformation-validate");
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "cloudformation-validate found problems:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn yaml_means_the_json_to_pyyaml() {
    let Some(python) = tool("cfnlint/bin/python") else {
        return;
    };
    let dirs = synth_all("yaml");
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
    for (_, dir) in &dirs {
        files.extend(files_with_suffix(dir, ".template.yaml"));
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
        "text": ["line\nbreak", "tab\there", "quote\"s", "back\\slash", "ünïcödé", "emoji 🚀", "del\u{7f}", "c1\u{85}", "ls\u{2028}ps\u{2029}", "bom\u{feff}", "bell\u{7}"],
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

#[test]
fn checkov_finds_nothing() {
    let Some(checkov) = tool("checkov/bin/checkov") else {
        return;
    };
    for (label, dir) in synth_all("checkov") {
        let out = Command::new(&checkov)
            .args(["-d"])
            .arg(&dir)
            .args([
                "--framework",
                "cloudformation",
                "--quiet",
                "--compact",
                "--skip-download",
                "-o",
                "json",
            ])
            .output()
            .expect("run checkov");
        let text = String::from_utf8_lossy(&out.stdout);
        let v: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{label}: checkov output is not JSON ({e}): {text}"));
        // One report object, or a list of them (one per framework).
        let reports: Vec<serde_json::Value> = match v {
            serde_json::Value::Array(a) => a,
            other => vec![other],
        };
        for r in reports {
            let failed = r["summary"]["failed"].as_u64().unwrap_or(0);
            assert_eq!(
                failed,
                0,
                "{}: checkov failed checks:\n{}",
                label,
                serde_json::to_string_pretty(&r["results"]["failed_checks"]).unwrap_or_default()
            );
            assert!(
                r["summary"]["passed"].as_u64().unwrap_or(0) > 0,
                "{}: checkov checked nothing",
                label
            );
        }
    }
}

#[test]
fn manifests_pass_kubernetes_validate() {
    let Some(kv) = tool("k8sval/bin/kubernetes-validate") else {
        return;
    };
    let root = temp_dir("oracles-k8s");
    let mut files = Vec::new();
    for bp in formwork_blueprints::BLUEPRINTS {
        let (_, asm) =
            formwork_blueprints::load_and_build(bp.example.as_bytes(), &Default::default())
                .expect("builds");
        for f in &asm.files {
            let (rel, text) = (&f.path, &f.contents);
            const BUILT_IN: &[&str] = &[
                "v1",
                "apps/v1",
                "autoscaling/v2",
                "policy/v1",
                "networking.k8s.io/v1",
                "rbac.authorization.k8s.io/v1",
            ];
            if !rel.starts_with("k8s/") {
                continue; // Helm values, runbook
            }
            // One object per file, so its first apiVersion classifies the whole file.
            assert_eq!(
                text.lines()
                    .filter(|l| l.starts_with("apiVersion:"))
                    .count(),
                1,
                "{}: {rel} holds one object",
                bp.name
            );
            let api = text
                .lines()
                .find_map(|l| l.strip_prefix("apiVersion: "))
                .unwrap_or("");
            if !BUILT_IN.contains(&api.trim()) {
                // Custom resources (TargetGroupBinding, Gateway API, Lattice policies):
                // kubernetes-validate has no schema for them (covered by the snapshots and the
                // k8s unit tests).
                continue;
            }
            // Stand-ins for the values formwork deploy fills in after the stacks exist, filled
            // the way deploy fills them.
            let values: std::collections::BTreeMap<String, String> = asm
                .placeholders
                .keys()
                .map(|name| {
                    let v = if name.ends_with("RepositoryUri") {
                        format!(
                            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app/{}",
                            name.to_lowercase()
                        )
                    } else {
                        format!("value-{}", name.to_lowercase())
                    };
                    (name.clone(), v)
                })
                .collect();
            let resolved = formwork::assembly::resolve_placeholders(text, &values)
                .unwrap_or_else(|e| panic!("{}: {rel}: {e}", bp.name));
            assert!(
                !resolved.contains("${"),
                "{}: unresolved placeholder in {rel}",
                bp.name
            );
            let p = root.join(format!("k8s-{}-{}", bp.name, rel.replace('/', "-")));
            std::fs::write(&p, resolved).unwrap();
            files.push(p);
        }
    }
    assert!(!files.is_empty());
    let out = Command::new(kv)
        .args(["--strict", "-k", "1.33.0"])
        .args(&files)
        .output()
        .expect("run kubernetes-validate");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert_eq!(
        text.matches("passed").count(),
        files.len(),
        "every file must pass:\n{text}"
    );
}
