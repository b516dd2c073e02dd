//! Typed cross-stack references: passing an attribute of one stack to a construct of another
//! wires itself (an output in the producer, `Fn::GetStackOutput` or a parameter in the consumer)
//! and is checked against the deploy order.

use formwork_constructs::core::{App, CrossStackMode, Env, Error, Output, Parameter};
use formwork_constructs::ec2::{SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
use formwork_constructs::ecr::{Repository, RepositoryProps};
use serde_json::json;

/// A network stack with a VPC and an app stack whose security group sits in it.
fn two_stacks(app: &mut App, app_region: &str) -> formwork_constructs::ec2::VpcHandle {
    let net = app.add_stack("net", Env::region("eu-west-1")).unwrap();
    let vpc = Vpc::new(&mut net.root(), "Vpc", VpcProps::default()).unwrap();
    let svc = app.add_stack("svc", Env::region(app_region)).unwrap();
    SecurityGroup::new(
        &mut svc.root(),
        "Sg",
        &vpc.id,
        "in the other stack's VPC",
        SecurityGroupProps::default(),
    )
    .unwrap();
    vpc
}

fn stack<'a>(
    out: &'a [formwork_constructs::core::StackTemplate],
    name: &str,
) -> &'a formwork_constructs::core::StackTemplate {
    out.iter().find(|s| s.name == name).expect("stack")
}

#[test]
fn an_attribute_of_another_stack_becomes_get_stack_output() {
    let mut app = App::new();
    two_stacks(&mut app, "eu-west-1");
    let out = app.synthesize().unwrap();
    let svc = stack(&out, "svc");
    assert_eq!(
        svc.template["Resources"]["Sg"]["Properties"]["VpcId"],
        json!({"Fn::GetStackOutput": {"StackName": "net", "OutputName": "Vpc"}})
    );
    assert_eq!(svc.reads.len(), 1);
    assert_eq!(svc.reads[0].stack, "net");
    assert_eq!(svc.reads[0].output, "Vpc");
    assert_eq!(svc.reads[0].parameter, None);
    assert!(svc.template.get("Parameters").is_none());
    let net = stack(&out, "net");
    assert_eq!(
        net.template["Outputs"]["Vpc"]["Value"],
        json!({"Ref": "Vpc"})
    );
    let d = net.template["Outputs"]["Vpc"]["Description"]
        .as_str()
        .unwrap();
    assert!(d.contains("`svc`"), "{d}");
    // the same attribute used in the producer itself stays a plain Ref
    assert!(net.reads.is_empty());
}

#[test]
fn another_region_is_named_and_an_existing_output_is_reused() {
    let mut app = App::new();
    let net = app.add_stack("net", Env::region("us-east-1")).unwrap();
    let repo = Repository::new(&mut net.root(), "Repo", RepositoryProps::default()).unwrap();
    net.add_output("RepoArn", Output::new(repo.arn.clone(), "the repository"))
        .unwrap();
    let svc = app.add_stack("svc", Env::region("eu-west-1")).unwrap();
    svc.add_output("Copied", Output::new(repo.arn.clone(), "read from net"))
        .unwrap();
    let out = app.synthesize().unwrap();
    assert_eq!(
        stack(&out, "svc").template["Outputs"]["Copied"]["Value"],
        json!({"Fn::GetStackOutput": {"StackName": "net", "OutputName": "RepoArn", "Region": "us-east-1"}})
    );
    let outputs = stack(&out, "net").template["Outputs"]
        .as_object()
        .unwrap()
        .clone();
    assert_eq!(
        outputs.len(),
        1,
        "no second output for the same value: {outputs:?}"
    );
}

#[test]
fn parameters_mode_gives_the_consumer_a_parameter() {
    let mut app = App::new();
    app.set_cross_stack_mode(CrossStackMode::Parameters);
    two_stacks(&mut app, "eu-west-1");
    let out = app.synthesize().unwrap();
    let svc = stack(&out, "svc");
    assert_eq!(
        svc.template["Resources"]["Sg"]["Properties"]["VpcId"],
        json!({"Ref": "Vpc"})
    );
    assert_eq!(svc.template["Parameters"]["Vpc"]["Type"], json!("String"));
    let keys: Vec<&String> = svc.template.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["AWSTemplateFormatVersion", "Parameters", "Resources"],
        "parameters come before resources"
    );
    assert_eq!(svc.reads[0].parameter.as_deref(), Some("Vpc"));
}

#[test]
fn a_read_from_a_later_stack_is_an_error_naming_both() {
    let mut app = App::new();
    app.add_stack("first", Env::region("eu-west-1")).unwrap();
    let later = app.add_stack("later", Env::region("eu-west-1")).unwrap();
    let repo = Repository::new(&mut later.root(), "Repo", RepositoryProps::default()).unwrap();
    let first = app.stack_mut("first").unwrap();
    first
        .add_output("Arn", Output::new(repo.arn.clone(), "backwards"))
        .unwrap();
    let err = app.synthesize().unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("stack first"), "{msg}");
    assert!(msg.contains("`later`"), "{msg}");
    assert!(msg.contains("deployed after it"), "{msg}");
}

#[test]
fn two_stacks_reading_each_other_is_a_cycle() {
    let mut app = App::new();
    let a = app.add_stack("a", Env::region("eu-west-1")).unwrap();
    let ra = Repository::new(&mut a.root(), "Repo", RepositoryProps::default()).unwrap();
    let b = app.add_stack("b", Env::region("eu-west-1")).unwrap();
    let rb = Repository::new(&mut b.root(), "Repo", RepositoryProps::default()).unwrap();
    b.add_output("FromA", Output::new(ra.arn.clone(), "a → b"))
        .unwrap();
    app.stack_mut("a")
        .unwrap()
        .add_output("FromB", Output::new(rb.arn.clone(), "b → a"))
        .unwrap();
    let msg = app.synthesize().unwrap_err().to_string();
    assert!(msg.contains("read each other"), "{msg}");
    assert!(msg.contains("`a`") && msg.contains("`b`"), "{msg}");
}

#[test]
fn a_stack_rendered_alone_refuses_foreign_values() {
    let mut app = App::new();
    two_stacks(&mut app, "eu-west-1");
    let err = app.stacks()[1].to_template().unwrap_err();
    assert!(
        matches!(&err, Error::Stack { stack, message } if stack == "svc" && message.contains("`net`")),
        "{err}"
    );
    // the producer alone renders fine
    assert!(app.stacks()[0].to_template().is_ok());
}

#[test]
fn a_parameter_of_another_stack_is_wired_too() {
    let mut app = App::new();
    let a = app.add_stack("a", Env::region("eu-west-1")).unwrap();
    let p = a
        .add_parameter::<()>("Stage", Parameter::string("stage").with_default("prod"))
        .unwrap();
    let b = app.add_stack("b", Env::region("eu-west-1")).unwrap();
    b.add_output("Stage", Output::new(p.clone(), "copied"))
        .unwrap();
    let out = app.synthesize().unwrap();
    assert_eq!(
        stack(&out, "a").template["Outputs"]["Stage"]["Value"],
        json!({"Ref": "Stage"})
    );
    assert_eq!(
        stack(&out, "b").template["Outputs"]["Stage"]["Value"],
        json!({"Fn::GetStackOutput": {"StackName": "a", "OutputName": "Stage"}})
    );
}

#[test]
fn a_stack_outside_the_app_is_refused() {
    let mut other = App::new();
    let o = other.add_stack("elsewhere", Env::default()).unwrap();
    let repo = Repository::new(&mut o.root(), "Repo", RepositoryProps::default()).unwrap();
    let mut app = App::new();
    let s = app.add_stack("s", Env::default()).unwrap();
    s.add_output("X", Output::new(repo.arn.clone(), "from another app"))
        .unwrap();
    let msg = app.synthesize().unwrap_err().to_string();
    assert!(
        msg.contains("`elsewhere`") && msg.contains("not in this app"),
        "{msg}"
    );
}
