//! Amazon Resource Names: `arn:<partition>:<service>:<region>:<account>:<resource>`, parsed to
//! check what a user gives (imports, config values) before it reaches a template.

/// A parsed ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub partition: &'a str,
    /// `acm`, `wafv2`, `elasticloadbalancing`, …
    pub service: &'a str,
    /// The Region (empty for global services such as IAM).
    pub region: &'a str,
    /// The account id (12 digits; empty for some AWS-owned resources).
    pub account: &'a str,
    /// The rest: `certificate/…`, `regional/webacl/…`, …
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Parses `s`; the error says what is wrong.
    pub fn parse(s: &'a str) -> Result<Arn<'a>, String> {
        let parts: Vec<&str> = s.splitn(6, ':').collect();
        let [arn, partition, service, region, account, resource] = parts[..] else {
            return Err(format!(
                "`{s}` is not an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)"
            ));
        };
        if arn != "arn" || !partition.starts_with("aws") {
            return Err(format!(
                "`{s}` is not an ARN: it must start with arn:aws (or arn:aws-cn, arn:aws-us-gov, …)"
            ));
        }
        if service.is_empty() || resource.is_empty() {
            return Err(format!(
                "`{s}` is not an ARN: the service and resource parts are empty"
            ));
        }
        if !account.is_empty()
            && (account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(format!(
                "`{s}`: the account id `{account}` is not 12 digits"
            ));
        }
        Ok(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// Parses `s` and checks its service and the start of its resource part.
    pub fn parse_of(s: &'a str, service: &str, resource_prefix: &str) -> Result<Arn<'a>, String> {
        let a = Arn::parse(s)?;
        if a.service != service {
            return Err(format!(
                "`{s}` is an ARN of service `{}`, expected `{service}`",
                a.service
            ));
        }
        if !a.resource.starts_with(resource_prefix) {
            return Err(format!(
                "`{s}` is not a `{resource_prefix}…` ARN of `{service}`"
            ));
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_checks() {
        let a = Arn::parse_of(
            "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            "acm",
            "certificate/",
        )
        .unwrap();
        assert_eq!(
            (a.region, a.account, a.resource),
            ("us-east-1", "123456789012", "certificate/abc")
        );
        assert!(Arn::parse("arn:aws:iam::123456789012:role/x").is_ok());
        for bad in [
            "",
            "arn:aws:acm",
            "nope:aws:acm:r:123456789012:x",
            "arn:aws:acm:r:12:x",
            "arn:aws::r:123456789012:x",
        ] {
            assert!(Arn::parse(bad).is_err(), "{bad}");
        }
        let e = Arn::parse_of(
            "arn:aws:ecr:eu-west-1:123456789012:repository/x",
            "wafv2",
            "",
        )
        .unwrap_err();
        assert!(e.contains("service `ecr`, expected `wafv2`"), "{e}");
    }
}
