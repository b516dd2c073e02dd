//! IPv4 CIDR arithmetic for laying out subnets at synth time.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// An IPv4 CIDR block such as `10.0.0.0/16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv4Cidr {
    addr: u32,
    prefix: u8,
}

impl Ipv4Cidr {
    /// A block from a network address and prefix; the address must have no host bits set.
    pub fn new(addr: Ipv4Addr, prefix: u8) -> Result<Ipv4Cidr, String> {
        if prefix > 32 {
            return Err(format!("prefix /{prefix} is larger than /32"));
        }
        let a = u32::from(addr);
        let mask = Self::mask(prefix);
        if a & !mask != 0 {
            return Err(format!(
                "{addr}/{prefix} has host bits set; the network address is {}/{prefix}",
                Ipv4Addr::from(a & mask)
            ));
        }
        Ok(Ipv4Cidr { addr: a, prefix })
    }

    fn mask(prefix: u8) -> u32 {
        if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(prefix))
        }
    }

    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// The network address.
    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.addr)
    }

    /// Number of addresses.
    pub fn size(&self) -> u64 {
        1u64 << (32 - u32::from(self.prefix))
    }

    /// Whether `other` lies inside this block.
    pub fn contains(&self, other: &Ipv4Cidr) -> bool {
        other.prefix >= self.prefix && (other.addr & Self::mask(self.prefix)) == self.addr
    }

    /// Whether the two blocks share any address.
    pub fn overlaps(&self, other: &Ipv4Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// The `index`-th sub-block of prefix `new_prefix`, or `None` when it does not fit.
    pub fn subnet(&self, new_prefix: u8, index: u32) -> Option<Ipv4Cidr> {
        if new_prefix < self.prefix || new_prefix > 32 {
            return None;
        }
        let count = 1u64 << (new_prefix - self.prefix);
        if u64::from(index) >= count {
            return None;
        }
        let step = 1u64 << (32 - u32::from(new_prefix));
        let addr = u64::from(self.addr) + step * u64::from(index);
        Some(Ipv4Cidr {
            addr: addr as u32,
            prefix: new_prefix,
        })
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.addr), self.prefix)
    }
}

impl FromStr for Ipv4Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Ipv4Cidr, String> {
        let (a, p) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not a CIDR block (expected a.b.c.d/n)"))?;
        let addr: Ipv4Addr = a
            .parse()
            .map_err(|_| format!("`{a}` is not an IPv4 address"))?;
        let prefix: u8 = p
            .parse()
            .map_err(|_| format!("`/{p}` is not a prefix length"))?;
        Ipv4Cidr::new(addr, prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_splits() {
        let c: Ipv4Cidr = "10.0.0.0/16".parse().unwrap();
        assert_eq!(c.subnet(20, 0).unwrap().to_string(), "10.0.0.0/20");
        assert_eq!(c.subnet(20, 3).unwrap().to_string(), "10.0.48.0/20");
        assert_eq!(c.subnet(20, 15).unwrap().to_string(), "10.0.240.0/20");
        assert!(c.subnet(20, 16).is_none());
        assert!(c.subnet(8, 0).is_none());
        assert!("10.0.0.1/16".parse::<Ipv4Cidr>().is_err());
        assert!("10.0.0.0/33".parse::<Ipv4Cidr>().is_err());
        assert!("10.0.0/16".parse::<Ipv4Cidr>().is_err());
        assert!("x".parse::<Ipv4Cidr>().is_err());
        let a: Ipv4Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(a.contains(&c) && a.overlaps(&c) && c.overlaps(&a) && !c.contains(&a));
        assert_eq!(c.size(), 65536);
    }
}
