//! Fuzz target `assess_mud`: see `wardwatch_fuzz::assess::mud`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::assess::mud(data));
