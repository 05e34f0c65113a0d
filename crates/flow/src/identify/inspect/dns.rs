//! DNS and mDNS, decoded with `simple-dns`.
//!
//! DNS (port 53) gives two behaviour facts: a query sent by the source, an NXDOMAIN answer
//! received by the destination. mDNS (port 5353) gives identity: the service types a device
//! announces (`_ipp._tcp.local`), its host names (SRV targets, A/AAAA owners, reverse PTRs) and
//! its TXT `key=value` entries, from announcements and from the authority section of probes.
//!
//! `simple-dns` reserves vectors as long as the header's record counts say; the counts are
//! checked against the payload length first (every question takes at least 5 bytes, every
//! record 11), so what it reserves is bounded by the bytes actually received.

use super::bytes::{be_u16_at, text_evidence};
use crate::catalog::EvidenceKind;
use crate::identify::{Evidence, PayloadFact, Subject};
use simple_dns::rdata::RData;
use simple_dns::{Packet, PacketFlag, RCODE, ResourceRecord};

const HEADER_LEN: usize = 12;
/// TXT entries kept per record.
const MAX_TXT_PER_RECORD: usize = 8;

/// True when the header's counts could fit in `data` (see the module docs).
fn counts_fit(data: &[u8]) -> bool {
    let count = |offset| usize::from(be_u16_at(data, offset).unwrap_or(u16::MAX));
    let questions = count(4).saturating_mul(5);
    let records = count(6)
        .saturating_add(count(8))
        .saturating_add(count(10))
        .saturating_mul(11);
    data.len() >= HEADER_LEN
        && questions.saturating_add(records) <= data.len().saturating_sub(HEADER_LEN)
}

fn parse(data: &[u8]) -> Option<Packet<'_>> {
    if !counts_fit(data) {
        return None;
    }
    Packet::parse(data).ok()
}

/// Unicast DNS on UDP: `to_server` when the destination port is 53, `from_server` when the
/// source port is.
pub(super) fn inspect_dns(data: &[u8], from_server: bool, out: &mut Vec<PayloadFact>) {
    let Some(packet) = parse(data) else {
        return;
    };
    let response = packet.has_flags(PacketFlag::RESPONSE);
    if !response && !packet.questions.is_empty() {
        out.push(PayloadFact::DnsQuery);
    } else if response && from_server && packet.rcode() == RCODE::NameError {
        out.push(PayloadFact::DnsNxdomain);
    }
}

/// DNS over TCP: the message follows a 2-byte length; only a segment that starts one counts.
pub(super) fn inspect_dns_tcp(data: &[u8], from_server: bool, out: &mut Vec<PayloadFact>) {
    let Some(length) = be_u16_at(data, 0) else {
        return;
    };
    let Some(message) = data.get(2..) else {
        return;
    };
    let message = message.get(..usize::from(length)).unwrap_or(message);
    inspect_dns(message, from_server, out);
}

/// mDNS: the identity the sender announces about itself.
pub(super) fn inspect_mdns(data: &[u8], out: &mut Vec<PayloadFact>) {
    let Some(packet) = parse(data) else {
        return;
    };
    let mut found: Vec<Evidence> = Vec::new();
    if packet.has_flags(PacketFlag::RESPONSE) {
        for record in packet.answers.iter().chain(&packet.additional_records) {
            record_evidence(record, &mut found);
        }
    } else {
        // Probes carry the records the prober is about to claim in the authority section.
        for record in &packet.name_servers {
            record_evidence(record, &mut found);
        }
    }
    out.extend(found.into_iter().map(|evidence| PayloadFact::Evidence {
        subject: Subject::Source,
        evidence,
    }));
}

fn add(found: &mut Vec<Evidence>, evidence: Option<Evidence>) {
    if let Some(evidence) = evidence
        && found.len() < super::MAX_FACTS_PER_PACKET
        && !found.contains(&evidence)
    {
        found.push(evidence);
    }
}

fn name_evidence(kind: EvidenceKind, name: &impl std::fmt::Display) -> Option<Evidence> {
    text_evidence(kind, name.to_string().as_bytes())
}

/// True for a DNS-SD service type such as `_ipp._tcp.local`.
fn is_service_type(name: &str) -> bool {
    name.starts_with('_') && (name.contains("._tcp.") || name.contains("._udp."))
}

/// The service type of an instance name: `Printer._ipp._tcp.local` -> `_ipp._tcp.local`.
fn service_of_instance(name: &str) -> Option<&str> {
    let at = name.find("._")?;
    let service = name.get(at.saturating_add(1)..)?;
    is_service_type(service).then_some(service)
}

fn record_evidence(record: &ResourceRecord<'_>, found: &mut Vec<Evidence>) {
    let owner = record.name.to_string();
    match &record.rdata {
        RData::PTR(target) => {
            let target = target.0.to_string();
            if owner == "_services._dns-sd._udp.local" {
                add(
                    found,
                    text_evidence(EvidenceKind::MdnsService, target.as_bytes()),
                );
            } else if is_service_type(&owner) {
                add(
                    found,
                    text_evidence(EvidenceKind::MdnsService, owner.as_bytes()),
                );
            } else if owner.ends_with(".in-addr.arpa") || owner.ends_with(".ip6.arpa") {
                add(
                    found,
                    text_evidence(EvidenceKind::MdnsHostname, target.as_bytes()),
                );
            }
        }
        RData::SRV(srv) => {
            add(
                found,
                name_evidence(EvidenceKind::MdnsHostname, &srv.target),
            );
            if let Some(service) = service_of_instance(&owner) {
                add(
                    found,
                    text_evidence(EvidenceKind::MdnsService, service.as_bytes()),
                );
            }
        }
        RData::A(_) | RData::AAAA(_) => {
            add(
                found,
                text_evidence(EvidenceKind::MdnsHostname, owner.as_bytes()),
            );
        }
        RData::TXT(txt) => {
            for (key, value) in txt.iter_raw().take(MAX_TXT_PER_RECORD) {
                let mut entry = key.to_vec();
                if let Some(value) = value {
                    entry.push(b'=');
                    entry.extend_from_slice(value.get(..200).unwrap_or(value));
                }
                add(found, text_evidence(EvidenceKind::MdnsTxt, &entry));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use simple_dns::rdata::{A, PTR, SRV, TXT};
    use simple_dns::{CLASS, Name, QCLASS, QTYPE, Question, TYPE};

    fn rr<'a>(name: &'a str, rdata: RData<'a>) -> ResourceRecord<'a> {
        ResourceRecord::new(Name::new_unchecked(name), CLASS::IN, 120, rdata)
    }

    /// An mDNS announcement of a printer, built with simple-dns.
    pub(crate) fn printer_announcement() -> Vec<u8> {
        let mut packet = Packet::new_reply(0);
        packet.answers.push(rr(
            "_services._dns-sd._udp.local",
            RData::PTR(PTR(Name::new_unchecked("_ipp._tcp.local"))),
        ));
        packet.answers.push(rr(
            "_ipp._tcp.local",
            RData::PTR(PTR(Name::new_unchecked("NPI1._ipp._tcp.local"))),
        ));
        packet.answers.push(rr(
            "NPI1._ipp._tcp.local",
            RData::SRV(SRV {
                priority: 0,
                weight: 0,
                port: 631,
                target: Name::new_unchecked("NPI1.local"),
            }),
        ));
        let txt = TXT::new()
            .with_string("ty=HP LaserJet M507")
            .unwrap()
            .with_string("pdl=application/pdf")
            .unwrap();
        packet
            .additional_records
            .push(rr("NPI1._ipp._tcp.local", RData::TXT(txt)));
        packet.additional_records.push(rr(
            "NPI1.local",
            RData::A(A {
                address: 0x0a00_0005,
            }),
        ));
        packet.build_bytes_vec().unwrap()
    }

    fn values(facts: &[PayloadFact]) -> Vec<(EvidenceKind, &str)> {
        facts
            .iter()
            .filter_map(|fact| match fact {
                PayloadFact::Evidence {
                    subject: Subject::Source,
                    evidence,
                } => Some((evidence.kind, evidence.value.as_str())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn mdns_announcement_gives_services_hostname_and_txt() {
        let mut out = Vec::new();
        inspect_mdns(&printer_announcement(), &mut out);
        assert_eq!(
            values(&out),
            vec![
                (EvidenceKind::MdnsService, "_ipp._tcp.local"),
                (EvidenceKind::MdnsHostname, "NPI1.local"),
                (EvidenceKind::MdnsTxt, "ty=HP LaserJet M507"),
                (EvidenceKind::MdnsTxt, "pdl=application/pdf"),
            ]
        );
    }

    fn query(name: &str) -> Vec<u8> {
        let mut packet = Packet::new_query(7);
        packet.questions.push(Question::new(
            Name::new_unchecked(name),
            QTYPE::TYPE(TYPE::A),
            QCLASS::CLASS(CLASS::IN),
            false,
        ));
        packet.build_bytes_vec().unwrap()
    }

    #[test]
    fn dns_query_and_nxdomain_facts() {
        let mut out = Vec::new();
        let q = query("pump-server.hospital.local");
        inspect_dns(&q, false, &mut out);
        assert_eq!(out, vec![PayloadFact::DnsQuery]);
        let mut reply = Packet::new_reply(7);
        *reply.rcode_mut() = RCODE::NameError;
        let reply = reply.build_bytes_vec().unwrap();
        out.clear();
        inspect_dns(&reply, true, &mut out);
        assert_eq!(out, vec![PayloadFact::DnsNxdomain]);
        out.clear();
        let mut framed = (q.len() as u16).to_be_bytes().to_vec();
        framed.extend_from_slice(&q);
        inspect_dns_tcp(&framed, false, &mut out);
        assert_eq!(out, vec![PayloadFact::DnsQuery]);
    }

    #[test]
    fn inflated_counts_are_refused_before_parsing() {
        let mut data = query("a.b");
        data[6] = 0xff; // 65280+ answers claimed in a 30-byte packet
        data[7] = 0xff;
        assert!(!counts_fit(&data));
        let mut out = Vec::new();
        inspect_dns(&data, false, &mut out);
        inspect_mdns(&data, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn every_truncation_is_safe() {
        let data = printer_announcement();
        for end in 0..data.len() {
            let mut out = Vec::new();
            inspect_mdns(&data[..end], &mut out);
            inspect_dns(&data[..end], true, &mut out);
            inspect_dns_tcp(&data[..end], true, &mut out);
        }
    }
}
