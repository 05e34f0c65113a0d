//! Flow-table limits and timeouts, and their validation.

use crate::config::ConfigError;
use crate::time::Span;
use serde::{Deserialize, Serialize};

/// Flow-table limits and timeouts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowTableConfig {
    /// Most flows held at once; at the cap the table enters emergency mode.
    pub max_flows: usize,
    /// Idle timeout of open TCP connections.
    #[serde(with = "crate::duration_text")]
    pub tcp_timeout: Span,
    /// Idle timeout of UDP flows.
    #[serde(with = "crate::duration_text")]
    pub udp_timeout: Span,
    /// Idle timeout of ICMP flows.
    #[serde(with = "crate::duration_text")]
    pub icmp_timeout: Span,
    /// Idle timeout of flows of other IP protocols.
    #[serde(with = "crate::duration_text")]
    pub other_timeout: Span,
    /// Time a SYN may wait for its SYN-ACK before the attempt counts as failed.
    #[serde(with = "crate::duration_text")]
    pub half_open_timeout: Span,
    /// Time a closed, reset or failed TCP flow lingers to absorb retransmissions.
    #[serde(with = "crate::duration_text")]
    pub closed_timeout: Span,
    /// In emergency mode every timeout is divided by this.
    pub emergency_divisor: u32,
}

impl Default for FlowTableConfig {
    fn default() -> Self {
        FlowTableConfig {
            max_flows: 262_144,
            tcp_timeout: Span::from_secs(300),
            udp_timeout: Span::from_secs(60),
            icmp_timeout: Span::from_secs(60),
            other_timeout: Span::from_secs(60),
            half_open_timeout: Span::from_secs(5),
            closed_timeout: Span::from_secs(10),
            emergency_divisor: 4,
        }
    }
}

impl FlowTableConfig {
    /// Checks the values; the error names the key under `prefix`.
    pub fn validate(&self, prefix: &str) -> Result<(), ConfigError> {
        let key = |k: &str| format!("{prefix}.{k}");
        if !(16..=16_777_216).contains(&self.max_flows) {
            return Err(ConfigError::new(key("max_flows"), "must be 16..=16777216"));
        }
        for (name, span) in [
            ("tcp_timeout", self.tcp_timeout),
            ("udp_timeout", self.udp_timeout),
            ("icmp_timeout", self.icmp_timeout),
            ("other_timeout", self.other_timeout),
            ("half_open_timeout", self.half_open_timeout),
            ("closed_timeout", self.closed_timeout),
        ] {
            if span < Span::from_millis(100) || span > Span::from_secs(86_400) {
                return Err(ConfigError::new(key(name), "must be between 100ms and 24h"));
            }
        }
        if !(1..=64).contains(&self.emergency_divisor) {
            return Err(ConfigError::new(key("emergency_divisor"), "must be 1..=64"));
        }
        Ok(())
    }
}
