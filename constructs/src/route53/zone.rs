//! [`HostedZone`]: an existing public hosted zone, by id and name.

use crate::core::Error;

/// A Route 53 hosted zone that already exists (formwork never creates or deletes zones: they
/// hold records other tools own, and their name servers are registered with the domain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedZone {
    /// The zone id, `Z…` (without the `/hostedzone/` prefix that `list-hosted-zones` prints).
    pub id: String,
    /// The zone's domain name, lowercase, without the trailing dot (`example.com`).
    pub name: String,
}

impl HostedZone {
    /// The zone `id` (`Z` then 1–31 uppercase letters or digits) named `name`.
    pub fn import(id: &str, name: &str) -> Result<HostedZone, Error> {
        let err = |m: String| Error::Construct {
            path: "route53::HostedZone::import".to_owned(),
            message: m,
        };
        if let Some(rest) = id.strip_prefix("/hostedzone/") {
            return Err(err(format!(
                "write the zone id without `/hostedzone/`: `{rest}` (CloudFormation wants the bare id)"
            )));
        }
        if !valid_zone_id(id) {
            return Err(err(format!(
                "`{id}` is not a hosted zone id: `Z` followed by uppercase letters and digits (`aws route53 list-hosted-zones-by-name --dns-name {name}` prints it)"
            )));
        }
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if !valid_hostname(&name) || !name.contains('.') {
            return Err(err(format!(
                "`{name}` is not a domain name such as example.com"
            )));
        }
        Ok(HostedZone {
            id: id.to_owned(),
            name,
        })
    }

    /// Whether `host` is the zone's apex or a name below it (case-insensitive; a leading `*.`
    /// counts as below).
    pub fn contains(&self, host: &str) -> bool {
        let h = host.trim_end_matches('.').to_ascii_lowercase();
        h == self.name
            || h.strip_suffix(&self.name)
                .is_some_and(|head| head.ends_with('.') && head.len() > 1)
    }
}

fn valid_zone_id(id: &str) -> bool {
    id.len() >= 2
        && id.len() <= 32
        && id.starts_with('Z')
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A DNS hostname: labels of 1–63 letters, digits and inner hyphens, at most 253 characters in
/// all; a leading `*.` wildcard is allowed.
pub fn valid_hostname(h: &str) -> bool {
    let h = h.strip_prefix("*.").unwrap_or(h);
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_inside_and_outside_the_zone() {
        let z = HostedZone::import("Z123ABC", "Example.com.").unwrap();
        assert_eq!(z.name, "example.com");
        assert!(z.contains("example.com"));
        assert!(z.contains("API.example.com"));
        assert!(z.contains("*.example.com"));
        assert!(!z.contains("badexample.com"));
        assert!(!z.contains("example.com.evil.org"));
        assert!(!z.contains(".example.com"));
    }

    #[test]
    fn bad_ids_and_names_are_refused_with_the_fix() {
        let e = HostedZone::import("/hostedzone/Z1", "example.com").unwrap_err();
        assert!(
            e.to_string().contains("without `/hostedzone/`: `Z1`"),
            "{e}"
        );
        assert!(HostedZone::import("z123", "example.com").is_err());
        assert!(HostedZone::import("Z12-3", "example.com").is_err());
        assert!(HostedZone::import("Z123", "localhost").is_err());
        assert!(HostedZone::import("Z123", "exa mple.com").is_err());
    }

    #[test]
    fn hostnames() {
        assert!(valid_hostname("a-b.example.com"));
        assert!(valid_hostname("*.example.com"));
        assert!(!valid_hostname("-a.example.com"));
        assert!(!valid_hostname("a..example.com"));
        assert!(!valid_hostname(&format!("{}.com", "a".repeat(64))));
    }
}
