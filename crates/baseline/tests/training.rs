//! Training end to end: fleet and per-device profiles, the report's figures, the 1/k weight
//! cap, poisoning resistance, determinism, and refused settings.

mod support;

use std::sync::Arc;
use support::{detector, ev, feed, kinds, pumps, smb_attack, trained};
use wardwatch_baseline::testkit::{FleetSpec, WindowBuilder, fleet_windows, mac, pump_window};
use wardwatch_baseline::{
    AlertKind, BaselineError, ModelSet, ProfileKey, TrainParams, Trainer, train,
};
use wardwatch_flow::event::{Direction, PeerRole, Transport};
use wardwatch_flow::{DeviceId, ModelId};

#[test]
fn fleet_profile_report() {
    let (set, report) = trained();
    assert_eq!(report.window_secs, 300);
    assert_eq!(report.devices, 5);
    assert_eq!(report.profiles.len(), 1);
    let p = &report.profiles[0];
    assert_eq!(
        p.key,
        ProfileKey::Model(ModelId::from("bd-alaris-pcu-8015"))
    );
    assert_eq!(
        (p.devices, p.windows, p.fit_windows, p.per_device_cap),
        (5, 4320, 4320, 864)
    );
    assert!(p.outliers.is_empty());
    assert!(p.threshold.is_some_and(f64::is_finite));
    let rate = p.false_alerts_per_100_device_days.unwrap();
    assert!(
        rate <= 1.0,
        "training false alerts per 100 device-days: {rate}"
    );
    assert!(p.maturity.mature);
    assert_eq!(report.device_reports.len(), 5);
    assert!(
        report
            .device_reports
            .iter()
            .all(|d| d.fit_windows == 864 && !d.excluded)
    );
    // A single pump's 864 windows are short of the 1000 a device needs on its own.
    let d = &report.device_reports[0].maturity;
    assert_eq!((d.figure, d.mature), (0.864, false));
    assert_eq!(d.reason.as_deref(), Some("learnt 864 of 1000 windows"));
    let profile = set
        .model_profile(&ModelId::from("bd-alaris-pcu-8015"))
        .unwrap();
    assert_eq!(profile.class.as_deref(), Some("infusion_pump"));
    assert!(profile.behaviour.allows(
        Direction::Outbound,
        PeerRole::InternalServer,
        Transport::Tcp,
        443
    ));
    assert!(profile.behaviour.allows(
        Direction::Outbound,
        PeerRole::Infrastructure,
        Transport::Udp,
        123
    ));
    assert!(!profile.behaviour.external_outbound);
    assert!(profile.peer_group.is_some());
    assert!(set.knows_device(&DeviceId::Mac(mac(1))));
}

#[test]
fn small_fleets_and_unidentified_devices_get_per_device_profiles() {
    let mut windows = fleet_windows(&FleetSpec::pumps(2, 4, 300));
    windows.extend((0..1152).map(|i| {
        WindowBuilder::new(50, 1_767_571_200 + i * 300)
            .secs(300)
            .build()
    }));
    let (set, report) = train(&windows, &TrainParams::default()).unwrap();
    let keys: Vec<ProfileKey> = report.profiles.iter().map(|p| p.key.clone()).collect();
    assert_eq!(
        keys,
        vec![
            ProfileKey::Device(DeviceId::Mac(mac(1))),
            ProfileKey::Device(DeviceId::Mac(mac(2))),
            ProfileKey::Device(DeviceId::Mac(mac(50))),
        ]
    );
    // Per-device profiles need one device, and no peer group.
    let p = set
        .profile_for(
            &DeviceId::Mac(mac(1)),
            Some(&ModelId::from("bd-alaris-pcu-8015")),
        )
        .unwrap();
    assert!(p.maturity.mature);
    assert!(p.peer_group.is_none());
    assert_eq!(p.model, Some(ModelId::from("bd-alaris-pcu-8015")));
    assert!(
        set.model_profile(&ModelId::from("bd-alaris-pcu-8015"))
            .is_none()
    );
}

#[test]
fn one_device_never_outweighs_its_fleet() {
    let spec = pumps();
    let mut windows = fleet_windows(&spec);
    // Pump 1 has six more days than its siblings.
    windows.extend((864..864 * 3).map(|i| pump_window(&spec, 1, i)));
    let (_, report) = train(&windows, &TrainParams::default()).unwrap();
    let p = &report.profiles[0];
    // 5C ≤ 4·864 + min(2592, C) ⇒ C = 864: pump 1 holds exactly 1/5 of the fit.
    assert_eq!(p.per_device_cap, 864);
    assert_eq!(p.fit_windows, 5 * 864);
    let d1 = report.device(&DeviceId::Mac(mac(1))).unwrap();
    assert_eq!((d1.windows, d1.fit_windows), (2592, 864));
}

#[allow(clippy::expect_used)] // a test fixture
fn poisoned(fraction_of_device: f64) -> (ModelSet, wardwatch_baseline::TrainingReport) {
    let spec = pumps();
    let every = (1.0 / fraction_of_device).round() as u64;
    let windows: Vec<_> = fleet_windows(&spec)
        .into_iter()
        .map(|w| {
            let index = (w.window_start.secs() - spec.start_secs) / 300;
            if w.device.id == DeviceId::Mac(mac(5)) && index.is_multiple_of(every) {
                smb_attack(&spec, 5, index, 37)
            } else {
                w
            }
        })
        .collect();
    train(&windows, &TrainParams::default()).expect("training")
}

#[test]
fn poisoning_with_five_percent_attack_windows_is_flagged_and_still_detected() {
    // 5 % of pump 5's windows (1 % of the fleet's) are SMB lateral movement.
    for fraction in [0.05, 0.25] {
        let (set, report) = poisoned(fraction);
        let p = &report.profiles[0];
        assert_eq!(p.outliers.len(), 1, "fraction {fraction}: {:?}", p.outliers);
        assert_eq!(p.outliers[0].device, DeviceId::Mac(mac(5)));
        assert!(
            p.outliers[0].exceed_fraction >= fraction * 0.9,
            "{:?}",
            p.outliers[0]
        );
        assert_eq!(p.devices, 4);
        assert!(report.device(&DeviceId::Mac(mac(5))).unwrap().excluded);
        let profile = set
            .model_profile(&ModelId::from("bd-alaris-pcu-8015"))
            .unwrap();
        assert!(!profile.behaviour.allows(
            Direction::Outbound,
            PeerRole::InternalServer,
            Transport::Tcp,
            445
        ));
        assert!(!profile.devices.contains(&DeviceId::Mac(mac(5))));
        // The attack is still detected afterwards, on the poisoned pump and on a clean one.
        let set = Arc::new(set);
        for device in [5, 1] {
            let mut det = detector(Arc::clone(&set));
            let alerts = feed(&mut det, [ev(smb_attack(&pumps(), device, 900, 37))]);
            assert_eq!(
                kinds(&alerts),
                vec![AlertKind::LateralMovement, AlertKind::BehaviourAnomaly]
            );
        }
    }
}

#[test]
fn training_is_deterministic() {
    let windows = fleet_windows(&pumps());
    let (a, _) = train(&windows, &TrainParams::default()).unwrap();
    let (b, _) = train(&windows, &TrainParams::default()).unwrap();
    let bytes = a.encode();
    assert_eq!(bytes, b.encode());
    let back = ModelSet::decode(&bytes).unwrap();
    assert_eq!(back, a);
    assert_eq!(back.encode(), bytes);
}

#[test]
fn refused_settings_and_empty_input() {
    let err = Trainer::new(TrainParams {
        scale_floor: 0.0,
        ..TrainParams::default()
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "setting scale_floor: 0 is outside 0.001..=10"
    );
    let err = Trainer::new(TrainParams {
        min_fleet_devices: 1,
        ..TrainParams::default()
    })
    .unwrap_err();
    assert!(
        matches!(err, BaselineError::InvalidSetting { ref field, .. } if field == "min_fleet_devices")
    );
    assert!(matches!(
        train(std::iter::empty(), &TrainParams::default()),
        Err(BaselineError::NoWindows)
    ));
}

#[test]
fn a_portable_set_keeps_only_fleet_profiles_and_remembers_no_device() {
    let windows = fleet_windows(&pumps());
    let site = TrainParams {
        min_fleet_devices: 100,
        ..TrainParams::default()
    };
    let (set, _) = train(&windows, &site).unwrap();
    let pump = DeviceId::Mac(mac(1));
    assert!(set.knows_device(&pump));
    assert!(set.profile_for(&pump, None).is_some());

    let (set, _) = train(
        &windows,
        &TrainParams {
            portable: true,
            ..site
        },
    )
    .unwrap();
    assert!(!set.knows_device(&pump));
    assert_eq!(set.profiles().count(), 0);
    let (fleet, _) = train(
        &windows,
        &TrainParams {
            portable: true,
            ..TrainParams::default()
        },
    )
    .unwrap();
    assert!(
        fleet
            .model_profile(&ModelId::from("bd-alaris-pcu-8015"))
            .is_some()
    );
    assert!(!fleet.knows_device(&pump));
}
