//! [`SecurityGroup`] and the rule resources that relate two groups.

use crate::core::{Attr, Error, Expr, Lookup, Parameter, Scope, Stack, Val};
use crate::l1::ec2 as l1;

use super::vpc::VpcId;

/// Marker for a security-group id.
pub enum SecurityGroupId {}

/// Optional settings of a [`SecurityGroup`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SecurityGroupProps {
    /// Egress rules. Default: none, which CloudFormation turns into "allow all egress"; set
    /// `restrict_egress` to replace that with an explicit rule set.
    pub egress: Vec<EgressRule>,
    /// When true and `egress` is empty, the group gets a single rule that matches nothing
    /// (CDK's trick: `255.255.255.255/32`, ICMP type 252), so it has no egress at all.
    /// Default: false.
    pub restrict_egress: bool,
}

/// An egress rule written inline in the group.
#[derive(Debug, Clone, PartialEq)]
pub struct EgressRule {
    /// Destination CIDR.
    pub cidr: String,
    /// First port.
    pub from_port: u16,
    /// Last port.
    pub to_port: u16,
    /// Shown in the console.
    pub description: String,
}

/// Marker for a managed prefix list id (`pl-…`).
pub enum PrefixListId {}

/// Adds (once per stack) parameter `id` (`p`, with a lookup added) for the id of the
/// AWS-managed prefix list `name` in the stack's Region: `formwork deploy` looks it up
/// (`aws ec2 describe-managed-prefix-lists`) unless the operator passes one or `p` has a
/// default. Returns a `Ref` to it.
pub fn prefix_list_parameter(
    stack: &mut Stack,
    id: &str,
    name: &str,
    mut p: Parameter,
) -> Result<Attr<PrefixListId>, Error> {
    if let Some(r) = stack.parameter_ref(id) {
        return Ok(r);
    }
    p.lookup = Some(Lookup::ManagedPrefixList {
        name: name.to_owned(),
    });
    stack.add_parameter(id, p)
}

/// What [`SecurityGroup::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityGroupHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`); `None` when imported.
    pub resource: Option<crate::core::ResourceRef<l1::security_group::SecurityGroup>>,
    /// `Fn::GetAtt GroupId`.
    pub id: Attr<SecurityGroupId>,
}

crate::l1_handle!(imported SecurityGroupHandle, l1::security_group::SecurityGroup);

/// A VPC security group.
///
/// CloudFormation: [`AWS::EC2::SecurityGroup`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html).
/// Ingress is added with [`allow_ingress`] as separate `AWS::EC2::SecurityGroupIngress`
/// resources, so that relationships never rewrite another construct's resource.
pub struct SecurityGroup;

impl SecurityGroup {
    /// An existing security group, by id (`sg-…`), to add ingress rules to or to name as a
    /// peer. Creates nothing.
    pub fn import(id: &str) -> Result<SecurityGroupHandle, Error> {
        check_aws_id(id, "sg", "security group")?;
        Ok(SecurityGroupHandle {
            resource: None,
            id: Attr::new(Expr::str(id)),
        })
    }

    /// Adds a security group as `scope/id`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        vpc_id: &Attr<VpcId>,
        description: &str,
        props: SecurityGroupProps,
    ) -> Result<SecurityGroupHandle, Error> {
        let mut s = scope.child(id)?;
        if description.is_empty() || description.len() > 255 {
            return Err(s.error("a security group description is 1–255 characters"));
        }
        let mut egress: Vec<Val<l1::security_group::Egress>> = props
            .egress
            .iter()
            .map(|r| {
                l1::security_group::Egress {
                    cidr_ip: Some(r.cidr.clone().into()),
                    from_port: Some(i64::from(r.from_port).into()),
                    to_port: Some(i64::from(r.to_port).into()),
                    description: Some(r.description.clone().into()),
                    ..l1::security_group::Egress::new("tcp")
                }
                .into()
            })
            .collect();
        if egress.is_empty() && props.restrict_egress {
            egress.push(
                l1::security_group::Egress {
                    cidr_ip: Some("255.255.255.255/32".into()),
                    from_port: Some(252.into()),
                    to_port: Some(86.into()),
                    description: Some("Disallow all traffic".into()),
                    ..l1::security_group::Egress::new("icmp")
                }
                .into(),
            );
        }
        let sg = s.add(
            "Resource",
            l1::security_group::SecurityGroup {
                vpc_id: Some(vpc_id.into()),
                security_group_egress: if egress.is_empty() {
                    None
                } else {
                    Some(Val::Lit(egress))
                },
                ..l1::security_group::SecurityGroup::new(description)
            },
        )?;
        Ok(SecurityGroupHandle {
            resource: Some(sg.clone()),
            id: sg.attr_group_id().cast(),
        })
    }
}

/// Where ingress comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Peer {
    /// An IPv4 CIDR.
    Cidr(String),
    /// Another security group.
    SecurityGroup(Attr<SecurityGroupId>),
    /// A managed prefix list (e.g. CloudFront's origin-facing list), usually a parameter that
    /// `formwork deploy` looks up ([`prefix_list_parameter`]).
    PrefixList(Attr<PrefixListId>),
}

/// Adds an `AWS::EC2::SecurityGroupIngress` as `scope/id`: TCP `from_port..=to_port` into
/// `group` from `peer`.
pub fn allow_ingress(
    scope: &mut Scope<'_>,
    id: &str,
    group: &SecurityGroupHandle,
    peer: Peer,
    from_port: u16,
    to_port: u16,
    description: &str,
) -> Result<String, Error> {
    if from_port > to_port {
        return Err(scope.error(format!(
            "ingress `{id}`: from_port {from_port} is above to_port {to_port}"
        )));
    }
    let mut r = l1::security_group_ingress::SecurityGroupIngress {
        group_id: Some((&group.id).into()),
        from_port: Some(i64::from(from_port).into()),
        to_port: Some(i64::from(to_port).into()),
        description: Some(description.into()),
        ..l1::security_group_ingress::SecurityGroupIngress::new("tcp")
    };
    match peer {
        Peer::Cidr(c) => r.cidr_ip = Some(c.into()),
        Peer::SecurityGroup(g) => r.source_security_group_id = Some(g.into()),
        Peer::PrefixList(p) => r.source_prefix_list_id = Some(p.into()),
    }
    let added = scope.add(id, r)?;
    Ok(added.logical_id().to_owned())
}

/// Checks an EC2 id such as `sg-0123456789abcdef0` (`prefix-` and 8 or 17 hex digits).
pub(crate) fn check_aws_id(id: &str, prefix: &str, what: &str) -> Result<(), Error> {
    let hex = id.strip_prefix(prefix).and_then(|r| r.strip_prefix('-'));
    let ok = hex.is_some_and(|h| {
        (h.len() == 8 || h.len() == 17)
            && h.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Construct {
            path: format!("import {what}"),
            message: format!("`{id}` is not a {what} id such as {prefix}-0123456789abcdef0"),
        })
    }
}
