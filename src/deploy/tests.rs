//! Unit tests of deploy, with a fake runner that answers by command and records calls.

use super::*;
use std::cell::RefCell;
use std::io;

use formwork_assembly::{
    CrossStack, FORMAT, FileArtifact, FileKind, OutputRef, OutputSpec, ParameterSpec, Source,
    StackArtifact, ValueSource,
};

use super::ctx::Ctx;
use crate::shell::quote_argv as quote;

mod cluster;
mod failure;
mod images;

/// Answers commands by their first matching `(needle, output)`; records every call.
struct Fake {
    answers: Vec<(String, CmdOutput)>,
    calls: RefCell<Vec<String>>,
}

impl Fake {
    fn new(answers: &[(&str, i32, &str, &str)]) -> Fake {
        Fake {
            answers: answers
                .iter()
                .map(|(n, c, o, e)| {
                    (
                        n.to_string(),
                        CmdOutput {
                            code: Some(*c),
                            stdout: o.to_string(),
                            stderr: e.to_string(),
                        },
                    )
                })
                .collect(),
            calls: RefCell::new(Vec::new()),
        }
    }
}

impl Runner for Fake {
    fn run(&self, argv: &[String]) -> io::Result<CmdOutput> {
        let q = quote(argv);
        self.calls.borrow_mut().push(q.clone());
        Ok(self
            .answers
            .iter()
            .find(|(n, _)| q.contains(n.as_str()))
            .map(|(_, o)| o.clone())
            .unwrap_or(CmdOutput {
                code: Some(0),
                stdout: "{}".into(),
                stderr: String::new(),
            }))
    }
    fn run_input(&self, argv: &[String], input: &str) -> io::Result<CmdOutput> {
        self.calls
            .borrow_mut()
            .push(format!("stdin[{input}] | {}", quote(argv)));
        self.run(argv)
    }
    fn run_with_ticks(
        &self,
        argv: &[String],
        _: Duration,
        tick: &mut dyn FnMut(),
    ) -> io::Result<CmdOutput> {
        tick();
        self.run(argv)
    }
}

fn out_dir(name: &str, templates: &[(&str, Value)], params: Vec<ParameterSpec>) -> PathBuf {
    let mut asm = assembly(templates, params);
    write(name, &mut asm)
}

/// An assembly of one-resource stacks in eu-west-1; the second stack gets `params`.
fn assembly(templates: &[(&str, Value)], params: Vec<ParameterSpec>) -> Assembly {
    let stacks = templates
        .iter()
        .enumerate()
        .map(|(i, (n, t))| StackArtifact {
            name: n.to_string(),
            region: Some("eu-west-1".into()),
            template: format!("{n}.template.json"),
            template_yaml: format!("{n}.template.yaml"),
            body_bytes: serde_json::to_string(t).unwrap().len(),
            resources: 1,
            capabilities: vec![],
            tags: BTreeMap::new(),
            parameters: if i == 1 { params.clone() } else { vec![] },
            outputs: t
                .get("Outputs")
                .and_then(Value::as_object)
                .map(|o| {
                    o.keys()
                        .map(|k| OutputSpec {
                            name: k.clone(),
                            read_by: vec![],
                        })
                        .collect()
                })
                .unwrap_or_default(),
            reads: vec![],
            body: t.clone(),
        })
        .collect();
    Assembly {
        format: FORMAT,
        source: Source::App {
            name: "test".into(),
        },
        cross_stack: CrossStack::GetStackOutput,
        stacks,
        files: vec![],
        placeholders: BTreeMap::new(),
        runbook: None,
        app: None,
    }
}

fn write(name: &str, asm: &mut Assembly) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "formwork-deploy-unit-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for (rel, bytes) in asm.to_files() {
        let p = d.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    d
}

fn opts(dir: PathBuf) -> DeployOptions {
    DeployOptions {
        dir,
        region: None,
        profile: Some("dev".into()),
        s3_bucket: None,
        allow_replace: vec![],
        allow_output_change: vec![],
        parameters: vec![],
        apply_k8s: false,
        build: false,
        dry_run: false,
        previous: None,
        poll: Duration::ZERO,
    }
}

fn repo(name: &str) -> Value {
    serde_json::json!({"Resources": {"Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": name}}}})
}

#[test]
fn stack_output_feeds_the_next_stack_and_is_read_once() {
    let d = out_dir(
        "wire",
        &[("net", repo("a")), ("app", repo("b"))],
        vec![ParameterSpec {
            name: "RepoName".into(),
            source: ValueSource::StackOutput {
                stack: "net".into(),
                output: "Name".into(),
            },
            no_echo: false,
        }],
    );
    let fake = Fake::new(&[
        (
            "describe-stacks --region eu-west-1 --profile dev --stack-name net",
            0,
            r#"{"Stacks":[{"StackStatus":"CREATE_COMPLETE","Outputs":[{"OutputKey":"Name","OutputValue":"repo-a"}]}]}"#,
            "",
        ),
        (
            "describe-stacks --region eu-west-1 --profile dev --stack-name app",
            254,
            "",
            "Stack with id app does not exist",
        ),
        (
            "get-template",
            0,
            &serde_json::json!({"TemplateBody": repo("a")}).to_string(),
            "",
        ),
    ]);
    let mut notes = Vec::new();
    let r = deploy(&opts(d), &fake, &mut |n| notes.push(n)).unwrap();
    assert_eq!(r.stacks[0].outputs["Name"], "repo-a");
    let calls = fake.calls.borrow();
    let deploy_app = calls
        .iter()
        .find(|c| c.contains("deploy") && c.contains("--stack-name app"))
        .unwrap();
    assert!(
        deploy_app.contains("--parameter-overrides RepoName=repo-a"),
        "{deploy_app}"
    );
    assert_eq!(
        calls[0],
        "aws sts get-caller-identity --output json --region eu-west-1 --profile dev"
    );
}

#[test]
fn refuses_stateful_replacement_unless_allowed() {
    let d = out_dir("refuse", &[("net", repo("new-name"))], vec![]);
    let fake = Fake::new(&[
        (
            "describe-stacks",
            0,
            r#"{"Stacks":[{"StackStatus":"UPDATE_COMPLETE"}]}"#,
            "",
        ),
        (
            "get-template",
            0,
            &serde_json::json!({"TemplateBody": repo("old-name")}).to_string(),
            "",
        ),
    ]);
    let e = deploy(&opts(d.clone()), &fake, &mut |_| {}).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("Repo (AWS::ECR::Repository): replaced (/Properties/RepositoryName changed)"),
        "{msg}"
    );
    assert!(
        !fake
            .calls
            .borrow()
            .iter()
            .any(|c| c.contains("cloudformation deploy"))
    );
    let mut o = opts(d);
    o.allow_replace = vec!["Repo".into()];
    deploy(&o, &fake, &mut |_| {}).unwrap();
}

#[test]
fn rollback_complete_and_unauthenticated_are_explained() {
    let d = out_dir("state", &[("net", repo("a"))], vec![]);
    let fake = Fake::new(&[(
        "describe-stacks",
        0,
        r#"{"Stacks":[{"StackStatus":"ROLLBACK_COMPLETE"}]}"#,
        "",
    )]);
    let msg = deploy(&opts(d.clone()), &fake, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(msg.contains("delete-stack --stack-name net"), "{msg}");
    let fake = Fake::new(&[("sts", 255, "", "Unable to locate credentials")]);
    let msg = deploy(&opts(d), &fake, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(msg.contains("no AWS credentials found"), "{msg}");
}

#[test]
fn operator_parameter_is_required() {
    let d = out_dir(
        "operator",
        &[("a", repo("a")), ("b", repo("b"))],
        vec![ParameterSpec {
            name: "Key".into(),
            source: ValueSource::Operator {
                hint: "the key".into(),
            },
            no_echo: false,
        }],
    );
    let fake = Fake::new(&[("describe-stacks", 254, "", "does not exist")]);
    let msg = deploy(&opts(d.clone()), &fake, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(msg.contains("pass --parameter b.Key=VALUE"), "{msg}");
    let mut o = opts(d);
    o.parameters = vec![parse_parameter("b.Key=v=1").unwrap()];
    deploy(&o, &fake, &mut |_| {}).unwrap();
    assert!(
        fake.calls
            .borrow()
            .iter()
            .any(|c| c.contains("--parameter-overrides Key=v=1"))
    );
}

#[test]
fn noecho_values_are_masked_in_printed_commands_and_errors() {
    let o = opts(PathBuf::from("unused"));
    let fake = Fake::new(&[]);
    let mut log = |_: Note| {};
    let ctx = Ctx {
        opts: &o,
        runner: &fake,
        log: &mut log,
        outputs: BTreeMap::new(),
        secrets: vec![s("s3cr'et")],
    };
    let argv = vec![s("aws"), s("--parameter-overrides"), s("Secret=s3cr'et")];
    assert_eq!(ctx.shown(&argv), "aws --parameter-overrides 'Secret=****'");
    let out = CmdOutput {
        code: Some(1),
        stdout: String::new(),
        stderr: s("bad value s3cr'et"),
    };
    let msg = ctx.failed(&argv, &out).to_string();
    assert!(
        !msg.contains("s3cr") && msg.contains("bad value ****"),
        "{msg}"
    );
}

#[test]
fn k8s_manifests_get_outputs_filled_and_applied() {
    let mut asm = assembly(&[("net", repo("a"))], vec![]);
    asm.placeholders
        .insert("TargetGroupArn".into(), OutputRef::new("net", "Tg"));
    for (path, kind, contents) in [
        (
            "k8s/app/tgb.yaml",
            FileKind::K8sManifest,
            "targetGroupARN: ${TargetGroupArn}\n",
        ),
        (
            "helm/values.yaml",
            FileKind::HelmValues,
            "tg: \"${TargetGroupArn}\"\n",
        ),
        ("DEPLOY.md", FileKind::Runbook, "# runbook\n"),
    ] {
        asm.files.push(FileArtifact {
            path: path.into(),
            kind,
            contents: contents.into(),
        });
    }
    let d = write("k8s", &mut asm);
    let fake = Fake::new(&[
        (
            "describe-stacks",
            0,
            r#"{"Stacks":[{"StackStatus":"UPDATE_COMPLETE","Outputs":[{"OutputKey":"Tg","OutputValue":"arn:tg"}]}]}"#,
            "",
        ),
        (
            "get-template",
            0,
            &serde_json::json!({"TemplateBody": serde_json::to_string(&repo("a")).unwrap()})
                .to_string(),
            "",
        ),
    ]);
    let mut o = opts(d.clone());
    o.apply_k8s = true;
    let r = deploy(&o, &fake, &mut |_| {}).unwrap();
    assert_eq!(
        r.k8s_resolved,
        vec!["k8s-resolved/app/tgb.yaml", "helm-resolved/values.yaml"]
    );
    assert_eq!(
        std::fs::read_to_string(d.join("helm-resolved/values.yaml")).unwrap(),
        "tg: \"arn:tg\"\n"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("k8s-resolved/app/tgb.yaml")).unwrap(),
        "targetGroupARN: arn:tg\n"
    );
    let calls = fake.calls.borrow();
    assert!(
        calls.last().unwrap().starts_with("kubectl apply -f "),
        "{calls:?}"
    );
    // The outputs were read once, right after the deploy (describe before + after).
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.contains("describe-stacks"))
            .count(),
        2
    );
}

#[test]
fn dry_run_runs_nothing_and_marks_unknown_values() {
    let d = out_dir(
        "dry",
        &[("net", repo("a")), ("app", repo("b"))],
        vec![ParameterSpec {
            name: "RepoName".into(),
            source: ValueSource::StackOutput {
                stack: "net".into(),
                output: "Name".into(),
            },
            no_echo: false,
        }],
    );
    let fake = Fake::new(&[]);
    let mut o = opts(d);
    o.dry_run = true;
    let mut cmds = Vec::new();
    deploy(&o, &fake, &mut |n| {
        if let Note::Command(c) = n {
            cmds.push(c)
        }
    })
    .unwrap();
    assert!(fake.calls.borrow().is_empty());
    assert!(
        cmds.iter()
            .any(|c| c.contains("--parameter-overrides 'RepoName=<output of net.Name>'")),
        "{cmds:?}"
    );
}

#[test]
fn renames_run_a_stack_refactor_before_the_deploy() {
    let new = serde_json::json!({"Resources": {"Images": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "a"}}}});
    let d = out_dir("rename", &[("net", new)], vec![]);
    let fake = Fake::new(&[
        (
            "describe-stacks",
            0,
            r#"{"Stacks":[{"StackStatus":"UPDATE_COMPLETE"}]}"#,
            "",
        ),
        (
            "get-template",
            0,
            &serde_json::json!({"TemplateBody": repo("a")}).to_string(),
            "",
        ),
        (
            "create-stack-refactor",
            0,
            r#"{"StackRefactorId":"rf-1"}"#,
            "",
        ),
        (
            "describe-stack-refactor",
            0,
            r#"{"Status":"CREATE_COMPLETE","ExecutionStatus":"EXECUTE_COMPLETE"}"#,
            "",
        ),
    ]);
    deploy(&opts(d.clone()), &fake, &mut |_| {}).unwrap();
    let calls = fake.calls.borrow();
    let ops: Vec<&str> = calls
        .iter()
        .filter_map(|c| c.split(' ').nth(2))
        .filter(|op| op.contains("refactor") || *op == "deploy")
        .collect();
    assert_eq!(
        ops,
        vec![
            "create-stack-refactor",
            "describe-stack-refactor",
            "execute-stack-refactor",
            "describe-stack-refactor",
            "deploy"
        ]
    );
    let defs: Value = serde_json::from_slice(
        &std::fs::read(d.join("refactor/net.stack-definitions.json")).unwrap(),
    )
    .unwrap();
    let body: Value = serde_json::from_str(defs[0]["TemplateBody"].as_str().unwrap()).unwrap();
    assert!(body["Resources"].get("Images").is_some());
    assert!(
        calls
            .iter()
            .any(|c| c.contains(r#""LogicalResourceId":"Repo"},"Destination""#))
    );
}

#[test]
fn an_output_a_deployed_stack_reads_is_not_changed_unless_allowed() {
    let gso = serde_json::json!({"Fn::GetStackOutput": {"StackName": "net", "OutputName": "Name"}});
    let producer = |name: &str| {
        let mut t = repo(name);
        t["Outputs"] = serde_json::json!({"Name": {"Value": {"Ref": "Repo"}}});
        t
    };
    let consumer = serde_json::json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": gso}}}});
    let d = out_dir(
        "weak",
        &[("net", producer("new-name")), ("app", consumer.clone())],
        vec![],
    );
    let deployed = |c: &str| {
        serde_json::json!({"TemplateBody": if c.contains("net") { producer("old-name") } else { consumer.clone() }})
            .to_string()
    };
    let fake = Fake::new(&[
        (
            "describe-stacks",
            0,
            r#"{"Stacks":[{"StackStatus":"UPDATE_COMPLETE"}]}"#,
            "",
        ),
        (
            "get-template --region eu-west-1 --profile dev --stack-name net",
            0,
            &deployed("net"),
            "",
        ),
        (
            "get-template --region eu-west-1 --profile dev --stack-name app",
            0,
            &deployed("app"),
            "",
        ),
    ]);
    let mut o = opts(d);
    o.allow_replace = vec!["Repo".into()];
    let msg = deploy(&o, &fake, &mut |_| {}).unwrap_err().to_string();
    assert!(msg.contains("net.Name read by `app`"), "{msg}");
    assert!(msg.contains("`Repo`, which is replaced"), "{msg}");
    assert!(
        !fake
            .calls
            .borrow()
            .iter()
            .any(|c| c.contains("cloudformation deploy")),
        "refused before any deploy"
    );
    o.allow_output_change = vec!["net.Name".into()];
    deploy(&o, &fake, &mut |_| {}).unwrap();
}

#[test]
fn a_looked_up_parameter_is_found_with_the_aws_cli() {
    let lookup = formwork_constructs::core::Lookup::ManagedPrefixList {
        name: "com.amazonaws.global.cloudfront.origin-facing".into(),
    };
    let d = out_dir(
        "lookup",
        &[("a", repo("a")), ("b", repo("b"))],
        vec![ParameterSpec {
            name: "PrefixList".into(),
            source: ValueSource::Lookup { lookup },
            no_echo: false,
        }],
    );
    let fake = Fake::new(&[
        ("describe-stacks", 254, "", "does not exist"),
        ("describe-managed-prefix-lists", 0, "pl-3b927c52\n", ""),
    ]);
    deploy(&opts(d.clone()), &fake, &mut |_| {}).unwrap();
    let calls = fake.calls.borrow();
    assert!(
        calls.iter().any(|c| c
            == "aws ec2 describe-managed-prefix-lists --region eu-west-1 --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing --query 'PrefixLists[0].PrefixListId' --output text --profile dev"),
        "{calls:?}"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.contains("--parameter-overrides PrefixList=pl-3b927c52"))
    );
    drop(calls);
    let empty = Fake::new(&[
        ("describe-stacks", 254, "", "does not exist"),
        ("describe-managed-prefix-lists", 0, "None\n", ""),
    ]);
    let msg = deploy(&opts(d), &empty, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("found no the id of prefix list") || msg.contains("found no"),
        "{msg}"
    );
}

#[test]
fn an_oversized_body_without_a_bucket_is_refused_before_anything_runs() {
    let mut big = repo("a");
    big["Description"] = Value::String("x".repeat(INLINE_BODY_LIMIT));
    let d = out_dir("big", &[("a", repo("a")), ("b", big)], vec![]);
    let fake = Fake::new(&[("describe-stacks", 254, "", "does not exist")]);
    let msg = deploy(&opts(d.clone()), &fake, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("stack `b`") && msg.contains("FORMWORK_ARTIFACT_BUCKET"),
        "{msg}"
    );
    assert!(
        !fake
            .calls
            .borrow()
            .iter()
            .any(|c| c.contains("cloudformation deploy"))
    );
    let mut o = opts(d);
    o.s3_bucket = Some("artifacts".into());
    deploy(&o, &fake, &mut |_| {}).unwrap();
    assert!(
        fake.calls
            .borrow()
            .iter()
            .any(|c| c.contains("--stack-name b") && c.contains("--s3-bucket artifacts"))
    );
}

fn secret_param() -> Vec<ParameterSpec> {
    vec![ParameterSpec {
        name: "OriginVerifySecret".into(),
        source: ValueSource::Lookup {
            lookup: formwork_constructs::core::Lookup::GeneratedSecret { length: 48 },
        },
        no_echo: true,
    }]
}

#[test]
fn a_generated_secret_is_new_on_the_first_deploy_and_masked() {
    let d = out_dir(
        "secret-new",
        &[("a", repo("a")), ("b", repo("b"))],
        secret_param(),
    );
    let fake = Fake::new(&[("describe-stacks", 254, "", "does not exist")]);
    let mut printed = Vec::new();
    deploy(&opts(d), &fake, &mut |n| printed.push(format!("{n:?}"))).unwrap();
    let calls = fake.calls.borrow();
    let call = calls
        .iter()
        .find(|c| c.contains("--stack-name b") && c.contains("cloudformation deploy"))
        .unwrap();
    let value = call
        .split("OriginVerifySecret=")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap();
    assert_eq!(value.len(), 48, "{call}");
    assert!(value.bytes().all(|b| b.is_ascii_alphanumeric()), "{value}");
    let shown = printed.join("\n");
    assert!(!shown.contains(value), "the secret is printed: {shown}");
    assert!(
        shown.contains("generated a new secret of 48 characters"),
        "{shown}"
    );
    let again = super::stack::random_secret(48).unwrap();
    assert_ne!(again, value, "two secrets are equal");
}

#[test]
fn a_generated_secret_the_stack_has_is_kept() {
    let mut deployed = repo("b");
    deployed["Parameters"] =
        serde_json::json!({"OriginVerifySecret": {"Type": "String", "NoEcho": true}});
    let d = out_dir(
        "secret-kept",
        &[("a", repo("a")), ("b", repo("b"))],
        secret_param(),
    );
    let get = serde_json::json!({ "TemplateBody": deployed }).to_string();
    let fake = Fake::new(&[
        (
            "describe-stacks --region eu-west-1 --profile dev --stack-name b",
            0,
            r#"{"Stacks":[{"StackStatus":"CREATE_COMPLETE"}]}"#,
            "",
        ),
        ("describe-stacks", 254, "", "does not exist"),
        (
            "get-template --region eu-west-1 --profile dev --stack-name b",
            0,
            &get,
            "",
        ),
    ]);
    let mut printed = Vec::new();
    deploy(&opts(d), &fake, &mut |n| printed.push(format!("{n:?}"))).unwrap();
    let calls = fake.calls.borrow();
    let call = calls
        .iter()
        .find(|c| c.contains("--stack-name b") && c.contains("cloudformation deploy"))
        .unwrap();
    assert!(!call.contains("OriginVerifySecret"), "{call}");
    assert!(
        printed
            .join("\n")
            .contains("OriginVerifySecret: the deployed value is kept"),
        "{printed:?}"
    );
}

#[test]
fn a_dry_run_shows_a_generated_secret_as_such() {
    let d = out_dir(
        "secret-dry",
        &[("a", repo("a")), ("b", repo("b"))],
        secret_param(),
    );
    let fake = Fake::new(&[]);
    let mut o = opts(d);
    o.dry_run = true;
    let mut printed = Vec::new();
    deploy(&o, &fake, &mut |n| printed.push(format!("{n:?}"))).unwrap();
    let shown = printed.join("\n");
    assert!(
        shown.contains("OriginVerifySecret: a new secret of 48 characters is generated"),
        "{shown}"
    );
    assert!(shown.contains("'OriginVerifySecret=****'"), "{shown}");
}
