//! What an `aws` CLI failure means, in words, with the next step: no credentials, expired
//! credentials, rejected credentials, an unreachable endpoint — or anything else (shown as the
//! CLI printed it). The missing CLI itself is [`super::DeployError::NoCli`] (the process cannot
//! start).
//!
//! The texts matched are botocore's own messages (botocore 1.43 `exceptions.py`:
//! `NoCredentialsError` "Unable to locate credentials", `PartialCredentialsError`,
//! `ProfileNotFound` "The config profile (…) could not be found", `EndpointConnectionError`
//! "Could not connect to the endpoint URL", `ConnectTimeoutError`, `ReadTimeoutError`,
//! `ProxyConnectionError`, `UnauthorizedSSOTokenError` "The SSO session associated with this
//! profile has expired", `TokenRetrievalError` "… Token has expired and refresh failed",
//! `LoginRefreshRequired` "Your session has expired") and the service error codes a `ClientError`
//! prints as `An error occurred (CODE) when calling …` (`ExpiredToken`, `ExpiredTokenException`,
//! `RequestExpired`, `InvalidClientTokenId`, `SignatureDoesNotMatch`,
//! `UnrecognizedClientException`).

use std::fmt;

/// The kind of an `aws` failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No credentials found (nothing configured, a partial key pair, an unknown profile).
    NoCredentials,
    /// Credentials found but expired (session token, SSO session, clock skew).
    ExpiredCredentials,
    /// Credentials sent and refused (a wrong or deleted access key).
    RejectedCredentials,
    /// The endpoint (or a proxy) cannot be reached.
    Unreachable,
    /// Anything else: the CLI's own message is the best there is.
    Other,
}

/// A classified failure of one `aws` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsFailure {
    /// What kind.
    pub kind: Kind,
    /// The command, as printed (masked).
    pub command: String,
    /// What the CLI printed on stderr (trimmed, masked).
    pub detail: String,
    /// What to do next.
    pub next: String,
}

impl fmt::Display for AwsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            Kind::NoCredentials => "no AWS credentials found",
            Kind::ExpiredCredentials => "the AWS credentials have expired",
            Kind::RejectedCredentials => "AWS rejected the credentials",
            Kind::Unreachable => "the AWS endpoint cannot be reached",
            Kind::Other => "the AWS CLI failed",
        };
        write!(
            f,
            "{what} (`{}` failed):\n  {}\n  {}",
            self.command,
            self.detail.replace('\n', "\n  "),
            self.next
        )
    }
}

/// Where the CLI was pointed, for the messages: `--profile` and `AWS_ENDPOINT_URL`.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// `--profile`, if given.
    pub profile: Option<String>,
    /// `AWS_ENDPOINT_URL`, if set.
    pub endpoint_url: Option<String>,
}

impl Target {
    /// From the options and the environment.
    pub fn current(profile: Option<&str>) -> Target {
        Target {
            profile: profile.map(str::to_owned),
            endpoint_url: std::env::var("AWS_ENDPOINT_URL")
                .ok()
                .filter(|v| !v.is_empty()),
        }
    }
}

/// The kind of failure `stderr` describes.
pub fn kind(stderr: &str) -> Kind {
    let has = |needles: &[&str]| needles.iter().any(|n| stderr.contains(n));
    if has(&[
        "Could not connect to the endpoint URL",
        "Connect timeout on endpoint URL",
        "Read timeout on endpoint URL",
        "Failed to connect to proxy URL",
    ]) {
        Kind::Unreachable
    } else if has(&[
        "Unable to locate credentials",
        "Partial credentials found",
        "could not be found",
    ]) && has(&["credentials", "config profile"])
    {
        Kind::NoCredentials
    } else if has(&[
        "(ExpiredToken)",
        "(ExpiredTokenException)",
        "(RequestExpired)",
        "security token included in the request is expired",
        "SSO session associated with this profile has expired",
        "Token has expired and refresh failed",
        "Your session has expired",
    ]) {
        Kind::ExpiredCredentials
    } else if has(&[
        "(InvalidClientTokenId)",
        "(SignatureDoesNotMatch)",
        "(UnrecognizedClientException)",
    ]) {
        Kind::RejectedCredentials
    } else {
        Kind::Other
    }
}

/// The next step for a kind of failure.
pub fn next_step(k: Kind, stderr: &str, t: &Target) -> String {
    let profile = t
        .profile
        .as_deref()
        .map(|p| format!(" --profile {p}"))
        .unwrap_or_default();
    match k {
        Kind::NoCredentials if stderr.contains("config profile") => format!(
            "the profile does not exist: check --profile / AWS_PROFILE against `aws configure list-profiles`{}",
            if profile.is_empty() { "" } else { " (or drop --profile)" }
        ),
        Kind::NoCredentials => format!(
            "configure credentials and retry: `aws configure{profile}` (access keys), `aws sso login{profile}` (IAM Identity Center), or export AWS_PROFILE / AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        ),
        Kind::ExpiredCredentials if stderr.contains("(RequestExpired)") => {
            "the request was signed with a wrong time: set the system clock right (NTP) and retry"
                .to_owned()
        }
        Kind::ExpiredCredentials => format!(
            "refresh them and retry: `aws sso login{profile}` for an SSO profile, otherwise get new temporary credentials (a new AWS_SESSION_TOKEN with its key pair, e.g. `aws sts assume-role` again)"
        ),
        Kind::RejectedCredentials => format!(
            "the access key is wrong, deleted or inactive, or the secret does not match: check `aws configure list{profile}` and the key in IAM, then retry"
        ),
        Kind::Unreachable => match &t.endpoint_url {
            Some(u) => format!(
                "nothing answers at AWS_ENDPOINT_URL={u}: start the emulator there, or unset AWS_ENDPOINT_URL to use AWS"
            ),
            None => "check the network (a proxy: HTTPS_PROXY / NO_PROXY) and the Region (--region: a Region that does not exist has no endpoint), then retry".to_owned(),
        },
        Kind::Other => "see the CLI's message above".to_owned(),
    }
}

/// Classifies a failed command's stderr.
pub fn classify(command: &str, stderr: &str, t: &Target) -> AwsFailure {
    let k = kind(stderr);
    AwsFailure {
        kind: k,
        command: command.to_owned(),
        detail: stderr.trim().to_owned(),
        next: next_step(k, stderr, t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn botocore_messages_are_classified() {
        for (stderr, k) in [
            (
                "\nUnable to locate credentials. You can configure credentials by running \"aws configure\".",
                Kind::NoCredentials,
            ),
            (
                "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY",
                Kind::NoCredentials,
            ),
            (
                "The config profile (prod) could not be found",
                Kind::NoCredentials,
            ),
            (
                "An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token included in the request is expired",
                Kind::ExpiredCredentials,
            ),
            (
                "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.",
                Kind::ExpiredCredentials,
            ),
            (
                "Error when retrieving token from sso: Token has expired and refresh failed",
                Kind::ExpiredCredentials,
            ),
            (
                "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid.",
                Kind::RejectedCredentials,
            ),
            (
                "\nCould not connect to the endpoint URL: \"http://127.0.0.1:9/\"",
                Kind::Unreachable,
            ),
            (
                "Connect timeout on endpoint URL: \"https://sts.eu-west-1.amazonaws.com/\"",
                Kind::Unreachable,
            ),
            (
                "An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id x does not exist",
                Kind::Other,
            ),
            ("Template file could not be found", Kind::Other),
        ] {
            assert_eq!(kind(stderr), k, "{stderr}");
        }
    }

    #[test]
    fn next_steps_name_the_profile_and_the_endpoint() {
        let t = Target {
            profile: Some("dev".into()),
            endpoint_url: None,
        };
        let f = classify(
            "aws sts get-caller-identity",
            "Unable to locate credentials",
            &t,
        );
        assert!(f.next.contains("aws sso login --profile dev"), "{}", f.next);
        assert!(f.to_string().starts_with(
            "no AWS credentials found (`aws sts get-caller-identity` failed):\n  Unable to locate credentials\n  configure credentials"
        ));
        let t = Target {
            profile: None,
            endpoint_url: Some("http://127.0.0.1:5000".into()),
        };
        let f = classify(
            "aws sts get-caller-identity",
            "Could not connect to the endpoint URL: \"http://127.0.0.1:5000/\"",
            &t,
        );
        assert!(
            f.next.contains("AWS_ENDPOINT_URL=http://127.0.0.1:5000")
                && !f.to_string().contains("credentials"),
            "{f}"
        );
        let f = classify("x", "An error occurred (RequestExpired) when calling", &t);
        assert!(f.next.contains("clock"), "{}", f.next);
    }
}
