//! [`Vpc`]: a VPC with public and private subnets over 2–3 AZs, an internet gateway, NAT
//! gateways and routes; subnet CIDRs are computed at synth time from one VPC CIDR.

use crate::core::{Attr, Error, Expr, ResourceRef, Scope, Val, list};
use crate::l1::ec2 as l1;

use super::cidr::Ipv4Cidr;

/// Optional settings of a [`Vpc`].
#[derive(Debug, Clone, PartialEq)]
pub struct VpcProps {
    /// VPC CIDR, /16 to /22. Private subnets get `/(n+2)` each (a quarter of the VPC, room for
    /// pod IPs with the VPC CNI); public subnets get `/(n+6)` each from the last quarter.
    /// Default: `10.0.0.0/16`.
    pub cidr: Ipv4Cidr,
    /// Availability Zones, 2 or 3, picked with `Fn::GetAZs` so the template stays
    /// Region-agnostic. Default: 2.
    pub azs: u8,
    /// NAT gateways, 0..=azs; private subnets route to them round-robin. Default: 1.
    pub nat_gateways: u8,
    /// Tag public subnets `kubernetes.io/role/elb` and private ones
    /// `kubernetes.io/role/internal-elb` for load-balancer discovery. Default: true.
    pub kubernetes_subnet_tags: bool,
}

impl Default for VpcProps {
    fn default() -> Self {
        VpcProps {
            cidr: Ipv4Cidr::new(std::net::Ipv4Addr::new(10, 0, 0, 0), 16)
                .expect("10.0.0.0/16 is a valid block"),
            azs: 2,
            nat_gateways: 1,
            kubernetes_subnet_tags: true,
        }
    }
}

/// Marker for a VPC id.
pub enum VpcId {}
/// Marker for a subnet id.
pub enum SubnetId {}

/// A subnet of a [`VpcHandle`].
#[derive(Debug, Clone, PartialEq)]
pub struct SubnetHandle {
    /// `Ref` of the subnet.
    pub id: Attr<SubnetId>,
    /// Its CIDR, known at synth time (`None` for an imported subnet).
    pub cidr: Option<Ipv4Cidr>,
    /// Its AZ as an expression (`Fn::Select [i, Fn::GetAZs ""]`; `None` for an imported one).
    pub az: Option<Expr>,
    /// Its route table (`None` for an imported subnet).
    pub route_table: Option<ResourceRef<l1::route_table::RouteTable>>,
}

/// What [`Vpc::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct VpcHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`); `None` when imported.
    pub resource: Option<crate::core::ResourceRef<l1::vpc::Vpc>>,
    /// `Ref` of the VPC (its id).
    pub id: Attr<VpcId>,
    /// The VPC CIDR.
    pub cidr: Ipv4Cidr,
    /// Public subnets, one per AZ.
    pub public_subnets: Vec<SubnetHandle>,
    /// Private subnets, one per AZ.
    pub private_subnets: Vec<SubnetHandle>,
    /// The internet gateway attachment (things that need public routing depend on it); `None`
    /// for an imported VPC, whose routing exists already.
    pub gateway_attachment: Option<ResourceRef<l1::vpc_gateway_attachment::VpcGatewayAttachment>>,
}

/// An existing VPC, for [`Vpc::import`].
#[derive(Debug, Clone, PartialEq)]
pub struct VpcImport {
    /// `vpc-…`.
    pub vpc_id: String,
    /// Its CIDR (security-group rules to the pods use it).
    pub cidr: Ipv4Cidr,
    /// Public subnets (`subnet-…`, one per AZ): internet-facing load balancers go here.
    pub public_subnet_ids: Vec<String>,
    /// Private subnets (`subnet-…`, one per AZ): nodes, pods and internal load balancers.
    pub private_subnet_ids: Vec<String>,
}

crate::l1_handle!(imported VpcHandle, l1::vpc::Vpc);

impl VpcHandle {
    /// Public subnet ids as a list value.
    pub fn public_subnet_ids(&self) -> Val<Vec<Val<String>>> {
        list(self.public_subnets.iter().map(|s| Val::from(&s.id)))
    }

    /// Private subnet ids as a list value.
    pub fn private_subnet_ids(&self) -> Val<Vec<Val<String>>> {
        list(self.private_subnets.iter().map(|s| Val::from(&s.id)))
    }
}

impl Vpc {
    /// An existing VPC and its subnets, usable wherever a created one is (load balancers,
    /// security groups, target groups, EKS). Creates nothing. At least two subnets of each kind
    /// are needed by an ALB and by EKS.
    pub fn import(i: VpcImport) -> Result<VpcHandle, Error> {
        use super::security_group::check_aws_id;
        check_aws_id(&i.vpc_id, "vpc", "VPC")?;
        let subnets = |ids: &[String], kind: &str| -> Result<Vec<SubnetHandle>, Error> {
            if ids.len() < 2 {
                return Err(Error::Construct {
                    path: format!("import VPC {}", i.vpc_id),
                    message: format!(
                        "{} {kind} subnet(s); an ALB and EKS need at least two, in different AZs",
                        ids.len()
                    ),
                });
            }
            ids.iter()
                .map(|id| {
                    check_aws_id(id, "subnet", "subnet")?;
                    Ok(SubnetHandle {
                        id: Attr::new(Expr::str(id.clone())),
                        cidr: None,
                        az: None,
                        route_table: None,
                    })
                })
                .collect()
        };
        Ok(VpcHandle {
            resource: None,
            id: Attr::new(Expr::str(i.vpc_id.clone())),
            cidr: i.cidr,
            public_subnets: subnets(&i.public_subnet_ids, "public")?,
            private_subnets: subnets(&i.private_subnet_ids, "private")?,
            gateway_attachment: None,
        })
    }
}

/// A VPC laid out for EKS and an internet-facing ALB.
///
/// CloudFormation: [`AWS::EC2::VPC`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-vpc.html)
/// plus subnets, route tables, an internet gateway, EIPs and NAT gateways.
///
/// ```
/// use formwork_constructs::core::{Env, Stack};
/// use formwork_constructs::ec2::{Vpc, VpcProps};
/// let mut stack = Stack::new("Net", Env::region("eu-west-1")).unwrap();
/// let vpc = Vpc::new(&mut stack.root(), "Vpc", VpcProps::default()).unwrap();
/// assert_eq!(vpc.private_subnets[1].cidr.unwrap().to_string(), "10.0.64.0/18");
/// assert_eq!(vpc.public_subnets[0].cidr.unwrap().to_string(), "10.0.192.0/22");
/// ```
pub struct Vpc;

impl Vpc {
    /// Adds the VPC and its subnets, gateways and routes under `scope/id`.
    pub fn new(scope: &mut Scope<'_>, id: &str, props: VpcProps) -> Result<VpcHandle, Error> {
        let mut s = scope.child(id)?;
        if !(2..=3).contains(&props.azs) {
            return Err(s.error(format!(
                "azs is {}; use 2 or 3 Availability Zones",
                props.azs
            )));
        }
        if props.nat_gateways > props.azs {
            return Err(s.error(format!(
                "nat_gateways is {} for {} AZs; use at most one NAT gateway per AZ",
                props.nat_gateways, props.azs
            )));
        }
        let p = props.cidr.prefix();
        if !(16..=22).contains(&p) {
            return Err(s.error(format!(
                "cidr {} has prefix /{p}; use /16 to /22 so that every subnet fits",
                props.cidr
            )));
        }
        let vpc = s.add(
            "Resource",
            l1::vpc::Vpc {
                cidr_block: Some(props.cidr.to_string().into()),
                enable_dns_hostnames: Some(true.into()),
                enable_dns_support: Some(true.into()),
                ..Default::default()
            },
        )?;
        let vpc_id: Attr<VpcId> = vpc.ref_().cast();
        let igw = s.add(
            "InternetGateway",
            l1::internet_gateway::InternetGateway::default(),
        )?;
        let attach = s.add(
            "GatewayAttachment",
            l1::vpc_gateway_attachment::VpcGatewayAttachment {
                internet_gateway_id: Some(Val::from(igw.ref_())),
                ..l1::vpc_gateway_attachment::VpcGatewayAttachment::new(&vpc_id)
            },
        )?;

        let private_block = |i: u32| props.cidr.subnet(p + 2, i);
        let public_block = |i: u32| private_block(3).and_then(|q| q.subnet(p + 6, i));

        let mut public_subnets = Vec::new();
        let mut nats: Vec<ResourceRef<l1::nat_gateway::NatGateway>> = Vec::new();
        for i in 0..u32::from(props.azs) {
            let n = i + 1;
            let az = Expr::select(i, Expr::azs());
            let cidr = public_block(i)
                .ok_or_else(|| s.error("public subnet does not fit the VPC CIDR"))?;
            let (sub, rt) = subnet(
                &mut s,
                &format!("PublicSubnet{n}"),
                &vpc_id,
                cidr,
                az,
                true,
                props.kubernetes_subnet_tags,
            )?;

            let route = s.add(
                &format!("PublicSubnet{n}DefaultRoute"),
                l1::route::Route {
                    destination_cidr_block: Some("0.0.0.0/0".into()),
                    gateway_id: Some(Val::from(igw.ref_())),
                    ..l1::route::Route::new(rt.ref_())
                },
            )?;
            s.entry_mut(&route).add_depends_on(attach.logical_id());
            if i < u32::from(props.nat_gateways) {
                let eip = s.add(
                    &format!("PublicSubnet{n}NatEip"),
                    l1::eip::Eip {
                        domain: Some("vpc".into()),
                        ..Default::default()
                    },
                )?;
                s.entry_mut(&eip).add_depends_on(attach.logical_id());
                let nat = s.add(
                    &format!("PublicSubnet{n}NatGateway"),
                    l1::nat_gateway::NatGateway {
                        allocation_id: Some(Val::from(eip.attr_allocation_id())),
                        subnet_id: Some(Val::from(&sub.id)),
                        ..Default::default()
                    },
                )?;
                nats.push(nat);
            }
            public_subnets.push(sub);
        }

        let mut private_subnets = Vec::new();
        for i in 0..u32::from(props.azs) {
            let n = i + 1;
            let az = Expr::select(i, Expr::azs());
            let cidr = private_block(i)
                .ok_or_else(|| s.error("private subnet does not fit the VPC CIDR"))?;
            let (sub, rt) = subnet(
                &mut s,
                &format!("PrivateSubnet{n}"),
                &vpc_id,
                cidr,
                az,
                false,
                props.kubernetes_subnet_tags,
            )?;
            if !nats.is_empty() {
                let nat = &nats[(i as usize) % nats.len()];
                s.add(
                    &format!("PrivateSubnet{n}DefaultRoute"),
                    l1::route::Route {
                        destination_cidr_block: Some("0.0.0.0/0".into()),
                        nat_gateway_id: Some(nat.ref_().into()),
                        ..l1::route::Route::new(rt.ref_())
                    },
                )?;
            }
            private_subnets.push(sub);
        }

        Ok(VpcHandle {
            resource: Some(vpc.clone()),
            id: vpc_id,
            cidr: props.cidr,
            public_subnets,
            private_subnets,
            gateway_attachment: Some(attach.clone()),
        })
    }
}

fn subnet(
    s: &mut Scope<'_>,
    id: &str,
    vpc_id: &Attr<VpcId>,
    cidr: Ipv4Cidr,
    az: Expr,
    public: bool,
    k8s_tags: bool,
) -> Result<(SubnetHandle, ResourceRef<l1::route_table::RouteTable>), Error> {
    let mut tags = vec![l1::subnet::Tag::new(
        "Name",
        Expr::sub(format!("${{AWS::StackName}}-{}", id.to_ascii_lowercase())),
    )];
    if k8s_tags {
        let role = if public {
            "kubernetes.io/role/elb"
        } else {
            "kubernetes.io/role/internal-elb"
        };
        tags.push(l1::subnet::Tag::new(role, "1"));
    }
    let sub = s.add(
        id,
        l1::subnet::Subnet {
            cidr_block: Some(cidr.to_string().into()),
            availability_zone: Some(az.clone().into()),
            map_public_ip_on_launch: Some(false.into()),
            tags: Some(list(tags)),
            ..l1::subnet::Subnet::new(vpc_id)
        },
    )?;
    let rt = s.add(
        &format!("{id}RouteTable"),
        l1::route_table::RouteTable::new(vpc_id),
    )?;
    s.add(
        &format!("{id}RouteTableAssociation"),
        l1::subnet_route_table_association::SubnetRouteTableAssociation::new(rt.ref_(), sub.ref_()),
    )?;
    let handle = SubnetHandle {
        id: sub.ref_().cast(),
        cidr: Some(cidr),
        az: Some(az),
        route_table: Some(rt.clone()),
    };
    Ok((handle, rt))
}
