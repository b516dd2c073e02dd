//! Phase timings of one cold validation (stderr): `--example validate_timing -- FILE`.
use formwork_constructs::validate::{self, ValidateOptions};
use std::time::Instant;
fn main() {
    let t0 = Instant::now();
    let p = std::env::args().nth(1).unwrap_or_default();
    let bytes = std::fs::read(&p).unwrap_or_default();
    let t = validate::load_template(&bytes, &p);
    let t1 = Instant::now();
    let Ok(t) = t else { std::process::exit(2) };
    let mut types: Vec<&str> = t["Resources"]
        .as_object()
        .map(|m| m.values().filter_map(|r| r["Type"].as_str()).collect())
        .unwrap_or_default();
    types.sort();
    types.dedup();
    for ty in &types {
        let _ = validate::schemas::get(ty);
    }
    let t2 = Instant::now();
    for ty in &types {
        let _ = validate::schema::compiled(ty);
    }
    let t3 = Instant::now();
    let d = validate::validate_template(
        &t,
        &ValidateOptions {
            body_bytes: Some(bytes.len()),
            ..Default::default()
        },
    );
    let t4 = Instant::now();
    eprintln!(
        "load {:?}  decompress+parse {} schemas {:?}  compile {:?}  validate {:?}  ({} diagnostics)",
        t1 - t0,
        types.len(),
        t2 - t1,
        t3 - t2,
        t4 - t3,
        d.len()
    );
    std::process::exit(0);
}
