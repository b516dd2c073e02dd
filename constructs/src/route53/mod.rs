//! Route 53: a [`HostedZone`] you already have (imported by id and name) and [`AliasRecord`]s
//! that point names in it at a CloudFront distribution or a load balancer.
//!
//! ```
//! use formwork_constructs::core::{Env, Stack};
//! use formwork_constructs::route53::HostedZone;
//! let zone = HostedZone::import("Z0123456789ABCDEFGHIJ", "example.com").unwrap();
//! assert!(zone.contains("api.example.com"));
//! assert!(!zone.contains("api.example.org"));
//! assert!(HostedZone::import("/hostedzone/Z0123456789ABCDEFGHIJ", "example.com").is_err());
//! ```

mod record;
mod zone;

pub use record::{AliasRecord, AliasRecordHandle, AliasTarget, CLOUDFRONT_HOSTED_ZONE_ID};
pub use zone::{HostedZone, valid_hostname};
