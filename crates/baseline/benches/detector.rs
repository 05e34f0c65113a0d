//! Speed of the detector per window and of training, on the test kit's synthetic pump fleet.
#![allow(missing_docs, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::Arc;
use wardwatch_baseline::testkit::{FleetSpec, fleet_windows, pump_window};
use wardwatch_baseline::{Detector, DetectorConfig, TrainParams, train};
use wardwatch_flow::Event;

fn bench(c: &mut Criterion) {
    let spec = FleetSpec::pumps(5, 3, 300);
    let windows = fleet_windows(&spec);
    let (set, _) = train(&windows, &TrainParams::default()).expect("training");
    let set = Arc::new(set);
    let events: Vec<Event> = (0..1000u64)
        .map(|i| Event::Window(Box::new(pump_window(&spec, 1 + (i % 5) as u32, 864 + i))))
        .collect();
    c.bench_function("detector_process_1000_windows", |b| {
        b.iter(|| {
            let mut det = Detector::new(Arc::clone(&set), DetectorConfig::default());
            let mut out = Vec::new();
            for e in &events {
                det.process(black_box(e), &mut out);
            }
            out.len()
        })
    });
    let mut group = c.benchmark_group("training");
    group.sample_size(10);
    group.bench_function("train_5_pumps_3_days_300s", |b| {
        b.iter(|| train(black_box(&windows), &TrainParams::default()).expect("training"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
