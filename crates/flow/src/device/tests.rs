use super::*;
use crate::nets::default_internal_networks;

fn mac(i: u16) -> MacAddr {
    let [a, b] = i.to_be_bytes();
    MacAddr([0x02, 0, 0, 0, a, b])
}

fn nets() -> InternalNets {
    InternalNets::new(&default_internal_networks())
}

#[test]
fn only_internal_or_unspecified_senders_are_devices() {
    let mut t = DeviceTable::new(DeviceTableConfig::default());
    let n = nets();
    let ts = Timestamp::from_secs(1);
    assert_eq!(
        t.sender(Some(mac(1)), Some("8.8.8.8".parse().unwrap()), ts, &n),
        None
    );
    assert_eq!(
        t.sender(
            Some(MacAddr::BROADCAST),
            Some("10.0.0.1".parse().unwrap()),
            ts,
            &n
        ),
        None
    );
    let dhcp_client = t.sender(Some(mac(2)), Some("0.0.0.0".parse().unwrap()), ts, &n);
    assert_eq!(dhcp_client, Some(DeviceId::Mac(mac(2))));
    let raw = t.sender(None, Some("10.0.0.7".parse().unwrap()), ts, &n);
    assert_eq!(raw, Some(DeviceId::Ip("10.0.0.7".parse().unwrap())));
    assert_eq!(t.stats.unestablished, 2);
    let d = t.get(&DeviceId::Mac(mac(2))).unwrap();
    assert_eq!(
        d.evidence.of_kind(EvidenceKind::Mac).collect::<Vec<_>>(),
        vec!["02:00:00:00:00:02"]
    );
}

#[test]
fn a_mac_with_many_addresses_becomes_a_router() {
    let config = DeviceTableConfig {
        router_ip_threshold: 4,
        ..DeviceTableConfig::default()
    };
    let mut t = DeviceTable::new(config);
    let n = nets();
    let ts = Timestamp::from_secs(1);
    for i in 1..=4u8 {
        let id = t.sender(Some(mac(9)), Some(IpAddr::from([10, 1, 0, i])), ts, &n);
        assert_eq!(id, Some(DeviceId::Mac(mac(9))));
    }
    assert_eq!(t.stats.routers, 1);
    let behind = t.sender(Some(mac(9)), Some("10.1.0.5".parse().unwrap()), ts, &n);
    assert_eq!(behind, Some(DeviceId::Ip("10.1.0.5".parse().unwrap())));
    assert_eq!(t.get(&behind.unwrap()).unwrap().mac, None);
    assert_eq!(
        t.receiver(Some(mac(9)), Some("10.1.0.5".parse().unwrap()), &n),
        behind,
        "traffic to a routed host goes to its IP-keyed device"
    );
}

#[test]
fn flood_evicts_only_unestablished_and_counts() {
    let config = DeviceTableConfig {
        max_established: 2,
        max_unestablished: 8,
        ..DeviceTableConfig::default()
    };
    let mut t = DeviceTable::new(config);
    let n = nets();
    let mut events = Vec::new();
    let a = t
        .sender(
            Some(mac(1)),
            Some("10.0.0.1".parse().unwrap()),
            Timestamp::from_secs(0),
            &n,
        )
        .unwrap();
    t.establish(a, Timestamp::from_secs(0), &mut events);
    assert_eq!(events.len(), 1);
    for i in 100..200u16 {
        t.sender(Some(mac(i)), None, Timestamp::from_secs(u64::from(i)), &n);
    }
    assert!(t.get(&a).is_some(), "established device survives the flood");
    assert_eq!(t.stats.unestablished, 8);
    assert_eq!(t.stats.unestablished_evicted, 92);
    assert_eq!(t.stats.created, 101);
    let b = DeviceId::Mac(mac(199));
    let c = DeviceId::Mac(mac(198));
    t.establish(b, Timestamp::from_secs(300), &mut events);
    t.establish(c, Timestamp::from_secs(300), &mut events);
    assert_eq!(t.stats.established, 2);
    assert_eq!(
        t.stats.established_refused, 1,
        "partition full, nobody idle 30 days"
    );
    assert_eq!(events.len(), 2);
    // Much later the first established device is idle past the timeout and retires.
    let late = Timestamp::from_secs(31 * 86_400);
    t.establish(c, late, &mut events);
    assert_eq!(t.stats.established_retired, 1);
    assert!(t.get(&a).is_none());
    assert_eq!(t.stats.established, 2);
}

#[test]
fn served_ports_become_evidence_and_snapshot_round_trips() {
    let mut t = DeviceTable::new(DeviceTableConfig::default());
    let n = nets();
    let id = t
        .sender(
            Some(mac(1)),
            Some("10.0.0.1".parse().unwrap()),
            Timestamp::from_secs(5),
            &n,
        )
        .unwrap();
    t.add_served(
        &id,
        ServedService {
            proto: crate::event::Transport::Tcp,
            port: 104,
        },
    );
    t.add_served(
        &id,
        ServedService {
            proto: crate::event::Transport::Tcp,
            port: 104,
        },
    );
    let record = t.records().pop().unwrap();
    assert_eq!(record.services.len(), 1);
    assert!(
        record
            .evidence
            .iter()
            .any(|e| e.kind == EvidenceKind::ServedPort && e.value == "tcp/104")
    );
    if let Some(d) = t.get_mut(&id) {
        d.peer_history.observe("10.0.0.9".parse().unwrap(), 1);
        d.port_history.observe(443, 1);
    }
    let snaps = t.snapshots();
    let json = serde_json::to_string(&snaps).unwrap();
    let back: Vec<DeviceSnapshot> = serde_json::from_str(&json).unwrap();
    let mut restored = DeviceTable::new(DeviceTableConfig::default());
    for s in back {
        restored.restore(s);
    }
    assert_eq!(restored.records(), t.records());
    assert_eq!(restored.snapshots(), snaps);
    assert_eq!(
        restored.receiver(None, Some("10.0.0.1".parse().unwrap()), &n),
        Some(id)
    );
}
