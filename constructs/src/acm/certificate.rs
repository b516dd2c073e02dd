//! [`Certificate`]: an ACM certificate, imported by ARN or requested with DNS validation.

use crate::core::arn::Arn;
use crate::core::{Attr, Error, Expr, Scope, Val, list};
use crate::l1::acm::certificate as l1;
use crate::route53::{HostedZone, valid_hostname};

/// Marker for an ACM certificate ARN.
pub enum CertificateArn {}

/// An ACM certificate a listener or a distribution uses.
#[derive(Debug, Clone, PartialEq)]
pub struct CertificateHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`); `None` when imported.
    pub resource: Option<crate::core::ResourceRef<l1::Certificate>>,
    /// The certificate's ARN.
    pub arn: Attr<CertificateArn>,
    /// Its Region, when known at synth (an imported ARN names it): an ALB needs a certificate of
    /// its own Region, CloudFront one of `us-east-1`.
    pub region: Option<String>,
}

crate::l1_handle!(imported CertificateHandle, l1::Certificate);

/// ACM certificates.
///
/// CloudFormation: [`AWS::CertificateManager::Certificate`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-certificatemanager-certificate.html).
pub struct Certificate;

impl Certificate {
    /// An existing certificate, by ARN (`arn:aws:acm:<region>:<account>:certificate/<id>`).
    /// Creates nothing.
    pub fn import(arn: &str) -> Result<CertificateHandle, Error> {
        let parsed = Arn::parse_of(arn, "acm", "certificate/").map_err(|m| Error::Construct {
            path: "acm::Certificate::import".to_owned(),
            message: m,
        })?;
        if parsed.region.is_empty() {
            return Err(Error::Construct {
                path: "acm::Certificate::import".to_owned(),
                message: format!("`{arn}` names no Region; ACM certificates are regional"),
            });
        }
        Ok(CertificateHandle {
            resource: None,
            arn: Attr::new(Expr::str(arn)),
            region: Some(parsed.region.to_owned()),
        })
    }
}

impl Certificate {
    /// Requests a public certificate for `domain_name` (and `alternative_names`) as `scope/id`,
    /// validated by DNS in `zone`: with `DomainValidationOptions[].HostedZoneId` ACM writes the
    /// validation CNAME into the zone itself and CloudFormation waits until the certificate is
    /// issued (minutes) before it creates what uses it. Every name must be in `zone`. The
    /// certificate is in the stack's Region: put CloudFront's in a `us-east-1` stack.
    ///
    /// ```
    /// use formwork_constructs::acm::Certificate;
    /// use formwork_constructs::core::{Env, Stack};
    /// use formwork_constructs::route53::HostedZone;
    /// let mut stack = Stack::new("Edge", Env::region("us-east-1")).unwrap();
    /// let zone = HostedZone::import("Z0123456789ABCDEFGHIJ", "example.com").unwrap();
    /// let cert = Certificate::dns_validated(&mut stack.root(), "Viewer", &zone, "api.example.com", &[]).unwrap();
    /// assert_eq!(cert.region.as_deref(), Some("us-east-1"));
    /// ```
    pub fn dns_validated(
        scope: &mut Scope<'_>,
        id: &str,
        zone: &HostedZone,
        domain_name: &str,
        alternative_names: &[String],
    ) -> Result<CertificateHandle, Error> {
        let mut s = scope.child(id)?;
        let names: Vec<&str> = std::iter::once(domain_name)
            .chain(alternative_names.iter().map(String::as_str))
            .collect();
        for n in &names {
            if !valid_hostname(n) {
                return Err(s.error(format!("`{n}` is not a DNS name")));
            }
            if !zone.contains(n) {
                return Err(s.error(format!(
                    "`{n}` is not in the hosted zone {} ({}), so ACM cannot validate it there: use a name that ends in .{}",
                    zone.name, zone.id, zone.name
                )));
            }
        }
        let mut c = l1::Certificate::new(domain_name.to_owned());
        c.validation_method = Some("DNS".into());
        c.domain_validation_options = Some(list(names.iter().map(|n| {
            Val::Lit(l1::DomainValidationOption {
                domain_name: Some((*n).to_owned().into()),
                hosted_zone_id: Some(zone.id.clone().into()),
                validation_domain: None,
            })
        })));
        if !alternative_names.is_empty() {
            c.subject_alternative_names = Some(list(alternative_names.iter().cloned()));
        }
        let region = s.region().map(str::to_owned);
        let r = s.add("Resource", c)?;
        Ok(CertificateHandle {
            arn: r.ref_().cast(),
            resource: Some(r),
            region,
        })
    }

    /// A certificate whose ARN is a value of the template, e.g. a parameter
    /// (`stack.add_parameter::<CertificateArn>(…)`); its Region is not known at synth.
    pub fn from_arn(arn: Attr<CertificateArn>) -> CertificateHandle {
        CertificateHandle {
            resource: None,
            arn,
            region: None,
        }
    }
}

impl CertificateHandle {
    /// An error unless the certificate can serve in `region` (when both are known). `what` names
    /// the user (`an HTTPS listener`, `a CloudFront distribution`) for the message.
    pub(crate) fn check_region(
        &self,
        scope: &Scope<'_>,
        region: Option<&str>,
        what: &str,
    ) -> Result<(), Error> {
        match (self.region.as_deref(), region) {
            (Some(have), Some(want)) if have != want => Err(scope.error(format!(
                "the certificate is in {have}, but {what} needs one in {want} (ACM certificates are regional): request or import one there"
            ))),
            _ => Ok(()),
        }
    }
}
