//! ACM certificates: the ALB listener's (in its Region) and CloudFront's (in `us-east-1`).
//!
//! [`Certificate::import`] takes an existing certificate by ARN and creates nothing;
//! [`Certificate::dns_validated`] requests one, validated by DNS in a Route 53 zone you own.
//!
//! ```
//! use formwork_constructs::acm::Certificate;
//! let cert = Certificate::import("arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d").unwrap();
//! assert_eq!(cert.region.as_deref(), Some("eu-west-1"));
//! assert!(Certificate::import("arn:aws:ecr:eu-west-1:123456789012:repository/x").is_err());
//! ```

mod certificate;

pub use certificate::{Certificate, CertificateArn, CertificateHandle};
