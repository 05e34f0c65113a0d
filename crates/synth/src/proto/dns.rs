//! DNS queries and answers, and mDNS service announcements, encoded with simple-dns.

use simple_dns::rdata::{A, PTR, RData, SRV, TXT};
use simple_dns::{
    CLASS, Name, Packet, PacketFlag, QCLASS, QTYPE, Question, RCODE, ResourceRecord, TYPE,
};
use std::net::Ipv4Addr;

/// mDNS IPv4 group address.
pub const MDNS_GROUP: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 251);
/// mDNS group MAC address.
pub const MDNS_MAC: [u8; 6] = [0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb];

fn name(text: &str) -> Option<Name<'_>> {
    Name::new(text.trim_end_matches('.')).ok()
}

/// A recursive A query for `qname` (empty when the name is not a valid DNS name).
pub fn query(id: u16, qname: &str) -> Vec<u8> {
    let Some(n) = name(qname) else {
        return Vec::new();
    };
    let mut p = Packet::new_query(id);
    p.set_flags(PacketFlag::RECURSION_DESIRED);
    p.questions.push(Question::new(
        n,
        QTYPE::TYPE(TYPE::A),
        QCLASS::CLASS(CLASS::IN),
        false,
    ));
    p.build_bytes_vec_compressed().unwrap_or_default()
}

/// The answer to [`query`]: `answer` as an A record, or NXDOMAIN when `None`.
pub fn response(id: u16, qname: &str, answer: Option<Ipv4Addr>, ttl: u32) -> Vec<u8> {
    let Some(n) = name(qname) else {
        return Vec::new();
    };
    let mut p = Packet::new_reply(id);
    p.set_flags(PacketFlag::RECURSION_DESIRED | PacketFlag::RECURSION_AVAILABLE);
    p.questions.push(Question::new(
        n.clone(),
        QTYPE::TYPE(TYPE::A),
        QCLASS::CLASS(CLASS::IN),
        false,
    ));
    match answer {
        Some(ip) => p.answers.push(ResourceRecord::new(
            n,
            CLASS::IN,
            ttl,
            RData::A(A {
                address: u32::from(ip),
            }),
        )),
        None => *p.rcode_mut() = RCODE::NameError,
    }
    p.build_bytes_vec_compressed().unwrap_or_default()
}

/// An mDNS announcement (unsolicited response) of `services` (e.g. `_ipp._tcp.local`) by the
/// host `host` (without `.local`) at `ip` on `port`, with TXT entries `txt` (`key=value`).
pub fn mdns_announce(
    host: &str,
    ip: Ipv4Addr,
    services: &[String],
    txt: &[String],
    port: u16,
) -> Vec<u8> {
    let host_local = format!("{}.local", sanitize(host));
    let Some(host_name) = name(&host_local) else {
        return Vec::new();
    };
    let instances: Vec<(String, String)> = services
        .iter()
        .map(|s| {
            (
                s.trim_end_matches('.').to_owned(),
                format!("{}.{}", sanitize(host), s.trim_end_matches('.')),
            )
        })
        .collect();
    let mut p = Packet::new_reply(0);
    p.set_flags(PacketFlag::AUTHORITATIVE_ANSWER);
    let mut txt_rdata = TXT::new();
    for entry in txt.iter().filter(|e| e.len() < 256) {
        if txt_rdata.add_string(entry).is_err() {
            break;
        }
    }
    for (service, instance) in &instances {
        let (Some(s), Some(i)) = (name(service), name(instance)) else {
            continue;
        };
        let meta = Name::new_unchecked("_services._dns-sd._udp.local");
        p.answers.push(ResourceRecord::new(
            meta,
            CLASS::IN,
            4500,
            RData::PTR(PTR(s.clone())),
        ));
        p.answers.push(ResourceRecord::new(
            s,
            CLASS::IN,
            4500,
            RData::PTR(PTR(i.clone())),
        ));
        let srv = SRV {
            priority: 0,
            weight: 0,
            port,
            target: host_name.clone(),
        };
        p.answers.push(
            ResourceRecord::new(i.clone(), CLASS::IN, 120, RData::SRV(srv)).with_cache_flush(true),
        );
        p.answers.push(
            ResourceRecord::new(i, CLASS::IN, 4500, RData::TXT(txt_rdata.clone()))
                .with_cache_flush(true),
        );
    }
    p.answers.push(
        ResourceRecord::new(
            host_name,
            CLASS::IN,
            120,
            RData::A(A {
                address: u32::from(ip),
            }),
        )
        .with_cache_flush(true),
    );
    p.build_bytes_vec_compressed().unwrap_or_default()
}

/// A host name usable as a DNS label.
pub fn sanitize(host: &str) -> String {
    let s: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .take(63)
        .collect();
    if s.is_empty() { "host".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_answer_parse_back() {
        let q = query(0x1234, "pacs01.ward.example");
        let p = Packet::parse(&q).unwrap();
        assert_eq!(p.id(), 0x1234);
        assert_eq!(p.questions[0].qname.to_string(), "pacs01.ward.example");
        let r = response(
            0x1234,
            "pacs01.ward.example",
            Some(Ipv4Addr::new(10, 10, 100, 12)),
            300,
        );
        let p = Packet::parse(&r).unwrap();
        assert!(p.has_flags(PacketFlag::RESPONSE));
        let RData::A(a) = &p.answers[0].rdata else {
            panic!()
        };
        assert_eq!(Ipv4Addr::from(a.address), Ipv4Addr::new(10, 10, 100, 12));
        let nx_bytes = response(1, "nothing.example", None, 0);
        let nx = Packet::parse(&nx_bytes).unwrap();
        assert_eq!(nx.rcode(), RCODE::NameError);
    }

    #[test]
    fn mdns_announcement_carries_services_and_txt() {
        let services = vec!["_ipp._tcp.local".to_string()];
        let txt = vec![
            "ty=HP LaserJet M507".to_string(),
            "product=(HP LaserJet M507)".to_string(),
        ];
        let bytes = mdns_announce(
            "NPI1A2B3C",
            Ipv4Addr::new(10, 10, 40, 30),
            &services,
            &txt,
            631,
        );
        let p = Packet::parse(&bytes).unwrap();
        let ptr = p.answers.iter().find_map(|r| match &r.rdata {
            RData::PTR(PTR(n)) if r.name.to_string() == "_ipp._tcp.local" => Some(n.to_string()),
            _ => None,
        });
        assert_eq!(ptr.as_deref(), Some("NPI1A2B3C._ipp._tcp.local"));
        let has_txt = p
            .answers
            .iter()
            .any(|r| matches!(&r.rdata, RData::TXT(t) if t.attributes().contains_key("ty")));
        assert!(has_txt);
    }
}
