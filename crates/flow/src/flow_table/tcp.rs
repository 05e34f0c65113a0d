//! TCP connection state as seen passively from both directions: handshake, close, reset and
//! the failures rules care about. Sequence numbers are only used to check that the handshake's
//! acknowledgments match, which a blind spoofer cannot fake.

use crate::decode::TcpInfo;
use crate::observe::FailReason;

/// Where a TCP connection stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TcpState {
    /// SYN seen, no SYN-ACK yet.
    SynSent,
    /// SYN-ACK seen, waiting for the initiator's ACK.
    SynAckSeen,
    /// Handshake completed.
    Established,
    /// Picked up midway (the capture missed the handshake).
    Midstream,
    /// One side sent FIN.
    Closing,
    /// Both sides sent FIN, or a RST ended it.
    Closed,
    /// The connection attempt failed.
    Failed,
}

/// Who opened a flow whose first packet we saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Opener {
    /// The first packet's sender (a SYN).
    Sender,
    /// The first packet's receiver (a SYN-ACK: we missed the SYN).
    Receiver,
    /// Unknown (midstream or a lone RST): the side on the lower port is taken as the server.
    ByPort,
}

/// Per-connection TCP tracking.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TcpTrack {
    pub(crate) state: TcpState,
    syn_seq: u32,
    synack_seq: u32,
    synack_valid: bool,
    fin: [bool; 2],
    responder_spoke: bool,
}

/// What one packet changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TcpStep {
    /// The responder now serves the port (handshake completed, or it spoke midway).
    pub(crate) answered: bool,
    /// Sides that proved two-way traffic with this packet: [initiator, responder].
    pub(crate) two_way: [bool; 2],
    /// The connection attempt failed with this packet.
    pub(crate) failed: Option<FailReason>,
}

impl TcpTrack {
    /// Tracking for a flow whose first packet is `first`; says who opened it.
    pub(crate) fn open(first: &TcpInfo) -> (TcpTrack, Opener) {
        let flags = first.flags;
        let mut track = TcpTrack {
            state: TcpState::Midstream,
            syn_seq: 0,
            synack_seq: 0,
            synack_valid: false,
            fin: [false; 2],
            responder_spoke: false,
        };
        let opener = if flags.syn() && !flags.ack() && !flags.rst() {
            track.state = TcpState::SynSent;
            track.syn_seq = first.seq;
            Opener::Sender
        } else if flags.syn() && flags.ack() && !flags.rst() {
            track.state = TcpState::SynAckSeen;
            track.synack_seq = first.seq;
            track.responder_spoke = true;
            Opener::Receiver
        } else {
            if flags.rst() {
                track.state = TcpState::Closed;
            }
            Opener::ByPort
        };
        (track, opener)
    }

    /// Advances the state with one packet of the flow.
    pub(crate) fn step(&mut self, from_initiator: bool, tcp: &TcpInfo) -> TcpStep {
        let flags = tcp.flags;
        let mut out = TcpStep::default();
        match self.state {
            TcpState::SynSent => self.step_syn_sent(from_initiator, tcp, &mut out),
            TcpState::SynAckSeen => self.step_synack_seen(from_initiator, tcp, &mut out),
            TcpState::Established | TcpState::Closing | TcpState::Midstream => {
                if self.state == TcpState::Midstream && !flags.rst() {
                    self.midstream(from_initiator, &mut out);
                }
                if flags.rst() {
                    self.state = TcpState::Closed;
                } else if flags.fin() {
                    let side = usize::from(!from_initiator);
                    if let Some(f) = self.fin.get_mut(side) {
                        *f = true;
                    }
                    self.state = if self.fin == [true, true] {
                        TcpState::Closed
                    } else if self.state == TcpState::Midstream {
                        TcpState::Midstream
                    } else {
                        TcpState::Closing
                    };
                }
            }
            TcpState::Closed | TcpState::Failed => {}
        }
        out
    }

    fn step_syn_sent(&mut self, from_initiator: bool, tcp: &TcpInfo, out: &mut TcpStep) {
        let flags = tcp.flags;
        if from_initiator {
            if flags.rst() {
                self.state = TcpState::Closed;
            }
            return;
        }
        if flags.rst() {
            self.state = TcpState::Failed;
            out.failed = Some(FailReason::RstToSyn);
        } else if flags.syn() && flags.ack() {
            self.state = TcpState::SynAckSeen;
            self.synack_seq = tcp.seq;
            self.synack_valid = tcp.ack == self.syn_seq.wrapping_add(1);
            self.responder_spoke = true;
        }
    }

    fn step_synack_seen(&mut self, from_initiator: bool, tcp: &TcpInfo, out: &mut TcpStep) {
        let flags = tcp.flags;
        if flags.rst() {
            self.state = TcpState::Closed;
            return;
        }
        if !from_initiator {
            if flags.syn() && flags.ack() {
                self.synack_seq = tcp.seq;
            }
            return;
        }
        if flags.ack() && !flags.syn() {
            self.state = TcpState::Established;
            out.answered = true;
            // The final ACK acknowledges the SYN-ACK's sequence number: the initiator received
            // it, and the responder had answered a SYN it received.
            if tcp.ack == self.synack_seq.wrapping_add(1) {
                out.two_way = [true, true];
            }
            if flags.fin() {
                self.fin = [true, false];
                self.state = TcpState::Closing;
            }
        }
    }

    /// A flow picked up midway: the responder serves once it speaks; the initiator proves
    /// two-way traffic when it speaks again after the responder.
    fn midstream(&mut self, from_initiator: bool, out: &mut TcpStep) {
        if from_initiator {
            if self.responder_spoke {
                out.two_way = [true, false];
            }
        } else if !self.responder_spoke {
            self.responder_spoke = true;
            out.answered = true;
            out.two_way = [false, true];
        }
    }

    /// Marks the attempt failed (half-open timeout, ICMP unreachable); true when it was still
    /// unanswered, i.e. the failure counts.
    pub(crate) fn fail_if_unanswered(&mut self) -> bool {
        if self.state == TcpState::SynSent {
            self.state = TcpState::Failed;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::TcpFlags;

    fn tcp(flags: u8, seq: u32, ack: u32) -> TcpInfo {
        TcpInfo {
            src_port: 40000,
            dst_port: 104,
            flags: TcpFlags(flags),
            seq,
            ack,
        }
    }
    const SYN: u8 = TcpFlags::SYN;
    const SYNACK: u8 = TcpFlags::SYN | TcpFlags::ACK;
    const ACK: u8 = TcpFlags::ACK;

    #[test]
    fn handshake_with_matching_acks_is_two_way() {
        let (mut t, opener) = TcpTrack::open(&tcp(SYN, 100, 0));
        assert_eq!(opener, Opener::Sender);
        assert_eq!(t.step(false, &tcp(SYNACK, 500, 101)), TcpStep::default());
        let s = t.step(true, &tcp(ACK, 101, 501));
        assert!(s.answered);
        assert_eq!(s.two_way, [true, true]);
        assert_eq!(t.state, TcpState::Established);
        t.step(true, &tcp(TcpFlags::FIN | ACK, 101, 501));
        assert_eq!(t.state, TcpState::Closing);
        t.step(false, &tcp(TcpFlags::FIN | ACK, 501, 102));
        assert_eq!(t.state, TcpState::Closed);
    }

    #[test]
    fn blind_ack_does_not_prove_two_way() {
        let (mut t, _) = TcpTrack::open(&tcp(SYN, 100, 0));
        t.step(false, &tcp(SYNACK, 500, 101));
        let s = t.step(true, &tcp(ACK, 101, 12345));
        assert!(s.answered);
        assert_eq!(s.two_way, [false, false]);
    }

    #[test]
    fn rst_to_syn_fails_and_timeout_marks_once() {
        let (mut t, _) = TcpTrack::open(&tcp(SYN, 1, 0));
        let s = t.step(false, &tcp(TcpFlags::RST | ACK, 0, 2));
        assert_eq!(s.failed, Some(FailReason::RstToSyn));
        assert_eq!(t.state, TcpState::Failed);
        assert!(!t.fail_if_unanswered());
        let (mut t, _) = TcpTrack::open(&tcp(SYN, 1, 0));
        assert!(t.fail_if_unanswered());
        assert!(!t.fail_if_unanswered());
    }

    #[test]
    fn midstream_answers_when_responder_speaks() {
        let (mut t, opener) = TcpTrack::open(&tcp(ACK | TcpFlags::PSH, 9, 9));
        assert_eq!(opener, Opener::ByPort);
        assert_eq!(t.step(true, &tcp(ACK, 10, 9)).two_way, [false, false]);
        let s = t.step(false, &tcp(ACK, 9, 10));
        assert!(s.answered);
        assert_eq!(s.two_way, [false, true]);
        assert_eq!(t.step(true, &tcp(ACK, 10, 10)).two_way, [true, false]);
    }

    #[test]
    fn synack_first_means_receiver_opened() {
        let (mut t, opener) = TcpTrack::open(&tcp(SYNACK, 700, 55));
        assert_eq!(opener, Opener::Receiver);
        let s = t.step(true, &tcp(ACK, 55, 701));
        assert!(s.answered);
        assert_eq!(s.two_way, [true, true]);
    }
}
