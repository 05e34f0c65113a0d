//! Fuzz target `advisory`: see `wardwatch_fuzz::flow::advisory`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::flow::advisory(data));
