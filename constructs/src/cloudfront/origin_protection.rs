//! Origin protection for an internet-facing ALB behind CloudFront: the secret origin header
//! ([`OriginVerifyHeader`]) that the ALB listener checks, and the security-group ingress from
//! CloudFront's origin-facing managed prefix list ([`CloudFrontPrefixList`]).

use crate::core::{Attr, Error, Lookup, Parameter, Scope, Stack, Val, list};
use crate::ec2::{Peer, PrefixListId, SecurityGroupHandle, allow_ingress, prefix_list_parameter};
use crate::elbv2::{DefaultAction, ExtraCondition, ListenerHandle, TargetGroupHandle};
use crate::l1::elbv2::listener_rule as rule;

/// The name of CloudFront's origin-facing managed prefix list (IPv4).
pub const ORIGIN_FACING: &str = "com.amazonaws.global.cloudfront.origin-facing";

/// Default name of the secret origin header.
pub const ORIGIN_VERIFY_HEADER: &str = "X-Origin-Verify";

/// Marker for the secret origin header value (a `NoEcho` parameter).
pub enum OriginSecret {}

/// The secret header CloudFront adds to every origin request and the ALB requires.
///
/// CloudFront DG: [Restrict access to Application Load Balancers](https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/restrict-access-to-load-balancer.html).
#[derive(Debug, Clone, PartialEq)]
pub struct OriginVerifyHeader {
    /// Header name. Default in the constructors: [`ORIGIN_VERIFY_HEADER`].
    pub name: String,
    /// Header value: in practice a `Ref` to a `NoEcho` parameter.
    pub value: Val<String>,
}

impl OriginVerifyHeader {
    /// Adds a `NoEcho` `String` parameter `param_id` (32–256 characters, no default) to `stack`
    /// and returns `X-Origin-Verify: <that parameter>`. `formwork deploy` generates its value
    /// (48 letters and digits) on the stack's first deploy and keeps it after
    /// ([`Lookup::GeneratedSecret`]). Keep the distribution and the ALB listener rules that check
    /// the header in the same stack, so one value serves both.
    pub fn from_new_parameter(
        stack: &mut Stack,
        param_id: &str,
    ) -> Result<OriginVerifyHeader, Error> {
        let mut p = Parameter::string(
            "Secret value of the X-Origin-Verify header that CloudFront sends and the ALB requires (32+ characters). formwork deploy generates it on the first deploy and keeps it after",
        );
        p.no_echo = true;
        p.lookup = Some(Lookup::GeneratedSecret { length: 48 });
        p.min_length = Some(32);
        p.max_length = Some(256);
        let r: Attr<OriginSecret> = stack.add_parameter(param_id, p)?;
        Ok(OriginVerifyHeader {
            name: ORIGIN_VERIFY_HEADER.to_owned(),
            value: r.into(),
        })
    }

    /// The listener-rule condition for [`crate::elbv2::GrpcRoute`]'s `extra` argument.
    pub fn condition(&self) -> ExtraCondition {
        ExtraCondition::Header {
            name: self.name.clone(),
            value: self.value.clone(),
        }
    }

    /// The listener default action to use with origin protection: a fixed 403, so that a
    /// request without the header (or for an unknown service) is refused.
    pub fn listener_default_action() -> DefaultAction {
        DefaultAction::Fixed {
            status: 403,
            body: "direct access to the origin is not allowed".to_owned(),
        }
    }

    /// Adds a listener rule as `scope/id` that forwards every request carrying the header to
    /// `target` (a catch-all for a listener that serves one gRPC backend; use
    /// [`crate::elbv2::GrpcRoute`] with [`OriginVerifyHeader::condition`] to route per service).
    ///
    /// CloudFormation: [`AWS::ElasticLoadBalancingV2::ListenerRule`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-listenerrule.html).
    pub fn forward_verified(
        &self,
        scope: &mut Scope<'_>,
        id: &str,
        listener: &ListenerHandle,
        priority: u32,
        target: &TargetGroupHandle,
    ) -> Result<String, Error> {
        let mut s = scope.child(id)?;
        if !(1..=50000).contains(&priority) {
            return Err(s.error(format!("rule priority {priority} must be 1–50000")));
        }
        let condition = rule::RuleCondition {
            field: Some("http-header".into()),
            http_header_config: Some(
                rule::HttpHeaderConfig {
                    http_header_name: Some(self.name.clone().into()),
                    values: Some(Val::Lit(vec![self.value.clone()])),
                    ..Default::default()
                }
                .into(),
            ),
            ..Default::default()
        };
        let r = s.add(
            "Resource",
            rule::ListenerRule {
                listener_arn: Some((&listener.arn).into()),
                ..rule::ListenerRule::new(
                    list([Val::from(rule::Action {
                        target_group_arn: Some((&target.arn).into()),
                        ..rule::Action::new(rule::ActionType::Forward)
                    })]),
                    list([Val::from(condition)]),
                    i64::from(priority),
                )
            },
        )?;
        Ok(r.logical_id().to_owned())
    }
}

/// CloudFront's origin-facing managed prefix list (`com.amazonaws.global.cloudfront.origin-facing`).
///
/// CloudFormation has no intrinsic that looks a prefix list up by name, and its id differs per
/// Region, so formwork takes it as the stack parameter `CloudFrontPrefixListId`
/// (`String`, pattern `^pl-[0-9a-f]+$`). Verified ids: only **`pl-3b927c52` for `us-east-1`**
/// (seen hard-coded in public code; a secondary source). When the stack is pinned to
/// `us-east-1` that id is the parameter's default; in any other Region, and in region-agnostic
/// stacks, the parameter has no default and the operator passes the id printed by
/// `aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing`.
/// No Mappings table is emitted: a table of unverified ids would fail silently at deploy.
///
/// The list weighs **55** rules against the security group's rules quota (default 60 inbound).
pub struct CloudFrontPrefixList;

/// Known origin-facing prefix list ids by Region (see [`CloudFrontPrefixList`] for provenance).
pub const KNOWN_PREFIX_LISTS: [(&str, &str); 1] = [("us-east-1", "pl-3b927c52")];

impl CloudFrontPrefixList {
    /// The parameter id.
    pub const PARAMETER: &'static str = "CloudFrontPrefixListId";

    /// Adds (once per stack) the `CloudFrontPrefixListId` parameter and returns a `Ref` to it.
    pub fn parameter(stack: &mut Stack) -> Result<Attr<PrefixListId>, Error> {
        let known = stack
            .region()
            .and_then(|r| KNOWN_PREFIX_LISTS.iter().find(|(k, _)| *k == r))
            .map(|(_, id)| *id);
        let mut p = Parameter::string(
            "Id of the managed prefix list com.amazonaws.global.cloudfront.origin-facing in this Region (aws ec2 describe-managed-prefix-lists)",
        )
        .with_pattern("^pl-[0-9a-f]+$", "a prefix list id such as pl-3b927c52");
        if let Some(id) = known {
            p = p.with_default(id);
        }
        prefix_list_parameter(stack, Self::PARAMETER, ORIGIN_FACING, p)
    }

    /// Adds the parameter if needed and an `AWS::EC2::SecurityGroupIngress` as `scope/id`
    /// opening TCP `port` on `group` to CloudFront's origin-facing ranges only.
    pub fn allow_ingress(
        scope: &mut Scope<'_>,
        id: &str,
        group: &SecurityGroupHandle,
        port: u16,
    ) -> Result<String, Error> {
        let pl = Self::parameter(scope.stack())?;
        allow_ingress(
            scope,
            id,
            group,
            Peer::PrefixList(pl),
            port,
            port,
            "HTTPS from CloudFront origin-facing ranges only",
        )
    }
}
