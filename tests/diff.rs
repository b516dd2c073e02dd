//! `formwork diff`: snapshots of the text and Markdown reports, exit codes, errors; and the
//! `formwork deploy --dry-run` plan of the built-in example.

use crate::support::{formwork, settings, temp_dir};

const OLD: &str = r#"Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Images:
    Type: AWS::ECR::Repository
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties: {RepositoryName: greeter, ImageTagMutability: IMMUTABLE}
  Topic:
    Type: AWS::SNS::Topic
    Properties: {TopicName: !Sub "${Env}-alerts"}
  Logs:
    Type: AWS::S3::Bucket
  NetworkVpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  NetworkSubnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref NetworkVpc, CidrBlock: 10.0.0.0/24}
  Key:
    Type: AWS::KMS::Key
    Properties: {Description: old}
Outputs:
  RepoUri:
    Value: !GetAtt Images.RepositoryUri
    Export: {Name: greeter-repo-uri}
  VpcId: {Value: !Ref NetworkVpc}
"#;

const NEW: &str = r#"{
  "Parameters": {"Env": {"Type": "String", "Default": "prod"}, "ImageTag": {"Type": "String"}},
  "Resources": {
    "Images": {"Type": "AWS::ECR::Repository", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
               "Properties": {"RepositoryName": "greeter-v2", "ImageTagMutability": "IMMUTABLE"}},
    "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "${Env}-alerts"}, "DisplayName": "alerts"}},
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"}},
    "Key": {"Type": "AWS::KMS::Key", "Properties": {"Description": "new"}},
    "Queue": {"Type": "AWS::SQS::Queue"}
  },
  "Outputs": {
    "RepoUri": {"Value": {"Fn::GetAtt": ["Images", "RepositoryUri"]}, "Export": {"Name": "greeter-repository-uri"}},
    "VpcId": {"Value": {"Ref": "Vpc"}}
  }
}"#;

fn pair() -> std::path::PathBuf {
    let d = temp_dir("diff-pair");
    std::fs::write(d.join("old.yaml"), OLD).unwrap();
    std::fs::write(d.join("app.template.json"), NEW).unwrap();
    d
}

#[test]
fn text_report() {
    let d = pair();
    let o = formwork(&d, &["diff", "old.yaml", "app.template.json", "--no-color"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(!out.contains('\x1b'));
    settings().bind(|| insta::assert_snapshot!("diff_text", out));
}

#[test]
fn markdown_report() {
    let d = pair();
    let o = formwork(
        &d,
        &[
            "diff",
            "old.yaml",
            "app.template.json",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    settings()
        .bind(|| insta::assert_snapshot!("diff_markdown", String::from_utf8(o.stdout).unwrap()));
}

#[test]
fn json_report_and_exit_codes() {
    let d = pair();
    let o = formwork(
        &d,
        &[
            "diff",
            "old.yaml",
            "app.template.json",
            "--format",
            "json",
            "--fail-on-change",
        ],
    );
    assert_eq!(o.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["changes"], true);
    let res = v["stacks"][0]["resources"].as_array().unwrap();
    let images = res.iter().find(|r| r["logical_id"] == "Images").unwrap();
    assert_eq!(images["action"], "replace");
    assert_eq!(images["risk"], "retained");
    assert_eq!(v["stacks"][0]["renames"].as_array().unwrap().len(), 2);

    let o = formwork(&d, &["diff", "old.yaml", "old.yaml", "--fail-on-change"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("no changes"));
}

#[test]
fn unreadable_inputs_exit_1_naming_the_path() {
    let d = pair();
    std::fs::write(d.join("bad.json"), "{\"Resources\": ").unwrap();
    for (args, needle) in [
        (vec!["diff", "missing.json", "old.yaml"], "missing.json"),
        (vec!["diff", "old.yaml", "bad.json"], "bad.json"),
        (vec!["diff", ".", "old.yaml"], "manifest.json"),
    ] {
        let o = formwork(&d, &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle) && err.starts_with("error: "), "{err}");
    }
}

#[test]
fn out_dirs_pair_stacks_by_name() {
    let d = temp_dir("diff-dirs");
    for side in ["a", "b"] {
        std::fs::create_dir_all(d.join(side)).unwrap();
        assert_eq!(
            formwork(&d.join(side), &["synth", "-o", "out"])
                .status
                .code(),
            Some(0)
        );
    }
    let o = formwork(&d, &["diff", "a/out", "b/out", "--fail-on-change"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // Rename one stack in b: a stack added and one removed.
    let m = std::fs::read_to_string(d.join("b/out/manifest.json")).unwrap();
    std::fs::write(
        d.join("b/out/manifest.json"),
        m.replace("\"name\": \"shop\"", "\"name\": \"shop2\""),
    )
    .unwrap();
    let o = formwork(&d, &["diff", "a/out", "b/out"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Stack shop2 (new stack)"), "{out}");
    assert!(out.contains("Stack shop (removed from NEW"), "{out}");
}

/// Synthesizes the grpc-eks-edge example into `d/<side>/out` (synth run inside `d/<side>`), with
/// `edit` applied to the config text.
fn synth_edge(d: &std::path::Path, side: &str, edit: impl Fn(String) -> String) {
    let dir = d.join(side);
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = edit(
        formwork_blueprints::find("grpc-eks-edge")
            .unwrap()
            .example
            .to_owned(),
    );
    std::fs::write(dir.join("shop.yaml"), cfg).unwrap();
    let o = formwork(&dir, &["synth", "-c", "shop.yaml", "-o", "out"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Issue #12: a `vpc.cidr` change replaces the VPC and subnets, and through them (create-only
/// `Subnets`) the node group; the cluster's subnets change too, which EKS cannot do (a cluster
/// stays in its VPC), so the diff says the deploy would fail. A changed image tag shows as a
/// manifest change in every format.
#[test]
fn vpc_cidr_change_names_node_group_and_cluster_and_the_manifest_change() {
    let d = temp_dir("diff-vpc-cidr");
    synth_edge(&d, "a", |c| c);
    synth_edge(&d, "b", |c| {
        let c = c.replace("cidr: 10.0.0.0/16", "cidr: 10.1.0.0/16");
        assert!(c.contains("image_tag: \"1.0.0\""));
        c.replace("image_tag: \"1.0.0\"", "image_tag: \"1.0.1\"")
    });
    let run = |fmt: &str| {
        let o = formwork(
            &d,
            &["diff", "a/out", "b/out", "--format", fmt, "--no-color"],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    let text = run("text");
    for needle in [
        "[!] AWS::EKS::Nodegroup Nodes — replace",
        "/Properties/Subnets/0: refers to VpcPrivateSubnet1, which is replaced (replacement)",
        "[~] AWS::EKS::Cluster Cluster — update !! WILL FAIL",
        "will fail: an EKS cluster cannot move to another VPC",
        "!! Changes that will fail (the deploy stops there and rolls back):\n   shop/Cluster (AWS::EKS::Cluster)\n",
        // Across stacks: the target groups' create-only VpcId reads the replaced VPC's output.
        "[!] AWS::ElasticLoadBalancingV2::TargetGroup GreeterTargetGroup — replace",
        "/Properties/VpcId: refers to shop.VpcId, which is replaced (replacement)",
        // The runbook's `docker build -t …:1.0.1` and the Deployment's image.
        "Files (DEPLOY.md, k8s/, helm/)\n  [~] DEPLOY.md: lines 2 changed\n  [~] k8s/greeter/30-deployment.yaml: lines 1 changed\n",
        "1 will fail",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }

    let v: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let shop = v["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "shop")
        .unwrap();
    let res = |id: &str| {
        shop["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["logical_id"] == id)
            .unwrap_or_else(|| panic!("{id} in the diff"))
            .clone()
    };
    assert_eq!(res("Nodes")["action"], "replace");
    assert_eq!(
        res("Nodes")["knock_on"][0]["refers_to"],
        "VpcPrivateSubnet1"
    );
    assert_eq!(res("Cluster")["action"], "update");
    assert!(
        res("Cluster")["will_fail"]
            .as_str()
            .unwrap()
            .contains("another VPC")
    );
    assert_eq!(
        v["files"],
        serde_json::json!([
            {"path": "DEPLOY.md", "status": "changed", "added": 0, "removed": 0, "changed": 2},
            {"path": "k8s/greeter/30-deployment.yaml", "status": "changed",
             "added": 0, "removed": 0, "changed": 1}
        ])
    );

    let md = run("markdown");
    for needle in [
        "### ⛔ Changes that will fail",
        "| shop | `Cluster` | `AWS::EKS::Cluster` | **an EKS cluster cannot move to another VPC",
        "| 🔁 replace | `Nodes` | `AWS::EKS::Nodegroup` |",
        "### Files: `DEPLOY.md`, `k8s/`, `helm/`",
        "| `k8s/greeter/30-deployment.yaml` | ✏️ changed | 0 | 0 | 1 |",
        "<summary><code>k8s/greeter/30-deployment.yaml</code></summary>",
        "-        - image: \"${GreeterRepositoryUri}:1.0.0\"\n+        - image: \"${GreeterRepositoryUri}:1.0.1\"\n",
    ] {
        assert!(md.contains(needle), "missing {needle:?} in:\n{md}");
    }
}

#[test]
fn deploy_dry_run_of_the_builtin_example() {
    let d = temp_dir("deploy-dry-run");
    assert_eq!(formwork(&d, &["synth"]).status.code(), Some(0));
    let o = formwork(
        &d,
        &[
            "deploy",
            "--dry-run",
            "out/",
            "--profile",
            "dev",
            "--parameter",
            "shop-services-1.OriginVerifySecret=0123456789abcdef0123456789abcdef",
            "--parameter",
            "shop-services-1.CloudFrontPrefixListId=pl-4fa04526",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(
        !stdout.contains("0123456789abcdef0123456789abcdef")
            && stdout.contains("OriginVerifySecret=****"),
        "NoEcho parameter values are masked in printed commands:\n{stdout}"
    );
    settings().bind(|| insta::assert_snapshot!("deploy_dry_run", stdout));
}

/// The one-command path of the default example, dry: no `--parameter` (the origin secret is
/// generated, the prefix list looked up), then the images and the cluster steps, every command
/// in order.
#[test]
fn deploy_dry_run_of_the_whole_path_needs_no_parameter() {
    let d = temp_dir("deploy-dry-run-all");
    assert_eq!(formwork(&d, &["synth"]).status.code(), Some(0));
    let o = formwork(
        &d,
        &["deploy", "--dry-run", "out/", "--build", "--apply-k8s"],
    );
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8(o.stdout).unwrap();
    let all = format!("{stdout}\n{stderr}");
    assert!(
        all.contains("OriginVerifySecret: a new secret of 48 characters is generated"),
        "{all}"
    );
    assert!(all.contains("describe-managed-prefix-lists"), "{all}");
    for tool in [
        "aws ecr get-login-password",
        "docker build",
        "docker push",
        "helm upgrade --install",
        "kubectl apply -f out/k8s-resolved",
        "describe-target-health",
        "FormworkSmokeTest",
    ] {
        assert!(stdout.contains(tool), "missing `{tool}`:\n{stdout}");
    }
    settings().bind(|| insta::assert_snapshot!("deploy_dry_run_whole_path", stdout));
}

/// `grpc-ecs-edge`'s one-command path, dry: the images are built and pushed right after the
/// platform stack (which creates the repositories) and before the service stack (whose ECS
/// services need them); no cluster step; the public smoke test ends it.
#[test]
fn deploy_dry_run_of_ecs_pushes_images_before_the_services() {
    let d = temp_dir("deploy-dry-run-ecs");
    let example = formwork_blueprints::find("grpc-ecs-edge").unwrap().example;
    std::fs::write(d.join("ecs.yaml"), example).unwrap();
    assert_eq!(
        formwork(&d, &["synth", "-c", "ecs.yaml", "-o", "out"])
            .status
            .code(),
        Some(0)
    );
    let o = formwork(&d, &["deploy", "--dry-run", "out/", "--build"]);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8(o.stdout).unwrap();
    let at = |needle: &str| {
        stdout
            .find(needle)
            .unwrap_or_else(|| panic!("missing `{needle}`:\n{stdout}"))
    };
    let platform = at("cloudformation deploy --region eu-west-1 --stack-name shop --template-file");
    let build = at("docker build --platform linux/arm64");
    let push = at("docker push");
    let services = at("cloudformation deploy --region eu-west-1 --stack-name shop-services-1");
    let smoke = at("FormworkSmokeTest");
    assert!(
        platform < build && build < push && push < services && services < smoke,
        "{stdout}"
    );
    for absent in ["kubectl", "helm", "eks update-kubeconfig"] {
        assert!(
            !stdout.contains(absent),
            "`{absent}` in an ECS deploy:\n{stdout}"
        );
    }
    settings().bind(|| insta::assert_snapshot!("deploy_dry_run_ecs", stdout));
}

#[test]
fn deploy_without_aws_cli_says_how_to_install() {
    let d = temp_dir("deploy-no-aws");
    assert_eq!(formwork(&d, &["synth"]).status.code(), Some(0));
    let o = formwork(&d, &["deploy", "out", "--aws-cli", "/nonexistent/aws"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cannot run the AWS CLI") && err.contains("install"),
        "{err}"
    );
    let o = formwork(&d, &["deploy", "nowhere"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nowhere/manifest.json"));
}

/// The real AWS CLI against a closed port on 127.0.0.1 (`AWS_ENDPOINT_URL`): the deploy says the
/// endpoint cannot be reached and names it, and does not blame the credentials.
#[test]
fn deploy_against_a_closed_port_says_unreachable() {
    let Some(aws) = crate::support::tool("moto/bin/aws") else {
        return;
    };
    let d = temp_dir("deploy-closed-port");
    assert_eq!(formwork(&d, &["synth"]).status.code(), Some(0));
    // Bind then drop: nothing listens on that port afterwards.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_formwork"))
        .args(["deploy", "out", "--aws-cli"])
        .arg(&aws)
        .current_dir(&d)
        .env("AWS_ENDPOINT_URL", &url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .env("AWS_MAX_ATTEMPTS", "1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the AWS endpoint cannot be reached (`aws sts get-caller-identity")
            && err.contains(&format!(
                "Could not connect to the endpoint URL: \"{url}/\""
            ))
            && err.contains(&format!("nothing answers at AWS_ENDPOINT_URL={url}"))
            && !err.contains("configure credentials"),
        "{err}"
    );
}

/// Two versions of every blueprint example: a createOnly change on an ECR repository is a
/// replacement flagged as stateful; a changed logical id with the same type and properties (a
/// construct moved in the tree) is a rename, not a remove + add.
#[test]
fn every_example_replacement_and_rename() {
    use formwork::diff::{Action, StackStatus, diff_templates, rewrite_refs};
    for bp in formwork_blueprints::BLUEPRINTS {
        let (_, asm) =
            formwork_blueprints::load_and_build(bp.example.as_bytes(), &Default::default())
                .expect("builds");
        let mut saw_repo = false;
        for r in &asm.stacks {
            let old = &r.body;
            let res = old["Resources"].as_object().unwrap();
            // 1. createOnly: RepositoryName of the first ECR repository.
            if let Some((id, _)) = res
                .iter()
                .find(|(_, v)| v["Type"] == "AWS::ECR::Repository")
            {
                saw_repo = true;
                let mut new = old.clone();
                new["Resources"][id]["Properties"]["RepositoryName"] =
                    serde_json::json!("renamed/repo");
                let d = diff_templates(&r.name, old, &new, StackStatus::Both);
                let c = d
                    .resources
                    .iter()
                    .find(|c| &c.logical_id == id)
                    .expect("changed");
                assert_eq!(c.action, Action::Replace, "{}: {id}", bp.name);
                assert!(c.stateful, "{}: {id} is stateful", bp.name);
            }
            // 2. rename: move the last resource to a new logical id, references included.
            let (id, _) = res.iter().next_back().unwrap();
            let map: std::collections::BTreeMap<String, String> =
                [(id.clone(), format!("Moved{id}"))].into_iter().collect();
            let mut new = rewrite_refs(old, &map);
            let moved = new["Resources"].as_object_mut().unwrap();
            let v = moved.remove(id.as_str()).unwrap();
            moved.insert(format!("Moved{id}"), v);
            let d = diff_templates(&r.name, old, &new, StackStatus::Both);
            assert_eq!(d.renames.len(), 1, "{}: {id} is a rename", bp.name);
            assert_eq!(d.renames[0].from, *id);
            assert!(
                d.resources.is_empty(),
                "{}: a rename is not a remove + add: {:?}",
                bp.name,
                d.resources
            );
        }
        assert!(saw_repo, "{}: every example has an ECR repository", bp.name);
    }
}
