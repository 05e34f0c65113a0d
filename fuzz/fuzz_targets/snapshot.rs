//! Fuzz target `snapshot`: see `wardwatch_fuzz::flow::snapshot`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::flow::snapshot(data));
