//! The `wardwatch run` configuration: TOML file ([`raw`]) + flag overrides ([`overrides`]) →
//! validated, typed [`Config`] ([`validate`]). Errors name the key (and the flag that set it)
//! and say what is wrong, e.g. `alerts.alertmanager.urls[0]: not an http URL`.

pub mod overrides;
pub mod raw;
mod validate;

pub use overrides::{FlagOrigins, Overrides};
pub use raw::RawConfig;
#[cfg(test)]
pub use validate::parse_http_url;
pub use validate::{DEFAULT_MODELS_DIR, DEFAULT_STORE, models_dir};

use ipnet::IpNet;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A validated configuration for `wardwatch run`.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Packet source and capture settings.
    pub capture: CaptureConfig,
    /// Settings the lead maps onto the flow pipeline's own config.
    pub pipeline: PipelineConfig,
    /// Reference data directory (`catalog.toml`, `oui.tsv`, `advisories.toml`, `declared/`).
    pub models_dir: PathBuf,
    /// Model store of trained profiles (`models.store`, default `<models.dir>/default`).
    pub models_store: PathBuf,
    /// Site allow-list file (`alerts.allowlist`), re-read at SIGHUP and when it changes.
    pub allowlist: Option<PathBuf>,
    /// Alert sinks and policy.
    pub alerts: AlertsConfig,
    /// HTTP endpoint.
    pub metrics: MetricsConfig,
    /// Persistent state.
    pub state: StateConfig,
    /// Privilege drop after opening a live capture.
    pub privileges: PrivilegeConfig,
    /// Subnet/VLAN → site and ward.
    pub locations: Vec<Location>,
    /// Inventory JSON file, rewritten atomically.
    pub inventory_out: Option<PathBuf>,
    /// Feature log (JSON lines) for retraining.
    pub features_out: Option<PathBuf>,
}

/// Where packets come from.
#[derive(Clone, Debug, PartialEq)]
pub enum CaptureSource {
    /// A live interface through libpcap.
    Live {
        /// Interface name.
        interface: String,
    },
    /// A pcap or pcapng file.
    Replay {
        /// The file.
        path: PathBuf,
        /// Pace as a multiple of packet time; `None` = as fast as possible.
        speed: Option<f64>,
    },
}

/// `[capture]`, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct CaptureConfig {
    /// Live interface or file.
    pub source: CaptureSource,
    /// BPF filter, if any.
    pub filter: Option<String>,
    /// Bytes kept per packet.
    pub snaplen: u32,
    /// Promiscuous mode (live only).
    pub promiscuous: bool,
    /// libpcap buffer size in bytes (live only).
    pub buffer_bytes: u32,
    /// Capacity of the capture-to-pipeline queue, packets.
    pub queue_capacity: usize,
}

/// `[pipeline]`, validated (plain values; the lead maps them to `wardwatch_flow`'s config).
#[derive(Clone, Debug, PartialEq)]
pub struct PipelineConfig {
    /// Feature window length (packet time).
    pub window: Duration,
    /// Networks whose stations are devices.
    pub internal_networks: Vec<IpNet>,
    /// Minimum identification confidence for a model match.
    pub identification_threshold: f64,
    /// Flow-table cap and timeouts.
    pub flow_table: FlowTableConfig,
    /// Most established devices tracked.
    pub max_established_devices: usize,
    /// Most not-yet-established stations tracked.
    pub max_tentative_devices: usize,
}

/// `[pipeline.flow_table]`, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowTableConfig {
    /// Most flows at once.
    pub max_flows: usize,
    /// Idle timeout, established TCP.
    pub tcp_idle: Duration,
    /// Timeout of a TCP flow without a completed handshake.
    pub tcp_half_open: Duration,
    /// Idle timeout, UDP.
    pub udp_idle: Duration,
    /// Idle timeout, ICMP.
    pub icmp_idle: Duration,
    /// Idle timeout, other IP protocols.
    pub other_idle: Duration,
}

/// Where JSON-lines alerts go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlertFile {
    /// Standard output (`-`).
    Stdout,
    /// A file, appended to.
    Path(PathBuf),
}

/// `[alerts]`, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertsConfig {
    /// JSON-lines destination, if any.
    pub file: Option<AlertFile>,
    /// Per (device, kind) suppression interval (packet time; mirrored into the detector).
    pub suppression: Duration,
    /// Global alert rate limit per minute (mirrored into the detector).
    pub max_per_minute: u32,
    /// Discovery period of a first start (mirrored into the detector).
    pub discovery: Duration,
    /// `[detector]` as a detector configuration; `engine::detector_config` puts the three
    /// settings above into it.
    pub detector: wardwatch_baseline::DetectorConfig,
    /// Alerts each sink buffers.
    pub queue_capacity: usize,
    /// Alertmanager delivery, if any URL is configured.
    pub alertmanager: Option<AlertmanagerConfig>,
}

/// `[alerts.alertmanager]`, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertmanagerConfig {
    /// Base URLs, each an `http://host:port[/prefix]`.
    pub urls: Vec<HttpUrl>,
    /// Timeout of one POST.
    pub timeout: Duration,
    /// First retry delay.
    pub initial_backoff: Duration,
    /// Longest retry delay.
    pub max_backoff: Duration,
    /// Most alerts per POST.
    pub batch_size: usize,
    /// `generatorURL` for each alert.
    pub generator_url: Option<String>,
}

/// A plain-HTTP URL split into what a client needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpUrl {
    /// `host:port` to connect to (port defaults to 80).
    pub authority: String,
    /// Host name or address (for the `Host` header).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Path prefix without a trailing slash (`""` for the root).
    pub path_prefix: String,
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}{}", self.authority, self.path_prefix)
    }
}

/// `[metrics]`, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricsConfig {
    /// Listen address.
    pub listen: SocketAddr,
    /// Concurrent `/metrics` requests served.
    pub max_in_flight: usize,
    /// Open connections accepted.
    pub max_connections: usize,
    /// Most devices with per-device series.
    pub max_device_series: usize,
    /// Time a client has to send its request headers.
    pub header_read_timeout: Duration,
}

/// `[state]`, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct StateConfig {
    /// State directory, if state is kept.
    pub dir: Option<PathBuf>,
    /// Interval between snapshots.
    pub snapshot_interval: Duration,
}

/// `[privileges]`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrivilegeConfig {
    /// Stay root after opening the capture (explicit: `--allow-root` or `user = ""`).
    KeepRoot,
    /// Become this user (and group) after opening a live capture as root.
    DropTo {
        /// User name.
        user: String,
        /// Group name; `None`: the user's primary group.
        group: Option<String>,
    },
}

/// What a location entry matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocationMatch {
    /// Devices with an address in this subnet.
    Subnet(IpNet),
    /// Devices seen on this 802.1Q VLAN.
    Vlan(u16),
}

/// One `[[locations]]` entry, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// What it matches.
    pub matches: LocationMatch,
    /// Site name.
    pub site: String,
    /// Ward name.
    pub ward: String,
}

/// One thing wrong with a configuration: the key, the flag that set it (if any), what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Dotted key, e.g. `alerts.alertmanager.urls[0]`.
    pub key: String,
    /// The flag that set the key, e.g. `--internal-net`.
    pub flag: Option<&'static str>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.flag {
            Some(flag) => write!(f, "{} (from {flag}): {}", self.key, self.message),
            None => write!(f, "{}: {}", self.key, self.message),
        }
    }
}

/// Why a configuration was refused. Every variant is a usage error (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("config {path}: cannot read: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has an unknown key or a value of the wrong type.
    #[error("config {path}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What the TOML parser said.
        message: String,
    },
    /// Values are out of range or inconsistent.
    #[error("{}", invalid_text(.path.as_deref(), .problems))]
    Invalid {
        /// The file, if one was read.
        path: Option<PathBuf>,
        /// Everything wrong, in key order of the file.
        problems: Vec<Problem>,
    },
}

fn invalid_text(path: Option<&Path>, problems: &[Problem]) -> String {
    let list = problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    match path {
        Some(path) => format!("config {}: {list}", path.display()),
        None => format!("configuration: {list}"),
    }
}

/// Parses configuration text (no overrides, no validation).
pub fn parse_raw(text: &str, path: &Path) -> Result<RawConfig, ConfigError> {
    toml::from_str(text).map_err(|err| {
        let (line, column) = err
            .span()
            .map(|span| line_column(text, span.start))
            .unwrap_or((1, 1));
        let mut message = err.message().trim().to_owned();
        if let Some(span) = err.span().filter(|_| !message.contains(['`', '"'])) {
            let snippet = text.get(span).and_then(|s| s.lines().next()).unwrap_or("");
            if !snippet.trim().is_empty() {
                let snippet: String = snippet.trim().chars().take(40).collect();
                message = format!("{message} `{snippet}`");
            }
        }
        if let Some(table) = enclosing_table(text, line) {
            message = format!("in {table}: {message}");
        }
        ConfigError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    })
}

/// The last `[table]` or `[[array]]` header at or before `line` (1-based).
fn enclosing_table(text: &str, line: usize) -> Option<String> {
    text.lines()
        .take(line)
        .map(str::trim)
        .filter(|l| l.starts_with('['))
        .last()
        .map(|l| l.split('#').next().unwrap_or(l).trim().to_owned())
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Reads the file (if any), applies the flag overrides and validates.
pub fn load(path: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
    let mut raw = match path {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            parse_raw(&text, path)?
        }
        None => RawConfig::default(),
    };
    let origins = overrides.apply(&mut raw);
    Config::from_raw(&raw, &origins).map_err(|problems| ConfigError::Invalid {
        path: path.map(Path::to_path_buf),
        problems,
    })
}

impl Config {
    /// Keys whose change needs a restart (a reload keeps the running value and says so).
    pub fn restart_only_changes(&self, new: &Config) -> Vec<&'static str> {
        let mut keys = Vec::new();
        if self.capture != new.capture {
            keys.push("capture");
        }
        if self.metrics != new.metrics {
            keys.push("metrics");
        }
        if self.privileges != new.privileges {
            keys.push("privileges");
        }
        if self.state != new.state {
            keys.push("state");
        }
        if self.inventory_out != new.inventory_out || self.features_out != new.features_out {
            keys.push("outputs");
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_give_line_and_column() {
        let err = parse_raw("[capture]\nsnaplen = \"big\"\n", Path::new("w.toml")).unwrap_err();
        let ConfigError::Syntax { line, column, .. } = &err else {
            panic!("{err}");
        };
        assert_eq!((*line, *column), (2, 11));
        assert!(
            err.to_string()
                .starts_with("config w.toml:2:11: in [capture]: invalid type"),
            "{err}"
        );
    }

    #[test]
    fn line_column_counts_from_one() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("ab", 99), (1, 3));
    }

    #[test]
    fn problems_name_the_flag() {
        let p = Problem {
            key: "pipeline.internal_networks[0]".into(),
            flag: Some("--internal-net"),
            message: "not a CIDR network".into(),
        };
        assert_eq!(
            p.to_string(),
            "pipeline.internal_networks[0] (from --internal-net): not a CIDR network"
        );
    }
}

#[cfg(test)]
mod files_tests;
