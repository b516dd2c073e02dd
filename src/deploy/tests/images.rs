//! `--build`: the images step against the recording fake.

use super::*;
use formwork_assembly::runbook::{ClusterStep, RunbookSpec, ServiceStep};

const URI: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/greeter";

fn with_runbook(name: &str, platform: &str) -> PathBuf {
    let mut asm = assembly(&[("app", repo("greeter"))], vec![]);
    asm.runbook = Some(runbook(platform));
    write(name, &mut asm)
}

/// Two services, `greeter` and `payments`, with their repositories in stack `app`.
pub(super) fn runbook(platform: &str) -> RunbookSpec {
    let svc = |n: &str, out: &str| ServiceStep {
        name: n.into(),
        namespace: n.into(),
        repository: OutputRef::new("app", out),
        target_group: None,
        image_tag: "1.4.2".into(),
        build_context: format!("./{n}"),
        grpc_services: vec!["helloworld.Greeter".into()],
        port: 50051,
    };
    RunbookSpec {
        title: "test".into(),
        services: vec![svc("greeter", "GreeterUri"), svc("payments", "PaymentsUri")],
        cluster: ClusterStep {
            name: "demo".into(),
            region: "eu-west-1".into(),
            load_balancer_controller: None,
            image_platform: platform.into(),
        },
        endpoint: None,
        lattice: None,
        dns_records: vec![],
        ecs: None,
        dns_zone: None,
        alarms: None,
    }
}

pub(super) fn outputs() -> String {
    serde_json::json!({"Stacks": [{"StackStatus": "UPDATE_COMPLETE", "Outputs": [
        {"OutputKey": "GreeterUri", "OutputValue": URI},
        {"OutputKey": "PaymentsUri", "OutputValue": URI.replace("greeter", "payments")},
        {"OutputKey": "GreeterTg", "OutputValue": "arn:tg/greeter"},
        {"OutputKey": "PaymentsTg", "OutputValue": "arn:tg/payments"},
    ]}]})
    .to_string()
}

pub(super) fn template() -> String {
    serde_json::json!({"TemplateBody": serde_json::to_string(&repo("greeter")).unwrap()})
        .to_string()
}

#[test]
fn builds_for_the_node_platform_logs_in_once_and_pushes() {
    let d = with_runbook("images-push", "linux/arm64");
    let outs = outputs();
    let tpl = template();
    let fake = Fake::new(&[
        ("describe-stacks", 0, &outs, ""),
        ("get-template", 0, &tpl, ""),
        (
            "describe-images",
            254,
            "",
            "An error occurred (ImageNotFoundException) when calling the DescribeImages operation",
        ),
        ("get-login-password", 0, "s3cr3t-token\n", ""),
    ]);
    let mut o = opts(d);
    o.build = true;
    let mut lines = Vec::new();
    let r = deploy(&o, &fake, &mut |n| lines.push(format!("{n:?}"))).unwrap();
    let payments = URI.replace("greeter", "payments");
    assert_eq!(
        r.images,
        vec![format!("{URI}:1.4.2"), format!("{payments}:1.4.2")]
    );
    let calls = fake.calls.borrow();
    let ecr_and_docker: Vec<&String> = calls
        .iter()
        .filter(|c| c.contains("ecr") || c.contains("docker"))
        .collect();
    let registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
    assert_eq!(
        ecr_and_docker,
        vec![
            "aws ecr describe-images --repository-name greeter --image-ids imageTag=1.4.2 --output json --region eu-west-1 --profile dev",
            "aws ecr describe-images --repository-name payments --image-ids imageTag=1.4.2 --output json --region eu-west-1 --profile dev",
            &format!("docker build --platform linux/arm64 -t {URI}:1.4.2 ./greeter"),
            "aws ecr get-login-password --region eu-west-1 --profile dev",
            &format!(
                "stdin[s3cr3t-token] | docker login --username AWS --password-stdin {registry}"
            ),
            &format!("docker login --username AWS --password-stdin {registry}"),
            &format!("docker push {URI}:1.4.2"),
            &format!("docker build --platform linux/arm64 -t {payments}:1.4.2 ./payments"),
            &format!("docker push {payments}:1.4.2"),
        ]
    );
    // The password reaches docker on stdin only and is never printed.
    assert!(
        lines.iter().all(|l| !l.contains("s3cr3t-token")),
        "{lines:?}"
    );
}

#[test]
fn refuses_to_push_over_an_existing_immutable_tag_before_building() {
    let d = with_runbook("images-immutable", "linux/amd64");
    let outs = outputs();
    let tpl = template();
    let fake = Fake::new(&[
        ("describe-stacks", 0, &outs, ""),
        ("get-template", 0, &tpl, ""),
        (
            "describe-images",
            0,
            r#"{"imageDetails":[{"imageTags":["1.4.2"]}]}"#,
            "",
        ),
        (
            "describe-repositories",
            0,
            r#"{"repositories":[{"repositoryName":"greeter","imageTagMutability":"IMMUTABLE"}]}"#,
            "",
        ),
    ]);
    let mut o = opts(d);
    o.build = true;
    let e = deploy(&o, &fake, &mut |_| {}).unwrap_err().to_string();
    assert!(e.contains("tag 1.4.2 already exists in greeter"), "{e}");
    assert!(e.contains("IMMUTABLE"), "{e}");
    assert!(e.contains("(e.g. 1.4.3)"), "{e}");
    let calls = fake.calls.borrow();
    assert!(calls.iter().all(|c| !c.contains("docker")), "{calls:?}");
}

#[test]
fn a_mutable_repository_is_overwritten_with_a_note() {
    let d = with_runbook("images-mutable", "linux/amd64");
    let outs = outputs();
    let tpl = template();
    let fake = Fake::new(&[
        ("describe-stacks", 0, &outs, ""),
        ("get-template", 0, &tpl, ""),
        ("describe-images", 0, r#"{"imageDetails":[{}]}"#, ""),
        (
            "describe-repositories",
            0,
            r#"{"repositories":[{"imageTagMutability":"MUTABLE"}]}"#,
            "",
        ),
        ("get-login-password", 0, "pw", ""),
    ]);
    let mut o = opts(d);
    o.build = true;
    let mut lines = Vec::new();
    let r = deploy(&o, &fake, &mut |n| lines.push(format!("{n:?}"))).unwrap();
    assert_eq!(r.images.len(), 2);
    assert!(
        lines.iter().any(|l| l.contains("it will be overwritten")),
        "{lines:?}"
    );
}

#[test]
fn dry_run_prints_the_commands_with_the_output_names() {
    let d = with_runbook("images-dry", "linux/amd64");
    let fake = Fake::new(&[]);
    let mut o = opts(d);
    o.build = true;
    o.dry_run = true;
    let mut cmds = Vec::new();
    deploy(&o, &fake, &mut |n| {
        if let Note::Command(c) = n {
            cmds.push(c)
        }
    })
    .unwrap();
    assert!(fake.calls.borrow().is_empty());
    let docker: Vec<&String> = cmds
        .iter()
        .filter(|c| c.contains("docker") || c.contains(" ecr "))
        .collect();
    assert_eq!(
        docker,
        vec![
            "aws ecr describe-images --repository-name '<repository of app.GreeterUri>' --image-ids imageTag=1.4.2 --output json --region eu-west-1 --profile dev",
            "aws ecr describe-images --repository-name '<repository of app.PaymentsUri>' --image-ids imageTag=1.4.2 --output json --region eu-west-1 --profile dev",
            "docker build --platform linux/amd64 -t '<app.GreeterUri>:1.4.2' ./greeter",
            "aws ecr get-login-password --region eu-west-1 --profile dev",
            "(password on stdin) docker login --username AWS --password-stdin '<registry of app.GreeterUri>'",
            "docker push '<app.GreeterUri>:1.4.2'",
            "docker build --platform linux/amd64 -t '<app.PaymentsUri>:1.4.2' ./payments",
            // Registries are unknown in a dry run, so each service logs in.
            "aws ecr get-login-password --region eu-west-1 --profile dev",
            "(password on stdin) docker login --username AWS --password-stdin '<registry of app.PaymentsUri>'",
            "docker push '<app.PaymentsUri>:1.4.2'",
        ]
    );
}

#[test]
fn next_tag_bumps_the_last_number() {
    use super::super::images::next_tag;
    assert_eq!(next_tag("1.4.2"), "1.4.3");
    assert_eq!(next_tag("v9"), "v10");
    assert_eq!(next_tag("release"), "release-2");
}
