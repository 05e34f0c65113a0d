//! `wardwatch run`: load and validate the configuration, then hand over to the daemon with the
//! pipeline processor (flow pipeline + detector over the loaded profiles).

use crate::config::{self, Overrides};
use crate::daemon::{self, PipelineProcessor, RunOptions};
use std::path::PathBuf;

/// `wardwatch run`, parsed.
#[derive(Debug)]
pub struct RunCommand {
    /// `--config FILE`.
    pub config_path: Option<PathBuf>,
    /// Flags overriding configuration keys.
    pub overrides: Overrides,
    /// `--keep-running`.
    pub keep_running: bool,
}

impl RunCommand {
    /// Runs the sensor until SIGTERM/SIGINT or the end of a replay.
    pub fn run(self) -> anyhow::Result<()> {
        crate::logging::init();
        let config = config::load(self.config_path.as_deref(), &self.overrides)?;
        let options = RunOptions {
            config_path: self.config_path,
            overrides: self.overrides,
            keep_running: self.keep_running,
        };
        daemon::run(config, options, PipelineProcessor::factory())
    }
}
