//! The AWS Regions a config may name, and the check that refuses the others.
//!
//! The list is botocore 1.44.8's `botocore/data/endpoints.json` (partitions `aws`, `aws-cn`,
//! `aws-us-gov`), the file the AWS CLI itself uses to know which Regions exist. A Region that
//! opened later is allowed with `allow_unlisted_region: true` at the top of the config (and
//! should be added here).

use crate::config::ConfigError;

/// Every Region a config may name without `allow_unlisted_region: true`.
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// Checks a Region's form, then refuses one that is not in [`REGIONS`] unless `allow_unlisted`
/// is set. Returns whether the Region is usable, so that checks depending on it (a certificate
/// ARN's Region) are not blamed for a Region that does not exist.
pub fn check_listed(
    ptr: &str,
    region: &str,
    allow_unlisted: bool,
    errs: &mut Vec<ConfigError>,
) -> bool {
    let before = errs.len();
    crate::common::check_region(ptr, region, errs);
    if errs.len() > before {
        return false;
    }
    if allow_unlisted || REGIONS.contains(&region) {
        return true;
    }
    let prefix = region.rsplit_once('-').map_or(region, |(p, _)| p);
    let near: Vec<&str> = REGIONS
        .iter()
        .copied()
        .filter(|r| r.rsplit_once('-').is_some_and(|(p, _)| p == prefix))
        .collect();
    let hint = if near.is_empty() {
        String::new()
    } else {
        format!(" (in that area: {})", near.join(", "))
    };
    errs.push(ConfigError::at(
        ptr,
        format!(
            "`{region}` is not an AWS Region we know{hint}; if it opened recently, set `allow_unlisted_region: true` at the top of the config"
        ),
    ));
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_regions_are_refused_with_the_neighbours_and_the_escape() {
        let mut e = Vec::new();
        assert!(check_listed("/region", "eu-west-1", false, &mut e));
        assert!(e.is_empty());
        assert!(!check_listed("/region", "eu-west-9", false, &mut e));
        assert_eq!(
            e[0].message,
            "`eu-west-9` is not an AWS Region we know (in that area: eu-west-1, eu-west-2, eu-west-3); if it opened recently, set `allow_unlisted_region: true` at the top of the config"
        );
        let mut e = Vec::new();
        assert!(check_listed("/region", "eu-west-9", true, &mut e));
        assert!(e.is_empty());
    }

    #[test]
    fn the_list_is_sorted_and_well_formed() {
        let mut sorted = REGIONS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, REGIONS);
        for r in REGIONS {
            let mut e = Vec::new();
            crate::common::check_region("/r", r, &mut e);
            assert!(e.is_empty(), "{r}");
        }
    }
}
