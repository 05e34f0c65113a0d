//! One module per subcommand; each is a thin orchestrator over the library crates.

pub mod allow;
pub mod assess;
pub mod inventory;
pub mod run;
pub mod synth;

/// Marks an error caused by the user's input (a missing or malformed file, a bad option value):
/// the process exits with code 2 instead of 1.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputFailure(pub String);
