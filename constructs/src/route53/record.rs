//! [`AliasRecord`]: `A` (and `AAAA`) alias records to a distribution or a load balancer.

use crate::cloudfront::DistributionHandle;
use crate::core::{Error, ResourceRef, Scope, Val};
use crate::elbv2::LoadBalancerHandle;
use crate::l1::route53::record_set as l1;

use super::HostedZone;

/// The hosted zone id of every CloudFront distribution's domain name, the `HostedZoneId` of an
/// alias target that is a distribution.
pub const CLOUDFRONT_HOSTED_ZONE_ID: &str = "Z2FDTNDATAQYW2";

/// Where an alias record points.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasTarget {
    /// The target's DNS name.
    pub dns_name: Val<String>,
    /// The target's hosted zone id.
    pub hosted_zone_id: Val<String>,
    /// Whether the target serves IPv6 too: then an `AAAA` record is added beside the `A` one.
    pub ipv6: bool,
}

impl AliasTarget {
    /// A CloudFront distribution (formwork's distributions have IPv6 enabled).
    pub fn distribution(d: &DistributionHandle) -> AliasTarget {
        AliasTarget {
            dns_name: Val::from(&d.domain_name),
            hosted_zone_id: Val::from(CLOUDFRONT_HOSTED_ZONE_ID),
            ipv6: true,
        }
    }

    /// An IPv4 load balancer: an `A` record only (an `AAAA` alias to a load balancer answers
    /// only when it is `dualstack`).
    pub fn load_balancer(lb: &LoadBalancerHandle) -> AliasTarget {
        AliasTarget {
            dns_name: Val::from(&lb.dns_name),
            hosted_zone_id: Val::from(&lb.canonical_hosted_zone_id),
            ipv6: false,
        }
    }
}

/// What [`AliasRecord::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasRecordHandle {
    /// The `A` record.
    pub a: ResourceRef<l1::RecordSet>,
    /// The `AAAA` record, for IPv6 targets.
    pub aaaa: Option<ResourceRef<l1::RecordSet>>,
}

/// Alias records for a name in a zone you own: `scope/id/A` and, for an IPv6 target,
/// `scope/id/AAAA`. Alias records answer with the target's current addresses, cost nothing per
/// query and, unlike a CNAME, also work at the zone apex.
///
/// CloudFormation: [`AWS::Route53::RecordSet`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-route53-recordset.html).
///
/// ```
/// use formwork_constructs::core::{Env, Expr, Stack, Val};
/// use formwork_constructs::route53::{AliasRecord, AliasTarget, HostedZone};
/// let mut stack = Stack::new("Dns", Env::region("eu-west-1")).unwrap();
/// let zone = HostedZone::import("Z0123456789ABCDEFGHIJ", "example.com").unwrap();
/// let target = AliasTarget {
///     dns_name: Val::from("d111111abcdef8.cloudfront.net"),
///     hosted_zone_id: Val::from("Z2FDTNDATAQYW2"),
///     ipv6: true,
/// };
/// let r = AliasRecord::new(&mut stack.root(), "Api", &zone, "api.example.com", &target).unwrap();
/// assert!(r.aaaa.is_some());
/// assert!(AliasRecord::new(&mut stack.root(), "Other", &zone, "api.example.org", &target).is_err());
/// ```
pub struct AliasRecord;

impl AliasRecord {
    /// Adds the records for `name` (which must be in `zone`).
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        zone: &HostedZone,
        name: &str,
        target: &AliasTarget,
    ) -> Result<AliasRecordHandle, Error> {
        let mut s = scope.child(id)?;
        if !zone.contains(name) {
            return Err(s.error(format!(
                "`{name}` is not in the hosted zone {} ({}): a zone can only hold names that end in .{}",
                zone.name, zone.id, zone.name
            )));
        }
        let record = |s: &mut Scope<'_>, t: &str| {
            let mut r = l1::RecordSet::new(name.to_owned(), t.to_owned());
            r.hosted_zone_id = Some(zone.id.clone().into());
            r.alias_target = Some(
                l1::AliasTarget {
                    dns_name: target.dns_name.clone(),
                    evaluate_target_health: Some(false.into()),
                    hosted_zone_id: target.hosted_zone_id.clone(),
                }
                .into(),
            );
            s.add(t, r)
        };
        let a = record(&mut s, "A")?;
        let aaaa = if target.ipv6 {
            Some(record(&mut s, "AAAA")?)
        } else {
            None
        };
        Ok(AliasRecordHandle { a, aaaa })
    }
}
