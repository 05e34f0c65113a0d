//! Traffic kinds → conversations: [`build`] dispatches each [`TrafficKind`] to the builder
//! of its wire format (network services in `kinds_net`, sessions in `kinds_session`,
//! applications in `kinds_app`), with the identity of the hosts involved.

use super::job::Job;
use super::world::{Peer, World};
use super::{kinds_app as app, kinds_net as net, kinds_session as session};
use crate::proto::{self, bacnet, intellivue, ntlm, unity};
use crate::seed::Rng;
use crate::wire::conv::{Conversation, ListScript, Message, Side};
use std::net::Ipv4Addr;
use wardwatch_flow::catalog::TrafficKind;

/// Default port of each kind (generic kinds have none: the catalog must give one).
pub fn default_port(kind: TrafficKind) -> u16 {
    use TrafficKind::*;
    match kind {
        Dhcp => 67,
        Dns => 53,
        Ntp => 123,
        Mdns => 5353,
        Ssdp => 1900,
        NetbiosNs => 137,
        Http => 80,
        Tls => 443,
        Hl7 => 2575,
        DicomStore | DicomEcho | DicomFind => 104,
        Smb2 => 445,
        Kerberos => 88,
        Ldap => 389,
        Rdp => 3389,
        Bacnet => bacnet::PORT,
        Rtsp => 554,
        PrintRaw => 9100,
        Ipp => 631,
        Syslog => 514,
        Snmp => 161,
        Sip => 5060,
        IntellivueExport => intellivue::PORT,
        UnityHeartbeat => unity::HEARTBEAT_PORT,
        Lldp | GenericTcp | GenericUdp => 0,
    }
}

/// The conversations of one exchange.
pub fn build(w: &World, rng: &mut Rng, job: &Job) -> Vec<Conversation> {
    use TrafficKind::*;
    let port = job.port(default_port(job.spec.kind));
    let one = match job.spec.kind {
        Kerberos => return app::kerberos(w, rng, job, port),
        Rtsp => return app::rtsp(w, rng, job, port),
        Dhcp => net::dhcp_renewal(w, rng, job),
        Dns => net::dns_query(w, rng, job, port),
        Ntp => net::ntp(w, rng, job, port),
        Mdns => net::mdns(w, rng, job),
        Ssdp => net::ssdp(w, rng, job),
        NetbiosNs => net::netbios(w, rng, job),
        Syslog => net::syslog(w, rng, job, port),
        Snmp => net::snmp(w, rng, job, port),
        UnityHeartbeat => net::unity(w, rng, job, port),
        Lldp => net::lldp_frames(w, job),
        Bacnet => net::bacnet_exchange(w, rng, job, port),
        GenericTcp => net::generic_tcp(w, rng, job, port),
        GenericUdp => net::generic_udp(w, rng, job, port),
        Http => session::http_exchange(w, rng, job, port),
        Tls => session::tls_exchange(w, rng, job, port),
        Hl7 => session::hl7_exchange(w, rng, job, port),
        Sip => session::sip_exchange(w, rng, job, port),
        IntellivueExport => session::intellivue_exchange(w, rng, job, port),
        DicomStore | DicomEcho | DicomFind => app::dicom(w, rng, job, port),
        Smb2 => app::smb(w, rng, job, port),
        Ldap => app::ldap(w, rng, job, port),
        Rdp => app::rdp(w, rng, job, port),
        PrintRaw => app::print_raw(w, rng, job, port),
        Ipp => app::ipp(w, rng, job, port),
    };
    vec![one]
}

/// A group destination of one datagram: address, MAC, and the sender's TTL.
pub struct Group {
    /// Source port.
    pub src_port: u16,
    /// Group (broadcast or multicast) address.
    pub ip: Ipv4Addr,
    /// Group MAC.
    pub mac: [u8; 6],
    /// TTL of the announcement.
    pub ttl: u8,
}

/// A one-datagram announcement from the device to a group address.
pub fn group_udp(
    w: &World,
    rng: &mut Rng,
    job: &Job,
    group: Group,
    payload: Vec<u8>,
) -> Conversation {
    let dst_port = job.port(default_port(job.spec.kind));
    let mut path = w.path(
        rng,
        job.device,
        (Peer::Host(job.device), group.src_port),
        (Peer::Group(group.ip, group.mac), dst_port),
    );
    path.a.ttl = group.ttl;
    w.udp(
        rng,
        path,
        job.t,
        true,
        ListScript::new(vec![Message::new(Side::A, payload)]),
        job.origin,
    )
}

/// The subnet broadcast of the device's area as a group destination.
pub fn subnet_broadcast(w: &World, job: &Job, src_port: u16, ttl: u8) -> Group {
    Group {
        src_port,
        ip: w.broadcast(job.device),
        mac: [0xff; 6],
        ttl,
    }
}

/// Opaque proprietary messages of `len` bytes from `side`, at most 1,200 bytes each.
pub fn chunked(rng: &mut Rng, side: Side, len: usize, tag: u16, count: u64) -> Vec<Message> {
    let mut out = Vec::new();
    let mut left = len;
    while left > 0 {
        let n = left.min(1200);
        let counter = (count as u32)
            .wrapping_mul(64)
            .wrapping_add(out.len() as u32);
        out.push(Message::after(
            side,
            proto::proprietary(rng, n, tag, counter),
            if out.is_empty() { 0 } else { 200 },
        ));
        left -= n;
    }
    out
}

/// NTLM names of a Windows client talking to `server`.
pub fn ntlm_names<'a>(
    w: &'a World,
    client: usize,
    server: usize,
    user: &'a str,
    t: u64,
) -> ntlm::Names<'a> {
    ntlm::Names {
        domain: w.ward.domain.split('.').next().unwrap_or("WARD"),
        dns_domain: &w.ward.domain,
        server: &w.ward.hosts[server].hostname,
        workstation: &w.ward.hosts[client].hostname,
        user,
        filetime: ntlm::filetime(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ports_of_the_well_known_kinds() {
        assert_eq!(default_port(TrafficKind::DicomStore), 104);
        assert_eq!(default_port(TrafficKind::Hl7), 2575);
        assert_eq!(
            default_port(TrafficKind::IntellivueExport),
            intellivue::PORT
        );
        assert_eq!(
            default_port(TrafficKind::UnityHeartbeat),
            unity::HEARTBEAT_PORT
        );
        assert_eq!(default_port(TrafficKind::Bacnet), bacnet::PORT);
        assert_eq!(default_port(TrafficKind::GenericTcp), 0);
    }

    #[test]
    fn chunked_messages_carry_the_volume() {
        use rand::SeedableRng;
        let mut rng = Rng::seed_from_u64(1);
        let m = chunked(&mut rng, Side::B, 3_000, 9, 0);
        assert_eq!(m.iter().map(|x| x.data.len()).sum::<usize>(), 3_000);
        assert_eq!(m.len(), 3);
        assert!(m.iter().all(|x| x.from == Side::B && x.data[0] == 0x3c));
    }
}
