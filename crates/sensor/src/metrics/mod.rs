//! Every metric family the sensor exports (reference: `docs/metrics.md`), in one registry
//! rendered in the Prometheus text format. The daemon and its parts update it through the
//! `observe_*` / `set_*` methods and the [`SinkMetrics`] / [`HttpMetrics`] handles, from plain
//! counters and the mirror structs in [`stats`]. Label values come only from the enums in
//! [`labels`] or through the [`LabelPolicy`] (catalog values), so the series count never
//! depends on what is on the wire.

mod devices;
pub mod labels;
pub mod stats;

pub use devices::{DeviceRiskSummary, DeviceSummary, device_label};
pub use labels::LabelPolicy;
pub use stats::{CaptureStats, PipelineStats};

use devices::{DeviceFamilies, DeviceSeries};
use labels::{
    CaptureMode, DecodeErrorKind, DeviceState, DropStage, EvictReason, HttpHandler, Outcome,
    SinkDropReason, SuppressReason,
};
use prometheus::Encoder;
use prometheus::core::Collector;
use prometheus::{
    Gauge, GaugeVec, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry, TextEncoder,
};
use stats::Delta;
use std::sync::{Mutex, MutexGuard, OnceLock, RwLock};
use wardwatch_baseline::Alert;
use wardwatch_flow::{ModelId, Timestamp};

/// Buckets of `wardwatch_window_anomaly_score`: the score is normalised so 1.0 is the model's
/// alert threshold.
pub const SCORE_BUCKETS: &[f64] = &[0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0];

/// Registry errors are programming errors (duplicate names); this wraps them for the caller.
#[derive(Debug, thiserror::Error)]
#[error("metrics registry: {0}")]
pub struct MetricsError(#[from] prometheus::Error);

/// The model set as the metrics describe it.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelSetInfo {
    /// Version text of the loaded model set (our own files, not the wire).
    pub version: String,
    /// When the model set was trained, if recorded.
    pub trained_at: Option<Timestamp>,
    /// Device models in the catalog.
    pub model_count: usize,
    /// Baseline maturity (0..1) per model with a trained profile.
    pub maturity: Vec<(ModelId, f64)>,
}

/// Running totals remembered to turn mirrors into counter increments.
#[derive(Default)]
struct Deltas {
    capture: [Delta; 4],
    decode: [Delta; DecodeErrorKind::COUNT],
    flows_created: Delta,
    flows_evicted: [Delta; EvictReason::COUNT],
    devices_evicted: [Delta; DeviceState::COUNT],
}

/// The sensor's metrics.
pub struct Metrics {
    registry: Registry,
    policy: RwLock<LabelPolicy>,
    deltas: Mutex<Deltas>,
    device_series: Mutex<DeviceSeries>,
    kernel_received: IntCounter,
    kernel_registered: OnceLock<()>,
    packets: IntCounter,
    bytes: IntCounter,
    capture_dropped: IntCounterVec,
    capture_info: IntGaugeVec,
    capture_running: IntGauge,
    last_packet: Gauge,
    decode_errors: IntCounterVec,
    flows_active: IntGauge,
    flows_created: IntCounter,
    flows_evicted: IntCounterVec,
    flow_emergency: IntGauge,
    flow_capacity: IntGauge,
    devices_evicted: IntCounterVec,
    windows_scored: IntCounterVec,
    window_score: HistogramVec,
    feature_drift: GaugeVec,
    alerts: IntCounterVec,
    alerts_suppressed: IntCounterVec,
    sink_deliveries: IntCounterVec,
    sink_failures: IntCounterVec,
    sink_dropped: IntCounterVec,
    sink_queue: IntGaugeVec,
    model_set_info: IntGaugeVec,
    model_set_trained: GaugeVec,
    model_set_models: IntGauge,
    maturity: GaugeVec,
    http_requests: IntCounterVec,
    http_rejected: IntCounter,
    reloads: IntCounterVec,
    snapshots: IntCounterVec,
    last_snapshot: Gauge,
    log_suppressed: IntCounter,
    start_time: Gauge,
}

/// Weight of one window in the feature-drift moving average (about the last 30 windows count).
const DRIFT_WEIGHT: f64 = 1.0 / 30.0;

struct Builder<'a>(&'a Registry);

impl Builder<'_> {
    fn add<C: Collector + Clone + 'static>(&self, c: C) -> Result<C, MetricsError> {
        self.0.register(Box::new(c.clone()))?;
        Ok(c)
    }
    fn counter(&self, name: &str, help: &str) -> Result<IntCounter, MetricsError> {
        self.add(IntCounter::new(name, help)?)
    }
    fn counter_vec(
        &self,
        name: &str,
        help: &str,
        l: &[&str],
    ) -> Result<IntCounterVec, MetricsError> {
        self.add(IntCounterVec::new(Opts::new(name, help), l)?)
    }
    fn gauge(&self, name: &str, help: &str) -> Result<Gauge, MetricsError> {
        self.add(Gauge::new(name, help)?)
    }
    fn int_gauge(&self, name: &str, help: &str) -> Result<IntGauge, MetricsError> {
        self.add(IntGauge::new(name, help)?)
    }
    fn gauge_vec(&self, name: &str, help: &str, l: &[&str]) -> Result<GaugeVec, MetricsError> {
        self.add(GaugeVec::new(Opts::new(name, help), l)?)
    }
    fn int_gauge_vec(
        &self,
        name: &str,
        help: &str,
        l: &[&str],
    ) -> Result<IntGaugeVec, MetricsError> {
        self.add(IntGaugeVec::new(Opts::new(name, help), l)?)
    }
}

impl Metrics {
    /// Registers every family. `max_device_series` caps the per-device series.
    pub fn new(max_device_series: usize) -> Result<Metrics, MetricsError> {
        let registry = Registry::new();
        let b = Builder(&registry);
        let device_series = DeviceSeries::new(
            DeviceFamilies {
                devices: b.int_gauge_vec("wardwatch_devices", "Devices in the device table by catalog model, class and state.", &["model", "class", "state"])?,
                info: b.int_gauge_vec("wardwatch_device_info", "One series per established device (capped): its catalog model, class, vendor and catalog software version.", &["device", "model", "class", "vendor", "version"])?,
                score: b.gauge_vec("wardwatch_device_anomaly_score", "Latest anomaly score of an established device (1 = its model's alert threshold).", &["device"])?,
                refused_total: b.counter("wardwatch_device_series_refused_total", "Established devices refused per-device series because metrics.max_device_series was reached.")?,
                advisories: b.int_gauge_vec("wardwatch_device_advisories", "Known advisories that apply to an established device's model and software version.", &["device"])?,
                highest_cvss: b.gauge_vec("wardwatch_device_highest_cvss_score", "Highest CVSS base score among the advisories of an established device (0 when none applies).", &["device"])?,
                known_exploited: b.int_gauge_vec("wardwatch_device_known_exploited", "1 when an advisory of an established device is in the CISA Known Exploited Vulnerabilities catalog.", &["device"])?,
                risk: b.gauge_vec("wardwatch_device_risk_score", "Risk of an established device, 0 to 10 (its highest advisory risk).", &["device"])?,
                alerts: b.counter_vec("wardwatch_device_alerts_total", "Alerts raised for an established device with per-device series, by severity.", &["device", "severity"])?,
            },
            max_device_series,
        );
        let window_score = b.add(HistogramVec::new(
            HistogramOpts::new("wardwatch_window_anomaly_score", "Anomaly scores of device windows (1 = the model's alert threshold), by catalog model.")
                .buckets(SCORE_BUCKETS.to_vec()),
            &["model"],
        )?)?;
        let metrics = Metrics {
            policy: RwLock::new(LabelPolicy::default()),
            deltas: Mutex::new(Deltas::default()),
            device_series: Mutex::new(device_series),
            kernel_received: IntCounter::new(
                "wardwatch_capture_kernel_received_packets_total",
                "Packets the kernel passed to libpcap (libpcap ps_recv; live capture only).",
            )?,
            kernel_registered: OnceLock::new(),
            packets: b.counter("wardwatch_packets_received_total", "Packets the pipeline received from the capture.")?,
            bytes: b.counter("wardwatch_bytes_received_total", "Bytes on the wire (original length) of the packets the pipeline received.")?,
            capture_dropped: b.counter_vec("wardwatch_capture_dropped_packets_total", "Packets lost before the pipeline: queue (ours, live only), kernel and interface (libpcap, live only).", &["stage"])?,
            capture_info: b.int_gauge_vec("wardwatch_capture_info", "Capture mode (1 for the active mode).", &["mode"])?,
            capture_running: b.int_gauge("wardwatch_capture_running", "1 while the capture delivers packets, 0 once it has ended (replay finished or shutdown).")?,
            last_packet: b.gauge("wardwatch_last_packet_timestamp_seconds", "Packet time of the latest packet received, seconds since the epoch.")?,
            decode_errors: b.counter_vec("wardwatch_decode_errors_total", "Packets that failed to decode, by layer.", &["kind"])?,
            flows_active: b.int_gauge("wardwatch_flows_active", "Flows in the flow table.")?,
            flows_created: b.counter("wardwatch_flows_created_total", "Flows created.")?,
            flows_evicted: b.counter_vec("wardwatch_flows_evicted_total", "Flows removed from the flow table, by reason.", &["reason"])?,
            flow_emergency: b.int_gauge("wardwatch_flow_table_emergency", "1 while the flow table runs in emergency mode (shortened timeouts).")?,
            flow_capacity: b.int_gauge("wardwatch_flow_table_capacity", "Most flows the flow table holds (pipeline.flow_table.max_flows).")?,
            devices_evicted: b.counter_vec("wardwatch_devices_evicted_total", "Devices evicted from the device table, by partition.", &["state"])?,
            windows_scored: b.counter_vec("wardwatch_windows_scored_total", "Device windows scored, by catalog model.", &["model"])?,
            window_score,
            feature_drift: b.gauge_vec("wardwatch_model_feature_drift", "How far the scored windows of a catalog model sit above their learnt median, per feature, in robust z units (one-sided; moving average over about the last 30 windows).", &["model", "feature"])?,
            alerts: b.counter_vec("wardwatch_alerts_total", "Alerts raised (after suppression), by kind, severity and catalog model.", &["kind", "severity", "model"])?,
            alerts_suppressed: b.counter_vec("wardwatch_alerts_suppressed_total", "Alerts not raised, by reason.", &["reason"])?,
            sink_deliveries: b.counter_vec("wardwatch_alert_sink_deliveries_total", "Alerts delivered, by sink.", &["sink"])?,
            sink_failures: b.counter_vec("wardwatch_alert_sink_failures_total", "Failed delivery attempts (each retry counts), by sink.", &["sink"])?,
            sink_dropped: b.counter_vec("wardwatch_alert_sink_dropped_total", "Alerts a sink gave up on, by sink and reason.", &["sink", "reason"])?,
            sink_queue: b.int_gauge_vec("wardwatch_alert_sink_queue_length", "Alerts waiting in a sink's buffer.", &["sink"])?,
            model_set_info: b.int_gauge_vec("wardwatch_model_set_info", "The loaded model set (1 for the active version).", &["version"])?,
            model_set_trained: b.gauge_vec("wardwatch_model_set_trained_timestamp_seconds", "When the loaded model set was trained, seconds since the epoch.", &["version"])?,
            model_set_models: b.int_gauge("wardwatch_model_set_models", "Device models in the loaded catalog.")?,
            maturity: b.gauge_vec("wardwatch_baseline_maturity_ratio", "Baseline maturity per catalog model (0 = no profile, 1 = fully trained).", &["model"])?,
            http_requests: b.counter_vec("wardwatch_http_requests_total", "HTTP requests served, by handler and status code.", &["handler", "code"])?,
            http_rejected: b.counter("wardwatch_http_connections_rejected_total", "Connections closed at once because metrics.max_connections were open.")?,
            reloads: b.counter_vec("wardwatch_reloads_total", "SIGHUP reloads of configuration and models, by result.", &["result"])?,
            snapshots: b.counter_vec("wardwatch_state_snapshots_total", "State snapshots written, by result.", &["result"])?,
            last_snapshot: b.gauge("wardwatch_state_last_snapshot_timestamp_seconds", "Wall-clock time of the last successful state snapshot.")?,
            log_suppressed: b.counter("wardwatch_log_lines_suppressed_total", "Log lines suppressed by log rate limiting (the counters they describe are never sampled).")?,
            start_time: b.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.")?,
            registry: registry.clone(),
        };
        let build = b.int_gauge_vec(
            "wardwatch_build_info",
            "Build of the sensor (1).",
            &["version", "feature_schema"],
        )?;
        build
            .with_label_values(&[
                env!("CARGO_PKG_VERSION"),
                &wardwatch_flow::FEATURE_SCHEMA_VERSION.to_string(),
            ])
            .set(1);
        metrics.init_series();
        Ok(metrics)
    }

    /// Creates the bounded-enum series at 0 so rates work from the first scrape.
    fn init_series(&self) {
        self.capture_dropped
            .with_label_values(&[DropStage::Queue.label()]);
        for kind in DecodeErrorKind::ALL {
            self.decode_errors.with_label_values(&[kind.label()]);
        }
        for reason in EvictReason::ALL {
            self.flows_evicted.with_label_values(&[reason.label()]);
        }
        for state in DeviceState::ALL {
            self.devices_evicted.with_label_values(&[state.label()]);
        }
        for reason in SuppressReason::ALL {
            self.alerts_suppressed.with_label_values(&[reason.label()]);
        }
        for outcome in Outcome::ALL {
            self.reloads.with_label_values(&[outcome.label()]);
            self.snapshots.with_label_values(&[outcome.label()]);
        }
        self.capture_running.set(0);
    }

    fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Replaces the catalog values admitted as labels (at start and after a reload).
    pub fn set_label_policy(&self, policy: LabelPolicy) {
        *self
            .policy
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = policy;
    }

    fn policy(&self) -> std::sync::RwLockReadGuard<'_, LabelPolicy> {
        self.policy
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The text exposition of every family.
    pub fn render(&self) -> Result<Vec<u8>, MetricsError> {
        let mut out = Vec::with_capacity(16 * 1024);
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(out)
    }

    /// Sets `process_start_time_seconds` (wall clock, read by the daemon at start).
    pub fn set_start_time(&self, secs_since_epoch: f64) {
        self.start_time.set(secs_since_epoch);
    }

    /// Declares the capture mode; live mode also creates the libpcap series.
    pub fn set_capture_mode(&self, mode: CaptureMode) {
        self.capture_info.with_label_values(&[mode.label()]).set(1);
        if mode == CaptureMode::Live {
            self.capture_dropped
                .with_label_values(&[DropStage::Kernel.label()]);
            self.capture_dropped
                .with_label_values(&[DropStage::Interface.label()]);
            // Registered only for live captures: savefiles have no libpcap statistics, and an
            // absent series says so better than a 0 would.
            self.kernel_registered.get_or_init(|| {
                let _ = self
                    .registry
                    .register(Box::new(self.kernel_received.clone()));
            });
        }
    }

    /// Marks the capture as delivering (`true`) or ended (`false`).
    pub fn set_capture_running(&self, running: bool) {
        self.capture_running.set(i64::from(running));
    }

    /// Counts a batch of received packets and the packet time of the latest.
    pub fn observe_packets(&self, packets: u64, wire_bytes: u64, last_ts: Timestamp) {
        self.packets.inc_by(packets);
        self.bytes.inc_by(wire_bytes);
        self.last_packet.set(last_ts.as_secs_f64());
    }

    /// Packets dropped at the capture-to-pipeline queue (running total).
    pub fn observe_queue_drops(&self, total: u64) {
        let counter = self
            .capture_dropped
            .with_label_values(&[DropStage::Queue.label()]);
        Self::lock(&self.deltas).capture[0].advance(&counter, total);
    }

    /// libpcap statistics of a live capture (running totals).
    pub fn observe_capture_stats(&self, stats: CaptureStats) {
        let mut deltas = Self::lock(&self.deltas);
        deltas.capture[1].advance(&self.kernel_received, stats.kernel_received);
        let kernel = self
            .capture_dropped
            .with_label_values(&[DropStage::Kernel.label()]);
        deltas.capture[2].advance(&kernel, stats.kernel_dropped);
        let interface = self
            .capture_dropped
            .with_label_values(&[DropStage::Interface.label()]);
        deltas.capture[3].advance(&interface, stats.interface_dropped);
    }

    /// The pipeline's statistics (running totals and gauges).
    pub fn observe_pipeline(&self, stats: &PipelineStats) {
        let mut deltas = Self::lock(&self.deltas);
        for kind in DecodeErrorKind::ALL {
            let counter = self.decode_errors.with_label_values(&[kind.label()]);
            deltas.decode[kind.index()].advance(&counter, stats.decode_errors[kind.index()]);
        }
        for reason in EvictReason::ALL {
            let counter = self.flows_evicted.with_label_values(&[reason.label()]);
            deltas.flows_evicted[reason.index()]
                .advance(&counter, stats.flows_evicted[reason.index()]);
        }
        for state in DeviceState::ALL {
            let counter = self.devices_evicted.with_label_values(&[state.label()]);
            deltas.devices_evicted[state.index()]
                .advance(&counter, stats.devices_evicted[state.index()]);
        }
        deltas
            .flows_created
            .advance(&self.flows_created, stats.flows_created);
        self.flows_active
            .set(i64::try_from(stats.flows_active).unwrap_or(i64::MAX));
        self.flow_emergency
            .set(i64::from(stats.flow_table_emergency));
    }

    /// The current device list: device counts and the capped per-device series.
    pub fn observe_devices(&self, devices: &[DeviceSummary]) {
        let policy = self.policy();
        Self::lock(&self.device_series).update(devices, &policy);
    }

    /// Advisory and risk gauges of the devices with per-device series (call after
    /// [`Metrics::observe_devices`]; a device missing from `risks` loses its risk series).
    pub fn observe_device_risks(&self, risks: &[DeviceRiskSummary]) {
        Self::lock(&self.device_series).update_risks(risks);
    }

    /// The configured flow-table capacity (at start and after a reload).
    pub fn set_flow_table_capacity(&self, max_flows: usize) {
        self.flow_capacity
            .set(i64::try_from(max_flows).unwrap_or(i64::MAX));
    }

    /// Devices that currently have per-device series.
    #[cfg(test)]
    pub fn device_series_count(&self) -> usize {
        Self::lock(&self.device_series).admitted_count()
    }

    /// One scored device window: its score level and its per-feature deviations (in
    /// `wardwatch_flow::FEATURES` order, as the detector's `AnomalyScore::deviations`).
    pub fn observe_window_score(&self, model: Option<&ModelId>, score: f64, deviations: &[f64]) {
        let policy = self.policy();
        let model = policy.model(model);
        self.windows_scored.with_label_values(&[model]).inc();
        if score.is_finite() {
            self.window_score.with_label_values(&[model]).observe(score);
        }
        for (def, z) in wardwatch_flow::FEATURES.iter().zip(deviations) {
            if !z.is_finite() {
                continue;
            }
            let gauge = self.feature_drift.with_label_values(&[model, def.name]);
            let now = gauge.get();
            gauge.set(now + DRIFT_WEIGHT * (z - now));
        }
    }

    /// One alert raised.
    pub fn observe_alert(&self, alert: &Alert) {
        let policy = self.policy();
        let model = policy.model(alert.device.model.as_ref());
        self.alerts
            .with_label_values(&[alert.kind.name(), alert.severity.name(), model])
            .inc();
        Self::lock(&self.device_series).count_alert(&alert.device.id, alert.severity);
    }

    /// Alerts not raised (the detector's policy reports these).
    pub fn observe_alerts_suppressed(&self, reason: SuppressReason, count: u64) {
        self.alerts_suppressed
            .with_label_values(&[reason.label()])
            .inc_by(count);
    }

    /// The loaded model set (replaces the previous one's series).
    pub fn set_model_set(&self, info: &ModelSetInfo) {
        self.model_set_info.reset();
        self.model_set_trained.reset();
        self.maturity.reset();
        self.model_set_info
            .with_label_values(&[info.version.as_str()])
            .set(1);
        if let Some(trained) = info.trained_at {
            self.model_set_trained
                .with_label_values(&[info.version.as_str()])
                .set(trained.as_secs_f64());
        }
        self.model_set_models
            .set(i64::try_from(info.model_count).unwrap_or(i64::MAX));
        let policy = self.policy();
        for (model, ratio) in &info.maturity {
            self.maturity
                .with_label_values(&[policy.model(Some(model))])
                .set(ratio.clamp(0.0, 1.0));
        }
    }

    /// A reload attempt's outcome.
    pub fn observe_reload(&self, outcome: Outcome) {
        self.reloads.with_label_values(&[outcome.label()]).inc();
    }

    /// A state snapshot attempt; `wall_secs` is set on success.
    pub fn observe_snapshot(&self, outcome: Outcome, wall_secs: f64) {
        self.snapshots.with_label_values(&[outcome.label()]).inc();
        if outcome == Outcome::Success {
            self.last_snapshot.set(wall_secs);
        }
    }

    /// The counter of rate-limited log lines.
    pub fn log_suppressed_counter(&self) -> IntCounter {
        self.log_suppressed.clone()
    }

    /// Handles for one alert sink (`sink` is a fixed name like `jsonl` or `alertmanager_0`).
    pub fn sink(&self, sink: &str) -> SinkMetrics {
        for reason in SinkDropReason::ALL {
            self.sink_dropped.with_label_values(&[sink, reason.label()]);
        }
        SinkMetrics {
            deliveries: self.sink_deliveries.with_label_values(&[sink]),
            failures: self.sink_failures.with_label_values(&[sink]),
            dropped: SinkDropReason::ALL
                .iter()
                .map(|r| self.sink_dropped.with_label_values(&[sink, r.label()]))
                .collect(),
            queue: self.sink_queue.with_label_values(&[sink]),
        }
    }

    /// Handles for the HTTP server.
    pub fn http(&self) -> HttpMetrics {
        HttpMetrics {
            requests: self.http_requests.clone(),
            rejected: self.http_rejected.clone(),
        }
    }
}

/// Counters of one alert sink.
#[derive(Clone)]
pub struct SinkMetrics {
    /// Alerts delivered.
    pub deliveries: IntCounter,
    /// Failed attempts.
    pub failures: IntCounter,
    dropped: Vec<IntCounter>,
    /// Alerts waiting.
    pub queue: IntGauge,
}

impl SinkMetrics {
    /// Counts `count` alerts dropped for `reason`.
    pub fn dropped(&self, reason: SinkDropReason, count: u64) {
        if let Some(counter) = self.dropped.get(reason.index()) {
            counter.inc_by(count);
        }
    }

    /// Alerts dropped for `reason` so far.
    #[cfg(test)]
    pub fn dropped_total(&self, reason: SinkDropReason) -> u64 {
        self.dropped.get(reason.index()).map_or(0, IntCounter::get)
    }
}

/// Counters of the HTTP server.
#[derive(Clone)]
pub struct HttpMetrics {
    requests: IntCounterVec,
    rejected: IntCounter,
}

impl HttpMetrics {
    /// One request answered.
    pub fn request(&self, handler: HttpHandler, code: u16) {
        let code = match code {
            200 => "200",
            404 => "404",
            405 => "405",
            503 => "503",
            _ => "500",
        };
        self.requests
            .with_label_values(&[handler.label(), code])
            .inc();
    }

    /// One connection refused by the connection cap.
    pub fn connection_rejected(&self) {
        self.rejected.inc();
    }
}

#[cfg(test)]
mod tests;
