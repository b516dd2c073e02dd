//! The infrastructure of this app: a gRPC service behind an internet-facing ALB that speaks
//! HTTP/2 end to end, in two stacks.
//!
//! - `<APP>-network`: the VPC (two AZs, public and private subnets, one NAT gateway) and the
//!   bucket for the load balancer's access logs.
//! - `<APP>-greeter`: the ECR repository of the service image, the ALB (HTTPS listener with a
//!   modern TLS policy), a gRPC target group of IP targets with gRPC health checks, the
//!   `/helloworld.Greeter/*` route, and a regional WAF on the ALB.
//!
//! The greeter stack uses the network stack's VPC and bucket directly: formwork makes the
//! outputs, reads them with `Fn::GetStackOutput` and deploys the network stack first.
//!
//! Edit it, then `cargo test` (snapshots: `cargo insta review`), `cargo run -- synth -o out`,
//! `cargo run -- diff main-out out`, `cargo run -- deploy out`.

use formwork::constructs::acm::Certificate;
use formwork::constructs::core::{App, Env, Error, Output};
use formwork::constructs::ec2::{
    self, EgressRule, Peer, SecurityGroup, SecurityGroupProps, Vpc, VpcProps,
};
use formwork::constructs::ecr::{Repository, RepositoryProps};
use formwork::constructs::elbv2::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, GrpcRoute, GrpcTargetGroup,
    GrpcTargetGroupProps, HttpsListener, HttpsListenerProps,
};
use formwork::constructs::s3::{AlbLogPrincipal, Bucket, BucketProps};
use formwork::constructs::wafv2::{WebAcl, WebAclProps};

/// The app's name: the prefix of its stack names.
pub const APP: &str = "example";

/// Where the stacks deploy.
pub const REGION: &str = "eu-west-1";

/// The ACM certificate of your gRPC host name, in [`REGION`]. Replace it with yours.
pub const CERTIFICATE_ARN: &str =
    "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000";

/// The gRPC service's port in its pods (h2c: plaintext HTTP/2 behind the ALB).
pub const GRPC_PORT: u16 = 50051;

/// Adds the stacks of the app to `app` (what `main` hands to `formwork::run`).
pub fn compose(app: &mut App) -> Result<(), Error> {
    stacks(app, APP)
}

/// Adds the stacks, named `<name>-network` and `<name>-greeter`, to `app`.
pub fn stacks(app: &mut App, name: &str) -> Result<(), Error> {
    let net = app.add_stack(format!("{name}-network"), Env::region(REGION))?;
    let mut root = net.root();
    let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default())?;
    let logs = Bucket::new(&mut root, "AccessLogs", BucketProps::default())?;
    logs.allow_alb_access_logs(&mut root, "greeter", AlbLogPrincipal::ServicePrincipal)?;

    let svc = app.add_stack(format!("{name}-greeter"), Env::region(REGION))?;
    let mut root = svc.root();
    let repo = Repository::new(&mut root, "Greeter", RepositoryProps::default())?;
    let sg = SecurityGroup::new(
        &mut root,
        "AlbSecurityGroup",
        &vpc.id,
        "gRPC ALB: HTTPS from clients",
        SecurityGroupProps {
            egress: vec![EgressRule {
                cidr: vpc.cidr.to_string(),
                from_port: GRPC_PORT,
                to_port: GRPC_PORT,
                description: format!("gRPC to the service on {GRPC_PORT}"),
            }],
            restrict_egress: true,
        },
    )?;
    ec2::allow_ingress(
        &mut root,
        "AlbHttpsIngress",
        &sg,
        Peer::Cidr("0.0.0.0/0".into()),
        443,
        443,
        "HTTPS (gRPC over HTTP/2) from clients",
    )?;
    let alb = ApplicationLoadBalancer::new(
        &mut root,
        "Alb",
        &vpc,
        &sg,
        ApplicationLoadBalancerProps {
            access_logs_bucket: Some(logs.name.clone()),
            access_logs_prefix: "greeter".into(),
            ..ApplicationLoadBalancerProps::default()
        },
    )?;
    let https = HttpsListener::new(
        &mut root,
        "Https",
        &alb,
        &Certificate::import(CERTIFICATE_ARN)?,
        HttpsListenerProps::default(),
    )?;
    let tg = GrpcTargetGroup::new(
        &mut root,
        "GreeterTargetGroup",
        &vpc.id,
        GRPC_PORT,
        GrpcTargetGroupProps::default(),
    )?;
    GrpcRoute::new(
        &mut root,
        "GreeterRoute",
        &https,
        10,
        &["helloworld.Greeter".to_owned()],
        &tg,
        &[],
    )?;
    WebAcl::for_alb(&mut root, "Waf", &alb.arn, WebAclProps::default())?;
    svc.add_output(
        "GreeterRepositoryUri",
        Output::new(repo.uri.clone(), "Push the greeter image here"),
    )?;
    svc.add_output(
        "GreeterTargetGroupArn",
        Output::new(
            tg.arn.clone(),
            "Register the greeter pods here (TargetGroupBinding)",
        ),
    )?;
    svc.add_output(
        "AlbDnsName",
        Output::new(
            alb.dns_name.clone(),
            "Point your gRPC host name (CNAME) at it",
        ),
    )?;
    Ok(())
}
