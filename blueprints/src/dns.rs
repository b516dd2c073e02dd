//! `dns:` — a Route 53 hosted zone the blueprints write their names into.
//!
//! With `dns:`, a blueprint needs no certificate ARN and no manual DNS step: it requests the
//! certificates it needs (the ALB's in the Region, CloudFront's in `us-east-1`), validated by DNS
//! in the zone (ACM writes the validation records; CloudFormation waits until each certificate is
//! issued), and creates alias records for every name it serves. Names not given in the config are
//! derived from the application name, one per service stack: the first stack's is
//! `<name>.<zone>`, the n-th's `<name>-<n>.<zone>` — so adding a stack never renames the first.

use formwork_constructs::acm::{Certificate, CertificateHandle};
use formwork_constructs::cloudfront::DistributionHandle;
use formwork_constructs::core::{Error, Scope};
use formwork_constructs::elbv2::LoadBalancerHandle;
use formwork_constructs::route53::{AliasRecord, AliasTarget, HostedZone};

use schemars::JsonSchema;
use serde::Deserialize;

use crate::config::ConfigError;
use crate::front::EdgeConfig;
use crate::front::compose::{ALB_DNS_OUTPUT, DISTRIBUTION_DOMAIN_OUTPUT};
use formwork_assembly::OutputRef;
use formwork_assembly::runbook::{DnsRecord, Endpoint, Host};

/// A Route 53 public hosted zone in the deploying account.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsConfig {
    /// The zone's id, e.g. `Z0123456789ABCDEFGHIJ` (`aws route53 list-hosted-zones-by-name
    /// --dns-name example.com` prints it), without `/hostedzone/`. The zone must be a public zone
    /// of the account you deploy to: ACM writes its validation records there.
    pub hosted_zone_id: String,
    /// The zone's domain name, e.g. `example.com`. Every name formwork creates ends in it.
    pub zone_name: String,
}

impl DnsConfig {
    /// The zone, or the config error at `ptr` (`/dns`) that says what to write.
    pub fn zone(&self, ptr: &str) -> Result<HostedZone, ConfigError> {
        HostedZone::import(&self.hosted_zone_id, &self.zone_name).map_err(|e| {
            let field = if e.to_string().contains("hosted zone id")
                || e.to_string().contains("/hostedzone/")
            {
                "hosted_zone_id"
            } else {
                "zone_name"
            };
            ConfigError::at(format!("{ptr}/{field}"), construct_message(&e))
        })
    }

    /// Semantic checks: a usable zone id and name.
    pub fn check(&self, ptr: &str, errs: &mut Vec<ConfigError>) -> Option<HostedZone> {
        match self.zone(ptr) {
            Ok(z) => Some(z),
            Err(e) => {
                errs.push(e);
                None
            }
        }
    }
}

fn construct_message(e: &formwork_constructs::core::Error) -> String {
    match e {
        formwork_constructs::core::Error::Construct { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// The ALB certificate of a config: `certificate_arn` must be an ACM certificate of `region`
/// (checked when `region` is known to exist), or, without it, `dns:` must be given (formwork then
/// requests one).
pub fn check_alb_certificate(
    arn: Option<&str>,
    dns: Option<&DnsConfig>,
    region: &str,
    region_ok: bool,
    errs: &mut Vec<ConfigError>,
) {
    match arn {
        Some(arn) => crate::common::check_arn(
            "/certificate_arn",
            arn,
            "acm",
            region_ok.then_some(region),
            "certificate/",
            errs,
        ),
        None if dns.is_none() => errs.push(ConfigError::at(
            "",
            format!(
                "the ALB needs a certificate: give `certificate_arn` (an ACM certificate in {region}) or a `dns:` section (hosted_zone_id, zone_name) and formwork requests one"
            ),
        )),
        None => {}
    }
}

/// The derived name of service stack `n` (1-based): `<base>.<zone>`, then `<base>-<n>.<zone>`.
pub fn stack_name_in_zone(base: &str, n: usize, zone: &HostedZone) -> String {
    if n <= 1 {
        format!("{base}.{}", zone.name)
    } else {
        format!("{base}-{n}.{}", zone.name)
    }
}

/// An error at `ptr` unless `name` is in `zone`: records and DNS-validated certificates can only
/// be made for names the zone holds.
pub fn check_in_zone(ptr: &str, name: &str, zone: &HostedZone, errs: &mut Vec<ConfigError>) {
    if !zone.contains(name) {
        errs.push(ConfigError::at(
            ptr,
            format!(
                "`{name}` is not in the hosted zone `{}` of `dns:`, so formwork cannot create its record or validate its certificate: use a name that ends in .{} (or leave it out for the default)",
                zone.name, zone.name
            ),
        ));
    }
}

/// The names service stack `n` serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackNames {
    /// The name on the ALB's certificate that points at the ALB: CloudFront's origin
    /// (`grpc-eks-edge`) or the name clients call (`grpc-eks-alb`). `None` when neither the config
    /// nor `dns:` gives one (`grpc-eks-alb` without `dns:`: the operator picks it).
    pub alb: Option<String>,
    /// The names clients call on the distribution (`grpc-eks-edge`).
    pub aliases: Vec<String>,
}

/// The names of service stack `n` (1-based) of app `app` with CloudFront `edge` (if any).
/// `zone` is the zone of `dns:`, when given.
pub fn stack_names(
    app: &str,
    edge: Option<&EdgeConfig>,
    zone: Option<&HostedZone>,
    n: usize,
) -> StackNames {
    let no = n.to_string();
    let derived = |base: &str| zone.map(|z| stack_name_in_zone(base, n, z));
    match edge {
        Some(e) => StackNames {
            alb: match &e.origin_domain {
                Some(d) => Some(d.replace("{n}", &no)),
                None => derived(&format!("{app}-origin")),
            },
            aliases: if !e.aliases.is_empty() {
                e.aliases.iter().map(|a| a.replace("{n}", &no)).collect()
            } else if e.certificate_arn.is_none() {
                derived(app).into_iter().collect()
            } else {
                Vec::new()
            },
        },
        None => StackNames {
            alb: derived(app),
            aliases: Vec::new(),
        },
    }
}

/// The ALB's certificate: the configured ARN, or with `dns:` one requested for the ALB's name.
pub fn alb_certificate(
    scope: &mut Scope<'_>,
    certificate_arn: Option<&str>,
    zone: Option<&HostedZone>,
    names: &StackNames,
) -> Result<CertificateHandle, Error> {
    match (certificate_arn, zone, &names.alb) {
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
pub fn viewer_certificate(
    scope: &mut Scope<'_>,
    id: &str,
    edge: Option<&EdgeConfig>,
    zone: Option<&HostedZone>,
    names: &StackNames,
) -> Result<Option<CertificateHandle>, Error> {
    let own = edge.is_some_and(|e| e.certificate_arn.is_some());
    match (zone, names.aliases.split_first()) {
        (Some(z), Some((first, rest))) if !own => {
            Certificate::dns_validated(scope, id, z, first, rest).map(Some)
        }
        _ => Ok(None),
    }
}

/// With `dns:`: the alias records of a service stack — the ALB's name → the ALB (A; the ALB is
/// IPv4), each alias → the distribution (A and AAAA).
pub fn records(
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

/// The runbook's endpoint: with `dns:` the name formwork created (the first alias, or the ALB's
/// name without CloudFront); without, the first service stack's `endpoint` output (and the first
/// alias, if any, as the authority the distribution expects).
pub fn endpoint(
    app: &str,
    edge: Option<&EdgeConfig>,
    zone: Option<&HostedZone>,
    endpoint: &OutputRef,
) -> Endpoint {
    let first = stack_names(app, edge, zone, 1);
    let output = || Host::Output(endpoint.clone());
    let (host, authority) = match (edge, zone) {
        (Some(_), Some(_)) => (
            first
                .aliases
                .first()
                .map_or_else(output, |a| Host::Name { name: a.clone() }),
            None,
        ),
        (Some(_), None) => (output(), first.aliases.first().cloned()),
        (None, Some(_)) => (
            first.alb.map_or_else(output, |name| Host::Name { name }),
            None,
        ),
        (None, None) => (output(), None),
    };
    let unrouted = if edge.is_some() {
        "`PermissionDenied` (the ALB answers 403: only routed services pass the origin check)"
    } else {
        "`Unimplemented` (the listener's fixed 404)"
    };
    Endpoint {
        host,
        authority,
        unrouted: unrouted.to_owned(),
    }
}

/// The records the endpoint needs, per service stack (`stack_name(n)`, 1-based): with CloudFront
/// the origin name → the ALB and each alias → the distribution; without, the gRPC hostname → the
/// ALB. With `dns:` the stacks create them; without, the operator does (with a placeholder name
/// when only the operator knows the hostname).
pub fn runbook_records(
    app: &str,
    edge: Option<&EdgeConfig>,
    zone: Option<&HostedZone>,
    stacks: usize,
    stack_name: impl Fn(usize) -> String,
) -> Vec<DnsRecord> {
    let mut out = Vec::new();
    for n in 1..=stacks {
        let stack = stack_name(n);
        let names = stack_names(app, edge, zone, n);
        if edge.is_some() {
            if let Some(origin) = names.alb {
                out.push(DnsRecord {
                    name: origin,
                    target: OutputRef::new(&stack, ALB_DNS_OUTPUT),
                    why: "CloudFront connects to the ALB by this name (it is on the ALB's certificate)"
                        .to_owned(),
                });
            }
            for a in names.aliases {
                out.push(DnsRecord {
                    name: a,
                    target: OutputRef::new(&stack, DISTRIBUTION_DOMAIN_OUTPUT),
                    why: "clients call this name; CloudFront serves it".to_owned(),
                });
            }
        } else {
            out.push(DnsRecord {
                name: names.alb.unwrap_or_else(|| {
                    "<your gRPC hostname, a name on certificate_arn>".to_owned()
                }),
                target: OutputRef::new(&stack, ALB_DNS_OUTPUT),
                why: "clients call this name; the ALB's certificate covers it".to_owned(),
            });
        }
    }
    out
}

/// With `dns:`: the names of the first service stack that come from the config (the origin,
/// the aliases) must be in the zone; derived names always are.
pub fn check_names_in_zone(
    app: &str,
    edge: Option<&EdgeConfig>,
    zone: &HostedZone,
    errs: &mut Vec<ConfigError>,
) {
    let n = stack_names(app, edge, Some(zone), 1);
    if let (Some(alb), Some(_)) = (&n.alb, edge.and_then(|e| e.origin_domain.as_ref())) {
        check_in_zone("/edge/origin_domain", alb, zone, errs);
    }
    if edge.is_some_and(|e| !e.aliases.is_empty()) {
        for (i, a) in n.aliases.iter().enumerate() {
            check_in_zone(&format!("/edge/aliases/{i}"), a, zone, errs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(id: &str, name: &str) -> DnsConfig {
        DnsConfig {
            hosted_zone_id: id.to_owned(),
            zone_name: name.to_owned(),
        }
    }

    #[test]
    fn derived_names_keep_the_first_stack_stable() {
        let z = cfg("Z123", "Example.com.").zone("/dns").unwrap();
        assert_eq!(stack_name_in_zone("shop", 1, &z), "shop.example.com");
        assert_eq!(stack_name_in_zone("shop", 3, &z), "shop-3.example.com");
    }

    #[test]
    fn bad_zones_point_at_the_field_with_the_fix() {
        let e = cfg("/hostedzone/Z1", "example.com")
            .zone("/dns")
            .unwrap_err();
        assert_eq!(e.pointer, "/dns/hosted_zone_id");
        assert!(
            e.message.contains("without `/hostedzone/`"),
            "{}",
            e.message
        );
        let e = cfg("Z1", "localhost").zone("/dns").unwrap_err();
        assert_eq!(e.pointer, "/dns/zone_name");
        let z = cfg("Z1", "example.com").zone("/dns").unwrap();
        let mut errs = Vec::new();
        check_in_zone("/edge/aliases/0", "api.example.org", &z, &mut errs);
        check_in_zone("/edge/aliases/1", "api.example.com", &z, &mut errs);
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].message.contains("ends in .example.com"),
            "{}",
            errs[0].message
        );
    }

    use crate::grpc_eks::EksConfig;

    fn eks(yaml: &str) -> EksConfig {
        let v: serde_json::Value = serde_yaml::from_str(yaml).unwrap();
        serde_json::from_value(v).unwrap()
    }

    const BASE: &str = "name: shop\nregion: eu-west-1\nservices: [{name: a, grpc_services: [a.A], image_tag: '1'}]\n";

    #[test]
    fn dns_derives_every_name_and_config_names_win() {
        let z = HostedZone::import("Z1", "example.com").unwrap();
        let edge = eks(&format!("blueprint: grpc-eks-edge\n{BASE}edge: {{}}\n"));
        let n1 = stack_names("shop", edge.edge.as_ref(), Some(&z), 1);
        assert_eq!(n1.alb.as_deref(), Some("shop-origin.example.com"));
        assert_eq!(n1.aliases, ["shop.example.com"]);
        let n2 = stack_names("shop", edge.edge.as_ref(), Some(&z), 2);
        assert_eq!(n2.alb.as_deref(), Some("shop-origin-2.example.com"));
        assert_eq!(n2.aliases, ["shop-2.example.com"]);
        let given = eks(&format!(
            "blueprint: grpc-eks-edge\n{BASE}edge: {{origin_domain: 'o-{{n}}.example.com', aliases: ['api-{{n}}.example.com']}}\n"
        ));
        let g = stack_names("shop", given.edge.as_ref(), Some(&z), 2);
        assert_eq!(g.alb.as_deref(), Some("o-2.example.com"));
        assert_eq!(g.aliases, ["api-2.example.com"]);
        // A viewer certificate of the user's own without aliases: no derived alias it may not cover.
        let own = eks(&format!(
            "blueprint: grpc-eks-edge\n{BASE}edge: {{certificate_arn: 'arn:aws:acm:us-east-1:1:certificate/x'}}\n"
        ));
        assert!(
            stack_names("shop", own.edge.as_ref(), Some(&z), 1)
                .aliases
                .is_empty()
        );
        let alb = eks(&format!("blueprint: grpc-eks-alb\n{BASE}"));
        assert_eq!(
            stack_names("shop", alb.edge.as_ref(), Some(&z), 1)
                .alb
                .as_deref(),
            Some("shop.example.com")
        );
        assert_eq!(stack_names("shop", alb.edge.as_ref(), None, 1).alb, None);
        assert_eq!(stack_names("shop", edge.edge.as_ref(), None, 1).alb, None);
    }
}
