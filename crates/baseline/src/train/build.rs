//! Learning one profile from its devices' accumulators: outlier flagging (fleets), the weight
//! cap, the statistical fit and threshold, the peer-group norms, the behaviour allow-list and
//! the maturity, plus the report lines for the profile and each of its devices.

use super::TrainParams;
use super::collect::{DeviceAccumulator, Row};
use super::fleet::{self, OutlierDevice};
use super::report::{DeviceReport, ProfileReport};
use crate::maturity::{Coverage, Maturity};
use crate::profile::behaviour::{BehaviourProfile, DeviceBehaviour};
use crate::profile::peer::{PeerGroup, PeerRow};
use crate::profile::statistical::{StatProfile, choose_threshold};
use crate::profile::{Profile, ProfileKey};
use crate::scaling;
use std::collections::{BTreeMap, BTreeSet};
use wardwatch_flow::{DeviceId, FEATURE_COUNT, ModelId};

/// Profiles and report lines collected over a run.
#[derive(Default)]
pub(super) struct Built {
    pub profiles: Vec<Profile>,
    pub reports: Vec<ProfileReport>,
    pub device_reports: Vec<DeviceReport>,
}

type Member<'a> = (DeviceId, &'a DeviceAccumulator);

/// Learns the fleet profile of `model` from `ids`.
pub(super) fn fleet_profile(
    model: &ModelId,
    ids: &[DeviceId],
    devices: &BTreeMap<DeviceId, DeviceAccumulator>,
    params: &TrainParams,
    window_secs: u32,
    out: &mut Built,
) {
    let members: Vec<Member<'_>> = ids
        .iter()
        .filter_map(|id| devices.get(id).map(|a| (*id, a)))
        .collect();
    let (eligible, thin): (Vec<Member<'_>>, Vec<Member<'_>>) = members
        .iter()
        .partition(|(_, a)| a.windows() >= params.min_device_windows);
    let row_sets: Vec<(DeviceId, &[Row])> = eligible
        .iter()
        .map(|(id, a)| (*id, a.rows.as_slice()))
        .collect();
    let (outliers, heterogeneous) = fleet::flag_outliers(
        &row_sets,
        &params.outliers,
        params.scale_floor,
        &params.gmm,
        params.max_fit_windows,
    );
    let flagged: BTreeSet<DeviceId> = outliers.iter().map(|o| o.device).collect();
    let inliers: Vec<Member<'_>> = eligible
        .iter()
        .filter(|(id, _)| !flagged.contains(id))
        .copied()
        .collect();
    let mut notes = Vec::new();
    if heterogeneous {
        notes.push("more than half the fleet looked unlike the rest: fleet heterogeneous, no device excluded".to_owned());
    }
    if !thin.is_empty() {
        notes.push(format!(
            "{} device(s) with fewer than {} windows left out",
            thin.len(),
            params.min_device_windows
        ));
    }
    let key = ProfileKey::Model(model.clone());
    let (profile, mut report, fit_counts) = learn(key, &inliers, true, params, window_secs);
    report.outliers = outliers;
    report.notes.extend(notes);
    for (id, acc) in &members {
        let fit = fit_counts.get(id).copied().unwrap_or(0);
        let excluded = flagged.contains(id) || !fit_counts.contains_key(id);
        out.device_reports
            .push(device_report(*id, acc, &profile.key, fit, excluded, params));
    }
    out.reports.push(report);
    out.profiles.push(profile);
}

/// Learns the per-device profile of `id`.
pub(super) fn device_profile(
    id: &DeviceId,
    devices: &BTreeMap<DeviceId, DeviceAccumulator>,
    params: &TrainParams,
    window_secs: u32,
    out: &mut Built,
) {
    let Some(acc) = devices.get(id) else { return };
    let key = ProfileKey::Device(*id);
    let (profile, report, fit_counts) = learn(key, &[(*id, acc)], false, params, window_secs);
    let fit = fit_counts.get(id).copied().unwrap_or(0);
    out.device_reports
        .push(device_report(*id, acc, &profile.key, fit, false, params));
    out.reports.push(report);
    out.profiles.push(profile);
}

fn device_report(
    id: DeviceId,
    acc: &DeviceAccumulator,
    key: &ProfileKey,
    fit: u64,
    excluded: bool,
    params: &TrainParams,
) -> DeviceReport {
    DeviceReport {
        device: id,
        profile: key.clone(),
        windows: acc.windows(),
        fit_windows: fit,
        excluded,
        maturity: Maturity::assess(&coverage(&[(id, acc)]), &params.maturity, 1),
    }
}

fn coverage(members: &[Member<'_>]) -> Coverage {
    let mut days = BTreeSet::new();
    let mut c = Coverage {
        devices: u32::try_from(members.len()).unwrap_or(u32::MAX),
        ..Coverage::default()
    };
    for (_, a) in members {
        c.windows = c.windows.saturating_add(a.windows());
        days.extend(a.days.iter().copied());
        for (slot, v) in c
            .hour_windows
            .iter_mut()
            .zip(a.behaviour.hour_windows.iter())
        {
            *slot = slot.saturating_add(*v);
        }
    }
    c.days = u32::try_from(days.len()).unwrap_or(u32::MAX);
    c
}

/// The most common class among the members.
fn class_of(members: &[Member<'_>]) -> Option<String> {
    let mut votes: BTreeMap<String, usize> = BTreeMap::new();
    for (_, a) in members {
        if let Some(c) = a.class() {
            *votes.entry(c).or_default() += 1;
        }
    }
    votes
        .into_iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(c, _)| c)
}

/// Fits the statistical profile, sets its threshold and measures the training false-alert
/// rate (per 100 device-days) over every kept row of the profile's devices.
fn fit_statistical(
    plain: &[[f64; FEATURE_COUNT]],
    all: &[&Row],
    params: &TrainParams,
    window_secs: u32,
    notes: &mut Vec<String>,
) -> (Option<StatProfile>, Option<f64>) {
    let Some(mut s) = StatProfile::fit(plain, params.scale_floor, &params.gmm) else {
        notes.push("no windows to fit a statistical model".to_owned());
        return (None, None);
    };
    let mut scores: Vec<f64> = plain.iter().map(|r| s.score(r).score).collect();
    scores.sort_by(f64::total_cmp);
    s.threshold = choose_threshold(&scores, window_secs, &params.threshold);
    s.median_score = scaling::median_sorted(&scores);
    let above = all
        .iter()
        .filter(|r| s.score(&r.log_row()).score > s.threshold)
        .count();
    let per_100_days = 100.0 * 86_400.0 / f64::from(window_secs.max(1));
    let rate = above as f64 / all.len().max(1) as f64 * per_100_days;
    if s.gmm.components() == 1 && plain.len() < 10 * (2 * (s.active.len() + 1)) {
        notes.push("too few windows for a mixture: one Gaussian fitted in closed form".to_owned());
    }
    (Some(s), Some((rate * 1000.0).round() / 1000.0))
}

/// Learns the per-hour fleet norms from the fit rows (device index, hour, log row).
fn peer_group(
    s: &StatProfile,
    fit_rows: &[(usize, usize, [f64; FEATURE_COUNT])],
    params: &TrainParams,
) -> Option<PeerGroup> {
    let z: Vec<[f64; FEATURE_COUNT]> = fit_rows.iter().map(|r| s.scaler.transform(&r.2)).collect();
    let peer_rows: Vec<PeerRow<'_>> = fit_rows
        .iter()
        .zip(&z)
        .map(|((d, h, _), z)| PeerRow {
            device: *d,
            hour: *h,
            z,
        })
        .collect();
    PeerGroup::build(&peer_rows, &s.active, &params.peer)
}

fn learn(
    key: ProfileKey,
    inliers: &[Member<'_>],
    fleet: bool,
    params: &TrainParams,
    window_secs: u32,
) -> (Profile, ProfileReport, BTreeMap<DeviceId, u64>) {
    let rows: Vec<&[Row]> = inliers.iter().map(|(_, a)| a.rows.as_slice()).collect();
    let (capped, cap) = fleet::capped_rows(
        &rows,
        params.outliers.max_weight_share_devices,
        params.max_fit_windows,
    );
    let fit_counts: BTreeMap<DeviceId, u64> = inliers
        .iter()
        .zip(&capped)
        .map(|((id, _), r)| (*id, r.len() as u64))
        .collect();
    let fit_rows: Vec<(usize, usize, [f64; FEATURE_COUNT])> = capped
        .iter()
        .enumerate()
        .flat_map(|(d, rs)| rs.iter().map(move |r| (d, r.hour(), r.log_row())))
        .collect();
    let plain: Vec<[f64; FEATURE_COUNT]> = fit_rows.iter().map(|r| r.2).collect();
    let mut notes = Vec::new();
    let all: Vec<&Row> = rows.iter().flat_map(|r| r.iter()).collect();
    let (stat, rate) = fit_statistical(&plain, &all, params, window_secs, &mut notes);
    let peer_group = match (&stat, fleet) {
        (Some(s), true) => peer_group(s, &fit_rows, params),
        _ => None,
    };
    let behaviours: Vec<&DeviceBehaviour> = inliers.iter().map(|(_, a)| &a.behaviour).collect();
    let behaviour =
        BehaviourProfile::build(&behaviours, &params.support, params.dynamic_port_floor);
    let min_devices = if fleet {
        params.maturity.min_devices
    } else {
        1
    };
    let maturity = Maturity::assess(&coverage(inliers), &params.maturity, min_devices);
    let model = match &key {
        ProfileKey::Model(m) => Some(m.clone()),
        ProfileKey::Device(_) => inliers.first().and_then(|(_, a)| a.model()),
    };
    let mut devices: Vec<DeviceId> = inliers.iter().map(|(id, _)| *id).collect();
    devices.sort();
    let report = ProfileReport {
        key: key.clone(),
        model: model.clone(),
        devices: u32::try_from(devices.len()).unwrap_or(u32::MAX),
        windows: inliers.iter().map(|(_, a)| a.windows()).sum(),
        fit_windows: plain.len() as u64,
        per_device_cap: cap as u64,
        components: stat.as_ref().map_or(0, |s| s.gmm.components()),
        threshold: stat.as_ref().map(|s| s.threshold),
        false_alerts_per_100_device_days: rate,
        outliers: Vec::<OutlierDevice>::new(),
        maturity: maturity.clone(),
        notes,
    };
    let profile = Profile {
        key,
        model,
        class: class_of(inliers),
        devices,
        window_secs,
        behaviour,
        statistical: stat,
        peer_group,
        maturity,
    };
    (profile, report, fit_counts)
}
