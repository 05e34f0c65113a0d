//! Deterministic ward traffic written by tests: hosts, TCP sessions (completed, refused), UDP,
//! DHCP with a chosen identity, ARP, all at given packet times, into a pcap file.

use std::path::Path;

/// A station: MAC and IPv4 address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Host {
    /// Ethernet address.
    pub mac: [u8; 6],
    /// IPv4 address.
    pub ip: [u8; 4],
}

impl Host {
    /// A ward host 10.20.`a`.`b` with the MAC 00:09:fb:00:`a`:`b` (Philips OUI).
    pub fn ward(a: u8, b: u8) -> Host {
        Host {
            mac: [0x00, 0x09, 0xfb, 0x00, a, b],
            ip: [10, 20, a, b],
        }
    }

    /// The same station seen with another IP (an external host reached through a gateway).
    pub fn via(mac: [u8; 6], ip: [u8; 4]) -> Host {
        Host { mac, ip }
    }

    /// The IP as text.
    pub fn ip_text(&self) -> String {
        let [a, b, c, d] = self.ip;
        format!("{a}.{b}.{c}.{d}")
    }

    /// The MAC as text.
    pub fn mac_text(&self) -> String {
        self.mac
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":")
    }
}

/// Packet time of 2026-01-05T08:00:00Z plus `secs`, in microseconds.
pub fn at(secs: f64) -> u64 {
    1_767_600_000_000_000 + (secs * 1e6).round() as u64
}

/// TCP flags of a segment.
#[derive(Clone, Copy, Default)]
struct Flags {
    syn: bool,
    ack: bool,
    fin: bool,
    rst: bool,
    psh: bool,
}

/// A step of a scripted TCP connection: (from, to, ports), (seq, ack), flags, payload.
type Step<'a> = ((Host, Host, (u16, u16)), (u32, u32), Flags, &'a [u8]);

/// One TCP segment to build.
struct Segment<'a> {
    from: Host,
    to: Host,
    ports: (u16, u16),
    seq: (u32, u32),
    flags: Flags,
    payload: &'a [u8],
}

/// Frames at packet times, written sorted by time (ties keep insertion order).
#[derive(Default)]
pub struct Scene {
    frames: Vec<(u64, Vec<u8>)>,
}

impl Scene {
    /// An empty scene.
    pub fn new() -> Scene {
        Scene::default()
    }

    /// Adds a raw frame at `micros`.
    pub fn frame(&mut self, micros: u64, frame: Vec<u8>) {
        self.frames.push((micros, frame));
    }

    fn tcp(&mut self, t: u64, seg: Segment<'_>) {
        let f = seg.flags;
        let mut b = etherparse::PacketBuilder::ethernet2(seg.from.mac, seg.to.mac)
            .ipv4(seg.from.ip, seg.to.ip, 64)
            .tcp(seg.ports.0, seg.ports.1, seg.seq.0, 64_240);
        if f.syn {
            b = b.syn();
        }
        if f.ack {
            b = b.ack(seg.seq.1);
        }
        if f.fin {
            b = b.fin();
        }
        if f.rst {
            b = b.rst();
        }
        if f.psh {
            b = b.psh();
        }
        let mut frame = Vec::with_capacity(b.size(seg.payload.len()));
        b.write(&mut frame, seg.payload).expect("tcp frame");
        self.frame(t, frame);
    }

    /// A complete TCP connection at `t` (µs): handshake, `bytes` of request and of response,
    /// orderly close; every step 1 ms apart.
    pub fn tcp_session(
        &mut self,
        t: u64,
        client: Host,
        server: Host,
        ports: (u16, u16),
        bytes: usize,
    ) {
        let data = vec![0x42; bytes];
        let n = u32::try_from(bytes).expect("small payload");
        let none = Flags::default();
        let (syn, ack) = (Flags { syn: true, ..none }, Flags { ack: true, ..none });
        let (psh, fin) = (
            Flags {
                ack: true,
                psh: true,
                ..none
            },
            Flags {
                ack: true,
                fin: true,
                ..none
            },
        );
        let out = (client, server, ports);
        let back = (server, client, (ports.1, ports.0));
        let steps: [Step<'_>; 8] = [
            (out, (1000, 0), syn, &[]),
            (
                back,
                (5000, 1001),
                Flags {
                    syn: true,
                    ack: true,
                    ..none
                },
                &[],
            ),
            (out, (1001, 5001), ack, &[]),
            (out, (1001, 5001), psh, &data),
            (back, (5001, 1001 + n), psh, &data),
            (out, (1001 + n, 5001 + n), fin, &[]),
            (back, (5001 + n, 1002 + n), fin, &[]),
            (out, (1002 + n, 5002 + n), ack, &[]),
        ];
        for (i, ((from, to, ports), seq, flags, payload)) in steps.into_iter().enumerate() {
            let seg = Segment {
                from,
                to,
                ports,
                seq,
                flags,
                payload,
            };
            self.tcp(t + i as u64 * 1_000, seg);
        }
    }

    /// A connection attempt the server refuses (SYN, then RST-ACK 1 ms later).
    pub fn tcp_refused(&mut self, t: u64, client: Host, server: Host, ports: (u16, u16)) {
        let none = Flags::default();
        let syn = Segment {
            from: client,
            to: server,
            ports,
            seq: (1000, 0),
            flags: Flags { syn: true, ..none },
            payload: &[],
        };
        self.tcp(t, syn);
        let rst = Flags {
            rst: true,
            ack: true,
            ..none
        };
        let reply = Segment {
            from: server,
            to: client,
            ports: (ports.1, ports.0),
            seq: (0, 1001),
            flags: rst,
            payload: &[],
        };
        self.tcp(t + 1_000, reply);
    }

    /// One UDP datagram.
    pub fn udp(&mut self, t: u64, from: Host, to: Host, ports: (u16, u16), payload: &[u8]) {
        let b = etherparse::PacketBuilder::ethernet2(from.mac, to.mac)
            .ipv4(from.ip, to.ip, 64)
            .udp(ports.0, ports.1);
        let mut frame = Vec::with_capacity(b.size(payload.len()));
        b.write(&mut frame, payload).expect("udp frame");
        self.frame(t, frame);
    }

    /// An ARP reply (`operation` 2) or request (1) from `sender`.
    pub fn arp(&mut self, t: u64, operation: u16, sender: Host, target: Host) {
        let mut frame = Vec::with_capacity(42);
        let dst = if operation == 1 {
            [0xff; 6]
        } else {
            target.mac
        };
        frame.extend_from_slice(&dst);
        frame.extend_from_slice(&sender.mac);
        frame.extend_from_slice(&[0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4]);
        frame.extend_from_slice(&operation.to_be_bytes());
        frame.extend_from_slice(&sender.mac);
        frame.extend_from_slice(&sender.ip);
        frame.extend_from_slice(if operation == 1 { &[0; 6] } else { &target.mac });
        frame.extend_from_slice(&target.ip);
        self.frame(t, frame);
    }

    /// A DHCP exchange: the client's REQUEST (broadcast, option 12 host name, option 55
    /// parameter list, option 60 vendor class when given) and the server's ACK leasing
    /// `client.ip` 1 ms later.
    pub fn dhcp(&mut self, t: u64, client: Host, server: Host, identity: &DhcpIdentity) {
        self.dhcp_exchange(t, client, server, identity, false);
    }

    /// A DHCP renewal: the same REQUEST sent unicast from the client's address to the server
    /// (RENEWING state), and the ACK. Unlike boot-time broadcasts, which all share the flow
    /// 0.0.0.0:68 → 255.255.255.255:67, each client's renewal is its own flow.
    pub fn dhcp_renew(&mut self, t: u64, client: Host, server: Host, identity: &DhcpIdentity) {
        self.dhcp_exchange(t, client, server, identity, true);
    }

    fn dhcp_exchange(
        &mut self,
        t: u64,
        client: Host,
        server: Host,
        identity: &DhcpIdentity,
        renew: bool,
    ) {
        let mut options = vec![53, 1, 3];
        push_option(&mut options, 12, identity.hostname.as_bytes());
        if let Some(vc) = &identity.vendor_class {
            push_option(&mut options, 60, vc.as_bytes());
        }
        push_option(&mut options, 55, &identity.params);
        push_option(&mut options, 50, &client.ip);
        options.push(255);
        let request = bootp(1, client.mac, [0; 4], &options);
        if renew {
            self.udp(t, client, server, (68, 67), &request);
        } else {
            let broadcast = Host {
                mac: [0xff; 6],
                ip: [255; 4],
            };
            let anywhere = Host {
                mac: client.mac,
                ip: [0; 4],
            };
            self.udp(t, anywhere, broadcast, (68, 67), &request);
        }
        let mut reply = vec![53, 1, 5];
        push_option(&mut reply, 54, &server.ip);
        push_option(&mut reply, 51, &86_400u32.to_be_bytes());
        push_option(&mut reply, 1, &[255, 255, 0, 0]);
        push_option(&mut reply, 3, &[client.ip[0], client.ip[1], 0, 1]);
        reply.push(255);
        let ack = bootp(2, client.mac, client.ip, &reply);
        self.udp(t + 1_000, server, client, (67, 68), &ack);
    }

    /// Writes the scene as an Ethernet pcap, frames sorted by time.
    pub fn write(&self, path: &Path) {
        let mut frames: Vec<&(u64, Vec<u8>)> = self.frames.iter().collect();
        frames.sort_by_key(|(t, _)| *t);
        let dead = pcap::Capture::dead(pcap::Linktype::ETHERNET).expect("dead capture");
        let mut file = dead.savefile(path).expect("create pcap");
        for (micros, frame) in frames {
            let len = u32::try_from(frame.len()).expect("small frame");
            let header = pcap::PacketHeader {
                ts: libc::timeval {
                    tv_sec: libc::time_t::try_from(micros / 1_000_000).expect("time"),
                    tv_usec: libc::suseconds_t::try_from(micros % 1_000_000).expect("micros"),
                },
                caplen: len,
                len,
            };
            file.write(&pcap::Packet::new(&header, frame));
        }
        file.flush().expect("flush pcap");
    }
}

/// What a DHCP client says about itself.
#[derive(Clone, Debug)]
pub struct DhcpIdentity {
    /// Option 12.
    pub hostname: String,
    /// Option 60, if any.
    pub vendor_class: Option<String>,
    /// Option 55, in order.
    pub params: Vec<u8>,
}

fn push_option(out: &mut Vec<u8>, code: u8, value: &[u8]) {
    out.push(code);
    out.push(u8::try_from(value.len()).expect("short option"));
    out.extend_from_slice(value);
}

/// A BOOTP message (`op` 1 request, 2 reply) with DHCP options.
fn bootp(op: u8, chaddr: [u8; 6], yiaddr: [u8; 4], options: &[u8]) -> Vec<u8> {
    let mut m = vec![op, 1, 6, 0];
    m.extend_from_slice(&0x3903_f326u32.to_be_bytes());
    m.extend_from_slice(&[0, 0, 0x80, 0]);
    m.extend_from_slice(&[0; 4]);
    m.extend_from_slice(&yiaddr);
    m.extend_from_slice(&[0; 8]);
    m.extend_from_slice(&chaddr);
    m.extend_from_slice(&[0; 10 + 64 + 128]);
    m.extend_from_slice(&[99, 130, 83, 99]);
    m.extend_from_slice(options);
    m
}

/// The identity a unit of catalog model `model` puts on the wire, from its `[model.emits]` in
/// the shipped `models/catalog.toml`: the first OUI (a MAC ending in `serial`'s last three
/// bytes) and the DHCP host name (`{serial}` filled in), vendor class and parameter list.
pub fn catalog_identity(model: &str, serial: u32) -> ([u8; 6], DhcpIdentity) {
    let text =
        std::fs::read_to_string(crate::repo_root().join("models/catalog.toml")).expect("catalog");
    let catalog: toml::Table = toml::from_str(&text).expect("catalog TOML");
    let entry = catalog["model"]
        .as_array()
        .expect("models")
        .iter()
        .find(|m| m["id"].as_str() == Some(model))
        .unwrap_or_else(|| panic!("{model} is not in the catalog"));
    let emits = &entry["emits"];
    let oui = emits["oui"][0].as_str().expect("an OUI");
    let octets: Vec<u8> = oui
        .split(':')
        .map(|o| u8::from_str_radix(o, 16).expect("hex octet"))
        .collect();
    let s = serial.to_be_bytes();
    let mac = [octets[0], octets[1], octets[2], s[1], s[2], s[3]];
    let dhcp = &emits["dhcp"];
    let fill = |t: &str| t.replace("{serial}", &format!("{serial:06}"));
    let identity = DhcpIdentity {
        hostname: fill(dhcp["hostname"].as_str().expect("a DHCP host name")),
        vendor_class: dhcp.get("vendor_class").and_then(|v| v.as_str()).map(fill),
        params: dhcp
            .get("params")
            .and_then(|p| p.as_array())
            .map(|p| {
                p.iter()
                    .map(|v| u8::try_from(v.as_integer().unwrap_or(0)).unwrap_or(0))
                    .collect()
            })
            .unwrap_or_default(),
    };
    (mac, identity)
}
