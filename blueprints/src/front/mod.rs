//! The front door every ALB blueprint shares: the regional WAF on the ALB and, for the `-edge`
//! blueprints, CloudFront with gRPC, a CLOUDFRONT-scope WAF and origin protection — their config
//! (`waf:`, `edge:`), its checks, and the stacks' pieces (`compose.rs`). The compute behind the
//! ALB (EKS pods, ECS tasks) is the blueprint's own.

pub(crate) mod compose;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::config::ConfigError;

/// The regional WAF on the ALB.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WafConfig {
    /// Requests per client IP per 5 minutes before the ALB's WAF blocks (behind CloudFront the
    /// client IP is read from `X-Forwarded-For`). Default: 2000.
    #[serde(default = "default_rate")]
    #[schemars(range(min = 10, max = 2000000000))]
    pub rate_limit: u64,
}

fn default_rate() -> u64 {
    2000
}

impl Default for WafConfig {
    fn default() -> Self {
        WafConfig {
            rate_limit: default_rate(),
        }
    }
}

/// CloudFront in front of the ALB.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EdgeConfig {
    /// The hostname CloudFront connects to: a name on the ALB's certificate that resolves to the
    /// ALB (a CNAME you create to the `AlbDnsName` output). Not `*.elb.amazonaws.com`: the ALB's
    /// certificate does not cover it and CloudFront would answer 502. With more than one service
    /// stack (more services than `services_per_stack`) each ALB needs its own: write `{n}` (the
    /// stack's number), e.g. `origin-{n}.example.com`. Required without `dns:`; with `dns:` the
    /// default is `<name>-origin.<zone>` (stack n ≥ 2: `<name>-origin-<n>.<zone>`) and formwork
    /// creates its record.
    #[serde(default)]
    #[schemars(length(min = 1, max = 253))]
    pub origin_domain: Option<String>,
    /// ACM certificate in **us-east-1** for the viewer side. Default: with `dns:`, one formwork
    /// requests for the aliases (in us-east-1, validated in the zone); without, CloudFront's
    /// `*.cloudfront.net` certificate.
    #[serde(default)]
    pub certificate_arn: Option<String>,
    /// Hostnames clients use, on the viewer certificate (`{n}` as in `origin_domain` with more
    /// than one service stack). Required with `certificate_arn`. Default: with `dns:` and no
    /// `certificate_arn`, `<name>.<zone>` (stack n ≥ 2: `<name>-<n>.<zone>`); without, none.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// `PriceClass_100` (default), `PriceClass_200` or `PriceClass_All`.
    #[serde(default)]
    pub price_class: PriceClassConfig,
    /// Requests per client IP per 5 minutes before the CloudFront WAF blocks. Default: 2000.
    #[serde(default = "default_rate")]
    #[schemars(range(min = 10, max = 2000000000))]
    pub rate_limit: u64,
}

/// CloudFront price classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Default)]
pub enum PriceClassConfig {
    /// North America, Europe, Israel.
    #[default]
    #[serde(rename = "PriceClass_100")]
    PriceClass100,
    /// Adds Asia, Middle East, Africa.
    #[serde(rename = "PriceClass_200")]
    PriceClass200,
    /// Every edge location.
    #[serde(rename = "PriceClass_All")]
    PriceClassAll,
}

/// Checks the `edge:` section: one origin name and distinct aliases per service stack, certificates in
/// us-east-1 that have aliases, names that are DNS names.
///
/// `stacks` service stacks hold `services` services; `dns` says whether the config has a
/// `dns:` zone (which supplies the origin name and the viewer certificate).
pub fn check_edge(
    e: &EdgeConfig,
    stacks: usize,
    services: usize,
    dns: bool,
    errs: &mut Vec<ConfigError>,
) {
    if stacks > 1 {
        // Each service stack has its own ALB and distribution: each needs its own origin
        // hostname, and CloudFront refuses an alias that another distribution uses.
        if let Some(d) = &e.origin_domain
            && !d.contains("{n}")
        {
            errs.push(ConfigError::at(
                "/edge/origin_domain",
                format!(
                    "{} services make {stacks} service stacks, each with its own ALB: write `{{n}}` in origin_domain (e.g. origin-{{n}}.example.com) so each ALB gets its own origin hostname",
                    services
                ),
            ));
        }
        for (i, a) in e.aliases.iter().enumerate() {
            if !a.contains("{n}") {
                errs.push(ConfigError::at(
                    format!("/edge/aliases/{i}"),
                    format!("{stacks} distributions cannot share alias `{a}` (CloudFront refuses a CNAME used twice): write `{{n}}` in it, e.g. api-{{n}}.example.com"),
                ));
            }
        }
    }
    match &e.origin_domain {
        None if !dns => errs.push(ConfigError::at(
            "/edge",
            "CloudFront needs the ALB's hostname: give `origin_domain` (a name on the ALB's certificate that points at the ALB) or a `dns:` section and formwork creates <name>-origin.<zone>",
        )),
        None => {}
        Some(d) => {
            let d = d.replace("{n}", "1");
            if d.ends_with(".elb.amazonaws.com") {
                errs.push(ConfigError::at(
                    "/edge/origin_domain",
                    "the ALB's own *.elb.amazonaws.com name is not on its certificate, so CloudFront would answer 502; use a hostname on `certificate_arn` and point it (CNAME) at the ALB",
                ));
            } else if !valid_hostname(&d) {
                errs.push(ConfigError::at(
                    "/edge/origin_domain",
                    format!("`{d}` is not a DNS hostname"),
                ));
            }
        }
    }
    if let Some(c) = &e.certificate_arn {
        crate::common::check_arn(
            "/edge/certificate_arn",
            c,
            "acm",
            Some("us-east-1"),
            "certificate/",
            errs,
        );
        if e.aliases.is_empty() {
            errs.push(ConfigError::at(
                "/edge/aliases",
                "a viewer certificate needs at least one alias (a hostname on it)",
            ));
        }
    } else if !e.aliases.is_empty() && !dns {
        errs.push(ConfigError::at(
            "/edge/aliases",
            "aliases need a viewer certificate: give `certificate_arn` (a us-east-1 ACM certificate covering them) or a `dns:` section and formwork requests one",
        ));
    }
    for (i, a) in e.aliases.iter().enumerate() {
        if !valid_hostname(a.replace("{n}", "1").trim_start_matches("*.")) {
            errs.push(ConfigError::at(
                format!("/edge/aliases/{i}"),
                format!("`{a}` is not a DNS hostname"),
            ));
        }
    }
}

/// A full DNS name (no wildcard, at least one dot) by the one DNS-name rule of the constructs.
pub(crate) fn valid_hostname(h: &str) -> bool {
    h.contains('.') && !h.starts_with("*.") && formwork_constructs::route53::valid_hostname(h)
}
