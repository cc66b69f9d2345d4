//! `operators.profiles[].source_networks`: CIDR ranges and VPC endpoint ids,
//! parsed (the schema cannot tell `10.0.0.300/8` from a range) and sorted
//! into the IAM condition keys that carry them.

use std::net::IpAddr;

/// One entry of `source_networks`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceNetwork {
    /// An address range, as written (host bits zero).
    Range { text: String, private: bool },
    /// A VPC endpoint id (`aws:SourceVpce`).
    Endpoint(String),
}

impl SourceNetwork {
    pub fn parse(text: &str) -> Result<SourceNetwork, String> {
        if let Some(rest) = text.strip_prefix("vpce-") {
            let ok = (8..=17).contains(&rest.len())
                && rest
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
            return if ok {
                Ok(SourceNetwork::Endpoint(text.to_string()))
            } else {
                Err("a VPC endpoint id is `vpce-` and 8 to 17 lowercase hex digits".into())
            };
        }
        let Some((addr, bits)) = text.split_once('/') else {
            return Err("a CIDR range needs its prefix length, like `203.0.113.7/32`".into());
        };
        let ip: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{addr}` is not an IPv4 or IPv6 address"))?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let bits: u32 = bits
            .parse()
            .ok()
            .filter(|b| *b <= max)
            .ok_or_else(|| format!("the prefix length must be 0 to {max}"))?;
        let network = mask(ip, bits);
        if network != ip {
            return Err(format!(
                "host bits are set: the range is `{network}/{bits}`"
            ));
        }
        Ok(SourceNetwork::Range {
            text: text.to_string(),
            private: is_private(ip),
        })
    }
}

fn mask(ip: IpAddr, bits: u32) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let m = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            IpAddr::V4((u32::from(v4) & m).into())
        }
        IpAddr::V6(v6) => {
            let m = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            IpAddr::V6((u128::from(v6) & m).into())
        }
    }
}

/// RFC 1918 (IPv4) and unique local (IPv6, RFC 4193) addresses: never the
/// `aws:SourceIp` of a call to a public endpoint.
fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}

/// The ranges and endpoints of a profile, sorted for the policy.
#[derive(Debug, Default, Clone)]
pub struct Networks {
    /// Every range: `aws:SourceIp` (public endpoints) and `aws:VpcSourceIp`
    /// (VPC endpoints) both take it.
    pub ranges: Vec<String>,
    pub endpoints: Vec<String>,
}

impl Networks {
    /// The profile's valid entries (errors are the configuration check's).
    pub fn of(entries: &[String]) -> Networks {
        let mut n = Networks::default();
        for e in entries {
            match SourceNetwork::parse(e) {
                Ok(SourceNetwork::Range { text, .. }) => n.ranges.push(text),
                Ok(SourceNetwork::Endpoint(id)) => n.endpoints.push(id),
                Err(_) => {}
            }
        }
        n
    }
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty() && self.endpoints.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::SourceNetwork::*;
    use super::*;

    #[test]
    fn parses_ranges_and_endpoints() {
        assert_eq!(
            SourceNetwork::parse("203.0.113.0/24"),
            Ok(Range {
                text: "203.0.113.0/24".into(),
                private: false
            })
        );
        assert_eq!(
            SourceNetwork::parse("10.0.0.0/8"),
            Ok(Range {
                text: "10.0.0.0/8".into(),
                private: true
            })
        );
        assert_eq!(
            SourceNetwork::parse("172.20.0.0/16"),
            Ok(Range {
                text: "172.20.0.0/16".into(),
                private: true
            })
        );
        assert_eq!(
            SourceNetwork::parse("2001:db8::/32"),
            Ok(Range {
                text: "2001:db8::/32".into(),
                private: false
            })
        );
        assert_eq!(
            SourceNetwork::parse("fd00::/8"),
            Ok(Range {
                text: "fd00::/8".into(),
                private: true
            })
        );
        assert_eq!(
            SourceNetwork::parse("vpce-0123456789abcdef0"),
            Ok(Endpoint("vpce-0123456789abcdef0".into()))
        );
        assert!(SourceNetwork::parse("10.0.0.300/8")
            .unwrap_err()
            .contains("not an IPv4"));
        assert!(SourceNetwork::parse("10.0.0.1/8")
            .unwrap_err()
            .contains("`10.0.0.0/8`"));
        assert!(SourceNetwork::parse("10.0.0.0/33")
            .unwrap_err()
            .contains("0 to 32"));
        assert!(SourceNetwork::parse("10.0.0.1")
            .unwrap_err()
            .contains("/32"));
        assert!(SourceNetwork::parse("vpce-XYZ")
            .unwrap_err()
            .contains("hex"));
    }
}
