//! Alert sinks: JSON lines ([`jsonl`]) and Alertmanager v2 ([`alertmanager`]), each a tokio
//! task with its own bounded queue ([`queue`]), so a slow or unreachable sink never blocks the
//! pipeline or the other sinks. The pipeline side holds an [`AlertSender`] (a cheap, sync
//! handle); a reload swaps the sinks behind it.

pub mod alertmanager;
mod backoff;
pub mod jsonl;
pub mod queue;

use crate::config::AlertsConfig;
use crate::logging::{LogSampler, SamplingRule};
use crate::metrics::labels::SinkDropReason;
use crate::metrics::{Metrics, SinkMetrics};
use queue::SinkQueue;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::task::JoinHandle;
use wardwatch_baseline::Alert;

/// What a sink task needs: its queue, its counters and a rate-limited failure log.
#[derive(Clone)]
pub struct SinkContext {
    /// Fixed sink name (`jsonl`, `alertmanager_0`, ...), also its metric label.
    pub name: String,
    /// Its queue.
    pub queue: Arc<SinkQueue>,
    /// Its counters.
    pub metrics: SinkMetrics,
    sampler: Arc<LogSampler>,
}

impl SinkContext {
    fn log_failure(&self, message: &str) {
        let (allowed, occurrences) = self.sampler.allow(&self.name);
        if allowed {
            tracing::warn!(sink = %self.name, occurrences, "alert delivery failed: {message}");
        }
    }
}

/// A sink could not start.
#[derive(Debug, thiserror::Error)]
#[error("alerts.file {path}: cannot open for appending: {source}")]
pub struct SinkError {
    /// The alert file.
    pub path: String,
    /// The IO error.
    pub source: std::io::Error,
}

struct Running {
    queue: Arc<SinkQueue>,
    metrics: SinkMetrics,
    task: JoinHandle<()>,
}

/// The running sinks.
pub struct AlertSinks {
    running: Vec<Running>,
}

impl AlertSinks {
    /// Opens and starts every configured sink (on the current tokio runtime).
    pub async fn start(config: &AlertsConfig, metrics: &Metrics) -> Result<AlertSinks, SinkError> {
        let sampler = Arc::new(LogSampler::new(
            SamplingRule::default(),
            metrics.log_suppressed_counter(),
        ));
        let context = |name: String| {
            let sink_metrics = metrics.sink(&name);
            SinkContext {
                queue: Arc::new(SinkQueue::new(config.queue_capacity, sink_metrics.clone())),
                metrics: sink_metrics,
                name,
                sampler: sampler.clone(),
            }
        };
        let mut running = Vec::new();
        if let Some(file) = &config.file {
            let out = jsonl::open(file).await.map_err(|source| SinkError {
                path: match file {
                    crate::config::AlertFile::Stdout => "-".into(),
                    crate::config::AlertFile::Path(p) => p.display().to_string(),
                },
                source,
            })?;
            let ctx = context("jsonl".into());
            running.push(Running {
                queue: ctx.queue.clone(),
                metrics: ctx.metrics.clone(),
                task: tokio::spawn(jsonl::run(ctx, out)),
            });
        }
        if let Some(am) = &config.alertmanager {
            for (i, url) in am.urls.iter().enumerate() {
                let target = Arc::new(alertmanager::Target {
                    url: url.clone(),
                    timeout: am.timeout,
                    initial_backoff: am.initial_backoff,
                    max_backoff: am.max_backoff,
                    batch_size: am.batch_size,
                    generator_url: am.generator_url.clone(),
                });
                let ctx = context(format!("alertmanager_{i}"));
                running.push(Running {
                    queue: ctx.queue.clone(),
                    metrics: ctx.metrics.clone(),
                    task: tokio::spawn(alertmanager::run(ctx, target)),
                });
            }
        }
        Ok(AlertSinks { running })
    }

    /// The queues, for an [`AlertSender`].
    pub fn queues(&self) -> Vec<Arc<SinkQueue>> {
        self.running.iter().map(|r| r.queue.clone()).collect()
    }

    /// Closes every queue and lets the sinks deliver what they hold for up to `grace`; what is
    /// still undelivered then is counted as dropped (`reason="shutdown"`).
    pub async fn shutdown(self, grace: Duration) {
        for r in &self.running {
            r.queue.close();
        }
        let deadline = tokio::time::Instant::now() + grace;
        for mut r in self.running {
            if tokio::time::timeout_at(deadline, &mut r.task)
                .await
                .is_err()
            {
                r.task.abort();
                let lost = r.queue.abandon();
                r.metrics.dropped(SinkDropReason::Shutdown, lost as u64);
                if lost > 0 {
                    tracing::warn!(lost, "alert sink still had undelivered alerts at shutdown");
                }
            }
        }
    }
}

/// The pipeline's handle: fans each alert out to every sink's queue without blocking.
#[derive(Clone, Default)]
pub struct AlertSender {
    queues: Arc<RwLock<Vec<Arc<SinkQueue>>>>,
}

impl AlertSender {
    /// A sender feeding these queues.
    pub fn new(queues: Vec<Arc<SinkQueue>>) -> AlertSender {
        AlertSender {
            queues: Arc::new(RwLock::new(queues)),
        }
    }

    /// Queues an alert on every sink.
    pub fn send(&self, alert: Alert) {
        let alert = Arc::new(alert);
        let queues = self
            .queues
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for queue in queues.iter() {
            queue.push(alert.clone());
        }
    }

    /// Points the sender at new sinks (after a reload).
    pub fn replace(&self, queues: Vec<Arc<SinkQueue>>) {
        *self
            .queues
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = queues;
    }
}

#[cfg(test)]
pub mod tests;
