//! The feature log (`wardwatch run --features-out`): one JSON line per closed device window,
//! the serde form of `wardwatch_flow::WindowFeatures` (`device` with `mac`/`ip`, `window_start`,
//! `features` as a name → value object, services, peers, ...). It is the contract retraining
//! reads back: [`FeatureLogReader`] parses it line by line with errors naming file and line, and
//! [`detect`] tells a feature log from a capture by content.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use wardwatch_flow::WindowFeatures;

/// What an input file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A pcap or pcapng capture.
    Capture,
    /// A feature log (JSON lines).
    FeatureLog,
}

impl InputKind {
    /// `capture` or `feature_log` (the manifest's word).
    pub fn word(self) -> &'static str {
        match self {
            InputKind::Capture => "capture",
            InputKind::FeatureLog => "feature_log",
        }
    }
}

use crate::json_lines::JsonLines;
pub use crate::json_lines::{JsonLinesError as FeatureLogError, MAX_LINE_BYTES};

/// Tells a capture (pcap or pcapng magic) from a feature log (a JSON object on the first line).
pub fn detect(path: &Path) -> Result<InputKind, FeatureLogError> {
    let io = |source| FeatureLogError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut head = [0u8; 64];
    let mut file = File::open(path).map_err(io)?;
    let n = file.read(&mut head).map_err(io)?;
    let head = head.get(..n).unwrap_or_default();
    const PCAP_MAGICS: [[u8; 4]; 5] = [
        [0xd4, 0xc3, 0xb2, 0xa1],
        [0xa1, 0xb2, 0xc3, 0xd4],
        [0x4d, 0x3c, 0xb2, 0xa1],
        [0xa1, 0xb2, 0x3c, 0x4d],
        [0x0a, 0x0d, 0x0d, 0x0a],
    ];
    if head.len() >= 4 && PCAP_MAGICS.iter().any(|m| head.starts_with(m)) {
        return Ok(InputKind::Capture);
    }
    if head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return Ok(InputKind::FeatureLog);
    }
    Err(FeatureLogError::Invalid {
        path: path.to_path_buf(),
        line: 0,
        reason: "neither a pcap/pcapng capture nor a feature log (JSON lines from wardwatch run --features-out)".into(),
    })
}

/// Writes one window as a feature-log line.
pub fn write_window(out: &mut impl Write, window: &WindowFeatures) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, window).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}

/// Reads a feature log line by line.
pub struct FeatureLogReader<R> {
    lines: JsonLines<R>,
}

impl FeatureLogReader<BufReader<File>> {
    /// Opens a feature log.
    pub fn open(path: &Path) -> Result<Self, FeatureLogError> {
        Ok(FeatureLogReader {
            lines: JsonLines::open(path)?,
        })
    }
}

impl<R: BufRead> FeatureLogReader<R> {
    /// Reads from any buffered reader; `path` names it in errors.
    #[cfg(test)]
    pub fn new(path: &Path, reader: R) -> Self {
        FeatureLogReader {
            lines: JsonLines::new(path, reader),
        }
    }

    /// Bytes read so far.
    pub fn position(&self) -> u64 {
        self.lines.position()
    }

    /// The next window; `None` at the end. Blank lines are skipped.
    pub fn next_window(&mut self) -> Result<Option<WindowFeatures>, FeatureLogError> {
        Ok(self
            .lines
            .next_value::<WindowFeatures>("a device window")?
            .map(|(_, _, w)| w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wardwatch_baseline::testkit::WindowBuilder;
    use wardwatch_flow::Feature;

    #[test]
    fn windows_round_trip_and_the_line_shape_is_the_contract() {
        let w = WindowBuilder::new(3, 1_767_600_000)
            .model("bd-alaris-pcu-8015", "infusion_pump")
            .feature(Feature::PacketsOut, 12.0)
            .build();
        let mut text = Vec::new();
        write_window(&mut text, &w).unwrap();
        write_window(&mut text, &w).unwrap();
        let line: serde_json::Value =
            serde_json::from_slice(text.split(|b| *b == b'\n').next().unwrap()).unwrap();
        assert_eq!(line["device"]["mac"], "02:00:00:00:00:03");
        assert_eq!(line["device"]["ip"], "10.0.3.10");
        assert_eq!(line["window_start"], "2026-01-05T08:00:00.000000Z");
        assert_eq!(line["features"]["packets_out"], 12.0);
        text.extend_from_slice(b"\n   \n");
        let mut reader = FeatureLogReader::new(Path::new("f.jsonl"), text.as_slice());
        assert_eq!(reader.next_window().unwrap().unwrap(), w);
        assert_eq!(reader.next_window().unwrap().unwrap(), w);
        assert!(reader.next_window().unwrap().is_none());
    }

    #[test]
    fn errors_name_file_and_line() {
        let text = b"{\"device\": 1}\n";
        let mut reader = FeatureLogReader::new(Path::new("f.jsonl"), &text[..]);
        let err = reader.next_window().unwrap_err().to_string();
        assert!(
            err.starts_with("f.jsonl:1: not a device window: invalid type"),
            "{err}"
        );
    }

    #[test]
    fn detects_captures_and_feature_logs_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let pcap = dir.path().join("x.bin");
        std::fs::write(&pcap, [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]).unwrap();
        assert_eq!(detect(&pcap).unwrap(), InputKind::Capture);
        let log = dir.path().join("y.bin");
        std::fs::write(&log, b"  {\"device\":{}}\n").unwrap();
        assert_eq!(detect(&log).unwrap(), InputKind::FeatureLog);
        let junk = dir.path().join("z.bin");
        std::fs::write(&junk, b"hello").unwrap();
        assert!(
            detect(&junk)
                .unwrap_err()
                .to_string()
                .contains("neither a pcap")
        );
    }
}
