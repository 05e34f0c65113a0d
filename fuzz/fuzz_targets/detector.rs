//! Fuzz target `detector`: see `wardwatch_fuzz::baseline::detector`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::baseline::detector(data));
