//! A real Prometheus (Debian package) on 127.0.0.1 scraping a target every second, and
//! `promtool check metrics`.

use super::process::{ProcessGuard, free_port, http_get, wait_until_ready};
use std::io::Write;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A running Prometheus with its temp directory.
pub struct Prometheus {
    /// Its address.
    pub addr: SocketAddr,
    _process: ProcessGuard,
    _dir: tempfile::TempDir,
}

impl Prometheus {
    /// Starts one scraping `target` every second; waits until it is ready (at most 10 s).
    pub fn start(target: SocketAddr) -> Prometheus {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global: {{scrape_interval: 1s, evaluation_interval: 1s}}\nscrape_configs:\n  - job_name: wardwatch\n    static_configs: [{{targets: ['{target}']}}]\n"
            ),
        )
        .expect("write prometheus.yml");
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            .arg("--storage.tsdb.retention.time=1h")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus runs (Debian package `prometheus`; `make deps` installs it)");
        let prometheus = Prometheus {
            addr,
            _process: ProcessGuard::new(child),
            _dir: dir,
        };
        wait_until_ready(addr, "prometheus");
        prometheus
    }

    /// Runs an instant query; returns the parsed JSON answer.
    pub fn query(&self, promql: &str) -> serde_json::Value {
        let path = format!("/api/v1/query?query={}", percent_encode(promql));
        let (status, body) = http_get(self.addr, &path).expect("query prometheus");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).expect("query JSON")
    }

    /// Polls `promql` until it returns a sample (at most `limit`); returns that sample's value.
    pub fn wait_for_value(&self, promql: &str, limit: Duration) -> f64 {
        let deadline = Instant::now() + limit;
        loop {
            let answer = self.query(promql);
            let value = answer["data"]["result"][0]["value"][1]
                .as_str()
                .and_then(|v| v.parse().ok());
            if let Some(value) = value {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "no sample for {promql} within {limit:?}: {answer}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `promtool check metrics` on an exposition: exit code and output.
pub fn promtool_check_metrics(body: &str) -> (i32, String) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool runs (Debian package `prometheus`)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(body.as_bytes())
        .expect("feed promtool");
    let out = child.wait_with_output().expect("promtool finishes");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}
