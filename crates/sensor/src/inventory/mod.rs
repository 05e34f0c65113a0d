//! The device inventory: one [`InventoryEntry`] per device with its identity, services,
//! location, applicable advisories in risk order, overall risk and operator state; the device
//! states and their audit trail; the table, CSV and JSON renderings; the atomic JSON file
//! `wardwatch run --inventory-out` keeps.
//!
//! What the run processor calls (see docs/inventory.md):
//! - [`build_inventory`] with `Pipeline::devices()`, the loaded model set, `config.locations`
//!   and the [`DeviceStates`] loaded from `state.dir`;
//! - [`write_inventory`] for `--inventory-out` (periodically and at exit);
//! - [`risk_summaries`] for `Metrics::observe_device_risks`;
//! - [`DeviceStates::detector_statuses`] for `Detector::set_device_states`.

pub mod entry;
pub mod location;
pub mod render;
pub mod states;

pub use entry::{InventoryEntry, build_inventory, risk_summaries};
pub use states::{DeviceState, DeviceStates, StateChange, StateError, mark_device};

use crate::store::{self, StoreError};
use std::path::Path;

/// Writes the inventory as JSON to `path`, atomically (temp file in the same directory, fsync,
/// rename, fsync directory); the bytes are read back and parsed before they replace the
/// previous file. The output is deterministic: the same entries give the same bytes.
pub fn write_inventory(path: &Path, entries: &[InventoryEntry]) -> Result<(), StoreError> {
    let text = render::json(entries).map_err(|e| StoreError::Corrupt {
        path: path.to_path_buf(),
        reason: format!("cannot encode the inventory: {e}"),
    })?;
    let expected = entries.len();
    store::write_atomic_verified(
        path,
        text.as_bytes(),
        |written| match serde_json::from_slice::<Vec<serde_json::Value>>(written) {
            Ok(list) if list.len() == expected => Ok(()),
            Ok(list) => Err(format!(
                "read back {} devices, wrote {expected}",
                list.len()
            )),
            Err(e) => Err(format!("read back invalid JSON: {e}")),
        },
    )
}

#[cfg(test)]
pub(crate) mod testkit {
    //! Device records for the inventory's unit tests.

    use wardwatch_flow::{DeviceId, DeviceRecord, DeviceRef, Identity, Timestamp};

    /// An unidentified, established device with a MAC key and these addresses.
    pub(crate) fn record(mac: &str, ips: &[&str]) -> DeviceRecord {
        let id: DeviceId = mac.parse().unwrap();
        let mac = match id {
            DeviceId::Mac(m) => Some(m),
            DeviceId::Ip(_) => None,
        };
        let mut ips: Vec<std::net::IpAddr> = ips.iter().map(|ip| ip.parse().unwrap()).collect();
        ips.sort_unstable();
        DeviceRecord {
            device: DeviceRef {
                id,
                mac,
                ip: ips.last().copied(),
            },
            ips,
            identity: Identity::default(),
            hostname: None,
            services: Vec::new(),
            used: Vec::new(),
            vlans: Vec::new(),
            first_seen: Timestamp::from_secs(1_767_600_000),
            last_seen: Timestamp::from_secs(1_767_603_600),
            established: true,
            evidence: Vec::new(),
            decided_by: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
