//! Ground truth for `wardwatch eval`: the labels `wardwatch synth` writes (`ward.labels.jsonl`,
//! one JSON object per staged attack) and the known-device list (`ward.devices.jsonl`, one JSON
//! object per device with its `mac` and `ip`). Errors name the file and line.

use serde::Deserialize;
use std::net::IpAddr;
use std::path::Path;
use wardwatch_baseline::AlertKind;
use wardwatch_flow::{DeviceId, MacAddr, Timestamp};

/// Most labels or devices read from one file.
const MAX_LINES: usize = 1_000_000;

/// One staged attack.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// Scenario kind (e.g. `pump_scan`).
    pub kind: String,
    /// MAC of the attacker's frames.
    pub mac: Option<MacAddr>,
    /// Attacker address.
    pub ip: Option<IpAddr>,
    /// Victim addresses.
    pub victims: Vec<IpAddr>,
    /// First attack frame.
    pub start: Timestamp,
    /// Last attack frame.
    pub end: Timestamp,
    /// What happens.
    pub description: String,
    /// Alert kinds a detector is expected to raise (empty: any).
    pub expected: Vec<AlertKind>,
}

impl Label {
    /// How the attacker is named in reports: its address, else its MAC.
    pub fn attacker(&self) -> String {
        match (&self.ip, &self.mac) {
            (Some(ip), _) => ip.to_string(),
            (None, Some(mac)) => mac.to_string(),
            (None, None) => "unknown".into(),
        }
    }
}

#[derive(Deserialize)]
struct RawLabel {
    kind: String,
    #[serde(default)]
    mac: Option<String>,
    #[serde(default)]
    ip: Option<String>,
    #[serde(default)]
    victims: Vec<String>,
    start: String,
    end: String,
    #[serde(default)]
    description: String,
    #[serde(default, alias = "alert_kinds")]
    expected_alerts: Vec<String>,
}

/// A device the site already knows.
#[derive(Deserialize)]
struct RawDevice {
    #[serde(default)]
    mac: Option<String>,
    #[serde(default)]
    ip: Option<String>,
}

fn lines(path: &Path) -> anyhow::Result<Vec<(usize, String)>> {
    let mut reader = crate::json_lines::JsonLines::open(path)?;
    let mut out = Vec::new();
    while let Some((n, raw)) = reader.next_line()? {
        anyhow::ensure!(
            out.len() < MAX_LINES,
            "{}: more than {MAX_LINES} lines",
            path.display()
        );
        let line = String::from_utf8(raw).map_err(|_| reader.invalid("not UTF-8 text".into()))?;
        out.push((usize::try_from(n).unwrap_or(usize::MAX), line));
    }
    Ok(out)
}

/// Reads a labels file.
pub fn read_labels(path: &Path) -> anyhow::Result<Vec<Label>> {
    let mut labels = Vec::new();
    for (n, line) in lines(path)? {
        let at = |what: String| anyhow::anyhow!("{}:{n}: {what}", path.display());
        let raw: RawLabel =
            serde_json::from_str(&line).map_err(|e| at(format!("not a label: {e}")))?;
        let time = |text: &str, field: &str| {
            Timestamp::parse_rfc3339(text).map_err(|e| at(format!("{field}: {e}")))
        };
        let start = time(&raw.start, "start")?;
        let end = time(&raw.end, "end")?;
        anyhow::ensure!(end >= start, "{}:{n}: end is before start", path.display());
        let mac = match raw.mac.as_deref() {
            Some(text) => Some(
                text.parse::<MacAddr>()
                    .map_err(|e| at(format!("mac: {e}")))?,
            ),
            None => None,
        };
        let ip = match raw.ip.as_deref() {
            Some(text) => Some(
                text.parse::<IpAddr>()
                    .map_err(|_| at(format!("ip: not an address: {text:?}")))?,
            ),
            None => None,
        };
        let victims = raw
            .victims
            .iter()
            .map(|v| {
                v.parse::<IpAddr>()
                    .map_err(|_| at(format!("victims: not an address: {v:?}")))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let expected = raw
            .expected_alerts
            .iter()
            .map(|k| {
                AlertKind::from_name(k)
                    .ok_or_else(|| at(format!("expected_alerts: unknown alert kind {k:?}")))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        labels.push(Label {
            kind: raw.kind,
            mac,
            ip,
            victims,
            start,
            end,
            description: raw.description,
            expected,
        });
    }
    Ok(labels)
}

/// Reads a known-device list: the MAC and the address of every line (a host seen only through
/// a router is keyed by its address).
pub fn read_known_devices(path: &Path) -> anyhow::Result<Vec<DeviceId>> {
    let mut ids = Vec::new();
    for (n, line) in lines(path)? {
        let raw: RawDevice = serde_json::from_str(&line)
            .map_err(|e| anyhow::anyhow!("{}:{n}: not a device record: {e}", path.display()))?;
        if let Some(text) = raw.mac {
            let mac: MacAddr = text
                .parse()
                .map_err(|e| anyhow::anyhow!("{}:{n}: mac: {e}", path.display()))?;
            ids.push(DeviceId::Mac(mac));
        }
        if let Some(text) = raw.ip.filter(|t| !t.is_empty()) {
            let ip: IpAddr = text
                .parse()
                .map_err(|e| anyhow::anyhow!("{}:{n}: ip: {e}", path.display()))?;
            ids.push(DeviceId::Ip(ip));
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_synth_labels_and_names_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ward.labels.jsonl");
        std::fs::write(
            &path,
            r#"{"kind":"ssh_brute_force","mac":"02:00:00:00:00:07","ip":"10.20.0.7","victims":["10.20.0.9"],"start":"2026-01-05T08:00:00.000000Z","end":"2026-01-05T08:02:00.000000Z","description":"d","expected_alerts":["brute_force"],"details":{"attempts":40}}
"#,
        )
        .unwrap();
        let labels = read_labels(&path).unwrap();
        assert_eq!(labels.len(), 1);
        assert_eq!(labels[0].attacker(), "10.20.0.7");
        assert_eq!(labels[0].expected, vec![AlertKind::BruteForce]);
        assert_eq!(labels[0].end.since(labels[0].start).micros(), 120_000_000);
        std::fs::write(
            &path,
            "\n{\"kind\":\"x\",\"start\":\"soon\",\"end\":\"later\"}\n",
        )
        .unwrap();
        let err = read_labels(&path).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}:2: start: not an RFC 3339", path.display())),
            "{err}"
        );
    }
}
