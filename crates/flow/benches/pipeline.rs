//! decode → flow table → devices → window features on a generated mixed ward traffic set;
//! reports packets per second. `cargo bench -p wardwatch-flow --bench pipeline`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/packets.rs"]
mod packets;

#[path = "../tests/support/corpus.rs"]
mod corpus;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use wardwatch_flow::catalog::Catalog;
use wardwatch_flow::identify::OuiTable;
use wardwatch_flow::{LinkType, Packet, Pipeline, PipelineConfig, Timestamp, decode};

fn traffic() -> Vec<(u64, Vec<u8>)> {
    corpus::mixed_traffic(200, 120)
}

fn bench(c: &mut Criterion) {
    let frames = traffic();
    let catalog = Catalog::parse("format = 1").unwrap();
    let oui = OuiTable::default();
    let mut group = c.benchmark_group("flow");
    group.throughput(Throughput::Elements(frames.len() as u64));
    group.sample_size(10);
    group.bench_function("decode", |b| {
        b.iter(|| {
            for (_, data) in &frames {
                black_box(decode(LinkType::Ethernet, black_box(data)).is_ok());
            }
        })
    });
    group.bench_function("pipeline", |b| {
        let mut events = Vec::with_capacity(4096);
        b.iter(|| {
            let mut p = Pipeline::new(PipelineConfig::default(), &catalog, &oui).unwrap();
            for (ms, data) in &frames {
                let packet = Packet {
                    ts: Timestamp(1_767_600_000_000_000 + ms * 1000),
                    link: LinkType::Ethernet,
                    data,
                    wire_len: data.len() as u32,
                };
                p.push(&packet, &mut events);
                events.clear();
            }
            p.flush(&mut events);
            black_box(events.len());
            events.clear();
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
