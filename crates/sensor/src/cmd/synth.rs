//! `wardwatch synth`: generates a labelled synthetic ward capture (`ward.pcap`) with its ground
//! truth (`ward.labels.jsonl`, `ward.devices.jsonl`) through wardwatch-synth.

use super::InputFailure;
use anyhow::{Context, Result};
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;
use wardwatch_flow::Timestamp;
use wardwatch_flow::catalog::Catalog;
use wardwatch_synth::{Params, PcapWriter, ScenarioKind, WardConfig, generate, write_jsonl};

/// Validated arguments of `wardwatch synth`.
#[derive(Debug, Clone)]
pub struct SynthArgs {
    /// Run seed.
    pub seed: u64,
    /// Ward devices (None: the config's counts).
    pub devices: Option<u32>,
    /// Capture length.
    pub duration: std::time::Duration,
    /// Scenarios to stage.
    pub scenarios: Vec<ScenarioKind>,
    /// Output pcap path.
    pub out: PathBuf,
    /// Ward config file (None: the embedded default).
    pub config: Option<PathBuf>,
    /// Capture start.
    pub start: Timestamp,
    /// Catalog file.
    pub catalog: PathBuf,
}

/// Paths of the two ground-truth files beside `out` (`ward.pcap` → `ward.labels.jsonl`).
pub fn sibling_paths(out: &Path) -> (PathBuf, PathBuf) {
    let stem = match out.extension().and_then(|e| e.to_str()) {
        Some("pcap") => out.with_extension(""),
        _ => out.to_path_buf(),
    };
    let with = |suffix: &str| {
        let mut s = stem.clone().into_os_string();
        s.push(suffix);
        PathBuf::from(s)
    };
    (with(".labels.jsonl"), with(".devices.jsonl"))
}

fn usage(err: impl std::fmt::Display) -> anyhow::Error {
    InputFailure(err.to_string()).into()
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

/// Peak resident memory of this process in KiB (Linux `VmHWM`), when available.
pub fn peak_rss_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the command.
pub fn run(args: SynthArgs) -> Result<()> {
    let text = fs::read_to_string(&args.catalog)
        .with_context(|| format!("reading catalog {}", args.catalog.display()))?;
    let catalog =
        Catalog::parse(&text).map_err(|e| usage(format!("{}: {e}", args.catalog.display())))?;
    let cfg = match &args.config {
        Some(path) => {
            let text = fs::read_to_string(path)
                .with_context(|| format!("reading ward config {}", path.display()))?;
            WardConfig::parse(&text).map_err(|e| usage(format!("{}: {e}", path.display())))?
        }
        None => WardConfig::default_ward().map_err(usage)?,
    };
    let params = Params {
        seed: args.seed,
        devices: args.devices,
        start: args.start,
        duration_us: u64::try_from(args.duration.as_micros())
            .map_err(|_| usage("--duration: too long"))?,
        scenarios: args.scenarios.clone(),
    };
    let (labels_path, devices_path) = sibling_paths(&args.out);
    let tmp = temp_path(&args.out);
    let file = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let mut pcap = PcapWriter::new(BufWriter::with_capacity(1 << 20, file));
    let began = Instant::now();
    let summary = match generate(&cfg, &catalog, &params, &mut pcap) {
        Ok(s) => s,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(if e.is_usage() {
                usage(e)
            } else {
                anyhow::Error::new(e).context(format!("writing {}", args.out.display()))
            });
        }
    };
    let elapsed = began.elapsed().as_secs_f64();
    let bytes = pcap.bytes;
    drop(pcap);
    fs::rename(&tmp, &args.out)
        .with_context(|| format!("renaming {} to {}", tmp.display(), args.out.display()))?;
    for (path, write) in [
        (
            &labels_path,
            Box::new(|f: &mut BufWriter<File>| write_jsonl(f, &summary.labels))
                as Box<dyn Fn(&mut BufWriter<File>) -> std::io::Result<()>>,
        ),
        (
            &devices_path,
            Box::new(|f: &mut BufWriter<File>| write_jsonl(f, &summary.devices)),
        ),
    ] {
        let tmp = temp_path(path);
        let mut f = BufWriter::new(
            File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?,
        );
        write(&mut f).with_context(|| format!("writing {}", path.display()))?;
        drop(f);
        fs::rename(&tmp, path).with_context(|| format!("renaming {}", tmp.display()))?;
    }
    let rss = peak_rss_kib()
        .map(|k| format!(", peak RSS {:.1} MiB", k as f64 / 1024.0))
        .unwrap_or_default();
    eprintln!(
        "synth: {} frames, {:.1} MB, {} devices, {} attack labels in {:.2} s ({:.0} frames/s); max {} conversations{}",
        summary.frames,
        bytes as f64 / 1e6,
        summary.devices.len(),
        summary.labels.len(),
        elapsed,
        summary.frames as f64 / elapsed.max(1e-9),
        summary.max_conversations,
        rss
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ground_truth_files_sit_beside_the_capture() {
        let (l, d) = sibling_paths(Path::new("out/ward.pcap"));
        assert_eq!(l, PathBuf::from("out/ward.labels.jsonl"));
        assert_eq!(d, PathBuf::from("out/ward.devices.jsonl"));
        let (l, _) = sibling_paths(Path::new("capture"));
        assert_eq!(l, PathBuf::from("capture.labels.jsonl"));
        assert!(
            temp_path(Path::new("a/ward.pcap"))
                .to_string_lossy()
                .starts_with("a/.ward.pcap.tmp-")
        );
    }
}
