//! The hostnames of each service stack — given in the config or derived from `dns:` — in one
//! place that the checks, the stacks and the runbook read; and, with `dns:`, the certificates
//! and alias records for them.

use formwork_constructs::acm::{Certificate, CertificateHandle};
use formwork_constructs::cloudfront::DistributionHandle;
use formwork_constructs::core::{Error, Scope};
use formwork_constructs::elbv2::LoadBalancerHandle;
use formwork_constructs::route53::{AliasRecord, AliasTarget, HostedZone};

use super::config::EksConfig;
use crate::dns::stack_name_in_zone;

/// The names service stack `n` serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct StackNames {
    /// The name on the ALB's certificate that points at the ALB: CloudFront's origin
    /// (`grpc-eks-edge`) or the name clients call (`grpc-eks-alb`). `None` when neither the config
    /// nor `dns:` gives one (`grpc-eks-alb` without `dns:`: the operator picks it).
    pub alb: Option<String>,
    /// The names clients call on the distribution (`grpc-eks-edge`).
    pub aliases: Vec<String>,
}

/// The names of service stack `n` (1-based). `zone` is the zone of `dns:`, when given.
pub(super) fn stack_names(cfg: &EksConfig, zone: Option<&HostedZone>, n: usize) -> StackNames {
    let no = n.to_string();
    let derived = |base: &str| zone.map(|z| stack_name_in_zone(base, n, z));
    match &cfg.edge {
        Some(e) => StackNames {
            alb: match &e.origin_domain {
                Some(d) => Some(d.replace("{n}", &no)),
                None => derived(&format!("{}-origin", cfg.name)),
            },
            aliases: if !e.aliases.is_empty() {
                e.aliases.iter().map(|a| a.replace("{n}", &no)).collect()
            } else if e.certificate_arn.is_none() {
                derived(&cfg.name).into_iter().collect()
            } else {
                Vec::new()
            },
        },
        None => StackNames {
            alb: derived(&cfg.name),
            aliases: Vec::new(),
        },
    }
}

/// The ALB's certificate: the configured ARN, or with `dns:` one requested for the ALB's name.
pub(super) fn alb_certificate(
    scope: &mut Scope<'_>,
    cfg: &EksConfig,
    zone: Option<&HostedZone>,
    names: &StackNames,
) -> Result<CertificateHandle, Error> {
    match (&cfg.certificate_arn, zone, &names.alb) {
        (Some(arn), _, _) => Certificate::import(arn),
        (None, Some(z), Some(host)) => {
            Certificate::dns_validated(scope, "AlbCertificate", z, host, &[])
        }
        _ => Err(scope.error(
            "the ALB needs `certificate_arn` or a `dns:` section to request one".to_owned(),
        )),
    }
}

/// With `dns:` and no `edge.certificate_arn`: the viewer certificate for `names.aliases`, in
/// `scope`'s stack (which must be in us-east-1). `None` when there is nothing to request.
pub(super) fn viewer_certificate(
    scope: &mut Scope<'_>,
    id: &str,
    cfg: &EksConfig,
    zone: Option<&HostedZone>,
    names: &StackNames,
) -> Result<Option<CertificateHandle>, Error> {
    let own = cfg
        .edge
        .as_ref()
        .is_some_and(|e| e.certificate_arn.is_some());
    match (zone, names.aliases.split_first()) {
        (Some(z), Some((first, rest))) if !own => {
            Certificate::dns_validated(scope, id, z, first, rest).map(Some)
        }
        _ => Ok(None),
    }
}

/// With `dns:`: the alias records of a service stack — the ALB's name → the ALB (A; the ALB is
/// IPv4), each alias → the distribution (A and AAAA).
pub(super) fn records(
    scope: &mut Scope<'_>,
    zone: Option<&HostedZone>,
    names: &StackNames,
    alb: &LoadBalancerHandle,
    distribution: Option<&DistributionHandle>,
) -> Result<(), Error> {
    let Some(z) = zone else {
        return Ok(());
    };
    if let Some(host) = &names.alb {
        AliasRecord::new(scope, "AlbDns", z, host, &AliasTarget::load_balancer(alb))?;
    }
    if let Some(d) = distribution {
        for (i, a) in names.aliases.iter().enumerate() {
            let id = format!("AliasDns{}", i + 1);
            AliasRecord::new(scope, &id, z, a, &AliasTarget::distribution(d))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(yaml: &str) -> EksConfig {
        let v: serde_json::Value = serde_yaml::from_str(yaml).unwrap();
        serde_json::from_value(v).unwrap()
    }

    const BASE: &str = "name: shop\nregion: eu-west-1\nservices: [{name: a, grpc_services: [a.A], image_tag: '1'}]\n";

    #[test]
    fn dns_derives_every_name_and_config_names_win() {
        let z = HostedZone::import("Z1", "example.com").unwrap();
        let edge = cfg(&format!("blueprint: grpc-eks-edge\n{BASE}edge: {{}}\n"));
        let n1 = stack_names(&edge, Some(&z), 1);
        assert_eq!(n1.alb.as_deref(), Some("shop-origin.example.com"));
        assert_eq!(n1.aliases, ["shop.example.com"]);
        let n2 = stack_names(&edge, Some(&z), 2);
        assert_eq!(n2.alb.as_deref(), Some("shop-origin-2.example.com"));
        assert_eq!(n2.aliases, ["shop-2.example.com"]);
        let given = cfg(&format!(
            "blueprint: grpc-eks-edge\n{BASE}edge: {{origin_domain: 'o-{{n}}.example.com', aliases: ['api-{{n}}.example.com']}}\n"
        ));
        let g = stack_names(&given, Some(&z), 2);
        assert_eq!(g.alb.as_deref(), Some("o-2.example.com"));
        assert_eq!(g.aliases, ["api-2.example.com"]);
        // A viewer certificate of the user's own without aliases: no derived alias it may not cover.
        let own = cfg(&format!(
            "blueprint: grpc-eks-edge\n{BASE}edge: {{certificate_arn: 'arn:aws:acm:us-east-1:1:certificate/x'}}\n"
        ));
        assert!(stack_names(&own, Some(&z), 1).aliases.is_empty());
        let alb = cfg(&format!("blueprint: grpc-eks-alb\n{BASE}"));
        assert_eq!(
            stack_names(&alb, Some(&z), 1).alb.as_deref(),
            Some("shop.example.com")
        );
        assert_eq!(stack_names(&alb, None, 1).alb, None);
        assert_eq!(stack_names(&edge, None, 1).alb, None);
    }
}
