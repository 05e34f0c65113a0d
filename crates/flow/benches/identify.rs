//! Identification throughput: payload inspection on a mix of real-format messages, and one
//! `Identifier::identify` call against the shipped catalog.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use wardwatch_flow::catalog::{Catalog, EvidenceKind};
use wardwatch_flow::event::Transport;
use wardwatch_flow::identify::{
    DEFAULT_THRESHOLD, Evidence, EvidenceSet, Identifier, OuiTable, PayloadContext, inspect_payload,
};

const HTTP: &[u8] = b"GET /lib/update HTTP/1.1\r\nHost: prov.hospital.local\r\nUser-Agent: FileTransport PolycomVVX-VVX_450-UA/6.3.1 Type/Application\r\nAccept: */*\r\n\r\n";
const HL7: &[u8] = b"\x0bMSH|^~\\&|MINDRAY_N15^12345678|ICU|EMR|HOSP|20250101120000||ORU^R01^ORU_R01|MSG0001|P|2.6|||AL\rPID|||123\r\x1c\r";
const OPAQUE: &[u8] = &[0x17, 0x03, 0x03, 0x01, 0x00, 0xab, 0xcd, 0xef, 0x01, 0x23];

fn dns_query() -> Vec<u8> {
    let mut packet = simple_dns::Packet::new_query(7);
    packet.questions.push(simple_dns::Question::new(
        simple_dns::Name::new_unchecked("pump-server.hospital.local"),
        simple_dns::QTYPE::TYPE(simple_dns::TYPE::A),
        simple_dns::QCLASS::CLASS(simple_dns::CLASS::IN),
        false,
    ));
    packet.build_bytes_vec().unwrap()
}

fn payloads() -> Vec<(Transport, u16, u16, Vec<u8>)> {
    vec![
        (Transport::Tcp, 50000, 80, HTTP.to_vec()),
        (Transport::Tcp, 50000, 2575, HL7.to_vec()),
        (Transport::Udp, 50000, 53, dns_query()),
        (Transport::Tcp, 443, 50000, OPAQUE.to_vec()),
        (Transport::Udp, 50000, 5004, vec![0x80; 172]),
    ]
}

fn bench_inspect(c: &mut Criterion) {
    let payloads = payloads();
    let mut group = c.benchmark_group("inspect_payload");
    group.throughput(Throughput::Elements(payloads.len() as u64));
    group.bench_function("mix of 5 payloads", |b| {
        let mut out = Vec::with_capacity(64);
        b.iter(|| {
            for (transport, src, dst, data) in &payloads {
                let ctx = PayloadContext {
                    transport: *transport,
                    src_port: *src,
                    dst_port: *dst,
                    from_initiator: true,
                    payload: data,
                };
                out.clear();
                inspect_payload(black_box(&ctx), &mut out);
            }
            black_box(out.len())
        });
    });
    group.finish();
}

fn bench_identify(c: &mut Criterion) {
    let catalog = Catalog::parse(include_str!("../../../models/catalog.toml")).unwrap();
    let oui = OuiTable::parse(include_str!("../../../models/oui.tsv")).unwrap();
    let identifier = Identifier::new(&catalog, &oui, DEFAULT_THRESHOLD).unwrap();
    let mut evidence = EvidenceSet::default();
    for (kind, value) in [
        (EvidenceKind::DhcpHostname, "WS-007"),
        (EvidenceKind::DhcpVendorClass, "MSFT 5.0"),
        (
            EvidenceKind::DhcpParams,
            "1,3,6,15,31,33,43,44,46,47,119,121,249,252",
        ),
        (EvidenceKind::NetbiosName, "WS-007"),
        (EvidenceKind::TlsSni, "emr.hospital.local"),
        (EvidenceKind::ServedPort, "tcp/445"),
        (EvidenceKind::ServedPort, "tcp/135"),
    ] {
        evidence.insert(Evidence::new(kind, value));
    }
    let mac = "f4:8e:38:12:34:56".parse().unwrap();
    c.bench_function("identify workstation (37 models)", |b| {
        b.iter(|| black_box(identifier.identify(Some(mac), black_box(&evidence))))
    });
    c.bench_function("OuiTable::parse (46k blocks)", |b| {
        b.iter(|| {
            black_box(
                OuiTable::parse(include_str!("../../../models/oui.tsv"))
                    .unwrap()
                    .len(),
            )
        })
    });
}

criterion_group!(benches, bench_inspect, bench_identify);
criterion_main!(benches);
