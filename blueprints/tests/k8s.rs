//! Kubernetes manifests: snapshots, determinism, and the kubernetes-validate oracle.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use formwork_blueprints::k8s::{
    self, Hpa, TargetGroupBindingApi, Workload, lbc_helm_values, placeholders_in,
    resolve_placeholders, workload_manifests,
};

/// insta settings that put snapshots in `<repo>/snapshots/` (relative to this file).
fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// `$FORMWORK_TOOLS/<rel>` or `<repo>/.tools/<rel>`; missing fails under `CI=true`, else skips.
fn tool(rel: &str) -> Option<PathBuf> {
    let base = std::env::var_os("FORMWORK_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".tools"));
    let p = base.join(rel);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "{} is missing; run scripts/install-tools (CI=true: tests that need it fail, not skip)",
            p.display()
        );
    }
    eprintln!(
        "SKIP: {} is missing; run scripts/install-tools",
        p.display()
    );
    None
}

fn greeter(api: TargetGroupBindingApi) -> Workload {
    let mut w = Workload::new(
        "greeter",
        "greeter",
        "${GreeterRepositoryUri}:1.4.2",
        50051,
        "${GreeterTargetGroupArn}",
    );
    w.binding_api = api;
    w.cpu_limit = Some("1".to_owned());
    w.memory_limit = "512Mi".to_owned();
    w.health_check_service = Some("helloworld.Greeter".to_owned());
    w.hpa = Some(Hpa {
        min: 2,
        max: 6,
        target_cpu_percent: 60,
    });
    w.labels
        .insert("app.kubernetes.io/part-of".to_owned(), "greeter".to_owned());
    if api.is_self_managed() {
        w.alb_security_group_id = Some("${AlbSecurityGroupId}".to_owned());
    }
    w
}

fn joined(files: &[(String, String)]) -> String {
    files
        .iter()
        .map(|(p, t)| format!("### {p}\n{t}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn manifests_self_managed_lbc() {
    let files = workload_manifests(&greeter(TargetGroupBindingApi::Elbv2K8sAwsV1beta1)).unwrap();
    settings().bind(|| insta::assert_snapshot!("k8s__greeter_elbv2_v1beta1", joined(&files)));
}

#[test]
fn manifests_auto_mode() {
    let files = workload_manifests(&greeter(TargetGroupBindingApi::EksAmazonawsComV1)).unwrap();
    let tgb = &files.last().unwrap().1;
    assert!(
        tgb.starts_with("apiVersion: eks.amazonaws.com/v1\n"),
        "{tgb}"
    );
    assert!(tgb.contains("  targetType: ip\n"));
    assert!(!tgb.contains("networking"));
    settings().bind(|| insta::assert_snapshot!("k8s__greeter_eks_v1_auto_mode", joined(&files)));
}

#[test]
fn lbc_values() {
    let v = lbc_helm_values(
        "greeter",
        "eu-west-1",
        "${VpcId}",
        "aws-load-balancer-controller",
    );
    settings().bind(|| insta::assert_snapshot!("k8s__lbc_values", v));
}

#[test]
fn manifests_are_deterministic_and_carry_their_placeholders() {
    let w = greeter(TargetGroupBindingApi::Elbv2K8sAwsV1beta1);
    let a = workload_manifests(&w).unwrap();
    for _ in 0..3 {
        assert_eq!(a, workload_manifests(&w).unwrap());
    }
    let all: std::collections::BTreeSet<String> =
        a.iter().flat_map(|(_, t)| placeholders_in(t)).collect();
    assert_eq!(
        all.into_iter().collect::<Vec<_>>(),
        [
            "AlbSecurityGroupId",
            "GreeterRepositoryUri",
            "GreeterTargetGroupArn"
        ]
    );
}

fn plausible_values() -> BTreeMap<String, String> {
    [
        (
            "GreeterRepositoryUri",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/greeter/greeter",
        ),
        (
            "GreeterTargetGroupArn",
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/greeter/0123456789abcdef",
        ),
        ("AlbSecurityGroupId", "sg-0123456789abcdef0"),
        ("VpcId", "vpc-0123456789abcdef0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Validates the built-in kinds against the Kubernetes 1.33 OpenAPI schemas, strictly
/// (unknown fields are errors). kubernetes-validate has no schema for the TargetGroupBinding
/// CRD: it only warns for it, so that file is left out and checked by the snapshot and unit
/// tests instead.
#[test]
fn kubernetes_validate_accepts_the_manifests() {
    let Some(kv) = tool("k8sval/bin/kubernetes-validate") else {
        return;
    };
    let dir = repo()
        .join("target")
        .join("test-tmp")
        .join(format!("k8s-validate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let values = plausible_values();
    let mut files = Vec::new();
    for api in [
        TargetGroupBindingApi::Elbv2K8sAwsV1beta1,
        TargetGroupBindingApi::EksAmazonawsComV1,
    ] {
        let mut w = greeter(api);
        if !api.is_self_managed() {
            // Cover the fixed-replica shape too.
            w.hpa = None;
            w.replicas = 3;
            w.run_as_user = Some(65532);
            w.service = "greeter-fixed".to_owned();
        }
        for (rel, text) in workload_manifests(&w).unwrap() {
            if rel.ends_with("-targetgroupbinding.yaml") {
                continue;
            }
            let resolved = resolve_placeholders(&text, &values).unwrap();
            assert!(placeholders_in(&resolved).is_empty());
            let path = dir.join(rel.replace('/', "__"));
            std::fs::write(&path, resolved).unwrap();
            files.push(path);
        }
    }
    files.sort();
    files.dedup();
    let out = Command::new(&kv)
        .args(["--strict", "-k", "1.33.0"])
        .args(&files)
        .output()
        .expect("run kubernetes-validate");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "kubernetes-validate failed:\n{stdout}\n{stderr}"
    );
    let passed = stdout
        .lines()
        .chain(stderr.lines())
        .filter(|l| l.contains(" passed for resource "))
        .count();
    assert_eq!(passed, files.len(), "{stdout}\n{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn manifests_use_exactly_the_expected_placeholders() {
    // The self-managed workload and the LBC values hold these placeholders and no others (the
    // blueprints declare each with the output that fills it).
    let w = greeter(TargetGroupBindingApi::Elbv2K8sAwsV1beta1);
    let mut used: std::collections::BTreeSet<String> = workload_manifests(&w)
        .unwrap()
        .iter()
        .flat_map(|(_, t)| placeholders_in(t))
        .collect();
    used.extend(placeholders_in(&lbc_helm_values(
        "greeter",
        "eu-west-1",
        &k8s::placeholder("VpcId"),
        "aws-load-balancer-controller",
    )));
    let want: std::collections::BTreeSet<String> = [
        "AlbSecurityGroupId",
        "GreeterRepositoryUri",
        "GreeterTargetGroupArn",
        "VpcId",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(used, want);
}
