//! The one way through, as every subcommand drives it: the flow pipeline followed by the
//! detector. `run` (live or replay), `retrain`, `eval` and `inventory` all push packets through
//! an [`Engine`]; none has a second implementation of any stage.

use crate::config::{AlertsConfig, PipelineConfig as SensorPipelineConfig};
use crate::model_set::ModelSet;
use std::sync::Arc;
use wardwatch_baseline::{Alert, Detector, DetectorConfig};
use wardwatch_flow::{
    Event, LinkType, Packet, Pipeline, PipelineConfig, PipelineError, Span, Timestamp,
    WindowFeatures,
};

/// What the engine produced for one call; the caller drains it.
#[derive(Debug, Default)]
pub struct EngineOutput {
    /// Alerts (deduplicated and rate limited by the detector's policy).
    pub alerts: Vec<Alert>,
    /// Closed device windows (for the feature log and for training).
    pub windows: Vec<WindowFeatures>,
}

impl EngineOutput {
    /// True when nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty() && self.windows.is_empty()
    }
}

/// Flow pipeline + (optionally) detector.
#[derive(Debug)]
pub struct Engine {
    pipeline: Pipeline,
    detector: Option<Detector>,
    events: Vec<Event>,
    unsupported_linktype: u64,
    last_ts: Option<Timestamp>,
}

impl Engine {
    /// Builds the pipeline from the configuration and the model directory's reference data; with
    /// a detector when `detector` is given (retraining runs without one).
    pub fn new(
        config: PipelineConfig,
        models: &ModelSet,
        detector: Option<Detector>,
    ) -> Result<Engine, PipelineError> {
        Ok(Engine {
            pipeline: Pipeline::new(config, &models.catalog, &models.oui)?,
            detector,
            events: Vec::new(),
            unsupported_linktype: 0,
            last_ts: None,
        })
    }

    /// One captured packet; `dlt` is the capture's pcap link type number.
    pub fn push(
        &mut self,
        ts: Timestamp,
        dlt: i32,
        data: &[u8],
        wire_len: u32,
        out: &mut EngineOutput,
    ) {
        let Some(link) = u32::try_from(dlt).ok().and_then(LinkType::from_dlt) else {
            self.unsupported_linktype = self.unsupported_linktype.saturating_add(1);
            return;
        };
        self.last_ts = Some(ts);
        let packet = Packet {
            ts,
            link,
            data,
            wire_len,
        };
        self.pipeline.push(&packet, &mut self.events);
        self.drain(out);
    }

    /// Packet time advanced without packets (a quiet live network).
    pub fn advance(&mut self, now: Timestamp, out: &mut EngineOutput) {
        self.pipeline.advance(now, &mut self.events);
        self.drain(out);
    }

    /// End of input: close every window and release pending alert summaries.
    pub fn finish(&mut self, out: &mut EngineOutput) {
        self.pipeline.flush(&mut self.events);
        self.drain(out);
        if let (Some(detector), Some(now)) = (self.detector.as_mut(), self.last_ts) {
            detector.flush(now, &mut out.alerts);
        }
    }

    fn drain(&mut self, out: &mut EngineOutput) {
        for event in self.events.drain(..) {
            if let Some(detector) = self.detector.as_mut() {
                detector.process(&event, &mut out.alerts);
            }
            if let Event::Window(window) = event {
                out.windows.push(*window);
            }
        }
    }

    /// The flow pipeline (statistics, inventory, snapshots).
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// The flow pipeline, mutably (restoring a snapshot).
    pub fn pipeline_mut(&mut self) -> &mut Pipeline {
        &mut self.pipeline
    }

    /// The detector, when the engine has one.
    pub fn detector(&self) -> Option<&Detector> {
        self.detector.as_ref()
    }

    /// The detector, mutably (new models, allow-list, device states).
    pub fn detector_mut(&mut self) -> Option<&mut Detector> {
        self.detector.as_mut()
    }

    /// Takes the detector out (a reload builds the next engine around it).
    pub fn take_detector(&mut self) -> Option<Detector> {
        self.detector.take()
    }

    /// Puts a detector in (replacing any).
    pub fn set_detector(&mut self, detector: Detector) {
        self.detector = Some(detector);
    }

    /// Packets skipped because their capture's link type is not supported.
    pub fn unsupported_linktype(&self) -> u64 {
        self.unsupported_linktype
    }
}

/// The flow crate's configuration from the sensor's validated `[pipeline]` section.
pub fn pipeline_config(section: &SensorPipelineConfig) -> PipelineConfig {
    let defaults = PipelineConfig::default();
    let flows = &section.flow_table;
    PipelineConfig {
        window: span(section.window),
        internal_networks: section.internal_networks.clone(),
        identify_threshold: section.identification_threshold,
        flows: wardwatch_flow::flow_table::FlowTableConfig {
            max_flows: flows.max_flows,
            tcp_timeout: span(flows.tcp_idle),
            half_open_timeout: span(flows.tcp_half_open),
            udp_timeout: span(flows.udp_idle),
            icmp_timeout: span(flows.icmp_idle),
            other_timeout: span(flows.other_idle),
            ..defaults.flows
        },
        devices: wardwatch_flow::device::DeviceTableConfig {
            max_established: section.max_established_devices,
            max_unestablished: section.max_tentative_devices,
            ..defaults.devices
        },
    }
}

/// The detector's configuration: the sensor's `[detector]` section with the suppression
/// interval, alert rate and discovery period of `[alerts]` (validated with the configuration).
pub fn detector_config(alerts: &AlertsConfig) -> DetectorConfig {
    let mut config = alerts.detector.clone();
    config.suppression_secs = alerts.suppression.as_secs();
    config.discovery_secs = alerts.discovery.as_secs();
    config.rate_limit.per_minute = f64::from(alerts.max_per_minute);
    config
}

fn span(duration: std::time::Duration) -> Span {
    Span(u64::try_from(duration.as_micros()).unwrap_or(u64::MAX))
}

/// A detector over trained profiles (or none, `ModelSet::empty()`), for `run` and `eval`.
pub fn detector(profiles: Arc<wardwatch_baseline::ModelSet>, config: DetectorConfig) -> Detector {
    Detector::new(profiles, config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn shipped() -> ModelSet {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
        ModelSet::load(&dir, &dir.join("default")).unwrap()
    }

    #[test]
    fn default_sensor_config_maps_onto_valid_flow_and_detector_configs() {
        let overrides = crate::config::Overrides {
            replay: Some("capture.pcap".into()),
            ..crate::config::Overrides::default()
        };
        let config = crate::config::load(None, &overrides).unwrap();
        let pipeline = pipeline_config(&config.pipeline);
        pipeline.validate().unwrap();
        assert_eq!(pipeline.window, Span::from_secs(60));
        assert_eq!(pipeline.flows.max_flows, 262_144);
        let detector = detector_config(&config.alerts);
        detector.validate().unwrap();
        assert_eq!(detector.suppression_secs, 3600);
    }

    #[test]
    fn unsupported_link_types_are_counted_not_decoded() {
        let models = shipped();
        let mut engine = Engine::new(PipelineConfig::default(), &models, None).unwrap();
        let mut out = EngineOutput::default();
        engine.push(Timestamp::from_secs(1), 147, &[0; 40], 40, &mut out);
        engine.push(Timestamp::from_secs(1), -1, &[0; 40], 40, &mut out);
        assert_eq!(engine.unsupported_linktype(), 2);
        assert_eq!(engine.pipeline().stats().packets, 0);
        engine.finish(&mut out);
        assert!(out.is_empty());
    }
}
