//! Unit tests of the workload manifests.

use super::workload::{is_dns_label, is_label_key, quantity};
use super::*;

fn sample() -> Workload {
    Workload::new(
        "greeter",
        "greeter-api",
        "${GreeterApiRepositoryUri}:1.4.2",
        50051,
        "${GreeterApiTargetGroupArn}",
    )
}

#[test]
fn defaults_are_valid_and_deterministic() {
    let w = sample();
    assert!(w.check().is_empty(), "{:?}", w.check());
    let a = workload_manifests(&w).unwrap();
    let b = workload_manifests(&w.clone()).unwrap();
    assert_eq!(a, b);
    let paths: Vec<&str> = a.iter().map(|(p, _)| p.as_str()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "files are listed in apply order");
    assert_eq!(paths.len(), 7);
}

#[test]
fn reports_every_problem() {
    let mut w = sample();
    w.namespace = "Bad_NS".into();
    w.service = "1svc".into();
    w.image = "${Repo}".into();
    w.container_port = 0;
    w.hpa = Some(Hpa {
        min: 3,
        max: 2,
        target_cpu_percent: 0,
    });
    w.cpu_request = "lots".into();
    w.memory_request = "512Mi".into();
    w.target_group_arn = "tg".into();
    w.binding_api = TargetGroupBindingApi::EksAmazonawsComV1;
    w.alb_security_group_id = Some("nope".into());
    w.labels.insert("app.kubernetes.io/name".into(), "x".into());
    w.labels.insert("bad key!".into(), "-".into());
    let e = workload_manifests(&w).unwrap_err();
    for needle in [
        "namespace `Bad_NS`",
        "service `1svc`",
        "no tag or digest",
        "container_port",
        "min ≤ max",
        "target_cpu_percent 0",
        "cpu_request `lots`",
        "exceeds memory_limit",
        "target_group_arn `tg`",
        "not supported by eks.amazonaws.com/v1",
        "alb_security_group_id `nope`",
        "is reserved",
        "label key `bad key!`",
        "value `-`",
    ] {
        assert!(e.contains(needle), "missing {needle:?} in:\n{e}");
    }
}

#[test]
fn quantities_and_names() {
    let mut e = Vec::new();
    assert_eq!(quantity("c", "250m", &mut e), Some(0.25));
    assert_eq!(quantity("m", "1Gi", &mut e), Some(1_073_741_824.0));
    assert_eq!(quantity("c", "0.5", &mut e), Some(0.5));
    assert!(e.is_empty());
    for bad in ["", "m", "1.", ".5", "-1", "1e3", "0", "1 Mi"] {
        assert_eq!(quantity("q", bad, &mut e), None, "{bad:?}");
    }
    assert!(is_label_key("example.com/team"));
    assert!(!is_label_key("/team"));
    assert!(is_dns_label("a-1", true) && !is_dns_label("a-", false));
}

#[test]
fn hpa_owns_replicas() {
    let mut w = sample();
    let dep = |w: &Workload| {
        workload_manifests(w)
            .unwrap()
            .into_iter()
            .find(|(p, _)| p.ends_with("30-deployment.yaml"))
            .unwrap()
            .1
    };
    assert!(!dep(&w).contains("replicas:"));
    w.hpa = None;
    w.replicas = 3;
    assert!(dep(&w).contains("\n  replicas: 3\n"));
    assert!(
        !workload_manifests(&w)
            .unwrap()
            .iter()
            .any(|(p, _)| p.ends_with("50-hpa.yaml"))
    );
}

#[test]
fn merge_dedupes_shared_namespace() {
    let a = workload_manifests(&sample()).unwrap();
    let mut other = sample();
    other.service = "other".into();
    let b = workload_manifests(&other).unwrap();
    let m = merge_manifests([a, b]).unwrap();
    assert_eq!(m.len(), 13);
    let mut auto = sample();
    auto.service = "third".into();
    auto.binding_api = TargetGroupBindingApi::EksAmazonawsComV1;
    let c = workload_manifests(&auto).unwrap();
    let e = merge_manifests([m, c]).unwrap_err();
    assert!(e.contains("k8s/00-namespace-greeter.yaml"), "{e}");
}

#[test]
fn lbc_values_keep_placeholders() {
    let v = lbc_helm_values(
        "greeter",
        "eu-west-1",
        "${VpcId}",
        "aws-load-balancer-controller",
    );
    assert_eq!(
        placeholders_in(&v).into_iter().collect::<Vec<_>>(),
        ["VpcId"]
    );
    assert!(v.starts_with("clusterName: greeter\n"), "{v}");
}
