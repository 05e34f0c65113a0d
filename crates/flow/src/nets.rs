//! Which addresses are internal (their L2 stations become devices) and which are group
//! (broadcast or multicast) destinations.

use ipnet::IpNet;
use std::net::IpAddr;

/// Default internal networks: RFC 1918, RFC 4193 unique-local, and IPv4/IPv6 link-local.
pub const DEFAULT_INTERNAL_NETWORKS: &[&str] = &[
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
    "fc00::/7",
    "fe80::/10",
];

/// The default internal networks, parsed.
pub fn default_internal_networks() -> Vec<IpNet> {
    DEFAULT_INTERNAL_NETWORKS
        .iter()
        .filter_map(|text| text.parse().ok())
        .collect()
}

/// The configured internal networks.
#[derive(Clone, Debug)]
pub struct InternalNets {
    nets: Vec<IpNet>,
}

impl InternalNets {
    /// Wraps a list of networks (the list is short, so a linear scan is fastest).
    pub fn new(nets: &[IpNet]) -> Self {
        InternalNets {
            nets: nets.iter().map(IpNet::trunc).collect(),
        }
    }

    /// True when `ip` lies in one of the internal networks.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// True for a unicast address inside the internal networks.
    pub fn is_internal_unicast(&self, ip: IpAddr) -> bool {
        !is_group(ip) && self.contains(ip)
    }

    /// True for a unicast address outside the internal networks (and not unspecified).
    pub fn is_external(&self, ip: IpAddr) -> bool {
        !is_group(ip) && !ip.is_unspecified() && !ip.is_loopback() && !self.contains(ip)
    }
}

/// True for multicast and IPv4 limited-broadcast destinations.
pub fn is_group(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_multicast() || v4.is_broadcast(),
        IpAddr::V6(v6) => v6.is_multicast(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_classify() {
        let nets = InternalNets::new(&default_internal_networks());
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(nets.contains(ip("10.1.2.3")));
        assert!(nets.contains(ip("172.31.0.1")));
        assert!(!nets.contains(ip("172.32.0.1")));
        assert!(nets.contains(ip("169.254.9.9")));
        assert!(nets.contains(ip("fd12::1")));
        assert!(nets.contains(ip("fe80::1")));
        assert!(!nets.contains(ip("8.8.8.8")));
        assert!(nets.is_external(ip("8.8.8.8")));
        assert!(!nets.is_external(ip("224.0.0.251")));
        assert!(!nets.is_external(ip("0.0.0.0")));
        assert!(is_group(ip("255.255.255.255")));
        assert!(is_group(ip("ff02::1")));
        assert!(!nets.is_internal_unicast(ip("239.255.255.250")));
    }
}
