//! Fuzz target `decode`: see `wardwatch_fuzz::flow::decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::flow::decode(data));
