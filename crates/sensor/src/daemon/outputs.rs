//! Files the pipeline thread writes: the feature log (JSON lines, appended), the inventory
//! (rewritten atomically) and the state snapshot (checksummed envelope, written atomically,
//! resumed at start).

use super::processor::Processor;
use crate::config::Config;
use crate::logging::LogSampler;
use crate::metrics::Metrics;
use crate::metrics::labels::Outcome;
use crate::store;
use anyhow::Context;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use wardwatch_flow::WindowFeatures;

/// File name of the pipeline state inside `state.dir`.
pub const STATE_FILE: &str = "pipeline.state";
/// Envelope kind of the pipeline state.
pub const STATE_KIND: &str = "pipeline-state";

/// The pipeline thread's output files.
pub struct Outputs {
    features: Option<(PathBuf, BufWriter<File>)>,
    inventory: Option<PathBuf>,
    state: Option<PathBuf>,
    snapshot_every: Duration,
    last_snapshot: Instant,
}

fn wall_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl Outputs {
    /// Opens the feature log and prepares the state directory (removing torn temp files).
    pub fn open(config: &Config) -> anyhow::Result<Outputs> {
        let features = match &config.features_out {
            Some(path) => {
                let file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .with_context(|| {
                        format!(
                            "outputs.features {}: cannot open for appending",
                            path.display()
                        )
                    })?;
                Some((path.clone(), BufWriter::new(file)))
            }
            None => None,
        };
        let state = match &config.state.dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("state.dir {}: cannot create", dir.display()))?;
                let removed = store::remove_stale_temps(dir)?;
                if removed > 0 {
                    tracing::warn!(removed, dir = %dir.display(), "removed temp files left by an interrupted write");
                }
                Some(dir.join(STATE_FILE))
            }
            None => None,
        };
        if let Some(dir) = config.inventory_out.as_deref().and_then(Path::parent) {
            let removed = store::remove_stale_temps(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            })?;
            if removed > 0 {
                tracing::warn!(
                    removed,
                    "removed temp files left by an interrupted inventory write"
                );
            }
        }
        Ok(Outputs {
            features,
            inventory: config.inventory_out.clone(),
            state,
            snapshot_every: config.state.snapshot_interval,
            last_snapshot: Instant::now(),
        })
    }

    /// Loads the state snapshot into the processor. A damaged file is set aside as
    /// `pipeline.state.damaged` (never loaded, never silently overwritten) and the sensor starts
    /// fresh.
    pub fn restore(&self, processor: &mut dyn Processor) {
        let Some(path) = &self.state else { return };
        match store::load_envelope(path, STATE_KIND) {
            Ok(None) => {
                tracing::info!(path = %path.display(), "no state snapshot yet; starting fresh")
            }
            Ok(Some(body)) => match processor.restore(&body) {
                Ok(()) => tracing::info!(path = %path.display(), "resumed from state snapshot"),
                Err(reason) => set_aside(path, &reason),
            },
            Err(err) => set_aside(path, &err.to_string()),
        }
    }

    /// Appends closed windows to the feature log.
    pub fn write_windows(&mut self, windows: &[WindowFeatures], sampler: &LogSampler) {
        let Some((path, out)) = self.features.as_mut() else {
            return;
        };
        for window in windows {
            let written = crate::feature_log::write_window(out, window);
            if let Err(err) = written
                && sampler.allow("features_out").0
            {
                tracing::warn!(path = %path.display(), error = %err, "feature log write failed");
            }
        }
    }

    /// Flushes the feature log.
    pub fn flush(&mut self) {
        if let Some((path, out)) = self.features.as_mut()
            && let Err(err) = out.flush()
        {
            tracing::warn!(path = %path.display(), error = %err, "feature log flush failed");
        }
    }

    /// True when a periodic snapshot is due.
    pub fn snapshot_due(&self) -> bool {
        self.last_snapshot.elapsed() >= self.snapshot_every
    }

    /// Writes the state snapshot and the inventory (each atomically).
    pub fn save(&mut self, processor: &dyn Processor, metrics: &Metrics) {
        self.last_snapshot = Instant::now();
        self.flush();
        if let (Some(path), Some(body)) = (&self.state, processor.snapshot()) {
            match store::save_envelope(path, STATE_KIND, &body) {
                Ok(()) => metrics.observe_snapshot(Outcome::Success, wall_secs()),
                Err(err) => {
                    metrics.observe_snapshot(Outcome::Failure, 0.0);
                    tracing::error!(error = %err, "state snapshot failed; the previous one is kept");
                }
            }
        }
        if let (Some(path), Some(entries)) = (&self.inventory, processor.inventory())
            && let Err(err) = crate::inventory::write_inventory(path, entries)
        {
            tracing::error!(error = %err, "inventory write failed; the previous file is kept");
        }
    }
}

fn set_aside(path: &Path, reason: &str) {
    let mut damaged = path.as_os_str().to_owned();
    damaged.push(".damaged");
    let renamed = std::fs::rename(path, &damaged);
    tracing::error!(
        path = %path.display(),
        reason,
        moved_to = %Path::new(&damaged).display(),
        moved = renamed.is_ok(),
        "state snapshot is damaged; starting fresh"
    );
}
