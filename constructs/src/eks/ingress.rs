//! [`allow_from_load_balancer`]: ALB → pod security-group rules on the gRPC port(s).

use crate::core::{Error, Scope};
use crate::ec2::{Peer, SecurityGroupHandle, allow_ingress};

use super::cluster::ClusterHandle;

/// Adds one `AWS::EC2::SecurityGroupIngress` per port, below `scope/id`, letting the load
/// balancer's security group reach pods (which use the cluster security group with the VPC
/// CNI) on `ports`. Returns the logical ids of the rules.
///
/// CloudFormation: [`AWS::EC2::SecurityGroupIngress`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroupingress.html).
pub fn allow_from_load_balancer(
    scope: &mut Scope<'_>,
    id: &str,
    cluster: &ClusterHandle,
    load_balancer_sg: &SecurityGroupHandle,
    ports: &[u16],
) -> Result<Vec<String>, Error> {
    let mut s = scope.child(id)?;
    if ports.is_empty() {
        return Err(s.error("give at least one target port"));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut ids = Vec::new();
    for &p in ports {
        if p == 0 || !seen.insert(p) {
            return Err(s.error(format!("port {p} is 0 or repeated")));
        }
        ids.push(allow_ingress(
            &mut s,
            &format!("Port{p}"),
            &cluster.security_group,
            Peer::SecurityGroup(load_balancer_sg.id.clone()),
            p,
            p,
            &format!("gRPC {p} from the load balancer to pods"),
        )?);
    }
    Ok(ids)
}
