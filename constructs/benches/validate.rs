//! `cargo bench -p formwork-constructs --bench validate`
//!
//! Validates the shared reference template (44 resources, 31 types) and a ~500-resource
//! template made from it by cloning every resource 10 more times under new logical ids.
//! Validators are compiled on the first iteration and cached for the process, so these are
//! warm figures; the cold whole-process cost is measured with hyperfine (docs/validate-bench.md).

use criterion::{Criterion, criterion_group, criterion_main};
use formwork_constructs::validate::{ValidateOptions, load_template, validate_template};
use serde_json::Value;

fn reference() -> Value {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/validate/good/reference-grpc-eks-edge.yaml"
    );
    load_template(&std::fs::read(p).expect("reference"), p).expect("parse")
}

/// The reference with every resource cloned `copies` more times (`IdC1`, `IdC2`, …).
fn scaled(copies: usize) -> Value {
    let mut t = reference();
    let res = t["Resources"].as_object().cloned().unwrap_or_default();
    let out = t["Resources"].as_object_mut().expect("resources");
    for i in 1..=copies {
        for (id, r) in &res {
            out.insert(format!("{id}C{i}"), r.clone());
        }
    }
    t
}

fn bench(c: &mut Criterion) {
    let small = reference();
    let big = scaled(10);
    let n_small = small["Resources"].as_object().map_or(0, |m| m.len());
    let n_big = big["Resources"].as_object().map_or(0, |m| m.len());
    let opts = ValidateOptions::default();
    assert!(validate_template(&small, &opts).is_empty());
    if std::env::var_os("WRITE_SCALED").is_some() {
        let p = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../target/validate-scaled-484.json"
        );
        std::fs::write(p, serde_json::to_vec(&big).expect("json")).expect("write");
    }
    c.bench_function(&format!("validate reference ({n_small} resources)"), |b| {
        b.iter(|| validate_template(std::hint::black_box(&small), &opts))
    });
    c.bench_function(&format!("validate scaled ({n_big} resources)"), |b| {
        b.iter(|| validate_template(std::hint::black_box(&big), &opts))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
