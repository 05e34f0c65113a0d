//! `wardwatch retrain INPUT... --out DIR`: learns every model's profiles from captures and/or
//! feature logs through the same engine as the daemon, validates them on a time-ordered
//! hold-out, writes a new version into the model store atomically (and activates it with
//! `--activate`), and prints a summary table and the threshold diff against the previous
//! active version. Inputs are read on every core, in an order-preserving way, so the same
//! inputs always give the same bytes.

use super::InputFailure;
use crate::config::{self, Overrides};
use crate::feature_log;
use crate::model_manifest::{MANIFEST_FORMAT, Manifest};
use crate::model_set::ModelSet;
use crate::model_store::ModelStore;
use crate::progress::Progress;
use crate::training::input::{self, Input, ReadSettings};
use crate::training::{self, split, summary, validate};
use anyhow::Context;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use wardwatch_baseline::{ModelSet as Profiles, TrainParams, Trainer};
use wardwatch_flow::{Span, Timestamp, WindowFeatures};

/// Options of `wardwatch retrain`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Captures and feature logs.
    pub inputs: Vec<PathBuf>,
    /// The model store to write into.
    pub out: PathBuf,
    /// Catalog for identification (default: `<models>/catalog.toml`).
    pub catalog: Option<PathBuf>,
    /// Reference data directory (default: `models.dir` of the configuration, `models`).
    pub models: Option<PathBuf>,
    /// Configuration whose `[pipeline]` and `[capture]` settings the replays use.
    pub config: Option<PathBuf>,
    /// Training settings (TOML, `wardwatch_baseline::TrainParams`); defaults otherwise.
    pub params: Option<PathBuf>,
    /// Share of the time-ordered input held out for validation.
    pub holdout: f64,
    /// Make the new version active.
    pub activate: bool,
}

/// What a read pass gave.
struct Read {
    trainer: Trainer,
    holdout: Vec<WindowFeatures>,
    windows: Vec<u64>,
}

/// Runs the command.
pub fn run(o: Options) -> anyhow::Result<()> {
    crate::logging::init();
    let started = Instant::now();
    let setup = setup(&o)?;
    let progress = Progress::new();
    let settings = ReadSettings {
        pipeline: crate::engine::pipeline_config(&setup.config.pipeline),
        capture: setup.config.capture.clone(),
        models: &setup.models,
    };
    let window = settings.pipeline.window;
    let (inputs, cut) = prepare_inputs(&o.inputs, window, o.holdout, &progress)?;
    let read = read_inputs(&inputs, &settings, cut, setup.params.clone(), &progress)?;
    let total: u64 = read.windows.iter().sum();
    let held = read.holdout.len() as u64;
    let windows = read.windows.clone();
    let (profiles, report, figures) = train_and_validate(read, &progress)?;
    let summaries = summary::summaries(&report, &figures);
    let end_secs = report
        .last_window_secs
        .saturating_add(u64::from(report.window_secs));
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        version: String::new(),
        feature_schema: wardwatch_flow::FEATURE_SCHEMA_VERSION,
        trained_at: Some(Timestamp::from_secs(end_secs)),
        catalog_sha256: setup.models.catalog_sha256.clone(),
        holdout: o.holdout,
        inputs: inputs
            .iter()
            .zip(&windows)
            .map(|(input, n)| input.record(*n))
            .collect(),
        profiles: summaries.clone(),
        files: BTreeMap::new(),
    };
    let version = write_version(&setup.store, manifest, &profiles.encode(), o.activate)?;
    print_outcome(&Outcome {
        store: &setup.store,
        version: &version,
        activated: o.activate,
        summaries: &summaries,
        previous: setup
            .previous
            .as_ref()
            .map(|p| p.manifest.profiles.as_slice()),
        windows: (total, held),
        unprofiled: figures.get(&None).map_or(0, |f| f.windows),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Learns the profiles from the training windows, then replays the hold-out through them.
fn train_and_validate(
    read: Read,
    progress: &Progress,
) -> anyhow::Result<(Arc<Profiles>, wardwatch_baseline::TrainingReport, Figures)> {
    let spinner = progress.spinner("training");
    let held = read.holdout.len() as u64;
    let (set, report) = read
        .trainer
        .finish()
        .map_err(|e| anyhow::anyhow!("training: {e}"))?;
    spinner.finish_with_message(format!("{} profiles", report.profiles.len()));
    let profiles = Arc::new(set);
    let bar = progress.items("validating", held, "windows");
    let figures = validate::validate(profiles.clone(), read.holdout, &|n| bar.set_position(n));
    bar.finish();
    Ok((profiles, report, figures))
}

/// Hold-out figures per profile key.
type Figures = BTreeMap<Option<wardwatch_baseline::ProfileKey>, validate::Figures>;

/// What a run starts from: the configuration, reference data, settings, the store and the
/// version active before it.
struct Setup {
    config: crate::config::Config,
    models: ModelSet,
    params: TrainParams,
    store: ModelStore,
    previous: Option<crate::model_store::LoadedVersion>,
}

fn setup(o: &Options) -> anyhow::Result<Setup> {
    if !(0.0..=split::MAX_HOLDOUT).contains(&o.holdout) {
        anyhow::bail!(InputFailure(format!(
            "--holdout {}: use a share between 0 and {}",
            o.holdout,
            split::MAX_HOLDOUT
        )));
    }
    let first = o
        .inputs
        .first()
        .ok_or_else(|| InputFailure("give at least one capture or feature log".into()))?;
    let config = config::load(
        o.config.as_deref(),
        &Overrides {
            replay: Some(first.clone()),
            models: o.models.clone(),
            ..Overrides::default()
        },
    )?;
    let params = train_params(o.params.as_deref())?;
    let mut models = ModelSet::load_reference(&config.models_dir)?;
    if let Some(catalog) = &o.catalog {
        models = models.with_catalog_file(catalog)?;
    }
    let store = ModelStore::new(&o.out);
    let stale = store.remove_stale()?;
    if stale > 0 {
        tracing::warn!(removed = stale, store = %o.out.display(), "removed temp files of an interrupted retrain");
    }
    let previous = store.load_active().unwrap_or_else(|err| {
        tracing::warn!(error = %err, "the active version does not load; no threshold diff");
        None
    });
    Ok(Setup {
        config,
        models,
        params,
        store,
        previous,
    })
}

/// Adds the version to the store (and activates it); returns its id.
fn write_version(
    store: &ModelStore,
    manifest: Manifest,
    profiles: &[u8],
    activate: bool,
) -> anyhow::Result<String> {
    let version = store
        .add(manifest, profiles)
        .context("writing the new version")?;
    if activate {
        store.activate(&version)?;
    }
    Ok(version)
}

/// The training settings: defaults, or a TOML file of `TrainParams` (every key optional).
fn train_params(path: Option<&std::path::Path>) -> anyhow::Result<TrainParams> {
    let Some(path) = path else {
        return Ok(TrainParams::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputFailure(format!("--params {}: cannot read: {e}", path.display())))?;
    let params: TrainParams = toml::from_str(&text).map_err(|e| {
        InputFailure(format!(
            "--params {}: {}",
            path.display(),
            e.message().trim()
        ))
    })?;
    params
        .validate()
        .map_err(|e| InputFailure(format!("--params {}: {e}", path.display())))?;
    Ok(params)
}

/// A span of window starts.
type WindowSpan = Option<(Timestamp, Timestamp)>;

/// Opens every input (kind, size, SHA-256) and, when a hold-out is asked for, scans the
/// packet-time span of its windows and places the cut: inputs in parallel, and within one
/// input the hashing and the scan run at the same time.
fn prepare_inputs(
    paths: &[PathBuf],
    window: Span,
    holdout: f64,
    progress: &Progress,
) -> anyhow::Result<(Vec<Input>, Option<Timestamp>)> {
    let bar = progress.items("scanning", paths.len() as u64, "inputs");
    let mut inputs: Vec<Input> = Vec::with_capacity(paths.len());
    let mut span: WindowSpan = None;
    let scan = holdout > 0.0;
    training::ordered(
        paths.len(),
        training::workers(paths.len()),
        &|i, emit| {
            let path = &paths[i];
            if !path.is_file() {
                anyhow::bail!(InputFailure(format!("{}: no such file", path.display())));
            }
            let kind = feature_log::detect(path).map_err(|e| InputFailure(e.to_string()))?;
            let (input, span) = std::thread::scope(|s| {
                let hashing = s.spawn(|| Input::open(path));
                let span = if scan {
                    input::window_span(path, kind, window)
                } else {
                    Ok(None)
                };
                let input = hashing
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("hashing {} failed", path.display())));
                (input, span)
            });
            emit((input.map_err(|e| InputFailure(format!("{e:#}")))?, span?));
            Ok(())
        },
        &mut |_, (input, s): (Input, WindowSpan)| {
            bar.inc(1);
            inputs.push(input);
            if let Some((a, b)) = s {
                span = Some(span.map_or((a, b), |(x, y)| (x.min(a), y.max(b))));
            }
            Ok(())
        },
    )?;
    bar.finish();
    Ok((inputs, split::cutoff(span, window, holdout)))
}

/// Reads every input (in parallel, consumed in input order): windows before the cut go to the
/// trainer, the rest are kept for validation.
fn read_inputs(
    inputs: &[Input],
    settings: &ReadSettings<'_>,
    cut: Option<Timestamp>,
    params: TrainParams,
    progress: &Progress,
) -> anyhow::Result<Read> {
    let bars: Vec<_> = inputs
        .iter()
        .map(|input| {
            let name = input
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bar = progress.bytes("reading", input.bytes);
            bar.set_message(name);
            bar
        })
        .collect();
    let mut read = Read {
        trainer: Trainer::new(params).map_err(|e| anyhow::anyhow!("{e}"))?,
        holdout: Vec::new(),
        windows: vec![0; inputs.len()],
    };
    training::ordered(
        inputs.len(),
        training::workers(inputs.len()),
        &|i, emit| {
            let bar = &bars[i];
            inputs[i].read(settings, &mut |w| emit(w), &|b| {
                bar.set_position(b.min(bar.length().unwrap_or(b)))
            })?;
            bar.finish();
            Ok(())
        },
        &mut |i, w| {
            read.windows[i] += 1;
            if split::held_out(w.window_start, cut) {
                read.holdout.push(w);
            } else {
                read.trainer.add(&w);
            }
            Ok(())
        },
    )?;
    Ok(read)
}

struct Outcome<'a> {
    store: &'a ModelStore,
    version: &'a str,
    activated: bool,
    summaries: &'a [crate::model_manifest::ProfileSummary],
    previous: Option<&'a [crate::model_manifest::ProfileSummary]>,
    windows: (u64, u64),
    unprofiled: u64,
    seconds: f64,
}

fn print_outcome(o: &Outcome<'_>) -> anyhow::Result<()> {
    use std::fmt::Write;
    let (total, held) = o.windows;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "read {total} device windows: {} for training, {held} held out for validation ({:.1} s)",
        total - held,
        o.seconds
    );
    if o.unprofiled > 0 {
        let _ = writeln!(
            text,
            "{} held-out windows belong to devices no profile judges (not counted)",
            o.unprofiled
        );
    }
    text.push('\n');
    text.push_str(&summary::render(o.summaries));
    text.push('\n');
    match o.previous {
        Some(previous) => text.push_str(&summary::diff(previous, o.summaries)),
        None => text.push_str("thresholds: no previous active version to compare with\n"),
    }
    text.push('\n');
    let state = if o.activated {
        "active"
    } else {
        "not active; activate it with `wardwatch models activate VERSION`"
    };
    let _ = writeln!(
        text,
        "wrote version {} to {} ({state})",
        o.version,
        o.store.dir().display()
    );
    super::print_out(&text)
}
