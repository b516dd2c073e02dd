// A repository where the listener's certificate goes: refused by the types.
use formwork_constructs::core::{Env, Stack};
use formwork_constructs::ec2::{SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
use formwork_constructs::ecr::{Repository, RepositoryProps};
use formwork_constructs::elbv2::{ApplicationLoadBalancer, HttpsListener};

fn main() {
    let mut stack = Stack::new("s", Env::region("eu-west-1")).unwrap();
    let mut root = stack.root();
    let vpc = Vpc::new(&mut root, "Vpc", VpcProps::default()).unwrap();
    let sg = SecurityGroup::new(&mut root, "Sg", &vpc.id, "alb", SecurityGroupProps::default()).unwrap();
    let alb = ApplicationLoadBalancer::new(&mut root, "Alb", &vpc, &sg, Default::default()).unwrap();
    let repo = Repository::new(&mut root, "Repo", RepositoryProps::default()).unwrap();
    HttpsListener::new(&mut root, "Https", &alb, &repo.arn, Default::default()).unwrap();
}
