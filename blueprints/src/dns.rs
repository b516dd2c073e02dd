//! `dns:` — a Route 53 hosted zone the blueprints write their names into.
//!
//! With `dns:`, a blueprint needs no certificate ARN and no manual DNS step: it requests the
//! certificates it needs (the ALB's in the Region, CloudFront's in `us-east-1`), validated by DNS
//! in the zone (ACM writes the validation records; CloudFormation waits until each certificate is
//! issued), and creates alias records for every name it serves. Names not given in the config are
//! derived from the application name, one per service stack: the first stack's is
//! `<name>.<zone>`, the n-th's `<name>-<n>.<zone>` — so adding a stack never renames the first.

use formwork_constructs::route53::HostedZone;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::config::ConfigError;

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
}
