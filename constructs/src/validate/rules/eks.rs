//! EKS rules (FACTS.md §4.1): FW-EKS-001/002.

use serde_json::Value;

use super::Ctx;

pub(super) fn run(ctx: &mut Ctx<'_>) {
    for (id, p) in ctx.of_type("AWS::EKS::Cluster") {
        match p.get("AccessConfig").and_then(|a| a.get("AuthenticationMode")) {
            None => ctx.emit(
                "FW-EKS-002",
                Some(id),
                "/Properties",
                "AccessConfig.AuthenticationMode not set: CloudFormation defaults to CONFIG_MAP (aws-auth ConfigMap only, no access entries)",
                "set AccessConfig: {AuthenticationMode: API} (or API_AND_CONFIG_MAP while migrating)",
            ),
            Some(Value::String(m)) if m == "CONFIG_MAP" => ctx.emit(
                "FW-EKS-001",
                Some(id),
                "/Properties/AccessConfig/AuthenticationMode",
                "AuthenticationMode CONFIG_MAP: access is managed only through the aws-auth ConfigMap (deprecated); access entries are unavailable",
                "use AuthenticationMode: API (or API_AND_CONFIG_MAP while migrating)",
            ),
            _ => {}
        }
    }
}
