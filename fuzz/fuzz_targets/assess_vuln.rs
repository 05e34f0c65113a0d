//! Fuzz target `assess_vuln`: see `wardwatch_fuzz::assess::vuln`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::assess::vuln(data));
