//! Device-table limits and their validation.

use crate::config::ConfigError;
use crate::time::Span;
use serde::{Deserialize, Serialize};

/// Device-table limits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeviceTableConfig {
    /// Most established devices (protected partition).
    pub max_established: usize,
    /// Most unestablished devices (evictable partition).
    pub max_unestablished: usize,
    /// A MAC sending from this many internal addresses is a router; its hosts are keyed by IP.
    pub router_ip_threshold: usize,
    /// An established device silent this long may be retired when the partition is full.
    #[serde(with = "crate::duration_text")]
    pub established_idle_timeout: Span,
    /// Peers remembered per device for `new_peers`.
    pub peer_history: usize,
    /// Destination ports remembered per device for `new_ports`.
    pub port_history: usize,
    /// Behaviour combinations remembered per device.
    pub service_history: usize,
    /// Most (device, destination) periodicity trackers.
    pub max_periodic_trackers: usize,
    /// Most IP → MAC bindings.
    pub max_arp_bindings: usize,
    /// A holder silent this long loses its address to a new MAC without a conflict.
    #[serde(with = "crate::duration_text")]
    pub arp_takeover_after: Span,
    /// Most set entries (peers, ports, targets) across all open device windows.
    pub max_window_entries: usize,
}

impl Default for DeviceTableConfig {
    fn default() -> Self {
        DeviceTableConfig {
            max_established: 16_384,
            max_unestablished: 4_096,
            router_ip_threshold: 16,
            established_idle_timeout: Span::from_secs(30 * 86_400),
            peer_history: 1_024,
            port_history: 256,
            service_history: 256,
            max_periodic_trackers: 65_536,
            max_arp_bindings: 16_384,
            arp_takeover_after: Span::from_secs(600),
            max_window_entries: 1_048_576,
        }
    }
}

impl DeviceTableConfig {
    /// Checks the values; the error names the key under `prefix`.
    pub fn validate(&self, prefix: &str) -> Result<(), ConfigError> {
        let checks: [(&str, usize, usize, usize); 9] = [
            ("max_established", self.max_established, 1, 1 << 20),
            ("max_unestablished", self.max_unestablished, 1, 1 << 20),
            ("router_ip_threshold", self.router_ip_threshold, 2, 256),
            ("peer_history", self.peer_history, 1, 65_536),
            ("port_history", self.port_history, 1, 65_536),
            ("service_history", self.service_history, 1, 65_536),
            (
                "max_periodic_trackers",
                self.max_periodic_trackers,
                1,
                1 << 22,
            ),
            ("max_arp_bindings", self.max_arp_bindings, 1, 1 << 22),
            (
                "max_window_entries",
                self.max_window_entries,
                1_024,
                1 << 26,
            ),
        ];
        for (name, value, min, max) in checks {
            if !(min..=max).contains(&value) {
                return Err(ConfigError::new(
                    format!("{prefix}.{name}"),
                    &format!("must be {min}..={max}, got {value}"),
                ));
            }
        }
        if self.established_idle_timeout < Span::from_secs(60) {
            return Err(ConfigError::new(
                format!("{prefix}.established_idle_timeout"),
                "must be at least 1m",
            ));
        }
        Ok(())
    }
}
