//! SNMPv2c GetRequest of the system group and the device's GetResponse with its sysDescr.

use super::der;

const SYS_DESCR: &str = "1.3.6.1.2.1.1.1.0";
const SYS_OBJECT_ID: &str = "1.3.6.1.2.1.1.2.0";
const SYS_UPTIME: &str = "1.3.6.1.2.1.1.3.0";
const SYS_NAME: &str = "1.3.6.1.2.1.1.5.0";

fn pdu(kind: u8, community: &str, request_id: i64, binds: Vec<Vec<u8>>) -> Vec<u8> {
    let pdu = der::cons(
        kind,
        &[
            der::int(request_id),
            der::int(0),
            der::int(0),
            der::seq(&binds),
        ],
    );
    der::seq(&[der::int(1), der::octets(community.as_bytes()), pdu])
}

/// GetRequest of sysDescr, sysObjectID, sysUpTime and sysName.
pub fn get_request(community: &str, request_id: i64) -> Vec<u8> {
    let binds = [SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, SYS_NAME]
        .iter()
        .map(|o| der::seq(&[der::oid(o), der::null()]))
        .collect();
    pdu(0xa0, community, request_id, binds)
}

/// GetResponse with the device's values.
pub fn get_response(
    community: &str,
    request_id: i64,
    descr: &str,
    enterprise_oid: &str,
    uptime_ticks: u32,
    name: &str,
) -> Vec<u8> {
    let binds = vec![
        der::seq(&[der::oid(SYS_DESCR), der::octets(descr.as_bytes())]),
        der::seq(&[der::oid(SYS_OBJECT_ID), der::oid(enterprise_oid)]),
        der::seq(&[
            der::oid(SYS_UPTIME),
            der::int_tagged(0x43, i64::from(uptime_ticks)),
        ]),
        der::seq(&[der::oid(SYS_NAME), der::octets(name.as_bytes())]),
    ];
    pdu(0xa2, community, request_id, binds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use snmp_parser::{ObjectSyntax, SnmpPdu, VarBindValue, parse_snmp_v2c};

    #[test]
    fn response_parses_with_snmp_parser() {
        let r = get_response(
            "public",
            42,
            "Cisco IOS XE Software, Version 17.9.3",
            "1.3.6.1.4.1.9.1.2494",
            123_456,
            "core-sw01",
        );
        let (_, msg) = parse_snmp_v2c(&r).unwrap();
        assert_eq!(msg.community, "public");
        let SnmpPdu::Generic(p) = &msg.pdu else {
            panic!()
        };
        assert_eq!(p.req_id, 42);
        let first = p.vars_iter().next().unwrap();
        assert_eq!(first.oid.to_id_string(), SYS_DESCR);
        let VarBindValue::Value(ObjectSyntax::String(s)) = &first.val else {
            panic!("{:?}", first.val)
        };
        assert_eq!(*s, b"Cisco IOS XE Software, Version 17.9.3");
        let req = get_request("public", 42);
        let (_, q) = parse_snmp_v2c(&req).unwrap();
        let SnmpPdu::Generic(p) = &q.pdu else {
            panic!()
        };
        assert_eq!(p.vars_iter().count(), 4);
    }
}
