//! What a retrain prints and records: one [`ProfileSummary`] per profile (devices, windows,
//! threshold, hold-out false alerts per 100 device-days, flagged outlier devices, maturity),
//! the summary table, and the threshold diff against the previously active version.

use super::validate::Figures;
use crate::model_manifest::ProfileSummary;
use std::collections::BTreeMap;
use std::fmt::Write;
use wardwatch_baseline::{ProfileKey, TrainingReport};

/// The per-profile summaries of a training report and its hold-out figures, sorted by profile.
pub fn summaries(
    report: &TrainingReport,
    holdout: &BTreeMap<Option<ProfileKey>, Figures>,
) -> Vec<ProfileSummary> {
    report
        .profiles
        .iter()
        .map(|p| {
            let figures = holdout
                .get(&Some(p.key.clone()))
                .cloned()
                .unwrap_or_default();
            ProfileSummary {
                profile: p.key.to_string(),
                model: p.model.as_ref().map(|m| m.as_str().to_owned()),
                devices: p.devices,
                windows: p.windows,
                threshold: p.threshold.filter(|t| t.is_finite()),
                holdout_windows: figures.windows,
                holdout_device_days: round4(figures.device_days),
                holdout_alerts: figures.alerts,
                holdout_false_alerts_per_100_device_days: figures.per_100_device_days().map(round4),
                outliers: p.outliers.iter().map(|o| o.device.to_string()).collect(),
                maturity: round4(p.maturity.figure),
                mature: p.maturity.mature,
                maturity_reason: p.maturity.reason.clone(),
            }
        })
        .collect()
}

fn round4(x: f64) -> f64 {
    if x.is_finite() {
        (x * 10_000.0).round() / 10_000.0
    } else {
        0.0
    }
}

/// Renders rows as a left-aligned text table with a header rule.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        let text: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", text.join("  ").trim_end());
    };
    line(header.to_vec(), &mut out);
    line(
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect(),
        &mut out,
    );
    for row in rows {
        line(row.iter().map(String::as_str).collect(), &mut out);
    }
    out
}

fn number(x: Option<f64>, decimals: usize) -> String {
    x.map_or_else(|| "-".to_owned(), |v| format!("{v:.decimals$}"))
}

/// The summary table of a retrain.
pub fn render(profiles: &[ProfileSummary]) -> String {
    let rows: Vec<Vec<String>> = profiles
        .iter()
        .map(|p| {
            vec![
                p.profile.clone(),
                p.devices.to_string(),
                p.windows.to_string(),
                number(p.threshold, 2),
                number(p.holdout_false_alerts_per_100_device_days, 2),
                if p.outliers.is_empty() {
                    "-".to_owned()
                } else {
                    p.outliers.join(" ")
                },
                match (&p.mature, &p.maturity_reason) {
                    (true, _) => format!("{:.2} mature", p.maturity),
                    (false, Some(reason)) => format!("{:.2} ({reason})", p.maturity),
                    (false, None) => format!("{:.2}", p.maturity),
                },
            ]
        })
        .collect();
    table(
        &[
            "profile",
            "devices",
            "windows",
            "threshold",
            "holdout FA/100 device-days",
            "outlier devices",
            "maturity",
        ],
        &rows,
    )
}

/// The thresholds that changed, appeared or disappeared against the previous version.
pub fn diff(previous: &[ProfileSummary], new: &[ProfileSummary]) -> String {
    let old: BTreeMap<&str, Option<f64>> = previous
        .iter()
        .map(|p| (p.profile.as_str(), p.threshold))
        .collect();
    let now: BTreeMap<&str, Option<f64>> = new
        .iter()
        .map(|p| (p.profile.as_str(), p.threshold))
        .collect();
    let mut keys: Vec<&str> = old.keys().chain(now.keys()).copied().collect();
    keys.sort_unstable();
    keys.dedup();
    let mut rows = Vec::new();
    for key in keys {
        let (a, b) = (
            old.get(key).copied().flatten(),
            now.get(key).copied().flatten(),
        );
        let change = match (old.contains_key(key), now.contains_key(key), a, b) {
            (false, true, _, _) => "new profile".to_owned(),
            (true, false, _, _) => "removed".to_owned(),
            (_, _, Some(a), Some(b)) if a == b => continue,
            (_, _, Some(a), Some(b)) if a != 0.0 => format!("{:+.1}%", (b - a) / a.abs() * 100.0),
            (_, _, None, None) => continue,
            _ => "changed".to_owned(),
        };
        rows.push(vec![key.to_owned(), number(a, 2), number(b, 2), change]);
    }
    if rows.is_empty() {
        return "thresholds: no change against the previous version\n".to_owned();
    }
    table(
        &["profile", "previous threshold", "new threshold", "change"],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(profile: &str, threshold: Option<f64>) -> ProfileSummary {
        ProfileSummary {
            profile: profile.into(),
            model: None,
            devices: 3,
            windows: 300,
            threshold,
            holdout_windows: 60,
            holdout_device_days: 0.0417,
            holdout_alerts: 0,
            holdout_false_alerts_per_100_device_days: Some(0.0),
            outliers: vec![],
            maturity: 0.5,
            mature: false,
            maturity_reason: Some("learnt 1 of 3 days".into()),
        }
    }

    #[test]
    fn the_table_is_aligned() {
        let text = render(&[
            summary("model a", Some(12.5)),
            summary("device 02:00:00:00:00:01", None),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(
            lines[0].starts_with("profile                   devices  windows  threshold"),
            "{text}"
        );
        assert!(
            lines[2].starts_with("model a                   3        300      12.50      0.00"),
            "{text}"
        );
        assert!(lines[3].contains("0.50 (learnt 1 of 3 days)"), "{text}");
    }

    #[test]
    fn the_diff_lists_changes_only() {
        let old = [
            summary("model a", Some(10.0)),
            summary("model b", Some(5.0)),
            summary("model c", Some(1.0)),
        ];
        let new = [
            summary("model a", Some(12.5)),
            summary("model b", Some(5.0)),
            summary("model d", Some(2.0)),
        ];
        let text = diff(&old, &new);
        assert!(
            text.contains("model a  10.00               12.50          +25.0%"),
            "{text}"
        );
        assert!(!text.contains("model b"), "{text}");
        assert!(
            text.contains("model c  1.00                -              removed"),
            "{text}"
        );
        assert!(
            text.contains("model d  -                   2.00           new profile"),
            "{text}"
        );
        assert_eq!(
            diff(&old, &old),
            "thresholds: no change against the previous version\n"
        );
    }
}
