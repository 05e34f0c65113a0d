//! # wardwatch-flow
//!
//! The sans-IO half of wardwatch that turns traffic into facts: packet bytes and packet
//! timestamps in; flows, devices, identification evidence and per-device window feature
//! vectors out.
//!
//! Contract: deterministic (the same packets give the same output), no IO, no threads, no
//! clock (packet time comes from the caller), bounded memory (every table has a cap and counts
//! what it evicts), and no panic on any input byte.

pub mod catalog;
pub mod event;
pub mod features;
pub mod identify;
pub mod ids;
pub mod time;

pub use event::{Event, Identity, WindowFeatures};
pub use features::{FEATURE_COUNT, FEATURE_SCHEMA_VERSION, FEATURES, Feature, FeatureVector};
pub use ids::{DeviceId, DeviceRef, MacAddr, ModelId};
pub use time::{Span, Timestamp};
