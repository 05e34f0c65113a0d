//! One module per subcommand; each is a thin orchestrator over the library crates.

pub mod synth;

/// An error in the user's input (a flag value, a config or catalog file): exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);
