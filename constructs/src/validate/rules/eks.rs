//! EKS rules (FACTS.md §4.1): FW-EKS-001/002.

use serde_json::Value;

use super::Ctx;
use crate::validate::diagnostic::Severity;
use crate::validate::registry::{Check, Code, Rule};

fn auth_mode(p: &serde_json::Map<String, Value>) -> Option<&Value> {
    p.get("AccessConfig")
        .and_then(|a| a.get("AuthenticationMode"))
}

fn default_auth_mode(ctx: &mut Ctx<'_>) {
    for (id, p) in ctx.of_type("AWS::EKS::Cluster") {
        if auth_mode(p).is_none() {
            ctx.emit(
                Code::EksDefaultAuthMode,
                Some(id),
                "/Properties",
                "AccessConfig.AuthenticationMode not set: CloudFormation defaults to CONFIG_MAP (aws-auth ConfigMap only, no access entries)",
                "set AccessConfig: {AuthenticationMode: API} (or API_AND_CONFIG_MAP while migrating)",
            );
        }
    }
}

fn config_map_mode(ctx: &mut Ctx<'_>) {
    for (id, p) in ctx.of_type("AWS::EKS::Cluster") {
        if auth_mode(p).and_then(Value::as_str) == Some("CONFIG_MAP") {
            ctx.emit(
                Code::EksConfigMapMode,
                Some(id),
                "/Properties/AccessConfig/AuthenticationMode",
                "AuthenticationMode CONFIG_MAP: access is managed only through the aws-auth ConfigMap (deprecated); access entries are unavailable",
                "use AuthenticationMode: API (or API_AND_CONFIG_MAP while migrating)",
            );
        }
    }
}

/// The rules of this family (see [`crate::validate::registry`]).
pub(crate) const RULES: &[Rule] = &[
    Rule {
        code: Code::EksConfigMapMode,
        severity: Severity::Warning,
        summary: "EKS AuthenticationMode CONFIG_MAP (aws-auth ConfigMap only)",
        what: "access is managed only through the deprecated aws-auth ConfigMap; EKS access entries (API) are unavailable, and changing mode later is one-way.",
        fix: "`AccessConfig: {AuthenticationMode: API}` (or `API_AND_CONFIG_MAP` while migrating).",
        source: "FACTS.md §4.1; https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-cluster.html",
        check: Check::Fn(config_map_mode),
    },
    Rule {
        code: Code::EksDefaultAuthMode,
        severity: Severity::Warning,
        summary: "EKS cluster without AccessConfig.AuthenticationMode (defaults to CONFIG_MAP)",
        what: "CloudFormation's default AuthenticationMode is `CONFIG_MAP` (the console's is `API_AND_CONFIG_MAP`), so an omitted AccessConfig silently picks the legacy mode.",
        fix: "set `AccessConfig.AuthenticationMode: API` explicitly.",
        source: "FACTS.md §4.1, §10",
        check: Check::Fn(default_auth_mode),
    },
];
