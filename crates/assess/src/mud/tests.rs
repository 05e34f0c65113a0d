use super::*;

const FIXTURE: &[u8] = include_bytes!("../../../../fixtures/assess/infusafe-300.mud.json");

fn fixture_with(from: &str, to: &str) -> Vec<u8> {
    let text = std::str::from_utf8(FIXTURE).unwrap();
    assert!(text.contains(from), "fixture lacks {from}");
    text.replacen(from, to, 1).into_bytes()
}

#[test]
fn fixture_yields_five_rules_with_mirrors_collapsed() {
    let mud = parse("pump.mud.json", FIXTURE).unwrap();
    assert_eq!(
        mud.url,
        "https://mud.acme-medical.example/infusafe-300.json"
    );
    assert!(mud.warnings.is_empty());
    let profile = crate::profile::ExpectedProfile::new("m", vec![], mud.rules);
    let summary: Vec<String> = profile
        .rules
        .iter()
        .map(|r| {
            format!(
                "{:?} {:?} {:?} {:?} {:?} {:?}",
                r.direction,
                r.transport,
                r.ports.map(|p| p.first),
                r.peer,
                r.dns_name,
                r.peer_class
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "FromDevice Tcp Some(443) External Some(\"updates.acme-medical.example\") None",
            "FromDevice Tcp Some(8443) Internal None Some(\"controller:https://acme-medical.example/mud/infusafe-gateway\")",
            "FromDevice Udp Some(53) Internal None Some(\"local-networks\")",
            "FromDevice Udp Some(123) Internal None Some(\"local-networks\")",
            "ToDevice Tcp Some(443) Internal None Some(\"my-controller\")",
        ]
    );
}

#[test]
fn structural_errors_name_the_field_path() {
    let cases: [(&str, &str, &str); 8] = [
        (
            "\"mud-version\": 1",
            "\"mud-version\": 2",
            "ietf-mud:mud.mud-version",
        ),
        (
            "\"mud-url\": \"https://mud",
            "\"mud-url\": \"http://mud",
            "ietf-mud:mud.mud-url",
        ),
        ("\"is-supported\": true,", "", "ietf-mud:mud.is-supported"),
        (
            "[{\"name\": \"mud-infusafe-v4to\"}]",
            "[{\"name\": \"missing-acl\"}]",
            "ietf-mud:mud.to-device-policy.access-lists.access-list[0].name",
        ),
        (
            "\"port\": 8443}}",
            "\"port\": 70000}}",
            "ietf-access-control-list:acls.acl[0].aces.ace[1].matches.tcp.destination-port.port",
        ),
        (
            "{\"operator\": \"eq\", \"port\": 123}",
            "{\"operator\": \"range\", \"port\": 123}",
            "ietf-access-control-list:acls.acl[0].aces.ace[2].matches.udp.destination-port",
        ),
        (
            "\"forwarding\": \"accept\"",
            "\"forwarding\": \"maybe\"",
            "ietf-access-control-list:acls.acl[0].aces.ace[0].actions.forwarding",
        ),
        (
            "\"protocol\": 17},\n                \"udp\"",
            "\"protocol\": 6},\n                \"udp\"",
            "ietf-access-control-list:acls.acl[0].aces.ace[2].matches",
        ),
    ];
    for (from, to, field) in cases {
        let e = parse("bad.mud.json", &fixture_with(from, to)).unwrap_err();
        assert_eq!(e.field, field, "{from} -> {to}: {e}");
        assert_eq!(e.file, "bad.mud.json");
    }
    let e = parse("x.json", br#"{"acls": {}}"#).unwrap_err();
    assert_eq!(e.field, "ietf-mud:mud");
}

#[test]
fn operators_ranges_and_networks() {
    let doc = br#"{"ietf-mud:mud": {"mud-version": 1, "mud-url": "https://x.example/m.json",
        "last-update": "2024-01-01T00:00:00Z", "is-supported": true,
        "from-device-policy": {"access-lists": {"access-list": [{"name": "a"}]}}},
      "ietf-access-control-list:acls": {"acl": [
        {"name": "a", "aces": {"ace": [
          {"name": "r", "matches": {"udp": {"destination-port": {"lower-port": 5000, "upper-port": 5010}},
             "ipv4": {"destination-ipv4-network": "10.0.0.0/8"}}, "actions": {"forwarding": "accept"}},
          {"name": "n", "matches": {"tcp": {"destination-port": {"operator": "neq", "port": 23}},
             "ipv4": {"destination-ipv4-network": "192.0.2.0/24"}}, "actions": {"forwarding": "accept"}},
          {"name": "d", "matches": {"tcp": {"destination-port": {"operator": "eq", "port": 23}}},
             "actions": {"forwarding": "drop"}}]}},
        {"name": "unused"}]}}"#;
    let mud = parse("ops.json", doc).unwrap();
    assert_eq!(mud.rules.len(), 3);
    assert_eq!(
        mud.rules[0].ports,
        Some(PortRange {
            first: 5000,
            last: 5010
        })
    );
    assert_eq!(mud.rules[0].peer, PeerKind::Internal);
    assert_eq!(mud.rules[1].ports, Some(PortRange { first: 0, last: 22 }));
    assert_eq!(
        mud.rules[2].ports,
        Some(PortRange {
            first: 24,
            last: 65535
        })
    );
    assert_eq!(mud.rules[2].peer, PeerKind::External);
    assert_eq!(mud.warnings.len(), 1);
    assert!(mud.warnings[0].contains("\"unused\""));
}
