//! A TCP connection as a sequence of segments: three-way handshake with MSS/window-scale/SACK
//! options, data cut at the MSS with PSH on the last segment of each message, an ACK from the
//! receiver every second segment, FIN teardown; or one of the ways connections fail in real
//! networks (no answer with SYN retransmissions, refused with RST, a half-open scan probe).

use super::conv::{Message, Path, Script, Side};
use super::frame::{self, FrameError, Ip4};
use etherparse::{TcpHeader, TcpOptionElement};
use std::collections::VecDeque;
use wardwatch_flow::Timestamp;

const SYN: u8 = 1;
const ACK: u8 = 2;
const FIN: u8 = 4;
const RST: u8 = 8;
const PSH: u8 = 16;
/// The segment carries the SYN options.
const OPT: u8 = 32;

/// Window scale shift both ends announce.
const WINDOW_SHIFT: u8 = 8;
/// Scaled window field after the handshake (1026 << 8 = 262,656 bytes).
const WINDOW_SCALED: u16 = 1026;
/// Receive window in bytes (pacing keeps the bytes in flight under it).
pub const WINDOW_BYTES: u64 = (WINDOW_SCALED as u64) << WINDOW_SHIFT;
/// Window announced in SYN segments (not scaled).
const WINDOW_SYN: u16 = 64240;
/// Gap between packets of the same sender that do not wait for the network, microseconds.
const SAME_SIDE_GAP_US: u64 = 20;

/// How a connection goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpOutcome {
    /// Handshake, the script's messages, FIN teardown.
    Complete,
    /// The SYN is never answered; it is retransmitted `retries` times (1 s, 2 s, 4 s …).
    NoAnswer {
        /// Retransmissions after the first SYN.
        retries: u8,
    },
    /// The responder refuses with RST/ACK.
    Refused,
    /// A half-open scan probe of an open port: SYN, SYN/ACK, RST from the initiator.
    ProbeOpen,
    /// Handshake and the first message, then the responder resets the connection.
    ResetAfterFirst,
}

/// Parameters of a new connection.
#[derive(Clone, Copy, Debug)]
pub struct TcpParams {
    /// Time of the SYN, microseconds since the epoch.
    pub start_us: u64,
    /// Maximum segment size.
    pub mss: u16,
    /// Gap between back-to-back segments, microseconds.
    pub gap_us: u64,
    /// Initial sequence numbers of A and B.
    pub isn: [u32; 2],
    /// First IP identification of A and B.
    pub ip_id: [u16; 2],
    /// How the connection goes.
    pub outcome: TcpOutcome,
    /// Which end sends the first FIN.
    pub close_by: Side,
}

#[derive(Clone, Copy, Debug)]
struct Seg {
    at: u64,
    from: Side,
    flags: u8,
    seq: u32,
    ack: u32,
    off: u32,
    len: u32,
}

/// A TCP connection being emitted.
pub struct TcpConv {
    path: Path,
    script: Box<dyn Script>,
    queue: VecDeque<Seg>,
    data: Vec<u8>,
    lookahead: Option<Message>,
    next_seq: [u32; 2],
    ip_id: [u16; 2],
    clock: u64,
    last_from: Side,
    mss: u32,
    gap_us: u64,
    open: bool,
    close_by: Side,
    reset_after_first: bool,
}

impl TcpConv {
    /// A connection on `path` following `params`, with the messages of `script`.
    pub fn new(path: Path, params: TcpParams, script: Box<dyn Script>) -> TcpConv {
        let mut conv = TcpConv {
            path,
            script,
            queue: VecDeque::new(),
            data: Vec::new(),
            lookahead: None,
            next_seq: [params.isn[0].wrapping_add(1), params.isn[1].wrapping_add(1)],
            ip_id: params.ip_id,
            clock: params.start_us,
            last_from: Side::A,
            mss: u32::from(params.mss.max(64)),
            gap_us: params.gap_us.max(1),
            open: false,
            close_by: params.close_by,
            reset_after_first: params.outcome == TcpOutcome::ResetAfterFirst,
        };
        conv.open_with(params);
        conv
    }

    fn push(&mut self, at: u64, from: Side, flags: u8, seq: u32, ack: u32) {
        self.queue.push_back(Seg {
            at,
            from,
            flags,
            seq,
            ack,
            off: 0,
            len: 0,
        });
        self.clock = at;
        self.last_from = from;
    }

    fn open_with(&mut self, p: TcpParams) {
        let t = p.start_us;
        let h = self.path.half_rtt();
        let [a1, b1] = self.next_seq;
        match p.outcome {
            TcpOutcome::NoAnswer { retries } => {
                let mut at = t;
                for i in 0..=retries {
                    self.push(at, Side::A, SYN | OPT, p.isn[0], 0);
                    at += 1_000_000u64 << i.min(10);
                }
            }
            TcpOutcome::Refused => {
                self.push(t, Side::A, SYN | OPT, p.isn[0], 0);
                self.push(t + h, Side::B, RST | ACK, 0, a1);
            }
            TcpOutcome::ProbeOpen => {
                self.push(t, Side::A, SYN | OPT, p.isn[0], 0);
                self.push(t + h, Side::B, SYN | ACK | OPT, p.isn[1], a1);
                self.push(t + 2 * h, Side::A, RST, a1, 0);
            }
            TcpOutcome::Complete | TcpOutcome::ResetAfterFirst => {
                self.push(t, Side::A, SYN | OPT, p.isn[0], 0);
                self.push(t + h, Side::B, SYN | ACK | OPT, p.isn[1], a1);
                self.push(t + 2 * h, Side::A, ACK, a1, b1);
                self.open = true;
                self.lookahead = self.script.next_message();
            }
        }
    }

    /// Time of the next segment, or `None` when the connection is over.
    pub fn next_time(&self) -> Option<Timestamp> {
        self.queue.front().map(|s| Timestamp(s.at))
    }

    /// Queues the segments of the next message, or the teardown when the script is done.
    fn refill(&mut self) {
        while self.open && self.queue.is_empty() {
            match self.lookahead.take() {
                Some(msg) if msg.data.is_empty() => self.lookahead = self.script.next_message(),
                Some(msg) => {
                    self.lookahead = self.script.next_message();
                    self.schedule(msg);
                    if self.reset_after_first {
                        self.reset();
                    }
                }
                None => self.teardown(),
            }
        }
    }

    fn schedule(&mut self, msg: Message) {
        let from = msg.from;
        let to = from.other();
        let h = self.path.half_rtt();
        let first_gap = if from == self.last_from {
            SAME_SIDE_GAP_US
        } else {
            h
        };
        let t0 = self.clock + first_gap + msg.delay_us;
        self.data = msg.data;
        let len = u32::try_from(self.data.len()).unwrap_or(u32::MAX);
        let base = self.next_seq[from.index()];
        let peer_seq = self.next_seq[to.index()];
        let count = len.div_ceil(self.mss);
        // The receiver's next segment (its reply, or its FIN) carries the ACK of the last data.
        let reply_follows = match &self.lookahead {
            Some(m) => m.from == to,
            None => self.close_by == to && !self.reset_after_first,
        };
        let mut segs = Vec::with_capacity(count as usize * 3 / 2 + 1);
        for i in 0..count {
            let off = i * self.mss;
            let seg_len = self.mss.min(len - off);
            let at = t0 + u64::from(i) * self.gap_us;
            let last = i + 1 == count;
            let flags = if last { ACK | PSH } else { ACK };
            segs.push(Seg {
                at,
                from,
                flags,
                seq: base.wrapping_add(off),
                ack: peer_seq,
                off,
                len: seg_len,
            });
            if (i % 2 == 1 && !last) || (last && !reply_follows) {
                let acked = base.wrapping_add(off + seg_len);
                segs.push(Seg {
                    at: at + h,
                    from: to,
                    flags: ACK,
                    seq: peer_seq,
                    ack: acked,
                    off: 0,
                    len: 0,
                });
            }
        }
        segs.sort_by_key(|s| s.at);
        if let Some(last) = segs.last() {
            self.clock = last.at;
            self.last_from = last.from;
        }
        self.queue.extend(segs);
        self.next_seq[from.index()] = base.wrapping_add(len);
    }

    fn teardown(&mut self) {
        let closer = self.close_by;
        let other = closer.other();
        let h = self.path.half_rtt();
        let first = if closer == self.last_from { 100 } else { h };
        let (c, o) = (closer.index(), other.index());
        let at = self.clock + first;
        self.push(at, closer, FIN | ACK, self.next_seq[c], self.next_seq[o]);
        self.next_seq[c] = self.next_seq[c].wrapping_add(1);
        self.push(at + h, other, FIN | ACK, self.next_seq[o], self.next_seq[c]);
        self.next_seq[o] = self.next_seq[o].wrapping_add(1);
        self.push(at + 2 * h, closer, ACK, self.next_seq[c], self.next_seq[o]);
        self.open = false;
    }

    fn reset(&mut self) {
        let h = self.path.half_rtt();
        let at = self.clock + h;
        self.push(at, Side::B, RST | ACK, self.next_seq[1], self.next_seq[0]);
        self.open = false;
        self.lookahead = None;
    }

    /// Builds the next segment into `out` and advances.
    pub fn emit(&mut self, out: &mut Vec<u8>) -> Result<(), FrameError> {
        let Some(seg) = self.queue.pop_front() else {
            return Ok(());
        };
        let side = seg.from;
        let src = self.path.end(side);
        let dst = self.path.end(side.other());
        let mut h = TcpHeader::new(src.port, dst.port, seg.seq, WINDOW_SCALED);
        h.syn = seg.flags & SYN != 0;
        h.ack = seg.flags & ACK != 0;
        h.fin = seg.flags & FIN != 0;
        h.rst = seg.flags & RST != 0;
        h.psh = seg.flags & PSH != 0;
        if h.ack {
            h.acknowledgment_number = seg.ack;
        }
        if h.syn {
            h.window_size = WINDOW_SYN;
        }
        if h.rst && !h.ack {
            h.window_size = 0;
        }
        if seg.flags & OPT != 0 {
            h.set_options(&[
                TcpOptionElement::MaximumSegmentSize(self.mss as u16),
                TcpOptionElement::Noop,
                TcpOptionElement::WindowScale(WINDOW_SHIFT),
                TcpOptionElement::Noop,
                TcpOptionElement::Noop,
                TcpOptionElement::SelectiveAcknowledgementPermitted,
            ])
            .map_err(|e| FrameError(e.to_string()))?;
        }
        let i = side.index();
        let ip = Ip4 {
            src: src.ip,
            dst: dst.ip,
            ttl: src.ttl,
            id: self.ip_id[i],
        };
        self.ip_id[i] = self.ip_id[i].wrapping_add(1);
        let start = seg.off as usize;
        let end = start + seg.len as usize;
        let payload = self.data.get(start..end).unwrap_or(&[]);
        frame::tcp(out, &self.path.l2(side), &ip, h, payload)?;
        if self.queue.is_empty() {
            self.refill();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::conv::{Endpoint, ListScript};
    use etherparse::{SlicedPacket, TransportSlice};
    use std::net::Ipv4Addr;

    pub(crate) fn path() -> Path {
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
                port: 104,
                ttl: 128,
            },
            vlan: None,
            rtt_us: 1000,
        }
    }

    fn params(outcome: TcpOutcome) -> TcpParams {
        TcpParams {
            start_us: 1_000_000,
            mss: 1000,
            gap_us: 10,
            isn: [100, 5000],
            ip_id: [1, 1],
            outcome,
            close_by: Side::A,
        }
    }

    struct Seen {
        side_a: bool,
        flags: String,
        seq: u32,
        ack: u32,
        len: usize,
        at: u64,
    }

    fn run(conv: &mut TcpConv) -> Vec<Seen> {
        let mut out = Vec::new();
        let mut seen = Vec::new();
        while let Some(at) = conv.next_time() {
            conv.emit(&mut out).unwrap();
            let p = SlicedPacket::from_ethernet(&out).unwrap();
            let Some(TransportSlice::Tcp(t)) = p.transport else {
                panic!()
            };
            let mut flags = String::new();
            for (on, c) in [
                (t.syn(), 'S'),
                (t.fin(), 'F'),
                (t.rst(), 'R'),
                (t.psh(), 'P'),
                (t.ack(), '.'),
            ] {
                if on {
                    flags.push(c);
                }
            }
            seen.push(Seen {
                side_a: t.source_port() == 50000,
                flags,
                seq: t.sequence_number(),
                ack: t.acknowledgment_number(),
                len: t.payload().len(),
                at: at.micros(),
            });
        }
        seen
    }

    #[test]
    fn complete_connection_sequences_correctly() {
        let script = ListScript::new(vec![
            Message::new(Side::A, vec![1; 2500]),
            Message::after(Side::B, vec![2; 10], 5000),
        ]);
        let mut conv = TcpConv::new(path(), params(TcpOutcome::Complete), script);
        let s = run(&mut conv);
        let flags: Vec<&str> = s.iter().map(|x| x.flags.as_str()).collect();
        assert_eq!(
            flags,
            ["S", "S.", ".", ".", ".", "P.", ".", "P.", "F.", "F.", "."]
        );
        // Data of A: 1000 + 1000 + 500 from seq 101; B acks 2101 after the second segment
        // (seen after the third, which was already on the wire).
        assert_eq!((s[3].seq, s[3].len), (101, 1000));
        assert_eq!((s[4].seq, s[4].len), (1101, 1000));
        assert_eq!((s[5].seq, s[5].len), (2101, 500));
        assert_eq!((s[6].side_a, s[6].ack), (false, 2101));
        // The reply acknowledges everything (no separate ACK), after latency + think time.
        assert_eq!(
            (s[7].side_a, s[7].seq, s[7].ack, s[7].len),
            (false, 5001, 2601, 10)
        );
        assert!(s[7].at >= s[5].at + 500 + 5000);
        // Teardown by A.
        assert_eq!((s[8].side_a, s[8].seq, s[8].ack), (true, 2601, 5011));
        assert_eq!((s[9].seq, s[9].ack), (5011, 2602));
        assert_eq!((s[10].seq, s[10].ack), (2602, 5012));
        assert!(s.windows(2).all(|w| w[0].at <= w[1].at));
    }

    #[test]
    fn failures_look_like_real_ones() {
        let mut conv = TcpConv::new(
            path(),
            params(TcpOutcome::NoAnswer { retries: 2 }),
            ListScript::new(vec![]),
        );
        let s = run(&mut conv);
        assert_eq!(s.len(), 3);
        assert!(s.iter().all(|x| x.flags == "S" && x.seq == 100));
        assert_eq!(s[2].at - s[0].at, 3_000_000);

        let mut conv = TcpConv::new(path(), params(TcpOutcome::Refused), ListScript::new(vec![]));
        let s = run(&mut conv);
        assert_eq!(s[1].flags, "R.");
        assert_eq!(s[1].ack, 101);

        let mut conv = TcpConv::new(
            path(),
            params(TcpOutcome::ProbeOpen),
            ListScript::new(vec![]),
        );
        let s = run(&mut conv);
        let flags: Vec<&str> = s.iter().map(|x| x.flags.as_str()).collect();
        assert_eq!(flags, ["S", "S.", "R"]);

        let script = ListScript::new(vec![
            Message::new(Side::A, vec![1; 10]),
            Message::new(Side::B, vec![2; 10]),
        ]);
        let mut conv = TcpConv::new(path(), params(TcpOutcome::ResetAfterFirst), script);
        let s = run(&mut conv);
        assert_eq!(s.last().unwrap().flags, "R.");
        assert_eq!(s.len(), 5);
    }
}
