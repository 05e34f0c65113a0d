//! A network namespace joined to the host by a veth pair, for live-capture tests. Names are
//! unique per run; everything is removed when the guard drops.

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// The namespace `ns`, its interface `peer` (10.99.`net`.1/24) and the host-side `host`
/// interface the sensor captures on (no addresses, IPv6 disabled: it has no reason to send).
pub struct VethPair {
    /// Namespace name.
    pub ns: String,
    /// Host-side interface (the sensor's).
    pub host: String,
    /// Namespace-side interface.
    pub peer: String,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl VethPair {
    /// Creates the namespace and the pair; `Err` says why (no root, no namespaces, ...).
    pub fn create() -> Result<VethPair, String> {
        static N: AtomicU32 = AtomicU32::new(0);
        let id = format!(
            "{}{}",
            std::process::id() % 100_000,
            N.fetch_add(1, Ordering::Relaxed)
        );
        let pair = VethPair {
            ns: format!("wwns{id}"),
            host: format!("wwh{id}"),
            peer: format!("wwp{id}"),
        };
        ip(&["netns", "add", &pair.ns])?;
        // From here on, Drop cleans up whatever was created.
        ip(&[
            "link", "add", &pair.host, "type", "veth", "peer", "name", &pair.peer,
        ])?;
        ip(&["link", "set", &pair.peer, "netns", &pair.ns])?;
        std::fs::write(
            format!("/proc/sys/net/ipv6/conf/{}/disable_ipv6", pair.host),
            "1",
        )
        .map_err(|e| format!("disable IPv6 on {}: {e}", pair.host))?;
        ip(&["link", "set", &pair.host, "up"])?;
        ip(&[
            "-n",
            &pair.ns,
            "addr",
            "add",
            "10.99.0.1/24",
            "dev",
            &pair.peer,
        ])?;
        ip(&["-n", &pair.ns, "link", "set", &pair.peer, "up"])?;
        ip(&["-n", &pair.ns, "link", "set", "lo", "up"])?;
        // 10.99.0.2 resolves to a MAC nobody owns: frames go out and are never answered,
        // and the host kernel drops them (not its MAC), so nothing is forwarded anywhere.
        ip(&[
            "-n",
            &pair.ns,
            "neigh",
            "add",
            "10.99.0.2",
            "lladdr",
            "02:00:5e:00:99:02",
            "dev",
            &pair.peer,
        ])?;
        Ok(pair)
    }

    /// The host interface's transmit counter.
    pub fn host_tx_packets(&self) -> u64 {
        std::fs::read_to_string(format!(
            "/sys/class/net/{}/statistics/tx_packets",
            self.host
        ))
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .expect("tx_packets readable")
    }

    /// Sends `count` UDP datagrams from inside the namespace to 10.99.0.2:`port`.
    pub fn send_udp_from_namespace(&self, count: u32, port: u16) -> Result<(), String> {
        let ns_path = format!("/var/run/netns/{}", self.ns);
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let ns =
                        std::fs::File::open(&ns_path).map_err(|e| format!("{ns_path}: {e}"))?;
                    // setns switches only this thread's network namespace.
                    nix::sched::setns(&ns, nix::sched::CloneFlags::CLONE_NEWNET)
                        .map_err(|e| format!("setns: {e}"))?;
                    let socket =
                        std::net::UdpSocket::bind("10.99.0.1:0").map_err(|e| e.to_string())?;
                    for i in 0..count {
                        socket
                            .send_to(format!("ward {i}").as_bytes(), ("10.99.0.2", port))
                            .map_err(|e| e.to_string())?;
                    }
                    Ok(())
                })
                .join()
                .map_err(|_| "sender thread panicked".to_owned())?
        })
    }
}

impl Drop for VethPair {
    fn drop(&mut self) {
        let _ = ip(&["link", "del", &self.host]);
        let _ = ip(&["netns", "del", &self.ns]);
    }
}
