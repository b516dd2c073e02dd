//! EC2 networking: [`Vpc`], [`SecurityGroup`], CIDR arithmetic.
//!
//! ```
//! use formwork_constructs::core::{Env, Stack};
//! use formwork_constructs::ec2::{Vpc, VpcProps};
//! let mut stack = Stack::new("Network", Env::region("eu-west-1")).unwrap();
//! let vpc = Vpc::new(&mut stack.root(), "Vpc", VpcProps { azs: 3, ..VpcProps::default() }).unwrap();
//! assert_eq!(vpc.private_subnets.len(), 3);
//! ```

mod cidr;
mod security_group;
mod vpc;

pub use cidr::Ipv4Cidr;
pub use security_group::{
    EgressRule, Peer, PrefixListId, SecurityGroup, SecurityGroupHandle, SecurityGroupId,
    SecurityGroupProps, allow_ingress, prefix_list_parameter,
};
pub use vpc::{SubnetHandle, SubnetId, Vpc, VpcHandle, VpcId, VpcImport, VpcProps};
