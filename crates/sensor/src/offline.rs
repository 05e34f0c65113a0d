//! A capture file replayed through an [`Engine`] off line (`retrain`, `eval`): the daemon's own
//! capture code (libpcap reader thread, bounded lossless queue) feeding the same engine, so the
//! offline commands see exactly what `wardwatch run --replay` sees.

use crate::capture::{self, CaptureEnd};
use crate::config::{CaptureConfig, CaptureSource};
use crate::engine::{Engine, EngineOutput};
use anyhow::Context;
use std::path::Path;

/// Per-record overhead of the classic pcap format, for progress in bytes.
const RECORD_HEADER_BYTES: u64 = 16;

/// What a replay read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayEnd {
    /// Packets read.
    pub packets: u64,
    /// Why the file ended early (a damaged last record), if it did.
    pub ended_early: Option<String>,
}

/// The capture settings of an offline replay: the configured ones (snap length, filter,
/// queue) with `path` as the source, as fast as possible.
pub fn capture_config(template: &CaptureConfig, path: &Path) -> CaptureConfig {
    CaptureConfig {
        source: CaptureSource::Replay {
            path: path.to_path_buf(),
            speed: None,
        },
        ..template.clone()
    }
}

/// Replays `path` through `engine`. After every packet, `sink` receives the engine's output
/// (then cleared); `progress` receives an estimate of the bytes read so far. The engine is not
/// finished here: the caller decides (`Engine::finish`).
pub fn replay(
    path: &Path,
    capture: &CaptureConfig,
    engine: &mut Engine,
    sink: &mut dyn FnMut(&mut EngineOutput),
    progress: &dyn Fn(u64),
) -> anyhow::Result<ReplayEnd> {
    let opened = capture::open(&capture_config(capture, path))?;
    let handle = opened
        .start()
        .with_context(|| format!("{}: starting the capture thread", path.display()))?;
    let (parts, mut join) = handle.into_parts();
    let mut out = EngineOutput::default();
    let mut packets = 0u64;
    let mut bytes = 24u64;
    for record in parts.records.iter() {
        engine.push(
            record.ts,
            record.linktype,
            &record.data,
            record.wire_len,
            &mut out,
        );
        packets += 1;
        bytes += RECORD_HEADER_BYTES + record.data.len() as u64;
        if packets.is_multiple_of(4096) {
            progress(bytes);
        }
        if !out.is_empty() {
            sink(&mut out);
            out.alerts.clear();
            out.windows.clear();
        }
        parts.recycler.give(record.data);
    }
    progress(bytes);
    match join.join() {
        CaptureEnd::Finished => Ok(ReplayEnd {
            packets,
            ended_early: None,
        }),
        CaptureEnd::EndedEarly(reason) => Ok(ReplayEnd {
            packets,
            ended_early: Some(reason),
        }),
        other => anyhow::bail!("{}: the replay stopped: {other:?}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_set::ModelSet;
    use crate::testutil::{udp_frame, write_pcap};
    use wardwatch_flow::PipelineConfig;

    #[test]
    fn a_capture_goes_through_the_engine_packet_by_packet() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pcap");
        let packets: Vec<(u64, Vec<u8>)> = (0..200u64)
            .map(|i| (1_767_600_000_000_000 + i * 1_000_000, udp_frame(1, 2, 100)))
            .collect();
        write_pcap(&path, &packets);
        let models_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
        let models = ModelSet::load_reference(&models_dir).unwrap();
        let mut engine = Engine::new(PipelineConfig::default(), &models, None).unwrap();
        let template = crate::config::load(
            None,
            &crate::config::Overrides {
                replay: Some(path.clone()),
                ..Default::default()
            },
        )
        .unwrap()
        .capture;
        let mut windows = 0;
        let end = replay(
            &path,
            &template,
            &mut engine,
            &mut |out| windows += out.windows.len(),
            &|_| {},
        )
        .unwrap();
        assert_eq!(
            end,
            ReplayEnd {
                packets: 200,
                ended_early: None
            }
        );
        assert_eq!(engine.pipeline().stats().packets, 200);
        assert_eq!(
            windows, 3,
            "200 s of traffic close three 60 s windows of 10.20.0.1 before the end"
        );
    }
}
