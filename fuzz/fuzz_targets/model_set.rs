//! Fuzz target `model_set`: see `wardwatch_fuzz::baseline::model_set`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::baseline::model_set(data));
