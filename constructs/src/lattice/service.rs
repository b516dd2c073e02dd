//! [`Service`]: a VPC Lattice service.

use crate::core::{Attr, Error, Scope, Val};
use crate::l1::lattice::service as l1;

use super::service_network::{LatticeAuth, check_lattice_name};

/// Optional settings of a [`Service`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceProps {
    /// Name (3–63 lowercase letters, digits, hyphens). Default: generated.
    pub name: Option<String>,
    /// Default: [`LatticeAuth::AwsIam`].
    pub auth: LatticeAuth,
    /// A custom domain name and the ACM certificate (same Region) that covers it. Default: none
    /// (Lattice's generated name and managed certificate).
    pub custom_domain: Option<(String, Val<String>)>,
}

/// What [`Service::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::Service>,
    /// `Fn::GetAtt Id`.
    pub id: Attr<l1::attr::Id>,
    /// `Fn::GetAtt Arn`.
    pub arn: Attr<l1::attr::Arn>,
    /// `Fn::GetAtt DnsEntry.DomainName`: what gRPC clients dial.
    pub dns_name: Attr<l1::attr::DnsEntryDomainName>,
    /// The auth type.
    pub auth: LatticeAuth,
}

crate::l1_handle!(ServiceHandle, l1::Service);

/// A VPC Lattice service.
///
/// CloudFormation: [`AWS::VpcLattice::Service`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-vpclattice-service.html).
pub struct Service;

impl Service {
    /// Adds a service as `scope/id`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        props: ServiceProps,
    ) -> Result<ServiceHandle, Error> {
        let mut s = scope.child(id)?;
        if let Some(n) = &props.name {
            check_lattice_name(n).map_err(|m| s.error(m))?;
        }
        if let Some((d, _)) = &props.custom_domain
            && (d.len() < 3 || d.len() > 255 || !d.contains('.'))
        {
            return Err(s.error(format!("custom domain `{d}` is not a DNS name")));
        }
        let r = s.add(
            "Resource",
            l1::Service {
                name: props.name.clone().map(Val::from),
                auth_type: Some(
                    match props.auth {
                        LatticeAuth::AwsIam => l1::AuthType::AwsIam,
                        LatticeAuth::None => l1::AuthType::None,
                    }
                    .into(),
                ),
                custom_domain_name: props.custom_domain.as_ref().map(|(d, _)| d.clone().into()),
                certificate_arn: props.custom_domain.as_ref().map(|(_, c)| c.clone()),
                ..Default::default()
            },
        )?;
        Ok(ServiceHandle {
            resource: r.clone(),
            id: r.attr_id(),
            arn: r.attr_arn(),
            dns_name: r.attr_dns_entry_domain_name(),
            auth: props.auth,
        })
    }
}
