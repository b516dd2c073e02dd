//! `cargo bench --bench synth`: in-process cost of config → stacks → rendered JSON + YAML
//! (+ validation) for every blueprint example. Whole-process figures come from `scripts/bench`.

use criterion::{Criterion, criterion_group, criterion_main};

fn synth(c: &mut Criterion) {
    for bp in formwork_blueprints::BLUEPRINTS {
        c.bench_function(&format!("synth+render+validate {}", bp.name), |b| {
            b.iter(|| {
                let (files, _) =
                    formwork::synth::build_files(bp.example.as_bytes(), bp.name).expect("builds");
                std::hint::black_box(files);
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = synth
}
criterion_main!(benches);
