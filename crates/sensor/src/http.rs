//! The HTTP endpoint (plain hyper 1): `/metrics` (Prometheus text format), `/healthz` (the
//! process answers), `/readyz` (capture open and models loaded), 404 otherwise.
//!
//! Hardening: a cap on concurrent `/metrics` requests (503 beyond it, as node_exporter's
//! `--web.max-requests`), a header-read timeout (slow or silent clients are closed), a cap on
//! open connections (extra ones are closed at once) and a maximum connection lifetime.

use crate::metrics::labels::HttpHandler;
use crate::metrics::{HttpMetrics, Metrics};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

/// Longest a connection may stay open, whatever it does (keep-alive scrapers reconnect).
const CONNECTION_MAX_LIFETIME: Duration = Duration::from_secs(120);

/// Settings of the endpoint (from `[metrics]`).
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Listen address.
    pub listen: SocketAddr,
    /// Concurrent `/metrics` requests served.
    pub max_in_flight: usize,
    /// Open connections accepted.
    pub max_connections: usize,
    /// Time a client has to send its request headers.
    pub header_read_timeout: Duration,
}

/// The readiness flag behind `/readyz`; the daemon sets it once the capture is open and the
/// models are loaded.
#[derive(Clone, Debug, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    /// Marks the sensor ready or not.
    pub fn set(&self, ready: bool) {
        self.0.store(ready, Ordering::Release);
    }

    /// True when ready.
    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// A bound, not yet serving endpoint.
pub struct HttpServer {
    listener: TcpListener,
    settings: HttpSettings,
    in_flight: Arc<Semaphore>,
}

/// What each request handler needs.
struct Shared {
    metrics: Arc<Metrics>,
    http_metrics: HttpMetrics,
    ready: Readiness,
    in_flight: Arc<Semaphore>,
}

impl HttpServer {
    /// Binds the listen address.
    pub async fn bind(settings: HttpSettings) -> std::io::Result<HttpServer> {
        let listener = TcpListener::bind(settings.listen).await?;
        let in_flight = Arc::new(Semaphore::new(settings.max_in_flight));
        Ok(HttpServer {
            listener,
            settings,
            in_flight,
        })
    }

    /// The address actually bound (the port is real even when 0 was asked for).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The `/metrics` in-flight semaphore (tests hold its permits to simulate slow scrapes).
    #[cfg(test)]
    pub fn in_flight(&self) -> Arc<Semaphore> {
        self.in_flight.clone()
    }

    /// Serves until `shutdown` turns true.
    pub async fn serve(
        self,
        metrics: Arc<Metrics>,
        ready: Readiness,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let shared = Arc::new(Shared {
            http_metrics: metrics.http(),
            metrics,
            ready,
            in_flight: self.in_flight,
        });
        let connections = Arc::new(Semaphore::new(self.settings.max_connections));
        loop {
            let accepted = tokio::select! {
                accepted = self.listener.accept() => accepted,
                _ = shutdown.wait_for(|stop| *stop) => return,
            };
            let (stream, _peer) = match accepted {
                Ok(conn) => conn,
                Err(err) => {
                    // EMFILE and friends: back off briefly instead of spinning.
                    tracing::warn!(error = %err, "metrics endpoint: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let Ok(permit) = connections.clone().try_acquire_owned() else {
                shared.http_metrics.connection_rejected();
                drop(stream);
                continue;
            };
            let shared = shared.clone();
            let timeout = self.settings.header_read_timeout;
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let shared = shared.clone();
                    async move { Ok::<_, std::convert::Infallible>(handle(&shared, &req)) }
                });
                let conn = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(timeout)
                    .serve_connection(TokioIo::new(stream), service);
                let _ = tokio::time::timeout(CONNECTION_MAX_LIFETIME, conn).await;
                drop(permit);
            });
        }
    }
}

fn text_response(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn handle(shared: &Shared, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let handler = match req.uri().path() {
        "/metrics" => HttpHandler::Metrics,
        "/healthz" => HttpHandler::Healthz,
        "/readyz" => HttpHandler::Readyz,
        _ => HttpHandler::NotFound,
    };
    let mut response = if handler == HttpHandler::NotFound {
        text_response(StatusCode::NOT_FOUND, "not found\n")
    } else if req.method() != Method::GET && req.method() != Method::HEAD {
        text_response(StatusCode::METHOD_NOT_ALLOWED, "use GET\n")
    } else {
        match handler {
            HttpHandler::Metrics => metrics_response(shared),
            HttpHandler::Healthz => text_response(StatusCode::OK, "ok\n"),
            HttpHandler::Readyz if shared.ready.is_ready() => {
                text_response(StatusCode::OK, "ready\n")
            }
            HttpHandler::Readyz => text_response(StatusCode::SERVICE_UNAVAILABLE, "not ready\n"),
            HttpHandler::NotFound => text_response(StatusCode::NOT_FOUND, "not found\n"),
        }
    };
    response.headers_mut().insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    shared
        .http_metrics
        .request(handler, response.status().as_u16());
    response
}

fn metrics_response(shared: &Shared) -> Response<Full<Bytes>> {
    let Ok(_permit) = shared.in_flight.try_acquire() else {
        return text_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many concurrent scrapes\n",
        );
    };
    match shared.metrics.render() {
        Ok(body) => {
            let mut response = Response::new(Full::new(Bytes::from(body)));
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static(prometheus::TEXT_FORMAT),
            );
            response
        }
        Err(err) => {
            tracing::error!(error = %err, "rendering metrics failed");
            text_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "rendering metrics failed\n",
            )
        }
    }
}

#[cfg(test)]
mod tests;
