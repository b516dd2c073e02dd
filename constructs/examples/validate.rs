//! `cargo run --release -p formwork-constructs --example validate -- [--strict] [--region R] [--format json] FILE...`
//!
//! Loads and validates CloudFormation templates (JSON or YAML), prints one line per diagnostic
//! (or a JSON array), and exits 1 on any error (with `--strict`, on any warning too).

use formwork_constructs::validate::{self, render_human, render_json};

fn main() {
    let mut strict = false;
    let mut region: Option<String> = None;
    let mut json = false;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--strict" => strict = true,
            "--region" => region = args.next(),
            "--format" => json = args.next().as_deref() == Some("json"),
            "--format=json" => json = true,
            _ => files.push(std::path::PathBuf::from(a)),
        }
    }
    if files.is_empty() {
        eprintln!("usage: validate [--strict] [--region R] [--format json] FILE...");
        std::process::exit(2);
    }
    let report = validate::validate_files(&files, region.as_deref(), strict);
    if json {
        println!("{}", render_json(&report.diagnostics));
    } else {
        print!("{}", render_human(&report.diagnostics));
    }
    // Skip destructors (validators live in statics anyway): exit straight away.
    std::process::exit(report.exit_code);
}
