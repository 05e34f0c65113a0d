//! The inputs of an offline run (`retrain`): captures (pcap/pcapng, replayed through the flow
//! pipeline by [`crate::offline`]) and feature logs (`wardwatch run --features-out`), told apart
//! by content. Each input is hashed (for the manifest), scanned once for the packet-time span of
//! its windows (to place the hold-out cut), then read window by window.

use crate::config::CaptureConfig;
use crate::engine::{Engine, EngineOutput};
use crate::feature_log::{self, FeatureLogReader, InputKind};
use crate::model_manifest::InputRecord;
use crate::model_set::ModelSet;
use anyhow::Context;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use wardwatch_flow::{PipelineConfig, Span, Timestamp, WindowFeatures};

/// One input file.
#[derive(Clone, Debug)]
pub struct Input {
    /// The file.
    pub path: PathBuf,
    /// Capture or feature log.
    pub kind: InputKind,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// What reading inputs needs.
pub struct ReadSettings<'a> {
    /// The flow pipeline's settings (window length, internal networks, tables).
    pub pipeline: PipelineConfig,
    /// Capture settings (snap length, filter, queue) for replays.
    pub capture: CaptureConfig,
    /// Catalog and OUI registry for identification.
    pub models: &'a ModelSet,
}

impl Input {
    /// Detects the kind and hashes the file.
    pub fn open(path: &Path) -> anyhow::Result<Input> {
        let kind = feature_log::detect(path)?;
        let file = std::fs::File::open(path)
            .with_context(|| format!("{}: cannot open", path.display()))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut digest = Sha256::new();
        let mut bytes = 0u64;
        loop {
            let chunk = reader
                .fill_buf()
                .with_context(|| format!("{}: cannot read", path.display()))?;
            if chunk.is_empty() {
                break;
            }
            digest.update(chunk);
            let n = chunk.len();
            bytes += n as u64;
            reader.consume(n);
        }
        Ok(Input {
            path: path.to_path_buf(),
            kind,
            bytes,
            sha256: hex::encode(digest.finalize()),
        })
    }

    /// The manifest's record of this input.
    pub fn record(&self, windows: u64) -> InputRecord {
        InputRecord {
            name: self.path.file_name().map_or_else(
                || self.path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            kind: self.kind.word().to_owned(),
            bytes: self.bytes,
            sha256: self.sha256.clone(),
            windows,
        }
    }

    /// Reads every window of the input into `sink`, in the order they close; `progress` gets
    /// the bytes read so far. Returns the number of windows.
    pub fn read(
        &self,
        settings: &ReadSettings<'_>,
        sink: &mut dyn FnMut(WindowFeatures),
        progress: &dyn Fn(u64),
    ) -> anyhow::Result<u64> {
        let mut count = 0u64;
        let mut push = |w: WindowFeatures| {
            count += 1;
            sink(w);
        };
        match self.kind {
            InputKind::FeatureLog => {
                let mut reader = FeatureLogReader::open(&self.path)?;
                let mut read_bytes = 0u64;
                let mut lines = 0u64;
                while let Some(w) = reader.next_window()? {
                    read_bytes = reader.position();
                    lines += 1;
                    if lines.is_multiple_of(1024) {
                        progress(read_bytes);
                    }
                    push(w);
                }
                progress(read_bytes.max(self.bytes));
            }
            InputKind::Capture => {
                let mut engine = Engine::new(settings.pipeline.clone(), settings.models, None)
                    .map_err(|e| anyhow::anyhow!("pipeline: {e}"))?;
                let mut drain = |out: &mut EngineOutput| {
                    for w in out.windows.drain(..) {
                        push(w);
                    }
                };
                let end = crate::offline::replay(
                    &self.path,
                    &settings.capture,
                    &mut engine,
                    &mut drain,
                    progress,
                )?;
                if let Some(reason) = end.ended_early {
                    tracing::warn!(file = %self.path.display(), packets = end.packets, %reason, "capture ends with a damaged record; the packets before it were used");
                }
                let mut out = EngineOutput::default();
                engine.finish(&mut out);
                drain(&mut out);
                progress(self.bytes);
            }
        }
        Ok(count)
    }
}

/// The earliest and latest window start the input at `path` gives (`None` when empty): window
/// starts read from a feature log; for a capture, the windows of its first and last packet.
pub fn window_span(
    path: &Path,
    kind: InputKind,
    window: Span,
) -> anyhow::Result<Option<(Timestamp, Timestamp)>> {
    match kind {
        InputKind::Capture => capture_span(path, window),
        InputKind::FeatureLog => log_span(path),
    }
}

fn capture_span(path: &Path, window: Span) -> anyhow::Result<Option<(Timestamp, Timestamp)>> {
    let mut cap = pcap::Capture::from_file(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot open: {e}", path.display()))?;
    let mut span: Option<(Timestamp, Timestamp)> = None;
    loop {
        match cap.next_packet() {
            Ok(p) => {
                let ts = Timestamp::from_parts(p.header.ts.tv_sec, p.header.ts.tv_usec);
                span = Some(span.map_or((ts, ts), |(a, b)| (a.min(ts), b.max(ts))));
            }
            Err(pcap::Error::NoMorePackets) => break,
            // A damaged tail: the replay stops there too.
            Err(_) => break,
        }
    }
    Ok(span.map(|(a, b)| (a.window_start(window), b.window_start(window))))
}

fn log_span(path: &Path) -> anyhow::Result<Option<(Timestamp, Timestamp)>> {
    #[derive(serde::Deserialize)]
    struct Start {
        window_start: Timestamp,
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::new();
    let mut number = 0u64;
    let mut span: Option<(Timestamp, Timestamp)> = None;
    loop {
        line.clear();
        number += 1;
        let n = (&mut reader)
            .take(feature_log::MAX_LINE_BYTES + 1)
            .read_until(b'\n', &mut line)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        if n == 0 {
            break;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let start: Start = serde_json::from_slice(&line)
            .with_context(|| format!("{}:{number}: not a device window", path.display()))?;
        let ts = start.window_start;
        span = Some(span.map_or((ts, ts), |(a, b)| (a.min(ts), b.max(ts))));
    }
    Ok(span)
}
