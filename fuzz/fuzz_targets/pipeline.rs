//! Fuzz target `pipeline`: see `wardwatch_fuzz::flow::pipeline`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::flow::pipeline(data));
