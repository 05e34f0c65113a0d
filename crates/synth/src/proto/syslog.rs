//! Syslog messages (RFC 3164 BSD format, UDP 514).

use super::civil;
use wardwatch_flow::Timestamp;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A message of `facility`/`severity` from `host` by `app`.
pub fn message(
    t: Timestamp,
    facility: u8,
    severity: u8,
    host: &str,
    app: &str,
    text: &str,
) -> Vec<u8> {
    let (_, mo, d, h, mi, s) = civil(t);
    let month = MONTHS[(mo.clamp(1, 12) - 1) as usize];
    let pri = u16::from(facility) * 8 + u16::from(severity & 7);
    format!("<{pri}>{month} {d:>2} {h:02}:{mi:02}:{s:02} {host} {app}: {text}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bsd_format() {
        let m = message(
            Timestamp::from_secs(1_767_600_000),
            16,
            6,
            "core-sw01",
            "%SYS-5-CONFIG_I",
            "Configured",
        );
        assert_eq!(
            String::from_utf8(m).unwrap(),
            "<134>Jan  5 08:00:00 core-sw01 %SYS-5-CONFIG_I: Configured"
        );
    }
}
