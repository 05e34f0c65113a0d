//! Fuzz target `config`: see `wardwatch_fuzz::flow::config`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::flow::config(data));
