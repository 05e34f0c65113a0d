//! # wardwatch-flow
//!
//! The sans-IO half of wardwatch that turns traffic into facts: packet bytes and packet
//! timestamps in; flows, devices, identification evidence and per-device window feature
//! vectors out.
//!
//! Contract: deterministic (the same packets give the same output), no IO, no threads, no
//! clock (packet time comes from the caller), bounded memory (every table has a cap and counts
//! what it evicts), and no panic on any input byte.
//!
//! The way through is [`Pipeline`]: `decode` → `flow_table` → `site` (devices, windows,
//! addresses, periodicity) → [`Event`]s. The site model is fed through the
//! [`observe::Observation`] interface, so flow records can feed it as well as packets.

pub mod arp;
mod capped;
pub mod catalog;
pub mod config;
pub mod decode;
pub mod device;
pub mod dhcp;
pub mod duration_text;
pub mod event;
pub mod features;
pub mod flow_table;
pub mod identify;
pub mod ids;
pub mod infra;
pub mod nets;
pub mod observe;
pub mod periodicity;
pub mod pipeline;
pub mod site;
pub mod stats;
pub mod time;
pub mod window;

#[cfg(test)]
pub(crate) mod testing;

pub use config::{ConfigError, PipelineConfig};
pub use decode::{LinkType, decode};
pub use device::DeviceRecord;
pub use event::{Event, Identity, WindowFeatures};
pub use features::{FEATURE_COUNT, FEATURE_SCHEMA_VERSION, FEATURES, Feature, FeatureVector};
pub use ids::{DeviceId, DeviceRef, MacAddr, ModelId};
pub use pipeline::{Packet, Pipeline, PipelineError, PipelineSnapshot};
pub use stats::PipelineStats;
pub use time::{Span, Timestamp};
