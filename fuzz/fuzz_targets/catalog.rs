//! Fuzz target `catalog`: see `wardwatch_fuzz::flow::catalog`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::flow::catalog(data));
