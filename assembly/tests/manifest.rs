//! The assembly as files: what synth writes reads back as the same assembly, every
//! `manifest.json` synth writes is valid against the committed schema, and an out dir of another
//! format or a broken one is refused with the path named.

use std::path::PathBuf;

use formwork_assembly::{Assembly, FileKind, OutputRef, Source};
use formwork_constructs::core::{App, Env, Output};
use formwork_constructs::ecr::{Repository, RepositoryProps};

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("formwork-assembly-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn sample() -> Assembly {
    let mut app = App::new();
    let a = app.add_stack("images", Env::region("eu-west-1")).unwrap();
    let repo = Repository::new(&mut a.root(), "Greeter", RepositoryProps::default()).unwrap();
    a.add_output("GreeterUri", Output::new(repo.uri.clone(), "uri"))
        .unwrap();
    let b = app.add_stack("app", Env::region("eu-west-1")).unwrap();
    b.add_output("Copy", Output::new(repo.arn.clone(), "read from images"))
        .unwrap();
    let mut asm = Assembly::from_app(Source::App { name: "t".into() }, app).unwrap();
    let ph = asm
        .placeholder_for(&OutputRef::new("images", "GreeterUri"))
        .unwrap();
    asm.add_file(
        "k8s/a.yaml",
        FileKind::K8sManifest,
        format!("image: \"{ph}:1\"\n"),
    )
    .unwrap();
    asm
}

fn write(asm: &Assembly, d: &std::path::Path) {
    for (rel, bytes) in asm.to_files() {
        let p = d.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

#[test]
fn an_out_dir_reads_back_as_the_assembly() {
    let asm = sample();
    let d = temp("roundtrip");
    write(&asm, &d);
    let back = Assembly::read(&d).unwrap();
    assert_eq!(back.stacks, asm.stacks);
    assert_eq!(back.files, asm.files);
    assert_eq!(back.placeholders, asm.placeholders);
    assert_eq!(back.manifest_json(), asm.manifest_json());
    let images = back.stack("images").unwrap();
    let arn = images
        .outputs
        .iter()
        .find(|o| o.name == "GreeterArn")
        .unwrap();
    assert_eq!(arn.read_by, ["app"]);
    assert_eq!(back.stack("app").unwrap().reads[0].output, "GreeterArn");
}

#[test]
fn manifests_validate_against_the_committed_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("manifest.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&sample().manifest_json()).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v.iter_errors(&manifest).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn unreadable_out_dirs_name_the_file() {
    let d = temp("bad");
    let e = Assembly::read(&d).unwrap_err().to_string();
    assert!(e.contains("manifest.json"), "{e}");
    std::fs::write(
        d.join("manifest.json"),
        r#"{"format": 1, "blueprint": "x", "stacks": []}"#,
    )
    .unwrap();
    let e = Assembly::read(&d).unwrap_err().to_string();
    assert!(
        e.contains("format 1") && e.contains("synthesize the out dir again"),
        "{e}"
    );
    write(&sample(), &d);
    std::fs::write(d.join("images.template.json"), "{ not json").unwrap();
    let e = Assembly::read(&d).unwrap_err().to_string();
    assert!(
        e.contains("images.template.json") && e.contains("not a JSON template"),
        "{e}"
    );
    write(&sample(), &d);
    std::fs::remove_file(d.join("k8s/a.yaml")).unwrap();
    let e = Assembly::read(&d).unwrap_err().to_string();
    assert!(e.contains("k8s/a.yaml"), "{e}");
}

#[test]
fn files_refuse_placeholders_no_output_fills() {
    let mut asm = sample();
    let e = asm
        .add_file("k8s/b.yaml", FileKind::K8sManifest, "x: ${Nowhere}\n")
        .unwrap_err();
    assert!(e.contains("Nowhere"), "{e}");
    let e = asm
        .add_placeholder("Bad", OutputRef::new("images", "NoSuchOutput"))
        .unwrap_err();
    assert!(e.contains("has no output `NoSuchOutput`"), "{e}");
}
