//! `RawConfig` → `Config`: every range and consistency rule, each problem naming its key.

use super::raw::{
    RawAlertmanager, RawAlerts, RawCapture, RawConfig, RawDetector, RawLocation, RawMetrics,
    RawPipeline,
};
use super::{
    AlertFile, AlertmanagerConfig, AlertsConfig, CaptureConfig, CaptureSource, Config, FlagOrigins,
    FlowTableConfig, HttpUrl, Location, LocationMatch, MetricsConfig, PipelineConfig,
    PrivilegeConfig, Problem, StateConfig,
};
use ipnet::IpNet;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The default `models.dir`.
pub const DEFAULT_MODELS_DIR: &str = "models";

/// `models.dir` as configured, except that the default `models`, when the working directory
/// has none, is looked for beside the binary: `<bin>/../share/wardwatch/models` (an install
/// prefix) and `<bin>/../../models` (a source tree's `target/<profile>/`). The first that holds
/// a `catalog.toml` wins; otherwise `models`, whose load error names it.
pub fn models_dir(configured: &str) -> PathBuf {
    let dir = PathBuf::from(configured);
    if configured != DEFAULT_MODELS_DIR || dir.join("catalog.toml").is_file() {
        return dir;
    }
    let Some(bin_dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf))
    else {
        return dir;
    };
    [
        bin_dir.join("../share/wardwatch/models"),
        bin_dir.join("../../models"),
    ]
    .into_iter()
    .find(|candidate| candidate.join("catalog.toml").is_file())
    .unwrap_or(dir)
}

/// The model store inside `models.dir` when `models.store` is empty.
pub const DEFAULT_STORE: &str = "default";
/// Most Alertmanager URLs (each gets its own sink and queue).
pub const MAX_ALERTMANAGER_URLS: usize = 8;
/// Longest interface name Linux accepts (IFNAMSIZ - 1).
const MAX_INTERFACE_LEN: usize = 15;

/// Collects problems, naming the flag that set a key.
struct Checker<'a> {
    origins: &'a FlagOrigins,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn problem(&mut self, key: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            key: key.to_owned(),
            flag: self.origins.flag_for(key),
            message: message.into(),
        });
    }

    /// Checks `low <= value <= high`; returns the value either way.
    fn range<T: PartialOrd + std::fmt::Display + Copy>(
        &mut self,
        key: &str,
        value: T,
        low: T,
        high: T,
    ) -> T {
        if value < low || value > high {
            self.problem(
                key,
                format!("must be between {low} and {high} (got {value})"),
            );
        }
        value
    }

    fn secs(&mut self, key: &str, value: u64, low: u64, high: u64) -> Duration {
        Duration::from_secs(self.range(key, value, low, high))
    }
}

fn optional_path(text: &str) -> Option<PathBuf> {
    (!text.is_empty()).then(|| PathBuf::from(text))
}

impl Config {
    /// Validates a raw configuration (after overrides); every problem found is returned.
    pub fn from_raw(raw: &RawConfig, origins: &FlagOrigins) -> Result<Config, Vec<Problem>> {
        let mut c = Checker {
            origins,
            problems: Vec::new(),
        };
        let capture = capture(&mut c, &raw.capture);
        let pipeline = pipeline(&mut c, &raw.pipeline);
        if raw.models.dir.is_empty() {
            c.problem("models.dir", "must name the model directory");
        }
        let alerts = alerts(&mut c, &raw.alerts, &raw.detector);
        let metrics = metrics(&mut c, &raw.metrics);
        let state = StateConfig {
            dir: optional_path(&raw.state.dir),
            snapshot_interval: c.secs(
                "state.snapshot_interval_secs",
                raw.state.snapshot_interval_secs,
                10,
                86_400,
            ),
        };
        let privileges = privileges(&mut c, &raw.privileges.user, &raw.privileges.group);
        let locations = locations(&mut c, &raw.locations);
        match (capture, c.problems.is_empty()) {
            (Some(capture), true) => Ok(Config {
                capture,
                pipeline,
                models_dir: models_dir(&raw.models.dir),
                models_store: match raw.models.store.as_str() {
                    "" => models_dir(&raw.models.dir).join(DEFAULT_STORE),
                    store => PathBuf::from(store),
                },
                allowlist: optional_path(&raw.alerts.allowlist),
                alerts,
                metrics,
                state,
                privileges,
                locations,
                inventory_out: optional_path(&raw.outputs.inventory),
                features_out: optional_path(&raw.outputs.features),
            }),
            _ => Err(c.problems),
        }
    }
}

fn capture(c: &mut Checker<'_>, raw: &RawCapture) -> Option<CaptureConfig> {
    let snaplen = c.range("capture.snaplen", raw.snaplen, 64, 262_144);
    let buffer_mib = c.range("capture.buffer_mib", raw.buffer_mib, 1, 2048);
    let queue = c.range("capture.queue_capacity", raw.queue_capacity, 16, 1_048_576);
    if !raw.replay_speed.is_finite() || raw.replay_speed < 0.0 || raw.replay_speed > 1e6 {
        c.problem(
            "capture.replay_speed",
            format!(
                "must be 0 (as fast as possible) or a pace between 0 and 1000000 (got {})",
                raw.replay_speed
            ),
        );
    }
    let filter = (!raw.filter.trim().is_empty()).then(|| raw.filter.clone());
    if let Some(filter) = &filter {
        check_filter(c, filter);
    }
    let source = match (raw.interface.is_empty(), raw.replay.is_empty()) {
        (false, false) => {
            c.problem(
                "capture",
                "set capture.interface or capture.replay, not both",
            );
            None
        }
        (true, true) => {
            c.problem(
                "capture",
                "no packet source: set capture.interface (--interface) or capture.replay (--replay)",
            );
            None
        }
        (false, true) => {
            check_interface(c, &raw.interface);
            Some(CaptureSource::Live {
                interface: raw.interface.clone(),
            })
        }
        (true, false) => Some(CaptureSource::Replay {
            path: PathBuf::from(&raw.replay),
            speed: (raw.replay_speed > 0.0).then_some(raw.replay_speed),
        }),
    };
    Some(CaptureConfig {
        source: source?,
        filter,
        snaplen,
        promiscuous: raw.promiscuous,
        buffer_bytes: buffer_mib.saturating_mul(1024 * 1024),
        queue_capacity: usize::try_from(queue).unwrap_or(usize::MAX),
    })
}

fn check_interface(c: &mut Checker<'_>, name: &str) {
    let ok =
        name.len() <= MAX_INTERFACE_LEN && name.bytes().all(|b| b.is_ascii_graphic() && b != b'/');
    if !ok {
        c.problem(
            "capture.interface",
            format!(
                "not an interface name (at most {MAX_INTERFACE_LEN} printable characters, no '/')"
            ),
        );
    }
}

/// Compiles the filter for Ethernet with libpcap (no capture is opened) to catch syntax errors.
fn check_filter(c: &mut Checker<'_>, filter: &str) {
    let compiled = pcap::Capture::dead(pcap::Linktype::ETHERNET)
        .and_then(|dead| dead.compile(filter, true).map(|_| ()));
    if let Err(err) = compiled {
        c.problem("capture.filter", format!("not a valid BPF filter: {err}"));
    }
}

fn pipeline(c: &mut Checker<'_>, raw: &RawPipeline) -> PipelineConfig {
    let window = c.secs("pipeline.window_secs", raw.window_secs, 10, 3600);
    let mut networks = Vec::new();
    for (i, text) in raw.internal_networks.iter().enumerate() {
        match text.trim().parse::<IpNet>() {
            Ok(net) => networks.push(net.trunc()),
            Err(_) => c.problem(
                &format!("pipeline.internal_networks[{i}]"),
                format!("not a CIDR network like 10.0.0.0/8 (got {text:?})"),
            ),
        }
    }
    if raw.internal_networks.is_empty() {
        c.problem(
            "pipeline.internal_networks",
            "must list at least one network (devices are stations inside them)",
        );
    }
    let threshold = raw.identification_threshold;
    if !(threshold > 0.0 && threshold <= 1.0) {
        c.problem(
            "pipeline.identification_threshold",
            format!("must be above 0 and at most 1 (got {threshold})"),
        );
    }
    let ft = &raw.flow_table;
    let flow_table = FlowTableConfig {
        max_flows: c.range(
            "pipeline.flow_table.max_flows",
            ft.max_flows,
            1024,
            16_777_216,
        ) as usize,
        tcp_idle: c.secs(
            "pipeline.flow_table.tcp_idle_secs",
            ft.tcp_idle_secs,
            1,
            86_400,
        ),
        tcp_half_open: c.secs(
            "pipeline.flow_table.tcp_half_open_secs",
            ft.tcp_half_open_secs,
            1,
            3600,
        ),
        udp_idle: c.secs(
            "pipeline.flow_table.udp_idle_secs",
            ft.udp_idle_secs,
            1,
            86_400,
        ),
        icmp_idle: c.secs(
            "pipeline.flow_table.icmp_idle_secs",
            ft.icmp_idle_secs,
            1,
            86_400,
        ),
        other_idle: c.secs(
            "pipeline.flow_table.other_idle_secs",
            ft.other_idle_secs,
            1,
            86_400,
        ),
    };
    if flow_table.tcp_half_open > flow_table.tcp_idle {
        c.problem(
            "pipeline.flow_table.tcp_half_open_secs",
            "must not exceed pipeline.flow_table.tcp_idle_secs",
        );
    }
    let devices = &raw.devices;
    PipelineConfig {
        window,
        internal_networks: networks,
        identification_threshold: threshold,
        flow_table,
        max_established_devices: c.range(
            "pipeline.devices.max_established",
            devices.max_established,
            1,
            1_048_576,
        ) as usize,
        max_tentative_devices: c.range(
            "pipeline.devices.max_tentative",
            devices.max_tentative,
            1,
            1_048_576,
        ) as usize,
    }
}

fn alerts(c: &mut Checker<'_>, raw: &RawAlerts, detector: &RawDetector) -> AlertsConfig {
    let file = match raw.file.as_str() {
        "" => None,
        "-" => Some(AlertFile::Stdout),
        path => Some(AlertFile::Path(PathBuf::from(path))),
    };
    let config = AlertsConfig {
        file,
        suppression: c.secs("alerts.suppression_secs", raw.suppression_secs, 0, 604_800),
        max_per_minute: c.range("alerts.max_per_minute", raw.max_per_minute, 1, 100_000),
        discovery: c.secs("alerts.discovery_secs", raw.discovery_secs, 0, 604_800),
        detector: detector.detector_config(),
        queue_capacity: c.range("alerts.queue_capacity", raw.queue_capacity, 1, 1_000_000) as usize,
        alertmanager: alertmanager(c, &raw.alertmanager),
    };
    if let Err(err) = crate::engine::detector_config(&config).validate() {
        match err {
            wardwatch_baseline::BaselineError::InvalidSetting { field, reason } => {
                c.problem(&format!("detector.{field}"), reason)
            }
            other => c.problem("detector", other.to_string()),
        }
    }
    config
}

fn alertmanager(c: &mut Checker<'_>, raw: &RawAlertmanager) -> Option<AlertmanagerConfig> {
    if raw.urls.len() > MAX_ALERTMANAGER_URLS {
        c.problem(
            "alerts.alertmanager.urls",
            format!(
                "at most {MAX_ALERTMANAGER_URLS} URLs (got {})",
                raw.urls.len()
            ),
        );
    }
    let mut urls = Vec::new();
    for (i, text) in raw.urls.iter().enumerate() {
        match parse_http_url(text) {
            Ok(url) => urls.push(url),
            Err(message) => c.problem(&format!("alerts.alertmanager.urls[{i}]"), message),
        }
    }
    let timeout = c.secs("alerts.alertmanager.timeout_secs", raw.timeout_secs, 1, 300);
    let initial = c.range(
        "alerts.alertmanager.initial_backoff_ms",
        raw.initial_backoff_ms,
        10,
        600_000,
    );
    let max = c.secs(
        "alerts.alertmanager.max_backoff_secs",
        raw.max_backoff_secs,
        1,
        3600,
    );
    if Duration::from_millis(initial) > max {
        c.problem(
            "alerts.alertmanager.max_backoff_secs",
            "must not be shorter than alerts.alertmanager.initial_backoff_ms",
        );
    }
    let batch = c.range("alerts.alertmanager.batch_size", raw.batch_size, 1, 1000);
    let generator_url = (!raw.generator_url.is_empty()).then(|| raw.generator_url.clone());
    if let Some(url) = &generator_url {
        let ok = url
            .parse::<hyper::Uri>()
            .is_ok_and(|u| matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some());
        if !ok {
            c.problem("alerts.alertmanager.generator_url", "not an http(s) URL");
        }
    }
    (!urls.is_empty()).then(|| AlertmanagerConfig {
        urls,
        timeout,
        initial_backoff: Duration::from_millis(initial),
        max_backoff: max,
        batch_size: batch as usize,
        generator_url,
    })
}

/// Parses `http://host[:port][/prefix]`; https and anything else is refused with a reason.
pub fn parse_http_url(text: &str) -> Result<HttpUrl, String> {
    let not_http = || format!("not an http URL like http://127.0.0.1:9093 (got {text:?})");
    let uri: hyper::Uri = text.parse().map_err(|_| not_http())?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err(
                "https is not supported: use http to an Alertmanager on a trusted network or a local TLS-terminating proxy"
                    .into(),
            );
        }
        _ => return Err(not_http()),
    }
    let host = uri.host().filter(|h| !h.is_empty()).ok_or_else(not_http)?;
    if uri.query().is_some() || text.contains('@') {
        return Err(format!(
            "must not carry a query or credentials (got {text:?})"
        ));
    }
    let port = uri.port_u16().unwrap_or(80);
    let host = host.to_owned();
    // hyper keeps the brackets of an IPv6 host, so this is a valid authority either way.
    let authority = format!("{host}:{port}");
    Ok(HttpUrl {
        authority,
        host,
        port,
        path_prefix: uri.path().trim_end_matches('/').to_owned(),
    })
}

fn metrics(c: &mut Checker<'_>, raw: &RawMetrics) -> MetricsConfig {
    let listen = match raw.listen.parse::<SocketAddr>() {
        Ok(addr) => addr,
        Err(_) => {
            c.problem(
                "metrics.listen",
                format!(
                    "not an IP:port address like 127.0.0.1:9917 (got {:?})",
                    raw.listen
                ),
            );
            SocketAddr::from(([127, 0, 0, 1], 9917))
        }
    };
    MetricsConfig {
        listen,
        max_in_flight: c.range("metrics.max_in_flight", raw.max_in_flight, 1, 10_000) as usize,
        max_connections: c.range("metrics.max_connections", raw.max_connections, 1, 65_536)
            as usize,
        max_device_series: c.range(
            "metrics.max_device_series",
            raw.max_device_series,
            0,
            1_000_000,
        ) as usize,
        header_read_timeout: c.secs(
            "metrics.header_read_timeout_secs",
            raw.header_read_timeout_secs,
            1,
            300,
        ),
    }
}

fn is_account_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn privileges(c: &mut Checker<'_>, user: &str, group: &str) -> PrivilegeConfig {
    if user.is_empty() {
        if !group.is_empty() {
            c.problem("privileges.group", "needs privileges.user");
        }
        return PrivilegeConfig::KeepRoot;
    }
    if !is_account_name(user) {
        c.problem(
            "privileges.user",
            "not a user name (letters, digits, '_', '-', '.')",
        );
    }
    if !group.is_empty() && !is_account_name(group) {
        c.problem(
            "privileges.group",
            "not a group name (letters, digits, '_', '-', '.')",
        );
    }
    PrivilegeConfig::DropTo {
        user: user.to_owned(),
        group: (!group.is_empty()).then(|| group.to_owned()),
    }
}

fn locations(c: &mut Checker<'_>, raw: &[RawLocation]) -> Vec<Location> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, loc) in raw.iter().enumerate() {
        let key = format!("locations[{i}]");
        let matches = match (&loc.subnet, loc.vlan) {
            (Some(subnet), None) => match subnet.trim().parse::<IpNet>() {
                Ok(net) => Some(LocationMatch::Subnet(net.trunc())),
                Err(_) => {
                    c.problem(
                        &format!("{key}.subnet"),
                        format!("not a CIDR network (got {subnet:?})"),
                    );
                    None
                }
            },
            (None, Some(vlan)) if (1..=4094).contains(&vlan) => Some(LocationMatch::Vlan(vlan)),
            (None, Some(vlan)) => {
                c.problem(
                    &format!("{key}.vlan"),
                    format!("must be between 1 and 4094 (got {vlan})"),
                );
                None
            }
            _ => {
                c.problem(&key, "give exactly one of subnet or vlan");
                None
            }
        };
        for (field, value) in [("site", &loc.site), ("ward", &loc.ward)] {
            if value.trim().is_empty() || value.chars().count() > 64 {
                c.problem(&format!("{key}.{field}"), "must be 1 to 64 characters");
            }
        }
        if let Some(matches) = matches {
            if !seen.insert(matches.clone()) {
                c.problem(
                    &key,
                    "duplicates an earlier location with the same subnet or vlan",
                );
            }
            out.push(Location {
                matches,
                site: loc.site.clone(),
                ward: loc.ward.clone(),
            });
        }
    }
    out
}

impl std::hash::Hash for LocationMatch {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            LocationMatch::Subnet(net) => net.hash(state),
            LocationMatch::Vlan(vlan) => vlan.hash(state),
        }
    }
}

#[cfg(test)]
mod tests;
