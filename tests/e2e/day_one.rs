//! Day-one enforcement (issue #13): a pump of an assessed catalog model is held to its declared
//! profile from the first packet. The declaration comes from a MUD file written here and turned
//! into `models/declared/<model>.json` by the real `wardwatch assess --write-profile`; the pump is
//! identified from the DHCP identity its catalog entry emits. Its declared connection stays
//! quiet; its first undeclared one raises `new_service` "not declared by the manufacturer".

use std::path::Path;
use std::time::Duration;
use wardwatch_e2e::process::Daemon;
use wardwatch_e2e::scene::{Host, Scene, at, catalog_identity};
use wardwatch_e2e::{repo_root, stderr, wardwatch};

const MODEL: &str = "bd-alaris-pcu-8015";

/// A MUD file for the pump: TCP 8443 to its controller, DNS and NTP on the local network.
fn mud() -> String {
    let ace = |name: &str, proto: u8, peer: &str, l4: &str| {
        format!(
            r#"{{"name": "{name}", "matches": {{"ietf-mud:mud": {peer}, "ipv4": {{"protocol": {proto}}}, {l4}}}, "actions": {{"forwarding": "accept"}}}}"#
        )
    };
    let controller = r#"{"controller": "https://bd.example/mud/pcu-gateway"}"#;
    let local = r#"{"local-networks": [null]}"#;
    let from = [
        ace(
            "fr-gw",
            6,
            controller,
            r#""tcp": {"ietf-mud:direction-initiated": "from-device", "destination-port": {"operator": "eq", "port": 8443}}"#,
        ),
        ace(
            "fr-dns",
            17,
            local,
            r#""udp": {"destination-port": {"operator": "eq", "port": 53}}"#,
        ),
        ace(
            "fr-ntp",
            17,
            local,
            r#""udp": {"destination-port": {"operator": "eq", "port": 123}}"#,
        ),
    ];
    let to = [
        ace(
            "to-gw",
            6,
            controller,
            r#""tcp": {"ietf-mud:direction-initiated": "from-device", "source-port": {"operator": "eq", "port": 8443}}"#,
        ),
        ace(
            "to-dns",
            17,
            local,
            r#""udp": {"source-port": {"operator": "eq", "port": 53}}"#,
        ),
        ace(
            "to-ntp",
            17,
            local,
            r#""udp": {"source-port": {"operator": "eq", "port": 123}}"#,
        ),
    ];
    format!(
        r#"{{"ietf-mud:mud": {{"mud-version": 1, "mud-url": "https://bd.example/mud/pcu-8015.json", "last-update": "2025-06-01T00:00:00+00:00", "cache-validity": 48, "is-supported": true, "systeminfo": "Alaris PC Unit", "mfg-name": "BD", "model-name": "Alaris PC Unit 8015",
  "from-device-policy": {{"access-lists": {{"access-list": [{{"name": "pcu-fr"}}]}}}},
  "to-device-policy": {{"access-lists": {{"access-list": [{{"name": "pcu-to"}}]}}}}}},
 "ietf-access-control-list:acls": {{"acl": [
  {{"name": "pcu-fr", "type": "ipv4-acl-type", "aces": {{"ace": [{}]}}}},
  {{"name": "pcu-to", "type": "ipv4-acl-type", "aces": {{"ace": [{}]}}}}]}}}}"#,
        from.join(", "),
        to.join(", ")
    )
}

/// The pump boots (DHCP), uses its declared gateway on 8443 and DNS, then at 185 s opens an
/// undeclared HTTP (8080) connection to another internal host.
fn capture(path: &Path) -> Host {
    let (mac, identity) = catalog_identity(MODEL, 4711);
    let pump = Host::via(mac, [10, 20, 2, 50]);
    let dhcp = Host::ward(0, 3);
    let gateway = Host::ward(0, 20);
    let web = Host::ward(0, 30);
    let mut s = Scene::new();
    s.dhcp(at(0.0), pump, dhcp, &identity);
    for step in 0..8u16 {
        let t = 2.0 + f64::from(step) * 30.0;
        s.tcp_session(at(t), pump, gateway, (40_000 + step, 8443), 400);
        s.udp(at(t + 0.5), pump, dhcp, (50_000 + step, 53), b"query");
        s.udp(at(t + 0.501), dhcp, pump, (53, 50_000 + step), b"answer");
    }
    s.tcp_session(at(185.0), pump, web, (41_000, 8080), 200);
    s.write(path);
    pump
}

#[test]
fn an_assessed_model_is_held_to_its_declaration_from_the_first_packet() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    std::fs::create_dir_all(models.join("declared")).unwrap();
    for file in ["catalog.toml", "oui.tsv", "advisories.toml"] {
        std::fs::copy(repo_root().join("models").join(file), models.join(file)).unwrap();
    }
    let mud_file = dir.path().join("pcu.mud.json");
    std::fs::write(&mud_file, mud()).unwrap();
    let profile = models.join("declared").join(format!("{MODEL}.json"));
    let out = wardwatch(&[
        "assess",
        "--model",
        MODEL,
        "--mud",
        mud_file.to_str().unwrap(),
        "--write-profile",
        profile.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let pcap = dir.path().join("pump.pcap");
    let pump = capture(&pcap);
    let alerts = dir.path().join("alerts.jsonl");
    let mut daemon = Daemon::start(
        dir.path(),
        &[
            "--replay",
            pcap.to_str().unwrap(),
            "--models",
            models.to_str().unwrap(),
            "--alerts",
            alerts.to_str().unwrap(),
        ],
    );
    let status = daemon
        .process
        .wait_for(Duration::from_secs(60))
        .expect("exits");
    assert_eq!(status.code(), Some(0), "{}", daemon.log());
    assert!(
        daemon.log().contains(
            "peer class \"controller:https://bd.example/mud/pcu-gateway\" is not checked"
        ),
        "what the sensor cannot represent is logged:\n{}",
        daemon.log()
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&alerts)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let about_pump: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|a| a["device"]["mac"] == pump.mac_text())
        .collect();
    let undeclared: Vec<&&serde_json::Value> = about_pump
        .iter()
        .filter(|a| a["kind"] == "new_service" || a["kind"] == "new_external_destination")
        .collect();
    assert_eq!(undeclared.len(), 1, "{about_pump:#?}");
    let alert = undeclared[0];
    assert_eq!(alert["kind"], "new_service");
    assert_eq!(
        alert["device"]["model"], MODEL,
        "identified from its catalog identity"
    );
    assert_eq!(
        alert["ts"], "2026-01-05T08:03:00.000000Z",
        "the window of the 8080 connection"
    );
    let explanation = alert["explanation"].as_str().unwrap();
    assert!(explanation.contains("HTTP (8080)"), "{explanation}");
    assert!(
        explanation.contains("not declared by the manufacturer"),
        "{explanation}"
    );
    assert!(
        explanation.contains("MUD https://bd.example/mud/pcu-8015.json"),
        "{explanation}"
    );
    assert_eq!(
        alert["evidence"]["declared_profile"],
        "MUD https://bd.example/mud/pcu-8015.json"
    );
    let others: Vec<&str> = about_pump
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .filter(|k| *k != "new_service")
        .collect();
    // The sensor starts with this capture, so the pump is part of its starting inventory
    // (alerts.discovery_secs): no new_device, and the declared traffic stays quiet.
    assert!(
        others.is_empty(),
        "the declared 8443, DNS and DHCP traffic stays quiet: {others:?}"
    );
}
