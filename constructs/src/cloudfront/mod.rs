//! CloudFront for gRPC: [`Distribution`] in front of an internet-facing ALB, and the origin
//! protection that goes with it ([`OriginVerifyHeader`], [`CloudFrontPrefixList`]).
//!
//! CloudFront VPC origins do not support gRPC, so the ALB stays internet-facing and is locked
//! down twice: its security group admits only CloudFront's origin-facing prefix list, and its
//! listener forwards only requests that carry the secret `X-Origin-Verify` header (default
//! action: a fixed 403).
//!
//! ```
//! use formwork_constructs::cloudfront::*;
//! use formwork_constructs::core::{Env, Stack};
//! let mut stack = Stack::new("Edge", Env::region("us-east-1")).unwrap();
//! let cdn = Distribution::new(
//!     &mut stack.root(),
//!     "Cdn",
//!     "origin.example.com",
//!     DistributionProps { grpc_services: vec!["helloworld.Greeter".into()], ..Default::default() },
//! )
//! .unwrap();
//! assert!(cdn.origin_verify.is_some());
//! let yaml = stack.to_yaml().unwrap();
//! assert!(yaml.contains("PathPattern: \"/helloworld.Greeter/*\""));
//! assert!(yaml.contains("NoEcho: true"));
//! ```

mod distribution;
mod origin_protection;

pub use crate::ec2::PrefixListId;
pub use distribution::{
    CACHING_DISABLED, Distribution, DistributionDomainName, DistributionHandle, DistributionId,
    DistributionLogging, DistributionProps, GrpcHttpVersion, MinimumTls, OriginProtection,
    OriginRequestPolicy, PriceClass, ViewerCertificate,
};
pub use origin_protection::{
    CloudFrontPrefixList, KNOWN_PREFIX_LISTS, ORIGIN_FACING, ORIGIN_VERIFY_HEADER, OriginSecret,
    OriginVerifyHeader,
};
