//! Alertmanager v2 sink: `POST <url>/api/v2/alerts` with a JSON array of alerts.
//!
//! Labels (identify and route an alert): `alertname` = `Wardwatch` + the kind in CamelCase
//! (e.g. `WardwatchLateralMovement`), `kind`, `severity`, `model` (catalog id or `unknown`),
//! `device` (the device key: MAC, or IP for hosts behind a router), `source="wardwatch"`.
//! Annotations (describe it): `summary`, `description` (the explanation), `device_mac`,
//! `device_ip`, `metrics_device` (the short id used by per-device metric series), `peers`,
//! `features`, `evidence`. `startsAt` is the packet time of the evidence; `endsAt` is left
//! out, so Alertmanager resolves the alert after its `resolve_timeout` (default 5 minutes).
//!
//! Delivery: a failed POST (connection error, timeout, 5xx, 429) is retried with exponential
//! backoff while new alerts wait in the bounded queue (oldest dropped and counted); a 4xx is a
//! permanent refusal: the batch is dropped and counted as `rejected`.

use super::SinkContext;
use super::backoff::Backoff;
use crate::config::HttpUrl;
use crate::metrics::device_label;
use crate::metrics::labels::SinkDropReason;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Duration;
use wardwatch_baseline::Alert;

/// Longest annotation value sent.
const MAX_ANNOTATION: usize = 1024;
/// Most response-body bytes read (for the error message).
const MAX_RESPONSE: usize = 16 * 1024;

/// Settings of one Alertmanager target.
#[derive(Clone, Debug)]
pub struct Target {
    /// Base URL.
    pub url: HttpUrl,
    /// Timeout of one POST (connect + request + response).
    pub timeout: Duration,
    /// First retry delay.
    pub initial_backoff: Duration,
    /// Longest retry delay.
    pub max_backoff: Duration,
    /// Most alerts per POST.
    pub batch_size: usize,
    /// `generatorURL`, if configured.
    pub generator_url: Option<String>,
}

/// `lateral_movement` → `WardwatchLateralMovement`.
pub fn alertname(kind: &str) -> String {
    let mut name = String::from("Wardwatch");
    for word in kind.split('_') {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.push_str(chars.as_str());
        }
    }
    name
}

fn clip(text: &str) -> String {
    text.chars().take(MAX_ANNOTATION).collect()
}

/// The Alertmanager v2 representation of one alert.
pub fn to_alertmanager(alert: &Alert, generator_url: Option<&str>) -> Value {
    let device = &alert.device;
    let model = device.model.as_ref().map_or("unknown", |m| m.as_str());
    let mut labels = Map::new();
    labels.insert("alertname".into(), alertname(alert.kind.name()).into());
    labels.insert("kind".into(), alert.kind.name().into());
    labels.insert("severity".into(), alert.severity.name().into());
    labels.insert("model".into(), clip(model).into());
    labels.insert("device".into(), device.id.to_string().into());
    labels.insert("source".into(), "wardwatch".into());
    let mut annotations = Map::new();
    let summary = format!(
        "{} by {} ({model})",
        alert.kind.name().replace('_', " "),
        device.id
    );
    annotations.insert("summary".into(), clip(&summary).into());
    annotations.insert("description".into(), clip(&alert.explanation).into());
    annotations.insert("metrics_device".into(), device_label(&device.id).into());
    if let Some(mac) = device.mac {
        annotations.insert("device_mac".into(), mac.to_string().into());
    }
    if let Some(ip) = device.ip {
        annotations.insert("device_ip".into(), ip.to_string().into());
    }
    if !alert.peers.is_empty() {
        let peers: Vec<String> = alert
            .peers
            .iter()
            .map(|p| match p.port {
                Some(port) if p.ip.is_ipv6() => format!("[{}]:{port}", p.ip),
                Some(port) => format!("{}:{port}", p.ip),
                None => p.ip.to_string(),
            })
            .collect();
        let text = format!("{} ({} in all)", peers.join(", "), alert.peers_total);
        annotations.insert("peers".into(), clip(&text).into());
    }
    if !alert.features.is_empty() {
        let features: Vec<String> = alert
            .features
            .iter()
            .map(|f| format!("{}={} (normal {}, z={:.1})", f.name, f.value, f.normal, f.z))
            .collect();
        annotations.insert("features".into(), clip(&features.join("; ")).into());
    }
    if !alert.evidence.is_empty() {
        let evidence: Vec<String> = alert
            .evidence
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        annotations.insert("evidence".into(), clip(&evidence.join("; ")).into());
    }
    let mut out = json!({
        "labels": labels,
        "annotations": annotations,
        "startsAt": alert.ts.to_rfc3339(),
    });
    if let (Some(url), Some(obj)) = (generator_url, out.as_object_mut()) {
        obj.insert("generatorURL".into(), url.into());
    }
    out
}

/// What one POST attempt gave.
enum Attempt {
    Delivered,
    Retry(String),
    Rejected(String),
}

async fn post(target: &Target, body: Bytes) -> Attempt {
    match tokio::time::timeout(target.timeout, post_inner(target, body)).await {
        Ok(Ok((status, _))) if status.is_success() => Attempt::Delivered,
        Ok(Ok((status, text)))
            if status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS =>
        {
            Attempt::Rejected(format!("HTTP {status}: {}", text.trim()))
        }
        Ok(Ok((status, text))) => Attempt::Retry(format!("HTTP {status}: {}", text.trim())),
        Ok(Err(err)) => Attempt::Retry(err),
        Err(_) => Attempt::Retry(format!("no answer within {:?}", target.timeout)),
    }
}

async fn post_inner(target: &Target, body: Bytes) -> Result<(StatusCode, String), String> {
    let url = &target.url;
    let stream = tokio::net::TcpStream::connect(url.authority.as_str())
        .await
        .map_err(|e| format!("connect {}: {e}", url.authority))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let driver = tokio::spawn(conn);
    let request = Request::post(format!("{}/api/v2/alerts", url.path_prefix))
        .header(HOST, url.authority.as_str())
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(body))
        .map_err(|e| format!("request: {e}"))?;
    let result = async {
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("request: {e}"))?;
        let status = response.status();
        let text = match Limited::new(response.into_body(), MAX_RESPONSE)
            .collect()
            .await
        {
            Ok(collected) => String::from_utf8_lossy(&collected.to_bytes()).into_owned(),
            Err(_) => String::new(),
        };
        Ok((status, text.chars().take(200).collect()))
    }
    .await;
    driver.abort();
    result
}

/// Posts batches until the queue is closed and empty (or the task is aborted at shutdown).
pub async fn run(ctx: SinkContext, target: Arc<Target>) {
    while let Some(batch) = ctx.queue.pop_batch(target.batch_size).await {
        let payload: Vec<Value> = batch
            .iter()
            .map(|a| to_alertmanager(a, target.generator_url.as_deref()))
            .collect();
        let body = Bytes::from(serde_json::to_vec(&payload).unwrap_or_default());
        let mut backoff = Backoff::new(target.initial_backoff, target.max_backoff);
        loop {
            match post(&target, body.clone()).await {
                Attempt::Delivered => {
                    ctx.metrics.deliveries.inc_by(batch.len() as u64);
                    break;
                }
                Attempt::Rejected(reason) => {
                    ctx.metrics.failures.inc();
                    ctx.metrics
                        .dropped(SinkDropReason::Rejected, batch.len() as u64);
                    ctx.log_failure(&format!(
                        "{} refused {} alerts: {reason}",
                        target.url,
                        batch.len()
                    ));
                    break;
                }
                Attempt::Retry(reason) => {
                    ctx.metrics.failures.inc();
                    let delay = backoff.next_delay();
                    ctx.log_failure(&format!("{}: {reason}; retrying in {delay:?}", target.url));
                    tokio::time::sleep(delay).await;
                }
            }
        }
        ctx.queue.done();
    }
}
