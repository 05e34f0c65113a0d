//! JSON-lines sink: one alert per line, the serde form of [`wardwatch_baseline::Alert`] (the
//! stable schema documented in `docs/operations.md`), to a file (appended) or standard output.

use super::SinkContext;
use super::backoff::Backoff;
use crate::config::AlertFile;
use std::time::Duration;
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// Most alerts written per flush.
const BATCH: usize = 256;

/// Opens the destination (a file is created if missing and appended to).
pub async fn open(file: &AlertFile) -> std::io::Result<Box<dyn AsyncWrite + Send + Unpin>> {
    Ok(match file {
        AlertFile::Stdout => Box::new(tokio::io::stdout()),
        AlertFile::Path(path) => Box::new(
            tokio::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .await?,
        ),
    })
}

/// Encodes alerts as JSON lines.
pub fn encode(alerts: &[std::sync::Arc<wardwatch_baseline::Alert>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(alerts.len() * 512);
    for alert in alerts {
        // Serializing our own plain data cannot fail; a failure would be a bug worth a line.
        match serde_json::to_writer(&mut out, alert.as_ref()) {
            Ok(()) => out.push(b'\n'),
            Err(err) => tracing::error!(error = %err, "alert did not serialize"),
        }
    }
    out
}

/// Writes batches until the queue is closed and empty. A failed write is retried with backoff
/// while new alerts wait in the bounded queue.
pub async fn run(ctx: SinkContext, mut out: Box<dyn AsyncWrite + Send + Unpin>) {
    while let Some(batch) = ctx.queue.pop_batch(BATCH).await {
        let bytes = encode(&batch);
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
        loop {
            let written = async {
                out.write_all(&bytes).await?;
                out.flush().await
            }
            .await;
            match written {
                Ok(()) => {
                    ctx.metrics.deliveries.inc_by(batch.len() as u64);
                    break;
                }
                Err(err) => {
                    ctx.metrics.failures.inc();
                    ctx.log_failure(&err.to_string());
                    tokio::time::sleep(backoff.next_delay()).await;
                }
            }
        }
        ctx.queue.done();
    }
}
