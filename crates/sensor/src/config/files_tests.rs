//! Tests over the files users read: `wardwatch.example.toml` and `fixtures/configs/`.

use super::*;
use std::collections::BTreeSet;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every dotted key path of a TOML table (arrays of tables are skipped: `locations`).
fn key_paths(table: &toml::Table, prefix: &str, out: &mut BTreeSet<String>) {
    for (key, value) in table {
        let path = format!("{prefix}{key}");
        match value {
            toml::Value::Table(inner) => key_paths(inner, &format!("{path}."), out),
            toml::Value::Array(items) if items.iter().any(toml::Value::is_table) => {}
            toml::Value::Array(items) if items.is_empty() && key == "locations" => {}
            _ => {
                out.insert(path);
            }
        }
    }
}

#[test]
fn example_file_lists_every_key_with_its_default() {
    let path = repo_root().join("wardwatch.example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed = parse_raw(&text, &path).unwrap();
    assert_eq!(parsed, RawConfig::default());

    let mut documented = BTreeSet::new();
    key_paths(&toml::from_str(&text).unwrap(), "", &mut documented);
    let defaults = toml::Table::try_from(RawConfig::default()).unwrap();
    let mut expected = BTreeSet::new();
    key_paths(&defaults, "", &mut expected);
    assert_eq!(documented, expected);
    assert!(expected.contains("alerts.alertmanager.urls"));
    assert!(expected.len() > 40, "{}", expected.len());
}

#[test]
fn every_key_is_in_the_configuration_reference() {
    let doc = std::fs::read_to_string(repo_root().join("docs/configuration.md")).unwrap();
    let defaults = toml::Table::try_from(RawConfig::default()).unwrap();
    let mut keys = BTreeSet::new();
    key_paths(&defaults, "", &mut keys);
    keys.insert("locations.subnet".into());
    keys.insert("locations.vlan".into());
    keys.insert("locations.site".into());
    keys.insert("locations.ward".into());
    let missing: Vec<_> = keys
        .iter()
        .filter(|key| !doc.contains(&format!("`{key}`")))
        .collect();
    assert!(missing.is_empty(), "undocumented keys: {missing:?}");
}

#[test]
fn invalid_configs_give_their_expected_message() {
    let dir = repo_root().join("fixtures/configs/invalid");
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    entries.sort();
    let mut failures = Vec::new();
    for path in entries {
        let text = std::fs::read_to_string(&path).unwrap();
        let expected = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .map(str::to_owned);
        let err = load(Some(&path), &Overrides::default()).expect_err(&path.display().to_string());
        let actual = err.to_string().replace(&path.display().to_string(), "FILE");
        if expected.as_deref() != Some(actual.as_str()) {
            failures.push(format!(
                "{}:\n  expected {expected:?}\n  actual   {actual:?}",
                path.display()
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 15, "{checked}");
}

#[test]
fn valid_configs_load() {
    let dir = repo_root().join("fixtures/configs/valid");
    let path = dir.join("span-port.toml");
    let config = load(Some(&path), &Overrides::default()).unwrap();
    assert_eq!(
        config.capture.source,
        CaptureSource::Live {
            interface: "eth1".into()
        }
    );
    assert_eq!(config.locations.len(), 2);
    assert_eq!(config.locations[1].matches, LocationMatch::Vlan(120));
    let am = config.alerts.alertmanager.unwrap();
    assert_eq!(am.urls.len(), 2);
    assert_eq!(am.urls[1].authority, "10.0.5.11:9093");
    assert_eq!(config.state.dir, Some(PathBuf::from("/var/lib/wardwatch")));
}

#[test]
fn flags_override_the_file() {
    let path = repo_root().join("fixtures/configs/valid/span-port.toml");
    let overrides = Overrides {
        replay: Some("ward.pcap".into()),
        replay_speed: Some(2.0),
        metrics_listen: Some("127.0.0.1:19917".into()),
        ..Overrides::default()
    };
    let config = load(Some(&path), &overrides).unwrap();
    assert_eq!(
        config.capture.source,
        CaptureSource::Replay {
            path: "ward.pcap".into(),
            speed: Some(2.0)
        }
    );
    assert_eq!(config.metrics.listen.port(), 19917);
}
