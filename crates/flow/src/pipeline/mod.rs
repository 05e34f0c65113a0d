//! The one way through: packet → decode → flow table → site model (devices, windows) →
//! events. The sensor, retraining, evaluation and the benchmarks all drive this object.
//!
//! Sans-IO: the caller hands over bytes with their capture time and collects events; time is
//! packet time (never a clock), and a quiet network still closes windows through
//! [`Pipeline::advance`].

mod packet;
mod snapshot;

pub use snapshot::{PipelineSnapshot, SNAPSHOT_FORMAT};

use crate::catalog::Catalog;
use crate::config::{ConfigError, PipelineConfig};
use crate::decode::{LinkType, decode};
use crate::device::DeviceRecord;
use crate::event::Event;
use crate::flow_table::{FlowEvent, FlowTable};
use crate::identify::{Identifier, IdentifierError, OuiTable, PayloadFact};
use crate::nets::InternalNets;
use crate::observe::Observation;
use crate::site::Site;
use crate::stats::PipelineStats;
use crate::time::Timestamp;

/// One captured packet.
#[derive(Clone, Copy, Debug)]
pub struct Packet<'a> {
    /// Capture time.
    pub ts: Timestamp,
    /// Link type of the capture.
    pub link: LinkType,
    /// Captured bytes (possibly cut by the snap length).
    pub data: &'a [u8],
    /// Length on the wire (at least `data.len()` is assumed when smaller).
    pub wire_len: u32,
}

/// Why a pipeline could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// A configuration value is not acceptable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The catalog's rules do not compile.
    #[error(transparent)]
    Identifier(#[from] IdentifierError),
}

/// The flow pipeline.
#[derive(Debug)]
pub struct Pipeline {
    config: PipelineConfig,
    flows: FlowTable,
    site: Site,
    stats: PipelineStats,
    clock: Option<Timestamp>,
    flow_events: Vec<FlowEvent>,
    facts: Vec<PayloadFact>,
}

impl Pipeline {
    /// Builds a pipeline from a validated configuration, the device-model catalog and the
    /// OUI registry.
    pub fn new(
        config: PipelineConfig,
        catalog: &Catalog,
        oui: &OuiTable,
    ) -> Result<Pipeline, PipelineError> {
        config.validate()?;
        let identifier = Identifier::new(catalog, oui, config.identify_threshold)?;
        let site = Site::new(
            InternalNets::new(&config.internal_networks),
            &config.devices,
            config.window,
            config.flows.half_open_timeout,
            identifier,
        );
        Ok(Pipeline {
            flows: FlowTable::new(config.flows.clone()),
            site,
            config,
            stats: PipelineStats::default(),
            clock: None,
            flow_events: Vec::new(),
            facts: Vec::new(),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Processes one packet; appends the events it caused (closed windows first when the
    /// packet's time passed them).
    pub fn push(&mut self, packet: &Packet<'_>, events: &mut Vec<Event>) {
        let ts = match self.clock {
            Some(last) if packet.ts < last => {
                self.stats.time_regressions = self.stats.time_regressions.saturating_add(1);
                last
            }
            _ => packet.ts,
        };
        self.clock = Some(ts);
        self.stats.last_packet = Some(ts);
        self.expire_and_close(ts, events);
        let captured = u32::try_from(packet.data.len()).unwrap_or(u32::MAX);
        let wire = u64::from(packet.wire_len.max(captured));
        self.stats.packets = self.stats.packets.saturating_add(1);
        self.stats.bytes = self.stats.bytes.saturating_add(wire);
        match decode(packet.link, packet.data) {
            Err(error) => self.stats.decode_errors.add(error),
            Ok(decoded) => {
                if let Some(stop) = decoded.stopped {
                    self.stats.decode_partial.add(stop);
                }
                self.handle(ts, &decoded, wire, events);
            }
        }
        self.sync_stats();
    }

    /// Lets packet time pass without packets (a quiet network): expires flows and closes
    /// windows due by `now`. Times earlier than the latest seen are ignored.
    pub fn advance(&mut self, now: Timestamp, events: &mut Vec<Event>) {
        if self.clock.is_some_and(|last| now < last) {
            return;
        }
        self.clock = Some(now);
        self.expire_and_close(now, events);
        self.sync_stats();
    }

    /// End of input: lets the half-open timeout pass (so unanswered SYNs count as failed), ends
    /// every flow and closes every window.
    pub fn flush(&mut self, events: &mut Vec<Event>) {
        let end = self
            .clock
            .unwrap_or_default()
            .add(self.config.flows.half_open_timeout);
        self.clock = Some(end);
        self.expire_and_close(end, events);
        self.flow_events.clear();
        self.flows.drain(end, &mut self.flow_events);
        self.deliver_flow_events(events);
        self.site.close_all(events);
        self.sync_stats();
    }

    /// Counters.
    pub fn stats(&self) -> &PipelineStats {
        &self.stats
    }

    /// The inventory: one record per device, sorted by device id.
    pub fn devices(&self) -> Vec<DeviceRecord> {
        self.site.devices.records()
    }

    /// Device histories, inventory and address bindings, for the daemon's state file.
    pub fn snapshot(&self) -> PipelineSnapshot {
        PipelineSnapshot {
            format: SNAPSHOT_FORMAT,
            saved_at: self.clock,
            devices: self.site.devices.snapshots(),
            bindings: self.site.book.records(),
        }
    }

    /// Restores a snapshot into this pipeline (devices already present are kept). A snapshot of
    /// another format is refused and counted in `snapshots_refused`.
    pub fn restore(&mut self, snapshot: PipelineSnapshot) {
        if snapshot.format != SNAPSHOT_FORMAT {
            self.stats.snapshots_refused = self.stats.snapshots_refused.saturating_add(1);
            return;
        }
        for device in snapshot.devices {
            self.site.devices.restore(device);
        }
        self.site.book.restore(&snapshot.bindings);
        self.sync_stats();
    }

    /// Feeds one observation from another producer (flow records, evidence from Zeek):
    /// the same consumers as decoded packets. Returns the roles assigned to a started flow.
    pub fn observe(
        &mut self,
        observation: &Observation<'_>,
        events: &mut Vec<Event>,
    ) -> crate::observe::FlowRoles {
        let roles = self.site.observe(observation, events);
        self.sync_stats();
        roles
    }

    fn expire_and_close(&mut self, now: Timestamp, events: &mut Vec<Event>) {
        self.flow_events.clear();
        self.flows.expire(now, &mut self.flow_events);
        self.deliver_flow_events(events);
        self.site.advance(now, events);
    }

    fn deliver_flow_events(&mut self, events: &mut Vec<Event>) {
        for event in self.flow_events.drain(..) {
            let observation = match &event {
                FlowEvent::Failed { ts, flow, reason } => Observation::Failed {
                    ts: *ts,
                    flow,
                    reason: *reason,
                },
                FlowEvent::Ended {
                    ts,
                    flow,
                    initiator_bytes,
                    reason,
                } => Observation::Ended {
                    ts: *ts,
                    flow,
                    initiator_bytes: *initiator_bytes,
                    reason: *reason,
                },
            };
            self.site.observe(&observation, events);
        }
    }

    fn sync_stats(&mut self) {
        let s = &mut self.stats;
        s.flows = *self.flows.stats();
        s.devices = self.site.devices.stats;
        s.addresses = self.site.book.stats;
        s.site = self.site.stats;
        s.window_entries_refused = self.site.devices.budget.refused;
        s.periodic_trackers = self.site.periods.len() as u64;
        s.periodic_evicted = self.site.periods.evicted;
        s.infrastructure_refused = self.site.infra.refused;
    }
}

#[cfg(test)]
mod tests;
