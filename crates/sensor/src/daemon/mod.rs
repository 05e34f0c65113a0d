//! `wardwatch run`: owns the pieces and runs them together.
//!
//! Order: load models → open the capture → drop privileges (live) → build the processor and
//! resume its state → start tokio (signals, HTTP endpoint, alert sinks) → start the capture
//! thread and the pipeline thread → wait for a signal or the end of the capture.
//!
//! Threads: `capture` (libpcap) → bounded queue → `pipeline` (the [`Processor`]) → alert
//! queues → tokio tasks (sinks, HTTP). SIGTERM/SIGINT: stop the capture, drain the queue,
//! flush, write the final snapshot, give the sinks a short grace period, exit 0 — well within
//! 10 s. SIGHUP: [`reload`]. A replay that ends exits 0, or with `--keep-running` keeps
//! serving `/metrics` until SIGTERM.
//!
//! Extension point for the pipeline and detector: [`processor::Processor`] and the
//! [`processor::ProcessorFactory`] passed to [`run`].

mod clock;
mod inventory_feed;
mod outputs;
pub mod pipeline_processor;
pub mod processor;
mod publish;
mod reload;
mod worker;

pub use pipeline_processor::PipelineProcessor;
pub use processor::{Processor, ProcessorFactory};

use crate::capture::{self, CaptureEnd, OpenedCapture, StopCapture};
use crate::config::{Config, Overrides};
use crate::http::{HttpServer, HttpSettings, Readiness};
use crate::logging::{LogSampler, SamplingRule};
use crate::metrics::Metrics;
use crate::metrics::labels::CaptureMode;
use crate::model_set::ModelSet;
use crate::privileges::{self, DropOutcome};
use crate::signals::{SignalEvent, Signals};
use crate::sinks::{AlertSender, AlertSinks};
use anyhow::Context;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{oneshot, watch};
use worker::{Control, Worker, WorkerReport};

/// How long the sinks may keep delivering after a shutdown request.
const SINK_GRACE: Duration = Duration::from_secs(3);
/// How long the pipeline thread may take to drain and flush after the capture stops.
const DRAIN_LIMIT: Duration = Duration::from_secs(5);

/// Options of `wardwatch run` beyond the configuration.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// The configuration file, re-read at SIGHUP.
    pub config_path: Option<PathBuf>,
    /// Flag overrides, re-applied at SIGHUP.
    pub overrides: Overrides,
    /// After a replay ends, keep serving metrics until SIGTERM.
    pub keep_running: bool,
}

/// Runs the daemon until it is told to stop or the replay ends.
pub fn run(config: Config, options: RunOptions, factory: ProcessorFactory) -> anyhow::Result<()> {
    remove_stale_store_temps(&config.models_store);
    let models = Arc::new(ModelSet::load(&config.models_dir, &config.models_store)?);
    log_models(&models);
    let metrics = Arc::new(Metrics::new(config.metrics.max_device_series)?);
    metrics.set_start_time(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64()),
    );
    metrics.set_label_policy(models.label_policy());
    metrics.set_model_set(&models.info());
    metrics.set_flow_table_capacity(config.pipeline.flow_table.max_flows);
    tracing::info!(dir = %models.dir.display(), version = %models.version, device_models = models.catalog.models.len(), "models loaded");

    let opened = capture::open(&config.capture)?;
    metrics.set_capture_mode(opened.mode());
    tracing::info!(
        mode = opened.mode().label(),
        linktype = opened.linktype(),
        "capture opened"
    );
    drop_privileges(&config, &opened)?;

    let mut processor = factory(&config, &models, &metrics)?;
    let outputs = outputs::Outputs::open(&config)?;
    outputs.restore(processor.as_mut());

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("wardwatch-io")
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let daemon = Daemon {
        config,
        options,
        models,
        metrics,
        readiness: Readiness::default(),
    };
    runtime.block_on(daemon.serve(opened, processor, outputs))
}

/// Removes what an interrupted `wardwatch retrain` left in the model store (best effort: the
/// sensor may not own the store; the temp files are never loaded either way).
fn remove_stale_store_temps(store: &std::path::Path) {
    match crate::model_store::ModelStore::new(store).remove_stale() {
        Ok(0) => {}
        Ok(removed) => {
            tracing::warn!(removed, store = %store.display(), "removed temp files of an interrupted retrain")
        }
        Err(err) => tracing::debug!(error = %err, "could not clean the model store"),
    }
}

/// Logs what was loaded and anything worth knowing about it.
pub(crate) fn log_models(models: &ModelSet) {
    match &models.store_version {
        Some(v) => {
            tracing::info!(store = %models.store.display(), version = %v, trained_at = %models.trained_at.map(wardwatch_flow::Timestamp::to_rfc3339).unwrap_or_default(), profiles = models.profiles.profiles().count(), "trained profiles loaded")
        }
        None => {
            tracing::warn!(store = %models.store.display(), "no active trained model set in the store: rules run, statistical alerts wait until profiles are trained (wardwatch retrain --activate)")
        }
    }
    for note in &models.notes {
        tracing::warn!("{note}");
    }
}

fn drop_privileges(config: &Config, opened: &OpenedCapture) -> anyhow::Result<()> {
    if opened.mode() != CaptureMode::Live {
        if nix::unistd::Uid::effective().is_root() {
            tracing::warn!(
                "replaying a file as root; privileges are only dropped for live captures"
            );
        }
        return Ok(());
    }
    match privileges::drop_privileges(&config.privileges)? {
        DropOutcome::NotRoot => tracing::info!("not running as root; no privileges to drop"),
        DropOutcome::KeptRoot => {
            tracing::warn!("keeping root as configured (--allow-root or privileges.user = \"\")")
        }
        DropOutcome::Dropped { user, uid, gid } => {
            tracing::info!(%user, uid, gid, "dropped privileges")
        }
    }
    Ok(())
}

/// What the async side owns.
struct Daemon {
    config: Config,
    options: RunOptions,
    models: Arc<ModelSet>,
    metrics: Arc<Metrics>,
    readiness: Readiness,
}

impl Daemon {
    async fn serve(
        mut self,
        opened: OpenedCapture,
        processor: Box<dyn Processor>,
        outputs: outputs::Outputs,
    ) -> anyhow::Result<()> {
        let mut signals = Signals::install().context("installing signal handlers")?;
        let stop_http = self.start_http().await?;
        let mut sinks = AlertSinks::start(&self.config.alerts, &self.metrics).await?;
        let sender = AlertSender::new(sinks.queues());
        let mut pipeline = self.start_pipeline(opened, processor, outputs, sender.clone())?;
        self.readiness.set(true);

        let mut report: Option<WorkerReport> = None;
        loop {
            tokio::select! {
                event = signals.next() => match event {
                    SignalEvent::Shutdown(name) => {
                        tracing::info!(signal = name, "shutting down");
                        break;
                    }
                    SignalEvent::Reload => {
                        sinks = reload::reload(&mut self, &pipeline.control, &sender, sinks).await;
                    }
                },
                finished = &mut pipeline.done, if report.is_none() => {
                    let finished = finished.context("the pipeline thread died")?;
                    let keep = log_capture_end(&finished, self.options.keep_running);
                    report = Some(finished);
                    if !keep {
                        break;
                    }
                }
            }
        }
        pipeline.stopper.stop();
        self.readiness.set(false);
        let report = match report {
            Some(report) => report,
            None => tokio::time::timeout(DRAIN_LIMIT, pipeline.done)
                .await
                .context("the pipeline did not drain within 5 s")?
                .context("the pipeline thread died")?,
        };
        sinks.shutdown(SINK_GRACE).await;
        let _ = stop_http.send(true);
        tracing::info!(packets = report.packets, "stopped");
        match report.end {
            CaptureEnd::Failed(reason) => anyhow::bail!("capture failed: {reason}"),
            _ => Ok(()),
        }
    }

    /// Binds and serves the HTTP endpoint; the returned sender stops it.
    async fn start_http(&self) -> anyhow::Result<watch::Sender<bool>> {
        let listen = self.config.metrics.listen;
        let server = HttpServer::bind(HttpSettings {
            listen,
            max_in_flight: self.config.metrics.max_in_flight,
            max_connections: self.config.metrics.max_connections,
            header_read_timeout: self.config.metrics.header_read_timeout,
        })
        .await
        .with_context(|| format!("metrics.listen {listen}: cannot listen"))?;
        let bound = server.local_addr()?;
        if !bound.ip().is_loopback() {
            tracing::warn!(%bound, "the metrics endpoint listens beyond loopback; protect it with a firewall or a TLS/auth proxy");
        }
        let (stop_http, http_stopped) = watch::channel(false);
        tokio::spawn(server.serve(self.metrics.clone(), self.readiness.clone(), http_stopped));
        tracing::info!(address = %bound, "serving /metrics, /healthz, /readyz");
        Ok(stop_http)
    }

    /// Starts the capture thread and the pipeline thread.
    fn start_pipeline(
        &self,
        opened: OpenedCapture,
        processor: Box<dyn Processor>,
        outputs: outputs::Outputs,
        alerts: AlertSender,
    ) -> anyhow::Result<Pipeline> {
        let live = opened.mode() == CaptureMode::Live;
        let handle = opened.start().context("starting the capture thread")?;
        let stopper = handle.stopper();
        let (parts, join) = handle.into_parts();
        let (control, control_rx) = std::sync::mpsc::channel();
        let (done_tx, done) = oneshot::channel::<WorkerReport>();
        let worker = Worker {
            processor,
            capture: parts,
            join,
            live,
            metrics: self.metrics.clone(),
            alerts,
            control: control_rx,
            outputs,
            sampler: Arc::new(LogSampler::new(
                SamplingRule::default(),
                self.metrics.log_suppressed_counter(),
            )),
        };
        // Set before the thread starts: a short replay may end (and clear it) at once.
        self.metrics.set_capture_running(true);
        std::thread::Builder::new()
            .name("pipeline".into())
            .spawn(move || {
                let _ = done_tx.send(worker.run());
            })
            .context("starting the pipeline thread")?;
        Ok(Pipeline {
            stopper,
            control,
            done,
        })
    }
}

/// Handles on the running capture and pipeline threads.
struct Pipeline {
    stopper: StopCapture,
    control: std::sync::mpsc::Sender<Control>,
    done: oneshot::Receiver<WorkerReport>,
}

/// Logs how the capture ended; true when the daemon should keep serving.
fn log_capture_end(report: &WorkerReport, keep_running: bool) -> bool {
    match &report.end {
        CaptureEnd::Finished => {
            tracing::info!(packets = report.packets, keep_running, "replay finished");
            keep_running
        }
        CaptureEnd::EndedEarly(reason) => {
            tracing::warn!(packets = report.packets, %reason, "replay ended early at a damaged record");
            keep_running
        }
        CaptureEnd::Failed(reason) => {
            tracing::error!(%reason, "live capture failed");
            false
        }
        CaptureEnd::Stopped | CaptureEnd::ConsumerGone => false,
    }
}

#[cfg(test)]
mod tests;
