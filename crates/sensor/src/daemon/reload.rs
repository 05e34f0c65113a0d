//! SIGHUP: re-read the configuration file (flags still win) and the model directory, check
//! both, and switch to them at once; a bad configuration or model set is refused and the old
//! one kept. Sections that need a restart keep their running values (the log names them).

use super::worker::Control;
use super::{Daemon, SINK_GRACE};
use crate::config::{self, Config};
use crate::metrics::labels::Outcome;
use crate::model_set::ModelSet;
use crate::sinks::{AlertSender, AlertSinks};
use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::Duration;

/// Longest wait for the pipeline thread to accept a reload.
const REPLY_LIMIT: Duration = Duration::from_secs(10);

/// The new configuration with the restart-only sections kept at their running values.
fn merge(running: &Config, new: Config) -> Config {
    Config {
        capture: running.capture.clone(),
        metrics: running.metrics.clone(),
        privileges: running.privileges.clone(),
        state: running.state.clone(),
        inventory_out: running.inventory_out.clone(),
        features_out: running.features_out.clone(),
        ..new
    }
}

/// Reloads; returns the sinks in use afterwards (the new ones if alerts changed).
pub(super) async fn reload(
    daemon: &mut Daemon,
    control: &Sender<Control>,
    sender: &AlertSender,
    sinks: AlertSinks,
) -> AlertSinks {
    match try_reload(daemon, control).await {
        Ok(new_sinks) => {
            daemon.metrics.observe_reload(Outcome::Success);
            tracing::info!(models_version = %daemon.models.version, "reloaded configuration and models");
            super::log_models(&daemon.models);
            match new_sinks {
                Some(new_sinks) => {
                    sender.replace(new_sinks.queues());
                    tokio::spawn(sinks.shutdown(SINK_GRACE));
                    new_sinks
                }
                None => sinks,
            }
        }
        Err(reason) => {
            daemon.metrics.observe_reload(Outcome::Failure);
            tracing::error!(%reason, "reload refused; still running on the previous configuration and models");
            sinks
        }
    }
}

async fn try_reload(
    daemon: &mut Daemon,
    control: &Sender<Control>,
) -> Result<Option<AlertSinks>, String> {
    let new = config::load(
        daemon.options.config_path.as_deref(),
        &daemon.options.overrides,
    )
    .map_err(|e| e.to_string())?;
    let models =
        Arc::new(ModelSet::load(&new.models_dir, &new.models_store).map_err(|e| e.to_string())?);
    let restart_only = daemon.config.restart_only_changes(&new);
    if !restart_only.is_empty() {
        tracing::warn!(sections = ?restart_only, "these sections changed but need a restart; keeping their running values");
    }
    let merged = merge(&daemon.config, new);
    let new_sinks = if merged.alerts == daemon.config.alerts {
        None
    } else {
        Some(
            AlertSinks::start(&merged.alerts, &daemon.metrics)
                .await
                .map_err(|e| e.to_string())?,
        )
    };
    let (reply, answer) = tokio::sync::oneshot::channel();
    let message = Control::Reload {
        config: Box::new(merged.clone()),
        models: models.clone(),
        reply,
    };
    // If the pipeline thread has already ended (a finished replay), there is nothing to reload
    // in it; the rest still applies.
    if control.send(message).is_ok() {
        let accepted = match tokio::time::timeout(REPLY_LIMIT, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Ok(()),
            Err(_) => Err("the pipeline did not answer within 10 s".into()),
        };
        if let Err(reason) = accepted {
            if let Some(unused) = new_sinks {
                unused.shutdown(Duration::ZERO).await;
            }
            return Err(format!(
                "the pipeline refused the new models or configuration: {reason}"
            ));
        }
    }
    daemon.metrics.set_label_policy(models.label_policy());
    daemon.metrics.set_model_set(&models.info());
    daemon
        .metrics
        .set_flow_table_capacity(merged.pipeline.flow_table.max_flows);
    daemon.config = merged;
    daemon.models = models;
    Ok(new_sinks)
}
