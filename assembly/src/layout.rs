//! The names of the out dir's files and folders: one home, used by synth, diff and deploy.

/// The assembly's serialization.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The runbook.
pub const RUNBOOK_FILE: &str = "DEPLOY.md";

/// Kubernetes manifests, as synthesized (with placeholders).
pub const K8S_DIR: &str = "k8s";

/// Helm values, as synthesized (with placeholders).
pub const HELM_DIR: &str = "helm";

/// Where `formwork deploy` (or the runbook's manual step) writes the manifests with the
/// placeholders filled.
pub const K8S_RESOLVED_DIR: &str = "k8s-resolved";

/// Where the resolved Helm values go.
pub const HELM_RESOLVED_DIR: &str = "helm-resolved";

/// Folders that `formwork deploy` writes into an out dir; a new synth keeps them.
pub const DEPLOY_OUTPUT_DIRS: &[&str] = &[K8S_RESOLVED_DIR, HELM_RESOLVED_DIR];

/// The canonical template file of a stack.
pub fn template_file(stack: &str) -> String {
    format!("{stack}.template.json")
}

/// The review (YAML) template file of a stack.
pub fn template_yaml_file(stack: &str) -> String {
    format!("{stack}.template.yaml")
}

/// Where a synthesized file (under `k8s/` or `helm/`) goes once its placeholders are filled;
/// `None` for a file that is not resolved.
pub fn resolved_path(file: &str) -> Option<String> {
    for (from, to) in [(K8S_DIR, K8S_RESOLVED_DIR), (HELM_DIR, HELM_RESOLVED_DIR)] {
        if let Some(rest) = file.strip_prefix(from).and_then(|r| r.strip_prefix('/')) {
            return Some(format!("{to}/{rest}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolved_paths() {
        assert_eq!(
            resolved_path("k8s/a.yaml").as_deref(),
            Some("k8s-resolved/a.yaml")
        );
        assert_eq!(
            resolved_path("helm/x/values.yaml").as_deref(),
            Some("helm-resolved/x/values.yaml")
        );
        assert_eq!(resolved_path("k8sx/a.yaml"), None);
        assert_eq!(resolved_path("DEPLOY.md"), None);
    }
}
