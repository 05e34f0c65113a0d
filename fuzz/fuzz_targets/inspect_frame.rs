//! Fuzz target `inspect_frame`: see `wardwatch_fuzz::flow::inspect_frame`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::flow::inspect_frame(data));
