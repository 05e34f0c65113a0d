//! Identification: evidence extracted from payloads and L2 frames, kept per device in a bounded
//! [`EvidenceSet`], and matched against the catalog's weighted fingerprint rules by [`Identifier`].
//!
//! The flow pipeline calls [`inspect_payload`] for every IP packet with a payload and
//! [`inspect_frame`] for non-IP frames (LLDP, CDP); it routes each [`PayloadFact`] to the device
//! it describes and asks the [`Identifier`] for an [`Identification`] when evidence changed.
//! Every parser here is fed by the wire: bounded, no allocation sized by a wire field, no panic.

pub mod advisory;
#[cfg(test)]
mod catalog_check;
mod evidence;
mod identifier;
mod inspect;
mod oui;
pub mod version;

pub use evidence::{Evidence, EvidenceSet, MAX_EVIDENCE_PER_KIND, MAX_EVIDENCE_VALUE_LEN};
pub use identifier::{DEFAULT_THRESHOLD, Identification, Identifier, IdentifierError};
pub use inspect::MAX_FACTS_PER_PACKET;
pub use oui::{OuiError, OuiTable};

use crate::event::{RemoteExecKind, Transport};

/// Which endpoint of a packet a fact describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// The packet's sender (e.g. a DHCP client's options, an HTTP User-Agent).
    Source,
    /// The packet's receiver (e.g. the asker of a DNS answer, the server of a SYN-ACK'd port).
    Destination,
}

/// One IP packet's payload and the little context the parsers need.
#[derive(Clone, Copy, Debug)]
pub struct PayloadContext<'a> {
    /// Transport protocol.
    pub transport: Transport,
    /// Source port (0 for ICMP).
    pub src_port: u16,
    /// Destination port (0 for ICMP).
    pub dst_port: u16,
    /// True when the packet travels from the flow's initiator to its responder.
    pub from_initiator: bool,
    /// Transport payload (may be cut short by the snap length).
    pub payload: &'a [u8],
}

/// A fact a payload revealed.
#[derive(Clone, Debug, PartialEq)]
pub enum PayloadFact {
    /// Identification evidence about one endpoint.
    Evidence {
        /// Which endpoint it describes.
        subject: Subject,
        /// The evidence.
        evidence: Evidence,
    },
    /// The source sent a DNS (not mDNS) query.
    DnsQuery,
    /// The destination received an NXDOMAIN answer.
    DnsNxdomain,
    /// The source asked the destination for remote execution (SMB pipe, DCE-RPC bind, DCOM, WinRM).
    RemoteExec(RemoteExecKind),
}

/// Inspects an IP packet's transport payload and appends the facts it reveals.
/// Never panics and never allocates more than the bounded evidence values.
/// At most [`MAX_FACTS_PER_PACKET`] facts are added per call.
pub fn inspect_payload(ctx: &PayloadContext<'_>, out: &mut Vec<PayloadFact>) {
    inspect::payload(ctx, out);
}

/// Inspects a non-IP frame: `ethertype` (e.g. 0x88cc LLDP) or, for 802.3 LLC/SNAP frames, the SNAP
/// protocol id (CDP is 0x2000), and the bytes after the Ethernet/LLC header. Facts describe the sender.
/// The CDP payload may still start with its LLC and/or SNAP header; both are skipped.
pub fn inspect_frame(ethertype: u16, payload: &[u8], out: &mut Vec<PayloadFact>) {
    inspect::frame(ethertype, payload, out);
}
