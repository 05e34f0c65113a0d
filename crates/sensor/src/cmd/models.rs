//! `wardwatch models list | show MODEL_ID | export-mud MODEL_ID | activate VERSION | rollback`:
//! the model store seen by people. `show` prints a learnt profile readably; `export-mud` writes
//! it as an RFC 8520 MUD document (checked by reading it back through wardwatch-assess's MUD
//! reader before it is written).

use super::InputFailure;
use crate::model_manifest::ProfileSummary;
use crate::model_set::ModelSet;
use crate::model_store::{LoadedVersion, ModelStore};
use crate::mud_export::{self, ExportInfo};
use crate::training::summary::table;
use anyhow::Context;
use std::fmt::Write;
use std::path::PathBuf;
use wardwatch_baseline::{Profile, ProfileKey};
use wardwatch_flow::ModelId;

/// What `wardwatch models` was asked.
#[derive(Debug, Clone)]
pub enum Action {
    /// List the versions in the store.
    List,
    /// Print one model's learnt profile.
    Show(String),
    /// Write one model's learnt profile as a MUD document (to a file, or standard output).
    ExportMud {
        /// Catalog model id.
        model: String,
        /// Output file; `None`: standard output.
        out: Option<PathBuf>,
    },
    /// Make a version active.
    Activate(String),
    /// Re-activate the previously active version.
    Rollback,
}

/// Options of `wardwatch models`.
#[derive(Debug, Clone)]
pub struct Options {
    /// The action.
    pub action: Action,
    /// The model store.
    pub store: PathBuf,
    /// Reference data (the catalog names models for `export-mud`).
    pub models: PathBuf,
}

/// Runs the command.
pub fn run(o: Options) -> anyhow::Result<()> {
    let store = ModelStore::new(&o.store);
    match &o.action {
        Action::List => super::print_out(&list(&store)?),
        Action::Show(model) => super::print_out(&show(&active(&store)?, model)?),
        Action::ExportMud { model, out } => {
            let loaded = active(&store)?;
            let text = export(&loaded, model, &o.models)?;
            match out {
                Some(path) => {
                    crate::store::write_atomic(path, text.as_bytes())?;
                    super::print_out(&format!(
                        "wrote the MUD profile of {model} to {}\n",
                        path.display()
                    ))
                }
                None => super::print_out(&text),
            }
        }
        Action::Activate(version) => {
            store.activate(version)?;
            super::print_out(&format!(
                "version {version} is active in {} (running sensors pick it up at SIGHUP)\n",
                o.store.display()
            ))
        }
        Action::Rollback => {
            let (from, to) = store.rollback()?;
            super::print_out(&format!(
                "rolled back from {from} to {to} in {} (running sensors pick it up at SIGHUP)\n",
                o.store.display()
            ))
        }
    }
}

fn active(store: &ModelStore) -> anyhow::Result<LoadedVersion> {
    store.load_active()?.ok_or_else(|| {
        InputFailure(format!(
            "{}: no active version (train one with wardwatch retrain --activate)",
            store.dir().display()
        ))
        .into()
    })
}

fn list(store: &ModelStore) -> anyhow::Result<String> {
    let active = store.active()?;
    let mut rows = Vec::new();
    for version in store.versions()? {
        let mark = if active.as_deref() == Some(version.as_str()) {
            "*"
        } else {
            ""
        };
        let row = match store.load(&version) {
            Ok(v) => vec![
                mark.to_owned(),
                version.clone(),
                v.manifest
                    .trained_at
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default(),
                v.manifest.profiles.len().to_string(),
                v.manifest
                    .inputs
                    .iter()
                    .map(|i| i.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ],
            Err(err) => vec![
                mark.to_owned(),
                version.clone(),
                format!("DAMAGED: {err}"),
                String::new(),
                String::new(),
            ],
        };
        rows.push(row);
    }
    if rows.is_empty() {
        return Ok(format!("{}: no versions yet\n", store.dir().display()));
    }
    Ok(table(
        &["active", "version", "trained until", "profiles", "inputs"],
        &rows,
    ))
}

fn model_profile<'a>(loaded: &'a LoadedVersion, model: &str) -> anyhow::Result<&'a Profile> {
    loaded
        .profiles
        .model_profile(&ModelId::from(model))
        .ok_or_else(|| {
            let known: Vec<String> = loaded
                .profiles
                .profiles()
                .filter_map(|p| match &p.key {
                    ProfileKey::Model(m) => Some(m.as_str().to_owned()),
                    ProfileKey::Device(_) => None,
                })
                .collect();
            InputFailure(format!(
                "version {} has no fleet profile of model {model:?} (fleet profiles: {})",
                loaded.manifest.version,
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ))
            .into()
        })
}

fn show(loaded: &LoadedVersion, model: &str) -> anyhow::Result<String> {
    let p = model_profile(loaded, model)?;
    let summary: Option<&ProfileSummary> = loaded
        .manifest
        .profiles
        .iter()
        .find(|s| s.profile == p.key.to_string());
    let mut out = overview(p, &loaded.manifest.version, summary);
    let _ = writeln!(out, "\nservices (allowed = part of normal behaviour):");
    out.push_str(&services(p));
    Ok(out)
}

/// The profile's headline figures, one per line.
fn overview(p: &Profile, version: &str, summary: Option<&ProfileSummary>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} (version {version})", p.key);
    let _ = writeln!(out, "class:        {}", p.class.as_deref().unwrap_or("-"));
    let _ = writeln!(out, "devices:      {}", p.devices.len());
    let _ = writeln!(
        out,
        "windows:      {} of {} s",
        p.behaviour.windows, p.window_secs
    );
    let m = &p.maturity;
    let _ = writeln!(
        out,
        "maturity:     {:.2}{} ({} windows, {} days, {} hours of the day)",
        m.figure,
        m.reason
            .as_ref()
            .map_or(" mature".to_owned(), |r| format!(", {r}")),
        m.windows,
        m.days,
        m.hours_covered
    );
    let _ = match &p.statistical {
        Some(s) => writeln!(
            out,
            "anomaly:      threshold {:.2} (typical score {:.2}), {} active features",
            s.threshold,
            s.median_score,
            s.active.len()
        ),
        None => writeln!(out, "anomaly:      no statistical model (too few windows)"),
    };
    if let Some(s) = summary {
        let rate = s
            .holdout_false_alerts_per_100_device_days
            .map_or("-".to_owned(), |v| format!("{v:.2}"));
        let _ = writeln!(
            out,
            "hold-out:     {} windows, {} alerts ({rate} per 100 device-days)",
            s.holdout_windows, s.holdout_alerts
        );
    }
    out.push_str(&external(&p.behaviour));
    out
}

/// External reach and remote execution, one line each.
fn external(b: &wardwatch_baseline::profile::behaviour::BehaviourProfile) -> String {
    let prefixes: Vec<String> = b
        .external_prefixes
        .iter()
        .map(ToString::to_string)
        .collect();
    let reach = if b.external_outbound {
        "starts flows to external hosts"
    } else {
        "never starts flows to external hosts"
    };
    let known = if prefixes.is_empty() {
        String::new()
    } else {
        let closed = if b.external_prefixes_closed {
            ", closed set"
        } else {
            ""
        };
        format!(" ({}{closed})", prefixes.join(", "))
    };
    let exec = if b.remote_exec_normal {
        "normal for this model"
    } else {
        "never seen"
    };
    format!("external:     {reach}{known}\nremote exec:  {exec}\n")
}

/// The behaviour profile's services as a table.
fn services(p: &Profile) -> String {
    let b = &p.behaviour;
    let rows: Vec<Vec<String>> = b
        .services
        .iter()
        .map(|s| {
            let port = if b.dynamic_port_floor > 0 && s.key.port == b.dynamic_port_floor {
                format!("{}+", s.key.port)
            } else {
                s.key.port.to_string()
            };
            vec![
                format!("{:?}", s.key.direction).to_lowercase(),
                format!("{:?}", s.key.role),
                format!("{:?}", s.key.proto).to_lowercase(),
                port,
                format!("{}/{}", s.devices, b.devices),
                s.windows.to_string(),
                if s.allowed { "yes" } else { "no" }.to_owned(),
            ]
        })
        .collect();
    table(
        &[
            "direction",
            "peer",
            "proto",
            "port",
            "devices",
            "windows",
            "allowed",
        ],
        &rows,
    )
}

fn export(
    loaded: &LoadedVersion,
    model: &str,
    models_dir: &std::path::Path,
) -> anyhow::Result<String> {
    let p = model_profile(loaded, model)?;
    let reference = ModelSet::load_reference(models_dir)?;
    let entry = reference
        .catalog
        .models
        .iter()
        .find(|m| m.id.as_str() == model);
    let info = ExportInfo {
        model,
        vendor: entry.map_or("unknown", |m| m.vendor.as_str()),
        name: entry.map_or(model, |m| m.name.as_str()),
        version: &loaded.manifest.version,
        trained_at: loaded
            .manifest
            .trained_at
            .map(|t| t.to_rfc3339())
            .unwrap_or_default(),
    };
    let text = mud_export::export(p, &info);
    wardwatch_assess::mud::parse("exported MUD", text.as_bytes())
        .with_context(|| format!("the MUD document of {model} does not read back"))?;
    Ok(text)
}
