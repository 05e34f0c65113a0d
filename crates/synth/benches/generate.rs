//! Generation speed: frames per second written on one core into a libpcap writer over an
//! `io::sink` (the generator's cost without the disk). `cargo bench -p wardwatch-synth`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::io;
use wardwatch_flow::Timestamp;
use wardwatch_flow::catalog::Catalog;
use wardwatch_synth::{Params, PcapWriter, WardConfig, generate};

fn run(cfg: &WardConfig, catalog: &Catalog, p: &Params) -> u64 {
    let mut sink = PcapWriter::new(io::sink());
    generate(cfg, catalog, p, &mut sink)
        .map(|s| s.frames)
        .unwrap_or(0)
}

fn bench(c: &mut Criterion) {
    let catalog = Catalog::parse(include_str!("../../../models/catalog.toml")).expect("catalog");
    let params = Params {
        seed: 1,
        devices: Some(200),
        start: Timestamp::from_secs(1_767_600_000),
        duration_us: 5 * 60 * 1_000_000,
        scenarios: Vec::new(),
    };
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    for (name, scale) in [
        ("full_volume_200_devices_5min", 1.0),
        ("thinned_200_devices_5min", 0.001),
    ] {
        let mut cfg = WardConfig::default_ward().expect("ward");
        cfg.traffic.bytes_scale = scale;
        let frames = run(&cfg, &catalog, &params);
        group.throughput(Throughput::Elements(frames));
        group.bench_function(name, |b| b.iter(|| black_box(run(&cfg, &catalog, &params))));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
