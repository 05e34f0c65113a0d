//! Fuzz target `assess_sbom`: see `wardwatch_fuzz::assess::sbom`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::assess::sbom(data));
