//! Child processes for end-to-end tests: free ports, a guard that kills by PID on drop, the
//! running `wardwatch run` daemon, and a minimal HTTP client.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A free TCP port on 127.0.0.1 (bound, then released for the caller).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("an ephemeral port")
}

/// A child process killed (SIGKILL, by PID) and reaped when dropped.
pub struct ProcessGuard {
    child: Child,
}

impl ProcessGuard {
    /// Wraps a spawned child.
    pub fn new(child: Child) -> ProcessGuard {
        ProcessGuard { child }
    }

    /// The child's PID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal to the child, by PID.
    pub fn signal(&self, signal: nix::sys::signal::Signal) {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).expect("pid fits"));
        nix::sys::signal::kill(pid, signal).expect("signal the child");
    }

    /// Waits up to `limit` for the child to exit; `None` if it is still running.
    pub fn wait_for(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// True while the child runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
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

/// A `wardwatch run` daemon started by a test; its stderr goes to a file in `dir`.
pub struct Daemon {
    /// The process.
    pub process: ProcessGuard,
    /// The metrics address.
    pub addr: SocketAddr,
    log: PathBuf,
}

impl Daemon {
    /// Starts `wardwatch run --metrics-listen 127.0.0.1:<free port> <args>` in the repository root.
    pub fn start(dir: &Path, args: &[&str]) -> Daemon {
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let log = dir.join(format!("wardwatch-{}.log", addr.port()));
        let stderr = std::fs::File::create(&log).expect("log file");
        let child = Command::new(crate::wardwatch_bin())
            .arg("run")
            .args(["--metrics-listen", &addr.to_string()])
            .args(args)
            .current_dir(crate::repo_root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("wardwatch starts");
        Daemon {
            process: ProcessGuard::new(child),
            addr,
            log,
        }
    }

    /// What the daemon logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log contains `text` (at most `limit`; log lines may land after the
    /// metric that announced the same event); panics with the log otherwise.
    pub fn wait_for_log(&self, text: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.log().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{text:?} not logged within {limit:?}:\n{}", self.log());
    }

    /// Waits until `GET path` answers 200 (at most `limit`); panics with the log otherwise.
    pub fn wait_http_ok(&mut self, path: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if http_get(self.addr, path).is_some_and(|(status, _)| status == 200) {
                return;
            }
            assert!(
                self.process.is_running(),
                "wardwatch exited early:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("GET {path} never answered 200:\n{}", self.log());
    }

    /// The current `/metrics` body.
    pub fn scrape(&self) -> String {
        match http_get(self.addr, "/metrics") {
            Some((200, body)) => body,
            other => panic!("scrape failed: {other:?}\n{}", self.log()),
        }
    }

    /// Polls `/metrics` until `series` has `value` (at most `limit`); returns the last body.
    pub fn wait_for_sample(&mut self, series: &str, value: f64, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let body = self.scrape();
            if sample(&body, series) == Some(value) {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "{series} never reached {value} (last {:?}):\n{body}\n{}",
                sample(&body, series),
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends SIGTERM and returns the exit status and how long the exit took (at most 15 s).
    pub fn terminate(&mut self) -> (ExitStatus, Duration) {
        let started = Instant::now();
        self.process.signal(nix::sys::signal::Signal::SIGTERM);
        let status = self
            .process
            .wait_for(Duration::from_secs(15))
            .unwrap_or_else(|| panic!("no exit within 15 s of SIGTERM:\n{}", self.log()));
        (status, started.elapsed())
    }
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

/// Waits until a server started by a test answers `GET /-/ready` with 200 (Prometheus and
/// Alertmanager both serve it); panics after 10 s naming `what`.
pub fn wait_until_ready(addr: SocketAddr, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while http_get(addr, "/-/ready").is_none_or(|(status, _)| status != 200) {
        assert!(Instant::now() < deadline, "{what} not ready within 10 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `GET path` over HTTP/1.0 on a fresh connection; `None` when the connection fails.
pub fn http_get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let text = String::from_utf8_lossy(&response);
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, body))
}
