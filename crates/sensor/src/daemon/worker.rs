//! The pipeline thread: takes packet records off the capture queue, drives the [`Processor`],
//! routes its output, and does the periodic housekeeping (metrics, quiet-network ticks,
//! snapshots). It ends when the capture ends (replay finished, stop requested, failure), after
//! draining the queue, flushing the processor and writing the final snapshot.

use super::clock::PacketClock;
use super::outputs::Outputs;
use super::processor::{Output, Processor};
use crate::capture::{CaptureEnd, CaptureJoin, CaptureParts};
use crate::config::Config;
use crate::logging::LogSampler;
use crate::metrics::Metrics;
use crate::model_set::ModelSet;
use crate::sinks::AlertSender;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};
use wardwatch_flow::Timestamp;

/// Interval of the housekeeping (metrics publication, flushes, control messages).
const HOUSEKEEPING: Duration = Duration::from_millis(500);
/// Interval of quiet-network ticks on a live capture.
const TICK: Duration = Duration::from_secs(1);

/// A request from the async side.
pub enum Control {
    /// Switch to a new configuration and model set; the reply says whether the processor took it.
    Reload {
        /// The new configuration (restart-only sections already kept at their running values).
        config: Box<Config>,
        /// The new models.
        models: Arc<ModelSet>,
        /// The answer.
        reply: tokio::sync::oneshot::Sender<Result<(), String>>,
    },
}

/// How the pipeline thread ended.
#[derive(Debug)]
pub struct WorkerReport {
    /// Packets processed.
    pub packets: u64,
    /// How the capture ended.
    pub end: CaptureEnd,
}

/// Everything the pipeline thread owns.
pub struct Worker {
    /// The pipeline.
    pub processor: Box<dyn Processor>,
    /// The capture's queue side.
    pub capture: CaptureParts,
    /// The capture thread.
    pub join: CaptureJoin,
    /// True for a live capture (quiet-network ticks).
    pub live: bool,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Alert fan-out.
    pub alerts: AlertSender,
    /// Requests from the async side.
    pub control: Receiver<Control>,
    /// Output files.
    pub outputs: Outputs,
    /// Rate limiter for log lines.
    pub sampler: Arc<LogSampler>,
}

/// Packets counted since the last publication.
#[derive(Default)]
struct Pending {
    packets: u64,
    bytes: u64,
    last_ts: Option<Timestamp>,
}

impl Worker {
    /// Runs until the capture ends; returns the report.
    pub fn run(mut self) -> WorkerReport {
        let mut clock = PacketClock::from_wall_clock();
        let mut pending = Pending::default();
        let mut total = 0u64;
        let mut out = Output::default();
        let mut last_housekeeping = Instant::now();
        let mut last_tick = Instant::now();
        loop {
            match self.capture.records.recv_timeout(HOUSEKEEPING) {
                Ok(record) => {
                    if self.live {
                        clock.observe_packet(record.ts, PacketClock::wall_now());
                    }
                    pending.packets += 1;
                    pending.bytes += u64::from(record.wire_len);
                    pending.last_ts = Some(pending.last_ts.map_or(record.ts, |t| t.max(record.ts)));
                    total += 1;
                    self.processor.on_packet(&record, &mut out);
                    self.route(&mut out);
                    self.capture.recycler.give(record.data);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if last_housekeeping.elapsed() >= HOUSEKEEPING {
                last_housekeeping = Instant::now();
                if self.live && last_tick.elapsed() >= TICK {
                    last_tick = Instant::now();
                    let now = clock.now(PacketClock::wall_now());
                    self.processor.on_tick(now, &mut out);
                    self.route(&mut out);
                }
                self.publish(&mut pending);
                self.handle_control();
                if self.outputs.snapshot_due() {
                    self.outputs.save(self.processor.as_ref(), &self.metrics);
                }
            }
        }
        let end = self.join.join();
        self.processor.finish(&mut out);
        self.route(&mut out);
        self.publish(&mut pending);
        self.outputs.save(self.processor.as_ref(), &self.metrics);
        self.metrics.set_capture_running(false);
        WorkerReport {
            packets: total,
            end,
        }
    }

    fn route(&mut self, out: &mut Output) {
        if !out.windows.is_empty() {
            self.outputs.write_windows(&out.windows, &self.sampler);
            out.windows.clear();
        }
        for alert in out.alerts.drain(..) {
            self.metrics.observe_alert(&alert);
            self.alerts.send(alert);
        }
    }

    fn publish(&mut self, pending: &mut Pending) {
        if let Some(last_ts) = pending.last_ts {
            self.metrics
                .observe_packets(pending.packets, pending.bytes, last_ts);
        }
        *pending = Pending::default();
        let counters = &self.capture.counters;
        if self.live {
            self.metrics
                .observe_queue_drops(counters.queue_dropped.load(Ordering::Relaxed));
            self.metrics.observe_capture_stats(counters.stats());
        }
        self.processor.publish(&self.metrics);
        self.outputs.flush();
    }

    fn handle_control(&mut self) {
        while let Ok(message) = self.control.try_recv() {
            match message {
                Control::Reload {
                    config,
                    models,
                    reply,
                } => {
                    let result = self.processor.reload(&config, &models);
                    let _ = reply.send(result);
                }
            }
        }
    }
}
