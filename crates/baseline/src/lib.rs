//! # wardwatch-baseline
//!
//! The sans-IO half of wardwatch that judges behaviour: device windows and events in; learnt
//! per-device-model profiles, rule detections and explained alerts out. Model files are encoded
//! and verified here as bytes; the sensor does the file IO.
//!
//! Contract: deterministic, no IO, no clock (packet time from the events), bounded state, and
//! no panic on any input (windows, model bytes, allow-list text). Training (`train`) is offline
//! work; linfa's k-means initialisation inside it may use rayon's thread pool, the detector
//! never does.
//!
//! - [`train()`] / [`Trainer`]: windows → [`ModelSet`] + [`TrainingReport`].
//! - [`Detector`]: [`wardwatch_flow::Event`]s → [`Alert`]s, with the [`Allowlist`], dedup and
//!   rate limit applied; anomaly scores and maturity for metrics.
//! - [`ModelSet::encode`] / [`ModelSet::decode`]: the model file ([`model_file`]).
//! - [`DeclaredProfile`]: a manufacturer's declared behaviour as the allow-list from the first packet.

pub mod alert;
pub mod allowlist;
pub mod bounded;
pub mod declared;
pub mod dedup;
pub mod detector;
pub mod error;
pub mod explain;
pub mod maturity;
pub mod model_file;
pub mod model_set;
pub mod ports;
pub mod profile;
pub mod rate_limit;
pub mod rules;
pub mod scaling;
pub mod testkit;
pub mod train;

pub use alert::{Alert, AlertDevice, AlertKind, AlertPeer, FeatureDeviation, Severity};
pub use allowlist::{AllowEntry, Allowlist, AllowlistError, append_entry};
pub use declared::{DeclaredPeer, DeclaredProfile, DeclaredService};
pub use detector::config::DetectorConfig;
pub use detector::stats::DetectorStats;
pub use detector::{Detector, DeviceStatus};
pub use error::BaselineError;
pub use maturity::{Maturity, MaturityParams};
pub use model_file::{ModelFileError, ModelFileHeader};
pub use model_set::ModelSet;
pub use profile::{Profile, ProfileKey};
pub use rules::anomaly::AnomalyScore;
pub use train::report::{DeviceReport, ProfileReport, TrainingReport};
pub use train::{TrainParams, Trainer, train};
