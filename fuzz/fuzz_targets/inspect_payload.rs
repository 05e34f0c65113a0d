//! Fuzz target `inspect_payload`: see `wardwatch_fuzz::flow::inspect_payload`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::flow::inspect_payload(data));
