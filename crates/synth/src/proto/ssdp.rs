//! SSDP NOTIFY announcements (UDP 1900 to 239.255.255.250) with the device's SERVER header.

use std::net::Ipv4Addr;

/// SSDP IPv4 group address.
pub const SSDP_GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 250);
/// SSDP group MAC address.
pub const SSDP_MAC: [u8; 6] = [0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa];

/// A `ssdp:alive` NOTIFY for the root device at `ip`, with `server` as SERVER header and `uuid`.
pub fn notify(ip: Ipv4Addr, server: &str, uuid: &str) -> Vec<u8> {
    format!(
        "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n\
         LOCATION: http://{ip}:49152/description.xml\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n\
         SERVER: {server}\r\nUSN: uuid:{uuid}::upnp:rootdevice\r\n\r\n"
    )
    .into_bytes()
}

/// A UUID-shaped identifier derived from a MAC address (stable per device).
pub fn uuid_from_mac(mac: [u8; 6]) -> String {
    format!(
        "2f402f80-da50-11e1-9b23-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
        mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_has_the_server_header() {
        let n = String::from_utf8(notify(
            Ipv4Addr::new(10, 0, 0, 5),
            "Linux/4.9 UPnP/1.0 Cam/11.5",
            "u",
        ))
        .unwrap();
        assert!(n.starts_with("NOTIFY * HTTP/1.1\r\n"));
        assert!(n.contains("\r\nSERVER: Linux/4.9 UPnP/1.0 Cam/11.5\r\n"));
        assert!(n.ends_with("\r\n\r\n"));
        assert_eq!(
            uuid_from_mac([0, 0x40, 0x8c, 1, 2, 3]),
            "2f402f80-da50-11e1-9b23-00408c010203"
        );
    }
}
