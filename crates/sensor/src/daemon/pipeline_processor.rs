//! The real [`Processor`]: every packet through the [`Engine`] (flow pipeline + detector over the
//! loaded profiles), alerts and closed windows out, statistics into the metrics.
//!
//! - Window scores go to `wardwatch_window_anomaly_score` as they are scored; devices, pipeline
//!   counters and suppressed alerts are published with the daemon's housekeeping.
//! - The site allow-list (`alerts.allowlist`) is re-read at SIGHUP and whenever the file
//!   changes (checked every 2 s); an expired entry is logged once.
//! - SIGHUP: new profiles, allow-list and settings are checked first and switched together; a
//!   change of catalog, OUI registry or `[pipeline]` settings rebuilds the flow pipeline from a
//!   snapshot of the running one (devices and their histories stay; flows and the current
//!   windows start afresh).
//! - State: the pipeline snapshot plus the devices the detector already knows, so a restart does
//!   not announce them as new again.
//! - Inventory ([`InventoryFeed`]): rebuilt with every device publication; it feeds the risk
//!   gauges and `--inventory-out`, and the operator's device states reach the detector.

use super::inventory_feed::InventoryFeed;
use super::processor::{Output, Processor, ProcessorFactory};
use super::publish::{self, Suppressed};
use crate::capture::PacketRecord;
use crate::config::Config;
use crate::engine::{self, Engine, EngineOutput};
use crate::inventory::InventoryEntry;
use crate::metrics::Metrics;
use crate::model_set::ModelSet;
use crate::site_allowlist::SiteAllowlist;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wardwatch_baseline::DetectorConfig;
use wardwatch_flow::{DeviceId, DeviceRecord, PipelineConfig, PipelineSnapshot, Timestamp};

/// Format of the processor's state snapshot.
pub const STATE_FORMAT: u32 = 1;
/// Most devices remembered as known across restarts.
const MAX_KNOWN_DEVICES: usize = 65_536;
/// Interval between allow-list file checks.
const ALLOWLIST_CHECK: Duration = Duration::from_secs(2);
/// Interval between device-list publications (the list is rebuilt from the device table).
const DEVICES_EVERY: Duration = Duration::from_secs(2);

/// What the processor saves across restarts.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct State {
    format: u32,
    pipeline: PipelineSnapshot,
    known_devices: Vec<DeviceId>,
}

/// Flow pipeline + detector, driven by the daemon.
pub struct PipelineProcessor {
    engine: Engine,
    metrics: Arc<Metrics>,
    models: Arc<ModelSet>,
    pipeline_config: PipelineConfig,
    detector_config: DetectorConfig,
    allowlist: SiteAllowlist,
    inventory: InventoryFeed,
    known: BTreeSet<DeviceId>,
    scratch: EngineOutput,
    suppressed: Suppressed,
    last_packet: Option<Timestamp>,
    last_allowlist_check: Instant,
    last_devices: Option<Instant>,
    finished: bool,
}

impl PipelineProcessor {
    /// The factory `wardwatch run` hands to the daemon.
    pub fn factory() -> ProcessorFactory {
        Box::new(|config, models, metrics| {
            Ok(Box::new(PipelineProcessor::new(config, models, metrics)?))
        })
    }

    /// Builds the engine from the configuration and the loaded models.
    pub fn new(
        config: &Config,
        models: &Arc<ModelSet>,
        metrics: &Arc<Metrics>,
    ) -> anyhow::Result<PipelineProcessor> {
        let pipeline_config = engine::pipeline_config(&config.pipeline);
        let detector_config = engine::detector_config(&config.alerts);
        detector_config
            .validate()
            .map_err(|e| anyhow::anyhow!("alerts: {e}"))?;
        let (allowlist, list) = SiteAllowlist::open(config.allowlist.as_deref())?;
        let mut detector = engine::detector(models.profiles.clone(), detector_config.clone());
        if let Some(path) = allowlist.path() {
            tracing::info!(file = %path.display(), entries = list.entries().len(), "site allow-list loaded");
        }
        detector.set_allowlist(list);
        let engine = Engine::new(pipeline_config.clone(), models, Some(detector))
            .map_err(|e| anyhow::anyhow!("pipeline: {e}"))?;
        let inventory = InventoryFeed::open(config)?;
        let mut processor = PipelineProcessor {
            engine,
            metrics: metrics.clone(),
            models: models.clone(),
            pipeline_config,
            detector_config,
            allowlist,
            inventory,
            known: BTreeSet::new(),
            scratch: EngineOutput::default(),
            suppressed: Suppressed::default(),
            last_packet: None,
            last_allowlist_check: Instant::now(),
            last_devices: None,
            finished: false,
        };
        processor.apply_device_states(&[]);
        Ok(processor)
    }

    /// Tells the detector the known devices and the operator's device states (`devices` =
    /// the pipeline's device list).
    fn apply_device_states(&mut self, devices: &[DeviceRecord]) {
        let known = self.known_devices(established(devices));
        let statuses = self.inventory.detector_statuses(devices, known);
        if let Some(d) = self.engine.detector_mut() {
            d.set_device_states(statuses);
        }
    }

    /// Moves the engine's output to the daemon's, scoring windows into the histogram.
    fn drain(&mut self, out: &mut Output) {
        if let Some(detector) = self.engine.detector() {
            for w in &self.scratch.windows {
                if let Some(score) = detector
                    .anomaly_score(&w.device.id)
                    .filter(|s| s.ts == w.window_start)
                {
                    self.metrics.observe_window_score(
                        w.identity.model.as_ref(),
                        score.level,
                        &score.deviations,
                    );
                }
            }
        }
        out.windows.append(&mut self.scratch.windows);
        out.alerts.append(&mut self.scratch.alerts);
    }

    /// Re-reads the allow-list when its file changed; logs newly expired entries.
    fn check_allowlist(&mut self) {
        if self.last_allowlist_check.elapsed() < ALLOWLIST_CHECK {
            return;
        }
        self.last_allowlist_check = Instant::now();
        if self.allowlist.changed() {
            match self.allowlist.read() {
                Ok(list) => {
                    tracing::info!(
                        entries = list.entries().len(),
                        "site allow-list changed; reloaded"
                    );
                    if let Some(d) = self.engine.detector_mut() {
                        d.set_allowlist(list);
                    }
                }
                Err(err) => {
                    self.allowlist.mark_seen();
                    tracing::error!(error = %err, "site allow-list refused; the previous one stays in force");
                }
            }
        }
        if let (Some(now), Some(d)) = (self.last_packet, self.engine.detector()) {
            self.allowlist.report_expired(d.allowlist(), now);
        }
    }

    /// Devices the detector should treat as known: remembered ones plus the pipeline's
    /// established devices, at most [`MAX_KNOWN_DEVICES`].
    fn known_devices(&self, established: impl IntoIterator<Item = DeviceId>) -> Vec<DeviceId> {
        let mut known = self.known.clone();
        known.extend(established);
        known.into_iter().take(MAX_KNOWN_DEVICES).collect()
    }

    /// Builds what a reload switches to, or says why it cannot.
    fn prepare(&self, config: &Config, models: &Arc<ModelSet>) -> Result<Prepared, String> {
        let pipeline_config = engine::pipeline_config(&config.pipeline);
        pipeline_config.validate().map_err(|e| e.to_string())?;
        let detector_config = engine::detector_config(&config.alerts);
        detector_config
            .validate()
            .map_err(|e| format!("alerts: {e}"))?;
        let (allowlist, list) =
            SiteAllowlist::open(config.allowlist.as_deref()).map_err(|e| e.to_string())?;
        let rebuild_pipeline = pipeline_config != self.pipeline_config
            || models.reference_digest != self.models.reference_digest;
        let engine = if rebuild_pipeline {
            let mut fresh =
                Engine::new(pipeline_config.clone(), models, None).map_err(|e| e.to_string())?;
            fresh
                .pipeline_mut()
                .restore(self.engine.pipeline().snapshot());
            Some(fresh)
        } else {
            None
        };
        Ok(Prepared {
            pipeline_config,
            detector_config,
            allowlist,
            list,
            engine,
        })
    }
}

/// The ids of the established devices of a device list.
fn established(devices: &[DeviceRecord]) -> impl Iterator<Item = DeviceId> + '_ {
    devices
        .iter()
        .filter(|d| d.established)
        .map(|d| d.device.id)
}

/// A reload, checked and built, ready to switch to.
struct Prepared {
    pipeline_config: PipelineConfig,
    detector_config: DetectorConfig,
    allowlist: SiteAllowlist,
    list: wardwatch_baseline::Allowlist,
    engine: Option<Engine>,
}

impl Processor for PipelineProcessor {
    fn on_packet(&mut self, record: &PacketRecord, out: &mut Output) {
        self.last_packet = Some(self.last_packet.map_or(record.ts, |t| t.max(record.ts)));
        self.engine.push(
            record.ts,
            record.linktype,
            &record.data,
            record.wire_len,
            &mut self.scratch,
        );
        self.drain(out);
    }

    fn on_tick(&mut self, now: Timestamp, out: &mut Output) {
        self.engine.advance(now, &mut self.scratch);
        self.drain(out);
    }

    fn finish(&mut self, out: &mut Output) {
        self.engine.finish(&mut self.scratch);
        self.drain(out);
        self.finished = true;
        if let Some(d) = self.engine.detector() {
            let s = d.stats();
            tracing::info!(
                windows = s.windows,
                windows_scored = s.windows_scored,
                alerts = s.emitted_total(),
                deduplicated = s.deduplicated,
                rate_limited = s.rate_limited,
                "pipeline finished"
            );
        }
    }

    fn publish(&mut self, metrics: &Metrics) {
        self.check_allowlist();
        let pipeline = self.engine.pipeline();
        metrics.observe_pipeline(&publish::mirror(
            pipeline.stats(),
            self.engine.unsupported_linktype(),
        ));
        if self.finished
            || self
                .last_devices
                .is_none_or(|t| t.elapsed() >= DEVICES_EVERY)
        {
            self.last_devices = Some(Instant::now());
            self.inventory.check_states();
            let records = self.engine.pipeline().devices();
            self.apply_device_states(&records);
            metrics.observe_devices(&publish::devices(&records, self.engine.detector()));
            self.inventory.rebuild(&records, &self.models);
            metrics.observe_device_risks(&self.inventory.risks());
        }
        if let Some(d) = self.engine.detector() {
            self.suppressed.publish(d.stats(), metrics);
        }
    }

    fn reload(&mut self, config: &Config, models: &Arc<ModelSet>) -> Result<(), String> {
        let prepared = self.prepare(config, models)?;
        let mut detector = match self.engine.take_detector() {
            Some(old) if prepared.detector_config == self.detector_config => old,
            _ => {
                self.suppressed = Suppressed::default();
                let devices = self.engine.pipeline().devices();
                self.known.extend(self.known_devices(established(&devices)));
                let mut fresh =
                    engine::detector(models.profiles.clone(), prepared.detector_config.clone());
                // A reload is not a first start: devices that appear from now on are new.
                fresh.end_discovery();
                fresh
            }
        };
        if !Arc::ptr_eq(detector.models(), &models.profiles) {
            detector.set_models(models.profiles.clone());
        }
        detector.set_allowlist(prepared.list);
        if let Some(fresh) = prepared.engine {
            tracing::info!(
                "catalog or [pipeline] settings changed: the flow pipeline was rebuilt (devices kept; flows and current windows restarted)"
            );
            self.engine = fresh;
        }
        self.engine.set_detector(detector);
        self.pipeline_config = prepared.pipeline_config;
        self.detector_config = prepared.detector_config;
        self.allowlist = prepared.allowlist;
        self.models = models.clone();
        self.inventory.set_locations(&config.locations);
        self.inventory.check_states();
        self.apply_device_states(&self.engine.pipeline().devices());
        Ok(())
    }

    fn snapshot(&self) -> Option<Vec<u8>> {
        let pipeline = self.engine.pipeline().snapshot();
        let known_devices = self.known_devices(
            pipeline
                .devices
                .iter()
                .filter(|d| d.established)
                .map(|d| d.id),
        );
        serde_json::to_vec(&State {
            format: STATE_FORMAT,
            pipeline,
            known_devices,
        })
        .ok()
    }

    fn inventory(&self) -> Option<&[InventoryEntry]> {
        Some(self.inventory.entries())
    }

    fn restore(&mut self, state: &[u8]) -> Result<(), String> {
        let state: State = serde_json::from_slice(state).map_err(|e| e.to_string())?;
        if state.format != STATE_FORMAT {
            return Err(format!(
                "state format {} is not supported (this build writes {STATE_FORMAT})",
                state.format
            ));
        }
        self.engine.pipeline_mut().restore(state.pipeline);
        self.known
            .extend(state.known_devices.into_iter().take(MAX_KNOWN_DEVICES));
        if let Some(d) = self.engine.detector_mut() {
            d.end_discovery();
        }
        self.apply_device_states(&self.engine.pipeline().devices());
        Ok(())
    }
}

#[cfg(test)]
mod tests;
