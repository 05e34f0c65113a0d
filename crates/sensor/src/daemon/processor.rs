//! The hook where the pipeline and the detector are driven: [`Processor`]. The daemon feeds it
//! every packet record in capture order, ticks it with packet time on a quiet live network, asks
//! it to flush at the end, and routes what it produces (alerts to the sinks and metrics, device
//! windows to the feature log). The implementation is
//! [`super::pipeline_processor::PipelineProcessor`] (flow pipeline + detector).

use crate::capture::PacketRecord;
use crate::config::Config;
use crate::inventory::InventoryEntry;
use crate::metrics::Metrics;
use crate::model_set::ModelSet;
use std::sync::Arc;
use wardwatch_baseline::Alert;
use wardwatch_flow::{Timestamp, WindowFeatures};

/// What a processor produced for one call; the daemon drains it after each call.
#[derive(Debug, Default)]
pub struct Output {
    /// Alerts to send (already deduplicated and rate limited by the detector's policy).
    pub alerts: Vec<Alert>,
    /// Closed device windows, written to the feature log when one is configured.
    pub windows: Vec<WindowFeatures>,
}

/// The packet pipeline as the daemon drives it. Runs on the pipeline thread; every method is
/// called from that one thread.
pub trait Processor: Send {
    /// One packet, in capture order. Packet time is `record.ts`.
    fn on_packet(&mut self, record: &PacketRecord, out: &mut Output);

    /// Packet time advanced without packets (live capture only, about once a second): close
    /// due windows, expire flows.
    fn on_tick(&mut self, _now: Timestamp, _out: &mut Output) {}

    /// The capture ended (replay finished or shutdown): flush open windows.
    fn finish(&mut self, _out: &mut Output) {}

    /// Push statistics into the metrics (`observe_pipeline`, `observe_devices`, ...); called
    /// about twice a second and once at the end.
    fn publish(&mut self, _metrics: &Metrics) {}

    /// Switch to a new configuration and model set (SIGHUP). On `Err` the daemon keeps the
    /// old ones everywhere and reports the reason.
    fn reload(&mut self, _config: &Config, _models: &Arc<ModelSet>) -> Result<(), String> {
        Ok(())
    }

    /// State to persist (device histories); `None` when there is nothing to keep.
    fn snapshot(&self) -> Option<Vec<u8>> {
        None
    }

    /// Resume from a snapshot written by [`Processor::snapshot`] (verified by the store).
    fn restore(&mut self, _state: &[u8]) -> Result<(), String> {
        Ok(())
    }

    /// The inventory, for `--inventory-out`; `None` when there is none.
    fn inventory(&self) -> Option<&[InventoryEntry]> {
        None
    }
}

/// Builds the processor at start (after the capture is open and privileges dropped).
pub type ProcessorFactory = Box<
    dyn Fn(&Config, &Arc<ModelSet>, &Arc<Metrics>) -> anyhow::Result<Box<dyn Processor>>
        + Send
        + Sync,
>;
