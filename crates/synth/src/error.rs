//! Errors of the generator. Configuration and argument errors name the key or flag at fault;
//! the binary maps [`SynthError::is_usage`] errors to exit code 2.

use std::io;

/// Why a synthetic ward could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The ward configuration does not parse or breaks a rule.
    #[error("ward config: {0}")]
    Config(String),
    /// The device catalog refers to something the ward config does not provide.
    #[error("catalog model {model:?}, traffic[{item}]: {reason}")]
    CatalogTraffic {
        /// Model id.
        model: String,
        /// Index of the traffic item in the model.
        item: usize,
        /// What is wrong.
        reason: String,
    },
    /// A generation parameter (a command-line flag) is out of range.
    #[error("{flag}: {reason}")]
    Param {
        /// The flag, e.g. `--devices`.
        flag: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A requested scenario cannot run in this ward.
    #[error("scenario {scenario}: {reason}")]
    Scenario {
        /// Scenario kind name.
        scenario: &'static str,
        /// What is missing.
        reason: String,
    },
    /// Writing the output failed.
    #[error("writing output: {0}")]
    Io(#[from] io::Error),
    /// A frame could not be built (a generator bug).
    #[error(transparent)]
    Frame(#[from] crate::wire::frame::FrameError),
}

impl SynthError {
    /// True for errors in the user's input (flags, config, catalog): exit code 2.
    pub fn is_usage(&self) -> bool {
        !matches!(self, SynthError::Io(_) | SynthError::Frame(_))
    }
}

/// Shorthand for config errors.
pub(crate) fn config(msg: impl Into<String>) -> SynthError {
    SynthError::Config(msg.into())
}
