//! `manifest.json`'s JSON Schema is committed (`assembly/manifest.schema.json`) and must match
//! the model; `FORMWORK_UPDATE_SCHEMAS=1 cargo test -p formwork-assembly` rewrites it.

use std::path::PathBuf;

#[test]
fn committed_manifest_schema_matches_the_model() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("manifest.schema.json");
    let mut want = serde_json::to_string_pretty(&formwork_assembly::manifest_schema()).unwrap();
    want.push('\n');
    if std::env::var("FORMWORK_UPDATE_SCHEMAS").as_deref() == Ok("1") {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is out of date with the assembly model; regenerate with `FORMWORK_UPDATE_SCHEMAS=1 cargo test -p formwork-assembly`",
        path.display()
    );
}
