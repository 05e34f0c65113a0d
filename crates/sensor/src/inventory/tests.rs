//! Inventory builder, renderers and file writer.

use super::entry::{RiskEntry, SeenAs};
use super::location::SiteWard;
use super::testkit::record;
use super::*;
use crate::config::{Location, LocationMatch};
use crate::model_set::ModelSet;
use std::path::Path;
use wardwatch_flow::catalog::EvidenceKind;
use wardwatch_flow::device::ServedService;
use wardwatch_flow::event::Transport;
use wardwatch_flow::identify::Evidence;
use wardwatch_flow::identify::advisory::{AdvisoryDb, Reachability};
use wardwatch_flow::{DeviceRecord, Identity, ModelId, Timestamp};

fn shipped() -> ModelSet {
    ModelSet::load_reference(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models")).unwrap()
}

fn tcp(port: u16) -> ServedService {
    ServedService {
        proto: Transport::Tcp,
        port,
    }
}

fn identified(mut r: DeviceRecord, model: &str, version: Option<&str>) -> DeviceRecord {
    r.identity = Identity {
        model: Some(ModelId::from(model)),
        class: Some("syringe_pump".into()),
        vendor: Some("Smiths Medical".into()),
        os: Some("embedded".into()),
        software_version: version.map(str::to_owned),
        confidence: 0.85,
    };
    r
}

fn medfusion(version: Option<&str>) -> DeviceRecord {
    let mut r = identified(
        record("00:1a:01:00:00:07", &["10.1.2.7"]),
        "smiths-medfusion-4000",
        version,
    );
    r.services = vec![tcp(21)];
    r.hostname = Some("MF4000-0007".into());
    let mac = Evidence::new(EvidenceKind::Mac, "00:1a:01:00:00:07");
    let ftp = Evidence::new(EvidenceKind::ServedPort, "tcp/21");
    let host = Evidence::new(EvidenceKind::DhcpHostname, "MF4000-0007");
    r.evidence = vec![mac.clone(), host.clone(), ftp.clone()];
    r.decided_by = vec![mac, host];
    r
}

fn one(records: &[DeviceRecord], models: &ModelSet) -> Vec<InventoryEntry> {
    build_inventory(records, models, &[], &DeviceStates::empty())
}

#[test]
fn medfusion_advisories_are_ranked_with_observed_reachability() {
    let entries = one(&[medfusion(Some("1.5.0"))], &shipped());
    let e = &entries[0];
    type Row<'a> = (
        u32,
        &'a str,
        f64,
        Reachability,
        Option<&'a str>,
        Option<SeenAs>,
    );
    let got: Vec<Row<'_>> = e
        .advisories
        .iter()
        .map(|a| {
            (
                a.priority,
                a.cve.as_str(),
                a.risk,
                a.reachability,
                a.observed_service.as_deref(),
                a.observed_as,
            )
        })
        .collect();
    let served = Some(SeenAs::Served);
    assert_eq!(
        got,
        vec![
            (
                1,
                "CVE-2017-12720",
                10.0,
                Reachability::Observed,
                Some("tcp/21"),
                served
            ),
            (
                2,
                "CVE-2017-12724",
                10.0,
                Reachability::Observed,
                Some("tcp/21"),
                served
            ),
            (
                3,
                "CVE-2017-12718",
                8.1,
                Reachability::NoNetworkService,
                None,
                None
            ),
            (
                4,
                "CVE-2017-12725",
                5.6,
                Reachability::NoNetworkService,
                None,
                None
            ),
            (
                5,
                "CVE-2017-12726",
                5.5,
                Reachability::NotObserved,
                None,
                None
            ),
        ]
    );
    let first = &e.advisories[0];
    assert_eq!(first.cvss_score, 8.1);
    assert_eq!(
        first.cvss_vector,
        "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"
    );
    assert_eq!(first.fixed.as_deref(), Some("1.6.1"));
    assert_eq!(first.source, "ICSMA-17-250-02A");
    assert_eq!(first.services, vec!["tcp/21"]);
    assert!(!first.known_exploited);
    assert_eq!(
        e.risk,
        RiskEntry {
            score: 10.0,
            known_exploited: false
        }
    );
    assert_eq!(e.services, vec!["tcp/21"]);
    assert_eq!(e.metrics_device, crate::metrics::device_label(&e.id));
    let decided: Vec<(&str, bool)> = e
        .evidence
        .iter()
        .map(|ev| (ev.kind.name(), ev.decided))
        .collect();
    assert_eq!(
        decided,
        vec![
            ("mac", true),
            ("dhcp_hostname", true),
            ("served_port", false)
        ]
    );
}

#[test]
fn fixed_and_unknown_versions() {
    let models = shipped();
    let fixed = one(&[medfusion(Some("1.6.1"))], &models);
    assert!(fixed[0].advisories.is_empty());
    assert_eq!(fixed[0].risk.score, 0.0);
    let unknown = one(&[medfusion(None)], &models);
    assert_eq!(unknown[0].advisories.len(), 5, "unknown version: all apply");
    let unidentified = one(&[record("00:1a:01:00:00:08", &["10.1.2.8"])], &models);
    assert!(unidentified[0].advisories.is_empty());
}

#[test]
fn a_service_the_device_used_counts_as_observed() {
    let mut r = identified(
        record("00:11:22:00:00:01", &["10.1.2.9"]),
        "bd-alaris-pcu-8015",
        Some("9.33.1"),
    );
    r.used = vec![ServedService {
        proto: Transport::Udp,
        port: 53,
    }];
    let e = &one(&[r], &shipped())[0];
    let cves: Vec<(&str, f64, Option<SeenAs>)> = e
        .advisories
        .iter()
        .map(|a| (a.cve.as_str(), a.risk, a.observed_as))
        .collect();
    assert_eq!(
        cves,
        vec![
            ("CVE-2016-20009", 10.0, Some(SeenAs::Used)),
            ("CVE-2020-25165", 6.5, None),
        ]
    );
}

const KEV_DB: &str = r#"
format = 1
[[advisory]]
cve = "CVE-2099-0001"
title = "invented for a test: known exploited, low score"
source = "test"
cvss_vector = "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"
cvss_score = 1.6
cvss_source = "test"
known_exploited = true
[[advisory.affects]]
model = "axis-p3265-camera"
versions = ["*"]
"#;

#[test]
fn devices_are_ordered_known_exploited_first_then_risk_then_id() {
    let mut models = shipped();
    let mut db_text = std::fs::read_to_string(models.dir.join("advisories.toml")).unwrap();
    db_text.push_str(KEV_DB.trim_start_matches("\nformat = 1"));
    models.advisories = AdvisoryDb::parse(&db_text).unwrap();
    let camera = identified(
        record("00:40:8c:00:00:01", &["10.0.0.30"]),
        "axis-p3265-camera",
        None,
    );
    let records = vec![
        record("00:00:00:00:00:09", &["10.0.0.9"]),
        medfusion(Some("1.6.1")),
        medfusion(Some("1.5.0")),
        record("10.0.0.2", &["10.0.0.2"]),
        camera,
        record("00:00:00:00:00:01", &["10.0.0.1"]),
    ];
    // The two pumps share a key in this test; give the patched one its own.
    let mut records = records;
    records[1].device.id = "00:1a:01:00:00:06".parse().unwrap();
    let entries = one(&records, &models);
    let order: Vec<(String, f64, bool)> = entries
        .iter()
        .map(|e| (e.id.to_string(), e.risk.score, e.risk.known_exploited))
        .collect();
    assert_eq!(
        order,
        vec![
            ("00:40:8c:00:00:01".into(), 1.6, true),
            ("00:1a:01:00:00:07".into(), 10.0, false),
            ("00:00:00:00:00:01".into(), 0.0, false),
            ("00:00:00:00:00:09".into(), 0.0, false),
            ("00:1a:01:00:00:06".into(), 0.0, false),
            ("10.0.0.2".into(), 0.0, false),
        ]
    );
    let summaries = risk_summaries(&entries);
    assert_eq!(summaries.len(), 6);
    assert_eq!(summaries[0].advisories, 1);
    assert!(summaries[0].known_exploited);
    assert_eq!(summaries[0].highest_cvss, 1.6);
    assert_eq!(summaries[1].advisories, 5);
    assert_eq!(summaries[1].highest_cvss, 8.1);
    assert_eq!(summaries[1].risk, 10.0);
    assert_eq!(
        (
            summaries[2].advisories,
            summaries[2].highest_cvss,
            summaries[2].risk
        ),
        (0, 0.0, 0.0)
    );
}

#[test]
fn locations_and_states_reach_the_entries() {
    let dir = tempfile::tempdir().unwrap();
    let pump = medfusion(Some("1.5.0"));
    mark_device(
        dir.path(),
        "10.1.2.7".parse().unwrap(),
        DeviceState::Authorized,
        ("asset tag 7", "biomed"),
        Timestamp::from_secs(1_767_700_000),
    )
    .unwrap();
    let states = DeviceStates::load(dir.path()).unwrap();
    let locations = [
        Location {
            matches: LocationMatch::Vlan(40),
            site: "North".into(),
            ward: "ICU".into(),
        },
        Location {
            matches: LocationMatch::Subnet("10.1.0.0/16".parse().unwrap()),
            site: "North".into(),
            ward: "Wards".into(),
        },
    ];
    let mut on_vlan = record("00:00:00:00:00:02", &["10.1.9.9"]);
    on_vlan.vlans = vec![40];
    let entries = build_inventory(&[pump, on_vlan], &shipped(), &locations, &states);
    assert_eq!(entries[0].state, DeviceState::Authorized);
    assert_eq!(
        entries[0].location,
        Some(SiteWard {
            site: "North".into(),
            ward: "Wards".into()
        })
    );
    assert_eq!(entries[1].state, DeviceState::New);
    assert_eq!(entries[1].location.as_ref().unwrap().ward, "ICU");
}

#[test]
fn json_has_exactly_the_documented_fields() {
    let entries = one(&[medfusion(Some("1.5.0"))], &shipped());
    let text = render::json(&entries).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let device = &value[0];
    let keys: Vec<&str> = device
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "mac",
        "ips",
        "vendor",
        "model",
        "class",
        "os",
        "software_version",
        "hostname",
        "services",
        "location",
        "first_seen",
        "last_seen",
        "confidence",
        "evidence",
        "advisories",
        "risk",
        "state",
        "metrics_device",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected, "serde_json sorts object keys");
    assert_eq!(device["mac"], "00:1a:01:00:00:07");
    assert_eq!(device["ips"][0], "10.1.2.7");
    assert_eq!(device["model"], "smiths-medfusion-4000");
    assert_eq!(device["first_seen"], "2026-01-05T08:00:00.000000Z");
    assert_eq!(device["state"], "new");
    assert_eq!(device["location"], serde_json::Value::Null);
    assert_eq!(
        device["risk"],
        serde_json::json!({"score": 10.0, "known_exploited": false})
    );
    assert_eq!(
        device["evidence"][1],
        serde_json::json!({"kind": "dhcp_hostname", "value": "MF4000-0007", "decided": true})
    );
    let advisory: Vec<&str> = device["advisories"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        advisory,
        vec![
            "cve",
            "cvss_score",
            "cvss_vector",
            "fixed",
            "known_exploited",
            "observed_as",
            "observed_service",
            "priority",
            "reachability",
            "risk",
            "services",
            "source",
            "title",
            "url"
        ]
    );
    assert_eq!(device["advisories"][0]["reachability"], "observed");
    assert_eq!(device["advisories"][0]["observed_as"], "served");
    // Field order in the text follows the struct (mac first, metrics_device last).
    assert!(
        text.trim_start().starts_with("[\n  {\n    \"mac\": "),
        "{text}"
    );
    assert_eq!(render::json(&entries).unwrap(), text, "deterministic");
}

#[test]
fn write_inventory_is_atomic_and_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.json");
    let entries = one(&[medfusion(Some("1.5.0"))], &shipped());
    write_inventory(&path, &entries).unwrap();
    let first = std::fs::read(&path).unwrap();
    write_inventory(&path, &entries).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), first);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp left"
    );
    let parsed: Vec<serde_json::Value> = serde_json::from_slice(&first).unwrap();
    assert_eq!(parsed.len(), 1);
    let missing = dir.path().join("no-such-dir").join("inventory.json");
    let err = write_inventory(&missing, &entries).unwrap_err().to_string();
    assert!(err.contains("no-such-dir"), "{err}");
}

fn hostile(i: u8) -> DeviceRecord {
    let mut r = identified(
        record(&format!("00:1a:01:00:01:{i:02x}"), &["10.1.2.7"]),
        "smiths-medfusion-4000",
        Some("1.5.0\u{202e}evil"),
    );
    r.identity.vendor = Some(
        "Shenzhen Extraordinarily Long Vendor Name Technology Company Limited, Branch Office"
            .into(),
    );
    r.identity.os = Some("embedded\tRTOS".into());
    r.hostname = Some("=cmd|' /C calc'!A0,\"quoted\"\r\nnext\u{1b}[31m".into());
    r.ips = vec![
        "10.1.2.7".parse().unwrap(),
        "fd00:1234:5678:9abc:def0:1234:5678:9abc".parse().unwrap(),
    ];
    r.services = (1..=30).map(|p| tcp(1000 + p)).collect();
    r
}

#[test]
fn the_table_fits_80_columns_even_with_hostile_text() {
    let mut records: Vec<DeviceRecord> = (0..3).map(hostile).collect();
    let mut v6 = record(
        "fd00:1234:5678:9abc:def0:1234:5678:9abc",
        &["fd00:1234:5678:9abc:def0:1234:5678:9abc"],
    );
    v6.identity.class = Some("workstation".into());
    v6.hostname = Some("漢字のとても長いホスト名です漢字のとても長いホスト名です漢字の".into());
    records.push(v6);
    records.push(medfusion(Some("1.5.0")));
    let dir = tempfile::tempdir().unwrap();
    let locations = [Location {
        matches: LocationMatch::Subnet("10.0.0.0/8".parse().unwrap()),
        site: "A".repeat(64),
        ward: "B".repeat(64),
    }];
    let states = DeviceStates::load(dir.path()).unwrap();
    let entries = build_inventory(&records, &shipped(), &locations, &states);
    let text = render::table(&entries);
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "{} chars: {line}",
            line.chars().count()
        );
        assert!(
            unicode_width::UnicodeWidthStr::width(line) <= 80,
            "{} columns: {line}",
            unicode_width::UnicodeWidthStr::width(line)
        );
        assert!(
            !line.chars().any(char::is_control),
            "control char: {line:?}"
        );
        assert!(!line.contains('\u{202e}'), "bidi override: {line:?}");
    }
    assert!(text.contains("+2 more advisories"), "{text}");
    assert!(
        text.contains("Shenzhen Extraordinarily Long Vendor Name"),
        "{text}"
    );
    assert!(
        text.contains("addresses 10.1.2.7 fd00:1234:5678:9abc:def0:1234:5678:9abc"),
        "{text}"
    );
    assert!(
        text.ends_with("5 devices · 4 with advisories (0 known exploited) · 5 new\n"),
        "{text}"
    );
}

#[test]
fn a_plain_device_renders_exactly() {
    let entries = one(&[medfusion(Some("1.5.0"))], &shipped());
    let text = render::table(&entries);
    let expected = "\
RISK     DEVICE             ADDRESS          MODEL
         vendor · version · OS · host · state · location · serves
--------------------------------------------------------------------------------
10.0     00:1a:01:00:00:07  10.1.2.7         smiths-medfusion-4000
         Smiths Medical · version 1.5.0 · OS embedded · host MF4000-0007
         state new · serves tcp/21
         CVE-2017-12720   risk 10.0  CVSS  8.1  tcp/21 served
         CVE-2017-12724   risk 10.0  CVSS  8.1  tcp/21 served
         CVE-2017-12718   risk  8.1  CVSS  8.1
         +2 more advisories (--format json lists all)
--------------------------------------------------------------------------------
1 device · 1 with advisories (0 known exploited) · 1 new
";
    assert_eq!(text, expected);
    assert_eq!(render::table(&[]), "No devices found.\n");
}

#[test]
fn csv_quotes_hostile_strings_and_round_trips() {
    let entries = one(&[hostile(1), medfusion(Some("1.5.0"))], &shipped());
    let bytes = render::csv(&entries).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with(
        "mac,ips,vendor,model,class,os,software_version,hostname,services,site,ward,first_seen,\
         last_seen,confidence,risk,known_exploited,advisories,state,metrics_device\r\n"
    ));
    // The hostile host name is quoted, its quotes doubled, the formula defused, ESC replaced.
    assert!(
        text.contains("\"'=cmd|' /C calc'!A0,\"\"quoted\"\"\r\nnext\u{fffd}[31m\""),
        "{text}"
    );
    let mut reader = ::csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.len(), 19);
    let mut rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "embedded CR LF stays inside its field");
    // Equal risk: ordered by id, so the Medfusion (…:00:07) comes first.
    assert_eq!(&rows[0][0], "00:1a:01:00:00:07");
    rows.swap(0, 1);
    let hostname = headers.iter().position(|h| h == "hostname").unwrap();
    assert_eq!(
        &rows[0][hostname],
        "'=cmd|' /C calc'!A0,\"quoted\"\r\nnext\u{fffd}[31m"
    );
    assert_eq!(
        &rows[0][2],
        "Shenzhen Extraordinarily Long Vendor Name Technology Company Limited, Branch Office"
    );
    assert_eq!(
        &rows[0][1],
        "10.1.2.7 fd00:1234:5678:9abc:def0:1234:5678:9abc"
    );
    assert_eq!(&rows[0][5], "embedded\tRTOS");
    assert_eq!(&rows[1][14], "10.0");
    assert_eq!(
        &rows[1][16],
        "CVE-2017-12720 CVE-2017-12724 CVE-2017-12718 CVE-2017-12725 CVE-2017-12726"
    );
    assert_eq!(&rows[1][17], "new");
    assert_eq!(render::csv_text("-1+1"), "'-1+1");
    assert_eq!(render::csv_text("@SUM(A1)"), "'@SUM(A1)");
    assert_eq!(render::csv_text("plain"), "plain");
}

#[test]
fn states_decide_which_devices_alert_for_being_new() {
    use std::sync::Arc;
    use wardwatch_baseline::{AlertKind, Detector, DetectorConfig, ModelSet as Profiles};
    use wardwatch_flow::{DeviceRef, Event};
    let mut states = DeviceStates::empty();
    let now = Timestamp::from_secs(1_767_600_000);
    for (id, state) in [
        ("00:09:fb:00:00:01", DeviceState::Authorized),
        ("10.0.0.2", DeviceState::Investigating),
        ("00:09:fb:00:00:04", DeviceState::Retired),
    ] {
        states
            .mark(id.parse().unwrap(), state, "r", "a", now)
            .unwrap();
    }
    let records = [
        record("00:09:fb:00:00:01", &["10.0.0.1"]),
        record("00:09:fb:00:00:02", &["10.0.0.2"]),
        record("00:09:fb:00:00:03", &["10.0.0.3"]),
        record("00:09:fb:00:00:04", &["10.0.0.4"]),
    ];
    let mut detector = Detector::new(Arc::new(Profiles::empty()), DetectorConfig::default());
    detector.end_discovery();
    detector.set_device_states(states.detector_statuses(&records));
    let mut alerts = Vec::new();
    for round in 0..2u64 {
        for r in &records {
            let event = Event::DeviceEstablished {
                ts: Timestamp::from_secs(1_767_600_100 + round * 7200),
                device: DeviceRef {
                    id: r.device.id,
                    mac: r.device.mac,
                    ip: r.ips.first().copied(),
                },
                identity: Identity::default(),
            };
            detector.process(&event, &mut alerts);
        }
    }
    let new_devices: Vec<String> = alerts
        .iter()
        .filter(|a| a.kind == AlertKind::NewDevice)
        .map(|a| a.device.id.to_string())
        .collect();
    // Authorized and investigating devices never alert; a new (and a retired, returning)
    // device alerts once.
    assert_eq!(new_devices, vec!["00:09:fb:00:00:03", "00:09:fb:00:00:04"]);
}
