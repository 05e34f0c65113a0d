//! Network infrastructure as traffic reveals it: gateways (the MACs devices send external
//! traffic to) and servers of DNS, DHCP and NTP with the devices that use them. Gives the
//! site-independent peer role `infrastructure` and the `infrastructure` flag of conflicts.

use crate::event::Transport;
use crate::ids::{DeviceId, MacAddr};
use foldhash::fast::RandomState;
use std::collections::HashMap;
use std::net::IpAddr;

/// Most gateway MACs remembered.
pub const MAX_GATEWAYS: usize = 16;
/// Most infrastructure servers remembered.
pub const MAX_SERVERS: usize = 1_024;
/// Distinct client devices counted per server (enough to say "many").
const MAX_CLIENTS_COUNTED: usize = 8;
/// A server used by at least this many devices is infrastructure for address conflicts.
pub const WIDELY_USED_CLIENTS: usize = 3;

/// True for the ports of DNS (53), DHCP (67, 68) and NTP (123).
pub fn is_infrastructure_port(transport: Transport, port: u16) -> bool {
    match transport {
        Transport::Udp => matches!(port, 53 | 67 | 68 | 123),
        Transport::Tcp => port == 53,
        Transport::Icmp | Transport::Other => false,
    }
}

#[derive(Debug, Default)]
struct Server {
    clients: Vec<DeviceId>,
}

/// Gateways and infrastructure servers, bounded.
#[derive(Debug)]
pub(crate) struct Infrastructure {
    gateways: Vec<MacAddr>,
    servers: HashMap<IpAddr, Server, RandomState>,
    /// Gateways or servers not remembered because the tables were full.
    pub(crate) refused: u64,
}

impl Infrastructure {
    pub(crate) fn new() -> Self {
        Infrastructure {
            gateways: Vec::new(),
            servers: HashMap::with_hasher(RandomState::default()),
            refused: 0,
        }
    }

    /// A device sent to (or received from) an external address through `mac`.
    pub(crate) fn note_gateway(&mut self, mac: MacAddr) {
        if mac.is_group() || self.gateways.contains(&mac) {
            return;
        }
        if self.gateways.len() >= MAX_GATEWAYS {
            self.refused = self.refused.saturating_add(1);
            return;
        }
        self.gateways.push(mac);
    }

    /// True when `mac` forwards external traffic.
    pub(crate) fn is_gateway(&self, mac: MacAddr) -> bool {
        self.gateways.contains(&mac)
    }

    /// A server at `ip` answered `client` on an infrastructure port.
    pub(crate) fn note_server(&mut self, ip: IpAddr, client: Option<DeviceId>) {
        if !self.servers.contains_key(&ip) && self.servers.len() >= MAX_SERVERS {
            self.refused = self.refused.saturating_add(1);
            return;
        }
        let server = self.servers.entry(ip).or_default();
        if let Some(c) = client
            && server.clients.len() < MAX_CLIENTS_COUNTED
            && !server.clients.contains(&c)
        {
            server.clients.push(c);
        }
    }

    /// True for a server at least [`WIDELY_USED_CLIENTS`] devices use.
    pub(crate) fn is_widely_used(&self, ip: IpAddr) -> bool {
        self.servers
            .get(&ip)
            .is_some_and(|s| s.clients.len() >= WIDELY_USED_CLIENTS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_need_three_clients() {
        let mut infra = Infrastructure::new();
        let dns: IpAddr = "10.0.0.53".parse().unwrap();
        for i in 1..=2u8 {
            infra.note_server(dns, Some(DeviceId::Mac(MacAddr([2, 0, 0, 0, 0, i]))));
        }
        infra.note_server(dns, Some(DeviceId::Mac(MacAddr([2, 0, 0, 0, 0, 1]))));
        assert!(!infra.is_widely_used(dns));
        infra.note_server(dns, Some(DeviceId::Mac(MacAddr([2, 0, 0, 0, 0, 3]))));
        assert!(infra.is_widely_used(dns));
        assert!(is_infrastructure_port(Transport::Udp, 123));
        assert!(!is_infrastructure_port(Transport::Tcp, 123));
        let gw = MacAddr([0, 1, 2, 3, 4, 5]);
        infra.note_gateway(gw);
        infra.note_gateway(MacAddr::BROADCAST);
        assert!(infra.is_gateway(gw));
        assert!(!infra.is_gateway(MacAddr::BROADCAST));
    }
}
