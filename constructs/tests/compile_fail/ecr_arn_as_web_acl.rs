// An ECR repository's ARN where a web ACL goes: refused by the types.
use formwork_constructs::core::{Env, Stack};
use formwork_constructs::ecr::{Repository, RepositoryProps};
use formwork_constructs::elbv2::LoadBalancerArn;
use formwork_constructs::core::Attr;
use formwork_constructs::wafv2::associate;

fn main() {
    let mut stack = Stack::new("s", Env::region("eu-west-1")).unwrap();
    let mut root = stack.root();
    let repo = Repository::new(&mut root, "Repo", RepositoryProps::default()).unwrap();
    let alb: Attr<LoadBalancerArn> = Attr::new("arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1".into());
    associate(&mut root, "Waf", &alb, &repo.arn).unwrap();
}
