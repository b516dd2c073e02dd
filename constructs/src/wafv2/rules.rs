//! Typed WAF rules for a [`super::WebAcl`]: managed rule groups with per-rule action overrides,
//! rate limits, IP-set matches and label matches, and how each renders into
//! `AWS::WAFv2::WebACL` `Rules`.

use serde_json::json;

use crate::core::{Attr, Val};
use crate::l1::wafv2::web_acl as l1;

use super::ip_set::IpSetArn;

/// What a rule does when it matches. Captcha and Challenge are left out on purpose: gRPC clients
/// cannot solve them, so they would only turn into opaque failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WafAction {
    /// Let the request through (terminates evaluation).
    Allow,
    /// Refuse the request with 403 (terminates evaluation). The default.
    #[default]
    Block,
    /// Count and label the request, then keep evaluating.
    Count,
}

impl WafAction {
    fn rule_action(self) -> l1::RuleAction {
        match self {
            WafAction::Allow => l1::RuleAction {
                allow: Some(l1::AllowAction::new().into()),
                ..Default::default()
            },
            WafAction::Block => l1::RuleAction {
                block: Some(l1::BlockAction::new().into()),
                ..Default::default()
            },
            WafAction::Count => l1::RuleAction {
                count: Some(l1::CountAction::new().into()),
                ..Default::default()
            },
        }
    }
}

/// The AWS managed rule groups formwork knows by name (vendor `AWS`).
///
/// See the [baseline rule groups](https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AwsManagedGroup {
    /// `AWSManagedRulesAmazonIpReputationList` (25 WCU).
    AmazonIpReputationList,
    /// `AWSManagedRulesAnonymousIpList` (VPNs, proxies, Tor, hosting providers).
    AnonymousIpList,
    /// `AWSManagedRulesKnownBadInputsRuleSet` (200 WCU; includes the Log4j rules).
    KnownBadInputsRuleSet,
    /// `AWSManagedRulesCommonRuleSet`, the Core rule set (700 WCU). Its `*_BODY` rules are
    /// ignored for gRPC requests (at the ALB and at CloudFront): see [`CRS_BODY_RULES`].
    CommonRuleSet,
    /// `AWSManagedRulesAdminProtectionRuleSet` (100 WCU).
    AdminProtectionRuleSet,
    /// `AWSManagedRulesSQLiRuleSet`.
    SqliRuleSet,
    /// `AWSManagedRulesLinuxRuleSet`.
    LinuxRuleSet,
    /// `AWSManagedRulesUnixRuleSet`.
    UnixRuleSet,
}

impl AwsManagedGroup {
    /// The rule group name.
    pub fn as_str(self) -> &'static str {
        match self {
            AwsManagedGroup::AmazonIpReputationList => "AWSManagedRulesAmazonIpReputationList",
            AwsManagedGroup::AnonymousIpList => "AWSManagedRulesAnonymousIpList",
            AwsManagedGroup::KnownBadInputsRuleSet => "AWSManagedRulesKnownBadInputsRuleSet",
            AwsManagedGroup::CommonRuleSet => "AWSManagedRulesCommonRuleSet",
            AwsManagedGroup::AdminProtectionRuleSet => "AWSManagedRulesAdminProtectionRuleSet",
            AwsManagedGroup::SqliRuleSet => "AWSManagedRulesSQLiRuleSet",
            AwsManagedGroup::LinuxRuleSet => "AWSManagedRulesLinuxRuleSet",
            AwsManagedGroup::UnixRuleSet => "AWSManagedRulesUnixRuleSet",
        }
    }
}

/// The Core rule set rules that inspect the request body. WAF ignores body inspection rules for
/// gRPC requests at the ALB and at CloudFront (FACTS.md §3.3), so gRPC needs no override; the
/// opt-in [`super::WafPreset::GrpcRegional`] sets them to Count for non-gRPC bodies that trip
/// them.
pub const CRS_BODY_RULES: [&str; 5] = [
    "SizeRestrictions_BODY",
    "CrossSiteScripting_BODY",
    "GenericLFI_BODY",
    "GenericRFI_BODY",
    "EC2MetaDataSSRF_BODY",
];

/// A managed rule group reference, with optional per-rule action overrides.
///
/// CloudFormation: [`ManagedRuleGroupStatement`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-wafv2-webacl-managedrulegroupstatement.html).
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedRuleGroup {
    /// The group.
    pub group: AwsManagedGroup,
    /// Rule name in the ACL. Default: the group name.
    pub name: Option<String>,
    /// `RuleActionOverrides`: rule name inside the group → action to use instead. Default: none.
    pub overrides: Vec<(String, WafAction)>,
    /// Count everything the group matches instead of applying its actions (`OverrideAction:
    /// Count`): the way to trial a group. Default: false (`OverrideAction: None`).
    pub count_only: bool,
    /// Pin a group version. Default: none (the group's default version).
    pub version: Option<String>,
}

/// How a rate-based rule groups requests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RateKey {
    /// The connecting IP. Behind CloudFront an ALB sees only edge IPs: use
    /// [`RateKey::ForwardedIp`] there, or rate-limit in the CloudFront ACL. The default.
    #[default]
    Ip,
    /// An IP taken from a header (first address of `X-Forwarded-For`).
    ForwardedIp {
        /// Header name, e.g. `X-Forwarded-For`.
        header: String,
        /// What to do when the header is missing or malformed.
        fallback: ForwardedIpFallback,
    },
}

/// `FallbackBehavior` of a forwarded-IP configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForwardedIpFallback {
    /// Treat the request as matching (counts towards the limit of one shared bucket). The default.
    #[default]
    Match,
    /// Treat the request as not matching.
    NoMatch,
}

/// `EvaluationWindowSec` of a rate-based rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RateWindow {
    /// 60 s.
    OneMinute,
    /// 120 s.
    TwoMinutes,
    /// 300 s. The default (WAF's own default).
    #[default]
    FiveMinutes,
    /// 600 s.
    TenMinutes,
}

impl RateWindow {
    fn seconds(self) -> i64 {
        match self {
            RateWindow::OneMinute => 60,
            RateWindow::TwoMinutes => 120,
            RateWindow::FiveMinutes => 300,
            RateWindow::TenMinutes => 600,
        }
    }
}

/// A rate-based rule: at most `limit` requests per key per window.
///
/// CloudFormation: [`RateBasedStatement`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-wafv2-webacl-ratebasedstatement.html).
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimit {
    /// Rule name (letters, digits, `_`, `-`; ≤128).
    pub name: String,
    /// Requests per key per window: 10–2,000,000,000.
    pub limit: u64,
    /// Default: [`RateWindow::FiveMinutes`].
    pub window: RateWindow,
    /// Default: [`RateKey::Ip`].
    pub key: RateKey,
    /// Default: [`WafAction::Block`].
    pub action: WafAction,
}

impl RateLimit {
    /// A per-IP limit named `RateLimitPerIp` that blocks, over 5 minutes.
    pub fn per_ip(limit: u64) -> RateLimit {
        RateLimit {
            name: "RateLimitPerIp".to_owned(),
            limit,
            window: RateWindow::default(),
            key: RateKey::Ip,
            action: WafAction::Block,
        }
    }

    /// A per-client limit keyed on the first `X-Forwarded-For` address (for an ALB behind
    /// CloudFront), named `RateLimitPerClientIp`.
    pub fn per_forwarded_ip(limit: u64) -> RateLimit {
        RateLimit {
            name: "RateLimitPerClientIp".to_owned(),
            key: RateKey::ForwardedIp {
                header: "X-Forwarded-For".to_owned(),
                fallback: ForwardedIpFallback::Match,
            },
            ..RateLimit::per_ip(limit)
        }
    }
}

/// A rule that applies `action` to requests from the addresses of an [`super::IpSet`].
#[derive(Debug, Clone, PartialEq)]
pub struct IpSetMatch {
    /// Rule name.
    pub name: String,
    /// The IP set (`IpSetHandle::arn`).
    pub ip_set_arn: Attr<IpSetArn>,
    /// Default: block.
    pub action: WafAction,
}

/// Whether a label match names one label or a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LabelScope {
    /// One label (`awswaf:managed:aws:core-rule-set:SizeRestrictions_Body`). The default.
    #[default]
    Label,
    /// A namespace (`awswaf:managed:aws:core-rule-set:`).
    Namespace,
}

/// A rule that matches labels added by earlier rules (e.g. re-block a CRS rule that the
/// gRPC preset set to Count). Label rules always run after every other kind of rule.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelMatch {
    /// Rule name.
    pub name: String,
    /// The label or namespace key.
    pub key: String,
    /// Default: [`LabelScope::Label`].
    pub scope: LabelScope,
    /// Default: block.
    pub action: WafAction,
}

/// One rule of a web ACL.
#[derive(Debug, Clone, PartialEq)]
pub enum WafRule {
    /// An IP-set match (runs first).
    IpSet(IpSetMatch),
    /// A rate-based rule (runs second).
    RateLimit(RateLimit),
    /// A managed rule group (runs third).
    Managed(ManagedRuleGroup),
    /// A label match (runs last, after the rules that add labels).
    Label(LabelMatch),
}

impl WafRule {
    /// A managed group with its own actions and no overrides.
    pub fn managed(group: AwsManagedGroup) -> WafRule {
        WafRule::Managed(ManagedRuleGroup {
            group,
            name: None,
            overrides: Vec::new(),
            count_only: false,
            version: None,
        })
    }

    /// A managed group with per-rule action overrides.
    pub fn managed_with_overrides(
        group: AwsManagedGroup,
        overrides: &[(&str, WafAction)],
    ) -> WafRule {
        WafRule::Managed(ManagedRuleGroup {
            group,
            name: None,
            overrides: overrides
                .iter()
                .map(|(n, a)| ((*n).to_owned(), *a))
                .collect(),
            count_only: false,
            version: None,
        })
    }

    /// The rule's name in the ACL.
    pub fn name(&self) -> String {
        match self {
            WafRule::IpSet(r) => r.name.clone(),
            WafRule::RateLimit(r) => r.name.clone(),
            WafRule::Managed(r) => r
                .name
                .clone()
                .unwrap_or_else(|| r.group.as_str().to_owned()),
            WafRule::Label(r) => r.name.clone(),
        }
    }

    /// Evaluation band: IP sets, then rate limits, then managed groups, then label matches.
    pub(crate) fn band(&self) -> u8 {
        match self {
            WafRule::IpSet(_) => 0,
            WafRule::RateLimit(_) => 1,
            WafRule::Managed(_) => 2,
            WafRule::Label(_) => 3,
        }
    }

    /// Checks the rule's own invariants.
    pub(crate) fn check(&self) -> Result<(), String> {
        let name = self.name();
        if name.is_empty()
            || name.len() > 128
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "WAF rule name `{name}` must be 1–128 letters, digits, `_` or `-`"
            ));
        }
        match self {
            WafRule::RateLimit(r) => {
                if !(10..=2_000_000_000).contains(&r.limit) {
                    return Err(format!(
                        "rate limit `{name}`: limit {} must be 10–2,000,000,000",
                        r.limit
                    ));
                }
                if let RateKey::ForwardedIp { header, .. } = &r.key
                    && (header.is_empty() || header.len() > 255)
                {
                    return Err(format!(
                        "rate limit `{name}`: the forwarded-IP header name must be 1–255 characters"
                    ));
                }
            }
            WafRule::Managed(m) => {
                let mut seen = std::collections::BTreeSet::new();
                for (rule, _) in &m.overrides {
                    if rule.is_empty() {
                        return Err(format!(
                            "managed group `{name}`: an override names an empty rule"
                        ));
                    }
                    if !seen.insert(rule.as_str()) {
                        return Err(format!(
                            "managed group `{name}`: rule `{rule}` is overridden twice"
                        ));
                    }
                }
            }
            WafRule::Label(l) => {
                if l.key.is_empty() || l.key.len() > 1024 {
                    return Err(format!(
                        "label match `{name}`: the key must be 1–1024 characters"
                    ));
                }
            }
            WafRule::IpSet(_) => {}
        }
        Ok(())
    }

    /// Renders the rule at `priority` with CloudWatch metric `metric`.
    pub(crate) fn render(&self, priority: i64, metric: String) -> l1::Rule {
        let visibility = l1::VisibilityConfig::new(true, metric, true);
        let mut statement = l1::Statement::new();
        let mut action = None;
        let mut override_action = None;
        match self {
            WafRule::IpSet(r) => {
                statement.ip_set_reference_statement =
                    Some(l1::IpSetReferenceStatement::new(&r.ip_set_arn).into());
                action = Some(r.action.rule_action());
            }
            WafRule::RateLimit(r) => {
                let (key_type, forwarded) = match &r.key {
                    RateKey::Ip => (l1::AggregateKeyType::Ip, None),
                    RateKey::ForwardedIp { header, fallback } => (
                        l1::AggregateKeyType::ForwardedIp,
                        Some(
                            l1::ForwardedIpConfiguration::new(
                                match fallback {
                                    ForwardedIpFallback::Match => l1::FallbackBehavior::Match,
                                    ForwardedIpFallback::NoMatch => l1::FallbackBehavior::NoMatch,
                                },
                                header.as_str(),
                            )
                            .into(),
                        ),
                    ),
                };
                statement.rate_based_statement = Some(Val::Lit(Box::new(l1::RateBasedStatement {
                    evaluation_window_sec: Some(r.window.seconds().into()),
                    forwarded_ip_config: forwarded,
                    ..l1::RateBasedStatement::new(key_type, r.limit as i64)
                })));
                action = Some(r.action.rule_action());
            }
            WafRule::Managed(m) => {
                let overrides: Vec<Val<l1::RuleActionOverride>> = m
                    .overrides
                    .iter()
                    .map(|(rule, a)| {
                        l1::RuleActionOverride::new(a.rule_action(), rule.as_str()).into()
                    })
                    .collect();
                statement.managed_rule_group_statement =
                    Some(Val::Lit(Box::new(l1::ManagedRuleGroupStatement {
                        rule_action_overrides: if overrides.is_empty() {
                            None
                        } else {
                            Some(Val::Lit(overrides))
                        },
                        version: m.version.clone().map(Val::from),
                        ..l1::ManagedRuleGroupStatement::new(m.group.as_str(), "AWS")
                    })));
                override_action = Some(if m.count_only {
                    l1::OverrideAction {
                        count: Some(Val::Lit(json!({}))),
                        none: None,
                    }
                } else {
                    l1::OverrideAction {
                        count: None,
                        none: Some(Val::Lit(json!({}))),
                    }
                });
            }
            WafRule::Label(l) => {
                statement.label_match_statement = Some(
                    l1::LabelMatchStatement::new(
                        l.key.as_str(),
                        match l.scope {
                            LabelScope::Label => l1::LabelMatchScope::Label,
                            LabelScope::Namespace => l1::LabelMatchScope::Namespace,
                        },
                    )
                    .into(),
                );
                action = Some(l.action.rule_action());
            }
        }
        l1::Rule {
            action: action.map(Val::from),
            override_action: override_action.map(Val::from),
            ..l1::Rule::new(self.name(), priority, statement, visibility)
        }
    }
}
