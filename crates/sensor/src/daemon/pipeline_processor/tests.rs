use super::*;
use crate::config::Overrides;
use std::path::Path;
use wardwatch_baseline::AlertKind;

const SCANNER: [u8; 6] = [0x00, 0x09, 0xfb, 0, 0, 5];
const TARGET: [u8; 6] = [0x00, 0x09, 0xfb, 0, 0, 9];
const T0: u64 = 1_767_600_000;

fn tcp(src: ([u8; 6], [u8; 4], u16), dst: ([u8; 6], [u8; 4], u16), flags: &str) -> Vec<u8> {
    let mut b = etherparse::PacketBuilder::ethernet2(src.0, dst.0)
        .ipv4(src.1, dst.1, 64)
        .tcp(src.2, dst.2, 1000, 64_000);
    if flags.contains('S') {
        b = b.syn();
    }
    if flags.contains('A') {
        b = b.ack(1001);
    }
    if flags.contains('R') {
        b = b.rst();
    }
    let mut frame = Vec::new();
    b.write(&mut frame, &[]).unwrap();
    frame
}

fn record(ts: Timestamp, data: Vec<u8>) -> PacketRecord {
    PacketRecord {
        ts,
        linktype: 1,
        wire_len: data.len() as u32,
        data,
    }
}

/// A completed handshake to 10.20.0.9:80 (both hosts become established), then a SYN scan of 40
/// ports of 10.20.0.9 from 10.20.0.5 (every port answers RST), starting at `t0`; a last UDP
/// packet ten minutes later lets the scan's flows expire.
fn scan(t0: u64) -> Vec<PacketRecord> {
    let start = Timestamp::from_secs(t0);
    let ms = wardwatch_flow::Span::from_millis;
    let a = (SCANNER, [10, 20, 0, 5], 39_999);
    let b = (TARGET, [10, 20, 0, 9], 80);
    let mut records = vec![
        record(start, tcp(a, b, "S")),
        record(start.add(ms(1)), tcp(b, a, "SA")),
        record(start.add(ms(2)), tcp(a, b, "A")),
    ];
    let mut udp = Vec::new();
    etherparse::PacketBuilder::ethernet2(SCANNER, TARGET)
        .ipv4([10, 20, 0, 5], [10, 20, 0, 9], 64)
        .udp(5000, 5000)
        .write(&mut udp, &[1, 2, 3])
        .unwrap();
    let late = record(start.add(wardwatch_flow::Span::from_secs(600)), udp);
    for i in 0..40u16 {
        let ts = start.add(ms(100 + u64::from(i) * 100));
        let syn = tcp(
            (SCANNER, [10, 20, 0, 5], 40_000 + i),
            (TARGET, [10, 20, 0, 9], 1 + i),
            "S",
        );
        let rst = tcp(
            (TARGET, [10, 20, 0, 9], 1 + i),
            (SCANNER, [10, 20, 0, 5], 40_000 + i),
            "RA",
        );
        records.push(record(ts, syn));
        records.push(record(ts.add(ms(1)), rst));
    }
    records.push(late);
    records
}

fn setup(allowlist: Option<&Path>) -> (Config, Arc<ModelSet>, Arc<Metrics>) {
    let mut config = crate::config::load(
        None,
        &Overrides {
            replay: Some("x.pcap".into()),
            ..Overrides::default()
        },
    )
    .unwrap();
    config.allowlist = allowlist.map(Path::to_path_buf);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
    let empty = tempfile::tempdir().unwrap();
    let models = Arc::new(ModelSet::load(&dir, empty.path()).unwrap());
    (config, models, Arc::new(Metrics::new(16).unwrap()))
}

fn run(p: &mut PipelineProcessor, records: &[PacketRecord]) -> Output {
    let mut out = Output::default();
    for r in records {
        p.on_packet(r, &mut out);
    }
    p.finish(&mut out);
    out
}

fn kinds(out: &Output) -> Vec<AlertKind> {
    out.alerts.iter().map(|a| a.kind).collect()
}

#[test]
fn a_port_scan_raises_port_scan_and_windows_are_emitted() {
    let (config, models, metrics) = setup(None);
    let mut p = PipelineProcessor::new(&config, &models, &metrics).unwrap();
    let out = run(&mut p, &scan(T0));
    let scan_alert = out
        .alerts
        .iter()
        .find(|a| a.kind == AlertKind::PortScan)
        .unwrap_or_else(|| panic!("{:?}", kinds(&out)));
    assert_eq!(
        scan_alert.device.mac,
        Some(wardwatch_flow::MacAddr(SCANNER))
    );
    assert!(
        out.windows
            .iter()
            .any(|w| w.device.mac == Some(wardwatch_flow::MacAddr(SCANNER)))
    );
    p.publish(&metrics);
    let body = String::from_utf8(metrics.render().unwrap()).unwrap();
    let value = |series: &str| crate::testutil::sample(&body, series);
    assert_eq!(value("wardwatch_flows_created_total"), Some(42.0), "{body}");
    assert_eq!(
        value(r#"wardwatch_flows_evicted_total{reason="failed"}"#),
        Some(40.0)
    );
    assert_eq!(
        value(r#"wardwatch_flows_evicted_total{reason="idle"}"#),
        Some(1.0)
    );
    assert_eq!(
        value(r#"wardwatch_flows_evicted_total{reason="flush"}"#),
        Some(1.0)
    );
    assert_eq!(
        value(r#"wardwatch_devices{class="unknown",model="unknown",state="established"}"#),
        Some(2.0)
    );
}

#[test]
fn restored_state_keeps_devices_known_so_they_are_not_announced_again() {
    let (mut config, models, metrics) = setup(None);
    // A first start takes the devices it finds as its starting inventory (discovery).
    let mut fresh = PipelineProcessor::new(&config, &models, &metrics).unwrap();
    let out = run(&mut fresh, &scan(T0));
    assert!(
        !kinds(&out).contains(&AlertKind::NewDevice),
        "{:?}",
        kinds(&out)
    );
    assert!(kinds(&out).contains(&AlertKind::PortScan));
    config.alerts.discovery = std::time::Duration::ZERO;
    let mut first = PipelineProcessor::new(&config, &models, &metrics).unwrap();
    let out = run(&mut first, &scan(T0));
    let new_devices = kinds(&out)
        .iter()
        .filter(|k| **k == AlertKind::NewDevice)
        .count();
    assert_eq!(new_devices, 2, "{:?}", kinds(&out));
    let state = first.snapshot().unwrap();
    let parsed: serde_json::Value = serde_json::from_slice(&state).unwrap();
    assert_eq!(parsed["format"], 1);
    assert_eq!(parsed["known_devices"].as_array().unwrap().len(), 2);

    let mut second = PipelineProcessor::new(&config, &models, &metrics).unwrap();
    second.restore(&state).unwrap();
    let out = run(&mut second, &scan(T0 + 7200));
    assert!(
        !kinds(&out).contains(&AlertKind::NewDevice),
        "{:?}",
        kinds(&out)
    );
    assert!(kinds(&out).contains(&AlertKind::PortScan));
    assert!(second.restore(b"{\"format\": 2}").is_err());
}

#[test]
fn reload_refuses_a_bad_allow_list_and_applies_a_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("allow.toml");
    std::fs::write(&path, "").unwrap();
    let (mut config, models, metrics) = setup(Some(&path));
    let mut p = PipelineProcessor::new(&config, &models, &metrics).unwrap();
    std::fs::write(&path, "[[allow]]\nkind = \"port_scan\"\n").unwrap();
    let err = p.reload(&config, &models).unwrap_err();
    assert!(err.contains("field `reason`"), "{err}");
    std::fs::write(
        &path,
        "[[allow]]\nkind = \"port_scan\"\nreason = \"nightly authorised scan\"\nauthor = \"it\"\ncreated = \"2026-01-01T00:00:00Z\"\n",
    )
    .unwrap();
    config.alerts.suppression = std::time::Duration::from_secs(60);
    p.reload(&config, &models).unwrap();
    let out = run(&mut p, &scan(T0));
    assert!(
        !kinds(&out).contains(&AlertKind::PortScan),
        "{:?}",
        kinds(&out)
    );
    assert!(kinds(&out).contains(&AlertKind::NewDevice));
}
