//! # wardwatch-synth
//!
//! Deterministic, labelled synthetic traffic of a hospital ward, for tests, demos, evaluation
//! and benchmarks. Device behaviour comes from the device-model catalog; the same arguments give
//! byte-identical output.
