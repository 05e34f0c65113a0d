//! Fuzz target `assess_mds2`: see `wardwatch_fuzz::assess::mds2`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::assess::mds2(data));
