//! Config pieces shared by several blueprints, and their semantic checks.

use std::collections::BTreeMap;

use formwork_constructs::ec2::Ipv4Cidr;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::config::ConfigError;

/// The network the workload runs in.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpcConfig {
    /// IPv4 CIDR of the VPC, /16 to /22. Private subnets get a quarter each, public ones a
    /// /(n+6) each from the last quarter. Default: `10.0.0.0/16`.
    #[serde(default = "default_cidr")]
    #[schemars(extend("pattern" = r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/\d{1,2}$"))]
    pub cidr: String,
    /// Number of Availability Zones (2 or 3). Default: 2.
    #[serde(default = "default_azs")]
    #[schemars(range(min = 2, max = 3))]
    pub azs: u8,
    /// NAT gateways (0 = private subnets have no internet egress; 1 = cheapest; one per AZ =
    /// zone-independent). The EKS blueprints refuse 0: their nodes need egress to ECR, EKS and
    /// STS and formwork creates no VPC endpoints. Default: 1.
    #[serde(default = "default_nat")]
    #[schemars(range(min = 0, max = 3))]
    pub nat_gateways: u8,
}

fn default_cidr() -> String {
    "10.0.0.0/16".to_owned()
}
fn default_azs() -> u8 {
    2
}
fn default_nat() -> u8 {
    1
}

impl Default for VpcConfig {
    fn default() -> Self {
        VpcConfig {
            cidr: default_cidr(),
            azs: default_azs(),
            nat_gateways: default_nat(),
        }
    }
}

impl VpcConfig {
    /// Semantic checks: a parseable CIDR of a usable size, NAT count within the AZ count.
    pub fn check(&self, ptr: &str, errs: &mut Vec<ConfigError>) -> Option<Ipv4Cidr> {
        let cidr = match self.cidr.parse::<Ipv4Cidr>() {
            Ok(c) => c,
            Err(e) => {
                errs.push(ConfigError::at(format!("{ptr}/cidr"), e));
                return None;
            }
        };
        if !(16..=22).contains(&cidr.prefix()) {
            errs.push(ConfigError::at(
                format!("{ptr}/cidr"),
                format!(
                    "a VPC of /{} does not fit the subnet layout; use a prefix from /16 to /22",
                    cidr.prefix()
                ),
            ));
            return None;
        }
        if self.nat_gateways > self.azs {
            errs.push(ConfigError::at(
                format!("{ptr}/nat_gateways"),
                format!(
                    "{} NAT gateways for {} AZs: use at most one per AZ",
                    self.nat_gateways, self.azs
                ),
            ));
        }
        Some(cidr)
    }
}

/// The ALB's default gRPC health-check path: any gRPC server answers it with status 12
/// (Unimplemented), so it suits servers without a health service; with it the pods get TCP
/// probes instead of `grpc.health.v1` ones (FACTS §1.5).
pub const ALB_ONLY_HEALTH_CHECK: &str = "/AWS.ALB/healthcheck";

/// The gRPC health check the load balancer runs against each pod.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthCheckConfig {
    /// gRPC method path `/package.Service/Method`. Default: the standard gRPC health protocol,
    /// `/grpc.health.v1.Health/Check`. Use `/AWS.ALB/healthcheck` with codes `12` for servers
    /// without a health service (on EKS the pods then get TCP probes, not gRPC health probes).
    #[serde(default = "default_hc_path")]
    #[schemars(extend("pattern" = r"^/[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+$"))]
    pub path: String,
    /// gRPC status codes that count as healthy: `0`, a list `0,12` or a range `0-5`, within
    /// 0–99. Default: `0` (OK).
    #[serde(default = "default_hc_codes")]
    #[schemars(extend("pattern" = r"^\d{1,2}([,-]\d{1,2})*$"))]
    pub grpc_codes: String,
}

fn default_hc_path() -> String {
    "/grpc.health.v1.Health/Check".to_owned()
}
fn default_hc_codes() -> String {
    "0".to_owned()
}

impl Default for HealthCheckConfig {
    fn default() -> Self {
        HealthCheckConfig {
            path: default_hc_path(),
            grpc_codes: default_hc_codes(),
        }
    }
}

/// Checks a name used for AWS resources: lowercase letters, digits and hyphens, starting with a
/// letter, at most `max` characters.
pub fn check_name(ptr: &str, name: &str, max: usize, errs: &mut Vec<ConfigError>) {
    let ok = !name.is_empty()
        && name.len() <= max
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
        && !name.contains("--");
    if !ok {
        errs.push(ConfigError::at(
            ptr,
            format!(
                "`{name}` is not a valid name: use 1–{max} lowercase letters, digits and single hyphens, starting with a letter"
            ),
        ));
    }
}

/// Checks a Region name such as `eu-west-1`.
pub fn check_region(ptr: &str, region: &str, errs: &mut Vec<ConfigError>) {
    let parts: Vec<&str> = region.split('-').collect();
    let ok = parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()));
    if !ok {
        errs.push(ConfigError::at(
            ptr,
            format!("`{region}` is not an AWS Region name such as `eu-west-1`"),
        ));
    }
}

/// Checks an ARN's service, Region and resource prefix: `arn:<partition>:<service>:<region>:<account>:<resource>`.
pub fn check_arn(
    ptr: &str,
    arn: &str,
    service: &str,
    region: Option<&str>,
    resource_prefix: &str,
    errs: &mut Vec<ConfigError>,
) {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || !parts[1].starts_with("aws") {
        errs.push(ConfigError::at(
            ptr,
            format!("`{arn}` is not an ARN (arn:aws:{service}:<region>:<account>:…)"),
        ));
        return;
    }
    if parts[2] != service {
        errs.push(ConfigError::at(
            ptr,
            format!(
                "`{arn}` is an ARN of service `{}`, expected `{service}`",
                parts[2]
            ),
        ));
        return;
    }
    if let Some(r) = region
        && parts[3] != r
    {
        errs.push(ConfigError::at(
            ptr,
            format!(
                "`{arn}` is in Region `{}`, but it must be in `{r}` (the stack's Region)",
                parts[3]
            ),
        ));
    }
    if parts[4].len() != 12 || !parts[4].chars().all(|c| c.is_ascii_digit()) {
        errs.push(ConfigError::at(
            ptr,
            format!("`{arn}` has no 12-digit account id"),
        ));
    }
    if !parts[5].starts_with(resource_prefix) {
        errs.push(ConfigError::at(
            ptr,
            format!("`{arn}` does not name a `{resource_prefix}…` resource"),
        ));
    }
}

/// PascalCase of a kebab-case name (`greeter-api` → `GreeterApi`).
pub fn pascal(name: &str) -> String {
    name.split(['-', '_', '.'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// ELB's default quota of listener rules per ALB, not counting the default rule
/// (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html>).
pub const ALB_RULE_QUOTA: usize = 100;

/// An error at `ptr` for each ALB whose routes need more listener rules than
/// [`ALB_RULE_QUOTA`]: each service's route takes one rule per 3 of its gRPC services (the ALB
/// allows 3 values per path condition). `albs` holds, per ALB (in stack order, named for the
/// message), the gRPC service count of each of its services; `fix` says what to change.
pub fn check_rules_per_alb(
    ptr: &str,
    albs: &[(String, Vec<usize>)],
    fix: &str,
    errs: &mut Vec<ConfigError>,
) {
    for (alb, services) in albs {
        let rules: usize = services.iter().map(|g| g.div_ceil(3)).sum();
        if rules > ALB_RULE_QUOTA {
            errs.push(ConfigError::at(
                ptr,
                format!(
                    "the ALB of `{alb}` needs {rules} listener rules (one per 3 gRPC services of each service), over ELB's quota of {ALB_RULE_QUOTA} rules per ALB, and CloudFormation would fail when it creates rule {}: {fix}",
                    ALB_RULE_QUOTA + 1
                ),
            ));
        }
    }
}

/// [`check_rules_per_alb`] for blueprints with one ALB per service stack: the fix is a lower
/// `services_per_stack`.
pub fn check_rules_per_stack(
    stacks: &[(String, Vec<usize>)],
    services_per_stack: u32,
    errs: &mut Vec<ConfigError>,
) {
    let fix = format!(
        "lower `services_per_stack` (now {services_per_stack}) so that each service stack's ALB routes fewer services"
    );
    check_rules_per_alb("/services_per_stack", stacks, &fix, errs);
}

/// Checks the services' names (`/services/<i>/name`): each valid, none used twice, and no two
/// that give the same logical-id prefix (`svc-2x` and `svc2x` both become `Svc2x`).
pub fn check_service_names(names: &[&str], errs: &mut Vec<ConfigError>) {
    let mut exact = BTreeMap::new();
    let mut ids: BTreeMap<String, (usize, &str)> = BTreeMap::new();
    for (i, n) in names.iter().enumerate() {
        let ptr = format!("/services/{i}/name");
        check_name(&ptr, n, 24, errs);
        if let Some(j) = exact.insert(*n, i) {
            errs.push(ConfigError::at(
                &ptr,
                format!("service name `{n}` is also used by /services/{j}"),
            ));
        } else if let Some((j, other)) = ids.insert(pascal(n), (i, n)) {
            errs.push(ConfigError::at(
                &ptr,
                format!("service names `{n}` and `{other}` (/services/{j}) both become the resource id prefix `{}`; rename one", pascal(n)),
            ));
        }
    }
}

/// Tags applied to every stack and taggable resource.
pub type Tags = BTreeMap<String, String>;

/// Tags formwork adds itself to a resource on top of the config's (`Name` and
/// `kubernetes.io/role/*` on subnets).
pub const OWN_TAGS: usize = 2;

/// AWS's limit of tags per resource.
pub const MAX_TAGS: usize = 50;

/// Checks tag keys and values against AWS's limits: at most [`MAX_TAGS`] per resource including
/// formwork's own, keys 1–128 and values ≤ 256 characters of letters, digits, spaces and
/// `_ . : / = + - @` (AWS tagging rules), keys not starting with `aws:`.
pub fn check_tags(ptr: &str, tags: &Tags, errs: &mut Vec<ConfigError>) {
    if tags.len() + OWN_TAGS > MAX_TAGS {
        errs.push(ConfigError::at(
            ptr,
            format!(
                "{} tags are too many: AWS allows {MAX_TAGS} per resource and formwork adds {OWN_TAGS} of its own (Name, kubernetes.io/role/*), so at most {} — remove {}",
                tags.len(),
                MAX_TAGS - OWN_TAGS,
                tags.len() + OWN_TAGS - MAX_TAGS
            ),
        ));
    }
    for (k, v) in tags {
        let kp = format!(
            "{ptr}/{}",
            formwork_constructs::core::pointer::escape_segment(k)
        );
        if k.is_empty() || k.chars().count() > 128 || k.starts_with("aws:") {
            errs.push(ConfigError::at(
                &kp,
                format!("tag key `{k}` must be 1–128 characters and not start with `aws:`"),
            ));
        }
        if v.chars().count() > 256 {
            errs.push(ConfigError::at(
                &kp,
                "tag values are at most 256 characters",
            ));
        }
        for (what, text) in [("key", k), ("value", v)] {
            if let Some(bad) = text.chars().find(|c| !tag_char(*c)) {
                errs.push(ConfigError::at(
                    &kp,
                    format!(
                        "tag {what} `{text}` contains `{bad}` — AWS allows letters, digits, spaces and _ . : / = + - @ (e.g. `R-and-D 7300`)"
                    ),
                ));
            }
        }
    }
}

fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

/// Namespaces Kubernetes itself uses; every `kube-*` name is reserved too.
pub const RESERVED_NAMESPACES: &[&str] =
    &["default", "kube-node-lease", "kube-public", "kube-system"];

/// Refuses a name that would become a namespace Kubernetes itself uses. formwork labels its
/// namespaces `pod-security.kubernetes.io/enforce: restricted` (blocking system pods there)
/// and `kubectl delete -f k8s/` deletes them.
pub fn check_namespace(ptr: &str, ns: &str, what: &str, errs: &mut Vec<ConfigError>) {
    if RESERVED_NAMESPACES.contains(&ns) || ns.starts_with("kube-") {
        errs.push(ConfigError::at(
            ptr,
            format!(
                "{what} `{ns}` would be the Kubernetes namespace `{ns}`, which Kubernetes reserves (default, kube-system, kube-public, kube-node-lease and every kube-*): formwork's restricted pod-security label would block system pods there and `kubectl delete -f k8s/` would delete it; choose another name"
            ),
        ));
    }
}

/// Checks a gRPC service name is fully qualified, `package.Service`. Clients call
/// `/<package>.<Service>/<Method>`, and the routing rules match that path: a name without a
/// package only matches a .proto without a `package` line, which is almost always a mistake.
pub fn check_grpc_name(ptr: &str, name: &str, errs: &mut Vec<ConfigError>) {
    if let Err(m) = formwork_constructs::elbv2::check_grpc_service_name(name) {
        errs.push(ConfigError::at(ptr, m));
    } else if !name.contains('.') {
        errs.push(ConfigError::at(
            ptr,
            format!(
                "`{name}` has no package: clients call `/<package>.<Service>/<Method>` (the `package` line of the .proto), so the route would never match; write the full name, e.g. `billing.v1.{name}`"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_checks() {
        let mut e = Vec::new();
        check_arn(
            "/a",
            "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
            "acm",
            Some("eu-west-1"),
            "certificate/",
            &mut e,
        );
        assert!(e.is_empty(), "{e:?}");
        check_arn(
            "/a",
            "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            "acm",
            Some("eu-west-1"),
            "certificate/",
            &mut e,
        );
        check_arn(
            "/a",
            "arn:aws:iam::123456789012:role/x",
            "acm",
            None,
            "certificate/",
            &mut e,
        );
        check_arn("/a", "nope", "acm", None, "certificate/", &mut e);
        assert_eq!(e.len(), 3);
        assert!(e[0].message.contains("must be in `eu-west-1`"));
    }

    #[test]
    fn name_and_region_checks() {
        let mut e = Vec::new();
        check_name("/n", "greeter-api", 20, &mut e);
        check_region("/r", "eu-west-1", &mut e);
        assert!(e.is_empty());
        check_name("/n", "Greeter", 20, &mut e);
        check_name("/n", "a--b", 20, &mut e);
        check_region("/r", "europe", &mut e);
        assert_eq!(e.len(), 3);
    }
}

/// The managed node group.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodesConfig {
    /// EC2 instance types. Default: `[m7i.large]`.
    #[serde(default = "default_instance_types")]
    #[schemars(length(min = 1, max = 20))]
    pub instance_types: Vec<String>,
    /// Minimum nodes. Default: 2.
    #[serde(default = "two")]
    #[schemars(range(min = 0, max = 450))]
    pub min: u32,
    /// Desired nodes at creation. Default: 2.
    #[serde(default = "two")]
    #[schemars(range(min = 0, max = 450))]
    pub desired: u32,
    /// Maximum nodes. Default: 6.
    #[serde(default = "six")]
    #[schemars(range(min = 1, max = 450))]
    pub max: u32,
}

fn default_instance_types() -> Vec<String> {
    vec!["m7i.large".to_owned()]
}
pub(crate) fn two() -> u32 {
    2
}
fn six() -> u32 {
    6
}

impl NodesConfig {
    /// Whether the nodes are Graviton (arm64), from the first instance type (`check_cluster`
    /// refuses a mix: a node group has one AMI type).
    pub fn arm64(&self) -> bool {
        self.instance_types.first().is_some_and(|t| is_graviton(t))
    }

    /// `docker build --platform` for images these nodes run: `linux/arm64` on Graviton,
    /// `linux/amd64` otherwise.
    pub fn image_platform(&self) -> &'static str {
        if self.arm64() {
            "linux/arm64"
        } else {
            "linux/amd64"
        }
    }
}

/// Whether an EC2 instance type is AWS Graviton (arm64): `a1`, or a family whose generation
/// number is followed by the processor letter `g` (`m7g`, `c7gn`, `t4g`, `r8gd`, `im4gn`) — the
/// EC2 naming convention ("g – AWS Graviton processors").
pub fn is_graviton(instance_type: &str) -> bool {
    let family = instance_type.split('.').next().unwrap_or_default();
    if family == "a1" {
        return true;
    }
    let rest = family.trim_start_matches(|c: char| c.is_ascii_lowercase());
    let after = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    after.len() < rest.len() && after.starts_with('g')
}

impl Default for NodesConfig {
    fn default() -> Self {
        NodesConfig {
            instance_types: default_instance_types(),
            min: 2,
            desired: 2,
            max: 6,
        }
    }
}

/// Horizontal pod autoscaler settings.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HpaConfig {
    /// Minimum replicas. Default: 2.
    #[serde(default = "two")]
    #[schemars(range(min = 1, max = 1000))]
    pub min: u32,
    /// Maximum replicas. Default: 10.
    #[serde(default = "ten")]
    #[schemars(range(min = 1, max = 1000))]
    pub max: u32,
    /// Target average CPU utilization in percent of the request. Default: 70.
    #[serde(default = "seventy")]
    #[schemars(range(min = 10, max = 100))]
    pub target_cpu_percent: u32,
}

fn ten() -> u32 {
    10
}
fn seventy() -> u32 {
    70
}

impl Default for HpaConfig {
    fn default() -> Self {
        HpaConfig {
            min: 2,
            max: 10,
            target_cpu_percent: 70,
        }
    }
}

#[cfg(test)]
mod arch_tests {
    use super::*;

    #[test]
    fn graviton_types_are_recognised() {
        for t in [
            "m7g.large",
            "c7gn.xlarge",
            "t4g.medium",
            "r8gd.2xlarge",
            "im4gn.large",
            "a1.large",
        ] {
            assert!(is_graviton(t), "{t}");
        }
        for t in [
            "m7i.large",
            "g4dn.xlarge",
            "c6a.large",
            "m5dn.large",
            "inf2.xlarge",
        ] {
            assert!(!is_graviton(t), "{t}");
        }
        let mut n = NodesConfig::default();
        assert_eq!(n.image_platform(), "linux/amd64");
        n.instance_types = vec!["m7g.large".into()];
        assert_eq!(n.image_platform(), "linux/arm64");
        let mut errs = Vec::new();
        crate::platform::check_cluster(
            "/cluster",
            "1.35",
            &VpcConfig::default(),
            &n,
            &[],
            &[],
            &mut errs,
        );
        assert!(errs.is_empty(), "{errs:?}");
        n.instance_types.push("m7i.large".into());
        crate::platform::check_cluster(
            "/cluster",
            "1.35",
            &VpcConfig::default(),
            &n,
            &[],
            &[],
            &mut errs,
        );
        assert_eq!(errs.len(), 1, "{errs:?}");
        let e = errs[0].to_string();
        assert!(e.contains("/cluster/nodes/instance_types/1"), "{e}");
        assert!(e.contains("one architecture"), "{e}");
    }
}
