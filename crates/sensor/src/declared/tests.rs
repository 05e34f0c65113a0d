use super::*;
use wardwatch_assess::profile::{PortRange, ProfileSource};

fn rule(
    direction: Initiator,
    transport: TransportMatch,
    ports: Option<(u16, u16)>,
    peer: PeerKind,
) -> ExpectedRule {
    ExpectedRule {
        direction,
        transport,
        ports: ports.map(|(first, last)| PortRange { first, last }),
        peer,
        dns_name: None,
        peer_class: None,
        source: "mud:acl/ace".into(),
    }
}

fn service(
    direction: Direction,
    proto: Transport,
    port: u16,
    peer: DeclaredPeer,
) -> DeclaredService {
    DeclaredService {
        direction,
        proto,
        port,
        peer,
    }
}

fn shipped_catalog() -> Catalog {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/catalog.toml"),
    )
    .unwrap();
    Catalog::parse(&text).unwrap()
}

#[test]
fn rules_map_faithfully_and_the_rest_is_noted() {
    let mut named = rule(
        Initiator::FromDevice,
        TransportMatch::Tcp,
        Some((443, 443)),
        PeerKind::External,
    );
    named.dns_name = Some("updates.example".into());
    let expected = ExpectedProfile::new(
        "bd-alaris-pcu-8015",
        vec![ProfileSource {
            kind: "mud".into(),
            file: "/x/pump.mud.json".into(),
            url: Some("https://vendor.example/pump.json".into()),
        }],
        vec![
            named,
            rule(
                Initiator::ToDevice,
                TransportMatch::Udp,
                Some((5000, 5002)),
                PeerKind::Internal,
            ),
            rule(
                Initiator::FromDevice,
                TransportMatch::Any,
                Some((8080, 8080)),
                PeerKind::Any,
            ),
            rule(
                Initiator::FromDevice,
                TransportMatch::Tcp,
                Some((1024, 65535)),
                PeerKind::Internal,
            ),
            rule(
                Initiator::ToDevice,
                TransportMatch::Tcp,
                None,
                PeerKind::Internal,
            ),
        ],
    );
    let (profile, notes) = map_profile(&expected);
    assert_eq!(profile.source, "MUD https://vendor.example/pump.json");
    use DeclaredPeer::*;
    use Direction::*;
    use Transport::*;
    assert_eq!(
        profile.services,
        vec![
            service(Outbound, Tcp, 443, External),
            service(Outbound, Tcp, 8080, Any),
            service(Outbound, Udp, 67, Internal),
            service(Outbound, Udp, 547, Internal),
            service(Outbound, Udp, 8080, Any),
            service(Outbound, Icmp, 0, Any),
            service(Outbound, Other, 0, Any),
            service(Inbound, Udp, 5000, Internal),
            service(Inbound, Udp, 5001, Internal),
            service(Inbound, Udp, 5002, Internal),
        ]
    );
    assert_eq!(
        notes,
        vec![
            "rule mud:acl/ace: DNS name \"updates.example\" is not checked; every external peer is allowed on its ports",
            "rule mud:acl/ace: port range 1024-65535 is wider than 256 ports; left out (its traffic alerts as undeclared)",
            "rule mud:acl/ace: any TCP port cannot be represented; left out (its traffic alerts as undeclared)",
        ]
    );
}

#[test]
fn files_load_sorted_and_errors_name_the_file() {
    let catalog = shipped_catalog();
    let dir = tempfile::tempdir().unwrap();
    assert!(
        load(dir.path(), &catalog).unwrap().is_empty(),
        "no folder, no declarations"
    );
    let declared = dir.path().join(DECLARED_DIR);
    std::fs::create_dir(&declared).unwrap();
    let profile = ExpectedProfile::new(
        "bd-alaris-pcu-8015",
        vec![ProfileSource {
            kind: "mds2".into(),
            file: "a/pump.csv".into(),
            url: None,
        }],
        vec![rule(
            Initiator::FromDevice,
            TransportMatch::Tcp,
            Some((443, 443)),
            PeerKind::Internal,
        )],
    );
    std::fs::write(declared.join("pump.json"), profile.to_json()).unwrap();
    std::fs::write(declared.join("notes.txt"), "ignored").unwrap();
    let loaded = load(dir.path(), &catalog).unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].model, ModelId::from("bd-alaris-pcu-8015"));
    assert_eq!(loaded[0].profile.source, "MDS2 pump.csv");
    assert!(loaded[0].notes.is_empty());

    std::fs::write(declared.join("same.json"), profile.to_json()).unwrap();
    let err = load(dir.path(), &catalog).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "{}: a second declared profile for model bd-alaris-pcu-8015",
            declared.join("same.json").display()
        )
    );
    let unknown = ExpectedProfile::new("acme-unknown", vec![], vec![]);
    std::fs::write(declared.join("same.json"), unknown.to_json()).unwrap();
    let err = load(dir.path(), &catalog).unwrap_err().to_string();
    assert!(
        err.contains("model \"acme-unknown\" is not in the catalog"),
        "{err}"
    );
    std::fs::write(declared.join("same.json"), "{\"format\": 1}").unwrap();
    let err = load(dir.path(), &catalog).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "{}: not an expected profile",
            declared.join("same.json").display()
        )),
        "{err}"
    );
}
