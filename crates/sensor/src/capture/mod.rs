//! Packet capture: a dedicated thread reads a live interface or a pcap/pcapng file through
//! libpcap and feeds owned [`PacketRecord`]s to the pipeline through a bounded queue.
//!
//! - Live: promiscuous, BPF filter, snaplen, immediate mode, non-blocking reads woken by
//!   `poll(2)` (a blocking `pcap_next_ex` never returns on a quiet network), libpcap statistics
//!   polled every second. When the pipeline falls behind, packets are dropped and counted; the
//!   queue never grows.
//! - Replay: lossless (the reader waits for the pipeline), optionally paced on packet time.
//!   libpcap has no statistics for savefiles, so none are reported.
//!
//! The sensor never transmits: nothing here (or anywhere in the crate, see `clippy.toml`) calls
//! `sendpacket` or opens a sending socket on the capture interface.

mod live;
mod pacer;
mod replay;

pub use pacer::Pacer;

use crate::config::{CaptureConfig, CaptureSource};
use crate::metrics::CaptureStats;
use crate::metrics::labels::CaptureMode;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use wardwatch_flow::Timestamp;

/// One captured packet, owned (its buffer is recycled through [`Recycler`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacketRecord {
    /// Packet time from the capture record.
    pub ts: Timestamp,
    /// Link type: the pcap DLT number (1 = Ethernet, 113 = Linux cooked, 101 = raw IP, ...).
    pub linktype: i32,
    /// Captured bytes (at most the snaplen).
    pub data: Vec<u8>,
    /// Original length on the wire.
    pub wire_len: u32,
}

/// Why the capture could not start. Messages name the interface or file.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The interface could not be opened (missing, no permission, ...).
    #[error("capture.interface {interface}: cannot open: {message}")]
    Interface {
        /// Interface name.
        interface: String,
        /// libpcap's message.
        message: String,
    },
    /// The file could not be opened as pcap/pcapng.
    #[error("capture.replay {}: cannot open: {message}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// libpcap's message.
        message: String,
    },
    /// The BPF filter was refused for this link type.
    #[error("capture.filter {filter:?}: {message}")]
    Filter {
        /// The filter.
        filter: String,
        /// libpcap's message.
        message: String,
    },
}

impl CaptureError {
    /// True for errors in what the user gave (a file that is not a capture, a bad filter):
    /// exit code 2. An interface that cannot be opened is the machine's state: exit code 1.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            CaptureError::File { .. } | CaptureError::Filter { .. }
        )
    }
}

/// How the capture thread ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaptureEnd {
    /// The replay file was read to its end.
    Finished,
    /// The replay file ended with a read error (e.g. truncated); packets before it were delivered.
    EndedEarly(String),
    /// Stopped on request (shutdown).
    Stopped,
    /// The live capture failed (interface gone, ...).
    Failed(String),
    /// The pipeline side went away.
    ConsumerGone,
}

/// Counters the capture thread updates and the daemon reads (running totals).
#[derive(Debug, Default)]
pub struct CaptureCounters {
    /// Packets read from libpcap.
    pub captured: AtomicU64,
    /// Packets dropped because the queue was full (live only).
    pub queue_dropped: AtomicU64,
    kernel_received: AtomicU64,
    kernel_dropped: AtomicU64,
    interface_dropped: AtomicU64,
}

impl CaptureCounters {
    fn set_stats(&self, stat: &pcap::Stat) {
        self.kernel_received
            .store(u64::from(stat.received), Ordering::Relaxed);
        self.kernel_dropped
            .store(u64::from(stat.dropped), Ordering::Relaxed);
        self.interface_dropped
            .store(u64::from(stat.if_dropped), Ordering::Relaxed);
    }

    /// libpcap's statistics as last polled (live captures only).
    pub fn stats(&self) -> CaptureStats {
        CaptureStats {
            kernel_received: self.kernel_received.load(Ordering::Relaxed),
            kernel_dropped: self.kernel_dropped.load(Ordering::Relaxed),
            interface_dropped: self.interface_dropped.load(Ordering::Relaxed),
        }
    }
}

/// Hands used packet buffers back to the capture thread (dropped if it has enough).
#[derive(Clone)]
pub struct Recycler(SyncSender<Vec<u8>>);

impl Recycler {
    /// Returns a buffer for reuse.
    pub fn give(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        let _ = self.0.try_send(buffer);
    }
}

/// The capture thread's end of the buffer recycling.
struct BufferPool {
    free: Receiver<Vec<u8>>,
    snaplen: usize,
}

impl BufferPool {
    /// A buffer holding a copy of `data` (reused when one is free).
    fn copy_of(&self, data: &[u8]) -> Vec<u8> {
        let mut buffer = match self.free.try_recv() {
            Ok(buffer) => buffer,
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => {
                Vec::with_capacity(self.snaplen)
            }
        };
        buffer.extend_from_slice(data.get(..self.snaplen).unwrap_or(data));
        buffer
    }
}

/// What the capture thread needs, whatever the source.
struct Feed {
    queue: SyncSender<PacketRecord>,
    pool: BufferPool,
    stop: Arc<AtomicBool>,
    counters: Arc<CaptureCounters>,
    linktype: i32,
}

impl Feed {
    fn record(&self, packet: &pcap::Packet<'_>) -> PacketRecord {
        let header = packet.header;
        PacketRecord {
            ts: Timestamp::from_parts(header.ts.tv_sec, header.ts.tv_usec),
            linktype: self.linktype,
            data: self.pool.copy_of(packet.data),
            wire_len: header.len,
        }
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }
}

enum Source {
    Live(pcap::Capture<pcap::Active>),
    Replay(pcap::Capture<pcap::Offline>, Option<f64>),
}

/// An open capture, not yet reading.
pub struct OpenedCapture {
    source: Source,
    linktype: i32,
    snaplen: usize,
    queue_capacity: usize,
}

/// Opens the configured source (this is the step that needs root or CAP_NET_RAW for a live
/// interface; privileges can be dropped right after).
pub fn open(config: &CaptureConfig) -> Result<OpenedCapture, CaptureError> {
    let source = match &config.source {
        CaptureSource::Live { interface } => Source::Live(live::open(config, interface)?),
        CaptureSource::Replay { path, speed } => {
            Source::Replay(replay::open(config, path)?, *speed)
        }
    };
    let linktype = match &source {
        Source::Live(cap) => cap.get_datalink().0,
        Source::Replay(cap, _) => cap.get_datalink().0,
    };
    Ok(OpenedCapture {
        source,
        linktype,
        snaplen: usize::try_from(config.snaplen).unwrap_or(usize::MAX),
        queue_capacity: config.queue_capacity,
    })
}

/// The running capture thread and its queue.
pub struct CaptureHandle {
    /// Packets, in capture order. Disconnected once the thread ends.
    pub records: Receiver<PacketRecord>,
    /// Where the pipeline returns used buffers.
    pub recycler: Recycler,
    /// Running totals.
    pub counters: Arc<CaptureCounters>,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<CaptureEnd>,
}

impl OpenedCapture {
    /// Live or replay.
    pub fn mode(&self) -> CaptureMode {
        match self.source {
            Source::Live(_) => CaptureMode::Live,
            Source::Replay(..) => CaptureMode::Replay,
        }
    }

    /// The link type (pcap DLT number).
    pub fn linktype(&self) -> i32 {
        self.linktype
    }

    /// Starts the capture thread.
    pub fn start(self) -> std::io::Result<CaptureHandle> {
        let (queue, records) = mpsc::sync_channel(self.queue_capacity);
        let (give, free) = mpsc::sync_channel(self.queue_capacity);
        let stop = Arc::new(AtomicBool::new(false));
        let counters = Arc::new(CaptureCounters::default());
        let feed = Feed {
            queue,
            pool: BufferPool {
                free,
                snaplen: self.snaplen,
            },
            stop: stop.clone(),
            counters: counters.clone(),
            linktype: self.linktype,
        };
        let source = self.source;
        let thread =
            std::thread::Builder::new()
                .name("capture".into())
                .spawn(move || match source {
                    Source::Live(cap) => live::run(cap, &feed),
                    Source::Replay(cap, speed) => replay::run(cap, speed, &feed),
                })?;
        Ok(CaptureHandle {
            records,
            recycler: Recycler(give),
            counters,
            stop,
            thread,
        })
    }
}

/// Asks the capture thread to stop (it notices within about 100 ms).
#[derive(Clone)]
pub struct StopCapture(Arc<AtomicBool>);

impl StopCapture {
    /// Requests the stop.
    pub fn stop(&self) {
        self.0.store(true, Ordering::Release);
    }
}

impl CaptureHandle {
    /// A handle that stops the thread from elsewhere.
    pub fn stopper(&self) -> StopCapture {
        StopCapture(self.stop.clone())
    }

    /// Splits off the join handle (the records receiver moves to the pipeline thread).
    pub fn into_parts(self) -> (CaptureParts, CaptureJoin) {
        (
            CaptureParts {
                records: self.records,
                recycler: self.recycler,
                counters: self.counters,
            },
            CaptureJoin(Some(self.thread)),
        )
    }
}

/// The pipeline's side of a running capture.
pub struct CaptureParts {
    /// Packets.
    pub records: Receiver<PacketRecord>,
    /// Buffer recycling.
    pub recycler: Recycler,
    /// Running totals.
    pub counters: Arc<CaptureCounters>,
}

/// Waits for the capture thread.
pub struct CaptureJoin(Option<JoinHandle<CaptureEnd>>);

impl CaptureJoin {
    /// Joins the thread and says how it ended (a second call reports `Stopped`).
    pub fn join(&mut self) -> CaptureEnd {
        match self.0.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| CaptureEnd::Failed("the capture thread panicked".into())),
            None => CaptureEnd::Stopped,
        }
    }
}

#[cfg(test)]
mod tests;
