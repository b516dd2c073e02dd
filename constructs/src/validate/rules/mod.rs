//! The rule set. One file per family; every rule has a stable code listed in [`RULES`] and
//! documented in `docs/rules.md`.

use serde_json::{Map, Value};

use super::diagnostic::{Diagnostic, Severity};

pub mod cloudfront;
pub mod ecs;
pub mod eks;
pub mod elbv2;
pub mod limits;
pub mod refs;
pub mod security;
pub mod waf;

/// A rule's code, default severity and one-line title.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    /// Stable code.
    pub code: &'static str,
    /// Severity it is reported with.
    pub severity: Severity,
    /// Short title.
    pub title: &'static str,
}

const fn r(code: &'static str, severity: Severity, title: &'static str) -> RuleInfo {
    RuleInfo {
        code,
        severity,
        title,
    }
}
use Severity::{Error as E, Warning as W};

/// Every rule, in code order.
pub const RULES: &[RuleInfo] = &[
    r(
        "FW-ECS-001",
        E,
        "ECS service load balancer on a container port the task definition does not map",
    ),
    r(
        "FW-ECS-002",
        E,
        "awsvpc ECS service on a target group whose TargetType is not ip",
    ),
    r(
        "FW-ECS-003",
        W,
        "ECS health-check grace period shorter than the container's StartPeriod",
    ),
    r(
        "FW-ECS-004",
        W,
        "ECS container health check in CMD-SHELL form (no shell in distroless images)",
    ),
    r(
        "FW-ECS-005",
        E,
        "Fargate task CPU/memory pair Fargate does not accept",
    ),
    r(
        "FW-EKS-001",
        W,
        "EKS AuthenticationMode CONFIG_MAP (aws-auth ConfigMap only)",
    ),
    r(
        "FW-EKS-002",
        W,
        "EKS cluster without AccessConfig.AuthenticationMode (defaults to CONFIG_MAP)",
    ),
    r(
        "FW-ELB-001",
        E,
        "GRPC target group behind a non-HTTPS listener",
    ),
    r(
        "FW-ELB-002",
        E,
        "GRPC target group health-check matcher not a GrpcCode in 0-99",
    ),
    r(
        "FW-ELB-003",
        E,
        "gRPC settings on a target group that cannot carry gRPC (GrpcCode on HTTP1/HTTP2, GRPC on TCP/TLS/UDP)",
    ),
    r(
        "FW-ELB-004",
        W,
        "HTTPS/TLS listener without an explicit SslPolicy",
    ),
    r(
        "FW-ELB-005",
        W,
        "HTTPS/TLS listener with a legacy SslPolicy allowing TLS 1.0/1.1",
    ),
    r(
        "FW-ELB-006",
        W,
        "gRPC traffic behind a TCP-mode (L4) listener: every request of a connection goes to one target",
    ),
    r(
        "FW-GRPC-001",
        E,
        "CloudFront gRPC behaviour without HTTP/2 (HttpVersion http2 or http2and3)",
    ),
    r(
        "FW-GRPC-002",
        E,
        "CloudFront gRPC behaviour without all 7 HTTP methods",
    ),
    r(
        "FW-GRPC-003",
        E,
        "CloudFront gRPC behaviour with a non-HTTPS origin",
    ),
    r(
        "FW-GRPC-004",
        E,
        "Lambda@Edge on a CloudFront gRPC behaviour",
    ),
    r(
        "FW-GRPC-005",
        E,
        "Origin Shield on the origin of a CloudFront gRPC behaviour",
    ),
    r(
        "FW-GRPC-006",
        E,
        "CloudFront gRPC behaviour targeting an origin group (failover)",
    ),
    r(
        "FW-GRPC-007",
        E,
        "Custom error responses on a distribution with gRPC behaviours",
    ),
    r(
        "FW-GRPC-008",
        E,
        "CloudFront gRPC behaviour targeting a VPC origin",
    ),
    r(
        "FW-GRPC-009",
        W,
        "allow-all viewer protocol policy on a gRPC behaviour",
    ),
    r(
        "FW-GRPC-010",
        W,
        "match-viewer origin protocol policy on a gRPC origin",
    ),
    r("FW-LIMIT-001", E, "more than 500 resources"),
    r("FW-LIMIT-002", E, "more than 200 parameters"),
    r("FW-LIMIT-003", E, "more than 200 outputs"),
    r(
        "FW-LIMIT-004",
        E,
        "more than 200 mappings, or more than 200 attributes in a mapping",
    ),
    r(
        "FW-LIMIT-005",
        W,
        "template body over 51,200 bytes: deploy needs an S3 bucket",
    ),
    r("FW-LIMIT-006", E, "template body over 1 MB"),
    r("FW-LIMIT-007", W, "more than 100 listener rules on one ALB"),
    r("FW-LIMIT-008", W, "more than 100 target groups on one ALB"),
    r(
        "FW-LIMIT-009",
        W,
        "more than 75 cache behaviours in one distribution",
    ),
    r("FW-REF-001", E, "Ref to an unknown parameter or resource"),
    r(
        "FW-LOAD-001",
        E,
        "template file unreadable or larger than 16 MiB",
    ),
    r(
        "FW-LOAD-002",
        E,
        "JSON/YAML syntax error, unknown YAML tag, nesting deeper than 1000, or not a mapping",
    ),
    r("FW-LOAD-003", E, "template not UTF-8 text (or binary)"),
    r(
        "FW-LOAD-004",
        E,
        "duplicate key in one JSON object or YAML mapping",
    ),
    r(
        "FW-REF-002",
        E,
        "Fn::GetAtt (or ${X.Attr}) on an unknown resource",
    ),
    r(
        "FW-REF-003",
        E,
        "Fn::GetAtt attribute the resource type does not have",
    ),
    r("FW-REF-004", E, "DependsOn an unknown resource"),
    r(
        "FW-REF-005",
        E,
        "Fn::Sub variable that is not a parameter, resource, pseudo parameter or local",
    ),
    r("FW-REF-006", E, "unknown condition name"),
    r("FW-REF-007", E, "Fn::FindInMap on an unknown mapping"),
    r(
        "FW-SCHEMA-001",
        E,
        "property value invalid against the registry schema",
    ),
    r(
        "FW-SCHEMA-002",
        W,
        "resource type without a registry schema (not checked)",
    ),
    r("FW-SCHEMA-003", E, "read-only property set"),
    r(
        "FW-SCHEMA-004",
        E,
        "malformed template structure (Resources, Type)",
    ),
    r(
        "FW-SEC-001",
        W,
        "CloudFront viewer TLS minimum below TLSv1.2_2019 with a custom certificate",
    ),
    r(
        "FW-SEC-002",
        W,
        "security group open to the internet on a port other than 80/443",
    ),
    r(
        "FW-SEC-003",
        W,
        "CloudFront origin allowing SSLv3/TLSv1/TLSv1.1",
    ),
    r(
        "FW-WAF-001",
        E,
        "CLOUDFRONT-scope WAF resource outside us-east-1",
    ),
    r(
        "FW-WAF-002",
        E,
        "CloudFront WebACLId pointing at a REGIONAL web ACL",
    ),
    r(
        "FW-WAF-003",
        E,
        "WebACLAssociation given a CLOUDFRONT-scope ACL or a distribution",
    ),
    r("FW-WAF-004", E, "CloudFront certificate outside us-east-1"),
];

/// The rule info for `code`.
pub fn rule(code: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.code == code)
}

/// What the rules see: the template plus a few indexes, and where diagnostics go.
pub struct Ctx<'a> {
    /// The whole template.
    pub root: &'a Value,
    /// `Resources` (empty if missing).
    pub resources: &'a Map<String, Value>,
    /// Stack region, when known.
    pub region: Option<&'a str>,
    /// Size of the template body in bytes.
    pub body_bytes: usize,
    /// Collected diagnostics.
    pub out: Vec<Diagnostic>,
}

static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

impl<'a> Ctx<'a> {
    /// A context over `root`.
    pub fn new(root: &'a Value, region: Option<&'a str>, body_bytes: usize) -> Ctx<'a> {
        let resources = root
            .get("Resources")
            .and_then(Value::as_object)
            .unwrap_or(&EMPTY);
        Ctx {
            root,
            resources,
            region,
            body_bytes,
            out: Vec::new(),
        }
    }

    /// Reports `code` (severity from [`RULES`]).
    pub fn emit(
        &mut self,
        code: &'static str,
        logical_id: Option<&str>,
        pointer: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        let severity = rule(code).map_or(Severity::Error, |r| r.severity);
        self.out.push(Diagnostic::new(
            severity, code, logical_id, pointer, message, fix,
        ));
    }

    /// The type of resource `id`.
    pub fn type_of(&self, id: &str) -> Option<&'a str> {
        self.resources.get(id)?.get("Type")?.as_str()
    }

    /// The `Properties` of resource `id` (as an object).
    pub fn props(&self, id: &str) -> Option<&'a Map<String, Value>> {
        self.resources.get(id)?.get("Properties")?.as_object()
    }

    /// `(logical id, properties)` of every resource of type `ty`, in template order.
    pub fn of_type(&self, ty: &str) -> Vec<(&'a str, &'a Map<String, Value>)> {
        self.resources
            .iter()
            .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(ty))
            .map(|(id, r)| {
                (
                    id.as_str(),
                    r.get("Properties")
                        .and_then(Value::as_object)
                        .unwrap_or(&EMPTY),
                )
            })
            .collect()
    }

    /// If `v` is `Ref R` or `Fn::GetAtt [R, _]` (or `"R.attr"`) and `R` is a resource of this
    /// template, returns `R`.
    pub fn target(&self, v: &Value) -> Option<&'a str> {
        let id = ref_or_getatt_id(v)?;
        self.resources.get_key_value(id).map(|(k, _)| k.as_str())
    }
}

/// The logical id named by `Ref` or `Fn::GetAtt`, without checking it exists.
pub fn ref_or_getatt_id(v: &Value) -> Option<&str> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    if let Some(r) = m.get("Ref") {
        return r.as_str();
    }
    match m.get("Fn::GetAtt")? {
        Value::Array(a) => a.first()?.as_str(),
        Value::String(s) => s.split('.').next(),
        _ => None,
    }
}

/// A literal string (not an intrinsic).
pub fn lit_str(v: Option<&Value>) -> Option<&str> {
    v?.as_str()
}

/// A literal boolean, accepting `"true"`/`"false"` strings as CloudFormation does, and the plain
/// YAML 1.1 words (`yes`/`no`/`on`/`off`) its YAML parser reads as booleans.
pub fn lit_bool(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" => Some(true),
            "false" | "no" | "off" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A literal integer, accepting numeric strings.
pub fn lit_int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Runs every rule family.
pub fn run_all(ctx: &mut Ctx<'_>) {
    cloudfront::run(ctx);
    elbv2::run(ctx);
    waf::run(ctx);
    ecs::run(ctx);
    eks::run(ctx);
    limits::run(ctx);
    refs::run(ctx);
    security::run(ctx);
}
