//! Fuzz target `allowlist`: see `wardwatch_fuzz::baseline::allowlist`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::baseline::allowlist(data));
