//! Builds the embedded registry-schema bundle (`constructs/schemas/bundle/`) from the pinned
//! cfn-lint's schema store. Run through `scripts/update-schema-bundle`, not by hand.
//!
//! Usage: `build_schema_bundle <cfnlint/data/schemas dir> <out dir>`
//!
//! For every type of `providers/us-east-1.json`: parse `resources/<hash>.json`, clean it (see
//! below), minify, compress as one zstd-19 frame, append to `schemas.bin` and write
//! `index.tsv` (`TypeName<TAB>offset<TAB>length`, sorted by type name) and `manifest.json`
//! (source version, counts, and every pattern rewritten or dropped).
//!
//! Cleaning (VALIDATION-PROBE.md §1), at keyword positions only (never inside `properties` names):
//! * `pattern` / `patternProperties` keys that the Draft-7 meta-schema (ECMA-262) or the regex
//!   engine rejects: `\A`→`^`, `\Z`/`\z`→`$` first; if still rejected, the pattern is dropped
//!   (a `patternProperties` key is replaced by `.*` so the property stays allowed);
//! * `$schema`, `description`, `$comment`, `examples`, `handlers` are removed (unused, bulky).

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{Map, Value, json};

struct Cleaner {
    type_name: String,
    rewritten: Vec<Value>,
    dropped: Vec<Value>,
}

fn pattern_ok(p: &str) -> bool {
    let schema = json!({ "pattern": p });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(&schema)
        .is_ok()
}

fn rewrite(p: &str) -> String {
    p.replace("\\A", "^")
        .replace("\\Z", "$")
        .replace("\\z", "$")
}

const STRIP: &[&str] = &["$schema", "description", "$comment", "examples", "handlers"];
const SCHEMA_MAPS: &[&str] = &["properties", "definitions", "dependencies"];
const SCHEMA_ONE: &[&str] = &[
    "additionalProperties",
    "additionalItems",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
];
const SCHEMA_LISTS: &[&str] = &["oneOf", "anyOf", "allOf"];

impl Cleaner {
    /// Returns the new pattern, or None to drop it.
    fn fix(&mut self, p: &str, at: &str) -> Option<String> {
        if pattern_ok(p) {
            return Some(p.to_string());
        }
        let r = rewrite(p);
        if r != p && pattern_ok(&r) {
            self.rewritten
                .push(json!({"type": self.type_name, "at": at, "from": p, "to": r}));
            return Some(r);
        }
        self.dropped
            .push(json!({"type": self.type_name, "at": at, "pattern": p}));
        None
    }

    fn schema(&mut self, v: &mut Value, at: &str) {
        let Value::Object(m) = v else { return };
        for k in STRIP {
            // top-level metadata keeps its own keys; `description` there is documentation only
            m.remove(*k);
        }
        if let Some(Value::String(p)) = m.get("pattern").cloned() {
            match self.fix(&p, &format!("{at}/pattern")) {
                Some(np) => {
                    m.insert("pattern".into(), Value::String(np));
                }
                None => {
                    m.remove("pattern");
                }
            }
        }
        if let Some(Value::Object(pp)) = m.remove("patternProperties") {
            let mut out = Map::new();
            for (k, mut sub) in pp {
                self.schema(&mut sub, &format!("{at}/patternProperties/{k}"));
                let key = self
                    .fix(&k, &format!("{at}/patternProperties/{k}"))
                    .unwrap_or_else(|| ".*".to_string());
                out.insert(key, sub);
            }
            m.insert("patternProperties".into(), Value::Object(out));
        }
        for key in SCHEMA_MAPS {
            if let Some(Value::Object(sm)) = m.get_mut(*key) {
                for (name, sub) in sm.iter_mut() {
                    // `dependencies` values may be arrays of names: skip those
                    if sub.is_object() {
                        let p = format!("{at}/{key}/{name}");
                        self.schema(sub, &p);
                    }
                }
            }
        }
        for key in SCHEMA_ONE {
            if let Some(sub) = m.get_mut(*key) {
                let p = format!("{at}/{key}");
                self.schema(sub, &p);
            }
        }
        for key in SCHEMA_LISTS {
            if let Some(Value::Array(items)) = m.get_mut(*key) {
                for (i, sub) in items.iter_mut().enumerate() {
                    let p = format!("{at}/{key}/{i}");
                    self.schema(sub, &p);
                }
            }
        }
        match m.get_mut("items") {
            Some(Value::Array(items)) => {
                for (i, sub) in items.iter_mut().enumerate() {
                    let p = format!("{at}/items/{i}");
                    self.schema(sub, &p);
                }
            }
            Some(sub) => {
                let p = format!("{at}/items");
                self.schema(sub, &p);
            }
            None => {}
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: build_schema_bundle <cfnlint schemas dir> <out dir>");
        std::process::exit(2);
    }
    let src = std::path::Path::new(&args[1]);
    let out = std::path::Path::new(&args[2]);
    let providers: BTreeMap<String, String> = serde_json::from_slice(
        &std::fs::read(src.join("providers/us-east-1.json")).expect("read providers"),
    )
    .expect("parse providers");
    let version: Value =
        serde_json::from_slice(&std::fs::read(src.join("version.json")).unwrap_or_default())
            .unwrap_or(Value::Null);

    let mut blob: Vec<u8> = Vec::new();
    let mut index = String::new();
    let mut rewritten = Vec::new();
    let mut dropped = Vec::new();
    let mut not_compiling = Vec::new();
    let mut raw_total = 0usize;
    let mut min_total = 0usize;
    for (type_name, hash) in &providers {
        let raw = std::fs::read(src.join("resources").join(format!("{hash}.json")))
            .unwrap_or_else(|e| panic!("{type_name}: {e}"));
        raw_total += raw.len();
        let mut schema: Value = serde_json::from_slice(&raw).expect("parse schema");
        let mut c = Cleaner {
            type_name: type_name.clone(),
            rewritten: Vec::new(),
            dropped: Vec::new(),
        };
        // keep the top-level `description`? No: strip it like the rest (unused by validation).
        c.schema(&mut schema, "");
        if jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .build(&schema)
            .is_err()
        {
            not_compiling.push(type_name.clone());
        }
        rewritten.extend(c.rewritten);
        dropped.extend(c.dropped);
        let min = serde_json::to_vec(&schema).expect("serialize");
        min_total += min.len();
        let frame = zstd::bulk::compress(&min, 19).expect("zstd");
        index.push_str(&format!("{type_name}\t{}\t{}\n", blob.len(), frame.len()));
        blob.extend_from_slice(&frame);
    }
    std::fs::create_dir_all(out).expect("mkdir");
    std::fs::write(out.join("schemas.bin"), &blob).expect("write blob");
    std::fs::write(out.join("index.tsv"), index).expect("write index");
    let manifest = json!({
        "source": "cfn-lint 1.58.0 cfnlint/data/schemas (providers/us-east-1.json)",
        "version": version,
        "types": providers.len(),
        "raw_bytes": raw_total,
        "minified_cleaned_bytes": min_total,
        "bundle_bytes": blob.len(),
        "not_compiling": not_compiling,
        "patterns_rewritten": rewritten,
        "patterns_dropped": dropped,
    });
    let mut f = std::fs::File::create(out.join("manifest.json")).expect("manifest");
    f.write_all(
        serde_json::to_string_pretty(&manifest)
            .expect("json")
            .as_bytes(),
    )
    .expect("write manifest");
    eprintln!(
        "{} types, raw {} B, minified {} B, bundle {} B, {} rewritten, {} dropped, {} not compiling",
        providers.len(),
        raw_total,
        min_total,
        blob.len(),
        manifest["patterns_rewritten"]
            .as_array()
            .map_or(0, Vec::len),
        manifest["patterns_dropped"].as_array().map_or(0, Vec::len),
        manifest["not_compiling"].as_array().map_or(0, Vec::len),
    );
}
