use super::*;

fn replay_raw() -> RawConfig {
    let mut raw = RawConfig::default();
    raw.capture.replay = "x.pcap".into();
    raw
}

fn problems(raw: &RawConfig) -> Vec<String> {
    Config::from_raw(raw, &FlagOrigins::default())
        .unwrap_err()
        .iter()
        .map(Problem::to_string)
        .collect()
}

#[test]
fn defaults_with_a_source_are_valid() {
    let config = Config::from_raw(&replay_raw(), &FlagOrigins::default()).unwrap();
    assert_eq!(config.capture.snaplen, 512);
    assert_eq!(config.metrics.listen.to_string(), "127.0.0.1:9917");
    assert_eq!(config.metrics.max_in_flight, 40);
    assert_eq!(config.metrics.max_device_series, 4096);
    assert_eq!(config.state.snapshot_interval, Duration::from_secs(300));
    assert_eq!(config.pipeline.internal_networks.len(), 6);
    assert_eq!(config.alerts.file, Some(AlertFile::Stdout));
    assert_eq!(config.alerts.alertmanager, None);
    assert_eq!(
        config.capture.source,
        CaptureSource::Replay {
            path: "x.pcap".into(),
            speed: None
        }
    );
    assert_eq!(
        config.privileges,
        PrivilegeConfig::DropTo {
            user: "wardwatch".into(),
            group: None
        }
    );
}

#[test]
fn missing_and_double_sources_are_refused() {
    assert_eq!(
        problems(&RawConfig::default()),
        vec![
            "capture: no packet source: set capture.interface (--interface) or capture.replay (--replay)"
        ]
    );
    let mut raw = replay_raw();
    raw.capture.interface = "eth0".into();
    assert_eq!(
        problems(&raw),
        vec!["capture: set capture.interface or capture.replay, not both"]
    );
}

#[test]
fn every_problem_is_reported() {
    let mut raw = replay_raw();
    raw.capture.snaplen = 10;
    raw.pipeline.internal_networks = vec!["10.0.0.0/33".into()];
    raw.alerts.alertmanager.urls = vec!["ftp://x".into()];
    assert_eq!(
        problems(&raw),
        vec![
            "capture.snaplen: must be between 64 and 262144 (got 10)",
            "pipeline.internal_networks[0]: not a CIDR network like 10.0.0.0/8 (got \"10.0.0.0/33\")",
            "alerts.alertmanager.urls[0]: not an http URL like http://127.0.0.1:9093 (got \"ftp://x\")",
        ]
    );
}

#[test]
fn http_urls() {
    let url = parse_http_url("http://127.0.0.1:9093/am/").unwrap();
    assert_eq!(url.authority, "127.0.0.1:9093");
    assert_eq!(url.path_prefix, "/am");
    assert_eq!(url.to_string(), "http://127.0.0.1:9093/am");
    let url = parse_http_url("http://alertmanager").unwrap();
    assert_eq!((url.authority.as_str(), url.port), ("alertmanager:80", 80));
    assert!(
        parse_http_url("https://am:9093")
            .unwrap_err()
            .starts_with("https is not supported")
    );
    assert!(parse_http_url("127.0.0.1:9093").is_err());
    assert!(parse_http_url("http://u:p@am:9093").is_err());
}

#[test]
fn bad_filter_is_named() {
    let mut raw = replay_raw();
    raw.capture.filter = "tcp port".into();
    let p = problems(&raw);
    assert_eq!(p.len(), 1);
    assert!(
        p[0].starts_with("capture.filter: not a valid BPF filter: "),
        "{p:?}"
    );
}

#[test]
fn locations_need_one_matcher() {
    let mut raw = replay_raw();
    raw.locations = vec![
        RawLocation {
            subnet: Some("10.1.0.0/16".into()),
            vlan: None,
            site: "North".into(),
            ward: "ICU".into(),
        },
        RawLocation {
            subnet: Some("10.1.0.0/16".into()),
            vlan: Some(5),
            site: "North".into(),
            ward: "".into(),
        },
    ];
    assert_eq!(
        problems(&raw),
        vec![
            "locations[1]: give exactly one of subnet or vlan",
            "locations[1].ward: must be 1 to 64 characters",
        ]
    );
}

#[test]
fn the_detector_section_and_the_alerts_section_make_one_detector_configuration() {
    let mut raw = replay_raw();
    raw.detector.scan.port_scan_min_ports = 10;
    raw.detector.rate_limit.burst = 7;
    raw.alerts.max_per_minute = 33;
    raw.alerts.discovery_secs = 0;
    let config = Config::from_raw(&raw, &FlagOrigins::default()).unwrap();
    let d = &crate::engine::detector_config(&config.alerts);
    assert_eq!(d.scan.port_scan_min_ports, 10);
    assert_eq!(d.rate_limit.burst, 7);
    assert_eq!(d.rate_limit.per_minute, 33.0);
    assert_eq!(d.discovery_secs, 0);
    assert_eq!(d.suppression_secs, 3600);
    assert_eq!(
        Config::from_raw(&replay_raw(), &FlagOrigins::default())
            .unwrap()
            .alerts
            .detector
            .scan,
        wardwatch_baseline::DetectorConfig::default().scan
    );
    raw.detector.anomaly.peer_span = 0;
    assert_eq!(
        problems(&raw),
        ["detector.anomaly.peer_span: use 1..=64 windows"]
    );
}
