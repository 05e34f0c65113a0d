//! Endpoint tests against a real server on 127.0.0.1 with blocking clients.

use super::*;
use crate::testutil::{http_request, sample};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

struct Running {
    runtime: tokio::runtime::Runtime,
    addr: SocketAddr,
    metrics: Arc<Metrics>,
    ready: Readiness,
    in_flight: Arc<Semaphore>,
    stop: watch::Sender<bool>,
}

fn start(max_in_flight: usize, max_connections: usize, header_timeout: Duration) -> Running {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let settings = HttpSettings {
        listen: "127.0.0.1:0".parse().unwrap(),
        max_in_flight,
        max_connections,
        header_read_timeout: header_timeout,
    };
    let server = runtime.block_on(HttpServer::bind(settings)).unwrap();
    let addr = server.local_addr().unwrap();
    let in_flight = server.in_flight();
    let metrics = Arc::new(Metrics::new(16).unwrap());
    let ready = Readiness::default();
    let (stop, stopped) = watch::channel(false);
    runtime.spawn(server.serve(metrics.clone(), ready.clone(), stopped));
    Running {
        runtime,
        addr,
        metrics,
        ready,
        in_flight,
        stop,
    }
}

fn raw_response(addr: SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn endpoints_answer_with_their_status() {
    let s = start(4, 16, Duration::from_secs(5));
    assert_eq!(
        http_request(s.addr, "GET", "/healthz", ""),
        (200, "ok\n".into())
    );
    assert_eq!(
        http_request(s.addr, "GET", "/readyz", ""),
        (503, "not ready\n".into())
    );
    s.ready.set(true);
    assert_eq!(
        http_request(s.addr, "GET", "/readyz", ""),
        (200, "ready\n".into())
    );
    assert_eq!(http_request(s.addr, "GET", "/admin", "").0, 404);
    assert_eq!(http_request(s.addr, "POST", "/metrics", "x").0, 405);
    let response = raw_response(
        s.addr,
        "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.contains("content-type: text/plain; version=0.0.4\r\n"),
        "{response}"
    );
    assert!(response.contains("x-content-type-options: nosniff\r\n"));
    assert!(response.contains("# TYPE wardwatch_packets_received_total counter"));
    let body = String::from_utf8(s.metrics.render().unwrap()).unwrap();
    assert_eq!(
        sample(
            &body,
            r#"wardwatch_http_requests_total{code="200",handler="healthz"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &body,
            r#"wardwatch_http_requests_total{code="503",handler="readyz"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &body,
            r#"wardwatch_http_requests_total{code="404",handler="not_found"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &body,
            r#"wardwatch_http_requests_total{code="405",handler="metrics"}"#
        ),
        Some(1.0)
    );
    let _ = s.stop.send(true);
    drop(s.runtime);
}

#[test]
fn scrapes_beyond_the_in_flight_cap_get_503() {
    let s = start(3, 64, Duration::from_secs(5));
    // Three scrapes in progress (their permits held), so the fourth concurrent one is refused.
    let held = s
        .runtime
        .block_on(s.in_flight.clone().acquire_many_owned(3))
        .unwrap();
    let refused: Vec<_> = (0..5)
        .map(|_| std::thread::spawn(move || http_request(s.addr, "GET", "/metrics", "")))
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    for (status, body) in &refused {
        assert_eq!(
            (*status, body.as_str()),
            (503, "too many concurrent scrapes\n")
        );
    }
    assert_eq!(
        http_request(s.addr, "GET", "/healthz", "").0,
        200,
        "other endpoints are not capped"
    );
    drop(held);
    assert_eq!(http_request(s.addr, "GET", "/metrics", "").0, 200);
    let body = String::from_utf8(s.metrics.render().unwrap()).unwrap();
    assert_eq!(
        sample(
            &body,
            r#"wardwatch_http_requests_total{code="503",handler="metrics"}"#
        ),
        Some(5.0)
    );
    assert_eq!(
        sample(
            &body,
            r#"wardwatch_http_requests_total{code="200",handler="metrics"}"#
        ),
        Some(1.0)
    );
}

#[test]
fn many_concurrent_scrapes_each_get_200_or_503() {
    let s = start(2, 256, Duration::from_secs(5));
    let handles: Vec<_> = (0..64)
        .map(|_| std::thread::spawn(move || http_request(s.addr, "GET", "/metrics", "")))
        .collect();
    let mut ok = 0;
    for h in handles {
        let (status, body) = h.join().unwrap();
        match status {
            200 => {
                assert!(body.contains("wardwatch_build_info"));
                ok += 1;
            }
            503 => assert_eq!(body, "too many concurrent scrapes\n"),
            other => panic!("status {other}"),
        }
    }
    let body = String::from_utf8(s.metrics.render().unwrap()).unwrap();
    let served = sample(
        &body,
        r#"wardwatch_http_requests_total{code="200",handler="metrics"}"#,
    )
    .unwrap_or(0.0);
    let refused = sample(
        &body,
        r#"wardwatch_http_requests_total{code="503",handler="metrics"}"#,
    )
    .unwrap_or(0.0);
    assert_eq!(served, f64::from(ok));
    assert_eq!(served + refused, 64.0);
}

#[test]
fn a_client_that_never_sends_headers_is_closed_after_the_timeout() {
    let s = start(4, 16, Duration::from_secs(1));
    let mut silent = TcpStream::connect(s.addr).unwrap();
    let mut partial = TcpStream::connect(s.addr).unwrap();
    partial
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    for stream in [&mut silent, &mut partial] {
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
    }
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let n = silent.read(&mut buf).unwrap_or(0);
    let waited = started.elapsed();
    assert_eq!(n, 0, "the server closed the silent connection");
    assert!(
        waited >= Duration::from_millis(900),
        "closed too early: {waited:?}"
    );
    assert!(
        waited < Duration::from_secs(8),
        "not closed by the 1 s timeout: {waited:?}"
    );
    let n = partial.read(&mut buf).unwrap_or(0);
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(n == 0 || text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(8));
}

#[test]
fn connections_beyond_the_cap_are_closed_at_once() {
    let s = start(4, 2, Duration::from_secs(30));
    let idle: Vec<_> = (0..2)
        .map(|_| TcpStream::connect(s.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut third = TcpStream::connect(s.addr).unwrap();
    third
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 16];
    let n = third.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "closed at once, not by a timeout"
    );
    let body = String::from_utf8(s.metrics.render().unwrap()).unwrap();
    assert_eq!(
        sample(&body, "wardwatch_http_connections_rejected_total"),
        Some(1.0)
    );
    drop(idle);
}
