//! The site allow-list: operator verdicts that an alert is benign, parsed from TOML text (the
//! sensor reads the file and can swap the list at run time). Entries match on device, model,
//! kind, peer and port; each carries reason, author, creation time and optional expiry.
//! Expired entries stop applying and are listed by [`Allowlist::expired`]. Applying an entry
//! only drops or trims an alert; it never widens a learnt profile.
//!
//! ```toml
//! [[allow]]
//! device = "00:09:fb:12:34:56"      # MAC or IP of the device (optional)
//! model = "bd-alaris-pcu-8015"      # catalog model (optional)
//! kind = "beaconing"                # alert kind (optional)
//! peer = "203.0.113.0/24"           # peer address or network (optional)
//! port = 443                        # peer service port (optional)
//! reason = "vendor telemetry, ticket 4711"
//! author = "j.doe"
//! created = "2026-01-05T08:00:00Z"
//! expires = "2026-04-05T08:00:00Z"  # optional; without it the entry never expires
//! ```

use crate::alert::{Alert, AlertKind};
use ipnet::IpNet;
use std::net::IpAddr;
use wardwatch_flow::{DeviceId, ModelId, Timestamp};

/// Most entries an allow-list may hold.
pub const MAX_ALLOW_ENTRIES: usize = 10_000;
/// Longest reason or author kept, in characters.
pub const MAX_TEXT_CHARS: usize = 512;

/// Why an allow-list was refused. Entry numbers count from 1 in file order.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AllowlistError {
    /// Not valid TOML, or not a list of `[[allow]]` tables.
    #[error("allow-list is not valid TOML: {0}")]
    Syntax(String),
    /// One entry has a bad or missing field.
    #[error("allow-list entry {entry} (line {line}), field `{field}`: {reason}")]
    Entry {
        /// Entry number, from 1.
        entry: usize,
        /// Line of the entry's `[[allow]]` header.
        line: usize,
        /// The field.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// More than [`MAX_ALLOW_ENTRIES`] entries.
    #[error("allow-list has {0} entries; at most {MAX_ALLOW_ENTRIES} are allowed")]
    TooMany(usize),
}

/// One operator verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct AllowEntry {
    /// Device (MAC or IP key) it applies to.
    pub device: Option<DeviceId>,
    /// Model it applies to.
    pub model: Option<ModelId>,
    /// Alert kind it applies to.
    pub kind: Option<AlertKind>,
    /// Peer address or network it applies to.
    pub peer: Option<IpNet>,
    /// Peer service port it applies to.
    pub port: Option<u16>,
    /// Why the alert is benign.
    pub reason: String,
    /// Who decided.
    pub author: String,
    /// When the entry was written.
    pub created: Timestamp,
    /// When it stops applying (`None`: never).
    pub expires: Option<Timestamp>,
}

/// What applying the allow-list did to an alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No entry applied.
    Keep,
    /// Some peers were allowed and removed; the alert stands for the rest.
    Trimmed,
    /// The alert is allowed: drop it.
    Drop,
}

/// A parsed allow-list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Allowlist {
    entries: Vec<AllowEntry>,
}

const FIELDS: &[&str] = &[
    "device", "model", "kind", "peer", "port", "reason", "author", "created", "expires",
];

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    allow: Vec<toml::Spanned<toml::Table>>,
}

impl Allowlist {
    /// An empty list.
    pub fn empty() -> Allowlist {
        Allowlist::default()
    }

    /// Parses allow-list text. Errors name the entry, its line and the field.
    pub fn parse(text: &str) -> Result<Allowlist, AllowlistError> {
        let raw: RawFile = toml::from_str(text)
            .map_err(|e| AllowlistError::Syntax(crate::explain::clean(&e.to_string(), 400)))?;
        if raw.allow.len() > MAX_ALLOW_ENTRIES {
            return Err(AllowlistError::TooMany(raw.allow.len()));
        }
        let mut entries = Vec::with_capacity(raw.allow.len());
        for (i, spanned) in raw.allow.iter().enumerate() {
            let line = line_of(text, spanned.span().start);
            entries.push(parse_entry(spanned.get_ref(), i + 1, line)?);
        }
        Ok(Allowlist { entries })
    }

    /// The entries in file order.
    pub fn entries(&self) -> &[AllowEntry] {
        &self.entries
    }

    /// Entries expired at `now`, with their entry numbers (from 1).
    pub fn expired(&self, now: Timestamp) -> Vec<(usize, &AllowEntry)> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.expires.is_some_and(|x| x <= now))
            .map(|(i, e)| (i + 1, e))
            .collect()
    }

    /// Applies the list to an alert (entries expired at the alert's time are ignored).
    pub fn apply(&self, alert: &mut Alert) -> Verdict {
        let mut verdict = Verdict::Keep;
        for e in &self.entries {
            if e.expires.is_some_and(|x| x <= alert.ts) || !e.matches_alert(alert) {
                continue;
            }
            if e.peer.is_none() && e.port.is_none() {
                return Verdict::Drop;
            }
            let before = alert.peers.len();
            alert.peers.retain(|p| !e.matches_peer(p.ip, p.port));
            let removed = before - alert.peers.len();
            if removed > 0 {
                alert.peers_total = alert.peers_total.saturating_sub(removed as u32);
                if alert.peers.is_empty() {
                    return Verdict::Drop;
                }
                verdict = Verdict::Trimmed;
            }
        }
        verdict
    }
}

impl AllowEntry {
    fn matches_alert(&self, alert: &Alert) -> bool {
        let d = &alert.device;
        let device_ok = self.device.is_none_or(|want| {
            want == d.id
                || matches!(want, DeviceId::Mac(m) if d.mac == Some(m))
                || matches!(want, DeviceId::Ip(ip) if d.ip == Some(ip))
        });
        device_ok
            && self
                .model
                .as_ref()
                .is_none_or(|m| d.model.as_ref() == Some(m))
            && self.kind.is_none_or(|k| k == alert.kind)
    }

    fn matches_peer(&self, ip: IpAddr, port: Option<u16>) -> bool {
        self.peer.is_none_or(|net| net.contains(&ip)) && self.port.is_none_or(|p| port == Some(p))
    }

    /// The entry as a TOML `[[allow]]` table (keys sorted), ready to append to a file.
    pub fn to_toml(&self) -> String {
        let mut t = toml::Table::new();
        let mut put = |k: &str, v: toml::Value| {
            t.insert(k.to_owned(), v);
        };
        if let Some(d) = self.device {
            put("device", toml::Value::String(d.to_string()));
        }
        if let Some(m) = &self.model {
            put("model", toml::Value::String(m.to_string()));
        }
        if let Some(k) = self.kind {
            put("kind", toml::Value::String(k.name().to_owned()));
        }
        if let Some(p) = self.peer {
            put("peer", toml::Value::String(p.to_string()));
        }
        if let Some(p) = self.port {
            put("port", toml::Value::Integer(i64::from(p)));
        }
        put("reason", toml::Value::String(self.reason.clone()));
        put("author", toml::Value::String(self.author.clone()));
        put(
            "created",
            toml::Value::String(crate::explain::time_words(self.created)),
        );
        if let Some(x) = self.expires {
            put(
                "expires",
                toml::Value::String(crate::explain::time_words(x)),
            );
        }
        let mut file = toml::Table::new();
        file.insert(
            "allow".into(),
            toml::Value::Array(vec![toml::Value::Table(t)]),
        );
        toml::to_string(&file).unwrap_or_default()
    }
}

/// Appends `entry` to allow-list text (`wardwatch allow add`): checks the existing text and
/// the entry, and returns the new text, which parses to the old entries plus this one.
pub fn append_entry(existing: &str, entry: &AllowEntry) -> Result<String, AllowlistError> {
    let old = Allowlist::parse(existing)?;
    let mut text = existing.to_owned();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(&entry.to_toml());
    let new = Allowlist::parse(&text)?;
    if new.entries.len() != old.entries.len() + 1 {
        return Err(AllowlistError::Syntax(
            "the appended entry did not parse as one entry".into(),
        ));
    }
    Ok(text)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(1, |t| t.bytes().filter(|b| *b == b'\n').count() + 1)
}

/// Reads the fields of one `[[allow]]` table, naming the entry, line and field in errors.
struct EntryReader<'t> {
    t: &'t toml::Table,
    entry: usize,
    line: usize,
}

impl EntryReader<'_> {
    fn err(&self, field: &str, reason: String) -> AllowlistError {
        AllowlistError::Entry {
            entry: self.entry,
            line: self.line,
            field: field.to_owned(),
            reason,
        }
    }

    fn text(&self, field: &str) -> Result<Option<String>, AllowlistError> {
        match self.t.get(field) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(toml::Value::Datetime(d)) => Ok(Some(d.to_string())),
            Some(_) => Err(self.err(field, "expected a string".into())),
        }
    }

    /// Parses an optional text field with `parse`; `what` names the expected form.
    fn parsed<T>(
        &self,
        field: &str,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, AllowlistError> {
        match self.text(field)? {
            None => Ok(None),
            Some(s) => parse(&s).map(Some).ok_or_else(|| {
                self.err(
                    field,
                    format!("{:?} is not {what}", crate::explain::clean(&s, 64)),
                )
            }),
        }
    }

    fn required(&self, field: &str) -> Result<String, AllowlistError> {
        match self.text(field)? {
            Some(s) if !s.trim().is_empty() => Ok(s.chars().take(MAX_TEXT_CHARS).collect()),
            _ => Err(self.err(field, "missing or empty".into())),
        }
    }

    fn time(&self, field: &str) -> Result<Option<Timestamp>, AllowlistError> {
        self.text(field)?
            .map(|s| Timestamp::parse_rfc3339(&s).map_err(|e| self.err(field, e.to_string())))
            .transpose()
    }

    fn port(&self) -> Result<Option<u16>, AllowlistError> {
        match self.t.get("port") {
            None => Ok(None),
            Some(toml::Value::Integer(p)) => u16::try_from(*p)
                .map(Some)
                .map_err(|_| self.err("port", format!("{p} is not a port (0..=65535)"))),
            Some(_) => Err(self.err("port", "expected an integer".into())),
        }
    }
}

fn parse_entry(t: &toml::Table, entry: usize, line: usize) -> Result<AllowEntry, AllowlistError> {
    let r = EntryReader { t, entry, line };
    if let Some(k) = t.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(r.err(
            &crate::explain::clean(k, 40),
            format!("unknown field; known fields: {}", FIELDS.join(", ")),
        ));
    }
    let device = r.parsed("device", "a MAC or IP address", |s| {
        s.parse::<DeviceId>().ok()
    })?;
    let model = r
        .text("model")?
        .map(|s| ModelId(crate::explain::clean(&s, 64)));
    let kind = r.parsed("kind", "an alert kind", AlertKind::from_name)?;
    let peer = r.parsed("peer", "an address or network", |s| {
        s.parse::<IpNet>()
            .ok()
            .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
    })?;
    let port = r.port()?;
    let reason = r.required("reason")?;
    let author = r.required("author")?;
    let created = r
        .time("created")?
        .ok_or_else(|| r.err("created", "missing (RFC 3339 UTC time)".into()))?;
    let expires = r.time("expires")?;
    if device.is_none() && model.is_none() && kind.is_none() && peer.is_none() && port.is_none() {
        return Err(r.err(
            "device",
            "an entry needs at least one of device, model, kind, peer, port".into(),
        ));
    }
    Ok(AllowEntry {
        device,
        model,
        kind,
        peer,
        port,
        reason,
        author,
        created,
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{AlertDevice, AlertPeer, Severity};
    use std::collections::BTreeMap;

    const TEXT: &str = r#"
[[allow]]
device = "00:09:fb:12:34:56"
kind = "beaconing"
peer = "203.0.113.0/24"
reason = "vendor telemetry"
author = "j.doe"
created = "2026-01-05T08:00:00Z"
expires = "2026-02-05T08:00:00Z"

[[allow]]
model = "bd-alaris-pcu-8015"
kind = "new_service"
port = 8443
reason = "drug library server moved"
author = "biomed"
created = 2026-01-06T08:00:00Z
"#;

    fn alert(ts: &str, kind: AlertKind, peers: &[(&str, u16)]) -> Alert {
        let mac = "00:09:fb:12:34:56".parse().unwrap();
        Alert {
            ts: Timestamp::parse_rfc3339(ts).unwrap(),
            kind,
            severity: Severity::Medium,
            device: AlertDevice {
                id: DeviceId::Mac(mac),
                mac: Some(mac),
                ip: None,
                model: Some(ModelId::from("bd-alaris-pcu-8015")),
            },
            peers: peers
                .iter()
                .map(|(ip, port)| AlertPeer {
                    ip: ip.parse().unwrap(),
                    port: Some(*port),
                })
                .collect(),
            peers_total: peers.len() as u32,
            explanation: String::new(),
            features: Vec::new(),
            evidence: BTreeMap::new(),
        }
    }

    #[test]
    fn parses_applies_and_expires() {
        let list = Allowlist::parse(TEXT).unwrap();
        assert_eq!(list.entries().len(), 2);
        let mut a = alert(
            "2026-01-10T00:00:00Z",
            AlertKind::Beaconing,
            &[("203.0.113.9", 443)],
        );
        assert_eq!(list.apply(&mut a), Verdict::Drop);
        let mut b = alert(
            "2026-01-10T00:00:00Z",
            AlertKind::Beaconing,
            &[("203.0.113.9", 443), ("198.51.100.1", 443)],
        );
        assert_eq!(list.apply(&mut b), Verdict::Trimmed);
        assert_eq!((b.peers.len(), b.peers_total), (1, 1));
        // After expiry the first entry no longer applies …
        let mut c = alert(
            "2026-02-05T08:00:00Z",
            AlertKind::Beaconing,
            &[("203.0.113.9", 443)],
        );
        assert_eq!(list.apply(&mut c), Verdict::Keep);
        // … and is reported; one second before, it is not.
        let at = Timestamp::parse_rfc3339("2026-02-05T08:00:00Z").unwrap();
        assert_eq!(list.expired(at).len(), 1);
        assert_eq!(list.expired(at)[0].0, 1);
        assert!(list.expired(Timestamp(at.0 - 1_000_000)).is_empty());
        let mut d = alert(
            "2026-03-01T00:00:00Z",
            AlertKind::NewService,
            &[("10.0.0.5", 8443)],
        );
        assert_eq!(list.apply(&mut d), Verdict::Drop);
        let mut e = alert(
            "2026-03-01T00:00:00Z",
            AlertKind::NewService,
            &[("10.0.0.5", 8080)],
        );
        assert_eq!(list.apply(&mut e), Verdict::Keep);
    }

    #[test]
    fn errors_name_entry_line_and_field() {
        let bad = TEXT.replace("port = 8443", "port = 70000");
        assert_eq!(
            Allowlist::parse(&bad).unwrap_err().to_string(),
            "allow-list entry 2 (line 11), field `port`: 70000 is not a port (0..=65535)"
        );
        let bad = TEXT.replace("kind = \"beaconing\"", "kind = \"beaconin\"");
        assert!(
            matches!(Allowlist::parse(&bad), Err(AllowlistError::Entry { entry: 1, line: 2, ref field, .. }) if field == "kind")
        );
        let bad = TEXT.replace("author = \"biomed\"\n", "");
        assert!(
            matches!(Allowlist::parse(&bad), Err(AllowlistError::Entry { entry: 2, ref field, .. }) if field == "author")
        );
        let bad = TEXT.replace(
            "reason = \"vendor telemetry\"",
            "reason = \"x\"\ncolour = \"red\"",
        );
        assert!(
            matches!(Allowlist::parse(&bad), Err(AllowlistError::Entry { ref field, .. }) if field == "colour")
        );
        assert!(matches!(
            Allowlist::parse("[[allow]\n"),
            Err(AllowlistError::Syntax(_))
        ));
        let only_audit =
            "[[allow]]\nreason = \"r\"\nauthor = \"a\"\ncreated = \"2026-01-05T08:00:00Z\"\n";
        assert!(Allowlist::parse(only_audit).is_err());
    }

    #[test]
    fn append_round_trips() {
        let entry = AllowEntry {
            device: Some("10.1.2.3".parse().unwrap()),
            model: None,
            kind: Some(AlertKind::RemoteAccess),
            peer: Some("192.0.2.7/32".parse().unwrap()),
            port: Some(5938),
            reason: "vendor \"remote\" support\nticket 9".into(),
            author: "it-desk".into(),
            created: Timestamp::parse_rfc3339("2026-01-05T08:00:00Z").unwrap(),
            expires: None,
        };
        let text = append_entry(TEXT, &entry).unwrap();
        let list = Allowlist::parse(&text).unwrap();
        assert_eq!(list.entries().len(), 3);
        assert_eq!(list.entries()[2], entry);
        let fresh = append_entry("", &entry).unwrap();
        assert!(fresh.starts_with("[[allow]]\n"));
        assert_eq!(Allowlist::parse(&fresh).unwrap().entries(), &[entry]);
    }
}
