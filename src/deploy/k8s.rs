//! After the stacks: the out dir's Kubernetes manifests and Helm values with their placeholders
//! filled from the stack outputs (`k8s-resolved/`, `helm-resolved/`); with `--apply-k8s` the
//! cluster steps follow (`cluster.rs`).

use std::collections::BTreeMap;

use formwork_assembly::layout::{HELM_RESOLVED_DIR, K8S_RESOLVED_DIR, resolved_path};
use formwork_assembly::{Assembly, FileArtifact, resolve_placeholders};

use super::DeployError;
use super::ctx::Ctx;

pub(super) fn resolve_k8s(ctx: &mut Ctx<'_>, asm: &Assembly) -> Result<Vec<String>, DeployError> {
    let opts = ctx.opts;
    let files: Vec<&FileArtifact> = asm
        .files
        .iter()
        .filter(|f| resolved_path(&f.path).is_some())
        .collect();
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let resolved_dir = opts.dir.join(K8S_RESOLVED_DIR);
    if opts.dry_run {
        ctx.info(format!(
            "  (dry run) would write {} file(s) to {} with the stack outputs filled in",
            files.len(),
            resolved_dir.display()
        ));
    } else {
        let mut values = BTreeMap::new();
        for (ph, src) in &asm.placeholders {
            let (st, out) = (src.stack.as_str(), src.output.as_str());
            let region = asm
                .stack(st)
                .and_then(|m| m.region.clone())
                .or(opts.region.clone());
            let outs = ctx.stack_outputs(st, region.as_deref())?;
            let v = outs.get(out).cloned().ok_or_else(|| {
                DeployError::Missing(format!(
                    "placeholder ${{{ph}}}: stack `{st}` has no output {out}"
                ))
            })?;
            values.insert(ph.clone(), v);
        }
        let _ = std::fs::remove_dir_all(&resolved_dir);
        let _ = std::fs::remove_dir_all(opts.dir.join(HELM_RESOLVED_DIR));
        for f in &files {
            let src = opts.dir.join(&f.path);
            let text = &f.contents;
            let dst = opts.dir.join(resolved_path(&f.path).unwrap_or_default());
            if let Some(p) = dst.parent() {
                std::fs::create_dir_all(p).map_err(|e| {
                    DeployError::Input(format!("cannot write `{}`: {e}", dst.display()))
                })?;
            }
            let filled = resolve_placeholders(text, &values)
                .map_err(|e| DeployError::Input(format!("`{}`: {e}", src.display())))?;
            std::fs::write(&dst, filled).map_err(|e| {
                DeployError::Input(format!("cannot write `{}`: {e}", dst.display()))
            })?;
        }
        ctx.info(format!(
            "wrote {} file(s) to {}",
            files.len(),
            resolved_dir.display()
        ));
    }
    if opts.apply_k8s {
        super::cluster::apply(ctx, asm, &resolved_dir)?;
    }
    Ok(files
        .iter()
        .filter_map(|f| resolved_path(&f.path))
        .collect())
}
