//! `wardwatch inventory`: replays captures through an [`Engine`] (no detector) and prints the
//! device inventory; `inventory mark|states|history` record and show operator device states.
//! All IO of these commands happens here; the inventory module builds and renders.

use super::InputFailure;
use crate::capture::{self, CaptureEnd};
use crate::config::{self, CaptureConfig, CaptureSource, Config, Overrides};
use crate::engine::{self, Engine, EngineOutput};
use crate::inventory::{self, DeviceState, DeviceStates, StateChange, render};
use crate::model_set::ModelSet;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use wardwatch_flow::{DeviceId, Timestamp};

/// Output format of the inventory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// 80-column terminal table.
    Table,
    /// JSON list of entries.
    Json,
    /// CSV with a header row.
    Csv,
}

/// Where the state directory comes from.
#[derive(Clone, Debug, Default)]
pub struct StateDirArgs {
    /// `--config FILE` (its `state.dir`).
    pub config: Option<PathBuf>,
    /// `--state-dir DIR`.
    pub state_dir: Option<PathBuf>,
}

/// `wardwatch inventory FILE...`, parsed.
#[derive(Clone, Debug)]
pub struct ReportOptions {
    /// Captures, replayed in this order.
    pub files: Vec<PathBuf>,
    /// Output format.
    pub format: Format,
    /// `--models DIR`.
    pub models: Option<PathBuf>,
    /// `--config` / `--state-dir` (device states and locations).
    pub state: StateDirArgs,
}

/// `wardwatch inventory mark DEVICE STATE`, parsed.
#[derive(Clone, Debug)]
pub struct MarkOptions {
    /// The device.
    pub device: DeviceId,
    /// Its new state.
    pub state: DeviceState,
    /// `--reason`.
    pub reason: String,
    /// `--author`; `None`: the login name.
    pub author: Option<String>,
    /// Where the state directory is.
    pub dirs: StateDirArgs,
}

/// The inventory subcommands.
#[derive(Clone, Debug)]
pub enum Action {
    /// Print the inventory of captures.
    Report(ReportOptions),
    /// Record a device state.
    Mark(MarkOptions),
    /// Print every marked device and the whole audit trail.
    States(StateDirArgs),
    /// Print the audit trail of one device.
    History(DeviceId, StateDirArgs),
}

fn input(message: impl Into<String>) -> anyhow::Error {
    InputFailure(message.into()).into()
}

/// Runs the command.
pub fn run(action: Action) -> Result<()> {
    match action {
        Action::Report(options) => report(&options),
        Action::Mark(options) => mark(options),
        Action::States(dirs) => states(&dirs),
        Action::History(device, dirs) => history(device, &dirs),
    }
}

/// The configuration for an offline command: the file (if any) with the captures as the
/// packet source, so validation needs no live interface.
fn offline_config(path: Option<&Path>, first_file: &Path, models: Option<&Path>) -> Result<Config> {
    let overrides = Overrides {
        replay: Some(first_file.to_path_buf()),
        models: models.map(Path::to_path_buf),
        ..Overrides::default()
    };
    Ok(config::load(path, &overrides)?)
}

/// The state directory: `--state-dir`, else the configuration's `state.dir`.
pub fn state_dir(dirs: &StateDirArgs) -> Result<Option<PathBuf>> {
    if let Some(dir) = &dirs.state_dir {
        return Ok(Some(dir.clone()));
    }
    let Some(path) = &dirs.config else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|source| config::ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    let raw = config::parse_raw(&text, path)?;
    Ok((!raw.state.dir.is_empty()).then(|| PathBuf::from(raw.state.dir)))
}

fn required_state_dir(dirs: &StateDirArgs) -> Result<PathBuf> {
    state_dir(dirs)?.ok_or_else(|| match &dirs.config {
        Some(path) => input(format!(
            "--config {}: state.dir is not set; give --state-dir DIR",
            path.display()
        )),
        None => input("no state directory: give --state-dir DIR or --config FILE with state.dir"),
    })
}

fn report(o: &ReportOptions) -> Result<()> {
    let first = o
        .files
        .first()
        .ok_or_else(|| input("FILE: give at least one capture"))?;
    for file in &o.files {
        if !file.is_file() {
            return Err(input(format!(
                "FILE {}: not a readable file",
                file.display()
            )));
        }
    }
    let config = offline_config(o.state.config.as_deref(), first, o.models.as_deref())?;
    let models = ModelSet::load_reference(&config.models_dir).map_err(|e| input(e.to_string()))?;
    let states = match state_dir(&o.state)? {
        Some(dir) => DeviceStates::load(&dir)?,
        None => DeviceStates::empty(),
    };
    let mut engine = Engine::new(engine::pipeline_config(&config.pipeline), &models, None)
        .context("building the flow pipeline")?;
    for file in &o.files {
        replay(&mut engine, &config.capture, file)?;
    }
    let mut out = EngineOutput::default();
    engine.finish(&mut out);
    if engine.unsupported_linktype() > 0 {
        eprintln!(
            "wardwatch: warning: {} packets skipped: their capture's link type is not supported",
            engine.unsupported_linktype()
        );
    }
    let entries = inventory::build_inventory(
        &engine.pipeline().devices(),
        &models,
        &config.locations,
        &states,
    );
    let bytes = match o.format {
        Format::Table => render::table(&entries).into_bytes(),
        Format::Json => render::json(&entries)?.into_bytes(),
        Format::Csv => render::csv(&entries)?,
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&bytes)
        .and_then(|()| stdout.flush())
        .context("writing the inventory to stdout")
}

/// Reads one capture through the sensor's replay reader (libpcap, as fast as possible) into
/// the engine.
fn replay(engine: &mut Engine, capture: &CaptureConfig, file: &Path) -> Result<()> {
    let config = CaptureConfig {
        source: CaptureSource::Replay {
            path: file.to_path_buf(),
            speed: None,
        },
        ..capture.clone()
    };
    let opened = capture::open(&config).map_err(|e| match e {
        capture::CaptureError::File { path, message } => input(format!(
            "FILE {}: cannot open as pcap or pcapng: {message}",
            path.display()
        )),
        other => input(other.to_string()),
    })?;
    let handle = opened
        .start()
        .with_context(|| format!("starting the reader of {}", file.display()))?;
    let (parts, mut join) = handle.into_parts();
    let mut out = EngineOutput::default();
    for record in parts.records.iter() {
        engine.push(
            record.ts,
            record.linktype,
            &record.data,
            record.wire_len,
            &mut out,
        );
        // Windows are not needed here; the inventory is read from the device table.
        out.windows.clear();
        parts.recycler.give(record.data);
    }
    match join.join() {
        CaptureEnd::Finished => Ok(()),
        CaptureEnd::EndedEarly(reason) => {
            eprintln!(
                "wardwatch: warning: {}: the capture ends early ({reason}); packets before that point were read",
                file.display()
            );
            Ok(())
        }
        other => Err(anyhow::anyhow!(
            "reading {}: the reader stopped: {other:?}",
            file.display()
        )),
    }
}

/// The wall-clock time of an operator action.
fn now() -> Timestamp {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp(u64::try_from(since.as_micros()).unwrap_or(u64::MAX))
}

/// The author of an operator action: `--author`, else the login name.
pub fn author(given: Option<String>) -> Result<String> {
    given
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .filter(|a| !a.trim().is_empty())
        .ok_or_else(|| input("--author: not given and neither $USER nor $LOGNAME is set"))
}

fn mark(o: MarkOptions) -> Result<()> {
    if o.reason.trim().is_empty() {
        return Err(input("--reason: must not be empty"));
    }
    let dir = required_state_dir(&o.dirs)?;
    let author = author(o.author)?;
    let change = inventory::mark_device(&dir, o.device, o.state, (&o.reason, &author), now())
        .map_err(|e| match e.downcast::<inventory::StateError>() {
            Ok(refused) => input(refused.to_string()),
            Err(other) => other,
        })?;
    println!(
        "{}: {} -> {} (by {}: {})",
        change.device, change.from, change.to, change.author, change.reason
    );
    Ok(())
}

fn trail_line(c: &StateChange) -> String {
    render::terminal_text(&format!(
        "{}  {:<17}  {:>13} -> {:<13}  {}: {}",
        c.time.to_rfc3339(),
        c.device.to_string(),
        c.from.name(),
        c.to.name(),
        c.author,
        c.reason
    ))
}

fn states(dirs: &StateDirArgs) -> Result<()> {
    let dir = required_state_dir(dirs)?;
    let states = DeviceStates::load(&dir)?;
    let mut text = String::new();
    let marked: Vec<_> = states.marked().collect();
    if marked.is_empty() {
        text.push_str("No device has been marked.\n");
    } else {
        text.push_str("DEVICE             STATE\n");
        for (id, state) in marked {
            text.push_str(&format!("{:<17}  {state}\n", id.to_string()));
        }
        text.push_str("\nAUDIT TRAIL (oldest first)\n");
        for change in states.trail() {
            text.push_str(&trail_line(change));
            text.push('\n');
        }
    }
    print!("{text}");
    Ok(())
}

fn history(device: DeviceId, dirs: &StateDirArgs) -> Result<()> {
    let dir = required_state_dir(dirs)?;
    let states = DeviceStates::load(&dir)?;
    let changes = states.history(&device);
    println!("{device}: {}", states.state(&device));
    if changes.is_empty() {
        println!("never marked");
    }
    for change in changes {
        println!("{}", trail_line(change));
    }
    Ok(())
}
