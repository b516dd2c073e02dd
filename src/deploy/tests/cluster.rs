//! `--apply-k8s`: the cluster steps against the recording fake.

use super::images::{outputs, runbook, template};
use super::*;
use formwork_assembly::runbook::HelmRelease;

fn out_dir_with_cluster(name: &str) -> PathBuf {
    let mut asm = cluster_assembly();
    write(name, &mut asm)
}

fn cluster_assembly() -> Assembly {
    let mut asm = assembly(&[("app", repo("greeter"))], vec![]);
    let mut rb = runbook("linux/amd64");
    rb.cluster.load_balancer_controller = Some(HelmRelease {
        chart_version: Some("1.13.4".into()),
        values_file: "helm/aws-load-balancer-controller.values.yaml".into(),
    });
    for s in &mut rb.services {
        let tg = if s.name == "greeter" {
            "GreeterTg"
        } else {
            "PaymentsTg"
        };
        s.target_group = Some(OutputRef::new("app", tg));
    }
    asm.runbook = Some(rb);
    asm.files.push(FileArtifact {
        path: "k8s/greeter/deployment.yaml".into(),
        kind: FileKind::K8sManifest,
        contents: "kind: Deployment\n".into(),
    });
    asm
}

fn fake(health: &str, rollout_code: i32) -> Fake {
    let outs = outputs();
    let tpl = template();
    Fake::new(&[
        ("describe-stacks", 0, &outs, ""),
        ("get-template", 0, &tpl, ""),
        ("helm show crds", 0, "kind: CustomResourceDefinition\n", ""),
        (
            "rollout status deployment/payments",
            rollout_code,
            "",
            "error: timed out waiting for the condition",
        ),
        ("describe-target-health", 0, health, ""),
    ])
}

const HEALTHY: &str = r#"{"TargetHealthDescriptions":[{"TargetHealth":{"State":"healthy"}},{"TargetHealth":{"State":"healthy"}}]}"#;

#[test]
fn runs_every_cluster_step_in_order_with_its_outcome() {
    let d = out_dir_with_cluster("cluster-ok");
    let f = fake(HEALTHY, 0);
    let mut o = opts(d.clone());
    o.apply_k8s = true;
    let mut infos = Vec::new();
    deploy(&o, &f, &mut |n| {
        if let Note::Info(i) = n {
            infos.push(i)
        }
    })
    .unwrap();
    let calls = f.calls.borrow();
    let from = calls
        .iter()
        .position(|c| c.contains("update-kubeconfig"))
        .unwrap();
    let dir = d.display();
    assert_eq!(
        calls[from..].to_vec(),
        vec![
            "aws eks update-kubeconfig --region eu-west-1 --name demo --profile dev".to_owned(),
            "helm repo add eks https://aws.github.io/eks-charts --force-update".to_owned(),
            "helm show crds eks/aws-load-balancer-controller --version 1.13.4".to_owned(),
            "stdin[kind: CustomResourceDefinition\n] | kubectl apply --server-side --force-conflicts -f -".to_owned(),
            "kubectl apply --server-side --force-conflicts -f -".to_owned(),
            format!("helm upgrade --install aws-load-balancer-controller eks/aws-load-balancer-controller -n kube-system --version 1.13.4 -f {dir}/helm-resolved/aws-load-balancer-controller.values.yaml"),
            "kubectl -n kube-system rollout status deployment/aws-load-balancer-controller --timeout=5m".to_owned(),
            format!("kubectl apply -f {dir}/k8s-resolved -R"),
            "kubectl -n greeter rollout status deployment/greeter --timeout=5m".to_owned(),
            "kubectl -n payments rollout status deployment/payments --timeout=5m".to_owned(),
            "aws elbv2 describe-target-health --target-group-arn arn:tg/greeter --region eu-west-1 --profile dev --output json".to_owned(),
            "aws elbv2 describe-target-health --target-group-arn arn:tg/payments --region eu-west-1 --profile dev --output json".to_owned(),
        ]
    );
    assert!(
        infos
            .iter()
            .any(|i| i == "  ok: targets of payments healthy (2 target(s))"),
        "{infos:?}"
    );
    assert!(
        infos.iter().any(|i| i == "  ok: roll out greeter"),
        "{infos:?}"
    );
}

#[test]
fn a_failed_step_stops_with_the_command_to_resume() {
    let d = out_dir_with_cluster("cluster-fail");
    let f = fake(HEALTHY, 1);
    let mut o = opts(d.clone());
    o.apply_k8s = true;
    let e = deploy(&o, &f, &mut |_| {}).unwrap_err().to_string();
    assert!(e.contains("cluster step `roll out payments` failed"), "{e}");
    assert!(e.contains("timed out waiting for the condition"), "{e}");
    assert!(
        e.contains(&format!("formwork deploy {} --apply-k8s", d.display())),
        "{e}"
    );
    assert!(
        f.calls
            .borrow()
            .iter()
            .all(|c| !c.contains("describe-target-health"))
    );
}

#[test]
fn target_health_is_polled_a_bounded_number_of_times() {
    let d = out_dir_with_cluster("cluster-unhealthy");
    let f = fake(
        r#"{"TargetHealthDescriptions":[{"TargetHealth":{"State":"unhealthy"}}]}"#,
        0,
    );
    let mut o = opts(d);
    o.apply_k8s = true;
    let e = deploy(&o, &f, &mut |_| {}).unwrap_err().to_string();
    assert!(e.contains("targets of greeter healthy"), "{e}");
    assert!(e.contains("after 60 reads: unhealthy"), "{e}");
    let reads = f
        .calls
        .borrow()
        .iter()
        .filter(|c| c.contains("describe-target-health"))
        .count();
    assert_eq!(reads, 60);
}

fn with_endpoint(name: &str) -> PathBuf {
    let mut asm = cluster_assembly();
    asm.runbook.as_mut().unwrap().endpoint = Some(formwork_assembly::runbook::Endpoint {
        host: formwork_assembly::runbook::Host::Name {
            name: "d1.cloudfront.net".into(),
        },
        authority: Some("api.example.com".into()),
        unrouted: String::new(),
    });
    write(name, &mut asm)
}

#[test]
fn the_smoke_test_calls_a_routed_path_and_wants_the_servers_unimplemented() {
    let d = with_endpoint("cluster-smoke-ok");
    let outs = outputs();
    let tpl = template();
    let f = Fake::new(&[
        ("describe-stacks", 0, &outs, ""),
        ("get-template", 0, &tpl, ""),
        ("describe-target-health", 0, HEALTHY, ""),
        (
            "curl",
            0,
            "HTTP/2 200\r\ncontent-type: application/grpc\r\ngrpc-status: 12\r\n",
            "",
        ),
    ]);
    let mut o = opts(d);
    o.apply_k8s = true;
    let mut infos = Vec::new();
    deploy(&o, &f, &mut |n| {
        if let Note::Info(i) = n {
            infos.push(i)
        }
    })
    .unwrap();
    let calls = f.calls.borrow();
    let smoke: Vec<&String> = calls.iter().filter(|c| c.starts_with("curl")).collect();
    assert_eq!(smoke.len(), 2, "{calls:?}");
    assert!(
        smoke[0].ends_with("--connect-to api.example.com:443:d1.cloudfront.net:443 https://api.example.com/helloworld.Greeter/FormworkSmokeTest"),
        "{smoke:?}"
    );
    assert!(
        infos.iter().any(|i| i
            == "  ok: greeter answers through api.example.com (grpc-status 12 from the server)"),
        "{infos:?}"
    );
}

#[test]
fn a_load_balancer_answer_fails_the_smoke_test_with_the_layer_to_check() {
    let d = with_endpoint("cluster-smoke-403");
    let outs = outputs();
    let tpl = template();
    let f = Fake::new(&[
        ("describe-stacks", 0, &outs, ""),
        ("get-template", 0, &tpl, ""),
        ("describe-target-health", 0, HEALTHY, ""),
        ("curl", 0, "HTTP/2 403\r\nserver: awselb/2.0\r\n", ""),
    ]);
    let mut o = opts(d);
    o.apply_k8s = true;
    let msg = deploy(&o, &f, &mut |_| {}).unwrap_err().to_string();
    assert!(
        msg.contains("smoke test `greeter answers through api.example.com` failed after 20 calls"),
        "{msg}"
    );
    assert!(
        msg.contains("HTTP/2 403") && msg.contains("403/404: the route"),
        "{msg}"
    );
    assert!(msg.contains("--apply-k8s"), "{msg}");
    assert_eq!(
        f.calls
            .borrow()
            .iter()
            .filter(|c| c.starts_with("curl"))
            .count(),
        20
    );
}
