//! `formwork deploy` end to end against moto (a local AWS API emulator), through the real
//! binary and the real AWS CLI (`.tools/moto/bin/aws`, pinned with moto 5.2.5).
//!
//! Covered for real: the preflight (`sts get-caller-identity`), `describe-stacks` (first deploy
//! vs. update), `get-template --template-stage Original` parsed and diffed, `aws cloudformation
//! deploy` with `--parameter-overrides` wired from the first stack's output (a typed cross-stack
//! reference synthesized in the parameters mode — moto 5.2.5 has no `Fn::GetStackOutput` — read
//! with `describe-stacks`) and `--tags`, the values nobody types (the CloudFront origin-facing
//! prefix list looked up with `describe-managed-prefix-lists`, which moto models; the origin secret
//! generated on the first deploy, masked, and kept on redeploys through `UsePreviousValue`), an
//! empty change set on a no-op
//! redeploy, an in-place update, the stateful-replacement guard (ECR `RepositoryName` changed →
//! refused; accepted with `--allow-replace`), stack events polled while deploy runs, and
//! deletion with `aws cloudformation delete-stack`.
//!
//! moto quirk worked around: moto 5.2.5 creates a stack for a CREATE change set with an empty
//! template and never rebuilds its outputs when the change set executes (nor does it emit
//! per-resource events), so a stack first created through `aws cloudformation deploy` has no
//! outputs there. The test therefore creates `fw-e2e-net` once with `aws cloudformation
//! create-stack` (whose outputs moto does compute; it caches them, so they do not follow later
//! updates) and lets formwork update it; `fw-e2e-app` goes through formwork's first-deploy path.
//!
//! Not covered by moto: stack refactoring (moto 5.2.5 answers `create-stack-refactor` with an
//! HTTP 500), so renames are checked through `formwork diff` and `deploy --dry-run --previous`,
//! which print the refactor commands; the types moto lacks (EKS, WAFv2, CloudFront) are not
//! deployed; IAM capabilities and `--s3-bucket` uploads are not exercised here.
//!
//! The EKS platform stack (`<name>` of grpc-eks-*) cannot be deployed on moto 5.2.5, the newest
//! release (tried 2026-12-04 with `create-stack` of the grpc-eks-edge example's template):
//! 1. `AWS::KMS::Key` with `Tags` fails the request with HTTP 500, `KeyError: 'TagKey'`: moto's
//!    `kms/models.py` `create_from_cloudformation_json` hands the CloudFormation-shaped tags
//!    (`Key`/`Value`) to its tagging service, which reads `TagKey`/`TagValue`. Without `Tags` the
//!    key is created — so the KMS failure is avoidable by template shape, but
//! 2. moto's CloudFormation has no model for `AWS::EKS::Cluster`, `Nodegroup`, `Addon`,
//!    `AccessEntry`, `PodIdentityAssociation`, `AWS::WAFv2::WebACL` or `AWS::S3::BucketPolicy`
//!    ("No Moto CloudFormation support for …": they are skipped), and an output reading one with
//!    `Fn::GetAtt` (`Cluster.ClusterSecurityGroupId`, `RegionalWaf.Arn`) fails the request with
//!    HTTP 500 (`AttributeError … has_cfn_attr` in `parsing.py` `validate_outputs`).
//!
//! A deploy there would create the VPC, key and bucket and nothing of the cluster, so it would
//! prove nothing about EKS; the platform stack is covered by cfn-lint, checkov and the snapshots.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use formwork::assembly::{Assembly, Source};
use formwork_constructs::cloudfront::{CloudFrontPrefixList, OriginVerifyHeader};
use formwork_constructs::core::{App, CrossStackMode, Env, Output as CfnOutput, Val};
use formwork_constructs::ecr::{Repository, RepositoryProps};
use formwork_constructs::l1::sns::topic::Topic;

use crate::support::{temp_dir, tool};

/// A moto server on a free port, killed on drop.
pub(crate) struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    pub(crate) fn start(bin: &Path) -> Moto {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let m = Moto { child, port };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "moto did not start"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        m
    }

    pub(crate) fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_DEFAULT_REGION", "eu-west-1".into()),
            (
                "AWS_ENDPOINT_URL",
                format!("http://127.0.0.1:{}", self.port),
            ),
            ("AWS_PAGER", String::new()),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The test app: stack `fw-e2e-net` (an ECR repository from the L2 construct, an SNS topic from
/// the L1) and stack `fw-e2e-app`, whose topic is named after the repository of `fw-e2e-net`
/// (in the parameters mode: its parameter `RepoName`, filled from `fw-e2e-net`'s output).
fn app(repo_name: &str, display: &str, topic_id: &str) -> App {
    let mut app = App::new();
    app.set_cross_stack_mode(CrossStackMode::Parameters);
    let net = app
        .add_stack("fw-e2e-net", Env::region("eu-west-1"))
        .unwrap();
    net.add_tag("project", "fw-e2e");
    let (repo, topic) = {
        let mut root = net.root();
        let repo = Repository::new(
            &mut root,
            "Images",
            RepositoryProps {
                repository_name: Some(repo_name.to_owned()),
                ..Default::default()
            },
        )
        .unwrap();
        let topic = root
            .add(
                topic_id,
                Topic {
                    display_name: Some(display.into()),
                    ..Default::default()
                },
            )
            .unwrap();
        (repo, topic)
    };
    net.add_output("RepoName", CfnOutput::new(&repo.name, "repository name"))
        .unwrap();
    net.add_output("TopicArn", CfnOutput::new(topic.ref_(), "topic"))
        .unwrap();

    let appst = app
        .add_stack("fw-e2e-app", Env::region("eu-west-1"))
        .unwrap();
    // Values nobody types: the origin-facing prefix list is looked up, the secret generated on
    // the first deploy and kept after.
    let prefix_list = CloudFrontPrefixList::parameter(appst).unwrap();
    let secret = OriginVerifyHeader::from_new_parameter(appst, "OriginVerifySecret").unwrap();
    {
        let mut root = appst.root();
        for (id, display) in [
            ("PrefixListTopic", Val::from(&prefix_list)),
            ("SecretTopic", secret.value.clone()),
        ] {
            root.add(
                id,
                Topic {
                    display_name: Some(display),
                    ..Default::default()
                },
            )
            .unwrap();
        }
        root.add(
            "Events",
            Topic {
                display_name: Some((&repo.name).into()),
                ..Default::default()
            },
        )
        .unwrap();
    }
    appst
        .add_output(
            "UsesRepo",
            CfnOutput::new(&repo.name, "the value as received"),
        )
        .unwrap();
    app
}

/// Writes the app as an out dir, the way `formwork synth` does.
fn write(app: App, dir: &Path) {
    let asm = Assembly::from_app(Source::App { name: "e2e".into() }, app).unwrap();
    formwork::outdir::write_out_dir(dir, &asm.to_files()).unwrap();
}

pub(crate) fn run(
    cwd: &Path,
    program: &Path,
    args: &[&str],
    env: &[(&'static str, String)],
) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(cwd)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("run")
}

pub(crate) fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub(crate) fn outputs(
    d: &Path,
    aws: &Path,
    env: &[(&'static str, String)],
    stack: &str,
) -> serde_json::Value {
    let o = run(
        d,
        aws,
        &[
            "cloudformation",
            "describe-stacks",
            "--stack-name",
            stack,
            "--output",
            "json",
        ],
        env,
    );
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut m = serde_json::Map::new();
    for out in v["Stacks"][0]["Outputs"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        m.insert(
            out["OutputKey"].as_str().unwrap().to_owned(),
            out["OutputValue"].clone(),
        );
    }
    serde_json::Value::Object(m)
}

#[test]
fn deploy_against_moto() {
    let (Some(server), Some(aws)) = (tool("moto/bin/moto_server"), tool("moto/bin/aws")) else {
        return;
    };
    let moto = Moto::start(&server);
    let env = moto.env();
    let d = temp_dir("deploy-moto");
    let aws_s = aws.display().to_string();
    let fw = PathBuf::from(env!("CARGO_BIN_EXE_formwork"));
    let deploy = |dir: &str, extra: &[&str]| {
        let mut args = vec!["deploy", dir, "--aws-cli", &aws_s, "--poll-seconds", "1"];
        args.extend_from_slice(extra);
        run(&d, &fw, &args, &env)
    };

    // 0. The moto workaround (see the module docs): the producer stack is created directly.
    write(app("fw-e2e-images", "one", "Alerts"), &d.join("v1"));
    let o = run(
        &d,
        &aws,
        &[
            "cloudformation",
            "create-stack",
            "--stack-name",
            "fw-e2e-net",
            "--template-body",
            "file://v1/fw-e2e-net.template.json",
            "--tags",
            "Key=project,Value=fw-e2e",
        ],
        &env,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        outputs(&d, &aws, &env, "fw-e2e-net")["RepoName"],
        "fw-e2e-images"
    );

    // 1. Deploy both stacks: fw-e2e-net is unchanged, fw-e2e-app is new and gets
    //    fw-e2e-net's output as its parameter.
    let o = deploy("v1", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "get-template --region eu-west-1 --stack-name fw-e2e-net --template-stage Original"
        ),
        "{err}"
    );
    assert!(err.contains("diff: no resource changes"), "{err}");
    assert!(err.contains("not deployed yet: first deploy"), "{err}");
    assert!(
        err.contains("--parameter-overrides CloudFrontPrefixListId=pl-")
            && err.contains(
                "'OriginVerifySecret=****' RepoName=fw-e2e-images --no-fail-on-empty-changeset"
            ),
        "{err}"
    );
    assert!(
        err.contains("CREATE_COMPLETE AWS::CloudFormation::Stack fw-e2e-app"),
        "events: {err}"
    );
    assert!(err.contains("RepoName = fw-e2e-images"), "{err}");
    assert!(
        err.contains("OriginVerifySecret: generated a new secret of 48 characters"),
        "{err}"
    );
    assert!(
        err.contains("describe-managed-prefix-lists --region eu-west-1 --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing"),
        "{err}"
    );
    assert!(
        err.contains("OriginVerifySecret=****"),
        "the secret is masked: {err}"
    );

    // 2. No-op redeploy: an empty change set is fine.
    let o = deploy("v1", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("diff: no resource changes"), "{err}");
    assert!(err.contains("No changes to deploy"), "{err}");
    assert!(
        err.contains("OriginVerifySecret: the deployed value is kept"),
        "{err}"
    );

    // 3. An in-place update.
    write(app("fw-e2e-images", "two", "Alerts"), &d.join("v2"));
    let o = deploy("v2", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("diff: 1 updated"),
        "{}",
        text(&o)
    );
    let t = run(
        &d,
        &aws,
        &[
            "cloudformation",
            "get-template",
            "--stack-name",
            "fw-e2e-net",
            "--output",
            "json",
        ],
        &env,
    );
    assert!(
        String::from_utf8_lossy(&t.stdout).contains("\"two\""),
        "{}",
        text(&t)
    );

    // 4. The replacement guard: a new repository name replaces the repository.
    write(app("fw-e2e-images-v2", "two", "Alerts"), &d.join("v3"));
    let o = deploy("v3", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("refusing to replace or delete stateful resources"),
        "{err}"
    );
    assert!(
        err.contains(
            "Images (AWS::ECR::Repository): replaced (/Properties/RepositoryName changed); the old one is orphaned, not deleted (UpdateReplacePolicy: Retain), the new one starts empty"
        ),
        "{err}"
    );
    assert!(!err.contains("cloudformation deploy"), "{err}");
    let o = deploy("v3", &["--allow-replace", "Images"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("allowed: Images (AWS::ECR::Repository) will be replaced"),
        "{err}"
    );
    let repos = run(
        &d,
        &aws,
        &["ecr", "describe-repositories", "--output", "json"],
        &env,
    );
    assert!(
        String::from_utf8_lossy(&repos.stdout).contains("fw-e2e-images-v2"),
        "{}",
        text(&repos)
    );

    // 5. A rename (topic construct id Alerts → Notifications): shown by diff and planned as a
    //    stack refactor (moto has no stack refactoring, so only the plan is checked).
    write(
        app("fw-e2e-images-v2", "two", "Notifications"),
        &d.join("v4"),
    );
    let o = run(&d, &fw, &["diff", "v3", "v4"], &env);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("AWS::SNS::Topic Alerts → Notifications (rename"),
        "{}",
        text(&o)
    );
    let o = deploy("v4", &["--dry-run", "--previous", "v3"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("create-stack-refactor --region eu-west-1 --stack-definitions file://v4/refactor/fw-e2e-net.stack-definitions.json --resource-mappings '[{\"Source\":{\"StackName\":\"fw-e2e-net\",\"LogicalResourceId\":\"Alerts\"},\"Destination\":{\"StackName\":\"fw-e2e-net\",\"LogicalResourceId\":\"Notifications\"}}]' --no-enable-stack-creation"), "{out}");
    assert!(out.contains("execute-stack-refactor"), "{out}");

    // 6. Delete with the AWS CLI (formwork never deletes stacks).
    for s in ["fw-e2e-app", "fw-e2e-net"] {
        let o = run(
            &d,
            &aws,
            &["cloudformation", "delete-stack", "--stack-name", s],
            &env,
        );
        assert!(o.status.success(), "{}", text(&o));
        let w = run(
            &d,
            &aws,
            &[
                "cloudformation",
                "wait",
                "stack-delete-complete",
                "--stack-name",
                s,
            ],
            &env,
        );
        assert!(w.status.success(), "{}", text(&w));
    }
}
