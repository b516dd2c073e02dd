//! `formwork deploy --build --apply-k8s` of the default example as a real process against
//! recording fakes of `aws`, `docker`, `kubectl`, `helm` and `curl` on PATH
//! (`tests/support/fake-tool`): every external call goes through the real process runner (argv,
//! piped input, exit codes), in the order the runbook gives, and a second run is a redeploy that
//! keeps the generated secret.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{repo, temp_dir};

const TOOLS: &[&str] = &["aws", "docker", "kubectl", "helm", "curl"];

/// A directory with the fake under each tool's name, a state dir and the call log.
fn fakes(d: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let bin = d.join("fake-bin");
    let state = d.join("fake-state");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&state).unwrap();
    let fake = repo().join("tests/support/fake-tool");
    for t in TOOLS {
        std::os::unix::fs::symlink(&fake, bin.join(t)).unwrap();
    }
    (bin, state, d.join("calls.log"))
}

/// Writes what `describe-stacks` returns for each stack once deployed: every output of its
/// template, with values shaped like the real ones where the next steps parse them.
fn write_outputs(out: &Path, state: &Path) {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    for s in manifest["stacks"].as_array().unwrap() {
        let name = s["name"].as_str().unwrap();
        let body: serde_json::Value = serde_json::from_slice(
            &std::fs::read(out.join(s["template"].as_str().unwrap())).unwrap(),
        )
        .unwrap();
        let outputs: Vec<serde_json::Value> = body["Outputs"]
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .map(|k| {
                let v = if k.ends_with("RepositoryUri") {
                    format!("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/{}", k.trim_end_matches("RepositoryUri").to_lowercase())
                } else if k.ends_with("TargetGroupArn") {
                    format!("arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/{k}/0123456789abcdef")
                } else {
                    format!("fake-{k}")
                };
                serde_json::json!({"OutputKey": k, "OutputValue": v})
            })
            .collect();
        std::fs::write(
            state.join(format!("{name}.outputs.json")),
            serde_json::to_string(&outputs).unwrap(),
        )
        .unwrap();
    }
}

fn deploy(d: &Path, bin: &Path, state: &Path, log: &Path) -> Output {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new(env!("CARGO_BIN_EXE_formwork"))
        .current_dir(d)
        .args(["deploy", "out/", "--build", "--apply-k8s"])
        .env("PATH", path)
        .env("FAKE_LOG", log)
        .env("FAKE_STATE", state)
        .env_remove("FORMWORK_AWS_CLI")
        .env_remove("FORMWORK_ARTIFACT_BUCKET")
        .output()
        .expect("runs formwork")
}

/// The index of the first call at or after `from` that starts with `prefix`, or a panic that
/// shows the log.
fn find(calls: &[String], from: usize, prefix: &str) -> usize {
    calls[from..]
        .iter()
        .position(|c| c.starts_with(prefix))
        .map(|i| from + i)
        .unwrap_or_else(|| {
            panic!(
                "no call `{prefix}…` after #{from} in:\n{}",
                calls.join("\n")
            )
        })
}

#[test]
fn deploy_build_apply_k8s_drives_the_real_programs_in_order() {
    let d = temp_dir("deploy-fakes");
    let o = crate::support::formwork(&d, &["synth"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for ctx in ["greeter", "catalog"] {
        std::fs::create_dir_all(d.join(ctx)).unwrap();
    }
    let (bin, state, log) = fakes(&d);
    write_outputs(&d.join("out"), &state);
    let o = deploy(&d, &bin, &state, &log);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(0), "{stdout}\n{stderr}");
    let calls: Vec<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();

    // The stacks, in deploy order; the services stack gets a fresh secret and the looked-up list.
    let edge = find(
        &calls,
        0,
        "aws cloudformation deploy --region us-east-1 --stack-name shop-edge",
    );
    let platform = find(
        &calls,
        edge,
        "aws cloudformation deploy --region eu-west-1 --stack-name shop ",
    );
    let services = find(
        &calls,
        platform,
        "aws cloudformation deploy --region eu-west-1 --stack-name shop-services-1",
    );
    let secret = calls[services]
        .split_whitespace()
        .find_map(|a| a.strip_prefix("OriginVerifySecret="))
        .unwrap_or_else(|| panic!("no generated secret in: {}", calls[services]));
    assert_eq!(secret.len(), 48, "{secret}");
    assert!(
        secret.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{secret}"
    );
    assert!(
        !stdout.contains(secret) && !stderr.contains(secret),
        "the secret is never printed"
    );
    assert!(
        calls[services].contains("CloudFrontPrefixListId=pl-3b927c52"),
        "{}",
        calls[services]
    );
    assert!(
        calls[..services]
            .iter()
            .any(|c| c.starts_with("aws ec2 describe-managed-prefix-lists"))
    );

    // Images: for the nodes' architecture, the ECR password on stdin only, then the push.
    let build = find(&calls, services, "docker build --platform linux/amd64");
    assert!(
        calls[build].contains("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/greeter:1.0.0"),
        "{}",
        calls[build]
    );
    let login = find(&calls, services, "docker login");
    assert!(
        calls[login].ends_with(
            "--password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com < fake-ecr-password"
        ),
        "{}",
        calls[login]
    );
    let push = find(
        &calls,
        build,
        "docker push 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/greeter:1.0.0",
    );
    find(
        &calls,
        push,
        "docker push 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/catalog:2.3.1",
    );

    // The cluster steps, then the target health and the public smoke test through the alias.
    let kubeconfig = find(
        &calls,
        push,
        "aws eks update-kubeconfig --region eu-west-1 --name shop",
    );
    let crds = find(
        &calls,
        kubeconfig,
        "helm show crds eks/aws-load-balancer-controller",
    );
    let applied = find(
        &calls,
        crds,
        "kubectl apply --server-side --force-conflicts -f - < apiVersion: apiextensions.k8s.io/v1",
    );
    let helm = find(
        &calls,
        applied,
        "helm upgrade --install aws-load-balancer-controller",
    );
    let apply = find(&calls, helm, "kubectl apply -f out/k8s-resolved -R");
    let rollout = find(
        &calls,
        apply,
        "kubectl -n greeter rollout status deployment/greeter",
    );
    let health = find(
        &calls,
        rollout,
        "aws elbv2 describe-target-health --target-group-arn arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/GreeterTargetGroupArn/",
    );
    let smoke = find(&calls, health, "curl ");
    assert!(
        calls[smoke].contains("https://api.shop.example.com/helloworld.Greeter/FormworkSmokeTest"),
        "{}",
        calls[smoke]
    );
    assert!(
        stdout.contains("ok:") || stderr.contains("ok:"),
        "{stdout}{stderr}"
    );
    // The manifests kubectl applied carry the stack's outputs, not placeholders.
    let deployment =
        std::fs::read_to_string(d.join("out/k8s-resolved/greeter/30-deployment.yaml")).unwrap();
    assert!(
        deployment
            .contains("image: \"123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/greeter:1.0.0\""),
        "{deployment}"
    );

    // Again: every stack exists, so the secret is not passed (CloudFormation keeps its value).
    std::fs::remove_file(&log).unwrap();
    let o = deploy(&d, &bin, &state, &log);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let again = std::fs::read_to_string(&log).unwrap();
    let services = again
        .lines()
        .find(|c| {
            c.contains("--stack-name shop-services-1") && c.starts_with("aws cloudformation deploy")
        })
        .expect("redeployed");
    assert!(!services.contains("OriginVerifySecret"), "{services}");
}
