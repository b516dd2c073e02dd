//! AWS WAFv2 for gRPC: [`WebAcl`] (typed rules, presets, deterministic priorities) and
//! [`IpSet`].
//!
//! * [`WebAcl::for_alb`] builds a `REGIONAL` web ACL and its `AWS::WAFv2::WebACLAssociation`
//!   with the load balancer. Its default preset is [`WafPreset::Baseline`]: WAF ignores body
//!   inspection rules for gRPC requests at the ALB as at CloudFront (FACTS.md §3.3), so the Core
//!   rule set's `*_BODY` rules stay in force for the non-gRPC requests the ACL also sees.
//! * [`WebAcl::for_cloudfront`] builds a `CLOUDFRONT` web ACL; the stack must be pinned to
//!   `us-east-1`. Pass its `arn` to the distribution's `web_acl_arn`.
//!
//! Rules are typed ([`WafRule`]); priorities follow from the kind and the name of each rule,
//! never from the order they were added in, so the same rules always render the same template.
//!
//! ```
//! use formwork_constructs::core::{Env, Stack};
//! use formwork_constructs::wafv2::*;
//! let mut stack = Stack::new("Edge", Env::region("us-east-1")).unwrap();
//! let mut root = stack.root();
//! let mut acl = WebAcl::for_cloudfront(&mut root, "Waf", WebAclProps::default()).unwrap();
//! acl.add_rule(&mut root, WafRule::managed(AwsManagedGroup::AnonymousIpList)).unwrap();
//! let yaml = stack.to_yaml().unwrap();
//! assert!(yaml.contains("Scope: CLOUDFRONT"));
//! assert!(yaml.contains("AWSManagedRulesAnonymousIpList"));
//! ```

mod ip_set;
mod rules;
mod web_acl;

pub use ip_set::{IpSet, IpSetArn, IpSetHandle, IpSetProps, IpVersion};
pub use rules::{
    AwsManagedGroup, CRS_BODY_RULES, ForwardedIpFallback, IpSetMatch, LabelMatch, LabelScope,
    ManagedRuleGroup, RateKey, RateLimit, RateWindow, WafAction, WafRule,
};
pub use web_acl::{
    WafDefaultAction, WafLogging, WafPreset, WafScope, WebAcl, WebAclArn, WebAclHandle,
    WebAclProps, associate,
};
