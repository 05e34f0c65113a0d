//! Progress bars of the offline commands (indicatif), drawn on standard error and hidden when
//! it is not a terminal, so logs and pipes stay clean.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Duration;

/// A set of bars drawn together on standard error.
pub struct Progress {
    multi: MultiProgress,
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new()
    }
}

impl Progress {
    /// Bars on standard error (hidden when it is not a terminal).
    pub fn new() -> Progress {
        Progress {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
        }
    }

    fn style(template: &str) -> ProgressStyle {
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
    }

    /// A bar over `total` bytes.
    pub fn bytes(&self, label: &str, total: u64) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::new(total));
        bar.set_style(Self::style(
            "{prefix:>10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {wide_msg}",
        ));
        bar.set_prefix(label.to_owned());
        bar
    }

    /// A bar over `total` items.
    pub fn items(&self, label: &str, total: u64, unit: &str) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::new(total));
        bar.set_style(Self::style(&format!(
            "{{prefix:>10}} [{{bar:30}}] {{pos}}/{{len}} {unit} {{wide_msg}}"
        )));
        bar.set_prefix(label.to_owned());
        bar
    }

    /// A spinner for work without a known size.
    pub fn spinner(&self, label: &str) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::new_spinner());
        bar.set_style(Self::style("{prefix:>10} {spinner} {elapsed} {wide_msg}"));
        bar.set_prefix(label.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }
}
