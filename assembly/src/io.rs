//! The out dir as files: what synth writes, and reading it back for `diff` and `deploy`.

use std::fs;
use std::path::Path;

use formwork_constructs::core::render;
use serde_json::Value;

use crate::layout::MANIFEST_FILE;
use crate::model::{Assembly, FORMAT};

/// Why an out dir could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadError {
    /// A file is missing or unreadable.
    #[error("cannot read `{path}`: {message}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        message: String,
    },
    /// `manifest.json` is not an assembly this version understands.
    #[error("`{path}` is not a formwork manifest: {message}")]
    Manifest {
        /// The file.
        path: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A template is not JSON.
    #[error("`{path}` is not a JSON template: {message}")]
    Template {
        /// The file.
        path: String,
        /// The parse error.
        message: String,
    },
}

impl Assembly {
    /// Every file of the out dir, `(path relative to the out dir, bytes)`: per stack its JSON
    /// template (the minified deploy body) and YAML (review), the extra files, then `manifest.json`.
    pub fn to_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files = Vec::with_capacity(self.stacks.len() * 2 + self.files.len() + 1);
        for s in &self.stacks {
            files.push((s.template.clone(), render::to_body(&s.body).into_bytes()));
            files.push((
                s.template_yaml.clone(),
                render::to_yaml(&s.body).into_bytes(),
            ));
        }
        for f in &self.files {
            files.push((f.path.clone(), f.contents.clone().into_bytes()));
        }
        files.push((MANIFEST_FILE.to_owned(), self.manifest_json().into_bytes()));
        files
    }

    /// `manifest.json`'s text.
    pub fn manifest_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).unwrap_or_default();
        json.push('\n');
        json
    }

    /// Reads an out dir: `manifest.json`, every stack's template and every listed file.
    pub fn read(dir: &Path) -> Result<Assembly, ReadError> {
        let path = dir.join(MANIFEST_FILE);
        let text = read_text(&path)?;
        let probe: Value = serde_json::from_str(&text).map_err(|e| ReadError::Manifest {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        match probe.get("format").and_then(Value::as_u64) {
            Some(f) if f == u64::from(FORMAT) => {}
            Some(f) => {
                return Err(ReadError::Manifest {
                    path: path.display().to_string(),
                    message: format!(
                        "format {f}, but this formwork reads format {FORMAT}: synthesize the out dir again with this version"
                    ),
                });
            }
            None => {
                return Err(ReadError::Manifest {
                    path: path.display().to_string(),
                    message: "no `format` version".to_owned(),
                });
            }
        }
        let mut asm: Assembly = serde_json::from_value(probe).map_err(|e| ReadError::Manifest {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        for s in &mut asm.stacks {
            let p = dir.join(&s.template);
            let t = read_text(&p)?;
            s.body = serde_json::from_str(&t).map_err(|e| ReadError::Template {
                path: p.display().to_string(),
                message: e.to_string(),
            })?;
        }
        for f in &mut asm.files {
            f.contents = read_text(&dir.join(&f.path))?;
        }
        Ok(asm)
    }
}

fn read_text(p: &Path) -> Result<String, ReadError> {
    fs::read_to_string(p).map_err(|e| ReadError::Io {
        path: p.display().to_string(),
        message: e.to_string(),
    })
}

/// The JSON Schema of `manifest.json` (committed as `assembly/manifest.schema.json`).
pub fn manifest_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(Assembly)).unwrap_or(Value::Null)
}
