//! A UDP exchange: each message is one datagram; a change of sender waits one network latency.
//! When the exchange fails, the responder's datagrams are dropped (nobody answers).

use super::conv::{Message, Path, Script, Side};
use super::frame::{self, FrameError, Ip4};
use wardwatch_flow::Timestamp;

/// Largest UDP payload sent in one datagram (no IP fragmentation in the ward).
pub const MAX_DATAGRAM: usize = 1472;

/// A UDP exchange being emitted.
pub struct UdpConv {
    path: Path,
    script: Box<dyn Script>,
    head: Option<(u64, Message)>,
    clock: u64,
    last_from: Side,
    ip_id: [u16; 2],
    silent_responder: bool,
}

impl UdpConv {
    /// An exchange on `path` starting at `start_us`. With `silent_responder`, B never answers.
    pub fn new(
        path: Path,
        start_us: u64,
        ip_id: [u16; 2],
        silent_responder: bool,
        script: Box<dyn Script>,
    ) -> UdpConv {
        let mut conv = UdpConv {
            path,
            script,
            head: None,
            clock: start_us,
            last_from: Side::A,
            ip_id,
            silent_responder,
        };
        conv.load(true);
        conv
    }

    fn load(&mut self, first: bool) {
        self.head = None;
        while let Some(msg) = self.script.next_message() {
            if self.silent_responder && msg.from == Side::B {
                continue;
            }
            let gap = if first || msg.from == self.last_from {
                0
            } else {
                self.path.half_rtt()
            };
            let at = self.clock + gap + msg.delay_us;
            self.head = Some((at, msg));
            return;
        }
    }

    /// Time of the next datagram, or `None` when done.
    pub fn next_time(&self) -> Option<Timestamp> {
        self.head.as_ref().map(|(at, _)| Timestamp(*at))
    }

    /// Builds the next datagram into `out` and advances.
    pub fn emit(&mut self, out: &mut Vec<u8>) -> Result<(), FrameError> {
        let Some((at, msg)) = self.head.take() else {
            return Ok(());
        };
        let side = msg.from;
        let src = self.path.end(side);
        let dst = self.path.end(side.other());
        let i = side.index();
        let ip = Ip4 {
            src: src.ip,
            dst: dst.ip,
            ttl: src.ttl,
            id: self.ip_id[i],
        };
        self.ip_id[i] = self.ip_id[i].wrapping_add(1);
        let len = msg.data.len().min(MAX_DATAGRAM);
        let payload = msg.data.get(..len).unwrap_or(&[]);
        frame::udp(out, &self.path.l2(side), &ip, (src.port, dst.port), payload)?;
        self.clock = at;
        self.last_from = side;
        self.load(false);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::conv::{Endpoint, ListScript};
    use std::net::Ipv4Addr;

    fn path() -> Path {
        Path {
            a: Endpoint {
                mac: [0, 1, 2, 3, 4, 5],
                ip: Ipv4Addr::new(10, 0, 0, 2),
                port: 50000,
                ttl: 64,
            },
            b: Endpoint {
                mac: [0, 1, 2, 3, 4, 6],
                ip: Ipv4Addr::new(10, 0, 0, 3),
                port: 53,
                ttl: 128,
            },
            vlan: Some(10),
            rtt_us: 1000,
        }
    }

    #[test]
    fn request_reply_timing_and_silence() {
        let msgs = || {
            ListScript::new(vec![
                Message::new(Side::A, vec![1; 30]),
                Message::new(Side::B, vec![2; 60]),
            ])
        };
        let mut conv = UdpConv::new(path(), 10, [1, 1], false, msgs());
        let mut out = Vec::new();
        assert_eq!(conv.next_time(), Some(Timestamp(10)));
        conv.emit(&mut out).unwrap();
        assert_eq!(conv.next_time(), Some(Timestamp(510)));
        conv.emit(&mut out).unwrap();
        assert_eq!(conv.next_time(), None);
        let mut silent = UdpConv::new(path(), 10, [1, 1], true, msgs());
        silent.emit(&mut out).unwrap();
        assert_eq!(silent.next_time(), None);
    }
}
