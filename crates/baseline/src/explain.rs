//! Words for alerts: how a device, a service and a number are named in an explanation, and
//! the cleaning of attacker-influenced text (host names, versions, class guesses) before it
//! reaches a sentence. No formatting for sinks happens here; explanations are plain text.

use crate::alert::{AlertDevice, MAX_EXPLANATION_LEN};
use wardwatch_flow::event::Transport;
use wardwatch_flow::{DeviceId, DeviceRef, MacAddr, ModelId, Timestamp};

/// Longest attacker-influenced string kept in an explanation or evidence value, in characters.
pub const MAX_QUOTED_CHARS: usize = 64;

/// Latest packet time RFC 3339 text can show (9999-12-31T23:59:59.999999Z). `Timestamp`'s
/// text form fails beyond it, and packet time comes from the wire (pcapng has 64-bit stamps),
/// so alert times are clamped to it and times are written through [`time_words`].
pub const MAX_TEXT_TIME: Timestamp = Timestamp(253_402_300_799_999_999);

/// The time clamped to [`MAX_TEXT_TIME`].
pub fn clamp_time(ts: Timestamp) -> Timestamp {
    ts.min(MAX_TEXT_TIME)
}

/// RFC 3339 text of a packet time, never failing.
pub fn time_words(ts: Timestamp) -> String {
    clamp_time(ts).to_rfc3339()
}

/// Keeps at most `max_chars` printable characters of `text`; control characters become `?` and
/// a cut string ends with `…`. Used for every string that came from the wire.
pub fn clean(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars.saturating_mul(4)));
    for (count, ch) in text.chars().enumerate() {
        if count >= max_chars {
            out.push('…');
            break;
        }
        out.push(if ch.is_control() { '?' } else { ch });
    }
    out
}

/// Cuts an explanation to [`MAX_EXPLANATION_LEN`] bytes on a character boundary.
pub fn bound_explanation(mut text: String) -> String {
    if text.len() > MAX_EXPLANATION_LEN {
        let mut cut = MAX_EXPLANATION_LEN.saturating_sub(3);
        while cut > 0 && !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// Human name of a device class id: `infusion_pump` → `infusion pump`; unknown → `device`.
pub fn class_words(class: Option<&str>) -> String {
    match class {
        Some(c) if !c.trim().is_empty() => clean(&c.replace('_', " "), 40),
        _ => "device".to_owned(),
    }
}

/// Plural of [`class_words`], for "pumps of this model never …".
pub fn class_plural(class: Option<&str>) -> String {
    let words = class_words(class);
    if words.ends_with('s') || words.ends_with('x') {
        format!("{words}es")
    } else {
        format!("{words}s")
    }
}

/// How a device is named in explanations: `infusion pump 00:09:fb:12:34:56 (bd-alaris-pcu-8015, 10.1.2.3)`.
pub fn device_label(device: &AlertDevice, class: Option<&str>) -> String {
    let class = if device.model.is_none() && class.is_none() {
        "unidentified device".to_owned()
    } else {
        class_words(class)
    };
    let key = match (device.mac, device.id) {
        (Some(mac), _) => mac.to_string(),
        (None, id) => id.to_string(),
    };
    let mut extra = Vec::new();
    if let Some(model) = &device.model {
        extra.push(clean(model.as_str(), MAX_QUOTED_CHARS));
    }
    if let Some(ip) = device.ip
        && (device.mac.is_some() || !matches!(device.id, DeviceId::Ip(_)))
    {
        extra.push(ip.to_string());
    }
    if extra.is_empty() {
        format!("{class} {key}")
    } else {
        format!("{class} {key} ({})", extra.join(", "))
    }
}

/// Builds the alert's device from a flow device reference and its model.
pub fn alert_device(device: &DeviceRef, model: Option<&ModelId>) -> AlertDevice {
    AlertDevice {
        id: device.id,
        mac: device.mac.or(match device.id {
            DeviceId::Mac(m) => Some(m),
            DeviceId::Ip(_) => None,
        }),
        ip: device.ip,
        model: model.cloned(),
    }
}

/// The alert device for a bare MAC address (address-conflict events).
pub fn mac_device(mac: MacAddr, ip: Option<std::net::IpAddr>) -> AlertDevice {
    AlertDevice {
        id: DeviceId::Mac(mac),
        mac: Some(mac),
        ip,
        model: None,
    }
}

/// Well-known name of a service port, for sentences ("SMB (445)").
pub fn service_name(proto: Transport, port: u16) -> Option<&'static str> {
    let name = match (proto, port) {
        (Transport::Icmp, _) => "ICMP",
        (_, 20 | 21) => "FTP",
        (_, 22) => "SSH",
        (_, 23 | 2323) => "Telnet",
        (_, 25) => "SMTP",
        (_, 53) => "DNS",
        (Transport::Udp, 67 | 68) => "DHCP",
        (_, 69) => "TFTP",
        (_, 80 | 8080) => "HTTP",
        (_, 88) => "Kerberos",
        (_, 104 | 11112) => "DICOM",
        (_, 123) => "NTP",
        (_, 135) => "MS-RPC",
        (_, 137 | 138) => "NetBIOS",
        (_, 139) => "NetBIOS session",
        (_, 161 | 162) => "SNMP",
        (_, 389) => "LDAP",
        (_, 443 | 8443) => "HTTPS",
        (_, 445) => "SMB",
        (_, 514) => "syslog",
        (_, 636) => "LDAPS",
        (_, 1433) => "MS SQL",
        (_, 1883 | 8883) => "MQTT",
        (_, 1900) => "SSDP",
        (_, 2575) => "HL7 (MLLP)",
        (_, 2762) => "DICOM-TLS",
        (_, 3306) => "MySQL",
        (_, 3389) => "RDP",
        (_, 4899) => "Radmin",
        (_, 5353) => "mDNS",
        (_, 5432) => "PostgreSQL",
        (_, 5631 | 5632) => "pcAnywhere",
        (_, 5900) => "VNC",
        (_, 5938) => "TeamViewer",
        (_, 5985 | 5986) => "WinRM",
        (_, 7070) => "AnyDesk",
        (_, 47808) => "BACnet",
        _ => return None,
    };
    Some(name)
}

/// `SMB (445)`, `TCP port 51243`, `ICMP`.
pub fn service_words(proto: Transport, port: u16) -> String {
    match (service_name(proto, port), proto) {
        (Some("ICMP"), _) => "ICMP".to_owned(),
        (Some(name), _) => format!("{name} ({port})"),
        (None, Transport::Tcp) => format!("TCP port {port}"),
        (None, Transport::Udp) => format!("UDP port {port}"),
        (None, _) => format!("IP protocol port {port}"),
    }
}

/// A byte count for people: `512 B`, `3.4 MB`, `1.2 GB` (decimal units).
pub fn bytes_words(bytes: f64) -> String {
    let b = if bytes.is_finite() {
        bytes.max(0.0)
    } else {
        0.0
    };
    if b < 1e3 {
        format!("{b:.0} B")
    } else if b < 1e6 {
        format!("{:.1} kB", b / 1e3)
    } else if b < 1e9 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.1} GB", b / 1e9)
    }
}

/// A feature value for people: integers without decimals, others with up to two.
pub fn number_words(value: f64) -> String {
    if !value.is_finite() {
        return "an invalid value".to_owned();
    }
    if (value - value.round()).abs() < 1e-9 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// `n thing` / `n things`.
pub fn count_words(n: u64, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{n} {plural}")
    }
}

/// `HH:00 UTC` for an hour of the day.
pub fn hour_words(hour: u32) -> String {
    format!("{:02}:00 UTC", hour % 24)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    #[test]
    fn cleaning_truncates_and_removes_controls() {
        assert_eq!(clean("abc", 5), "abc");
        assert_eq!(clean("abcdef", 3), "abc…");
        assert_eq!(clean("a\u{1b}[31mb", 10), "a?[31mb");
        let long = "x".repeat(2000);
        let bounded = bound_explanation(long);
        assert!(bounded.len() <= MAX_EXPLANATION_LEN);
        assert!(bounded.ends_with('…'));
    }

    #[test]
    fn device_label_reads_well() {
        let mac: MacAddr = "00:09:fb:12:34:56".parse().unwrap();
        let ip: IpAddr = "10.1.2.3".parse().unwrap();
        let dev = AlertDevice {
            id: DeviceId::Mac(mac),
            mac: Some(mac),
            ip: Some(ip),
            model: Some(ModelId::from("bd-alaris-pcu-8015")),
        };
        assert_eq!(
            device_label(&dev, Some("infusion_pump")),
            "infusion pump 00:09:fb:12:34:56 (bd-alaris-pcu-8015, 10.1.2.3)"
        );
        let unknown = AlertDevice { model: None, ..dev };
        assert_eq!(
            device_label(&unknown, None),
            "unidentified device 00:09:fb:12:34:56 (10.1.2.3)"
        );
        assert_eq!(class_plural(Some("infusion_pump")), "infusion pumps");
        assert_eq!(class_plural(Some("ct")), "cts");
    }

    #[test]
    fn services_and_numbers() {
        assert_eq!(service_words(Transport::Tcp, 445), "SMB (445)");
        assert_eq!(service_words(Transport::Tcp, 51243), "TCP port 51243");
        assert_eq!(service_words(Transport::Icmp, 0), "ICMP");
        assert_eq!(bytes_words(3_400_000.0), "3.4 MB");
        assert_eq!(bytes_words(512.0), "512 B");
        assert_eq!(number_words(37.0), "37");
        assert_eq!(number_words(0.126), "0.13");
        assert_eq!(count_words(1, "host", "hosts"), "1 host");
        assert_eq!(hour_words(3), "03:00 UTC");
        assert_eq!(
            time_words(Timestamp(u64::MAX)),
            "9999-12-31T23:59:59.999999Z"
        );
    }
}
