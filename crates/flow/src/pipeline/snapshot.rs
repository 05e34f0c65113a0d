//! The pipeline's saved state: device inventory with histories and address bindings.
//! Serialised by the sensor (which writes it atomically); versioned by [`SNAPSHOT_FORMAT`].

use crate::arp::BindingRecord;
use crate::device::DeviceSnapshot;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Snapshot format this build writes and reads.
pub const SNAPSHOT_FORMAT: u32 = 1;

/// Device histories, inventory and bindings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineSnapshot {
    /// Format version ([`SNAPSHOT_FORMAT`]).
    pub format: u32,
    /// Packet time of the last packet before the snapshot.
    pub saved_at: Option<Timestamp>,
    /// Devices, sorted by id.
    pub devices: Vec<DeviceSnapshot>,
    /// IP → MAC bindings, sorted by address.
    pub bindings: Vec<BindingRecord>,
}
