//! End-to-end tests: each module drives the real `wardwatch` binary the way a user would.

mod cli; // --help, --version, exit codes
mod synth; // wardwatch synth: files, determinism, exit codes, memory, tshark dissection
