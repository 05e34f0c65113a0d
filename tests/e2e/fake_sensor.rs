//! A stand-in for the pipeline's families: a tiny HTTP server that answers `/metrics` with the
//! real daemon's exposition in which synthetic series (devices, per-device, advisories and
//! risk, windows, scores, alerts, maturity) replace the daemon's own for those families, so
//! every panel can be exercised with known values (including the risk families the inventory
//! fills). Counters grow with every scrape so rates and increases have data. Its series follow
//! `docs/metrics.md` (checked in `dashboards.rs`).

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;
use wardwatch_e2e::process::http_get;

/// The model and devices of the synthetic series.
pub const MODEL: &str = "bd-alaris-pcu-8015";
const DEVICES: [(&str, &str, f64, u32, f64, u8, f64); 2] = [
    // device, version, score, advisories, highest CVSS, known exploited, risk
    ("d0f996ee6ebe6", "12.1.3", 0.4, 2, 9.8, 0, 7.8),
    ("d1a2b3c4d5e6f", "9.19.2", 1.7, 1, 6.5, 1, 5.2),
];

/// Synthetic families, in exposition order, after `n` scrapes.
pub fn synthetic(n: u64) -> String {
    let mut out = String::new();
    let mut family = |name: &str, kind: &str, lines: Vec<String>| {
        out.push_str(&format!(
            "# HELP {name} Synthetic series for the dashboard tests.\n# TYPE {name} {kind}\n"
        ));
        for line in lines {
            out.push_str(&format!("{name}{line}\n"));
        }
    };
    family(
        "wardwatch_devices",
        "gauge",
        vec![
            format!(r#"{{class="infusion_pump",model="{MODEL}",state="established"}} 2"#),
            r#"{class="unknown",model="unknown",state="established"} 1"#.into(),
            r#"{class="unknown",model="unknown",state="tentative"} 4"#.into(),
        ],
    );
    let per_device = |value: &dyn Fn(usize) -> String| -> Vec<String> {
        DEVICES
            .iter()
            .enumerate()
            .map(|(i, d)| format!(r#"{{device="{}"}} {}"#, d.0, value(i)))
            .collect()
    };
    family("wardwatch_device_info", "gauge", DEVICES.iter().map(|d| format!(
        r#"{{class="infusion_pump",device="{}",model="{MODEL}",vendor="BD (CareFusion)",version="{}"}} 1"#, d.0, d.1)).collect());
    family(
        "wardwatch_device_anomaly_score",
        "gauge",
        per_device(&|i| DEVICES[i].2.to_string()),
    );
    family(
        "wardwatch_device_advisories",
        "gauge",
        per_device(&|i| DEVICES[i].3.to_string()),
    );
    family(
        "wardwatch_device_highest_cvss_score",
        "gauge",
        per_device(&|i| DEVICES[i].4.to_string()),
    );
    family(
        "wardwatch_device_known_exploited",
        "gauge",
        per_device(&|i| DEVICES[i].5.to_string()),
    );
    family(
        "wardwatch_device_risk_score",
        "gauge",
        per_device(&|i| DEVICES[i].6.to_string()),
    );
    family(
        "wardwatch_device_alerts_total",
        "counter",
        DEVICES
            .iter()
            .map(|d| format!(r#"{{device="{}",severity="high"}} {n}"#, d.0))
            .collect(),
    );
    family(
        "wardwatch_windows_scored_total",
        "counter",
        vec![format!(r#"{{model="{MODEL}"}} {}"#, 10 * n)],
    );
    let buckets = [
        ("0.1", 2),
        ("0.25", 4),
        ("0.5", 6),
        ("0.75", 7),
        ("0.9", 8),
        ("1", 9),
        ("1.5", 10),
        ("2", 10),
        ("3", 10),
        ("5", 10),
        ("10", 10),
        ("+Inf", 10),
    ];
    let mut histogram: Vec<String> = buckets
        .iter()
        .map(|(le, count)| format!(r#"_bucket{{model="{MODEL}",le="{le}"}} {}"#, count * n))
        .collect();
    histogram.push(format!(r#"_sum{{model="{MODEL}"}} {}"#, 6 * n));
    histogram.push(format!(r#"_count{{model="{MODEL}"}} {}"#, 10 * n));
    family("wardwatch_window_anomaly_score", "histogram", histogram);
    family(
        "wardwatch_alerts_total",
        "counter",
        vec![
            format!(r#"{{kind="lateral_movement",model="{MODEL}",severity="high"}} {n}"#),
            format!(r#"{{kind="new_device",model="{MODEL}",severity="info"}} {n}"#),
            format!(
                r#"{{kind="port_scan",model="unknown",severity="medium"}} {}"#,
                2 * n
            ),
        ],
    );
    family(
        "wardwatch_model_feature_drift",
        "gauge",
        vec![
            format!(r#"{{feature="admin_smb",model="{MODEL}"}} 0.4"#),
            format!(r#"{{feature="new_peers",model="{MODEL}"}} 1.2"#),
        ],
    );
    family(
        "wardwatch_baseline_maturity_ratio",
        "gauge",
        vec![format!(r#"{{model="{MODEL}"}} 0.8"#)],
    );
    family(
        "wardwatch_model_set_trained_timestamp_seconds",
        "gauge",
        vec![r#"{version="synthetic"} 1767000000"#.into()],
    );
    out
}

/// Families (`# TYPE` names) of a text exposition (the stand-in's or a real scrape).
pub fn families(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split(' ').next())
        .map(str::to_owned)
        .collect()
}

/// The running stand-in; stopped and joined when dropped.
pub struct FakeSensor {
    /// Where it serves `/metrics`.
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeSensor {
    /// Serves the daemon at `daemon`'s exposition with the synthetic families in place of its own.
    pub fn start(daemon: SocketAddr) -> FakeSensor {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let stop = Arc::new(AtomicBool::new(false));
        let scrapes = AtomicU64::new(0);
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        serve(stream, daemon, scrapes.fetch_add(1, Ordering::Relaxed) + 1)
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        FakeSensor {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

fn serve(mut stream: TcpStream, daemon: SocketAddr, n: u64) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(read) => request.extend_from_slice(&buf[..read]),
        }
    }
    let daemon_body = match http_get(daemon, "/metrics") {
        Some((200, body)) => body,
        _ => String::new(),
    };
    let extra = synthetic(n);
    let simulated = families(&extra);
    // The daemon's families, except those simulated (which replace them, so the simulated
    // devices, models and scores stay consistent across families); both texts are grouped by
    // family, each block starting with its HELP line.
    let mut body = String::new();
    for block in daemon_body.split("# HELP ").filter(|b| !b.is_empty()) {
        let name = block.split(' ').next().unwrap_or_default();
        if !simulated.contains(name) {
            body.push_str("# HELP ");
            body.push_str(block);
        }
    }
    body.push_str(&extra);
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

impl Drop for FakeSensor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
