//! End-to-end tests: each module drives the real `wardwatch` binary the way a user would.

mod assess; // wardwatch assess: reports on the fixture pump, --write-profile, input errors exit 2
mod cli; // --help, --version, exit codes
