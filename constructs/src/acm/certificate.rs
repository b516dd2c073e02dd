//! [`Certificate`]: an ACM certificate, imported by ARN.

use crate::core::arn::Arn;
use crate::core::{Attr, Error, Expr, Scope};
use crate::l1::acm::certificate as l1;

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
