//! Pipeline configuration: serde with defaults and `deny_unknown_fields`, checked by
//! [`PipelineConfig::validate`], whose errors name the key and say what is wrong.

use crate::device::DeviceTableConfig;
use crate::flow_table::FlowTableConfig;
use crate::nets::default_internal_networks;
use crate::time::Span;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// A configuration value that is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("configuration key `{key}`: {reason}")]
pub struct ConfigError {
    /// Dotted key, e.g. `flows.max_flows`.
    pub key: String,
    /// What is wrong and what is accepted.
    pub reason: String,
}

impl ConfigError {
    /// An error for `key`.
    pub fn new(key: impl Into<String>, reason: &str) -> Self {
        ConfigError {
            key: key.into(),
            reason: reason.to_owned(),
        }
    }
}

/// Everything the flow pipeline can be told.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PipelineConfig {
    /// Length of the tumbling feature windows.
    #[serde(with = "crate::duration_text")]
    pub window: Span,
    /// Networks whose stations are devices; everything else is a peer.
    pub internal_networks: Vec<IpNet>,
    /// Confidence at which identification accepts a catalog model (0..1].
    pub identify_threshold: f64,
    /// Flow-table limits and timeouts.
    pub flows: FlowTableConfig,
    /// Device-table limits.
    pub devices: DeviceTableConfig,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            window: Span::from_secs(60),
            internal_networks: default_internal_networks(),
            identify_threshold: 0.7,
            flows: FlowTableConfig::default(),
            devices: DeviceTableConfig::default(),
        }
    }
}

impl PipelineConfig {
    /// Checks every value.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.window < Span::from_secs(1) || self.window > Span::from_secs(86_400) {
            return Err(ConfigError::new("window", "must be between 1s and 24h"));
        }
        if !self.window.micros().is_multiple_of(1_000_000) {
            return Err(ConfigError::new(
                "window",
                "must be a whole number of seconds",
            ));
        }
        if self.internal_networks.is_empty() || self.internal_networks.len() > 256 {
            return Err(ConfigError::new(
                "internal_networks",
                "list 1 to 256 networks, e.g. [\"10.0.0.0/8\", \"fd00::/8\"]",
            ));
        }
        if !(self.identify_threshold > 0.0 && self.identify_threshold <= 1.0) {
            return Err(ConfigError::new("identify_threshold", "must be in (0, 1]"));
        }
        self.flows.validate("flows")?;
        self.devices.validate("devices")?;
        if self.flows.half_open_timeout > self.window {
            return Err(ConfigError::new(
                "flows.half_open_timeout",
                "must not exceed `window` (windows close that long after their end)",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_parse_from_empty_toml() {
        let config: PipelineConfig = toml::from_str("").unwrap();
        assert_eq!(config, PipelineConfig::default());
        config.validate().unwrap();
        assert_eq!(config.flows.max_flows, 262_144);
        assert_eq!(config.flows.tcp_timeout, Span::from_secs(300));
        assert_eq!(config.devices.max_unestablished, 4_096);
        assert_eq!(config.internal_networks.len(), 6);
    }

    #[test]
    fn errors_name_the_key() {
        let text = "window = \"2s\"\n[flows]\nhalf_open_timeout = \"5s\"\n";
        let config: PipelineConfig = toml::from_str(text).unwrap();
        let err = config.validate().unwrap_err();
        assert_eq!(err.key, "flows.half_open_timeout");
        let config: PipelineConfig = toml::from_str("[devices]\nmax_established = 0\n").unwrap();
        assert_eq!(
            config.validate().unwrap_err().key,
            "devices.max_established"
        );
        let err = toml::from_str::<PipelineConfig>("[flows]\nmax_flow = 3\n").unwrap_err();
        assert!(err.to_string().contains("max_flow"), "{err}");
        let config: PipelineConfig = toml::from_str("identify_threshold = 1.5").unwrap();
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("identify_threshold")
        );
    }
}
