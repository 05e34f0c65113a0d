//! # wardwatch-synth
//!
//! Deterministic, labelled synthetic traffic of a hospital ward, for tests, demos, evaluation
//! and benchmarks. Device behaviour comes from the device-model catalog
//! (`[[model.traffic]]`, `[model.emits]`); the ward (areas, VLANs, servers, device mix,
//! day/night) from a [`WardConfig`]. [`generate`] streams Ethernet frames in packet-time order
//! into a [`PacketSink`] (e.g. [`PcapWriter`]) and returns the ground truth: one
//! [`DeviceRecord`] per device and one [`Label`] per staged attack.
//!
//! The same arguments give byte-identical output: every random choice comes from a stream
//! seeded by the run seed and a stable label, and ties in the event queue break by insertion
//! order. Memory is bounded by the ward, not by the capture's length.

pub mod activity;
pub mod config;
pub mod engine;
pub mod error;
pub mod identity;
pub mod output;
pub mod proto;
pub mod scenario;
pub mod seed;
pub mod sink;
pub mod ward;
pub mod wire;

pub use config::WardConfig;
pub use engine::{Params, Summary, generate};
pub use error::SynthError;
pub use output::{DeviceRecord, Label, write_jsonl};
pub use scenario::{ScenarioKind, parse_list as parse_scenarios};
pub use sink::{Origin, PacketSink, PcapWriter};
