//! Fuzz target `oui`: see `wardwatch_fuzz::flow::oui`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::flow::oui(data));
