//! One module per subcommand; each is a thin orchestrator over the library crates.

pub mod alerts;
pub mod allow;
pub mod assess;
pub mod eval;
pub mod inventory;
pub mod models;
pub mod retrain;
pub mod run;
pub mod synth;

/// Writes a command's output to standard output. A reader that went away (`| head`) ends the
/// output quietly instead of failing the command.
pub fn print_out(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(anyhow::Error::from),
    }
}

/// Marks an error caused by the user's input (a missing or malformed file, a bad option value):
/// the process exits with code 2 instead of 1.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputFailure(pub String);
