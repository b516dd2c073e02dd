//! The README's Rust API example, kept compiling and running.

use formwork_constructs::acm::Certificate;
use formwork_constructs::core::{App, Env, Error};
use formwork_constructs::ec2::{SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
use formwork_constructs::ecr::{Repository, RepositoryProps};
use formwork_constructs::elbv2::*;

#[test]
fn readme_example() -> Result<(), Error> {
    let mut app = App::new();
    let stack = app.add_stack("greeter", Env::region("eu-west-1"))?;
    let mut root = stack.root();
    let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default())?;
    let repo = Repository::new(&mut root, "Greeter", RepositoryProps::default())?;
    let sg = SecurityGroup::new(
        &mut root,
        "AlbSg",
        &vpc.id,
        "ALB",
        SecurityGroupProps::default(),
    )?;
    let alb = ApplicationLoadBalancer::new(&mut root, "Alb", &vpc, &sg, Default::default())?;
    let https = HttpsListener::new(
        &mut root,
        "Https",
        &alb,
        &Certificate::import("arn:aws:acm:eu-west-1:123456789012:certificate/abc")?,
        Default::default(),
    )?;
    let tg = GrpcTargetGroup::new(&mut root, "GreeterTg", &vpc.id, 50051, Default::default())?;
    GrpcRoute::new(
        &mut root,
        "GreeterRoute",
        &https,
        10,
        &["helloworld.Greeter".into()],
        &tg,
        &[],
    )?;
    let yaml = stack.to_yaml()?;
    assert!(yaml.contains("ProtocolVersion: GRPC"));
    assert_eq!(repo.logical_id(), "Greeter");
    Ok(())
}
