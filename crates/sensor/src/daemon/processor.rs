//! The hook where the pipeline and the detector are driven: [`Processor`]. The daemon feeds it
//! every packet record in capture order, ticks it with packet time on a quiet live network, asks
//! it to flush at the end, and routes what it produces (alerts to the sinks and metrics, device
//! windows to the feature log). [`CountingProcessor`] is the trivial implementation that only
//! counts; the real one wraps `wardwatch_flow::Pipeline` + `wardwatch_baseline::Detector`.

use crate::capture::PacketRecord;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::model_set::ModelSet;
use serde::{Deserialize, Serialize};
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

    /// The inventory as JSON, for `outputs.inventory`; `None` when there is none.
    fn inventory(&self) -> Option<Vec<u8>> {
        None
    }
}

/// Builds the processor at start (after the capture is open and privileges dropped).
pub type ProcessorFactory = Box<
    dyn Fn(&Config, &Arc<ModelSet>, &Arc<Metrics>) -> anyhow::Result<Box<dyn Processor>>
        + Send
        + Sync,
>;

/// Totals the counting processor keeps across restarts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountingState {
    /// Packets seen, over all runs sharing the state directory.
    pub packets: u64,
    /// Wire bytes seen.
    pub bytes: u64,
    /// Packet time of the latest packet.
    pub last_packet: Option<Timestamp>,
}

/// The stand-in processor: counts packets and bytes (the daemon itself exports the packet
/// metrics); no decoding, no alerts.
#[derive(Debug, Default)]
pub struct CountingProcessor {
    state: CountingState,
}

impl CountingProcessor {
    /// The totals so far.
    #[cfg(test)]
    pub fn state(&self) -> &CountingState {
        &self.state
    }

    /// The factory for `wardwatch run` until the real pipeline is wired in.
    pub fn factory() -> ProcessorFactory {
        Box::new(|_, _, _| Ok(Box::new(CountingProcessor::default())))
    }
}

impl Processor for CountingProcessor {
    fn on_packet(&mut self, record: &PacketRecord, _out: &mut Output) {
        self.state.packets = self.state.packets.saturating_add(1);
        self.state.bytes = self.state.bytes.saturating_add(u64::from(record.wire_len));
        self.state.last_packet = Some(record.ts);
    }

    fn finish(&mut self, _out: &mut Output) {
        tracing::info!(
            packets_total = self.state.packets,
            bytes_total = self.state.bytes,
            "counting processor totals (all runs sharing the state directory)"
        );
    }

    fn snapshot(&self) -> Option<Vec<u8>> {
        serde_json::to_vec(&self.state).ok()
    }

    fn restore(&mut self, state: &[u8]) -> Result<(), String> {
        self.state = serde_json::from_slice(state).map_err(|e| e.to_string())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_round_trips_its_state() {
        let mut p = CountingProcessor::default();
        let record = PacketRecord {
            ts: Timestamp::from_secs(7),
            linktype: 1,
            data: vec![0; 60],
            wire_len: 1514,
        };
        let mut out = Output::default();
        p.on_packet(&record, &mut out);
        p.on_packet(&record, &mut out);
        assert_eq!(
            p.state(),
            &CountingState {
                packets: 2,
                bytes: 3028,
                last_packet: Some(Timestamp::from_secs(7))
            }
        );
        let snapshot = p.snapshot().unwrap();
        assert_eq!(
            String::from_utf8(snapshot.clone()).unwrap(),
            r#"{"packets":2,"bytes":3028,"last_packet":"1970-01-01T00:00:07.000000Z"}"#
        );
        let mut q = CountingProcessor::default();
        q.restore(&snapshot).unwrap();
        assert_eq!(q.state(), p.state());
        assert!(q.restore(b"{").is_err());
    }
}
