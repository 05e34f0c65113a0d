//! Fuzz target `dhcp`: see `wardwatch_fuzz::flow::dhcp`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wardwatch_fuzz::flow::dhcp(data));
