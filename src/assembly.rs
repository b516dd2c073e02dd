//! The out directory: rendered templates, `manifest.json`, Kubernetes manifests and the runbook,
//! written atomically (a failed run leaves an existing directory as it was).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use formwork_blueprints::runbook::{HELM_RESOLVED_DIR, K8S_RESOLVED_DIR};
use formwork_constructs::core::{App, ParamSource, Stack, render};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// CloudFormation's limit for a template body passed inline (`--template-body`).
pub const INLINE_BODY_LIMIT: usize = 51_200;

/// One stack as recorded in `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StackManifest {
    /// Stack name (`--stack-name`).
    pub name: String,
    /// Region (`--region`); `null` when the stack is environment-agnostic.
    pub region: Option<String>,
    /// Canonical template file, relative to the out dir.
    pub template: String,
    /// The same content as YAML, for review.
    pub template_yaml: String,
    /// Size of the JSON body in bytes (above 51,200 deploy needs `--s3-bucket`).
    pub body_bytes: usize,
    /// Number of resources.
    pub resources: usize,
    /// `--capabilities` the stack needs.
    pub capabilities: Vec<String>,
    /// `--tags`.
    pub tags: BTreeMap<String, String>,
    /// Parameters and where each value comes from.
    pub parameters: Vec<ParameterManifest>,
    /// Output ids.
    pub outputs: Vec<String>,
}

/// A stack parameter and its source.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ParameterManifest {
    /// Parameter id.
    pub name: String,
    /// Where the value comes from.
    pub source: ParamSource,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Format version of this file.
    pub format: u32,
    /// The blueprint that produced the out dir.
    pub blueprint: String,
    /// Stacks in deploy order.
    pub stacks: Vec<StackManifest>,
    /// Other files (Kubernetes manifests, runbook), relative to the out dir.
    pub files: Vec<String>,
    /// Placeholders in the Kubernetes manifests and the stack output that fills each.
    pub placeholders: BTreeMap<String, PlaceholderSource>,
}

/// The stack output that fills a placeholder.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PlaceholderSource {
    /// Producer stack.
    pub stack: String,
    /// Output id.
    pub output: String,
}

/// Reads `DIR/manifest.json`. The error names the path.
pub fn read_manifest(dir: &Path) -> Result<Manifest, String> {
    let p = dir.join("manifest.json");
    let bytes = fs::read(&p).map_err(|e| format!("cannot read `{}`: {e}", p.display()))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| format!("`{}` is not a formwork manifest: {e}", p.display()))
}

/// A rendered stack.
#[derive(Debug, Clone)]
pub struct RenderedStack {
    /// Stack name.
    pub name: String,
    /// The template as a value.
    pub template: Value,
    /// Canonical JSON text.
    pub json: String,
    /// YAML text.
    pub yaml: String,
}

/// Renders every stack of an app (on two threads when there are several stacks).
pub fn render_app(app: &App) -> Result<Vec<RenderedStack>, formwork_constructs::core::Error> {
    fn one(s: &Stack) -> Result<RenderedStack, formwork_constructs::core::Error> {
        let template = s.to_template()?;
        Ok(RenderedStack {
            name: s.name().to_owned(),
            json: render::to_json(&template),
            yaml: render::to_yaml(&template),
            template,
        })
    }
    let stacks = app.stacks();
    if stacks.len() < 2 {
        return stacks.iter().map(one).collect();
    }
    // Interleaved halves, results put back in deploy order.
    let (odd, even) = std::thread::scope(|scope| {
        let h = scope.spawn(|| {
            stacks
                .iter()
                .skip(1)
                .step_by(2)
                .map(one)
                .collect::<Vec<_>>()
        });
        let even: Vec<_> = stacks.iter().step_by(2).map(one).collect();
        (h.join().unwrap_or_default(), even)
    });
    if odd.len() != stacks.len() / 2 {
        return stacks.iter().map(one).collect();
    }
    let mut out = Vec::with_capacity(stacks.len());
    let mut odd = odd.into_iter();
    for e in even {
        out.push(e?);
        if let Some(o) = odd.next() {
            out.push(o?);
        }
    }
    Ok(out)
}

/// The `--capabilities` a template needs: `CAPABILITY_IAM` for IAM resources,
/// `CAPABILITY_NAMED_IAM` when one has an explicit name, `CAPABILITY_AUTO_EXPAND` for transforms.
pub fn capabilities(template: &Value) -> Vec<String> {
    const IAM: &[(&str, &str)] = &[
        ("AWS::IAM::Role", "RoleName"),
        ("AWS::IAM::ManagedPolicy", "ManagedPolicyName"),
        ("AWS::IAM::Policy", ""),
        ("AWS::IAM::User", "UserName"),
        ("AWS::IAM::Group", "GroupName"),
        ("AWS::IAM::InstanceProfile", "InstanceProfileName"),
        ("AWS::IAM::AccessKey", ""),
        ("AWS::IAM::UserToGroupAddition", ""),
        ("AWS::IAM::RolePolicy", ""),
        ("AWS::IAM::GroupPolicy", ""),
        ("AWS::IAM::UserPolicy", ""),
    ];
    let mut iam = false;
    let mut named = false;
    if let Some(res) = template.get("Resources").and_then(Value::as_object) {
        for r in res.values() {
            let ty = r.get("Type").and_then(Value::as_str).unwrap_or("");
            if let Some((_, name_prop)) = IAM.iter().find(|(t, _)| *t == ty) {
                iam = true;
                if !name_prop.is_empty()
                    && r.get("Properties")
                        .and_then(|p| p.get(*name_prop))
                        .is_some()
                {
                    named = true;
                }
            }
        }
    }
    let mut caps = Vec::new();
    if named {
        caps.push("CAPABILITY_NAMED_IAM".to_owned());
    } else if iam {
        caps.push("CAPABILITY_IAM".to_owned());
    }
    if template.get("Transform").is_some() {
        caps.push("CAPABILITY_AUTO_EXPAND".to_owned());
    }
    caps
}

/// The manifest entry of a stack.
pub fn stack_manifest(stack: &Stack, rendered: &RenderedStack) -> StackManifest {
    StackManifest {
        name: stack.name().to_owned(),
        region: stack.region().map(str::to_owned),
        template: format!("{}.template.json", stack.name()),
        template_yaml: format!("{}.template.yaml", stack.name()),
        body_bytes: rendered.json.len(),
        resources: stack.resource_count(),
        capabilities: capabilities(&rendered.template),
        tags: stack.tags().clone(),
        parameters: stack
            .parameters()
            .iter()
            .map(|(name, _)| ParameterManifest {
                name: name.clone(),
                source: stack
                    .parameter_source(name)
                    .cloned()
                    .unwrap_or(ParamSource::Operator),
            })
            .collect(),
        outputs: stack.outputs().iter().map(|(k, _)| k.clone()).collect(),
    }
}

/// The `aws cloudformation deploy` command line for a stack, as a list of arguments.
pub fn deploy_command(out_dir: &str, s: &StackManifest) -> Vec<String> {
    let mut cmd: Vec<String> = vec!["aws".into(), "cloudformation".into(), "deploy".into()];
    if let Some(r) = &s.region {
        cmd.push("--region".into());
        cmd.push(r.clone());
    }
    cmd.push("--stack-name".into());
    cmd.push(s.name.clone());
    cmd.push("--template-file".into());
    cmd.push(format!("{}/{}", out_dir.trim_end_matches('/'), s.template));
    if s.body_bytes > INLINE_BODY_LIMIT {
        cmd.push("--s3-bucket".into());
        cmd.push("<artifact-bucket>".into());
    }
    if !s.capabilities.is_empty() {
        cmd.push("--capabilities".into());
        cmd.extend(s.capabilities.iter().cloned());
    }
    let overrides: Vec<String> = s
        .parameters
        .iter()
        .filter_map(|p| match &p.source {
            ParamSource::Default => None,
            ParamSource::Value { value } => Some(format!("{}={}", p.name, value)),
            ParamSource::StackOutput { stack, output } => {
                Some(format!("{}=<{stack}.{output}>", p.name))
            }
            ParamSource::Operator => Some(format!("{}=<{}>", p.name, p.name)),
        })
        .collect();
    if !overrides.is_empty() {
        cmd.push("--parameter-overrides".into());
        cmd.extend(overrides);
    }
    if !s.tags.is_empty() {
        cmd.push("--tags".into());
        cmd.extend(s.tags.iter().map(|(k, v)| format!("{k}={v}")));
    }
    cmd.push("--no-fail-on-empty-changeset".into());
    cmd
}

/// Writes `files` (paths relative to `dir`) as the new content of `dir`, atomically: everything
/// goes to a sibling temporary directory first, which then replaces `dir` by renames. A directory
/// that exists but does not hold a formwork `manifest.json` is never replaced. The `k8s-resolved/`
/// and `helm-resolved/` folders that `formwork deploy` writes are carried over.
pub fn write_out_dir(dir: &Path, files: &[(String, Vec<u8>)]) -> io::Result<()> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("`{}` is not a directory path", dir.display()),
            )
        })?;
    let parent: PathBuf = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if dir.exists() {
        if !dir.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("`{}` exists and is not a directory", dir.display()),
            ));
        }
        let empty = fs::read_dir(dir)?.next().is_none();
        if !empty && !dir.join("manifest.json").is_file() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "`{}` is not empty and holds no manifest.json; refusing to replace it (choose another -o DIR)",
                    dir.display()
                ),
            ));
        }
    }
    fs::create_dir_all(&parent)?;
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.tmp-{pid}"));
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    let result = (|| -> io::Result<()> {
        fs::create_dir_all(&tmp)?;
        for (rel, bytes) in files {
            let p = tmp.join(rel);
            if let Some(d) = p.parent() {
                fs::create_dir_all(d)?;
            }
            fs::write(&p, bytes)?;
        }
        for kept in [K8S_RESOLVED_DIR, HELM_RESOLVED_DIR] {
            let resolved = dir.join(kept);
            if resolved.is_dir() {
                copy_dir(&resolved, &tmp.join(kept))?;
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if dir.exists() {
        let old = parent.join(format!(".{name}.old-{pid}"));
        if old.exists() {
            fs::remove_dir_all(&old)?;
        }
        fs::rename(dir, &old)?;
        if let Err(e) = fs::rename(&tmp, dir) {
            let _ = fs::rename(&old, dir);
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
        fs::remove_dir_all(&old)?;
    } else {
        fs::rename(&tmp, dir)?;
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn capabilities_follow_iam_resources() {
        let t = json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}}}});
        assert_eq!(capabilities(&t), vec!["CAPABILITY_IAM"]);
        let t = json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x"}}}});
        assert_eq!(capabilities(&t), vec!["CAPABILITY_NAMED_IAM"]);
        let t = json!({"Transform": "AWS::Serverless-2016-10-31", "Resources": {}});
        assert_eq!(capabilities(&t), vec!["CAPABILITY_AUTO_EXPAND"]);
        assert!(capabilities(&json!({"Resources": {}})).is_empty());
    }

    #[test]
    fn shell_quoting() {
        use formwork_blueprints::runbook::sh_quote;
        assert_eq!(sh_quote("a=b"), "a=b");
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), "'it'\\''s'");
    }
}
