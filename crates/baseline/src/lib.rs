//! # wardwatch-baseline
//!
//! The sans-IO half of wardwatch that judges behaviour: device windows and events in; learnt
//! per-device-model profiles, rule detections and explained alerts out. Model files are encoded
//! and verified here as bytes; the sensor does the file IO.
//!
//! Contract: deterministic, no IO, no threads, no clock (packet time from the events), bounded
//! state, and no panic on any input (windows, model bytes, allow-list text).

pub mod alert;

pub use alert::{Alert, AlertDevice, AlertKind, AlertPeer, FeatureDeviation, Severity};
