//! `formwork-codegen [--check]`: regenerates `constructs/src/l1/` from `constructs/schemas/`.
//! With `--check` nothing is written, and the exit status is 1 when a file differs.

use std::process::ExitCode;

fn main() -> ExitCode {
    let check = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--check") => true,
        Some(other) => {
            eprintln!("usage: formwork-codegen [--check] (unknown argument {other})");
            return ExitCode::from(2);
        }
    };
    let (schemas, out_dir) = formwork_codegen::default_dirs();
    let out = match formwork_codegen::generate_with_stats(&schemas) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("formwork-codegen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let s = &out.stats;
    eprintln!(
        "formwork-codegen: {} resource types, {} structs, {} enums, {} attributes, {} Value-fallback fields, {} boxed fields, {} unreachable definitions skipped, {} patches applied",
        s.resources,
        s.structs,
        s.enums,
        s.attributes,
        s.value_fallback_fields,
        s.boxed_fields,
        s.unreachable_definitions,
        s.patches_applied
    );
    let differing = formwork_codegen::diff(&out.files, &out_dir);
    if check {
        if differing.is_empty() {
            return ExitCode::SUCCESS;
        }
        for p in &differing {
            eprintln!("differs: {}", out_dir.join(p).display());
        }
        eprintln!("run `cargo run -p formwork-codegen` to regenerate");
        return ExitCode::FAILURE;
    }
    if let Err(e) = std::fs::create_dir_all(&out_dir) {
        eprintln!("formwork-codegen: {}: {e}", out_dir.display());
        return ExitCode::FAILURE;
    }
    for p in &differing {
        let path = out_dir.join(p);
        let result = match out.files.get(p) {
            Some(content) => std::fs::write(&path, content),
            None => std::fs::remove_file(&path),
        };
        if let Err(e) = result {
            eprintln!("formwork-codegen: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
