//! Test helpers shared by the unit tests: free ports, child processes stopped by PID on drop,
//! promtool, a real Alertmanager on loopback, and a tiny exposition parser.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free TCP port on 127.0.0.1 (bound, then released for the caller to bind).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local addr").port()
}

/// A child process that is killed (SIGKILL, by its PID) and reaped when dropped.
pub struct ProcessGuard {
    /// The child.
    pub child: Child,
}

impl ProcessGuard {
    /// Stops the child now (SIGTERM by PID, then SIGKILL after 5 s) and reaps it.
    pub fn stop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ProcessGuard {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Runs `promtool check metrics` on an exposition; returns its exit code and output.
pub fn promtool_check_metrics(body: &str) -> (i32, String) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool runs (Debian package `prometheus`; `make deps` installs it)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(body.as_bytes())
        .expect("write to promtool");
    let out = child.wait_with_output().expect("promtool finishes");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// The value of one series (exact name and label text as rendered) in an exposition.
pub fn sample(body: &str, series: &str) -> Option<f64> {
    body.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        l.strip_prefix(series)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

/// Minimal HTTP/1.1 request on a fresh connection; returns (status, body).
pub fn http_request(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let request = format!(
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// A real Alertmanager (Debian `prometheus-alertmanager`) on 127.0.0.1 with a temp storage dir.
pub struct Alertmanager {
    /// Its listen address.
    pub addr: SocketAddr,
    /// The process.
    pub process: ProcessGuard,
    _dir: tempfile::TempDir,
}

impl Alertmanager {
    /// Starts one on `port` and waits until `/-/ready` answers (at most 10 s).
    pub fn start(port: u16) -> Alertmanager {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("am.yml");
        std::fs::write(
            &config,
            "route: {receiver: sink, group_wait: 1s, group_interval: 1s, repeat_interval: 1h}\nreceivers:\n  - name: sink\n",
        )
        .expect("write config");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
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
            process: ProcessGuard { child },
            _dir: dir,
        };
        am.wait_ready();
        am
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if TcpStream::connect(self.addr).is_ok()
                && http_request(self.addr, "GET", "/-/ready", "").0 == 200
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("alertmanager on {} not ready within 10 s", self.addr);
    }

    /// The alerts it holds (`GET /api/v2/alerts`), as JSON.
    pub fn alerts(&self) -> serde_json::Value {
        let (status, body) = http_request(self.addr, "GET", "/api/v2/alerts", "");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).expect("alerts JSON")
    }
}

/// An Ethernet/IPv4/UDP frame from `src` to `dst` (last octets of 10.20.0.x) with a payload.
pub fn udp_frame(src: u8, dst: u8, payload_len: usize) -> Vec<u8> {
    let builder =
        etherparse::PacketBuilder::ethernet2([0, 9, 0xfb, 0, 0, src], [0, 9, 0xfb, 0, 0, dst])
            .ipv4([10, 20, 0, src], [10, 20, 0, dst], 64)
            .udp(40000 + u16::from(src), 5000);
    let payload = vec![0x5a; payload_len];
    let mut out = Vec::with_capacity(builder.size(payload.len()));
    builder.write(&mut out, &payload).expect("build frame");
    out
}

/// Writes an Ethernet pcap file with `(packet time in µs, frame)` records.
pub fn write_pcap(path: &Path, packets: &[(u64, Vec<u8>)]) {
    let dead = pcap::Capture::dead(pcap::Linktype::ETHERNET).expect("dead capture");
    let mut file = dead.savefile(path).expect("create pcap");
    for (micros, frame) in packets {
        let header = pcap::PacketHeader {
            ts: libc::timeval {
                tv_sec: (*micros / 1_000_000) as libc::time_t,
                tv_usec: (*micros % 1_000_000) as libc::suseconds_t,
            },
            caplen: frame.len() as u32,
            len: frame.len() as u32,
        };
        file.write(&pcap::Packet::new(&header, frame));
    }
    file.flush().expect("flush pcap");
}
