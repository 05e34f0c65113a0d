//! Errors of training and configuration. Model files and allow-lists have their own error
//! types next to their parsers ([`crate::ModelFileError`], [`crate::AllowlistError`]).

/// Why training or a configuration was refused. Messages name the field and what to change.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// A training parameter or detector setting is out of range.
    #[error("setting {field}: {reason}")]
    InvalidSetting {
        /// Dotted name of the setting, e.g. `gmm.max_components`.
        field: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// Training was given no windows.
    #[error("no training windows: feed the feature log of at least one device")]
    NoWindows,
}

impl BaselineError {
    /// An [`BaselineError::InvalidSetting`].
    pub fn setting(field: &str, reason: impl Into<String>) -> BaselineError {
        BaselineError::InvalidSetting {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Checks `value` is finite and within `lo..=hi`.
pub(crate) fn check_range(field: &str, value: f64, lo: f64, hi: f64) -> Result<(), BaselineError> {
    if value.is_finite() && value >= lo && value <= hi {
        Ok(())
    } else {
        Err(BaselineError::setting(
            field,
            format!("{value} is outside {lo}..={hi}"),
        ))
    }
}
