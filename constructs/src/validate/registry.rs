//! The rule registry: every diagnostic code is a [`Code`] (an enum, so an unknown code cannot
//! be written), and every code has exactly one [`Rule`] value — severity, summary, doc text with
//! its source, and the function that checks it. Each family file (`rules/*.rs`, `load.rs`,
//! `schema.rs`) declares its own `RULES` next to its check functions; [`RULES`] joins them.
//! `docs/rules.md` is generated from the registry ([`markdown`]) and drift-tested.

use std::sync::LazyLock;

use super::diagnostic::Severity;
use super::rules::Ctx;

macro_rules! codes {
    ($($variant:ident = $code:literal,)*) => {
        /// A stable diagnostic code (`FW-FAMILY-NNN`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $code] $variant,)*
        }

        impl Code {
            /// Every code, in code order.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The code as printed (`FW-GRPC-001`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }
        }
    };
}

codes! {
    EcsPortNotMapped = "FW-ECS-001",
    EcsTargetTypeNotIp = "FW-ECS-002",
    EcsGraceTooShort = "FW-ECS-003",
    EcsCmdShell = "FW-ECS-004",
    EcsFargateSize = "FW-ECS-005",
    EksConfigMapMode = "FW-EKS-001",
    EksDefaultAuthMode = "FW-EKS-002",
    ElbGrpcBehindNonHttps = "FW-ELB-001",
    ElbGrpcMatcher = "FW-ELB-002",
    ElbGrpcOnWrongTargetGroup = "FW-ELB-003",
    ElbNoSslPolicy = "FW-ELB-004",
    ElbLegacySslPolicy = "FW-ELB-005",
    ElbGrpcBehindL4 = "FW-ELB-006",
    ElbNoCertificates = "FW-ELB-007",
    EvtScheduleExpression = "FW-EVT-001",
    FnReference = "FW-FN-001",
    FnText = "FW-FN-002",
    FnChoice = "FW-FN-003",
    GraphResourceCycle = "FW-GRAPH-001",
    GraphConditionCycle = "FW-GRAPH-002",
    GrpcNoHttp2 = "FW-GRPC-001",
    GrpcMethods = "FW-GRPC-002",
    GrpcNonHttpsOrigin = "FW-GRPC-003",
    GrpcLambdaEdge = "FW-GRPC-004",
    GrpcOriginShield = "FW-GRPC-005",
    GrpcOriginGroup = "FW-GRPC-006",
    GrpcCustomErrors = "FW-GRPC-007",
    GrpcVpcOrigin = "FW-GRPC-008",
    GrpcAllowAll = "FW-GRPC-009",
    GrpcMatchViewer = "FW-GRPC-010",
    GrpcOriginMtls = "FW-GRPC-011",
    LimitResources = "FW-LIMIT-001",
    LimitParameters = "FW-LIMIT-002",
    LimitOutputs = "FW-LIMIT-003",
    LimitMappings = "FW-LIMIT-004",
    LimitInlineBody = "FW-LIMIT-005",
    LimitBody = "FW-LIMIT-006",
    LimitListenerRules = "FW-LIMIT-007",
    LimitTargetGroups = "FW-LIMIT-008",
    LimitCacheBehaviors = "FW-LIMIT-009",
    LoadUnreadable = "FW-LOAD-001",
    LoadSyntax = "FW-LOAD-002",
    LoadNotUtf8 = "FW-LOAD-003",
    LoadDuplicateKey = "FW-LOAD-004",
    RefUnknown = "FW-REF-001",
    RefGetAttUnknown = "FW-REF-002",
    RefGetAttAttribute = "FW-REF-003",
    RefDependsOn = "FW-REF-004",
    RefSubVariable = "FW-REF-005",
    RefCondition = "FW-REF-006",
    RefMapping = "FW-REF-007",
    SchemaInvalid = "FW-SCHEMA-001",
    SchemaUnknownType = "FW-SCHEMA-002",
    SchemaReadOnly = "FW-SCHEMA-003",
    SchemaStructure = "FW-SCHEMA-004",
    SecViewerTls = "FW-SEC-001",
    SecOpenIngress = "FW-SEC-002",
    SecOriginTls = "FW-SEC-003",
    WafCloudfrontScopeRegion = "FW-WAF-001",
    WafRegionalAclOnCloudfront = "FW-WAF-002",
    WafAssociationCloudfront = "FW-WAF-003",
    WafCertificateRegion = "FW-WAF-004",
    WafDdosChallengeGrpc = "FW-WAF-005",
}

impl Code {
    /// The registry entry of this code.
    pub fn rule(self) -> &'static Rule {
        BY_CODE[self as usize]
    }

    /// The severity the code is reported with.
    pub fn severity(self) -> Severity {
        self.rule().severity
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a rule is checked.
#[derive(Clone, Copy)]
pub enum Check {
    /// Its own function, run on every template.
    Fn(fn(&mut Ctx<'_>)),
    /// Checked by the function of another rule, in the same pass (one walk for the family).
    With(Code),
    /// Found by the engine before the rules run (loader, structure, schema validation): where.
    Engine(&'static str),
}

/// One rule: everything about a code in one value.
#[derive(Clone, Copy)]
pub struct Rule {
    /// Stable code.
    pub code: Code,
    /// Severity it is reported with.
    pub severity: Severity,
    /// One-line summary (the table in `docs/rules.md`).
    pub summary: &'static str,
    /// What is wrong and why (Markdown).
    pub what: &'static str,
    /// How to fix it (Markdown).
    pub fix: &'static str,
    /// Where the fact comes from: FACTS.md sections, AWS documentation URLs, issues.
    pub source: &'static str,
    /// The check.
    pub check: Check,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("code", &self.code)
            .field("severity", &self.severity)
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

/// Every family's rules.
fn families() -> [&'static [Rule]; 13] {
    use super::rules::{
        cloudfront, ecs, eks, elbv2, events, fns, graph, limits, refs, security, waf,
    };
    [
        super::engine::LOAD,
        super::engine::SCHEMA,
        cloudfront::RULES,
        ecs::RULES,
        eks::RULES,
        elbv2::RULES,
        events::RULES,
        fns::RULES,
        graph::RULES,
        limits::RULES,
        refs::RULES,
        security::RULES,
        waf::RULES,
    ]
}

/// The whole registry, in code order.
pub static RULES: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
    let mut v: Vec<&'static Rule> = families().into_iter().flatten().collect();
    v.sort_by_key(|r| r.code);
    v
});

/// Rule by `Code as usize`. Panics at first use if a code has no rule or two (the registry
/// test runs this).
static BY_CODE: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
    let mut by: Vec<Option<&'static Rule>> = vec![None; Code::ALL.len()];
    for r in RULES.iter() {
        let slot = &mut by[r.code as usize];
        assert!(slot.is_none(), "{} registered twice", r.code);
        *slot = Some(r);
    }
    by.into_iter()
        .zip(Code::ALL)
        .map(|(r, c)| r.unwrap_or_else(|| panic!("{c} has no rule in the registry")))
        .collect()
});

/// The rule for a printed code (`"FW-GRPC-001"`).
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code.as_str() == code)
}

/// Runs every rule that has its own function.
pub fn run_all(ctx: &mut Ctx<'_>) {
    for r in RULES.iter() {
        if let Check::Fn(f) = r.check {
            f(ctx);
        }
    }
}

/// `docs/rules.md`: the preamble (`rules_preamble.md`), a table of every rule, then one section
/// per rule. Regenerate with `FORMWORK_UPDATE_DOCS=1 cargo test -p formwork-constructs
/// --test validate_corpus rules_doc`.
pub fn markdown() -> String {
    use std::fmt::Write as _;
    let mut s = String::from(
        "<!-- Generated from the rule registry (constructs/src/validate/registry.rs and each \
         family's RULES); do not edit: FORMWORK_UPDATE_DOCS=1 cargo test -p formwork-constructs \
         --test validate_corpus rules_doc -->\n",
    );
    s.push_str(include_str!("rules_preamble.md"));
    s.push_str("\n| Code | Severity | Title |\n|---|---|---|\n");
    for r in RULES.iter() {
        let c = r.code.as_str();
        let _ = writeln!(
            s,
            "| [{c}](#{}) | {} | {} |",
            c.to_ascii_lowercase(),
            r.severity.as_str(),
            r.summary
        );
    }
    for r in RULES.iter() {
        let _ = write!(
            s,
            "\n## {}\n\n**{}** — {}.\n\n* **What / why:** {}\n* **Fix:** {}\n* **Source:** {}\n",
            r.code,
            r.severity.as_str(),
            r.summary,
            r.what,
            r.fix,
            r.source
        );
    }
    s
}
