//! Identifiers that cross crate borders: MAC addresses, device ids, device-model ids.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An Ethernet MAC address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// The broadcast address ff:ff:ff:ff:ff:ff.
    pub const BROADCAST: MacAddr = MacAddr([0xff; 6]);

    /// True for group (multicast or broadcast) addresses.
    pub fn is_group(&self) -> bool {
        self.0[0] & 1 == 1
    }
    /// True for locally administered (randomised or virtual) addresses.
    pub fn is_local(&self) -> bool {
        self.0[0] & 2 == 2
    }
    /// The 24-bit organisationally unique identifier.
    pub fn oui(&self) -> [u8; 3] {
        [self.0[0], self.0[1], self.0[2]]
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

/// A MAC address text that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("not a MAC address: {0:?} (expected six hex octets like 00:09:fb:12:34:56)")]
pub struct MacParseError(pub String);

impl FromStr for MacAddr {
    type Err = MacParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; 6];
        let mut parts = s.split([':', '-']);
        for slot in out.iter_mut() {
            let part = parts.next().ok_or_else(|| MacParseError(s.into()))?;
            if part.len() != 2 {
                return Err(MacParseError(s.into()));
            }
            *slot = u8::from_str_radix(part, 16).map_err(|_| MacParseError(s.into()))?;
        }
        if parts.next().is_some() {
            return Err(MacParseError(s.into()));
        }
        Ok(MacAddr(out))
    }
}

impl Serialize for MacAddr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MacAddr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What a device is keyed by: its MAC, or its IP where one MAC carries many source IPs (a router).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceId {
    /// A station keyed by its Ethernet address.
    Mac(MacAddr),
    /// A host behind a router, keyed by its IP address.
    Ip(IpAddr),
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceId::Mac(m) => m.fmt(f),
            DeviceId::Ip(ip) => ip.fmt(f),
        }
    }
}

impl FromStr for DeviceId {
    type Err = MacParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Ok(mac) = s.parse::<MacAddr>() {
            return Ok(DeviceId::Mac(mac));
        }
        s.parse::<IpAddr>()
            .map(DeviceId::Ip)
            .map_err(|_| MacParseError(s.into()))
    }
}

/// A device as alerts, inventory and feature logs name it: its key plus the addresses seen.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeviceRef {
    /// The key the device table uses.
    pub id: DeviceId,
    /// The device's MAC address, when known.
    pub mac: Option<MacAddr>,
    /// The device's most recent IP address, when known.
    pub ip: Option<IpAddr>,
}

/// A device-model id from `models/catalog.toml`, e.g. `bd-alaris-pcu-8015`. Bounded: only catalog
/// ids (checked at catalog load) ever become model ids, so they are safe as metric labels.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ModelId(pub String);

impl ModelId {
    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ModelId {
    fn from(s: &str) -> Self {
        ModelId(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_parse_display() {
        let m: MacAddr = "00:09:FB:12:34:56".parse().unwrap();
        assert_eq!(m.to_string(), "00:09:fb:12:34:56");
        assert_eq!(m.oui(), [0x00, 0x09, 0xfb]);
        assert!(!m.is_group());
        assert!(MacAddr::BROADCAST.is_group());
        assert!("00:09:fb:12:34".parse::<MacAddr>().is_err());
        assert!("00:09:fb:12:34:56:78".parse::<MacAddr>().is_err());
        assert!("0:09:fb:12:34:56".parse::<MacAddr>().is_err());
    }

    #[test]
    fn device_id_json() {
        let id = DeviceId::Mac("00:09:fb:00:00:01".parse().unwrap());
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            r#"{"mac":"00:09:fb:00:00:01"}"#
        );
        assert_eq!(
            "10.0.0.1".parse::<DeviceId>().unwrap().to_string(),
            "10.0.0.1"
        );
    }
}
