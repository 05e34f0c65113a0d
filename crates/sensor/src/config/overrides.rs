//! Command-line flags that override configuration keys. The CLI converts its clap types into an
//! [`Overrides`]; [`Overrides::apply`] writes them into a [`RawConfig`] before validation and
//! remembers which key each flag set, so a validation error names the flag the user typed.

use super::raw::RawConfig;
use std::path::PathBuf;

/// Flag values that take precedence over the configuration file (`None`: not given).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    /// `--interface IF`.
    pub interface: Option<String>,
    /// `--filter EXPR`.
    pub filter: Option<String>,
    /// `--replay FILE`.
    pub replay: Option<PathBuf>,
    /// `--replay-speed X`.
    pub replay_speed: Option<f64>,
    /// `--models DIR`.
    pub models: Option<PathBuf>,
    /// `--internal-net CIDR` (repeatable; replaces the configured list when given).
    pub internal_nets: Vec<String>,
    /// `--alerts FILE|-`.
    pub alerts: Option<String>,
    /// `--features-out FILE`.
    pub features_out: Option<PathBuf>,
    /// `--inventory-out FILE`.
    pub inventory_out: Option<PathBuf>,
    /// `--metrics-listen ADDR`.
    pub metrics_listen: Option<String>,
    /// `--allow-root`: keep root after opening a live capture.
    pub allow_root: bool,
}

/// Which configuration keys were set by which flag.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlagOrigins(Vec<(&'static str, &'static str)>);

impl FlagOrigins {
    /// The flag that set `key` (or a parent of it, e.g. `pipeline.internal_networks[1]`).
    pub fn flag_for(&self, key: &str) -> Option<&'static str> {
        self.0.iter().find_map(|(k, flag)| {
            let rest = key.strip_prefix(k)?;
            (rest.is_empty() || rest.starts_with('[') || rest.starts_with('.')).then_some(*flag)
        })
    }

    fn note(&mut self, key: &'static str, flag: &'static str) {
        self.0.push((key, flag));
    }
}

fn path_text(path: &std::path::Path) -> String {
    path.to_string_lossy().into_owned()
}

impl Overrides {
    /// Writes the given flags into `raw`; returns which keys they set.
    pub fn apply(&self, raw: &mut RawConfig) -> FlagOrigins {
        let mut origins = FlagOrigins::default();
        if let Some(interface) = &self.interface {
            raw.capture.interface = interface.clone();
            raw.capture.replay.clear();
            origins.note("capture.interface", "--interface");
        }
        if let Some(filter) = &self.filter {
            raw.capture.filter = filter.clone();
            origins.note("capture.filter", "--filter");
        }
        if let Some(replay) = &self.replay {
            raw.capture.replay = path_text(replay);
            raw.capture.interface.clear();
            origins.note("capture.replay", "--replay");
        }
        if let Some(speed) = self.replay_speed {
            raw.capture.replay_speed = speed;
            origins.note("capture.replay_speed", "--replay-speed");
        }
        if let Some(models) = &self.models {
            raw.models.dir = path_text(models);
            origins.note("models.dir", "--models");
        }
        if !self.internal_nets.is_empty() {
            raw.pipeline.internal_networks = self.internal_nets.clone();
            origins.note("pipeline.internal_networks", "--internal-net");
        }
        if let Some(alerts) = &self.alerts {
            raw.alerts.file = alerts.clone();
            origins.note("alerts.file", "--alerts");
        }
        if let Some(path) = &self.features_out {
            raw.outputs.features = path_text(path);
            origins.note("outputs.features", "--features-out");
        }
        if let Some(path) = &self.inventory_out {
            raw.outputs.inventory = path_text(path);
            origins.note("outputs.inventory", "--inventory-out");
        }
        if let Some(listen) = &self.metrics_listen {
            raw.metrics.listen = listen.clone();
            origins.note("metrics.listen", "--metrics-listen");
        }
        if self.allow_root {
            raw.privileges.user.clear();
            raw.privileges.group.clear();
            origins.note("privileges.user", "--allow-root");
        }
        origins
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_replace_keys_and_are_remembered() {
        let mut raw = RawConfig::default();
        raw.capture.interface = "eth1".into();
        let overrides = Overrides {
            replay: Some("x.pcap".into()),
            internal_nets: vec!["10.1.0.0/16".into(), "10.2.0.0/16".into()],
            metrics_listen: Some("127.0.0.1:1".into()),
            ..Overrides::default()
        };
        let origins = overrides.apply(&mut raw);
        assert_eq!(raw.capture.replay, "x.pcap");
        assert_eq!(
            raw.capture.interface, "",
            "--replay replaces a configured interface"
        );
        assert_eq!(
            raw.pipeline.internal_networks,
            vec!["10.1.0.0/16", "10.2.0.0/16"]
        );
        assert_eq!(raw.metrics.listen, "127.0.0.1:1");
        assert_eq!(
            origins.flag_for("pipeline.internal_networks[1]"),
            Some("--internal-net")
        );
        assert_eq!(origins.flag_for("capture.replay"), Some("--replay"));
        assert_eq!(origins.flag_for("capture.replay_speed"), None);
        assert_eq!(origins.flag_for("metrics.listen_x"), None);
    }

    #[test]
    fn allow_root_clears_the_user() {
        let mut raw = RawConfig::default();
        Overrides {
            allow_root: true,
            ..Overrides::default()
        }
        .apply(&mut raw);
        assert_eq!(raw.privileges.user, "");
    }
}
