//! `wardwatch synth` as a user runs it: the three files, determinism, exit codes, memory that
//! does not grow with the capture's length, and tshark dissecting the capture cleanly.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use wardwatch_e2e::{repo_root, stderr, wardwatch};

/// Example identities set on a few catalog models (replacing any), so the tshark test knows
/// exactly which DHCP vendor classes, SNIs, AE titles and MSH-3 values must appear.
const EXAMPLE_EMITS: &str = r#"
[win10-clinical-workstation.dhcp]
hostname = "WS-{n}"
vendor_class = "MSFT 5.0"
params = [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252]
client_id = true

[axis-p3265-camera.dhcp]
vendor_class = "Axis,Dome Camera,P3265-LV,{version}"
params = [1, 3, 6, 12, 15, 28, 42]

[bd-alaris-pcu-8015]
tls_sni = ["asm.alaris.ward.example"]

[ge-revolution-ct.dicom]
ae_title = "CT_ROOM{n}"
impl_class_uid = "1.2.840.113619.6.286"
impl_version = "REVOLUTION_{version}"
sop_classes = ["1.2.840.10008.5.1.4.1.1.2"]

[ge-vivid-e95.dicom]
ae_title = "US_VIVID{n}"
impl_class_uid = "1.2.840.113619.6.144"
impl_version = "VIVIDE95_{version}"
sop_classes = ["1.2.840.10008.5.1.4.1.1.6.1"]

[dcmtk-pacs.dicom]
ae_title = "PACS01"
impl_class_uid = "1.2.276.0.7230010.3.0.3.6.8"
impl_version = "OFFIS_DCMTK_368"

[ge-carescape-b450.hl7]
sending_app = "CARESCAPE_B450"
sending_facility = "ICU4"
version = "2.6"

[mindray-benevision-n15.hl7]
sending_app = "BENEVISION_N15"
version = "2.3.1"
"#;

/// A scratch folder with the test catalog and a small-volume ward config.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new(bytes_scale: f64) -> Scratch {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = repo_root();
        let catalog = std::fs::read_to_string(root.join("models/catalog.toml")).expect("catalog");
        let mut doc: toml::Table = catalog.parse().expect("catalog TOML");
        let emits: toml::Table = EXAMPLE_EMITS.parse().expect("emits TOML");
        for model in doc
            .get_mut("model")
            .and_then(|m| m.as_array_mut())
            .expect("models")
        {
            let table = model.as_table_mut().expect("model");
            let id = table
                .get("id")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            if let Some(e) = emits.get(&id) {
                table.insert("emits".into(), e.clone());
            }
        }
        std::fs::write(
            dir.path().join("catalog.toml"),
            toml::to_string(&doc).expect("TOML"),
        )
        .expect("write catalog");
        let ward = std::fs::read_to_string(root.join("crates/synth/ward.default.toml"))
            .expect("default ward");
        let ward = ward.replacen(
            "bytes_scale = 1.0",
            &format!("bytes_scale = {bytes_scale}"),
            1,
        );
        std::fs::write(dir.path().join("ward.toml"), ward).expect("write ward");
        Scratch { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `wardwatch synth` with the scratch catalog and config, writing `name`.pcap.
    fn synth(&self, name: &str, extra: &[&str]) -> Output {
        let out = self.path(&format!("{name}.pcap"));
        let catalog = self.path("catalog.toml");
        let config = self.path("ward.toml");
        let mut args = vec![
            "synth",
            "--out",
            out.to_str().unwrap(),
            "--catalog",
            catalog.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        wardwatch(&args)
    }

    fn files(&self, name: &str) -> [Vec<u8>; 3] {
        ["pcap", "labels.jsonl", "devices.jsonl"]
            .map(|ext| std::fs::read(self.path(&format!("{name}.{ext}"))).expect("output file"))
    }
}

fn ok(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
}

fn jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .expect("jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

#[test]
fn writes_capture_labels_and_devices_deterministically() {
    let s = Scratch::new(0.01);
    let args = [
        "--seed",
        "7",
        "--devices",
        "30",
        "--duration",
        "40m",
        "--start",
        "2026-01-05T18:00:00Z",
    ];
    ok(&s.synth("a", &args));
    ok(&s.synth("b", &args));
    let (a, b) = (s.files("a"), s.files("b"));
    assert_eq!(&a[0][..4], &[0xd4, 0xc3, 0xb2, 0xa1], "libpcap magic");
    assert!(a[0] == b[0], "pcap differs between identical runs");
    assert_eq!(a[1], b[1]);
    assert_eq!(a[2], b[2]);
    let other = [
        "--seed",
        "8",
        "--devices",
        "30",
        "--duration",
        "40m",
        "--start",
        "2026-01-05T18:00:00Z",
    ];
    ok(&s.synth("c", &other));
    let c = s.files("c");
    assert!(a[0] != c[0] && a[1] != c[1]);

    let labels = jsonl(&s.path("a.labels.jsonl"));
    assert_eq!(labels.len(), 10);
    for l in &labels {
        for key in [
            "kind",
            "mac",
            "ip",
            "victims",
            "start",
            "end",
            "description",
            "expected_alerts",
        ] {
            assert!(l.get(key).is_some(), "label without {key}: {l}");
        }
        assert!(l["start"].as_str().unwrap() <= l["end"].as_str().unwrap());
        assert!(l["start"].as_str().unwrap() >= "2026-01-05T18:10:00", "{l}");
    }
    let devices = jsonl(&s.path("a.devices.jsonl"));
    assert!(devices.len() >= 30);
    for d in &devices {
        for key in [
            "mac",
            "ip",
            "model",
            "vendor",
            "class",
            "software_version",
            "location",
        ] {
            assert!(d.get(key).is_some(), "device without {key}: {d}");
        }
    }
    let kinds: BTreeSet<&str> = labels.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert!(
        kinds.contains("lateral_movement") && kinds.contains("ssh_brute_force"),
        "{kinds:?}"
    );
}

#[test]
fn bad_flags_and_configs_exit_2_naming_the_problem() {
    let s = Scratch::new(0.01);
    for (args, needle) in [
        (&["--duration", "soon"][..], "--duration"),
        (&["--scenarios", "telnet_scan,teleport"][..], "teleport"),
        (&["--devices", "0"][..], "--devices"),
        (&["--start", "yesterday"][..], "--start"),
        (&["--duration", "5m"][..], "--duration"),
    ] {
        let out = s.synth("x", args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert!(
            !s.path("x.pcap").exists(),
            "no capture is left behind on an error"
        );
    }
    std::fs::write(s.path("bad.toml"), "name = 1\ncolour = true\n").unwrap();
    let out = wardwatch(&[
        "synth",
        "--out",
        s.path("y.pcap").to_str().unwrap(),
        "--config",
        s.path("bad.toml").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("bad.toml"), "{}", stderr(&out));
    let out = wardwatch(&[
        "synth",
        "--out",
        "/nonexistent-dir/w.pcap",
        "--duration",
        "1m",
        "--scenarios",
        "none",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

/// Peak RSS the binary reports (VmHWM) in MiB.
fn peak_rss_mib(out: &Output) -> f64 {
    let text = stderr(out);
    let tail = text
        .split("peak RSS ")
        .nth(1)
        .unwrap_or_else(|| panic!("no peak RSS in: {text}"));
    tail.split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn memory_does_not_grow_with_the_duration() {
    if !Path::new("/proc/self/status").exists() {
        eprintln!("skipped: /proc/self/status not available");
        return;
    }
    let s = Scratch::new(0.001);
    let short = s.synth(
        "short",
        &[
            "--devices",
            "40",
            "--duration",
            "15m",
            "--scenarios",
            "none",
        ],
    );
    ok(&short);
    let long = s.synth(
        "long",
        &["--devices", "40", "--duration", "6h", "--scenarios", "none"],
    );
    ok(&long);
    let (a, b) = (peak_rss_mib(&short), peak_rss_mib(&long));
    let size = |n: &str| {
        std::fs::metadata(s.path(&format!("{n}.pcap")))
            .unwrap()
            .len()
    };
    assert!(
        size("long") > 10 * size("short"),
        "the long capture is much larger"
    );
    assert!(
        b < a * 1.5 + 4.0,
        "peak RSS {b} MiB for 6 h vs {a} MiB for 15 min"
    );
}

fn tshark() -> &'static str {
    let found = Command::new("tshark")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "tshark is not installed: run `make deps` (it installs tshark)"
    );
    "tshark"
}

fn tshark_fields(pcap: &Path, filter: &str, fields: &[&str]) -> Vec<String> {
    let mut cmd = Command::new(tshark());
    cmd.args(["-n", "-r", pcap.to_str().unwrap()]);
    for port in ["104", "11112"] {
        cmd.args(["-d", &format!("tcp.port=={port},dicom")]);
    }
    for port in ["2575", "4601", "5000", "6661"] {
        cmd.args(["-d", &format!("tcp.port=={port},hl7")]);
    }
    cmd.args(["-Y", filter, "-T", "fields", "-E", "separator=|"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("tshark runs");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn tshark_dissects_the_capture_cleanly_and_finds_the_identities() {
    let s = Scratch::new(0.003);
    ok(&s.synth(
        "t",
        &[
            "--seed",
            "5",
            "--devices",
            "60",
            "--duration",
            "75m",
            "--start",
            "2026-01-05T07:30:00Z",
        ],
    ));
    let pcap = s.path("t.pcap");

    let bad = tshark_fields(
        &pcap,
        "_ws.malformed || _ws.expert.severity == error",
        &["frame.number", "_ws.col.Protocol", "_ws.expert.message"],
    );
    assert!(
        bad.is_empty(),
        "{} malformed/error frames, first: {:?}",
        bad.len(),
        &bad[..bad.len().min(10)]
    );

    let classes: BTreeSet<String> = tshark_fields(
        &pcap,
        "dhcp.option.vendor_class_id",
        &["dhcp.option.vendor_class_id"],
    )
    .into_iter()
    .collect();
    assert!(classes.contains("MSFT 5.0"), "{classes:?}");
    assert!(
        classes
            .iter()
            .any(|c| c.starts_with("Axis,Dome Camera,P3265-LV,")),
        "{classes:?}"
    );

    let snis: BTreeSet<String> = tshark_fields(
        &pcap,
        "tls.handshake.extensions_server_name",
        &["tls.handshake.extensions_server_name"],
    )
    .into_iter()
    .collect();
    for sni in ["asm.alaris.ward.example", "emr-ctx01.ward.example"] {
        assert!(snis.contains(sni), "{sni} not in {snis:?}");
    }

    let assoc = tshark_fields(
        &pcap,
        "dicom.assoc.ae.calling",
        &[
            "dicom.pdu.type",
            "dicom.assoc.ae.calling",
            "dicom.assoc.ae.called",
            "dicom.userinfo.uid",
            "dicom.userinfo.version",
        ],
    );
    let rq =
        |calling: &str, uid: &str| assoc.iter().any(|l| l.contains(calling) && l.contains(uid));
    assert!(rq("CT_ROOM001", "1.2.840.113619.6.286"), "{assoc:?}");
    assert!(rq("US_VIVID", "1.2.840.113619.6.144"), "{assoc:?}");
    assert!(
        assoc
            .iter()
            .any(|l| l.contains("PACS01") && l.contains("OFFIS_DCMTK_368")),
        "A-ASSOCIATE-AC of the PACS: {assoc:?}"
    );

    let msh = tshark_fields(&pcap, "hl7", &["hl7.segment"]);
    for app in [
        "MSH|^~\\&|CARESCAPE_B450|ICU4|",
        "MSH|^~\\&|BENEVISION_N15||",
    ] {
        assert!(
            msh.iter().any(|l| l.contains(app)),
            "{app} not in {} HL7 frames",
            msh.len()
        );
    }
}
