use super::*;
use wardwatch_assess::profile::{ExpectedProfile, Observed, PeerKind};
use wardwatch_baseline::testkit::{FleetSpec, fleet_windows};
use wardwatch_baseline::{ProfileKey, TrainParams, train};

fn pump_profile() -> Profile {
    let windows = fleet_windows(&FleetSpec::pumps(4, 2, 600));
    let (set, _) = train(&windows, &TrainParams::default()).unwrap();
    set.profiles()
        .find(|p| p.key == ProfileKey::Model("bd-alaris-pcu-8015".into()))
        .cloned()
        .unwrap()
}

fn info() -> ExportInfo<'static> {
    ExportInfo {
        model: "bd-alaris-pcu-8015",
        vendor: "BD",
        name: "Alaris PC Unit 8015",
        version: "20260105T000000Z-0123456789ab",
        trained_at: "2026-01-05T00:00:00Z".into(),
    }
}

#[test]
fn the_document_reads_back_through_the_mud_reader_and_allows_every_learnt_service() {
    let profile = pump_profile();
    let allowed: Vec<_> = profile
        .behaviour
        .services
        .iter()
        .filter(|s| s.allowed)
        .collect();
    assert!(!allowed.is_empty());
    let text = export(&profile, &info());
    let mud = wardwatch_assess::mud::parse("pump.mud.json", text.as_bytes()).unwrap();
    assert_eq!(
        mud.url,
        "https://mud.wardwatch.invalid/learnt/bd-alaris-pcu-8015.json"
    );
    assert!(mud.warnings.is_empty(), "{:?}", mud.warnings);
    let expected = ExpectedProfile::new("bd-alaris-pcu-8015", vec![], mud.rules.clone());
    for s in &allowed {
        if s.key.proto == Transport::Other {
            continue;
        }
        let observed = Observed {
            direction: s.key.direction.into(),
            transport: s.key.proto,
            port: s.key.port,
            peer: PeerKind::from_role(s.key.role),
            dns_name: None,
        };
        assert!(
            expected.allowing(&observed).is_some(),
            "{s:?} not allowed by {:#?}",
            mud.rules
        );
    }
    // Nothing outside the profile: an inbound SSH session is not allowed.
    let ssh = Observed {
        direction: Direction::Inbound.into(),
        transport: Transport::Tcp,
        port: 22,
        peer: PeerKind::Internal,
        dns_name: None,
    };
    assert!(expected.allowing(&ssh).is_none());
    assert_eq!(text, export(&profile, &info()), "deterministic");
}

#[test]
fn external_peers_and_dynamic_ports_are_expressed_as_networks_and_ranges() {
    let mut profile = pump_profile();
    let mut s = profile.behaviour.services[0].clone();
    s.key = wardwatch_baseline::profile::behaviour::ServiceKey {
        direction: Direction::Outbound,
        role: PeerRole::External,
        proto: Transport::Tcp,
        port: profile.behaviour.dynamic_port_floor,
    };
    s.allowed = true;
    profile.behaviour.services = vec![s];
    profile.behaviour.external_prefixes = vec!["203.0.113.0/24".parse().unwrap()];
    profile.behaviour.external_prefixes_closed = true;
    let text = export(&profile, &info());
    let mud = wardwatch_assess::mud::parse("x.json", text.as_bytes()).unwrap();
    let rule = mud
        .rules
        .iter()
        .find(|r| r.peer == PeerKind::External)
        .unwrap();
    assert_eq!(rule.peer_class.as_deref(), Some("network:203.0.113.0/24"));
    assert_eq!(rule.ports.map(|p| (p.first, p.last)), Some((32768, 65535)));
    assert!(
        text.contains("\"destination-ipv4-network\": \"203.0.113.0/24\""),
        "{text}"
    );
}
