//! A real Alertmanager (Debian `prometheus-alertmanager`) on 127.0.0.1, a free port and a temp
//! storage directory, with gossip clustering off; stopped by PID when dropped.

use super::process::{ProcessGuard, free_port, http_get, wait_until_ready};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A running Alertmanager.
pub struct Alertmanager {
    /// Its address.
    pub addr: SocketAddr,
    _process: ProcessGuard,
    _dir: tempfile::TempDir,
}

impl Alertmanager {
    /// Starts one and waits until `/-/ready` answers (at most 10 s).
    pub fn start() -> Alertmanager {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("am.yml");
        std::fs::write(
            &config,
            "route: {receiver: sink, group_wait: 1s, group_interval: 1s, repeat_interval: 1h}\nreceivers:\n  - name: sink\n",
        )
        .expect("write alertmanager.yml");
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let child = Command::new("prometheus-alertmanager")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus-alertmanager runs (Debian package; `make deps` installs it)");
        let am = Alertmanager {
            addr,
            _process: ProcessGuard::new(child),
            _dir: dir,
        };
        wait_until_ready(addr, "alertmanager");
        am
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The alerts it holds (`GET /api/v2/alerts`).
    pub fn alerts(&self) -> Vec<serde_json::Value> {
        let (status, body) = http_get(self.addr, "/api/v2/alerts").expect("query alertmanager");
        assert_eq!(status, 200, "{body}");
        match serde_json::from_str(&body).expect("alerts JSON") {
            serde_json::Value::Array(alerts) => alerts,
            other => panic!("not a list: {other}"),
        }
    }

    /// Polls until an alert whose labels include every `(name, value)` arrives (at most `limit`).
    pub fn wait_for(&self, labels: &[(&str, &str)], limit: Duration) -> serde_json::Value {
        let deadline = Instant::now() + limit;
        loop {
            let alerts = self.alerts();
            if let Some(found) = alerts.iter().find(|a| {
                labels
                    .iter()
                    .all(|(k, v)| a["labels"][*k].as_str() == Some(*v))
            }) {
                return found.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no alert with {labels:?} within {limit:?}; alertmanager holds {alerts:#?}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}
