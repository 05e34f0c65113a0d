//! `wardwatch eval CAPTURE --labels LABELS.jsonl`: replays the capture through the full engine
//! (flow pipeline + detector over the chosen profiles, the daemon's settings) and scores the
//! alerts against the labels: per scenario detected or not, time to detect, alert kinds; recall,
//! false alerts and false alerts per 100 device-days (rules in `evaluation::score`).

use super::InputFailure;
use crate::config::{self, DEFAULT_STORE, Overrides};
use crate::engine::{self, Engine, EngineOutput};
use crate::evaluation::labels::{self, Label};
use crate::evaluation::score::{self, Evaluation};
use crate::model_set::ModelSet;
use crate::model_store::ACTIVE_FILE;
use crate::progress::Progress;
use crate::training::summary::table;
use std::path::{Path, PathBuf};
use wardwatch_baseline::{Alert, DeviceStatus};

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A table for people.
    Table,
    /// JSON for scripts.
    Json,
}

/// Options of `wardwatch eval`.
#[derive(Debug, Clone)]
pub struct Options {
    /// The capture.
    pub capture: PathBuf,
    /// The labels.
    pub labels: PathBuf,
    /// A model store (has `ACTIVE`) or a reference directory (its `default` store is used).
    pub models: Option<PathBuf>,
    /// Devices the site already knows (default: `<labels stem>.devices.jsonl` when present).
    pub known: Option<PathBuf>,
    /// Configuration whose settings the replay uses.
    pub config: Option<PathBuf>,
    /// Output format.
    pub format: Format,
}

/// The reference directory and the store a `--models DIR` names.
fn resolve(models: Option<&Path>, configured: &Path) -> (PathBuf, PathBuf) {
    match models {
        Some(dir) if dir.join(ACTIVE_FILE).is_file() => {
            (configured.to_path_buf(), dir.to_path_buf())
        }
        Some(dir) => (dir.to_path_buf(), dir.join(DEFAULT_STORE)),
        None => (configured.to_path_buf(), configured.join(DEFAULT_STORE)),
    }
}

/// `ward.labels.jsonl` → `ward.devices.jsonl`.
fn sibling_devices(labels: &Path) -> Option<PathBuf> {
    let name = labels.file_name()?.to_str()?;
    let stem = name.strip_suffix(".labels.jsonl")?;
    let path = labels.with_file_name(format!("{stem}.devices.jsonl"));
    path.is_file().then_some(path)
}

/// Runs the command.
pub fn run(o: Options) -> anyhow::Result<()> {
    crate::logging::init();
    for path in [&o.capture, &o.labels] {
        if !path.is_file() {
            anyhow::bail!(InputFailure(format!("{}: no such file", path.display())));
        }
    }
    let cfg = config::load(
        o.config.as_deref(),
        &Overrides {
            replay: Some(o.capture.clone()),
            ..Overrides::default()
        },
    )?;
    let (reference, store) = resolve(o.models.as_deref(), &cfg.models_dir);
    let models = ModelSet::load(&reference, &store)?;
    crate::daemon::log_models(&models);
    let labels = labels::read_labels(&o.labels).map_err(|e| InputFailure(format!("{e:#}")))?;
    let known = match o.known.clone().or_else(|| sibling_devices(&o.labels)) {
        Some(path) => {
            tracing::info!(file = %path.display(), "devices the site already knows");
            labels::read_known_devices(&path).map_err(|e| InputFailure(format!("{e:#}")))?
        }
        None => Vec::new(),
    };
    let mut detector = engine::detector(
        models.profiles.clone(),
        engine::detector_config(&cfg.alerts),
    );
    if !known.is_empty() {
        // The site's devices are known: no discovery period, every other device is new.
        detector.end_discovery();
    }
    for id in known {
        detector.set_device_status(id, DeviceStatus::Known);
    }
    let pipeline = engine::pipeline_config(&cfg.pipeline);
    let window = pipeline.window;
    let mut engine = Engine::new(pipeline, &models, Some(detector))
        .map_err(|e| anyhow::anyhow!("pipeline: {e}"))?;
    let (alerts, device_days) = replay(&o.capture, &cfg.capture, &mut engine)?;
    let evaluation = score::evaluate(&labels, &alerts, device_days, window);
    match o.format {
        Format::Json => {
            super::print_out(&format!("{}\n", serde_json::to_string_pretty(&evaluation)?))
        }
        Format::Table => super::print_out(&render(&labels, &evaluation)),
    }
}

/// Replays the capture; returns every alert and the device-days of the windows.
fn replay(
    capture: &Path,
    settings: &crate::config::CaptureConfig,
    engine: &mut Engine,
) -> anyhow::Result<(Vec<Alert>, f64)> {
    let size = std::fs::metadata(capture).map(|m| m.len()).unwrap_or(0);
    let progress = Progress::new();
    let bar = progress.bytes("replaying", size);
    let mut alerts = Vec::new();
    let mut device_days = 0.0;
    let mut collect = |out: &mut EngineOutput| {
        alerts.append(&mut out.alerts);
        device_days += out
            .windows
            .iter()
            .map(|w| f64::from(w.window_secs) / 86_400.0)
            .sum::<f64>();
        out.windows.clear();
    };
    let end = crate::offline::replay(capture, settings, engine, &mut collect, &|b| {
        bar.set_position(b.min(size))
    })?;
    if let Some(reason) = end.ended_early {
        tracing::warn!(file = %capture.display(), %reason, "capture ends with a damaged record; the packets before it were used");
    }
    let mut out = EngineOutput::default();
    engine.finish(&mut out);
    collect(&mut out);
    bar.finish();
    Ok((alerts, device_days))
}

fn render(labels: &[Label], e: &Evaluation) -> String {
    let rows: Vec<Vec<String>> = labels
        .iter()
        .zip(&e.scenarios)
        .map(|(l, s)| {
            vec![
                s.kind.clone(),
                s.attacker.clone(),
                l.start.to_rfc3339(),
                if s.detected { "yes" } else { "NO" }.to_owned(),
                s.time_to_detect_s
                    .map_or("-".to_owned(), |t| format!("{t:.0} s")),
                if s.alert_kinds.is_empty() {
                    "-".to_owned()
                } else {
                    s.alert_kinds.join(" ")
                },
            ]
        })
        .collect();
    let mut out = table(
        &[
            "scenario",
            "attacker",
            "start",
            "detected",
            "time to detect",
            "alert kinds",
        ],
        &rows,
    );
    let number = |x: Option<f64>| x.map_or("-".to_owned(), |v| format!("{v:.3}"));
    out.push_str(&format!(
        "\nrecall {} ({} of {} scenarios)\nfalse alerts {} over {:.2} device-days: {} per 100 device-days\n",
        number(e.recall),
        e.scenarios.iter().filter(|s| s.detected).count(),
        e.scenarios.len(),
        e.false_alerts,
        e.device_days,
        number(e.false_alerts_per_100_device_days),
    ));
    out
}
